//! A webhook listener on 127.0.0.1 (feature `sandbox`): verifies each delivery, answers 401 to
//! bad ones, drops duplicates, and optionally forwards verified deliveries, unchanged, to an
//! app. What it sees comes out of [`Listener::next`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use tokio::sync::mpsc;

use crate::dedup::RecentEventIds;
use crate::error::Error;
use crate::event::WebhookEvent;
use crate::verify::{SIGNATURE_HEADER, Verifier, VerifyError};

/// What the listener did with one delivery.
#[derive(Debug)]
#[non_exhaustive]
pub enum Received {
    /// A verified event, seen for the first time.
    Event {
        /// The event.
        event: Box<WebhookEvent>,
        /// The body exactly as delivered.
        body: Bytes,
        /// The app's answer, when forwarding: its status, or why there was none.
        forwarded: Option<Result<u16, String>>,
    },
    /// A verified event already received (Orum delivers at least once).
    Duplicate {
        /// The event's id.
        event_id: String,
    },
    /// A delivery that failed verification; answered 401.
    Refused(VerifyError),
}

struct Shared {
    verifier: Verifier,
    seen: RecentEventIds,
    forward_to: Option<String>,
    http: reqwest::Client,
    out: mpsc::UnboundedSender<Received>,
}

/// A running listener. Stops when dropped.
#[derive(Debug)]
pub struct Listener {
    served: crate::serve::Served,
    received: mpsc::UnboundedReceiver<Received>,
}

impl Listener {
    /// Listens on `port` of 127.0.0.1 (0 picks a free port) for deliveries signed with the
    /// key of `verifier`. With `forward_to`, verified deliveries are POSTed there with the
    /// same body and `Signature`, and the app's status is what Orum gets back.
    pub async fn start(
        port: u16,
        verifier: Verifier,
        forward_to: Option<String>,
    ) -> Result<Listener, Error> {
        let (out, received) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            verifier,
            seen: RecentEventIds::new(100_000),
            forward_to,
            http: reqwest::Client::new(),
            out,
        });
        let app = axum::Router::new()
            .fallback(axum::routing::post(receive))
            .with_state(shared);
        Ok(Listener {
            served: crate::serve::on_loopback(port, app).await?,
            received,
        })
    }

    /// The URL to register for deliveries.
    pub fn url(&self) -> &str {
        &self.served.url
    }

    /// The next delivery handled.
    pub async fn next(&mut self) -> Option<Received> {
        self.received.recv().await
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let event = match shared.verifier.verify_request(&headers, &body) {
        Ok(event) => event,
        Err(e) => {
            let answer = (StatusCode::UNAUTHORIZED, format!("{e}\n"));
            let _ = shared.out.send(Received::Refused(e));
            return answer;
        }
    };
    // Check without recording: with an app behind, only its 2xx makes the event handled.
    if !shared.seen.contains(&event.event_id) {
        let forwarded = match &shared.forward_to {
            Some(url) => Some(forward(&shared, url, &headers, &body).await),
            None => None,
        };
        let status = match &forwarded {
            None => StatusCode::OK,
            Some(Ok(code)) => StatusCode::from_u16(*code).unwrap_or(StatusCode::BAD_GATEWAY),
            Some(Err(_)) => StatusCode::BAD_GATEWAY,
        };
        if status.is_success() && !shared.seen.first_time(&event.event_id) {
            return duplicate(&shared, event.event_id);
        }
        let _ = shared.out.send(Received::Event {
            event: Box::new(event),
            body,
            forwarded,
        });
        return (status, String::new());
    }
    duplicate(&shared, event.event_id)
}

fn duplicate(shared: &Shared, event_id: String) -> (StatusCode, String) {
    let answer = (StatusCode::OK, format!("duplicate {event_id}\n"));
    let _ = shared.out.send(Received::Duplicate { event_id });
    answer
}

async fn forward(
    shared: &Shared,
    url: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<u16, String> {
    let mut request = shared
        .http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.clone());
    if let Some(signature) = headers.get(SIGNATURE_HEADER) {
        request = request.header(SIGNATURE_HEADER, signature.clone());
    }
    request
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| crate::error::chain(&e))
}
