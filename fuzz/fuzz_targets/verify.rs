//! Parse-and-verify on arbitrary input: the first line is the Signature header, the rest the
//! body. Must never panic; must accept only what the fixed key signed; the one-pass parse of
//! `from_slice` must agree with the parse through `serde_json::Value`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use orum_webhooks::{SigningKey, Verifier, WebhookEvent};

const SIGNED_BODY: &[u8] = br#"{"event_id":"f1","event_type":"person_created","created_at":"2024-01-01T00:00:00.000Z","event_data":{"person":{}}}"#;

fn fixture() -> &'static (Verifier, String) {
    static FIXTURE: OnceLock<(Verifier, String)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = SigningKey::generate().expect("key generation");
        let signature = key.sign(SIGNED_BODY).expect("signing");
        (key.verifier().expect("verifier"), signature)
    })
}

fuzz_target!(|data: &[u8]| {
    let (verifier, signature) = fixture();
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (header, body) = (&data[..split], data.get(split + 1..).unwrap_or(&[]));
    match (
        WebhookEvent::from_slice(body),
        serde_json::from_slice::<WebhookEvent>(body),
    ) {
        (Ok(fast), Ok(checked)) => assert_eq!(format!("{fast:?}"), format!("{checked:?}")),
        (Ok(fast), Err(e)) => panic!("one-pass parse took what the checked one refused ({e}): {fast:?}"),
        (Err(e), Ok(checked)) => panic!("refused ({e}) what the checked parse took: {checked:?}"),
        (Err(_), Err(_)) => {}
    }
    if let Ok(header) = std::str::from_utf8(header) {
        let _ = verifier.verify(header, body);
    }
    // The real signature over any other body must fail.
    if body != SIGNED_BODY {
        assert!(verifier.verify(signature, body).is_err());
    }
});
