//! Runs `examples/receiver.rs` as a real process and sends it signed deliveries.
#![cfg(feature = "test-util")]

mod common;

use std::process::Stdio;
use std::time::Duration;

use orum_webhooks::raw::types::PersonEventType;
use orum_webhooks::{SigningKey, TestEvent, WebhookEvent};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// Builds the example (a no-op when it is up to date) and returns its path. It is built with
/// this test's own features, so the library is not compiled a second time.
fn receiver_binary() -> std::path::PathBuf {
    let features: Vec<&str> = [
        (true, "test-util"),
        (cfg!(feature = "sandbox"), "sandbox"),
        (cfg!(feature = "cli"), "cli"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", "receiver", "--features"])
        .arg(features.join(","))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success());
    let deps = std::env::current_exe().unwrap();
    deps.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join("receiver")
}

async fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
    tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
}

async fn start(
    key: &SigningKey,
) -> (
    Child,
    Lines<BufReader<ChildStdout>>,
    String,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("orum.pem");
    std::fs::write(&key_file, key.public_key_pem().unwrap()).unwrap();
    let mut child = Command::new(receiver_binary())
        .args(["--port", "0", "--public-key"])
        .arg(&key_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = next_line(&mut lines).await;
    let url = ready
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{ready}"))
        .to_owned();
    (child, lines, url, dir)
}

#[tokio::test]
async fn verifies_deduplicates_and_prints() {
    let key = SigningKey::generate().unwrap();
    let (_child, mut lines, url, _dir) = start(&key).await;
    let body = TestEvent::person(PersonEventType::PersonVerified)
        .build()
        .unwrap();
    let event = WebhookEvent::from_invoked(body, "evt_receiver_1", common::fixed_now());
    let (bytes, signature) = key.sign_event(&event).unwrap();
    let http = reqwest::Client::new();
    let post = |body: Vec<u8>, signature: Option<String>| {
        let mut request = http.post(format!("{url}/webhooks")).body(body);
        if let Some(s) = signature {
            request = request.header("Signature", s);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };

    assert_eq!(
        post(bytes.clone(), Some(signature.clone())).await,
        (200, "received evt_receiver_1\n".into())
    );
    assert_eq!(
        post(bytes.clone(), Some(signature.clone())).await,
        (200, "duplicate evt_receiver_1\n".into())
    );
    let mut tampered = bytes.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    assert_eq!(post(tampered, Some(signature.clone())).await.0, 401);
    assert_eq!(
        post(bytes.clone(), None).await,
        (401, "missing Signature header\n".into())
    );
    let other = SigningKey::generate().unwrap().sign(&bytes).unwrap();
    assert_eq!(
        post(bytes, Some(other)).await,
        (401, "signature does not match the body\n".into())
    );

    let printed = next_line(&mut lines).await;
    assert!(
        printed.ends_with("person_verified evt_receiver_1 person verified"),
        "{printed}"
    );
}
