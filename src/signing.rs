//! Signing webhooks exactly as Orum does, for testing receivers (feature `test-util`).

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine;

use crate::event::WebhookEvent;
use crate::verify::{Verifier, VerifyError, created_at_of};

/// An RSA-2048 key pair that signs webhooks the way Orum does.
///
/// ```
/// use orum_webhooks::{SigningKey, TestEvent, WebhookEvent, raw::types::PersonEventType};
/// let key = SigningKey::generate()?;
/// let body = br#"{"event_id":"e1","event_type":"x_y","created_at":"2024-01-01T00:00:00.000Z","event_data":{"x":{}}}"#;
/// let signature = key.sign(body)?;
/// let event = key.verifier()?.verify(&signature, body)?;
/// assert_eq!(event.event_id, "e1");
/// # Ok::<(), orum_webhooks::VerifyError>(())
/// ```
pub struct SigningKey {
    pair: KeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey([REDACTED])")
    }
}

impl SigningKey {
    /// A new random RSA-2048 key pair.
    pub fn generate() -> Result<Self, VerifyError> {
        let pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|e| VerifyError::InvalidKey(format!("key generation failed: {e}")))?;
        Ok(SigningKey { pair })
    }

    /// A key pair from a PKCS#8 PEM (`BEGIN PRIVATE KEY`), as `openssl genpkey` writes it.
    pub fn from_pkcs8_pem(pem_text: &str) -> Result<Self, VerifyError> {
        let pem =
            pem::parse(pem_text).map_err(|e| VerifyError::InvalidKey(format!("bad PEM: {e}")))?;
        if pem.tag() != "PRIVATE KEY" {
            return Err(VerifyError::InvalidKey(format!(
                "PEM holds a {}, not a PRIVATE KEY (PKCS#8)",
                pem.tag()
            )));
        }
        let pair = KeyPair::from_pkcs8(pem.contents())
            .map_err(|e| VerifyError::InvalidKey(format!("not an RSA private key: {e}")))?;
        Ok(SigningKey { pair })
    }

    /// The private key as PKCS#8 PEM. It is a secret: keep it out of logs.
    pub fn to_pkcs8_pem(&self) -> Result<String, VerifyError> {
        let der: Pkcs8V1Der<'_> = self
            .pair
            .as_der()
            .map_err(|e| VerifyError::InvalidKey(e.to_string()))?;
        Ok(to_pem("PRIVATE KEY", der.as_ref()))
    }

    /// The public key as SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`), what
    /// [`Verifier::from_public_key`] reads.
    pub fn public_key_pem(&self) -> Result<String, VerifyError> {
        let der: PublicKeyX509Der<'_> = self
            .pair
            .public_key()
            .as_der()
            .map_err(|e| VerifyError::InvalidKey(e.to_string()))?;
        Ok(to_pem("PUBLIC KEY", der.as_ref()))
    }

    /// A verifier for this key's signatures.
    pub fn verifier(&self) -> Result<Verifier, VerifyError> {
        Verifier::from_public_key(self.public_key_pem()?)
    }

    /// The `Signature` header value for a raw webhook body: base64 of the RSASSA-PKCS1-v1_5
    /// SHA-256 signature over the body followed by its `created_at` value.
    pub fn sign(&self, body: &[u8]) -> Result<String, VerifyError> {
        let created_at = created_at_of(body)?;
        let mut message = body.to_vec();
        message.extend_from_slice(created_at.as_bytes());
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                &message,
                &mut signature,
            )
            .map_err(|e| VerifyError::InvalidKey(format!("signing failed: {e}")))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(signature))
    }

    /// Serializes `event` and signs it: the body to POST and its `Signature` header value.
    pub fn sign_event(&self, event: &WebhookEvent) -> Result<(Vec<u8>, String), VerifyError> {
        let body =
            serde_json::to_vec(event).map_err(|e| VerifyError::MalformedBody(e.to_string()))?;
        let signature = self.sign(&body)?;
        Ok((body, signature))
    }
}

/// PEM with Unix line endings, as openssl writes it.
fn to_pem(tag: &str, der: &[u8]) -> String {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new(tag, der), config)
}
