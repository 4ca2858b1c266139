//! Building a body: a default test event of each family built, checked and serialized, next
//! to serializing the same body already held as the generated struct.
//!
//! `cargo bench --bench body`; `scripts/bench.sh` prints the ratios.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use orum_webhooks::{EventType, Family, TestEvent};

fn build_vs_serialize(c: &mut Criterion) {
    for family in Family::ALL {
        let event_type = EventType::ALL
            .into_iter()
            .find(|e| e.family() == family)
            .unwrap();
        let event = TestEvent::new(event_type).seed(1);
        let built = event.build().unwrap();
        let mut group = c.benchmark_group(format!("body/{family}"));
        group.bench_function("serde_json::to_string of the generated struct", |b| {
            b.iter(|| black_box(serde_json::to_string(black_box(&built)).unwrap()))
        });
        group.bench_function("TestEvent::to_json (defaults, check, serialize)", |b| {
            b.iter(|| black_box(black_box(&event).to_json().unwrap()))
        });
        group.finish();
    }
}

criterion_group!(benches, build_vs_serialize);
criterion_main!(benches);
