//! The whole webhook loop offline: local sandbox, signed deliveries, a local receiver.
#![cfg(feature = "sandbox")]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{MockOrum, Reply};
use orum_webhooks::raw::types::{
    ConfigurationRequest, EventType as Subscription, EventTypes, PersonEventType,
};
use orum_webhooks::sandbox::{DeliveryPolicy, DeliveryState};
use orum_webhooks::{
    Client, Error, EventType, Listener, Received, Sandbox, SandboxConfig, TestEvent, Verifier,
};

fn subscribe(url: &str, to: Vec<Subscription>) -> ConfigurationRequest {
    ConfigurationRequest {
        enabled: true,
        event_types: EventTypes(to),
        url: url.to_owned(),
    }
}

fn fast() -> DeliveryPolicy {
    DeliveryPolicy::default()
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(80))
}

async fn next_event(listener: &mut Listener) -> Received {
    tokio::time::timeout(Duration::from_secs(10), listener.next())
        .await
        .expect("a delivery in time")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_type_is_delivered_once_and_verifies() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().build().unwrap();
    let verifier = client.webhook_verifier().await.unwrap();
    let mut listener = Listener::start(0, verifier, None).await.unwrap();
    client
        .create_webhook_configuration(subscribe(listener.url(), vec![Subscription::SubscribeAll]))
        .await
        .unwrap();

    for event_type in EventType::ALL {
        client.invoke(event_type).await.unwrap();
    }
    let mut seen = BTreeMap::new();
    for _ in 0..22 {
        match next_event(&mut listener).await {
            Received::Event { event, .. } => {
                *seen.entry(event.event_type.clone()).or_insert(0) += 1
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(seen.len(), 22);
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    let log = sandbox
        .wait_for(Duration::from_secs(5), |log| {
            log.iter().all(|d| d.state == DeliveryState::Delivered)
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 22);
    assert!(
        log.iter()
            .all(|d| d.attempts.len() == 1 && d.attempts[0].status == Some(200))
    );
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_event_on_the_third_attempt() {
    let sandbox = Sandbox::start_with(SandboxConfig::default().delivery(fast()))
        .await
        .unwrap();
    let client = sandbox.client().build().unwrap();
    let receiver = MockOrum::start(|_, before| {
        if before < 2 {
            Reply::status(500)
        } else {
            Reply::status(200)
        }
    })
    .await;
    client
        .create_webhook_configuration(subscribe(
            &format!("{}/hook", receiver.url),
            vec![Subscription::PersonAll],
        ))
        .await
        .unwrap();
    client
        .invoke(TestEvent::person(PersonEventType::PersonVerified))
        .await
        .unwrap();

    let log = sandbox
        .wait_for(Duration::from_secs(10), |log| {
            log.first()
                .is_some_and(|d| d.state != DeliveryState::Pending)
        })
        .await
        .unwrap();
    let statuses: Vec<_> = log[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(200)]);
    assert_eq!(log[0].state, DeliveryState::Delivered);
    // Every attempt carried the same body and a valid signature.
    let verifier = Verifier::from_public_key(sandbox.public_key_pem()).unwrap();
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(r.body, requests[0].body);
        verifier
            .verify(r.header("signature").unwrap(), &r.body)
            .unwrap();
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn a_stopped_receiver_gives_logged_failures_and_no_crash() {
    let policy = fast()
        .max_attempts(3)
        .attempt_timeout(Duration::from_secs(2));
    let sandbox = Sandbox::start_with(SandboxConfig::default().delivery(policy))
        .await
        .unwrap();
    let client = sandbox.client().build().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    client
        .create_webhook_configuration(subscribe(
            &format!("http://127.0.0.1:{port}/"),
            vec![Subscription::SubscribeAll],
        ))
        .await
        .unwrap();
    client.invoke(EventType::ALL[18]).await.unwrap();
    let log = sandbox
        .wait_for(Duration::from_secs(10), |log| {
            log.first()
                .is_some_and(|d| d.state == DeliveryState::Failed)
        })
        .await
        .unwrap();
    assert_eq!(log[0].attempts.len(), 3);
    assert!(
        log[0]
            .attempts
            .iter()
            .all(|a| a.status.is_none() && a.error.as_deref().unwrap().contains("refused")),
        "{log:?}"
    );
    // Still serving.
    client.invoke(EventType::ALL[0]).await.unwrap();
    let listed = reqwest::get(format!("{}/sandbox/deliveries", sandbox.base_url()))
        .await
        .unwrap();
    let listed: serde_json::Value = listed.json().await.unwrap();
    assert_eq!(listed["deliveries"][0]["state"], "failed");
}

#[tokio::test]
async fn subscriptions_decide_who_gets_what() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().build().unwrap();
    let people = MockOrum::always(Reply::status(200)).await;
    let transfers = MockOrum::always(Reply::status(204)).await;
    let disabled = MockOrum::always(Reply::status(200)).await;
    client
        .create_webhook_configuration(subscribe(&people.url, vec![Subscription::PersonAll]))
        .await
        .unwrap();
    client
        .create_webhook_configuration(subscribe(
            &transfers.url,
            vec![Subscription::TransferUpdated],
        ))
        .await
        .unwrap();
    client
        .create_webhook_configuration(ConfigurationRequest {
            enabled: false,
            ..subscribe(&disabled.url, vec![Subscription::SubscribeAll])
        })
        .await
        .unwrap();
    client.invoke(EventType::ALL[0]).await.unwrap(); // person_created
    client.invoke(EventType::ALL[18]).await.unwrap(); // transfer_updated
    client.invoke(EventType::ALL[6]).await.unwrap(); // business_created: nobody
    sandbox
        .wait_for(Duration::from_secs(5), |log| {
            log.len() == 2 && log.iter().all(|d| d.state == DeliveryState::Delivered)
        })
        .await
        .unwrap();
    assert_eq!(
        (
            people.requests().len(),
            transfers.requests().len(),
            disabled.requests().len()
        ),
        (1, 1, 0)
    );
    assert_eq!(client.webhook_configurations().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_sandbox_holds_orums_contract() {
    let sandbox = Sandbox::start_with(SandboxConfig::default().token_ttl(Duration::from_secs(1)))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", sandbox.base_url());
    let token: serde_json::Value = http
        .post(url("/oauth/token"))
        .json(&serde_json::json!({"client_id": sandbox.client_id(), "client_secret": sandbox.client_secret()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (token["token_type"].as_str(), token["expires_in"].as_u64()),
        (Some("Bearer"), Some(1))
    );
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let body = TestEvent::new(EventType::ALL[0]).to_value().unwrap();
    let send = |auth: Option<&str>, version: Option<&str>, body: serde_json::Value| {
        let mut r = http.post(url("/webhooks/invoke")).json(&body);
        if let Some(a) = auth {
            r = r.header("authorization", a.to_owned());
        }
        if let Some(v) = version {
            r = r.header("orum-version", v.to_owned());
        }
        async move {
            let response = r.send().await.unwrap();
            let status = response.status().as_u16();
            (
                status,
                response
                    .json::<serde_json::Value>()
                    .await
                    .unwrap_or_default(),
            )
        }
    };
    assert_eq!(
        send(Some(&bearer), Some("v2022-09-21"), body.clone())
            .await
            .0,
        201
    );
    let (status, error) = send(None, Some("v2022-09-21"), body.clone()).await;
    assert_eq!(
        (status, error["error_code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, error) = send(Some(&bearer), None, body.clone()).await;
    assert_eq!(
        (status, error["error_code"].as_str()),
        (400, Some("version_missing"))
    );
    let (status, error) = send(Some(&bearer), Some("v2021-10-01"), body.clone()).await;
    assert_eq!(
        (status, error["error_code"].as_str()),
        (400, Some("version_invalid"))
    );
    let mut bad = body.clone();
    bad["data"]["addresses"][0]["zip5"] = "1234".into();
    let (status, error) = send(Some(&bearer), Some("v2022-09-21"), bad).await;
    assert_eq!(
        (status, error["error_code"].as_str()),
        (400, Some("invalid_zip5"))
    );
    assert_eq!(error["details"]["field"], "data.addresses[0].zip5");
    let mut missing = body.clone();
    missing["data"].as_object_mut().unwrap().remove("last_name");
    let (_, error) = send(Some(&bearer), Some("v2022-09-21"), missing).await;
    assert_eq!(error["error_code"], "missing_last_name");

    let wrong = http
        .post(url("/oauth/token"))
        .json(&serde_json::json!({"client_id": sandbox.client_id(), "client_secret": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);

    // Tokens expire; a static token then fails, client credentials refresh on the 401.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        send(Some(&bearer), Some("v2022-09-21"), body.clone())
            .await
            .0,
        401
    );
    let static_client = Client::builder()
        .base_url(sandbox.base_url())
        .access_token(&bearer[7..])
        .build()
        .unwrap();
    assert!(matches!(
        static_client.invoke(EventType::ALL[0]).await,
        Err(Error::Authentication(_))
    ));
    let refreshing = sandbox.client().build().unwrap();
    refreshing.invoke(EventType::ALL[0]).await.unwrap();
}

#[tokio::test]
async fn listener_forwards_verified_deliveries_unchanged() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().build().unwrap();
    let app = MockOrum::always(Reply::status(202)).await;
    let verifier = Verifier::from_public_key(sandbox.public_key_pem()).unwrap();
    let mut listener = Listener::start(0, verifier, Some(format!("{}/orum", app.url)))
        .await
        .unwrap();
    client
        .create_webhook_configuration(subscribe(listener.url(), vec![Subscription::SubscribeAll]))
        .await
        .unwrap();
    client.invoke(EventType::ALL[1]).await.unwrap();
    let Received::Event {
        body, forwarded, ..
    } = next_event(&mut listener).await
    else {
        panic!()
    };
    assert_eq!(forwarded, Some(Ok(202)));
    let forwarded = &app.requests()[0];
    assert_eq!(forwarded.path, "/orum");
    assert_eq!(forwarded.body, body);
    let original = sandbox
        .wait_for(Duration::from_secs(5), |l| {
            l.len() == 1 && l[0].state == DeliveryState::Delivered
        })
        .await
        .unwrap();
    assert_eq!(
        original[0].attempts[0].status,
        Some(202),
        "Orum sees the app's answer"
    );
    let verifier = Verifier::from_public_key(sandbox.public_key_pem()).unwrap();
    verifier
        .verify(forwarded.header("signature").unwrap(), &forwarded.body)
        .unwrap();
}

#[tokio::test]
async fn listener_refuses_bad_signatures_and_drops_duplicates() {
    let key = orum_webhooks::SigningKey::generate().unwrap();
    let mut listener = Listener::start(0, key.verifier().unwrap(), None)
        .await
        .unwrap();
    let event = orum_webhooks::WebhookEvent::from_invoked(
        TestEvent::new(EventType::ALL[2]).build().unwrap(),
        "evt_dup",
        chrono::Utc::now(),
    );
    let (body, signature) = key.sign_event(&event).unwrap();
    let http = reqwest::Client::new();
    let post = |sig: &str| {
        http.post(listener.url())
            .header("Signature", sig.to_owned())
            .body(body.clone())
            .send()
    };
    assert_eq!(post(&signature).await.unwrap().status(), 200);
    assert_eq!(post(&signature).await.unwrap().status(), 200);
    let forged = orum_webhooks::SigningKey::generate()
        .unwrap()
        .sign(&body)
        .unwrap();
    assert_eq!(post(&forged).await.unwrap().status(), 401);
    assert!(matches!(
        next_event(&mut listener).await,
        Received::Event { .. }
    ));
    assert!(
        matches!(next_event(&mut listener).await, Received::Duplicate { event_id } if event_id == "evt_dup")
    );
    assert!(matches!(
        next_event(&mut listener).await,
        Received::Refused(orum_webhooks::VerifyError::SignatureMismatch)
    ));
}
