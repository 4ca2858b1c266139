//! The seam between the generated client and the network. Every call passes through here:
//! its access token, its Authorization header, retries, a tracing span per attempt, and the
//! mapping of failures to the crate's [`Error`].

use std::{cell::RefCell, future::Future, pin::Pin, time::Duration, time::Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{AUTHORIZATION, HeaderMap, RETRY_AFTER};
use secrecy::ExposeSecret;

use crate::auth::{AccessToken, Auth, ClientCredentials};
use crate::error::{ApiError, Error, InvalidField};
use crate::raw::{self, types};
use crate::retry::RetryPolicy;

/// The `Orum-Version` every call sends.
pub const ORUM_VERSION: types::OrumVersion = types::OrumVersion::V20220921;

/// The one operation that goes without a token.
const TOKEN_OPERATION: &str = "post_oauth_token";

/// The error type of the generated calls.
type RawError = progenitor_client::Error<types::ErrorResponse>;

/// State the generated client carries for the hand-written layer.
#[derive(Debug, Clone)]
pub struct Transport {
    pub(crate) auth: Auth,
    pub(crate) retry: RetryPolicy,
}

impl Transport {
    /// The token for `operation`, fetched if needed; `None` for the token request itself.
    async fn token(
        &self,
        client: &raw::Client,
        operation: &str,
    ) -> Result<Option<AccessToken>, Error> {
        if operation == TOKEN_OPERATION {
            return Ok(None);
        }
        match &self.auth {
            Auth::Static(token) => Ok(Some(token.clone())),
            Auth::Credentials(cache) => cache.get(|c| fetch_token(client, c)).await.map(Some),
        }
    }
}

/// What one attempt shares with the hooks: the token to send, and the status and headers of
/// the response (the generated error for an unreadable documented body keeps neither).
#[derive(Default)]
struct Attempt {
    token: Option<AccessToken>,
    response: Option<ResponseMeta>,
}

#[derive(Debug, Clone)]
struct ResponseMeta {
    status: u16,
    retry_after: Option<Duration>,
}

tokio::task_local! {
    static ATTEMPT: RefCell<Attempt>;
}

impl ClientHooks<Transport> for raw::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let token = match ATTEMPT.try_with(|a| a.borrow().token.clone()) {
            Ok(token) => token,
            // A user calling the generated client directly: fetch the token here.
            Err(_) => self
                .inner()
                .token(self, info.operation_id)
                .await
                .map_err(|e| progenitor_client::Error::Custom(e.to_string()))?,
        };
        if let Some(token) = token {
            request
                .headers_mut()
                .insert(AUTHORIZATION, token.header().clone());
        }
        Ok(())
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let Ok(response) = result {
            let meta = ResponseMeta {
                status: response.status().as_u16(),
                retry_after: retry_after(response.headers()),
            };
            let _ = ATTEMPT.try_with(|a| a.borrow_mut().response = Some(meta));
        }
        Ok(())
    }
}

/// Runs a generated call (`send` makes one attempt) with the client's token, retry policy and
/// tracing, and maps its failure to [`Error`]. A 401 with a refreshable token drops the token
/// and tries once more with a new one.
pub(crate) async fn call<T, F, Fut>(
    client: &raw::Client,
    operation: &'static str,
    send: F,
) -> Result<ResponseValue<T>, Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, RawError>>,
{
    let transport = client.inner();
    let started = Instant::now();
    let mut refreshed = false;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let token = transport.token(client, operation).await?;
        let span = tracing::info_span!(
            "orum_request",
            operation,
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        // The span is entered only to report, not around the request: entering it on every
        // poll cost more than 10 us per call (benches/client.rs).
        let error = match run_attempt(&span, token.clone(), send()).await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if let (Error::Authentication(_), Auth::Credentials(cache), Some(token), false) =
            (&error, &transport.auth, &token, refreshed)
        {
            span.in_scope(|| tracing::info!("access token refused; fetching a new one"));
            cache.invalidate(token);
            refreshed = true;
            continue;
        }
        let Some(wait) = transport
            .retry
            .next_wait(&error, attempt, started.elapsed())
        else {
            return Err(error);
        };
        span.in_scope(|| tracing::info!(wait_ms = wait.as_millis() as u64, "retrying"));
        tokio::time::sleep(wait).await;
    }
}

