//! The optional second factor: time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 s,
//! the parameters every authenticator app supports) and single-use recovery codes.

use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

use crate::AuthError;

pub const ISSUER: &str = "PMS Intelligence Hub";
const STEP_SECONDS: u64 = 30;
const RECOVERY_CODES: usize = 10;

/// A new random 160-bit secret (RFC 4226 recommends 160 bits).
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> Result<TOTP, AuthError> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        secret.to_vec(),
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .map_err(|e| AuthError::Rejected(format!("invalid TOTP secret: {e}")))
}

/// The `otpauth://` URI an authenticator app scans.
pub fn provisioning_uri(secret: &[u8], account: &str) -> Result<String, AuthError> {
    Ok(totp(secret, account)?.get_url())
}

/// The secret in base32, for typing into an app by hand.
pub fn secret_base32(secret: &[u8]) -> String {
    totp_rs::Secret::Raw(secret.to_vec())
        .to_encoded()
        .to_string()
}

/// The URI as an SVG QR code (no external service sees the secret).
pub fn qr_svg(uri: &str) -> Result<String, AuthError> {
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| AuthError::Rejected(format!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// The time step (`unix_time / 30`) at which `code` is valid, allowing one step of clock skew
/// either way; `None` if it is not valid now. The caller refuses steps already used.
pub fn matching_step(secret: &[u8], code: &str, unix_time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret, "check").ok()?;
    let now_step = unix_time / STEP_SECONDS;
    [now_step.saturating_sub(1), now_step, now_step + 1]
        .into_iter()
        .find(|step| totp.generate(step * STEP_SECONDS) == code)
}

/// The current code (for tests and the enrolment check).
pub fn current_code(secret: &[u8], unix_time: u64) -> Result<String, AuthError> {
    Ok(totp(secret, "check")?.generate(unix_time))
}

/// Ten fresh recovery codes, shown once (`k7qm-2xfp`, no ambiguous characters).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut code = String::with_capacity(9);
            for i in 0..8 {
                if i == 4 {
                    code.push('-');
                }
                code.push(ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char);
            }
            code
        })
        .collect()
}

/// How a recovery code is stored and looked up: SHA-256 of its normalised form (they are
/// random 40-bit values used once, so a fast hash suffices).
pub fn hash_recovery_code(code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_step_and_neighbours_only() {
        let secret = new_secret();
        let t = 1_790_000_000;
        let code = current_code(&secret, t).expect("code");
        assert_eq!(matching_step(&secret, &code, t), Some(t / 30));
        assert_eq!(matching_step(&secret, &code, t + 30), Some(t / 30));
        assert_eq!(matching_step(&secret, &code, t + 120), None);
        assert_eq!(matching_step(&secret, "12345", t), None);
        assert_eq!(matching_step(&secret, "abcdef", t), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_ignoring_format() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        assert_eq!(
            hash_recovery_code("K7QM-2XFP"),
            hash_recovery_code("k7qm2xfp ")
        );
    }

    #[test]
    fn provisioning_uri_names_the_issuer_and_account() {
        let uri = provisioning_uri(&new_secret(), "priya@example.in").expect("uri");
        assert!(uri.starts_with("otpauth://totp/"));
        assert!(uri.contains("issuer=PMS%20Intelligence%20Hub"));
        assert!(qr_svg(&uri).expect("svg").contains("<svg"));
    }
}
