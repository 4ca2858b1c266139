//! Signature verification of a realistic delivery (about 1 KB), single-threaded: the signature
//! check alone, and with the event parsed.
//! `scripts/bench.sh` puts it next to `openssl speed -seconds 3 rsa2048` on the same machine.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use orum_webhooks::{EventType, SigningKey, TestEvent, WebhookEvent};

fn verify(c: &mut Criterion) {
    let key = SigningKey::generate().unwrap();
    let verifier = key.verifier().unwrap();
    let body = TestEvent::new(EventType::ALL[1]).seed(1).build().unwrap();
    let event = WebhookEvent::from_invoked(body, "evt_bench", chrono::Utc::now());
    let (bytes, signature) = key.sign_event(&event).unwrap();
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    let name = format!("Verifier::verify_signature ({} byte delivery)", bytes.len());
    group.bench_function(name, |b| {
        b.iter(|| {
            verifier
                .verify_signature(black_box(&signature), black_box(&bytes))
                .unwrap()
        })
    });
    group.bench_function(
        format!(
            "Verifier::verify ({} byte delivery, parse included)",
            bytes.len()
        ),
        |b| {
            b.iter(|| {
                black_box(
                    verifier
                        .verify(black_box(&signature), black_box(&bytes))
                        .unwrap(),
                )
            })
        },
    );
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
