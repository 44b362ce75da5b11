//! Passwords: argon2id hashes (the PHC string records the parameters, so they can be raised
//! later without invalidating stored hashes) and the policy a new password must meet.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::AuthError;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

/// Passwords so common that length alone does not make them safe.
const COMMON: &[&str] = &[
    "password1234",
    "123456789012",
    "qwertyuiop12",
    "welcome12345",
    "letmein12345",
    "iloveyou1234",
    "admin1234567",
    "password@123",
    "india@123456",
    "passw0rd1234",
    "changeme1234",
    "p@ssw0rd1234",
];

/// Why a proposed password is refused (shown to the user as is).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("Use at least {MIN_LENGTH} characters.")]
    TooShort,
    #[error("Use at most {MAX_LENGTH} characters.")]
    TooLong,
    #[error("Mix letters with digits or symbols.")]
    TooSimple,
    #[error("Do not use your e-mail address or name in the password.")]
    ContainsIdentity,
    #[error("That password is too common; choose another.")]
    Common,
}

/// Checks a proposed password (NIST SP 800-63B style: length first, no composition theatre
/// beyond letters plus something else, nothing guessable from who the user is).
pub fn check_policy(password: &str, email: &str, display_name: &str) -> Result<(), PolicyError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PolicyError::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PolicyError::TooLong);
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_other = password.chars().any(|c| !c.is_alphabetic());
    if !(has_letter && has_other) {
        return Err(PolicyError::TooSimple);
    }
    let lower = password.to_lowercase();
    let local_part = email.split('@').next().unwrap_or_default().to_lowercase();
    let names = display_name.split_whitespace().map(str::to_lowercase);
    if (local_part.len() >= 3 && lower.contains(&local_part))
        || names.filter(|n| n.len() >= 3).any(|n| lower.contains(&n))
    {
        return Err(PolicyError::ContainsIdentity);
    }
    if COMMON.contains(&lower.as_str()) {
        return Err(PolicyError::Common);
    }
    Ok(())
}

/// Hashes on a blocking thread: argon2id deliberately costs tens of milliseconds of CPU.
pub async fn hash(password: String) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AuthError::Hashing(e.to_string()))?
}

pub fn hash_blocking(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

/// Verifies on a blocking thread. With no stored hash it verifies against a fixed dummy hash
/// so that an unknown address takes as long to refuse as a wrong password.
pub async fn verify(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let target = stored.as_deref().unwrap_or(dummy_hash());
        let ok = PasswordHash::new(target)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && stored.is_some()
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("timing equaliser, never a real password").unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_short_simple_personal_and_common_passwords() {
        let email = "priya.sharma@example.in";
        let name = "Priya Sharma";
        assert_eq!(
            check_policy("short1!", email, name),
            Err(PolicyError::TooShort)
        );
        assert_eq!(
            check_policy("onlylettersherenow", email, name),
            Err(PolicyError::TooSimple)
        );
        assert_eq!(
            check_policy("priya.sharma-2026", email, name),
            Err(PolicyError::ContainsIdentity)
        );
        assert_eq!(
            check_policy("mysharma-secret-9", email, name),
            Err(PolicyError::ContainsIdentity)
        );
        assert_eq!(
            check_policy("Password1234", email, name),
            Err(PolicyError::Common)
        );
        assert_eq!(check_policy("teal-monsoon-42-ledger", email, name), Ok(()));
    }

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let stored = hash("teal-monsoon-42-ledger".into()).await.expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(Some(stored.clone()), "teal-monsoon-42-ledger".into()).await);
        assert!(!verify(Some(stored), "teal-monsoon-42-ledgeR".into()).await);
        assert!(!verify(None, "anything at all".into()).await);
    }
}
