//! Receiving webhooks: signature verification (cross-checked with the openssl command-line
//! tool), typed events, tampering, freshness.
#![cfg(feature = "test-util")]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use orum_webhooks::{
    EventData, EventType, ManualClock, SigningKey, TestEvent, Verifier, VerifyError, WebhookEvent,
};
use serde_json::json;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A delivery shaped like Orum's external_account_created sample (with valid UUIDs).
const BODY: &str = r#"{"event_id":"2d5lde32-3973-5297-vb32-be24f559ef81","event_type":"external_account_created","created_at":"2022-07-26T18:45:17.441Z","event_data":{"external_account":{"id":"95f3c03d-a5c3-46b8-a7be-056b903bfd54","account_reference_id":"3f72je56-8901-6907-kp24-lp48f789pw92","customer_reference_id":"6p87p609-9047-8201-mw18-pq92d2039ad23","customer_resource_type":"person","account_type":"checking","account_number":"123456789","routing_number":"912345678","account_holder_name":"Tester Smith","status":"created","created_at":"2022-07-26T18:45:05.435446Z","updated_at":"2022-07-26T18:45:05.435446Z"}}}"#;

/// Verifies `sig.bin` over `message` with `pub.pem`.
const OPENSSL_VERIFY: [&str; 7] = [
    "dgst",
    "-sha256",
    "-verify",
    "pub.pem",
    "-signature",
    "sig.bin",
    "message",
];

fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command (.ci/run installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// An RSA private key of `bits` made by openssl, as PKCS#8 PEM in `file`.
fn generate_key(dir: &Path, bits: u32, file: &str) {
    let bits = format!("rsa_keygen_bits:{bits}");
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            &bits,
            "-out",
            file,
        ],
    );
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

fn message(body: &str) -> Vec<u8> {
    let created_at = serde_json::from_str::<serde_json::Value>(body).unwrap()["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    [body.as_bytes(), created_at.as_bytes()].concat()
}

#[test]
fn openssl_signatures_verify_with_every_key_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    generate_key(d, 2048, "key.pem");
    openssl(
        d,
        &["pkey", "-in", "key.pem", "-pubout", "-out", "spki.pem"],
    );
    openssl(
        d,
        &[
            "pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "spki.der",
        ],
    );
    openssl(
        d,
        &[
            "rsa",
            "-in",
            "key.pem",
            "-RSAPublicKey_out",
            "-out",
            "pkcs1.pem",
        ],
    );
    openssl(
        d,
        &[
            "rsa",
            "-in",
            "key.pem",
            "-RSAPublicKey_out",
            "-outform",
            "DER",
            "-out",
            "pkcs1.der",
        ],
    );
    std::fs::write(d.join("message"), message(BODY)).unwrap();
    openssl(
        d,
        &[
            "dgst", "-sha256", "-sign", "key.pem", "-out", "sig.bin", "message",
        ],
    );
    let signature = B64.encode(read(d, "sig.bin"));

    let keys: Vec<(&str, Vec<u8>)> = vec![
        ("SPKI PEM", read(d, "spki.pem")),
        ("PKCS#1 PEM", read(d, "pkcs1.pem")),
        ("SPKI DER", read(d, "spki.der")),
        ("PKCS#1 DER", read(d, "pkcs1.der")),
        (
            "SPKI DER base64",
            B64.encode(read(d, "spki.der")).into_bytes(),
        ),
        (
            "PKCS#1 DER base64",
            B64.encode(read(d, "pkcs1.der")).into_bytes(),
        ),
    ];
    for (name, key) in keys {
        let verifier = Verifier::from_public_key(&key).unwrap_or_else(|e| panic!("{name}: {e}"));
        let event = verifier
            .verify(&signature, BODY.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            event.event_id, "2d5lde32-3973-5297-vb32-be24f559ef81",
            "{name}"
        );
    }

    // The same openssl key, loaded to sign, produces what openssl produces (PKCS#1 v1.5 is
    // deterministic).
    let key = SigningKey::from_pkcs8_pem(&String::from_utf8(read(d, "key.pem")).unwrap()).unwrap();
    assert_eq!(key.sign(BODY.as_bytes()).unwrap(), signature);
}

