//! Proving a webhook came from Orum.
//!
//! Orum signs each delivery with its RSA-2048 key: RSASSA-PKCS1-v1_5 with SHA-256 over the raw
//! body bytes followed by the body's `created_at` value, base64 in the `Signature` header.
//! The public key comes from `GET /webhooks/secret`.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};

use crate::clock::{Clock, SystemClock};
use crate::event::WebhookEvent;

/// The header Orum puts the signature in.
pub const SIGNATURE_HEADER: &str = "Signature";

/// Smallest RSA key accepted.
const MIN_KEY_BITS: usize = 2048;

/// Why a delivery was not accepted, or a key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The `Signature` header is absent or empty.
    #[error("missing Signature header")]
    MissingSignature,
    /// The `Signature` header cannot be an RSA signature (checked before any cryptography).
    #[error("malformed Signature header: {0}")]
    MalformedSignature(String),
    /// The signature does not match the body: not from Orum, or changed on the way.
    #[error("signature does not match the body")]
    SignatureMismatch,
    /// The body is not a webhook Orum sends.
    #[error("malformed webhook body: {0}")]
    MalformedBody(String),
    /// The body has no top-level `created_at` string, which the signature covers.
    #[error("webhook body has no created_at string, which the signature covers")]
    MissingCreatedAt,
    /// The event is older (or further in the future) than the configured window.
    #[error("event created at {created_at} is outside the {max_age:?} freshness window")]
    Stale {
        /// The event's `created_at`.
        created_at: DateTime<Utc>,
        /// The window configured with [`Verifier::max_age`].
        max_age: Duration,
    },
    /// The public key cannot be read, or is not an RSA key of at least 2048 bits.
    #[error("unusable public key: {0}")]
    InvalidKey(String),
}

