//! The one error type of the crate's calls.

use std::time::Duration;

use serde_json::{Map, Value};

/// Longest response body excerpt kept in [`Error::UnexpectedResponse`].
const BODY_EXCERPT_CHARS: usize = 512;

/// Everything that can go wrong in a call made through this crate.
///
/// Messages name the field, setting or HTTP status involved, and never contain credentials.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Orum answered with an error status and its error envelope.
    #[error("{0}")]
    Api(ApiError),

    /// Orum refused the credentials or the access token (HTTP 401, or a failed token request).
    #[error("authentication failed: {0}")]
    Authentication(ApiError),

    /// Orum's rate limit was hit and retries (if enabled) did not get through.
    #[error("rate limited by Orum (HTTP 429){}", retry_after_text(*.retry_after))]
    RateLimited {
        /// How long Orum asked the caller to wait, from the `Retry-After` header.
        retry_after: Option<Duration>,
        /// Orum's error envelope, when the response carried one.
        error: Option<ApiError>,
    },

    /// No response came within the configured time.
    #[error("timed out: {0}")]
    Timeout(String),

    /// The connection to Orum could not be made or was lost.
    #[error("connection failed: {0}")]
    Connection(String),

    /// A value in the request breaks a rule of Orum's API; nothing was sent.
    #[error("{0}")]
    InvalidRequest(InvalidField),

    /// The event type name is not one of the invokable event types.
    #[error("{0}")]
    UnknownEventType(UnknownEventType),

    /// A response the API description does not allow: an undocumented status, or a body that
    /// is not what the status promises.
    #[error("unexpected response from Orum: HTTP {status}: {body}")]
    UnexpectedResponse {
        /// HTTP status code.
        status: u16,
        /// The start of the response body, as text.
        body: String,
    },

    /// A webhook key or delivery could not be used.
    #[error(transparent)]
    Verify(#[from] crate::verify::VerifyError),

    /// The client is configured wrongly (a missing or contradictory setting).
    #[error("configuration error: {setting}: {message}")]
    Config {
        /// The setting or environment variable to fix.
        setting: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    /// Whether repeating the same call later may succeed: rate limits, timeouts, connection
    /// failures, and 502/503/504.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Timeout(_) | Error::Connection(_) => true,
            Error::Api(e) => matches!(e.status, 502..=504),
            Error::UnexpectedResponse { status, .. } => matches!(status, 502..=504),
            _ => false,
        }
    }

    /// The HTTP status Orum answered with, when the error comes from a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) | Error::Authentication(e) => Some(e.status),
            Error::RateLimited { .. } => Some(429),
            Error::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn unexpected(status: u16, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let mut body: String = text.chars().take(BODY_EXCERPT_CHARS).collect();
        if text.chars().count() > BODY_EXCERPT_CHARS {
            body.push_str("...");
        }
        if body.trim().is_empty() {
            body = "(empty body)".to_owned();
        }
        Error::UnexpectedResponse { status, body }
    }

    pub(crate) fn config(setting: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            setting: setting.into(),
            message: message.into(),
        }
    }
}

/// An error's message followed by its causes: reqwest's own message is generic; the cause
/// ("Connection refused") is what helps.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("; retry after {} s", d.as_secs_f64()),
        None => String::new(),
    }
}

/// Orum's error envelope (`error_code`, `message`, `details`) with the HTTP status.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// Orum's machine-readable code, such as `unauthorized` or `version_missing`. Match on
    /// this, not on `message`, which Orum may reword.
    pub error_code: String,
    /// Orum's human-readable explanation.
    pub message: String,
    /// Extra, error-specific data.
    pub details: Option<Map<String, Value>>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Orum returned HTTP {} {}: {}",
            self.status, self.error_code, self.message
        )?;
        if let Some(details) = &self.details {
            write!(f, " (details: {})", Value::Object(details.clone()))?;
        }
        Ok(())
    }
}

/// A value that breaks a rule of Orum's API, found before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidField {
    /// Where the value is, such as `data.addresses[0].zip5`.
    pub path: String,
    /// The rule it breaks.
    pub rule: String,
}

impl std::fmt::Display for InvalidField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid request: {}: {}", self.path, self.rule)
    }
}

/// An event type name that is not invokable, with the closest valid names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEventType {
    /// The name given.
    pub name: String,
    /// Valid names close to it, best first (may be empty).
    pub suggestions: Vec<&'static str>,
}

impl std::fmt::Display for UnknownEventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown event type `{}`", self.name)?;
        match self.suggestions.as_slice() {
            [] => write!(f, "; `orum-webhooks events` lists the valid ones"),
            names => write!(f, "; did you mean {}?", names.join(", ")),
        }
    }
}

/// Result type of the crate's calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