#[test]
fn crate_signatures_verify_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = SigningKey::generate().unwrap();
    std::fs::write(d.join("pub.pem"), key.public_key_pem().unwrap()).unwrap();
    std::fs::write(d.join("message"), message(BODY)).unwrap();
    std::fs::write(
        d.join("sig.bin"),
        B64.decode(key.sign(BODY.as_bytes()).unwrap()).unwrap(),
    )
    .unwrap();
    let out = openssl(d, &OPENSSL_VERIFY);
    assert_eq!(String::from_utf8_lossy(&out).trim(), "Verified OK");

    // And openssl refuses it for a different message.
    std::fs::write(d.join("message"), BODY).unwrap();
    let status = Command::new("openssl")
        .args(OPENSSL_VERIFY)
        .current_dir(d)
        .output()
        .unwrap()
        .status;
    assert!(
        !status.success(),
        "the signature covers created_at, not the body alone"
    );

    // A PKCS#8 export loads into openssl and back.
    std::fs::write(d.join("priv.pem"), key.to_pkcs8_pem().unwrap()).unwrap();
    let again = openssl(d, &["pkey", "-in", "priv.pem", "-pubout"]);
    assert_eq!(
        String::from_utf8(again).unwrap(),
        key.public_key_pem().unwrap()
    );
}

#[test]
fn keys_under_2048_bits_and_non_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    generate_key(d, 1024, "small.pem");
    let public = openssl(d, &["pkey", "-in", "small.pem", "-pubout"]);
    let err = Verifier::from_public_key(public).unwrap_err();
    assert!(
        matches!(&err, VerifyError::InvalidKey(m) if m.contains("smaller than 2048 bits")),
        "{err}"
    );
    let private = read(d, "small.pem");
    assert!(
        Verifier::from_public_key(private)
            .unwrap_err()
            .to_string()
            .contains("PRIVATE KEY")
    );
    for junk in [
        &b""[..],
        b"hello",
        b"-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----",
        &[0x30, 0x82, 0x01],
    ] {
        assert!(
            matches!(
                Verifier::from_public_key(junk),
                Err(VerifyError::InvalidKey(_))
            ),
            "{junk:?}"
        );
    }
}

fn signed(event: &WebhookEvent, key: &SigningKey) -> (Vec<u8>, String) {
    key.sign_event(event).unwrap()
}

#[test]
fn every_familys_event_round_trips_through_signing() {
    let key = SigningKey::generate().unwrap();
    let verifier = key.verifier().unwrap();
    for event_type in EventType::ALL {
        let body = TestEvent::new(event_type)
            .seed(2)
            .at(common::fixed_now())
            .build()
            .unwrap();
        let event =
            WebhookEvent::from_invoked(body, format!("evt_{event_type}"), common::fixed_now());
        let (bytes, signature) = signed(&event, &key);
        let received = verifier.verify(&signature, &bytes).unwrap();
        assert_eq!(received.known_type(), Some(event_type));
        assert_eq!(received.data.key(), event_type.family().event_data_key());
        assert!(
            !matches!(received.data, EventData::Unknown { .. }),
            "{event_type}"
        );
        assert_eq!(
            serde_json::to_vec(&received).unwrap(),
            bytes,
            "{event_type} serializes back unchanged"
        );
    }
}

#[test]
fn the_one_pass_parse_agrees_with_the_checked_parse() {
    // `from_slice` takes a one-pass path for well-formed known events; the `Deserialize` impl
    // goes through `Value`. Both must give the same event, whatever the key order.
    for event_type in EventType::ALL {
        let body = TestEvent::new(event_type).seed(3).build().unwrap();
        let event = WebhookEvent::from_invoked(body, "evt_1", common::fixed_now());
        let in_order = serde_json::to_vec(&event).unwrap();
        let sorted = serde_json::to_value(&event).unwrap().to_string();
        let through_value: WebhookEvent = serde_json::from_slice(&in_order).unwrap();
        for bytes in [&in_order[..], sorted.as_bytes()] {
            let parsed = WebhookEvent::from_slice(bytes).unwrap();
            assert_eq!(format!("{parsed:?}"), format!("{through_value:?}"));
        }
    }
    // A repeated key: `Value` keeps the last one, and so does `from_slice`.
    let body = TestEvent::subledger().seed(3).build().unwrap();
    let event = WebhookEvent::from_invoked(body, "first", common::fixed_now());
    let text = serde_json::to_string(&event).unwrap();
    let twice = text.replacen(
        r#""event_id":"first""#,
        r#""event_id":"first","event_id":"last""#,
        1,
    );
    assert_eq!(
        WebhookEvent::from_slice(twice.as_bytes()).unwrap().event_id,
        "last"
    );
}

#[test]
fn created_at_is_signed_as_json_decodes_it() {
    // An escaped `created_at` is signed decoded (as Orum's sample code does): `sign` decodes
    // it on its own path, `verify` in its one-pass parse.
    let key = SigningKey::generate().unwrap();
    let verifier = key.verifier().unwrap();
    let body = BODY.replace("2022-07-26T18:45:17.441Z", "2022-07-26T18:45:17.441\\u005A");
    assert_ne!(body, BODY);
    let signature = key.sign(body.as_bytes()).unwrap();
    let event = verifier.verify(&signature, body.as_bytes()).unwrap();
    assert_eq!(
        event.created_at.to_rfc3339(),
        "2022-07-26T18:45:17.441+00:00"
    );
    verifier
        .verify_signature(&signature, body.as_bytes())
        .unwrap();
}

