//! The key and configuration endpoints through the client, against a local stand-in for Orum.

mod common;

use common::{MockOrum, Recorded, Reply, TOKEN};
use orum_webhooks::Error;
use orum_webhooks::raw::types::{ConfigurationRequest, EventType as Subscription, EventTypes};
use serde_json::json;

const CONFIG_ID: &str = "5b7e0c86-2f0e-4c55-9f8e-3f1f7d0c9a10";

fn configuration(url: &str, enabled: bool) -> serde_json::Value {
    json!({"id": CONFIG_ID, "enterprise_name": "Acme", "data_version": "v2022-09-21",
        "event_types": ["person_all", "transfer_updated"], "enabled": enabled, "url": url,
        "created_at": "2024-05-14T12:00:00Z", "created_by": "ops", "updated_at": "2024-05-14T12:00:00Z", "updated_by": "ops"})
}

fn keypair(public_key: &str) -> serde_json::Value {
    json!({"enterprise_keypair": {"id": "kp1", "enterprise_name": "Acme", "public_key": public_key,
        "created_at": "2024-05-14T12:00:00Z", "updated_at": "2024-05-14T12:00:00Z"}})
}

fn request() -> ConfigurationRequest {
    ConfigurationRequest {
        enabled: true,
        event_types: EventTypes(vec![Subscription::PersonAll, Subscription::TransferUpdated]),
        url: "https://example.com/orum".into(),
    }
}

fn assert_default_headers(r: &Recorded) {
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(r.header("orum-version"), Some("v2022-09-21"));
    assert!(
        r.header("user-agent")
            .unwrap()
            .starts_with("orum-webhooks/")
    );
}

#[tokio::test]
async fn configurations_are_created_listed_updated_and_deleted() {
    let server = MockOrum::start(|r: &Recorded, _| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/webhooks/configurations") => {
            Reply::json(200, json!({"webhook_configuration": configuration("https://example.com/orum", true)}))
        }
        ("GET", "/webhooks/configurations") => {
            Reply::json(200, json!({"webhook_configurations": [configuration("https://example.com/orum", true)]}))
        }
        ("PUT", p) if p == format!("/webhooks/configurations/{CONFIG_ID}") => {
            Reply::json(200, json!({"webhook_configuration": configuration("https://example.com/orum", false)}))
        }
        ("DELETE", p) if p == format!("/webhooks/configurations/{CONFIG_ID}") => Reply::status(204),
        _ => Reply::status(404),
    })
    .await;
    let client = common::client(&server);
    let created = client
        .create_webhook_configuration(request())
        .await
        .unwrap();
    assert_eq!((created.id.as_str(), created.enabled), (CONFIG_ID, true));
    let all = client.webhook_configurations().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].event_types.0,
        vec![Subscription::PersonAll, Subscription::TransferUpdated]
    );
    let id = CONFIG_ID.parse().unwrap();
    let updated = client
        .update_webhook_configuration(
            id,
            ConfigurationRequest {
                enabled: false,
                ..request()
            },
        )
        .await
        .unwrap();
    assert!(!updated.enabled);
    client.delete_webhook_configuration(id).await.unwrap();

    let requests = server.requests();
    let methods: Vec<_> = requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["POST", "GET", "PUT", "DELETE"]);
    for r in &requests {
        assert_default_headers(r);
    }
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({"enabled": true, "event_types": ["person_all", "transfer_updated"], "url": "https://example.com/orum"})
    );
    let body: serde_json::Value = serde_json::from_slice(&requests[2].body).unwrap();
    assert_eq!(body["enabled"], false);
}

#[tokio::test]
async fn the_public_key_becomes_a_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "k.pem",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(status.status.success());
    let public = std::process::Command::new("openssl")
        .args(["pkey", "-in", "k.pem", "-pubout"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let public = String::from_utf8(public.stdout).unwrap();

    let reply = Reply::json(200, keypair(&public));
    let server = MockOrum::always(reply).await;
    let client = common::client(&server);
    assert_eq!(
        client.create_webhook_secret().await.unwrap().public_key,
        public
    );
    assert_eq!(
        client.webhook_secret().await.unwrap().enterprise_name,
        "Acme"
    );
    client.webhook_verifier().await.unwrap();
    let methods: Vec<_> = server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        methods,
        [
            "POST /webhooks/secret",
            "GET /webhooks/secret",
            "GET /webhooks/secret"
        ]
    );
    assert_default_headers(&server.requests()[1]);
}

#[tokio::test]
async fn unusable_keys_and_missing_keypairs_are_errors() {
    let server = MockOrum::always(Reply::json(200, keypair("not a key"))).await;
    let err = common::client(&server)
        .webhook_verifier()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Verify(_)), "{err:?}");
    let server = MockOrum::always(Reply::json(200, json!({}))).await;
    let err = common::client(&server).webhook_secret().await.unwrap_err();
    assert!(err.to_string().contains("no enterprise_keypair"), "{err}");
    let server = MockOrum::always(Reply::orum_error(401, "unauthorized", "no")).await;
    assert!(matches!(
        common::client(&server).webhook_configurations().await,
        Err(Error::Authentication(_))
    ));
}
