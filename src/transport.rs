//! The seam between the generated client and the network: every request passes through here
//! for its Authorization header, and every failure is mapped to the crate's [`Error`].

use std::{cell::RefCell, future::Future, time::Duration};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{AUTHORIZATION, HeaderMap, RETRY_AFTER};

use crate::auth::Auth;
use crate::error::{ApiError, Error, InvalidField};
use crate::raw::{self, types};

/// The `Orum-Version` every call sends.
pub const ORUM_VERSION: types::OrumVersion = types::OrumVersion::V20220921;

/// The error type of the generated calls.
type RawError = progenitor_client::Error<types::ErrorResponse>;

/// State the generated client carries for the hand-written layer.
#[derive(Debug, Clone)]
pub struct Transport {
    pub(crate) auth: Auth,
}

/// Status and headers of the last response, captured by the `post` hook: the generated
/// error for an unreadable documented body keeps neither.
#[derive(Debug, Clone)]
struct ResponseMeta {
    status: u16,
    retry_after: Option<Duration>,
}

tokio::task_local! {
    static LAST_RESPONSE: RefCell<Option<ResponseMeta>>;
}

impl ClientHooks<Transport> for raw::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        // The token endpoint is the one call that must go without a token.
        if info.operation_id != "post_oauth_token"
            && let Some(value) = self.inner().auth.header()
        {
            request.headers_mut().insert(AUTHORIZATION, value);
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
            // Outside `call` (a user driving the raw client) there is nowhere to record it.
            let _ = LAST_RESPONSE.try_with(|last| *last.borrow_mut() = Some(meta));
        }
        Ok(())
    }
}

/// Runs one generated call and maps its failure to [`Error`].
pub(crate) async fn call<T, F, Fut>(send: F) -> Result<ResponseValue<T>, Error>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, RawError>>,
{
    let (result, meta) = LAST_RESPONSE
        .scope(RefCell::new(None), async {
            let result = send().await;
            (result, LAST_RESPONSE.with(|last| last.borrow_mut().take()))
        })
        .await;
    match result {
        Ok(value) => Ok(value),
        Err(e) => Err(map_error(e, meta).await),
    }
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
    // reqwest's own message is generic; the cause ("Connection refused") is what helps.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
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
