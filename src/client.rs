//! The client: configuration with explicit defaults, and the calls users make.

use std::time::Duration;

use secrecy::SecretString;

use crate::auth::Auth;
use crate::error::Error;
use crate::event_type::EventType;
use crate::raw::{self, types};
use crate::test_event::TestEvent;
use crate::transport::{self, ORUM_VERSION, Transport};

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
    auth: Option<Auth>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            environment: Environment::Sandbox,
            auth: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: USER_AGENT.to_owned(),
        }
    }
}

impl ClientBuilder {
    /// Talks to this environment (default: [`Environment::Sandbox`]).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Talks to this base URL, such as `http://127.0.0.1:4010`.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(url.into()))
    }

    /// Authenticates with this bearer access token.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(Auth::AccessToken(SecretString::from(token.into())));
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
        let auth = self
            .auth
            .ok_or_else(|| Error::config("access_token", "no credentials: set an access token"))?;
        let http = reqwest::Client::builder()
            .user_agent(self.user_agent)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(|e| Error::config("http client", e.to_string()))?;
        Ok(Client {
            raw: raw::Client::new_with_client(&base_url, http, Transport { auth }),
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

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        progenitor_client::ClientInfo::baseurl(&self.raw)
    }

    /// The generated client, for calls this layer does not wrap. Its requests get the same
    /// headers; pass [`ORUM_VERSION`](crate::ORUM_VERSION) as `orum_version`.
    pub fn raw(&self) -> &raw::Client {
        &self.raw
    }

    /// Fires a sandbox test event (`POST /webhooks/invoke`). The event is checked against the
    /// spec first; a bad field is reported by path and nothing is sent.
    pub async fn invoke(&self, event: impl Into<TestEvent>) -> Result<Invoked, Error> {
        let event = event.into();
        let body = event.build()?;
        transport::call(|| {
            self.raw
                .post_invoke()
                .orum_version(ORUM_VERSION)
                .body(body.clone())
                .send()
        })
        .await?;
        Ok(Invoked {
            event_type: event.event_type(),
            body,
        })
    }
}
