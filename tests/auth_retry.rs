//! Authentication, token caching, retries and timeouts against a local stand-in for Orum.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{MockOrum, Recorded, Reply};
use orum_webhooks::raw::types::PersonEventType;
use orum_webhooks::{Client, ClientBuilder, Error, ManualClock, RetryPolicy, TestEvent};
use serde_json::json;

const CLIENT_ID: &str = "client-id-7c1d";
const CLIENT_SECRET: &str = "client-secret-very-private-91e2";

fn event() -> TestEvent {
    TestEvent::person(PersonEventType::PersonVerified)
}

fn token_reply(n: usize, expires_in: u64) -> Reply {
    Reply::json(
        200,
        json!({"access_token": format!("tok-{n}"), "token_type": "Bearer", "expires_in": expires_in}),
    )
}

/// Tokens `tok-1`, `tok-2`, ... valid for an hour; invoke accepts only `accepted` tokens.
async fn orum(accepted: fn(&str) -> bool) -> MockOrum {
    MockOrum::start(move |r: &Recorded, before| match r.path.as_str() {
        "/oauth/token" => token_reply(before + 1, 3600).after(Duration::from_millis(50)),
        "/webhooks/invoke" if accepted(r.header("authorization").unwrap_or("")) => {
            Reply::status(201)
        }
        "/webhooks/invoke" => Reply::orum_error(401, "unauthorized", "Unauthorized"),
        _ => Reply::status(404),
    })
    .await
}

fn credentials_client(server: &MockOrum) -> ClientBuilder {
    Client::builder()
        .base_url(&server.url)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
}

/// A client with a static token pointed at `server`, with the default retry policy.
fn token_client(server: &MockOrum) -> ClientBuilder {
    Client::builder().base_url(&server.url).access_token("t")
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(40))
}

async fn invoke_concurrently(client: &Client, n: usize) -> Vec<Result<(), Error>> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let client = client.clone();
        set.spawn(async move { client.invoke(event()).await.map(|_| ()) });
    }
    set.join_all().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_request_for_100_concurrent_invokes() {
    let server = orum(|auth| auth == "Bearer tok-1").await;
    let client = credentials_client(&server).build().unwrap();
    let results = invoke_concurrently(&client, 100).await;
    assert!(
        results.iter().all(Result::is_ok),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(server.count("/oauth/token"), 1);
    assert_eq!(server.count("/webhooks/invoke"), 100);

    let token_request = &server.requests()[0];
    assert_eq!(token_request.method, "POST");
    assert_eq!(
        token_request.header("authorization"),
        None,
        "the token request carries no token"
    );
    let body: serde_json::Value = serde_json::from_slice(&token_request.body).unwrap();
    assert_eq!(
        body,
        json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    );
}

#[tokio::test]
async fn expiry_triggers_exactly_one_refresh() {
    let server = orum(|auth| auth.starts_with("Bearer tok-")).await;
    let clock = ManualClock::new("2024-05-14T12:00:00Z".parse().unwrap());
    let client = credentials_client(&server)
        .clock(clock.clone())
        .build()
        .unwrap();

    client.invoke(event()).await.unwrap();
    clock.advance(Duration::from_secs(3500)); // 100 s left: more than the 60 s margin
    client.invoke(event()).await.unwrap();
    assert_eq!(server.count("/oauth/token"), 1);

    clock.advance(Duration::from_secs(45)); // 55 s left: inside the margin
    let results = invoke_concurrently(&client, 20).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.count("/oauth/token"), 2);
    let last = server.requests().into_iter().last().unwrap();
    assert_eq!(last.header("authorization"), Some("Bearer tok-2"));
}

#[tokio::test]
async fn a_401_drops_the_token_and_retries_once() {
    let server = orum(|auth| auth == "Bearer tok-2").await;
    let client = credentials_client(&server).build().unwrap();
    client.invoke(event()).await.unwrap();
    assert_eq!(server.count("/oauth/token"), 2);
    assert_eq!(server.count("/webhooks/invoke"), 2);
}

#[tokio::test]
async fn a_second_401_is_an_authentication_error() {
    let server = orum(|_| false).await;
    let client = credentials_client(&server).build().unwrap();
    let err = client.invoke(event()).await.unwrap_err();
    let Error::Authentication(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.error_code, "unauthorized");
    assert_eq!(server.count("/oauth/token"), 2);
    assert_eq!(server.count("/webhooks/invoke"), 2);
}

#[tokio::test]
async fn a_static_token_is_not_refreshed() {
    let server = orum(|_| false).await;
    let client = Client::builder()
        .base_url(&server.url)
        .access_token("static")
        .build()
        .unwrap();
    assert!(matches!(
        client.invoke(event()).await,
        Err(Error::Authentication(_))
    ));
    assert_eq!(server.count("/oauth/token"), 0);
    assert_eq!(server.count("/webhooks/invoke"), 1);
}

