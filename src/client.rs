//! The client: configuration with explicit defaults, and the calls users make.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::auth::{Auth, ClientCredentials, DEFAULT_REFRESH_MARGIN, TokenCache};
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::event_type::EventType;
use crate::raw::{self, types};
use crate::retry::RetryPolicy;
use crate::test_event::TestEvent;
use crate::transport::{self, ORUM_VERSION, Transport};
use crate::verify::Verifier;

/// Default time allowed for a whole request, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The `User-Agent` every request sends unless changed.
pub const USER_AGENT: &str = concat!("orum-webhooks/", env!("CARGO_PKG_VERSION"));

/// Which Orum deployment to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// `https://api-sandbox.orum.io`, where test events can be invoked. The default.
    Sandbox,
    /// `https://api.orum.io`.
    Production,
    /// Any other base URL, such as a local sandbox or a mock server.
    Custom(String),
}

impl Environment {
    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Sandbox => "https://api-sandbox.orum.io",
            Environment::Production => "https://api.orum.io",
            Environment::Custom(url) => url,
        }
    }
}

/// Configures a [`Client`]. Start from [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    environment: Environment,
    credentials: Option<Credentials>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    refresh_margin: Duration,
}

#[derive(Debug, Clone)]
enum Credentials {
    Token(SecretString),
    Client(ClientCredentials),
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            environment: Environment::Sandbox,
            credentials: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: USER_AGENT.to_owned(),
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
        }
    }
}

impl ClientBuilder {
    /// A builder configured from the environment:
    ///
    /// | variable | meaning |
    /// | --- | --- |
    /// | `ORUM_CLIENT_ID`, `ORUM_CLIENT_SECRET` | client credentials (both, or neither) |
    /// | `ORUM_ACCESS_TOKEN` | a ready access token, instead of client credentials |
    /// | `ORUM_ENV` | `sandbox` (default) or `production` |
    /// | `ORUM_BASE_URL` | any other base URL, instead of `ORUM_ENV` |
    ///
    /// Empty variables count as unset. A missing or contradictory setting is an
    /// [`Error::Config`] naming the variable to fix.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](ClientBuilder::from_env), reading variables through `lookup`.
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut builder = ClientBuilder::default();
        builder = match (var("ORUM_ENV"), var("ORUM_BASE_URL")) {
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    "ORUM_BASE_URL",
                    "set either ORUM_ENV or ORUM_BASE_URL, not both",
                ));
            }
            (Some(env), None) => match env.trim().to_ascii_lowercase().as_str() {
                "sandbox" => builder.environment(Environment::Sandbox),
                "production" => builder.environment(Environment::Production),
                _ => {
                    return Err(Error::config(
                        "ORUM_ENV",
                        format!("must be `sandbox` or `production`, not `{env}`"),
                    ));
                }
            },
            (None, Some(url)) => builder.base_url(url),
            (None, None) => builder,
        };
        let token = var("ORUM_ACCESS_TOKEN");
        builder = match (var("ORUM_CLIENT_ID"), var("ORUM_CLIENT_SECRET"), token) {
            (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
                return Err(Error::config(
                    "ORUM_ACCESS_TOKEN",
                    "set either ORUM_ACCESS_TOKEN or ORUM_CLIENT_ID and ORUM_CLIENT_SECRET, not both",
                ));
            }
            (Some(id), Some(secret), None) => builder.client_credentials(id, secret),
            (None, None, Some(token)) => builder.access_token(token),
            (Some(_), None, None) => {
                return Err(Error::config(
                    "ORUM_CLIENT_SECRET",
                    "is not set, but ORUM_CLIENT_ID is: set both",
                ));
            }
            (None, Some(_), None) => {
                return Err(Error::config(
                    "ORUM_CLIENT_ID",
                    "is not set, but ORUM_CLIENT_SECRET is: set both",
                ));
            }
            (None, None, None) => {
                return Err(Error::config(
                    "ORUM_CLIENT_ID",
                    "no credentials: set ORUM_CLIENT_ID and ORUM_CLIENT_SECRET, or ORUM_ACCESS_TOKEN",
                ));
            }
        };
        Ok(builder)
    }

    /// Talks to this environment (default: [`Environment::Sandbox`]).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Talks to this base URL, such as `http://127.0.0.1:4010`.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(url.into()))
    }

    /// Authenticates with this bearer access token. It is used as it is: when Orum refuses
    /// it, calls fail with [`Error::Authentication`].
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Token(SecretString::from(token.into())));
        self
    }

    /// Authenticates with OAuth client credentials from Orum Monitor: tokens are fetched from
    /// `POST /oauth/token` on first use, shared, and refreshed before they expire.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::Client(ClientCredentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }));
        self
    }

    /// How long before expiry a token is replaced (default [`DEFAULT_REFRESH_MARGIN`]; at
    /// most half the token's lifetime).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// How failed calls are retried (default [`RetryPolicy::default`]; [`RetryPolicy::none`]
    /// turns retrying off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The clock token expiry is judged by (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Time allowed for a whole request (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to open a connection (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Replaces the `User-Agent` (default [`USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.environment.base_url().trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::config("base_url", format!("`{base_url}` is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::config(
                "base_url",
                "must start with http:// or https://",
            ));
        }
        let auth =
            match self.credentials {
                Some(Credentials::Token(token)) => Auth::token(&token)?,
                Some(Credentials::Client(credentials)) => Auth::Credentials(Arc::new(
                    TokenCache::new(credentials, self.clock, self.refresh_margin),
                )),
                None => {
                    return Err(Error::config(
                        "credentials",
                        "none given: set client credentials or an access token",
                    ));
                }
            };
        let http = reqwest::Client::builder()
            .user_agent(self.user_agent)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(|e| Error::config("http client", e.to_string()))?;
        Ok(Client {
            raw: raw::Client::new_with_client(
                &base_url,
                http,
                Transport {
                    auth,
                    retry: self.retry,
                },
            ),
        })
    }
}

