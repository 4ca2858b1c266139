//! `orum-webhooks`: fire Orum sandbox test events, and receive and verify webhooks, against
//! Orum or a local sandbox.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use orum_webhooks::raw::types::{ConfigurationRequest, EventType as Subscription, EventTypes};
use orum_webhooks::sandbox::SandboxEvent;
use orum_webhooks::{
    Client, ClientBuilder, Error, EventType, Family, Listener, Received, Sandbox, SandboxConfig,
    TestEvent, Verifier, WebhookEvent,
};

#[derive(Parser)]
#[command(name = "orum-webhooks", version, about, long_about = None)]
/// Fire Orum sandbox test webhooks, and receive and verify them, against Orum or a local
/// sandbox.
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

/// Credentials and target; each flag wins over its environment variable.
#[derive(clap::Args)]
struct Config {
    /// OAuth client id [env: ORUM_CLIENT_ID]
    #[arg(long, global = true)]
    client_id: Option<String>,
    /// OAuth client secret [env: ORUM_CLIENT_SECRET]
    #[arg(long, global = true)]
    client_secret: Option<String>,
    /// A ready access token instead of client credentials [env: ORUM_ACCESS_TOKEN]
    #[arg(long, global = true)]
    access_token: Option<String>,
    /// `sandbox` or `production` [env: ORUM_ENV]
    #[arg(long = "env", global = true)]
    environment: Option<String>,
    /// Any other API base URL [env: ORUM_BASE_URL]
    #[arg(long, global = true)]
    base_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Fire a test event. Without credentials it runs against a local sandbox and shows the
    /// signed delivery.
    Trigger {
        /// The event type, such as person_verified (see `orum-webhooks events`).
        event_type: String,
        /// Override a field, such as data.amount=250 or data.addresses[0].city=Austin.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Start from this JSON body instead of the defaults.
        #[arg(long, value_name = "BODY.json")]
        file: Option<PathBuf>,
        /// Print the JSON body and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print JSON instead of a summary line.
        #[arg(long)]
        json: bool,
    },
    /// List the event types that can be triggered.
    Events,
    /// Receive webhooks on 127.0.0.1: verify, deduplicate, print, optionally forward.
    Listen {
        /// Port to listen on.
        #[arg(long, default_value_t = 4242)]
        port: u16,
        /// Orum's public key file (PEM or DER).
        #[arg(long, value_name = "FILE", conflicts_with = "fetch_key")]
        public_key: Option<PathBuf>,
        /// Fetch the public key from Orum (GET /webhooks/secret) with the configured credentials.
        #[arg(long)]
        fetch_key: bool,
        /// Forward verified deliveries, unchanged, to this URL.
        #[arg(long, value_name = "URL")]
        forward_to: Option<String>,
        /// Register the listener's URL for every event type with the configured API (removed
        /// again on Ctrl-C). For a local sandbox; Orum needs a public HTTPS URL.
        #[arg(long)]
        register: bool,
        /// Print each event's raw JSON instead of a summary line.
        #[arg(long)]
        json: bool,
    },
    /// Check one captured delivery offline.
    Verify {
        /// Orum's public key file (PEM or DER).
        #[arg(long, value_name = "FILE")]
        public_key: PathBuf,
        /// The Signature header value.
        #[arg(long)]
        signature: String,
        /// The raw body (a file, or - for standard input).
        #[arg(default_value = "-")]
        body: String,
    },
    /// Run a local Orum sandbox until stopped.
    Sandbox {
        /// Port to listen on.
        #[arg(long, default_value_t = 4010)]
        port: u16,
    },
}

