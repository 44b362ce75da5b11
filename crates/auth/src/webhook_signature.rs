//! Webhook signatures, as the Standard Webhooks specification writes them: the receiver gets
//! `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64>`, the
//! HMAC-SHA256 of `<id>.<timestamp>.<body>` under the subscriber's secret (`whsec_` + base64
//! of 24 random bytes; the key is those bytes). A receiver recomputes it, compares in constant
//! time and refuses timestamps more than a few minutes away from its clock (replays).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::AuthError;

const PREFIX: &str = "whsec_";

/// A new signing secret.
pub fn new_secret() -> String {
    let mut raw = [0u8; 24];
    rand::rng().fill_bytes(&mut raw);
    format!("{PREFIX}{}", STANDARD.encode(raw))
}

/// The `webhook-signature` header of `body` sent as message `id` at `timestamp`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, AuthError> {
    let key = STANDARD
        .decode(secret.strip_prefix(PREFIX).unwrap_or(secret))
        .map_err(|_| AuthError::Unseal)?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(|_| AuthError::Unseal)?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_standard_webhooks_one() {
        // The specification's own example.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_are_fresh_and_usable() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX));
        assert!(sign(&a, "1", 0, b"{}").is_ok());
        assert!(sign("whsec_%%%", "1", 0, b"{}").is_err());
    }
}
