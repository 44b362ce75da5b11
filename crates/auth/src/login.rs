//! Signing in: password check with throttling and lockout, then the second factor.
//!
//! Failures are counted per e-mail address whether or not an account exists, and an unknown
//! address is "verified" against a dummy hash, so neither the answer nor its timing tells an
//! attacker which addresses have accounts. After [`MAX_FAILURES`] the address is locked until
//! an admin unlocks it.

use pms_store::identity::UserRecord;
use pms_store::Db;

use crate::{password, totp, AuthError, MasterKey};

pub const MAX_FAILURES: i32 = 5;

/// The result of the password step.
#[derive(Debug)]
pub enum PasswordOutcome {
    /// Signed in, nothing more to prove.
    SignedIn(UserRecord),
    /// The password was right; the user has a second factor to enter.
    SecondFactor(UserRecord),
    /// The password was right; the role requires a second factor the user has not set up yet:
    /// they may only enrol until they have.
    MustEnrol(UserRecord),
    Refused(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown address, wrong password or deactivated account: deliberately indistinguishable.
    BadCredentials,
    Locked,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::BadCredentials => "The e-mail address or password is not correct.",
            Refusal::Locked => {
                "Sign-in for this account is locked after repeated failed attempts. \
                 Ask an administrator to unlock it."
            }
        }
    }
}

pub async fn check_password(
    db: &Db,
    email: &str,
    password_given: &str,
) -> Result<PasswordOutcome, AuthError> {
    let throttle = db.login_throttle(email).await?;
    let user = db.user_by_email(email).await?;
    let usable = user
        .as_ref()
        .filter(|u| u.is_active && u.password_hash.is_some());
    let stored_hash = usable.and_then(|u| u.password_hash.clone());
    // Always spend the hashing time, even when the answer is already known.
    let password_ok = password::verify(stored_hash, password_given.to_owned()).await;

    if throttle.locked_at.is_some() {
        return Ok(PasswordOutcome::Refused(Refusal::Locked));
    }
    let Some(user) = usable.filter(|_| password_ok).cloned() else {
        let after = db.record_login_failure(email, MAX_FAILURES).await?;
        let refusal = if after.locked_at.is_some() {
            Refusal::Locked
        } else {
            Refusal::BadCredentials
        };
        return Ok(PasswordOutcome::Refused(refusal));
    };
    if user.mfa_enabled() {
        Ok(PasswordOutcome::SecondFactor(user))
    } else if db.mfa_required(user.role).await? {
        Ok(PasswordOutcome::MustEnrol(user))
    } else {
        Ok(PasswordOutcome::SignedIn(user))
    }
}

/// Checks a second-factor answer: a current TOTP code not used before, or an unused recovery
/// code. Failures count towards the lockout like wrong passwords.
pub async fn check_second_factor(
    db: &Db,
    key: &MasterKey,
    user: &UserRecord,
    answer: &str,
) -> Result<bool, AuthError> {
    let throttle = db.login_throttle(&user.email).await?;
    if throttle.locked_at.is_some() {
        return Ok(false);
    }
    let ok = match &user.totp_secret {
        Some(sealed)
            if answer
                .trim()
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_whitespace()) =>
        {
            let secret = key.open(sealed)?;
            let now = chrono::Utc::now().timestamp().max(0) as u64;
            match totp::matching_step(&secret, answer, now) {
                Some(step) => db.claim_totp_step(user.user_id, step as i64).await?,
                None => false,
            }
        }
        Some(_) => {
            db.use_recovery_code(user.user_id, &totp::hash_recovery_code(answer))
                .await?
        }
        None => false,
    };
    if !ok {
        db.record_login_failure(&user.email, MAX_FAILURES).await?;
    }
    Ok(ok)
}