/// How a command failed: usage problems exit 2, everything else 1.
enum Failure {
    Usage(String),
    Failed(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidRequest(_) | Error::UnknownEventType(_) | Error::Config { .. } => {
                Failure::Usage(e.to_string())
            }
            other => Failure::Failed(other.to_string()),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Trigger {
            event_type,
            set,
            file,
            dry_run,
            json,
        } => {
            trigger(
                &cli.config,
                &event_type,
                &set,
                file.as_deref(),
                dry_run,
                json,
            )
            .await
        }
        Command::Events => {
            events();
            Ok(())
        }
        Command::Listen {
            port,
            public_key,
            fetch_key,
            forward_to,
            register,
            json,
        } => {
            let options = ListenOptions {
                port,
                forward_to,
                register,
                json,
            };
            listen(&cli.config, public_key.as_deref(), fetch_key, options).await
        }
        Command::Verify {
            public_key,
            signature,
            body,
        } => verify(&public_key, &signature, &body),
        Command::Sandbox { port } => sandbox(port).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

impl Config {
    /// The flag for an environment variable's setting, if given.
    fn flag(&self, name: &str) -> Option<&String> {
        match name {
            "ORUM_CLIENT_ID" => self.client_id.as_ref(),
            "ORUM_CLIENT_SECRET" => self.client_secret.as_ref(),
            "ORUM_ACCESS_TOKEN" => self.access_token.as_ref(),
            "ORUM_ENV" => self.environment.as_ref(),
            "ORUM_BASE_URL" => self.base_url.as_ref(),
            _ => None,
        }
    }

    /// Reads a setting, flags winning: a credential flag hides every credential variable, and
    /// a target flag every target variable, so a flag never contradicts the environment.
    fn lookup(&self, name: &str) -> Option<String> {
        const CREDENTIALS: [&str; 3] =
            ["ORUM_CLIENT_ID", "ORUM_CLIENT_SECRET", "ORUM_ACCESS_TOKEN"];
        const TARGET: [&str; 2] = ["ORUM_ENV", "ORUM_BASE_URL"];
        let group = if CREDENTIALS.contains(&name) {
            &CREDENTIALS[..]
        } else {
            &TARGET[..]
        };
        if group.iter().any(|n| self.flag(n).is_some()) {
            return self.flag(name).cloned();
        }
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }

    fn has_credentials(&self) -> bool {
        ["ORUM_CLIENT_ID", "ORUM_CLIENT_SECRET", "ORUM_ACCESS_TOKEN"]
            .iter()
            .any(|n| self.lookup(n).is_some())
    }

    fn client(&self) -> Result<Client, Failure> {
        Ok(ClientBuilder::from_env_with(|name| self.lookup(name))?.build()?)
    }
}

fn usage(message: impl std::fmt::Display) -> Failure {
    Failure::Usage(message.to_string())
}

fn build_event(
    event_type: &str,
    set: &[String],
    file: Option<&Path>,
) -> Result<TestEvent, Failure> {
    let event_type: EventType = event_type.parse()?;
    let mut event = match file {
        None => TestEvent::new(event_type),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| usage(format!("--file {}: {e}", path.display())))?;
            let mut body: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| usage(format!("--file {}: not JSON: {e}", path.display())))?;
            match body.get("event_type").and_then(|v| v.as_str()) {
                None => body["event_type"] = event_type.as_str().into(),
                Some(name) if name == event_type.as_str() => {}
                Some(name) => {
                    return Err(usage(format!(
                        "--file {} is a `{name}` event, not `{event_type}`",
                        path.display()
                    )));
                }
            }
            TestEvent::from_json(body)?
        }
    };
    for assignment in set {
        let (path, value) = assignment
            .split_once('=')
            .ok_or_else(|| usage(format!("--set {assignment}: expected PATH=VALUE")))?;
        event = event.set_text(path.trim(), value);
    }
    event.build()?;
    Ok(event)
}

async fn trigger(
    config: &Config,
    event_type: &str,
    set: &[String],
    file: Option<&Path>,
    dry_run: bool,
    json: bool,
) -> Result<(), Failure> {
    let event = build_event(event_type, set, file)?;
    if dry_run {
        println!("{}", event.to_json()?);
        return Ok(());
    }
    if !config.has_credentials() {
        return trigger_locally(event, json).await;
    }
    let client = config.client()?;
    let invoked = client
        .invoke(event)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    if json {
        let outcome = serde_json::json!({
            "event_type": invoked.event_type.as_str(),
            "base_url": client.base_url(),
            "status": 201,
            "body": invoked.body,
        });
        println!("{outcome}");
    } else {
        println!(
            "sent {} to {}: accepted (HTTP 201)",
            invoked.event_type,
            client.base_url()
        );
    }
    Ok(())
}

/// The whole loop in-process: a local sandbox delivers the event, signed, to a local listener.
async fn trigger_locally(event: TestEvent, json: bool) -> Result<(), Failure> {
    let sandbox = Sandbox::start().await?;
    let verifier = Verifier::from_public_key(sandbox.public_key_pem()).map_err(Error::from)?;
    let mut listener = Listener::start(0, verifier, None).await?;
    let client = sandbox.client().build()?;
    client
        .create_webhook_configuration(ConfigurationRequest {
            enabled: true,
            event_types: EventTypes(vec![Subscription::SubscribeAll]),
            url: listener.url().to_owned(),
        })
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let invoked = client
        .invoke(event)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;

    let delivery = async {
        loop {
            match listener.next().await {
                Some(Received::Event { event, body, .. }) => return Some((event, body)),
                Some(_) => continue,
                None => return None,
            }
        }
    };
    tokio::pin!(delivery);
    let received = tokio::select! {
        received = &mut delivery => received,
        _ = tokio::time::sleep(Duration::from_millis(500)) => {
            eprintln!("waiting for the signed delivery...");
            tokio::time::timeout(Duration::from_secs(15), delivery).await.ok().flatten()
        }
    };
    let Some((event, body)) = received else {
        return Err(Failure::Failed(format!(
            "no delivery of {} arrived",
            invoked.event_type
        )));
    };
    if json {
        println!("{}", String::from_utf8_lossy(&body));
    } else {
        println!("received {event} (signature verified)");
    }
    eprintln!(
        "ran against a local sandbox at {}; set ORUM_CLIENT_ID and ORUM_CLIENT_SECRET (or ORUM_ACCESS_TOKEN) to trigger on Orum's sandbox instead",
        sandbox.base_url()
    );
    Ok(())
}