#[tokio::test]
async fn bad_credentials_are_an_authentication_error() {
    let server = MockOrum::always(Reply::orum_error(
        400,
        "invalid_client_secret",
        "client_secret is invalid",
    ))
    .await;
    let client = credentials_client(&server).build().unwrap();
    let err = client.invoke(event()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Authentication(e) if e.error_code == "invalid_client_secret"),
        "{err:?}"
    );
    assert_eq!(server.count("/webhooks/invoke"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_token_fetch_reaches_every_waiter_and_the_next_call_tries_again() {
    let server = MockOrum::start(|r: &Recorded, before| match (r.path.as_str(), before) {
        ("/oauth/token", 0) => Reply::orum_error(500, "internal_server_error", "boom")
            .after(Duration::from_millis(200)),
        ("/oauth/token", n) => token_reply(n + 1, 3600),
        _ => Reply::status(201),
    })
    .await;
    let client = credentials_client(&server)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let results = invoke_concurrently(&client, 20).await;
    for r in &results {
        assert!(matches!(r, Err(Error::Api(e)) if e.status == 500), "{r:?}");
    }
    assert_eq!(server.count("/oauth/token"), 1);
    assert_eq!(server.count("/webhooks/invoke"), 0);

    client.invoke(event()).await.unwrap();
    assert_eq!(server.count("/oauth/token"), 2);
}

/// Answers the first invoke with `first` (a 429), the next with 201; how long `invoke` took.
async fn invoke_after(first: Reply) -> Duration {
    let server = MockOrum::start(move |_, before| match before {
        0 => first.clone(),
        _ => Reply::status(201),
    })
    .await;
    let client = token_client(&server).build().unwrap();
    let started = Instant::now();
    client.invoke(event()).await.unwrap();
    assert_eq!(server.count("/webhooks/invoke"), 2);
    started.elapsed()
}

#[tokio::test]
async fn waits_for_retry_after_then_succeeds() {
    let first =
        Reply::orum_error(429, "too_many_requests", "Too Many Requests").header("retry-after", "1");
    let waited = invoke_after(first).await;
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
}

#[tokio::test]
async fn retry_after_as_an_http_date() {
    let at = chrono::Utc::now() + chrono::TimeDelta::seconds(2);
    let first = Reply::status(429).header(
        "retry-after",
        at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
    );
    // The date has one-second resolution, so the wait is between 1 and 2 seconds.
    let waited = invoke_after(first).await;
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
}

#[tokio::test]
async fn unavailable_forever_stops_after_the_configured_attempts() {
    let server = MockOrum::always(Reply::orum_error(503, "service_unavailable", "down")).await;
    let client = token_client(&server)
        .retry(fast_retries().max_attempts(3))
        .build()
        .unwrap();
    let err = client.invoke(event()).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.count("/webhooks/invoke"), 3);
}

#[tokio::test]
async fn gateway_errors_and_connection_failures_are_retried_then_succeed() {
    let server = MockOrum::start(|_, before| match before {
        0 => Reply::status(502).body("bad gateway"),
        1 => Reply::status(504),
        _ => Reply::status(201),
    })
    .await;
    let client = token_client(&server).retry(fast_retries()).build().unwrap();
    client.invoke(event()).await.unwrap();
    assert_eq!(server.count("/webhooks/invoke"), 3);
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for status in [400, 403, 404, 422] {
        let server = MockOrum::always(Reply::orum_error(status, "nope", "refused")).await;
        let client = token_client(&server).retry(fast_retries()).build().unwrap();
        let err = client.invoke(event()).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert!(!err.is_retryable());
        assert_eq!(server.count("/webhooks/invoke"), 1, "{status}");
    }
}

#[tokio::test]
async fn retrying_can_be_turned_off() {
    let server = MockOrum::always(Reply::status(503)).await;
    let client = token_client(&server)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(client.invoke(event()).await.is_err());
    assert_eq!(server.count("/webhooks/invoke"), 1);
}

#[tokio::test]
async fn total_retry_time_is_bounded() {
    let server = MockOrum::always(Reply::status(429).header("retry-after", "1")).await;
    let client = token_client(&server)
        .retry(
            RetryPolicy::default()
                .max_attempts(10)
                .max_elapsed(Duration::from_millis(1500)),
        )
        .build()
        .unwrap();
    let err = client.invoke(event()).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert_eq!(
        server.count("/webhooks/invoke"),
        2,
        "a third attempt would start after 2 s"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = MockOrum::always(Reply::status(201).after(Duration::from_secs(30))).await;
    let client = token_client(&server)
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.invoke(event()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(err.to_string().starts_with("timed out"), "{err}");
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    assert_eq!(
        server.count("/webhooks/invoke"),
        1,
        "a timed-out invoke may have fired; not retried"
    );
}

#[tokio::test]
async fn a_closed_port_is_retried_then_reported() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .access_token("t")
        .retry(fast_retries().max_attempts(2))
        .build()
        .unwrap();
    let err = client.invoke(event()).await.unwrap_err();
    assert!(
        matches!(err, Error::Connection(_)) && err.is_retryable(),
        "{err:?}"
    );
}

/// Collects everything a tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_appear_in_debug_errors_or_traces() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // tok-1 is refused, tok-2 accepted: a refresh, a 401 and a success all get traced.
    let server = orum(|auth| auth == "Bearer tok-2").await;
    let builder = credentials_client(&server);
    let client = builder.clone().build().unwrap();
    client.invoke(event()).await.unwrap();
    let failing = orum(|_| false).await;
    let errors = vec![
        credentials_client(&failing)
            .build()
            .unwrap()
            .invoke(event())
            .await
            .unwrap_err(),
        Client::builder()
            .base_url(&failing.url)
            .access_token("tok-1")
            .build()
            .unwrap()
            .invoke(event())
            .await
            .unwrap_err(),
    ];

    let mut seen = format!("{client:?}\n{builder:?}\n");
    for e in &errors {
        seen.push_str(&format!("{e:?}\n{e}\n"));
    }
    let traces = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        traces.contains("orum_request"),
        "tracing saw the requests: {traces}"
    );
    assert!(traces.contains("operation=\"post_invoke\""), "{traces}");
    assert!(traces.contains("status=401"), "{traces}");
    assert!(seen.contains("REDACTED"), "{seen}");
    seen.push_str(&traces);
    for secret in [CLIENT_SECRET, "tok-1", "tok-2"] {
        assert!(!seen.contains(secret), "{secret} leaked:\n{seen}");
    }
}

