use orum_webhooks::{EventType, Family, TestEvent};
fn main() {
    let fam = std::env::args().nth(1).unwrap();
    let n: u32 = std::env::args().nth(2).unwrap().parse().unwrap();
    let et = EventType::ALL.into_iter().find(|e| e.family().to_string() == fam).unwrap();
    let _ = Family::ALL;
    let event = TestEvent::new(et).seed(1);
    for _ in 0..n { std::hint::black_box(event.build().unwrap()); }
}
