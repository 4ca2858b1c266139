//! Signed delivery of invoked events to subscribed configurations, with retries and a log.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{SandboxEvent, State};
use crate::event::WebhookEvent;
use crate::event_type::EventType;
use crate::raw::types;

/// How the sandbox retries a delivery the receiver did not accept (non-2xx or no answer).
///
/// Orum makes up to 15 more attempts over 24 hours. The sandbox keeps the shape (exponential
/// backoff, bounded attempts) on a scale tests can wait for: by default 6 attempts, 1 s
/// doubling up to 30 s, 10 s per attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) attempt_timeout: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            max_attempts: 6,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

impl DeliveryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Wait before the second attempt; it doubles for each attempt after that.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// How long the receiver has to answer one attempt.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    fn backoff(&self, attempt: u32) -> Duration {
        crate::retry::exponential(self.initial_backoff, self.max_backoff, attempt)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not accepted yet; more attempts may follow.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed.
    Failed,
}

/// One attempt to deliver an event.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryAttempt {
    /// When it was made.
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why there was no answer, if there was none.
    pub error: Option<String>,
}

/// One event on its way to one configured URL.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// The event's id.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// The configuration it was delivered for.
    pub configuration_id: String,
    /// The URL it was POSTed to.
    pub url: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Every attempt so far.
    pub attempts: Vec<DeliveryAttempt>,
}

/// Whether a configuration's subscriptions cover `event_type`.
fn subscribed(configuration: &types::WebhookConfiguration, event_type: EventType) -> bool {
    let family_all = format!("{}_all", event_type.family().name());
    configuration.event_types.0.iter().any(|s| {
        let s = s.to_string();
        s == "subscribe_all" || s == family_all || s == event_type.as_str()
    })
}

/// Records a delivery of the webhook for an accepted invoke to every enabled configuration
/// subscribed to its type, then signs and sends it in the background, so the invoke is answered
/// without waiting for the RSA signature.
pub(super) fn deliver(state: &Arc<State>, event_type: EventType, body: types::PostInvokeBody) {
    let event_id = format!("evt_{}", uuid::Uuid::new_v4().simple());
    let event = WebhookEvent::from_invoked(body, event_id, Utc::now());
    let targets: Vec<types::WebhookConfiguration> = state
        .configurations
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|c| c.enabled && subscribed(c, event_type))
        .cloned()
        .collect();
    if targets.is_empty() {
        return;
    }
    let indexes: Vec<usize> = {
        let mut log = state.deliveries.lock().unwrap_or_else(|e| e.into_inner());
        targets
            .into_iter()
            .map(|configuration| {
                log.push(Delivery {
                    event_id: event.event_id.clone(),
                    event_type: event.event_type.clone(),
                    configuration_id: configuration.id,
                    url: configuration.url,
                    state: DeliveryState::Pending,
                    attempts: Vec::new(),
                });
                log.len() - 1
            })
            .collect()
    };
    state.changed.notify_waiters();
    let task_state = state.clone();
    let task = tokio::spawn(async move {
        let signed = match task_state.key.sign_event(&event) {
            Ok(signed) => Arc::new(signed),
            Err(e) => {
                tracing::error!(%e, "cannot sign a delivery");
                return;
            }
        };
        let sends = indexes
            .into_iter()
            .map(|index| attempts(task_state.clone(), index, signed.clone()));
        send_all(sends).await;
    });
    state
        .tasks
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(task.abort_handle());
}

/// Runs the deliveries of one event to its targets side by side.
async fn send_all(sends: impl Iterator<Item = impl Future<Output = ()> + Send + 'static>) {
    let mut set = tokio::task::JoinSet::new();
    for send in sends {
        set.spawn(send);
    }
    set.join_all().await;
}

async fn attempts(state: Arc<State>, index: usize, signed: Arc<(Vec<u8>, String)>) {
    let (body, signature) = &*signed;
    let (url, event_id, event_type) = {
        let log = state.deliveries.lock().unwrap_or_else(|e| e.into_inner());
        let d = &log[index];
        (d.url.clone(), d.event_id.clone(), d.event_type.clone())
    };
    for attempt in 1..=state.policy.max_attempts {
        let outcome = state
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(crate::SIGNATURE_HEADER, signature)
            .body(body.clone())
            .send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|e| crate::error::chain(&e));
        let delivered = matches!(outcome, Ok(200..=299));
        {
            let mut log = state.deliveries.lock().unwrap_or_else(|e| e.into_inner());
            let d = &mut log[index];
            d.attempts.push(DeliveryAttempt {
                at: Utc::now(),
                status: outcome.as_ref().ok().copied(),
                error: outcome.as_ref().err().cloned(),
            });
            d.state = match (delivered, attempt == state.policy.max_attempts) {
                (true, _) => DeliveryState::Delivered,
                (false, true) => DeliveryState::Failed,
                (false, false) => DeliveryState::Pending,
            };
        }
        state.emit(SandboxEvent::Delivery {
            event_id: event_id.clone(),
            event_type: event_type.clone(),
            url: url.clone(),
            attempt,
            outcome,
        });
        state.changed.notify_waiters();
        if delivered {
            return;
        }
        if attempt < state.policy.max_attempts {
            tokio::time::sleep(state.policy.backoff(attempt)).await;
        }
    }
}