/// A client for Orum's webhooks API.
///
/// Every request carries `Authorization`, `Orum-Version`, `User-Agent` and (with a body)
/// `Content-Type: application/json`.
///
/// ```no_run
/// use orum_webhooks::{Client, TestEvent, raw::types::PersonEventType};
/// # async fn run() -> Result<(), orum_webhooks::Error> {
/// let client = Client::builder().access_token("token").build()?;
/// client.invoke(TestEvent::person(PersonEventType::PersonVerified).first_name("Ada")).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    raw: raw::Client,
}

/// What [`Client::invoke`] sent, once Orum accepted it.
#[derive(Debug, Clone)]
pub struct Invoked {
    /// The event type fired.
    pub event_type: EventType,
    /// The body sent.
    pub body: types::PostInvokeBody,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        progenitor_client::ClientInfo::baseurl(&self.raw)
    }

    /// The generated client, for calls this layer does not wrap. Its requests get the same
    /// headers and token (but no retries); pass [`ORUM_VERSION`](crate::ORUM_VERSION) as
    /// `orum_version`.
    pub fn raw(&self) -> &raw::Client {
        &self.raw
    }

    /// Fires a sandbox test event (`POST /webhooks/invoke`). The event is checked against the
    /// spec first; a bad field is reported by path and nothing is sent.
    pub async fn invoke(&self, event: impl Into<TestEvent>) -> Result<Invoked, Error> {
        let event = event.into();
        let event_type = event.event_type();
        let body = event.into_body()?;
        transport::call(&self.raw, "post_invoke", || {
            self.raw
                .post_invoke()
                .orum_version(ORUM_VERSION)
                .body(body.clone())
                .send()
        })
        .await?;
        Ok(Invoked { event_type, body })
    }

    /// Has Orum create the enterprise's webhook signing key pair (`POST /webhooks/secret`),
    /// and returns it. Needed once, before the first [`webhook_secret`](Client::webhook_secret).
    pub async fn create_webhook_secret(
        &self,
    ) -> Result<types::SecretResponseEnterpriseKeypair, Error> {
        let response = transport::call(&self.raw, "post_webhook_secret", || {
            self.raw
                .post_webhook_secret()
                .orum_version(ORUM_VERSION)
                .send()
        })
        .await?;
        keypair(response.into_inner())
    }

    /// The enterprise's webhook key pair record (`GET /webhooks/secret`), whose `public_key`
    /// verifies deliveries.
    pub async fn webhook_secret(&self) -> Result<types::SecretResponseEnterpriseKeypair, Error> {
        let response = transport::call(&self.raw, "get_webhook_secret", || {
            self.raw
                .get_webhook_secret()
                .orum_version(ORUM_VERSION)
                .send()
        })
        .await?;
        keypair(response.into_inner())
    }

    /// A [`Verifier`] for the enterprise's deliveries, from [`webhook_secret`](Client::webhook_secret).
    pub async fn webhook_verifier(&self) -> Result<Verifier, Error> {
        let keypair = self.webhook_secret().await?;
        Ok(Verifier::from_public_key(keypair.public_key)?)
    }

    /// Registers a URL for webhooks (`POST /webhooks/configurations`).
    pub async fn create_webhook_configuration(
        &self,
        request: types::ConfigurationRequest,
    ) -> Result<types::WebhookConfiguration, Error> {
        let response = transport::call(&self.raw, "post_webhook_configuration", || {
            self.raw
                .post_webhook_configuration()
                .orum_version(ORUM_VERSION)
                .body(request.clone())
                .send()
        })
        .await?;
        Ok(response.into_inner().webhook_configuration)
    }

    /// Every webhook configuration of the enterprise (`GET /webhooks/configurations`).
    pub async fn webhook_configurations(&self) -> Result<Vec<types::WebhookConfiguration>, Error> {
        let response = transport::call(&self.raw, "get_webhook_configurations", || {
            self.raw
                .get_webhook_configurations()
                .orum_version(ORUM_VERSION)
                .send()
        })
        .await?;
        Ok(response.into_inner().webhook_configurations)
    }

    /// Replaces a webhook configuration (`PUT /webhooks/configurations/{id}`).
    pub async fn update_webhook_configuration(
        &self,
        id: uuid::Uuid,
        request: types::ConfigurationRequest,
    ) -> Result<types::WebhookConfiguration, Error> {
        let response = transport::call(&self.raw, "put_webhook_configurations", || {
            self.raw
                .put_webhook_configurations()
                .id(id)
                .orum_version(ORUM_VERSION)
                .body(request.clone())
                .send()
        })
        .await?;
        Ok(response.into_inner().webhook_configuration)
    }

    /// Deletes a webhook configuration (`DELETE /webhooks/configurations/{id}`).
    pub async fn delete_webhook_configuration(&self, id: uuid::Uuid) -> Result<(), Error> {
        transport::call(&self.raw, "delete_webhook_configurations", || {
            self.raw
                .delete_webhook_configurations()
                .id(id)
                .orum_version(ORUM_VERSION)
                .send()
        })
        .await?;
        Ok(())
    }
}

/// The key pair record; the spec leaves `enterprise_keypair` optional.
fn keypair(
    response: types::SecretResponse,
) -> Result<types::SecretResponseEnterpriseKeypair, Error> {
    response.enterprise_keypair.ok_or_else(|| {
        Error::unexpected(
            200,
            b"the response has no enterprise_keypair; create it with POST /webhooks/secret",
        )
    })
}
