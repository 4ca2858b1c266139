//! A local stand-in for Orum's sandbox (feature `sandbox`): the OAuth, invoke, webhook key and
//! configuration endpoints on 127.0.0.1, with signed delivery of invoked events to the
//! registered URLs, retries, and a delivery log.
//!
//! ```no_run
//! # async fn run() -> Result<(), orum_webhooks::Error> {
//! use orum_webhooks::{Sandbox, TestEvent, raw::types::PersonEventType};
//! let sandbox = Sandbox::start().await?;
//! let client = sandbox.client().build()?;
//! client.invoke(TestEvent::person(PersonEventType::PersonVerified)).await?;
//! # Ok(()) }
//! ```

mod delivery;
mod routes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, broadcast};

use crate::client::ClientBuilder;
use crate::error::Error;
use crate::raw::types;
use crate::signing::SigningKey;

pub use delivery::{Delivery, DeliveryAttempt, DeliveryPolicy, DeliveryState};

/// How a [`Sandbox`] is set up. Defaults: a free port, random credentials, one-hour tokens,
/// [`DeliveryPolicy::default`].
#[derive(Debug)]
pub struct SandboxConfig {
    port: u16,
    client_id: Option<String>,
    client_secret: Option<String>,
    token_ttl: Duration,
    delivery: DeliveryPolicy,
    key: Option<SigningKey>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            client_id: None,
            client_secret: None,
            token_ttl: Duration::from_secs(3600),
            delivery: DeliveryPolicy::default(),
            key: None,
        }
    }
}

impl SandboxConfig {
    /// Listens on this port of 127.0.0.1 (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accepts these client credentials (default: random ones, see [`Sandbox::client_id`]).
    pub fn credentials(mut self, client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(secret.into());
        self
    }

    /// How long issued access tokens are accepted (default one hour, like Orum's).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// How deliveries are retried.
    pub fn delivery(mut self, policy: DeliveryPolicy) -> Self {
        self.delivery = policy;
        self
    }

    /// Signs deliveries with this key (default: a new RSA-2048 key).
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.key = Some(key);
        self
    }
}

/// Something the sandbox did, for a live log (see [`Sandbox::log`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SandboxEvent {
    /// An API request was answered.
    Request {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// Status answered.
        status: u16,
    },
    /// One delivery attempt finished.
    Delivery {
        /// The event delivered.
        event_id: String,
        /// Its type.
        event_type: String,
        /// Where it went.
        url: String,
        /// 1 for the first attempt.
        attempt: u32,
        /// The receiver's status, or why there was none.
        outcome: Result<u16, String>,
    },
}

pub(crate) struct State {
    client_id: String,
    client_secret: String,
    token_ttl: Duration,
    tokens: Mutex<HashMap<String, Instant>>,
    key: SigningKey,
    public_key_pem: String,
    configurations: Mutex<Vec<types::WebhookConfiguration>>,
    deliveries: Mutex<Vec<Delivery>>,
    policy: DeliveryPolicy,
    http: reqwest::Client,
    changed: Notify,
    log: broadcast::Sender<SandboxEvent>,
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
}

impl State {
    fn emit(&self, event: SandboxEvent) {
        // No subscriber is fine: the log is optional.
        let _ = self.log.send(event);
    }
}

/// A running local sandbox. Stops when dropped.
pub struct Sandbox {
    served: crate::serve::Served,
    state: Arc<State>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.served.url)
            .field("client_id", &self.state.client_id)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox with the default configuration.
    pub async fn start() -> Result<Sandbox, Error> {
        Self::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox on 127.0.0.1.
    pub async fn start_with(config: SandboxConfig) -> Result<Sandbox, Error> {
        let key = match config.key {
            Some(key) => key,
            None => SigningKey::generate()?,
        };
        let random = || uuid::Uuid::new_v4().simple().to_string();
        let http = reqwest::Client::builder()
            .timeout(config.delivery.attempt_timeout)
            .user_agent(concat!("orum-webhooks-sandbox/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::config("sandbox http client", e.to_string()))?;
        let state = Arc::new(State {
            client_id: config
                .client_id
                .unwrap_or_else(|| format!("sandbox-{}", &random()[..12])),
            client_secret: config.client_secret.unwrap_or_else(random),
            token_ttl: config.token_ttl,
            tokens: Mutex::default(),
            public_key_pem: key.public_key_pem()?,
            key,
            configurations: Mutex::default(),
            deliveries: Mutex::default(),
            policy: config.delivery,
            http,
            changed: Notify::new(),
            log: broadcast::channel(1024).0,
            tasks: Mutex::default(),
        });
        let served = crate::serve::on_loopback(config.port, routes::router(state.clone())).await?;
        Ok(Sandbox { served, state })
    }

    /// Where the sandbox listens, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.served.url
    }

    /// The client id it accepts.
    pub fn client_id(&self) -> &str {
        &self.state.client_id
    }

    /// The client secret it accepts (a local, throw-away secret).
    pub fn client_secret(&self) -> &str {
        &self.state.client_secret
    }

    /// A client builder pointed at this sandbox with its credentials.
    pub fn client(&self) -> ClientBuilder {
        ClientBuilder::default()
            .base_url(&self.served.url)
            .client_credentials(&self.state.client_id, &self.state.client_secret)
    }

    /// The public key (SPKI PEM) that verifies its deliveries, as `GET /webhooks/secret`
    /// returns it.
    pub fn public_key_pem(&self) -> &str {
        &self.state.public_key_pem
    }

    /// Every delivery so far, in the order the events were invoked.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state
            .deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits until `done` holds for the delivery log, or `timeout` passes; returns the log.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&[Delivery]) -> bool,
    ) -> Result<Vec<Delivery>, Vec<Delivery>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.state.changed.notified();
            let log = self.deliveries();
            if done(&log) {
                return Ok(log);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Err(self.deliveries());
            }
        }
    }

    /// A live feed of requests and delivery attempts.
    pub fn log(&self) -> broadcast::Receiver<SandboxEvent> {
        self.state.log.subscribe()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for task in self
            .state
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            task.abort();
        }
    }
}
