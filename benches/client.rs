//! Client overhead: one `invoke` through this crate against a local server, next to a bare
//! reqwest POST of the same bytes and headers to the same server over a kept-alive connection.
//!
//! `cargo bench --bench client`; `scripts/bench.sh` prints the ratio.

use std::hint::black_box;

use axum::http::StatusCode;
use criterion::{Criterion, criterion_group, criterion_main};
use orum_webhooks::raw::types::PersonEventType;
use orum_webhooks::{Client, RetryPolicy, TestEvent, USER_AGENT};

fn client_overhead(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = runtime.block_on(async {
        let app = axum::Router::new().fallback(|| async { StatusCode::CREATED });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        // The server runs on its own thread so both sides are not on one core's event loop.
        std::thread::spawn(move || {
            let server = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            server.block_on(async { axum::serve(listener, app).await.unwrap() });
        });
        url
    });
    let client = Client::builder()
        .base_url(&url)
        .access_token("bench-token")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let event = TestEvent::person(PersonEventType::PersonVerified).seed(1);
    let body = event.to_json().unwrap();
    let built = event.build().unwrap();
    let bare = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .build()
        .unwrap();
    let endpoint = format!("{url}/webhooks/invoke");

    let mut group = c.benchmark_group("invoke");
    group.bench_function("bare reqwest POST (same bytes and headers)", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = bare
                .post(&endpoint)
                .header("authorization", "Bearer bench-token")
                .header("orum-version", "v2022-09-21")
                .header("api-version", "v2022-09-21")
                .header("accept", "application/json")
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
        })
    });
    group.bench_function("generated client call (raw, no retries or checks)", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                client
                    .raw()
                    .post_invoke()
                    .orum_version(orum_webhooks::ORUM_VERSION)
                    .body(built.clone())
                    .send()
                    .await
                    .unwrap(),
            )
        })
    });
    group.bench_function("Client::invoke, body built beforehand", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(client.invoke(built.clone()).await.unwrap()) })
    });
    group.bench_function("Client::invoke, building the TestEvent", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(client.invoke(event.clone()).await.unwrap()) })
    });
    group.finish();
}

criterion_group!(benches, client_overhead);
criterion_main!(benches);
