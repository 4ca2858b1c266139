//! Whole-process figures for BENCHMARKS.md (feature `sandbox`): token requests under
//! concurrency, and the local sandbox under load with a verifying receiver.
//!
//! ```text
//! cargo run --release --features sandbox --example load
//! ```
//!
//! Everything runs on 127.0.0.1, bounded in count; it prints a Markdown table.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use orum_webhooks::raw::types::{
    ConfigurationRequest, EventType as Subscription, EventTypes, PersonEventType,
};
use orum_webhooks::sandbox::{DeliveryPolicy, SandboxEvent};
use orum_webhooks::{
    Client, EventData, ManualClock, RetryPolicy, Sandbox, SandboxConfig, TestEvent, Verifier,
};

const INVOKES: usize = 2000;
const CONCURRENCY: usize = 50;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("| figure | result |");
    println!("| --- | --- |");
    token_requests().await?;
    for fail_every in [None, Some(10)] {
        sandbox_load(fail_every).await?;
    }
    Ok(())
}

/// Counts `POST /oauth/token` requests the sandbox answers.
fn count_token_requests(sandbox: &Sandbox) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    let mut log = sandbox.log();
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok(event) = log.recv().await {
            if let SandboxEvent::Request { path, .. } = event
                && path == "/oauth/token"
            {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    count
}

async fn invoke_all(
    client: &Client,
    n: usize,
    concurrency: usize,
    event: impl Fn(usize) -> TestEvent + Send + Sync + 'static,
) -> Vec<Duration> {
    let event = Arc::new(event);
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, next, event) = (client.clone(), next.clone(), event.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    return latencies;
                }
                let started = Instant::now();
                client.invoke(event(i)).await.expect("invoke");
                latencies.push(started.elapsed());
            }
        });
    }
    workers.join_all().await.into_iter().flatten().collect()
}

async fn token_requests() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let tokens = count_token_requests(&sandbox);
    let clock = ManualClock::new(chrono::Utc::now());
    let client = sandbox
        .client()
        .clock(clock.clone())
        .retry(RetryPolicy::none())
        .build()?;
    let person = |_| TestEvent::person(PersonEventType::PersonVerified);
    invoke_all(&client, 1000, 100, person).await;
    tokio::time::sleep(Duration::from_millis(100)).await; // let the log catch up
    let cold = tokens.load(Ordering::SeqCst);
    clock.advance(Duration::from_secs(3600)); // past expiry
    invoke_all(&client, 1000, 100, person).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let expired = tokens.load(Ordering::SeqCst);
    println!("| token requests for 1,000 invokes at concurrency 100, cold cache | {cold} |");
    println!("| token requests after a forced expiry and 1,000 more | {expired} (in all) |");
    Ok(())
}

/// A receiver that verifies every delivery, records it by its `metadata.seq`, and answers 500
/// to every `fail_every`-th request.
struct Receiver {
    verifier: Verifier,
    requests: AtomicUsize,
    fail_every: Option<usize>,
    /// seq -> (first verified receipt, receipts)
    seen: Mutex<HashMap<u64, (Instant, usize)>>,
    refused: AtomicUsize,
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = r.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let Ok(event) = r.verifier.verify_request(&headers, &body) else {
        r.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    };
    if r.fail_every.is_some_and(|k| n % k == 0) {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let EventData::Person(person) = &event.data else {
        return StatusCode::BAD_REQUEST;
    };
    let seq = person
        .metadata
        .get("seq")
        .and_then(|v| v.as_u64())
        .unwrap_or(u64::MAX);
    let mut seen = r.seen.lock().unwrap();
    seen.entry(seq).or_insert((Instant::now(), 0)).1 += 1;
    StatusCode::OK
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize)
        .saturating_sub(1)
        .min(sorted.len() - 1)]
}

async fn sandbox_load(fail_every: Option<usize>) -> Result<(), Box<dyn std::error::Error>> {
    let policy = DeliveryPolicy::default()
        .initial_backoff(Duration::from_millis(50))
        .max_backoff(Duration::from_millis(400))
        .max_attempts(8);
    let sandbox = Sandbox::start_with(SandboxConfig::default().delivery(policy)).await?;
    let receiver = Arc::new(Receiver {
        verifier: Verifier::from_public_key(sandbox.public_key_pem())?,
        requests: AtomicUsize::new(0),
        fail_every,
        seen: Mutex::default(),
        refused: AtomicUsize::new(0),
    });
    let app = axum::Router::new()
        .fallback(axum::routing::post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = sandbox.client().build()?;
    client
        .create_webhook_configuration(ConfigurationRequest {
            enabled: true,
            event_types: EventTypes(vec![Subscription::PersonAll]),
            url,
        })
        .await?;

    let started: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let marks = started.clone();
    let begin = Instant::now();
    let mut latencies = invoke_all(&client, INVOKES, CONCURRENCY, move |i| {
        marks.lock().unwrap().insert(i as u64, Instant::now());
        TestEvent::person(PersonEventType::PersonVerified).metadata("seq", i)
    })
    .await;
    let invoking = begin.elapsed();
    let all_done = |log: &[orum_webhooks::sandbox::Delivery]| {
        log.len() == INVOKES
            && log
                .iter()
                .all(|d| d.state != orum_webhooks::sandbox::DeliveryState::Pending)
    };
    let log = match sandbox.wait_for(Duration::from_secs(120), all_done).await {
        Ok(log) | Err(log) => log,
    };
    let seen = receiver.seen.lock().unwrap();
    let started = started.lock().unwrap();
    let mut delivery: Vec<Duration> = seen
        .iter()
        .map(|(seq, (at, _))| *at - started[seq])
        .collect();
    latencies.sort();
    delivery.sort();
    let duplicates = seen.values().filter(|(_, n)| *n > 1).count();
    let lost = (0..INVOKES as u64)
        .filter(|s| !seen.contains_key(s))
        .count();
    let attempts: usize = log.iter().map(|d| d.attempts.len()).sum();
    let label = match fail_every {
        None => "receiver always 200".to_owned(),
        Some(k) => format!("receiver answers 500 to every {k}th request"),
    };
    println!(
        "| sandbox, {INVOKES} invokes at concurrency {CONCURRENCY}, {label}: invokes/s | {:.0} |",
        INVOKES as f64 / invoking.as_secs_f64()
    );
    println!(
        "| ... invoke latency p50 / p99 | {:.2} ms / {:.2} ms |",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99))
    );
    println!(
        "| ... delivery latency (invoke start to verified receipt) p50 / p99 | {:.2} ms / {:.2} ms |",
        ms(percentile(&delivery, 0.5)),
        ms(percentile(&delivery, 0.99))
    );
    println!(
        "| ... events delivered and verified / lost / duplicated / refused signatures | {} / {lost} / {duplicates} / {} |",
        seen.len(),
        receiver.refused.load(Ordering::SeqCst)
    );
    println!("| ... delivery attempts in all | {attempts} |");
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
