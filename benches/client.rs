//! Client overhead: one `invoke` through this crate against a local server, next to a bare
//! reqwest POST of the same bytes and headers to the same server over a kept-alive connection.
//!
//! Not criterion: criterion measures one function after another, and on a shared 2-core
//! machine the background load drifts between them by more than the difference measured
//! here. This harness interleaves the ways instead: rounds of a few calls each, the order
//! turned every round, so drift touches every way alike. It prints one JSON line per way
//! with the median and quartiles of single calls.
//!
//! `cargo bench --bench client` (`-- --rounds N` for more); `scripts/bench.sh` prints the
//! ratios.

use std::hint::black_box;
use std::time::{Duration, Instant};

use orum_webhooks::raw::types::PersonEventType;
use orum_webhooks::{Client, ORUM_VERSION, RetryPolicy, TestEvent};

mod support;

const WAYS: [&str; 5] = [
    "bare reqwest POST (same bytes and headers)",
    // How much of the gap is serializing the body, which the generated call does each time.
    "bare reqwest POST serializing the generated struct",
    "generated client call (raw, no retries or checks)",
    "Client::invoke, body built beforehand",
    "Client::invoke, building the TestEvent",
];
const CALLS_PER_ROUND: usize = 50;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(400);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let samples = runtime.block_on(measure(rounds));
    for (way, mut times) in WAYS.iter().zip(samples) {
        times.sort_unstable();
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_nanos();
        println!(
            r#"{{"group":"invoke","way":"{way}","calls":{},"median_ns":{},"p25_ns":{},"p75_ns":{}}}"#,
            times.len(),
            at(0.5),
            at(0.25),
            at(0.75)
        );
    }
}

async fn measure(rounds: usize) -> Vec<Vec<Duration>> {
    let url = support::created_server().await;
    let client = Client::builder()
        .base_url(&url)
        .access_token("bench-token")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let event = TestEvent::person(PersonEventType::PersonVerified).seed(1);
    let body = event.to_json().unwrap();
    let built = event.build().unwrap();
    let bare = support::BarePost::new(&url, "bench-token");
    let call = async |way: usize| match way {
        0 | 1 => {
            let request = match way {
                0 => bare
                    .post()
                    .header("content-type", "application/json")
                    .body(body.clone()),
                _ => bare.post().json(&built),
            };
            assert_eq!(request.send().await.unwrap().status(), 201);
        }
        2 => {
            black_box(
                client
                    .raw()
                    .post_invoke()
                    .orum_version(ORUM_VERSION)
                    .body(built.clone())
                    .send()
                    .await
                    .unwrap(),
            );
        }
        3 => {
            black_box(client.invoke(built.clone()).await.unwrap());
        }
        _ => {
            black_box(client.invoke(event.clone()).await.unwrap());
        }
    };

    // Warm up: connections open, caches and the token filled.
    for way in 0..WAYS.len() {
        for _ in 0..200 {
            call(way).await;
        }
    }
    let mut samples = vec![Vec::with_capacity(rounds * CALLS_PER_ROUND); WAYS.len()];
    for round in 0..rounds {
        for turn in 0..WAYS.len() {
            let way = (round + turn) % WAYS.len();
            for _ in 0..CALLS_PER_ROUND {
                let start = Instant::now();
                call(way).await;
                samples[way].push(start.elapsed());
            }
        }
    }
    samples
}