async fn run_attempt<T>(
    span: &tracing::Span,
    token: Option<AccessToken>,
    send: impl Future<Output = Result<ResponseValue<T>, RawError>>,
) -> Result<ResponseValue<T>, Error> {
    let started = Instant::now();
    let state = RefCell::new(Attempt {
        token,
        response: None,
    });
    let (result, meta) = ATTEMPT
        .scope(state, async {
            let result = send.await;
            (result, ATTEMPT.with(|a| a.borrow_mut().response.take()))
        })
        .await;
    let status = meta.as_ref().map_or(0, |m| m.status);
    let duration_ms = started.elapsed().as_millis() as u64;
    span.record("status", status);
    span.record("duration_ms", duration_ms);
    let result = match result {
        Ok(value) => Ok(value),
        Err(e) => Err(map_error(e, meta).await),
    };
    span.in_scope(|| match &result {
        Ok(_) => tracing::info!(status, duration_ms, "response"),
        Err(error) => {
            let retryable = error.is_retryable();
            tracing::warn!(status, duration_ms, retryable, "request failed");
            // Error texts may quote a response body: debug level only.
            tracing::debug!(%error, "request failed");
        }
    });
    result
}

/// An access token and its lifetime in seconds, as `POST /oauth/token` returns them.
type TokenResult = Result<(String, f64), Error>;

/// Exchanges client credentials for an access token. Boxed: it runs inside a call.
fn fetch_token(
    client: &raw::Client,
    credentials: ClientCredentials,
) -> Pin<Box<dyn Future<Output = TokenResult> + Send + '_>> {
    Box::pin(async move {
        let body = types::OauthTokenBody {
            client_id: credentials.client_id,
            client_secret: credentials.client_secret.expose_secret().to_owned(),
        };
        let response = call(client, TOKEN_OPERATION, || {
            client.post_oauth_token().body(body.clone()).send()
        })
        .await
        .map_err(|e| match e {
            // Orum answers bad credentials with 400 (invalid_client_id, ...) or 403.
            Error::Api(e) if matches!(e.status, 400 | 403) => Error::Authentication(e),
            other => other,
        })?;
        let token = response.into_inner();
        Ok((token.access_token, token.expires_in))
    })
}

async fn map_error(error: RawError, meta: Option<ResponseMeta>) -> Error {
    match error {
        RawError::ErrorResponse(value) => {
            let status = value.status().as_u16();
            let wait = retry_after(value.headers());
            classify(status, wait, Some(envelope(status, value.into_inner())))
        }
        RawError::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let wait = retry_after(response.headers());
            match response.bytes().await {
                Err(e) => transport_error(&e),
                Ok(body) => match serde_json::from_slice::<types::ErrorResponse>(&body) {
                    Ok(env) if !(200..300).contains(&status) => {
                        classify(status, wait, Some(envelope(status, env)))
                    }
                    _ if status == 429 => classify(status, wait, None),
                    _ => Error::unexpected(status, &body),
                },
            }
        }
        RawError::InvalidResponsePayload(body, _) => match meta {
            Some(ResponseMeta {
                status: 429,
                retry_after,
            }) => classify(429, retry_after, None),
            Some(meta) => Error::unexpected(meta.status, &body),
            None => Error::unexpected(0, &body),
        },
        RawError::CommunicationError(e) | RawError::ResponseBodyError(e) => transport_error(&e),
        RawError::InvalidUpgrade(e) => transport_error(&e),
        RawError::InvalidRequest(rule) => Error::InvalidRequest(InvalidField {
            path: "(request)".into(),
            rule,
        }),
        RawError::Custom(message) => Error::Connection(message),
    }
}

fn classify(status: u16, wait: Option<Duration>, error: Option<ApiError>) -> Error {
    match (status, error) {
        (429, error) => Error::RateLimited {
            retry_after: wait,
            error,
        },
        (401, Some(e)) => Error::Authentication(e),
        (_, Some(e)) => Error::Api(e),
        (status, None) => Error::unexpected(status, b""),
    }
}

fn envelope(status: u16, body: types::ErrorResponse) -> ApiError {
    ApiError {
        status,
        error_code: body.error_code,
        message: body.message,
        details: body.details,
    }
}

fn transport_error(e: &reqwest::Error) -> Error {
    let message = crate::error::chain(e);
    if e.is_timeout() {
        Error::Timeout(message)
    } else {
        Error::Connection(message)
    }
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}
