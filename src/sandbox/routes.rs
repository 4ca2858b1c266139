//! The sandbox's HTTP API: the same contract as Orum's for the endpoints this crate covers.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use super::{SandboxEvent, State, delivery};
use crate::error::{Error, InvalidField};
use crate::raw::types;
use crate::validate;

type S = Extract<Arc<State>>;

/// An early answer (an Orum error): handlers return `Result<Response, Reject>` and use `?`.
struct Reject(Box<Response>);

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<Response> for Reject {
    fn from(response: Response) -> Self {
        Reject(Box::new(response))
    }
}

type Answer = Result<Response, Reject>;

pub(super) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/webhooks/invoke", post(invoke))
        .route("/webhooks/secret", get(secret).post(secret))
        .route("/webhooks/configurations", get(list).post(create))
        .route("/webhooks/configurations/{id}", put(update).delete(remove))
        .route("/sandbox/deliveries", get(deliveries))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log_request,
        ))
        .with_state(state)
}

async fn log_request(
    Extract(state): S,
    method: Method,
    uri: Uri,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    state.emit(SandboxEvent::Request {
        method: method.to_string(),
        path: uri.path().to_owned(),
        status: response.status().as_u16(),
    });
    response
}

fn orum_error(status: StatusCode, code: &str, message: &str) -> Reject {
    let body = json!({"error_code": code, "message": message});
    (status, axum::Json(body)).into_response().into()
}

/// A 400 naming the field, with Orum's `missing_<field>` / `invalid_<field>` codes.
fn field_error(field: &InvalidField) -> Reject {
    let name = field.path.rsplit('.').next().unwrap_or(&field.path);
    let name = name
        .split('[')
        .next()
        .unwrap_or(name)
        .trim_matches(|c| c == '(' || c == ')');
    let code = if field.rule == "is required" {
        "missing"
    } else {
        "invalid"
    };
    let body = json!({
        "error_code": format!("{code}_{name}"),
        "message": format!("{}: {}", field.path, field.rule),
        "details": {"field": field.path, "rule": field.rule},
    });
    (StatusCode::BAD_REQUEST, axum::Json(body))
        .into_response()
        .into()
}

/// Orum's checks before any webhook endpoint: a valid bearer token and `Orum-Version`.
fn authorize(state: &State, headers: &HeaderMap) -> Result<(), Reject> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let valid = token.is_some_and(|t| {
        let tokens = state.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens.get(t).is_some_and(|expiry| Instant::now() < *expiry)
    });
    if !valid {
        return Err(orum_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
        ));
    }
    match headers
        .get("orum-version")
        .map(|v| v.to_str().unwrap_or(""))
    {
        None => Err(orum_error(
            StatusCode::BAD_REQUEST,
            "version_missing",
            "The Orum-Version header is required.",
        )),
        Some("v2022-09-21") => Ok(()),
        Some(_) => Err(orum_error(
            StatusCode::BAD_REQUEST,
            "version_invalid",
            "Orum-Version must be v2022-09-21.",
        )),
    }
}

fn json_body(body: &[u8]) -> Result<Value, Reject> {
    serde_json::from_slice(body).map_err(|e| {
        orum_error(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            &format!("body is not JSON: {e}"),
        )
    })
}

async fn token(Extract(state): S, headers: HeaderMap, body: Bytes) -> Answer {
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let fields: Value = if form {
        let pairs: Vec<(String, String)> = url_pairs(&body);
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    } else {
        json_body(&body)?
    };
    for (field, expected) in [
        ("client_id", &state.client_id),
        ("client_secret", &state.client_secret),
    ] {
        match fields.get(field) {
            None => {
                return Err(orum_error(
                    StatusCode::BAD_REQUEST,
                    &format!("missing_{field}"),
                    &format!("{field} is required"),
                ));
            }
            Some(Value::String(v)) if v == expected => {}
            Some(_) => {
                return Err(orum_error(
                    StatusCode::BAD_REQUEST,
                    &format!("invalid_{field}"),
                    &format!("{field} is invalid"),
                ));
            }
        }
    }
    let access_token = format!("sbx_{}", uuid::Uuid::new_v4().simple());
    state
        .tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(access_token.clone(), Instant::now() + state.token_ttl);
    Ok(axum::Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": state.token_ttl.as_secs(),
    }))
    .into_response())
}

