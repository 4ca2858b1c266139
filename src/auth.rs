//! Credentials, kept in redacting types, and the access token made from them.
//!
//! With client credentials the token is fetched from `POST /oauth/token` on first use, shared
//! by every call, and fetched again shortly before it expires. One fetch is in flight at a
//! time, however many calls wait for it; its failure is reported to all of them, and the
//! next call tries again.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;

use crate::clock::Clock;
use crate::error::Error;

/// Default time before expiry at which a cached token is replaced.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// An access token and when it stops being accepted. Cheap to clone: every call sends it.
#[derive(Clone)]
pub struct AccessToken {
    /// `Bearer <token>`, built once and marked sensitive so `http` never prints it.
    header: HeaderValue,
    expires_at: Option<DateTime<Utc>>,
    /// When the cache replaces it: `margin` before expiry, or half-way through a shorter life.
    refresh_at: Option<DateTime<Utc>>,
}

impl AccessToken {
    /// Refuses a token that an HTTP header cannot carry, rather than sending none.
    fn new(secret: &str, expires_at: Option<DateTime<Utc>>) -> Result<Self, String> {
        let mut header = HeaderValue::try_from(format!("Bearer {secret}"))
            .map_err(|_| "holds characters an HTTP header cannot carry".to_owned())?;
        header.set_sensitive(true);
        Ok(AccessToken {
            header,
            expires_at,
            refresh_at: None,
        })
    }

    /// When Orum stops accepting the token (`None` for a token given directly).
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }

    /// The `Authorization` header value.
    pub(crate) fn header(&self) -> &HeaderValue {
        &self.header
    }

    fn same_as(&self, other: &AccessToken) -> bool {
        self.header == other.header
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// An OAuth client id and secret from Orum Monitor.
#[derive(Clone)]
pub(crate) struct ClientCredentials {
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .finish()
    }
}

/// How the client authenticates to Orum.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    /// A bearer access token obtained elsewhere; it cannot be refreshed.
    Static(AccessToken),
    /// Client credentials, exchanged for tokens as needed.
    Credentials(Arc<TokenCache>),
}

impl Auth {
    pub(crate) fn token(token: &SecretString) -> Result<Self, Error> {
        AccessToken::new(token.expose_secret(), None)
            .map(Auth::Static)
            .map_err(|rule| Error::config("access_token", rule))
    }
}

type Flight = Arc<OnceCell<Result<AccessToken, Error>>>;

/// The shared token of a client using client credentials.
#[derive(Debug)]
pub(crate) struct TokenCache {
    pub(crate) credentials: ClientCredentials,
    clock: Arc<dyn Clock>,
    margin: Duration,
    /// The current fetch: pending, or settled with a token or an error.
    flight: Mutex<Flight>,
}

impl TokenCache {
    pub(crate) fn new(
        credentials: ClientCredentials,
        clock: Arc<dyn Clock>,
        margin: Duration,
    ) -> Self {
        TokenCache {
            credentials,
            clock,
            margin,
            flight: Mutex::new(Arc::default()),
        }
    }

    /// A token that is not about to expire, fetched with `fetch` if there is none. Callers
    /// that arrive while a fetch is in flight wait for it instead of starting another.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<AccessToken, Error>
    where
        F: FnOnce(ClientCredentials) -> Fut,
        Fut: Future<Output = Result<(String, f64), Error>>,
    {
        let flight = {
            let mut flight = self.flight.lock().unwrap_or_else(|e| e.into_inner());
            let stale = match flight.get() {
                Some(Ok(token)) => !self.is_fresh(token),
                Some(Err(_)) => true,
                None => false,
            };
            if stale {
                *flight = Arc::default();
            }
            flight.clone()
        };
        let credentials = self.credentials.clone();
        flight
            .get_or_init(|| async move {
                let (secret, expires_in) = fetch(credentials).await?;
                let lifetime = TimeDelta::milliseconds((expires_in.max(0.0) * 1000.0) as i64);
                let margin = TimeDelta::from_std(self.margin).unwrap_or(TimeDelta::MAX);
                let now = self.clock.now();
                let token = AccessToken::new(&secret, Some(now + lifetime)).map_err(|rule| {
                    Error::UnexpectedResponse {
                        status: 200,
                        body: format!("(not shown) its access_token {rule}"),
                    }
                })?;
                Ok(AccessToken {
                    refresh_at: Some(now + lifetime - margin.min(lifetime / 2)),
                    ..token
                })
            })
            .await
            .clone()
    }

    /// Forgets `rejected` (Orum answered 401 to it), unless a newer token replaced it already.
    pub(crate) fn invalidate(&self, rejected: &AccessToken) {
        let mut flight = self.flight.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(flight.get(), Some(Ok(current)) if current.same_as(rejected)) {
            *flight = Arc::default();
        }
    }

    fn is_fresh(&self, token: &AccessToken) -> bool {
        token.refresh_at.is_none_or(|at| self.clock.now() < at)
    }
}