/// Checks the signature of webhook deliveries and parses them.
///
/// Cheap to clone and safe to share between threads.
#[derive(Clone)]
pub struct Verifier {
    key: Arc<ParsedPublicKey>,
    signature_len: usize,
    max_age: Option<Duration>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("key_bits", &(self.signature_len * 8))
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for this RSA public key: PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC
    /// KEY`), DER bytes, or DER in base64, of either SubjectPublicKeyInfo or PKCS#1. Keys
    /// under 2048 bits are refused.
    pub fn from_public_key(key: impl AsRef<[u8]>) -> Result<Self, VerifyError> {
        let der = key_der(key.as_ref())?;
        let invalid =
            |what: &str, e: &dyn std::fmt::Display| VerifyError::InvalidKey(format!("{what}: {e}"));
        let public = aws_lc_rs::rsa::PublicKey::from_der(&der)
            .map_err(|e| invalid("not an RSA public key", &e))?;
        let spki = public
            .as_der()
            .map_err(|e| invalid("cannot re-encode the key", &e))?;
        let bits = match aws_lc_rs::rsa::PublicEncryptingKey::from_der(spki.as_ref()) {
            Ok(key) => key.key_size_bits(),
            Err(e) if e.description_() == "TooSmall" => {
                return Err(VerifyError::InvalidKey(format!(
                    "smaller than {MIN_KEY_BITS} bits; Orum signs with RSA-2048"
                )));
            }
            Err(e) => return Err(invalid("not an RSA public key", &e)),
        };
        let key = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki.as_ref())
            .map_err(|e| invalid("not usable for RSA PKCS#1 SHA-256", &e))?;
        Ok(Verifier {
            key: Arc::new(key),
            signature_len: bits.div_ceil(8),
            max_age: None,
            clock: Arc::new(SystemClock),
        })
    }

    /// Refuses events whose `created_at` is further than `max_age` from now.
    ///
    /// Off by default: Orum retries a failed delivery for up to 24 hours with the original
    /// `created_at` and signature, so a window shorter than that refuses genuine retries. The
    /// signature already covers `created_at`; deduplicate on `event_id` to stop replays.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// The clock the freshness window is judged by (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks `signature` (the `Signature` header value) against the raw `body` bytes and
    /// returns the parsed event only if it holds. The bytes are used exactly as received,
    /// never re-serialized.
    pub fn verify(&self, signature: &str, body: &[u8]) -> Result<WebhookEvent, VerifyError> {
        // One pass finds `created_at` and parses the event; only a body it cannot take is read
        // again, the slower way, to name the problem (after the signature, as always).
        let event = match WebhookEvent::from_slice_typed(body) {
            Some((created_at, event)) => {
                self.check(&self.decode_signature(signature)?, body, &created_at)?;
                event
            }
            None => {
                self.verify_signature(signature, body)?;
                WebhookEvent::from_slice_checked(body)?
            }
        };
        if let Some(max_age) = self.max_age {
            let age = (self.clock.now() - event.created_at).abs();
            if age > TimeDelta::from_std(max_age).unwrap_or(TimeDelta::MAX) {
                return Err(VerifyError::Stale {
                    created_at: event.created_at,
                    max_age,
                });
            }
        }
        Ok(event)
    }

    /// Checks only the signature, for a body that is passed on as it is (no parsing beyond
    /// finding `created_at`, no freshness window).
    pub fn verify_signature(&self, signature: &str, body: &[u8]) -> Result<(), VerifyError> {
        let signature = self.decode_signature(signature)?;
        self.check(&signature, body, &created_at_of(body)?)
    }

    /// Orum signs the body followed by its `created_at`.
    fn check(&self, signature: &[u8], body: &[u8], created_at: &str) -> Result<(), VerifyError> {
        // Hashed in two parts: no copy of the body to append `created_at` to.
        let mut digest = digest::Context::new(&digest::SHA256);
        digest.update(body);
        digest.update(created_at.as_bytes());
        self.key
            .verify_digest_sig(&digest.finish(), signature)
            .map_err(|_| VerifyError::SignatureMismatch)
    }

    /// Like [`verify`](Verifier::verify), taking the signature from the request headers.
    pub fn verify_request(
        &self,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
    ) -> Result<WebhookEvent, VerifyError> {
        let signature = match headers.get(SIGNATURE_HEADER) {
            None => return Err(VerifyError::MissingSignature),
            Some(value) => value
                .to_str()
                .map_err(|_| VerifyError::MalformedSignature("header is not ASCII text".into()))?,
        };
        self.verify(signature, body)
    }

    fn decode_signature(&self, header: &str) -> Result<Vec<u8>, VerifyError> {
        let header = header.trim();
        if header.is_empty() {
            return Err(VerifyError::MissingSignature);
        }
        // Base64 of the expected length is short; refuse anything far longer before decoding.
        if header.len() > self.signature_len * 2 {
            return Err(VerifyError::MalformedSignature(format!(
                "{} characters; an RSA-{} signature is {} in base64",
                header.len(),
                self.signature_len * 8,
                self.signature_len.div_ceil(3) * 4
            )));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(header)
            .map_err(|e| VerifyError::MalformedSignature(format!("not base64: {e}")))?;
        if bytes.len() != self.signature_len {
            return Err(VerifyError::MalformedSignature(format!(
                "{} bytes; an RSA-{} signature is {}",
                bytes.len(),
                self.signature_len * 8,
                self.signature_len
            )));
        }
        Ok(bytes)
    }
}

/// The top-level `created_at` string, as JSON decodes it (what Orum's sample code signs).
pub(crate) fn created_at_of(body: &[u8]) -> Result<Cow<'_, str>, VerifyError> {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        created_at: Option<Cow<'a, str>>,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body)
        .map_err(|e| VerifyError::MalformedBody(format!("not a JSON object: {e}")))?;
    envelope.created_at.ok_or(VerifyError::MissingCreatedAt)
}

fn key_der(key: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let text = std::str::from_utf8(key).map(str::trim);
    match text {
        Ok(text) if text.starts_with("-----BEGIN") => {
            let pem =
                pem::parse(text).map_err(|e| VerifyError::InvalidKey(format!("bad PEM: {e}")))?;
            match pem.tag() {
                "PUBLIC KEY" | "RSA PUBLIC KEY" => Ok(pem.into_contents()),
                other => Err(VerifyError::InvalidKey(format!(
                    "PEM holds a {other}, not a PUBLIC KEY or RSA PUBLIC KEY"
                ))),
            }
        }
        Ok(text) if !text.is_empty() => {
            let compact: String = text.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|e| VerifyError::InvalidKey(format!("neither PEM, DER nor base64: {e}")))
        }
        Ok(_) => Err(VerifyError::InvalidKey("empty".into())),
        Err(_) => Ok(key.to_vec()),
    }
}