async fn invoke(Extract(state): S, headers: HeaderMap, body: Bytes) -> Answer {
    authorize(&state, &headers)?;
    let body = json_body(&body)?;
    match validate::invoke_body(&body) {
        Ok((event_type, typed)) => {
            delivery::deliver(&state, event_type, typed);
            Ok(StatusCode::CREATED.into_response())
        }
        Err(Error::InvalidRequest(field)) => Err(field_error(&field)),
        Err(e) => Err(orum_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &e.to_string(),
        )),
    }
}

async fn secret(Extract(state): S, headers: HeaderMap) -> Answer {
    authorize(&state, &headers)?;
    Ok(axum::Json(json!({"enterprise_keypair": {
        "id": "local-sandbox-keypair",
        "enterprise_name": "Local Sandbox",
        "public_key": state.public_key_pem,
        "created_at": chrono::Utc::now().to_rfc3339(),
        "updated_at": chrono::Utc::now().to_rfc3339(),
    }}))
    .into_response())
}

fn configuration_request(body: &[u8]) -> Result<types::ConfigurationRequest, Reject> {
    let value = json_body(body)?;
    validate::typed::<types::ConfigurationRequest>(&value).map_err(|f| field_error(&f))
}

fn configuration(id: String, request: types::ConfigurationRequest) -> types::WebhookConfiguration {
    let now = chrono::Utc::now().to_rfc3339();
    types::WebhookConfiguration {
        id,
        enterprise_name: "Local Sandbox".into(),
        data_version: types::DataVersion::V20220921,
        event_types: request.event_types,
        enabled: request.enabled,
        url: request.url,
        created_at: now.clone(),
        created_by: "orum-webhooks".into(),
        updated_at: now,
        updated_by: "orum-webhooks".into(),
    }
}

async fn create(Extract(state): S, headers: HeaderMap, body: Bytes) -> Answer {
    authorize(&state, &headers)?;
    let request = configuration_request(&body)?;
    let created = configuration(uuid::Uuid::new_v4().to_string(), request);
    state
        .configurations
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(created.clone());
    Ok(axum::Json(json!({"webhook_configuration": created})).into_response())
}

async fn list(Extract(state): S, headers: HeaderMap) -> Answer {
    authorize(&state, &headers)?;
    let all = state
        .configurations
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(axum::Json(json!({"webhook_configurations": all})).into_response())
}

async fn update(
    Extract(state): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    authorize(&state, &headers)?;
    let request = configuration_request(&body)?;
    let mut all = state
        .configurations
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let Some(existing) = all.iter_mut().find(|c| c.id == id) else {
        return Err(orum_error(
            StatusCode::NOT_FOUND,
            "unknown_id_webhook_configuration",
            "No such webhook configuration.",
        ));
    };
    let created_at = existing.created_at.clone();
    *existing = types::WebhookConfiguration {
        created_at,
        ..configuration(id, request)
    };
    Ok(axum::Json(json!({"webhook_configuration": existing.clone()})).into_response())
}

async fn remove(Extract(state): S, Path(id): Path<String>, headers: HeaderMap) -> Answer {
    authorize(&state, &headers)?;
    let mut all = state
        .configurations
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let before = all.len();
    all.retain(|c| c.id != id);
    if all.len() == before {
        return Err(orum_error(
            StatusCode::NOT_FOUND,
            "unknown_id_webhook_configuration",
            "No such webhook configuration.",
        ));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The delivery log, for tests in other languages (no auth: it is the sandbox's own).
async fn deliveries(Extract(state): S) -> Response {
    let log = state
        .deliveries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    axum::Json(json!({"deliveries": log})).into_response()
}

fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    // Credentials are plain tokens; decode %XX and + without a URL crate dependency of our own.
    reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(body)))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}
