//! 300 invokes of one prebuilt person event against a local server, made three ways, for
//! counting instructions with callgrind (repeatable, unlike wall time on a shared machine):
//!
//! ```text
//! cargo build --release --example invoke_instructions
//! for way in none bare raw client; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/invoke_instructions $way 2>&1 | grep Collected
//! done
//! ```
//!
//! `none`: setup only; `bare`: reqwest POST of the serialized bytes; `raw`: the generated
//! client; `client`: `Client::invoke`. (total - none) / 300 is the cost of one call.

use orum_webhooks::raw::types::PersonEventType;
use orum_webhooks::{Client, ORUM_VERSION, RetryPolicy, TestEvent};

#[path = "../benches/support/mod.rs"]
mod support;

const CALLS: usize = 300;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let way = std::env::args().nth(1).unwrap_or_default();
    let url = support::created_server().await;
    let client = Client::builder()
        .base_url(&url)
        .access_token("t")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let bare = support::BarePost::new(&url, "t");
    let event = TestEvent::person(PersonEventType::PersonVerified).seed(1);
    let (built, bytes) = (event.build().unwrap(), event.to_json().unwrap());
    for _ in 0..CALLS {
        match way.as_str() {
            "bare" => {
                bare.post()
                    .header("content-type", "application/json")
                    .body(bytes.clone())
                    .send()
                    .await
                    .unwrap();
            }
            "raw" => {
                client
                    .raw()
                    .post_invoke()
                    .orum_version(ORUM_VERSION)
                    .body(built.clone())
                    .send()
                    .await
                    .unwrap();
            }
            "client" => {
                client.invoke(built.clone()).await.unwrap();
            }
            "none" => {}
            _ => panic!("usage: invoke_instructions none|bare|raw|client"),
        }
    }
}
