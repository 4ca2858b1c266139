//! Fires one Orum sandbox test event.
//!
//! ```text
//! cargo run --example invoke -- person_verified
//! ```
//!
//! Prints the JSON body it would send. With `ORUM_ACCESS_TOKEN` set it sends it, to
//! `ORUM_BASE_URL` when set and to Orum's sandbox otherwise, and prints the outcome; the exit
//! code is non-zero on any failure.

use std::process::ExitCode;

use orum_webhooks::{Client, EventType, TestEvent};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (Some(name), None) = (args.next(), args.next()) else {
        let names: Vec<_> = EventType::ALL.iter().map(|e| e.as_str()).collect();
        return Err(format!(
            "usage: cargo run --example invoke -- <EVENT_TYPE>\nevent types: {}",
            names.join(", ")
        ));
    };
    let event = TestEvent::new(name.parse::<EventType>().map_err(|e| e.to_string())?);
    let body = event.to_json().map_err(|e| e.to_string())?;
    println!("{body}");

    let Ok(token) = std::env::var("ORUM_ACCESS_TOKEN") else {
        eprintln!("(not sent: set ORUM_ACCESS_TOKEN to send it)");
        return Ok(());
    };
    let mut builder = Client::builder().access_token(token);
    if let Ok(url) = std::env::var("ORUM_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let invoked = client.invoke(event).await.map_err(|e| e.to_string())?;
    eprintln!(
        "sent {} to {}: accepted (HTTP 201)",
        invoked.event_type,
        client.base_url()
    );
    Ok(())
}