#[test]
fn orums_published_shapes_parse() {
    let event = WebhookEvent::from_slice(BODY.as_bytes()).unwrap();
    let EventData::ExternalAccount(account) = &event.data else {
        panic!("{event:?}")
    };
    assert_eq!(account.account_holder_name, "Tester Smith");
    assert_eq!(
        event.created_at.to_rfc3339(),
        "2022-07-26T18:45:17.441+00:00"
    );
    // Verify puts created_at first and the resource under `account`.
    let verify = json!({"created_at": "2023-11-16T10:00:00.000Z", "event_id": "v1", "event_type": "verify_account_updated",
        "event_data": {"account": {"id": "95f3c03d-a5c3-46b8-a7be-056b903bfd54", "account_number": "123456789",
        "routing_number": "912345678", "account_holder_name": "Tester Smith", "verification_status": "valid",
        "estimated_verification_date": "2023-11-17T00:00:00Z", "created_at": "2023-11-16T10:00:00Z",
        "updated_at": "2023-11-16T10:00:00Z", "a_field_orum_added_later": 1}}});
    let event = WebhookEvent::from_slice(verify.to_string().as_bytes()).unwrap();
    assert!(
        matches!(event.data, EventData::VerifyAccount(_)),
        "{event:?}"
    );
}

#[test]
fn unknown_event_types_are_kept_not_rejected() {
    let body = r#"{"event_id":"g1","event_type":"transfer_group_updated","created_at":"2024-01-01T00:00:00.000Z","event_data":{"transfer_group":{"id":"tg","transfers":[1,2]}}}"#;
    let key = SigningKey::generate().unwrap();
    let event = key
        .verifier()
        .unwrap()
        .verify(&key.sign(body.as_bytes()).unwrap(), body.as_bytes())
        .unwrap();
    let EventData::Unknown {
        key: resource,
        value,
    } = &event.data
    else {
        panic!("{event:?}")
    };
    assert_eq!(
        (resource.as_str(), value["transfers"][1].as_u64()),
        ("transfer_group", Some(2))
    );
    assert_eq!(event.known_type(), None);
    assert_eq!(serde_json::to_string(&event).unwrap(), body);
}

