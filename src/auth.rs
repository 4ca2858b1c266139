//! Credentials, kept in redacting types, and the Authorization header made from them.

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

/// How the client authenticates to Orum.
#[derive(Clone)]
pub(crate) enum Auth {
    /// A bearer access token obtained elsewhere.
    AccessToken(SecretString),
}

impl Auth {
    /// The `Authorization` header value, marked sensitive so `http` never prints it.
    pub(crate) fn header(&self) -> Option<HeaderValue> {
        match self {
            Auth::AccessToken(token) => bearer(token),
        }
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::AccessToken(_) => f.write_str("AccessToken([REDACTED])"),
        }
    }
}

fn bearer(token: &SecretString) -> Option<HeaderValue> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).ok()?;
    value.set_sensitive(true);
    Some(value)
}