fn events() {
    for family in Family::ALL {
        println!("{family}");
        for event in EventType::ALL.into_iter().filter(|e| e.family() == family) {
            println!("  {:<28} {}", event.as_str(), event.meaning());
        }
    }
}

fn read_key(path: &Path) -> Result<Verifier, Failure> {
    let key =
        std::fs::read(path).map_err(|e| usage(format!("--public-key {}: {e}", path.display())))?;
    Verifier::from_public_key(key)
        .map_err(|e| usage(format!("--public-key {}: {e}", path.display())))
}

struct ListenOptions {
    port: u16,
    forward_to: Option<String>,
    register: bool,
    json: bool,
}

async fn listen(
    config: &Config,
    public_key: Option<&Path>,
    fetch_key: bool,
    options: ListenOptions,
) -> Result<(), Failure> {
    let ListenOptions {
        port,
        forward_to,
        register,
        json,
    } = options;
    let (verifier, source) = match (public_key, fetch_key) {
        (Some(path), _) => (read_key(path)?, path.display().to_string()),
        (None, true) => {
            let client = config.client()?;
            let verifier = client.webhook_verifier().await.map_err(Failure::from)?;
            (verifier, format!("the key of {}", client.base_url()))
        }
        (None, false) => return Err(usage("give --public-key FILE or --fetch-key")),
    };
    let forward = forward_to.clone();
    let mut listener = Listener::start(port, verifier, forward_to)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let registered = if register {
        let client = config.client()?;
        let request = ConfigurationRequest {
            enabled: true,
            event_types: EventTypes(vec![Subscription::SubscribeAll]),
            url: listener.url().to_owned(),
        };
        let configuration = client
            .create_webhook_configuration(request)
            .await
            .map_err(|e| Failure::Failed(e.to_string()))?;
        eprintln!(
            "registered {} with {} (configuration {})",
            listener.url(),
            client.base_url(),
            configuration.id
        );
        Some((client, configuration.id))
    } else {
        None
    };
    println!(
        "Ready: listening on {} (signatures checked with {source})",
        listener.url()
    );
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                if let Some((client, id)) = &registered {
                    unregister(client, id).await;
                }
                eprintln!("stopped");
                return Ok(());
            }
            received = listener.next() => match received {
                None => return Ok(()),
                Some(Received::Event { event, body, forwarded }) => {
                    if json {
                        println!("{}", String::from_utf8_lossy(&body));
                    } else {
                        let forwarded = match (&forward, forwarded) {
                            (Some(url), Some(Ok(status))) => format!(" -> {url} answered {status}"),
                            (Some(url), Some(Err(e))) => format!(" -> {url} failed: {e}"),
                            _ => String::new(),
                        };
                        println!("{} {event}{forwarded}", event.created_at.to_rfc3339());
                    }
                }
                Some(Received::Duplicate { event_id }) => eprintln!("duplicate {event_id} (already handled)"),
                Some(Received::Refused(e)) => eprintln!("refused a delivery (401): {e}"),
                Some(_) => {}
            },
        }
    }
}

async fn unregister(client: &Client, id: &str) {
    let removed = match id.parse() {
        Ok(id) => client.delete_webhook_configuration(id).await,
        Err(e) => Err(Error::Config {
            setting: "configuration id".into(),
            message: e.to_string(),
        }),
    };
    if let Err(e) = removed {
        eprintln!("could not remove configuration {id}: {e}");
    }
}

fn verify(public_key: &Path, signature: &str, body: &str) -> Result<(), Failure> {
    let verifier = read_key(public_key)?;
    let bytes = if body == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| usage(format!("standard input: {e}")))?;
        bytes
    } else {
        std::fs::read(body).map_err(|e| usage(format!("{body}: {e}")))?
    };
    let event: WebhookEvent = verifier
        .verify(signature, &bytes)
        .map_err(|e| Failure::Failed(e.to_string()))?;
    println!("verified: {event}");
    Ok(())
}

async fn sandbox(port: u16) -> Result<(), Failure> {
    let sandbox = Sandbox::start_with(SandboxConfig::default().port(port))
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let mut log = sandbox.log();
    println!("Local Orum sandbox running at {}", sandbox.base_url());
    println!("  export ORUM_BASE_URL={}", sandbox.base_url());
    println!("  export ORUM_CLIENT_ID={}", sandbox.client_id());
    println!("  export ORUM_CLIENT_SECRET={}", sandbox.client_secret());
    println!("Deliveries are signed with the key GET /webhooks/secret returns. Ctrl-C stops.");
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                eprintln!("stopped");
                return Ok(());
            }
            event = log.recv() => match event {
                Ok(SandboxEvent::Request { method, path, status }) => println!("{method} {path} -> {status}"),
                Ok(SandboxEvent::Delivery { event_id, event_type, url, attempt, outcome }) => {
                    let outcome = match outcome {
                        Ok(status) => format!("answered {status}"),
                        Err(e) => format!("failed: {e}"),
                    };
                    println!("delivery {event_type} {event_id} -> {url} (attempt {attempt}) {outcome}");
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => eprintln!("({n} log lines skipped)"),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
            },
        }
    }
}
