//! `invoke` against a real HTTP server on 127.0.0.1 standing in for Orum.

mod common;

use common::{MockOrum, Reply, TOKEN};
use orum_webhooks::raw::types::PersonEventType;
use orum_webhooks::{ApiError, Client, Error, EventType, TestEvent};

fn event() -> TestEvent {
    TestEvent::person(PersonEventType::PersonVerified)
        .seed(9)
        .at(common::fixed_now())
}

#[tokio::test]
async fn sends_the_documented_request() {
    let server = MockOrum::always(Reply::status(201)).await;
    let invoked = common::client(&server).invoke(event()).await.unwrap();
    assert_eq!(
        invoked.event_type,
        EventType::Person(PersonEventType::PersonVerified)
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/webhooks/invoke");
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(r.header("orum-version"), Some("v2022-09-21"));
    assert_eq!(
        r.header("user-agent"),
        Some(concat!("orum-webhooks/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("accept"), Some("application/json"));
    // progenitor adds the spec's info.version; we keep it equal to Orum-Version.
    assert_eq!(r.header("api-version"), Some("v2022-09-21"));
    assert_eq!(r.body, event().to_json().unwrap().as_bytes());
}

#[tokio::test]
async fn custom_user_agent_and_trailing_slash_in_base_url() {
    let server = MockOrum::always(Reply::status(201)).await;
    let client = Client::builder()
        .base_url(format!("{}/", server.url))
        .access_token(TOKEN)
        .user_agent("acme-payments/2.1")
        .build()
        .unwrap();
    client.invoke(event()).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.path, "/webhooks/invoke");
    assert_eq!(r.header("user-agent"), Some("acme-payments/2.1"));
}

#[tokio::test]
async fn invalid_event_is_never_sent() {
    let server = MockOrum::always(Reply::status(201)).await;
    let err = common::client(&server)
        .invoke(event().set("data.addresses[0].zip5", "1234"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidRequest(ref f) if f.path == "data.addresses[0].zip5"),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
}

async fn invoke_against(reply: Reply) -> Error {
    let server = MockOrum::always(reply).await;
    common::client(&server).invoke(event()).await.unwrap_err()
}

#[tokio::test]
async fn unauthorized_is_an_authentication_error_with_orums_envelope() {
    let err = invoke_against(Reply::orum_error(401, "unauthorized", "Unauthorized")).await;
    let Error::Authentication(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        e,
        &ApiError {
            status: 401,
            error_code: "unauthorized".into(),
            message: "Unauthorized".into(),
            details: None
        }
    );
    assert_eq!(
        err.to_string(),
        "authentication failed: Orum returned HTTP 401 unauthorized: Unauthorized"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn bad_request_keeps_code_message_and_details() {
    let body = serde_json::json!({
        "error_code": "version_invalid",
        "message": "Orum-Version is invalid",
        "details": {"header": "Orum-Version"}
    });
    let err = invoke_against(Reply::json(400, body)).await;
    let Error::Api(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((e.status, e.error_code.as_str()), (400, "version_invalid"));
    assert_eq!(e.details.as_ref().unwrap()["header"], "Orum-Version");
    assert_eq!(err.status(), Some(400));
    assert!(!err.is_retryable());
    assert!(
        err.to_string()
            .contains(r#"details: {"header":"Orum-Version"}"#),
        "{err}"
    );
}

#[tokio::test]
async fn rate_limited_carries_retry_after() {
    let reply =
        Reply::orum_error(429, "too_many_requests", "Too Many Requests").header("retry-after", "7");
    let err = invoke_against(reply).await;
    let Error::RateLimited { retry_after, error } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*retry_after, Some(std::time::Duration::from_secs(7)));
    assert_eq!(error.as_ref().unwrap().error_code, "too_many_requests");
    assert!(err.is_retryable());
    assert_eq!(
        err.to_string(),
        "rate limited by Orum (HTTP 429); retry after 7 s"
    );
}

#[tokio::test]
async fn server_error_with_envelope() {
    let err = invoke_against(Reply::orum_error(500, "internal_server_error", "boom")).await;
    let Error::Api(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((e.status, e.message.as_str()), (500, "boom"));
    assert!(!err.is_retryable());
    let err = invoke_against(Reply::orum_error(503, "service_unavailable", "later")).await;
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn non_json_bodies_keep_status_and_text() {
    let err = invoke_against(Reply::status(502).body("<html>Bad gateway</html>")).await;
    let Error::UnexpectedResponse { status, body } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*status, body.as_str()), (502, "<html>Bad gateway</html>"));
    assert!(err.is_retryable());

    // 401 is documented with a JSON body; a text one must still name the status.
    let err = invoke_against(Reply::status(401).body("token expired")).await;
    assert!(
        matches!(&err, Error::UnexpectedResponse { status: 401, body } if body == "token expired"),
        "{err:?}"
    );

    let err = invoke_against(Reply::status(500)).await;
    assert_eq!(
        err.to_string(),
        "unexpected response from Orum: HTTP 500: (empty body)"
    );

    let long = "x".repeat(5000);
    let err = invoke_against(Reply::status(500).body(long)).await;
    let Error::UnexpectedResponse { body, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(body.len(), 515, "a 512-character excerpt and an ellipsis");
}

#[tokio::test]
async fn undocumented_success_status_is_unexpected() {
    let err = invoke_against(Reply::status(200).body("{}")).await;
    assert!(
        matches!(err, Error::UnexpectedResponse { status: 200, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn closed_port_is_a_connection_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .access_token(TOKEN)
        .retry(orum_webhooks::RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.invoke(event()).await.unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
    assert!(err.is_retryable());
}

#[test]
fn configuration_errors_name_the_setting() {
    let err = Client::builder().build().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration error: credentials:"),
        "{err}"
    );
    let err = Client::builder()
        .base_url("not a url")
        .access_token("t")
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration error: base_url:"),
        "{err}"
    );
    let err = Client::builder()
        .base_url("ftp://example.com")
        .access_token("t")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("http:// or https://"), "{err}");
}

#[test]
fn defaults_to_the_sandbox_and_never_prints_the_token() {
    let client = Client::builder().access_token(TOKEN).build().unwrap();
    assert_eq!(client.base_url(), "https://api-sandbox.orum.io");
    let debug = format!("{client:?} {:?}", Client::builder().access_token(TOKEN));
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("REDACTED"), "{debug}");
    let prod = Client::builder()
        .environment(orum_webhooks::Environment::Production)
        .access_token(TOKEN)
        .build()
        .unwrap();
    assert_eq!(prod.base_url(), "https://api.orum.io");
}
