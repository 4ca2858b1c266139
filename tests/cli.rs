//! The `orum-webhooks` command, run as a real process.
#![cfg(feature = "cli")]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use orum_webhooks::{EventType, Sandbox, SigningKey, TestEvent, WebhookEvent};

const ORUM_VARS: [&str; 5] = [
    "ORUM_CLIENT_ID",
    "ORUM_CLIENT_SECRET",
    "ORUM_ACCESS_TOKEN",
    "ORUM_ENV",
    "ORUM_BASE_URL",
];

fn cli() -> Command {
    let mut cmd = Command::cargo_bin("orum-webhooks").unwrap();
    for var in ORUM_VARS {
        cmd.env_remove(var);
    }
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn events_lists_all_22_by_family() {
    let (code, stdout, _) = output(cli().arg("events"));
    assert_eq!(code, 0);
    for e in EventType::ALL {
        assert!(stdout.contains(e.as_str()), "{e}");
    }
    assert!(stdout.starts_with("person\n  person_created"), "{stdout}");
    assert!(
        stdout.contains("\nbook_transfer\n  book_transfer_updated"),
        "{stdout}"
    );
}

#[test]
fn dry_run_prints_the_body_with_typed_overrides() {
    let (code, stdout, _) = output(cli().args([
        "trigger",
        "transfer_updated",
        "--dry-run",
        "--set",
        "data.amount=250",
        "--set",
        "data.metadata.plan=gold",
        "--set",
        "data.transfer_reference_id=123",
    ]));
    assert_eq!(code, 0);
    let body: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(body["data"]["amount"], 250);
    assert_eq!(body["data"]["metadata"]["plan"], "gold");
    assert_eq!(
        body["data"]["transfer_reference_id"], "123",
        "a string field stays a string"
    );
    let (code, stdout, _) = output(cli().args([
        "trigger",
        "person_created",
        "--dry-run",
        "--set",
        "data.addresses[0].city=Austin",
    ]));
    assert_eq!(code, 0);
    assert!(stdout.contains(r#""city":"Austin""#));
}

#[test]
fn usage_errors_exit_2_and_say_what_is_wrong() {
    let (code, _, stderr) = output(cli().args(["trigger", "person_verifed"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean person_verified"), "{stderr}");
    let (code, _, stderr) = output(cli().args([
        "trigger",
        "person_verified",
        "--set",
        "data.addresses[0].zip5=1234",
    ]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("data.addresses[0].zip5: must match the pattern"),
        "{stderr}"
    );
    let (code, _, stderr) =
        output(cli().args(["trigger", "person_verified", "--set", "data.first_name"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("expected PATH=VALUE"), "{stderr}");
    let (code, _, stderr) = output(cli().args([
        "trigger",
        "person_verified",
        "--file",
        "/nonexistent/body.json",
    ]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--file /nonexistent/body.json"), "{stderr}");
    let (code, _, stderr) = output(cli().args([
        "verify",
        "--public-key",
        "/nonexistent/key.pem",
        "--signature",
        "x",
    ]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--public-key /nonexistent/key.pem"),
        "{stderr}"
    );
    let (code, _, _) = output(cli().args(["trigger"]));
    assert_eq!(code, 2, "clap's own usage errors");
}

#[test]
fn trigger_without_credentials_runs_the_whole_loop_locally() {
    let (code, stdout, stderr) = output(cli().args([
        "trigger",
        "person_verified",
        "--set",
        "data.first_name=Grace",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("received person_verified evt_")
            && stdout.contains("(signature verified)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("ran against a local sandbox") && stderr.contains("ORUM_CLIENT_ID"),
        "{stderr}"
    );
    let (code, stdout, _) = output(cli().args(["trigger", "transfer_updated", "--json"]));
    assert_eq!(code, 0);
    let delivered: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(delivered["event_type"], "transfer_updated");
    assert!(delivered["event_data"]["transfer"]["amount"].is_u64());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_with_credentials_targets_that_api_and_api_errors_exit_1() {
    let sandbox = Sandbox::start().await.unwrap();
    let (base, id, secret) = (
        sandbox.base_url().to_owned(),
        sandbox.client_id().to_owned(),
        sandbox.client_secret().to_owned(),
    );
    let run = move |secret: String| {
        let (base, id) = (base.clone(), id.clone());
        tokio::task::spawn_blocking(move || {
            output(cli().args([
                "trigger",
                "business_verified",
                "--base-url",
                &base,
                "--client-id",
                &id,
                "--client-secret",
                &secret,
            ]))
        })
    };
    let (code, stdout, stderr) = run(secret).await.unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("sent business_verified to http://127.0.0.1:")
            && stdout.contains("accepted (HTTP 201)"),
        "{stdout}"
    );
    let (code, _, stderr) = run("wrong".into()).await.unwrap();
    assert_eq!(code, 1);
    assert!(
        stderr.contains("authentication failed") && stderr.contains("invalid_client_secret"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong"),
        "the secret is not echoed: {stderr}"
    );
}

fn signed_delivery(key: &SigningKey) -> (Vec<u8>, String) {
    let event = WebhookEvent::from_invoked(
        TestEvent::new(EventType::ALL[7]).build().unwrap(),
        "evt_cli",
        common::fixed_now(),
    );
    key.sign_event(&event).unwrap()
}

#[test]
fn verify_checks_a_captured_delivery() {
    let key = SigningKey::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("orum.pem");
    std::fs::write(&key_file, key.public_key_pem().unwrap()).unwrap();
    let (body, signature) = signed_delivery(&key);
    let body_file = dir.path().join("body.json");
    std::fs::write(&body_file, &body).unwrap();
    let key_arg = key_file.to_str().unwrap();

    let (code, stdout, _) = output(
        cli()
            .args(["verify", "--public-key", key_arg, "--signature", &signature])
            .arg(&body_file),
    );
    assert_eq!(code, 0);
    assert_eq!(
        stdout.trim(),
        "verified: business_verified evt_cli business verified"
    );
    let (code, _, _) = output(
        cli()
            .args([
                "verify",
                "--public-key",
                key_arg,
                "--signature",
                &signature,
                "-",
            ])
            .write_stdin(body.clone()),
    );
    assert_eq!(code, 0, "body from standard input");
    let forged = SigningKey::generate().unwrap().sign(&body).unwrap();
    let (code, _, stderr) = output(
        cli()
            .args(["verify", "--public-key", key_arg, "--signature", &forged])
            .arg(&body_file),
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("signature does not match the body"),
        "{stderr}"
    );
}

/// A long-running command whose stdout lines can be awaited.
struct Running {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut process = Process::new(assert_cmd::cargo::cargo_bin("orum-webhooks"));
        for var in ORUM_VARS {
            process.env_remove(var);
        }
        let mut child = process
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Running { child, lines }
    }

    fn line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(30))
            .expect("a line of output")
    }

    /// Ctrl-C, and the exit code.
    fn interrupt(mut self) -> Option<i32> {
        Process::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap().code()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_verifies_forwards_and_stops_on_ctrl_c() {
    let key = SigningKey::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("orum.pem");
    std::fs::write(&key_file, key.public_key_pem().unwrap()).unwrap();
    let app = common::MockOrum::always(common::Reply::status(200)).await;
    let forward = format!("{}/app", app.url);
    let listen = Running::start(&[
        "listen",
        "--port",
        "0",
        "--public-key",
        key_file.to_str().unwrap(),
        "--forward-to",
        &forward,
    ]);
    let ready = tokio::task::block_in_place(|| listen.line());
    let url = ready
        .strip_prefix("Ready: listening on ")
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_owned();

    let (body, signature) = signed_delivery(&key);
    let http = reqwest::Client::new();
    let ok = http
        .post(&url)
        .header("Signature", &signature)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let bad = http
        .post(&url)
        .header(
            "Signature",
            SigningKey::generate().unwrap().sign(&body).unwrap(),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let line = tokio::task::block_in_place(|| listen.line());
    assert!(
        line.contains("business_verified evt_cli business verified")
            && line.ends_with("answered 200"),
        "{line}"
    );
    assert_eq!(app.requests()[0].body, body);
    assert_eq!(
        app.requests()[0].header("signature"),
        Some(signature.as_str())
    );
    assert_eq!(listen.interrupt(), Some(0));
}

#[test]
fn listen_on_a_port_in_use_fails() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let key = SigningKey::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("orum.pem");
    std::fs::write(&key_file, key.public_key_pem().unwrap()).unwrap();
    let (code, _, stderr) = output(cli().args([
        "listen",
        "--port",
        &port,
        "--public-key",
        key_file.to_str().unwrap(),
    ]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    let (code, _, stderr) = output(cli().args(["listen", "--port", "0"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--public-key FILE or --fetch-key"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_prints_working_credentials_and_logs_requests() {
    let sandbox = Running::start(&["sandbox", "--port", "0"]);
    let lines: Vec<String> =
        tokio::task::block_in_place(|| (0..4).map(|_| sandbox.line()).collect());
    let value = |prefix: &str| {
        lines
            .iter()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .unwrap()
            .to_owned()
    };
    let (base, id, secret) = (
        value("export ORUM_BASE_URL="),
        value("export ORUM_CLIENT_ID="),
        value("export ORUM_CLIENT_SECRET="),
    );
    let client = orum_webhooks::Client::builder()
        .base_url(&base)
        .client_credentials(id, secret)
        .build()
        .unwrap();
    client.invoke(EventType::ALL[3]).await.unwrap();
    let logged: Vec<String> =
        tokio::task::block_in_place(|| (0..3).map(|_| sandbox.line()).collect());
    assert!(
        logged.iter().any(|l| l == "POST /oauth/token -> 200"),
        "{logged:?}"
    );
    assert!(
        logged.iter().any(|l| l == "POST /webhooks/invoke -> 201"),
        "{logged:?}"
    );
    assert_eq!(sandbox.interrupt(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_fetches_the_key_registers_and_unregisters() {
    let sandbox = Sandbox::start().await.unwrap();
    let listen = Running::start(&[
        "listen",
        "--port",
        "0",
        "--fetch-key",
        "--register",
        "--base-url",
        sandbox.base_url(),
        "--client-id",
        sandbox.client_id(),
        "--client-secret",
        sandbox.client_secret(),
    ]);
    let ready = tokio::task::block_in_place(|| listen.line());
    assert!(
        ready.starts_with("Ready: listening on http://127.0.0.1:"),
        "{ready}"
    );
    let client = sandbox.client().build().unwrap();
    assert_eq!(client.webhook_configurations().await.unwrap().len(), 1);
    client.invoke(EventType::ALL[19]).await.unwrap();
    let line = tokio::task::block_in_place(|| listen.line());
    assert!(
        line.contains("verify_account_updated evt_") && line.ends_with("account valid"),
        "{line}"
    );
    assert_eq!(listen.interrupt(), Some(0));
    assert!(
        client.webhook_configurations().await.unwrap().is_empty(),
        "unregistered on Ctrl-C"
    );
}
