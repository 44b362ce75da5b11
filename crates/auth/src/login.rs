//! Signing in: password check with throttling, then the second factor.
//!
//! Failures are counted per e-mail address *and source address*, whether or not an account
//! exists, and an unknown address is "verified" against a dummy hash, so neither the answer nor
//! its timing tells an attacker which addresses have accounts. After a few failures the source
//! is locked out of that address for a time that doubles with each further failure (see
//! [`ThrottlePolicy`]): guessing is slowed to a crawl, yet nobody elsewhere can lock the real
//! user out of their account. An admin unlock clears the counters.

use pms_store::identity::{ThrottlePolicy, UserRecord};
use pms_store::Db;

use crate::{password, totp, AuthError, MasterKey};

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
    /// Too many failures from this source for this address; try again after the lock.
    Locked,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::BadCredentials => "The e-mail address or password is not correct.",
            Refusal::Locked => {
                "Sign-in to this account from your network is locked for a while after \
                 repeated failed attempts. Try again in a few minutes, or ask an \
                 administrator to unlock it."
            }
        }
    }
}

/// Checks a password given from `source` (the client address).
pub async fn check_password(
    db: &Db,
    email: &str,
    password_given: &str,
    source: &str,
) -> Result<PasswordOutcome, AuthError> {
    let throttle = db.login_throttle(email, source).await?;
    let user = db.user_by_email(email).await?;
    let usable = user
        .as_ref()
        .filter(|u| u.is_active && u.password_hash.is_some());
    let stored_hash = usable.and_then(|u| u.password_hash.clone());
    // Always spend the hashing time, even when the answer is already known.
    let password_ok = password::verify(stored_hash, password_given.to_owned()).await;

    if throttle.is_locked(chrono::Utc::now()) {
        return Ok(PasswordOutcome::Refused(Refusal::Locked));
    }
    let Some(user) = usable.filter(|_| password_ok).cloned() else {
        let after = db
            .record_login_failure(email, source, &ThrottlePolicy::default())
            .await?;
        let refusal = if after.is_locked(chrono::Utc::now()) {
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
/// code. Failures count towards the throttle like wrong passwords.
pub async fn check_second_factor(
    db: &Db,
    key: &MasterKey,
    user: &UserRecord,
    answer: &str,
    source: &str,
) -> Result<bool, AuthError> {
    let throttle = db.login_throttle(&user.email, source).await?;
    if throttle.is_locked(chrono::Utc::now()) {
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
        db.record_login_failure(&user.email, source, &ThrottlePolicy::default())
            .await?;
    }
    Ok(ok)
}
