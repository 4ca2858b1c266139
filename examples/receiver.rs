//! A webhook receiver: verifies each delivery, refuses bad ones with 401, handles each event
//! once, answers fast and prints what it received.
//!
//! ```text
//! cargo run --example receiver -- --public-key orum-public-key.pem [--port 8080]
//! ```
//!
//! Without `--public-key` it fetches the key from Orum (`GET /webhooks/secret`) with the
//! credentials in the environment (`ORUM_CLIENT_ID`/`ORUM_CLIENT_SECRET` or
//! `ORUM_ACCESS_TOKEN`). It listens on 127.0.0.1 and prints `listening on http://...` when ready.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use orum_webhooks::{Client, RecentEventIds, Verifier, WebhookEvent};
use tokio::sync::mpsc;

struct Receiver {
    verifier: Verifier,
    seen: RecentEventIds,
    events: mpsc::UnboundedSender<WebhookEvent>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = 8080u16;
    let mut key_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--port", Some(p)) => port = p.parse().map_err(|e| format!("--port {p}: {e}"))?,
            ("--public-key", Some(f)) => key_file = Some(f),
            _ => {
                return Err(format!(
                    "usage: receiver [--public-key FILE] [--port PORT] (bad argument `{arg}`)"
                )
                .into());
            }
        }
    }
    let verifier = match key_file {
        Some(file) => {
            let key = std::fs::read(&file).map_err(|e| format!("--public-key {file}: {e}"))?;
            Verifier::from_public_key(key).map_err(|e| format!("--public-key {file}: {e}"))?
        }
        None => Client::from_env()?.webhook_verifier().await?,
    };

    // Answer Orum at once; handle events on another task (Orum wants a 2xx within 30 s).
    let (events, mut queue) = mpsc::unbounded_channel::<WebhookEvent>();
    tokio::spawn(async move {
        while let Some(event) = queue.recv().await {
            println!("{} {event}", event.created_at.to_rfc3339());
        }
    });
    let state = Arc::new(Receiver {
        verifier,
        seen: RecentEventIds::new(100_000),
        events,
    });
    let app = axum::Router::new()
        .route("/", post(receive))
        .route("/webhooks", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await?;
    Ok(())
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    match receiver.verifier.verify_request(&headers, &body) {
        Err(e) => {
            eprintln!("refused a delivery: {e}");
            (StatusCode::UNAUTHORIZED, format!("{e}\n"))
        }
        Ok(event) if !receiver.seen.first_time(&event.event_id) => {
            (StatusCode::OK, format!("duplicate {}\n", event.event_id))
        }
        Ok(event) => {
            let id = event.event_id.clone();
            let _ = receiver.events.send(event);
            (StatusCode::OK, format!("received {id}\n"))
        }
    }
}
