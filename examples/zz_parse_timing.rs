use orum_webhooks::{EventType, SigningKey, TestEvent, WebhookEvent};
use std::time::Instant;
fn main() {
    let key = SigningKey::generate().unwrap();
    let body = TestEvent::new(EventType::ALL[1]).seed(1).build().unwrap();
    let event = WebhookEvent::from_invoked(body, "evt_bench", chrono::Utc::now());
    let (bytes, _sig) = key.sign_event(&event).unwrap();
    println!("{}", String::from_utf8_lossy(&bytes));
    let n: u32 = std::env::args().nth(1).map_or(200_000, |a| a.parse().unwrap());
    let t = Instant::now();
    for _ in 0..n { std::hint::black_box(WebhookEvent::from_slice(std::hint::black_box(&bytes)).unwrap()); }
    println!("from_slice {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n { std::hint::black_box(serde_json::from_slice::<serde::de::IgnoredAny>(std::hint::black_box(&bytes)).unwrap()); }
    println!("ignored {:?}", t.elapsed() / n);
    #[derive(serde::Deserialize)] struct E<'a> { #[serde(borrow)] created_at: Option<std::borrow::Cow<'a, str>> }
    let t = Instant::now();
    for _ in 0..n { std::hint::black_box(serde_json::from_slice::<E>(std::hint::black_box(&bytes)).unwrap()); }
    println!("created_at_of {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n { std::hint::black_box(serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&bytes)).unwrap()); }
    println!("value {:?}", t.elapsed() / n);
}