#[test]
fn malformed_events_name_the_field() {
    let bad = BODY.replace(
        r#""routing_number":"912345678""#,
        r#""routing_number":"9123""#,
    );
    let err = WebhookEvent::from_slice(bad.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("event_data.external_account.routing_number"),
        "{err}"
    );
    let err = WebhookEvent::from_slice(
        br#"{"event_id":"e","event_type":"person_created","created_at":"x","event_data":{}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("created_at: is not an RFC 3339 time"), "{err}");
}

struct Tamper {
    key: SigningKey,
    verifier: Verifier,
    signature: String,
}

impl Tamper {
    fn new() -> Self {
        let key = SigningKey::generate().unwrap();
        let verifier = key.verifier().unwrap();
        let signature = key.sign(BODY.as_bytes()).unwrap();
        Tamper {
            key,
            verifier,
            signature,
        }
    }
    fn verify(&self, body: &str) -> Result<WebhookEvent, VerifyError> {
        self.verifier.verify(&self.signature, body.as_bytes())
    }
}

#[test]
fn tampering_is_caught() {
    let t = Tamper::new();
    assert!(t.verify(BODY).is_ok());
    let mismatch = |r: Result<WebhookEvent, VerifyError>| {
        assert_eq!(r.unwrap_err(), VerifyError::SignatureMismatch)
    };
    mismatch(t.verify(&BODY.replace("Tester Smith", "Tester Smiti")));
    mismatch(t.verify(&BODY.replace("2022-07-26T18:45:17.441Z", "2022-07-26T18:45:17.442Z")));
    mismatch(t.verify(&BODY.replacen(',', ", ", 1)));
    mismatch(t.verify(&format!("{BODY}\n")));
    let other = SigningKey::generate()
        .unwrap()
        .sign(BODY.as_bytes())
        .unwrap();
    assert_eq!(
        t.verifier.verify(&other, BODY.as_bytes()).unwrap_err(),
        VerifyError::SignatureMismatch
    );
    // One flipped bit in the signature.
    let mut sig = B64.decode(&t.signature).unwrap();
    sig[100] ^= 1;
    assert_eq!(
        t.verifier
            .verify(&B64.encode(sig), BODY.as_bytes())
            .unwrap_err(),
        VerifyError::SignatureMismatch
    );
    drop(t.key);
}

#[test]
fn malformed_signatures_are_refused_before_any_crypto() {
    let t = Tamper::new();
    let malformed = |sig: &str| match t.verifier.verify(sig, BODY.as_bytes()) {
        Err(VerifyError::MalformedSignature(m)) => m,
        other => panic!("{sig:?}: {other:?}"),
    };
    assert!(malformed(&B64.encode([7u8; 255])).contains("255 bytes; an RSA-2048 signature is 256"));
    assert!(malformed("!!!not base64!!!").contains("not base64"));
    assert!(malformed(&"A".repeat(5000)).contains("5000 characters"));
    let truncated = B64.encode(&B64.decode(&t.signature).unwrap()[..128]);
    assert!(malformed(&truncated).contains("128 bytes"));
    assert_eq!(
        t.verifier.verify("", BODY.as_bytes()).unwrap_err(),
        VerifyError::MissingSignature
    );
    assert_eq!(
        t.verifier.verify("  ", BODY.as_bytes()).unwrap_err(),
        VerifyError::MissingSignature
    );
}

#[test]
fn bodies_without_created_at_or_json_are_refused() {
    let t = Tamper::new();
    let no_created_at = BODY.replace(r#""created_at":"2022-07-26T18:45:17.441Z","#, "");
    assert_eq!(
        t.verify(&no_created_at).unwrap_err(),
        VerifyError::MissingCreatedAt
    );
    assert!(matches!(
        t.verify("not json"),
        Err(VerifyError::MalformedBody(_))
    ));
    assert!(matches!(
        t.verify("[1,2]"),
        Err(VerifyError::MalformedBody(_))
    ));
}

#[test]
fn signature_header_is_read_from_request_headers() {
    let t = Tamper::new();
    let mut headers = reqwest::header::HeaderMap::new();
    assert_eq!(
        t.verifier
            .verify_request(&headers, BODY.as_bytes())
            .unwrap_err(),
        VerifyError::MissingSignature
    );
    headers.insert("signature", t.signature.parse().unwrap());
    assert!(t.verifier.verify_request(&headers, BODY.as_bytes()).is_ok());
}

#[test]
fn freshness_window_is_off_by_default_and_uses_the_clock() {
    let t = Tamper::new();
    assert!(
        t.verify(BODY).is_ok(),
        "a 2022 event verifies without a window"
    );
    let clock = ManualClock::new("2022-07-26T18:50:00Z".parse().unwrap());
    let windowed = t
        .verifier
        .clone()
        .max_age(Duration::from_secs(600))
        .clock(clock.clone());
    assert!(windowed.verify(&t.signature, BODY.as_bytes()).is_ok());
    clock.advance(Duration::from_secs(600));
    let err = windowed.verify(&t.signature, BODY.as_bytes()).unwrap_err();
    assert!(matches!(err, VerifyError::Stale { .. }), "{err:?}");
    clock.set("2022-07-26T18:30:00Z".parse().unwrap());
    assert!(
        matches!(
            windowed.verify(&t.signature, BODY.as_bytes()),
            Err(VerifyError::Stale { .. })
        ),
        "future too"
    );
}

#[test]
fn debug_output_holds_no_key_material() {
    let key = SigningKey::generate().unwrap();
    let pem = key.to_pkcs8_pem().unwrap();
    let inner: String = pem.lines().nth(2).unwrap().to_owned();
    let debug = format!("{key:?} {:?}", key.verifier().unwrap());
    assert!(
        !debug.contains(&inner) && debug.contains("REDACTED"),
        "{debug}"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn fixture() -> &'static (Verifier, String) {
        static FIXTURE: OnceLock<(Verifier, String)> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let key = SigningKey::generate().unwrap();
            (key.verifier().unwrap(), key.sign(BODY.as_bytes()).unwrap())
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn verification_never_panics(body in proptest::collection::vec(any::<u8>(), 0..600), header in ".{0,400}") {
            let (verifier, signature) = fixture();
            let _ = verifier.verify(&header, &body);
            let _ = verifier.verify(signature, &body);
        }

        #[test]
        fn a_mutated_body_is_never_accepted(index in 0..BODY.len(), byte in any::<u8>()) {
            let (verifier, signature) = fixture();
            let mut body = BODY.as_bytes().to_vec();
            prop_assume!(body[index] != byte);
            body[index] = byte;
            prop_assert!(verifier.verify(signature, &body).is_err());
        }

        #[test]
        fn a_mutated_signature_is_never_accepted(index in 0..256usize, bit in 0..8u8) {
            let (verifier, signature) = fixture();
            let mut raw = B64.decode(signature).unwrap();
            raw[index] ^= 1 << bit;
            prop_assert_eq!(verifier.verify(&B64.encode(raw), BODY.as_bytes()).unwrap_err(), VerifyError::SignatureMismatch);
        }
    }
}