#[test]
fn configuration_from_the_environment() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        ClientBuilder::from_env_with(move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    };
    let setting = |r: Result<ClientBuilder, Error>| match r {
        Err(Error::Config { setting, message }) => format!("{setting}: {message}"),
        other => panic!("{other:?}"),
    };
    assert!(setting(env(&[])).starts_with("ORUM_CLIENT_ID: no credentials"));
    assert!(
        setting(env(&[("ORUM_CLIENT_ID", "id")])).starts_with("ORUM_CLIENT_SECRET: is not set")
    );
    assert!(setting(env(&[("ORUM_CLIENT_SECRET", "s")])).starts_with("ORUM_CLIENT_ID: is not set"));
    assert!(
        setting(env(&[
            ("ORUM_CLIENT_ID", "id"),
            ("ORUM_CLIENT_SECRET", "s"),
            ("ORUM_ACCESS_TOKEN", "t")
        ]))
        .contains("not both")
    );
    assert!(
        setting(env(&[("ORUM_ACCESS_TOKEN", "t"), ("ORUM_ENV", "staging")]))
            .starts_with("ORUM_ENV: must be")
    );
    assert!(
        setting(env(&[
            ("ORUM_ACCESS_TOKEN", "t"),
            ("ORUM_ENV", "sandbox"),
            ("ORUM_BASE_URL", "http://x")
        ]))
        .contains("not both")
    );

    let client = |r: Result<ClientBuilder, Error>| r.unwrap().build().unwrap();
    assert_eq!(
        client(env(&[("ORUM_ACCESS_TOKEN", "t")])).base_url(),
        "https://api-sandbox.orum.io"
    );
    let prod = client(env(&[
        ("ORUM_CLIENT_ID", "id"),
        ("ORUM_CLIENT_SECRET", "s"),
        ("ORUM_ENV", "production"),
    ]));
    assert_eq!(prod.base_url(), "https://api.orum.io");
    let local = client(env(&[
        ("ORUM_ACCESS_TOKEN", "t"),
        ("ORUM_BASE_URL", "http://127.0.0.1:9"),
        ("ORUM_ENV", ""),
    ]));
    assert_eq!(local.base_url(), "http://127.0.0.1:9");
}

#[tokio::test]
async fn tokens_a_header_cannot_carry_are_refused_not_left_out() {
    // Given directly: refused when the client is built, naming the setting, not the token.
    let err = Client::builder()
        .access_token("tok\nsecret-part")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config { setting, .. } if setting == "access_token"),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("secret-part"), "{err}");

    // Fetched: the call fails before anything is sent without an Authorization header.
    let server = MockOrum::start(|r: &Recorded, _| match r.path.as_str() {
        "/oauth/token" => Reply::json(
            200,
            json!({"access_token": "tok\u{7f}secret-part", "token_type": "Bearer", "expires_in": 3600}),
        ),
        _ => Reply::status(201),
    })
    .await;
    let client = credentials_client(&server).build().unwrap();
    let err = client.invoke(event()).await.unwrap_err();
    assert!(
        err.to_string().contains("access_token holds characters"),
        "{err}"
    );
    assert!(!format!("{err} {err:?}").contains("secret-part"), "{err}");
    assert_eq!(server.count("/webhooks/invoke"), 0);
}
