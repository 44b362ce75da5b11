//! Signing in and out: the password (rate limited per client address, throttled and locked per
//! address and source), then the second factor if the user has one, and the audit rows of
//! each step. The browser session is the adapter's: these functions say what it should hold.

use chrono::{DateTime, Utc};
use pms_auth::login::{PasswordOutcome, Refusal};
use pms_auth::Principal;
use pms_domain::error::AppError;
use pms_store::identity::UserRecord;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{begin, commit, record, record_in};
use crate::{internal, AppResult, Caller, Context};

/// How far a sign-in has got (kept in the browser session).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Password right; a second factor is still to be entered.
    SecondFactor,
    /// Signed in, but the role requires a second factor the user must set up first.
    MustEnrol,
    /// Fully signed in.
    SignedIn,
}

/// A password accepted: whose, how far the sign-in has got, and when the password was set
/// (a session opened with it ends when it changes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordAccepted {
    pub user_id: i64,
    pub stage: Stage,
    pub password_changed_at: Option<DateTime<Utc>>,
}

/// The answer to a second-factor code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondFactorOutcome {
    /// Right: the user is signed in.
    SignedIn,
    /// Wrong: say so; the pending sign-in stands and the user may try again.
    Retry(AppError),
    /// The pending sign-in is over (the user is gone, or now locked out): end the session and
    /// say why.
    Ended(AppError),
}

const START_AGAIN: &str = "Start by signing in with your password.";

/// Checks an e-mail address and password from the caller's address. Too many attempts from
/// one address are a 429; a refusal (wrong password, locked) is recorded as
/// `auth.login_failed` and answered 400; an accepted password is recorded as `auth.login` (or
/// `auth.password_accepted` when a second factor follows).
#[tracing::instrument(name = "sign_in.password", skip_all, fields(caller = %caller))]
pub async fn password(
    cx: &Context,
    caller: &Caller,
    email: &str,
    password: &str,
) -> AppResult<PasswordAccepted> {
    let source = caller.meta.ip.clone().unwrap_or_default();
    if cx.login_limiter.check_key(&source).is_err() {
        return Err(AppError::TooManyRequests(
            "Too many sign-in attempts from your network. Wait a minute and try again.".into(),
        ));
    }
    let outcome = pms_auth::login::check_password(&cx.db, email, password, &source)
        .await
        .map_err(internal)?;
    let (user, stage) = match outcome {
        PasswordOutcome::Refused(refusal) => {
            let details =
                json!({ "email": email.trim().to_lowercase(), "reason": format!("{refusal:?}") });
            let anonymous = Caller {
                principal: None,
                ..caller.clone()
            };
            record(cx, &anonymous, "auth.login_failed", None, details).await?;
            return Err(AppError::bad_request(refusal.message()));
        }
        PasswordOutcome::SignedIn(user) => (user, Stage::SignedIn),
        PasswordOutcome::SecondFactor(user) => (user, Stage::SecondFactor),
        PasswordOutcome::MustEnrol(user) => (user, Stage::MustEnrol),
    };
    let as_user = as_user(cx, caller, &user).await?;
    if stage == Stage::SecondFactor {
        record(
            cx,
            &as_user,
            "auth.password_accepted",
            None,
            json!({ "second_factor": "pending" }),
        )
        .await?;
    } else {
        record_login(cx, &as_user, &user, &source, false).await?;
    }
    Ok(PasswordAccepted {
        user_id: user.user_id,
        stage,
        password_changed_at: user.password_changed_at,
    })
}

/// Checks the second step of the sign-in of `user_id` (whose password the session has
/// accepted): a code from the authenticator app, or a recovery code. Failures count towards
/// the same throttle as wrong passwords and are recorded as `auth.second_factor_failed`.
#[tracing::instrument(name = "sign_in.second_factor", skip_all, fields(caller = %caller, user_id = user_id))]
pub async fn second_factor(
    cx: &Context,
    caller: &Caller,
    user_id: i64,
    code: &str,
) -> AppResult<SecondFactorOutcome> {
    let source = caller.meta.ip.clone().unwrap_or_default();
    let Some(user) = cx.db.user_by_id(user_id).await?.filter(|u| u.is_active) else {
        return Ok(SecondFactorOutcome::Ended(AppError::bad_request(
            START_AGAIN,
        )));
    };
    let as_user = as_user(cx, caller, &user).await?;
    if !pms_auth::login::check_second_factor(&cx.db, &cx.keys, &user, code, &source)
        .await
        .map_err(internal)?
    {
        record(
            cx,
            &as_user,
            "auth.second_factor_failed",
            None,
            serde_json::Value::Null,
        )
        .await?;
        let throttle = cx.db.login_throttle(&user.email, &source).await?;
        if throttle.is_locked(Utc::now()) {
            return Ok(SecondFactorOutcome::Ended(AppError::bad_request(
                Refusal::Locked.message(),
            )));
        }
        return Ok(SecondFactorOutcome::Retry(AppError::bad_request(
            "That code is not valid. Enter the current 6-digit code, or a recovery code.",
        )));
    }
    record_login(cx, &as_user, &user, &source, true).await?;
    Ok(SecondFactorOutcome::SignedIn)
}

/// The error for a second step without a pending sign-in.
pub fn start_again() -> AppError {
    AppError::bad_request(START_AGAIN)
}

/// Records `auth.logout` for a signed-in caller (an anonymous one has nothing to end).
#[tracing::instrument(name = "sign_in.sign_out", skip_all, fields(caller = %caller))]
pub async fn sign_out(cx: &Context, caller: &Caller) -> AppResult<()> {
    if caller.principal.is_some() {
        record(cx, caller, "auth.logout", None, serde_json::Value::Null).await?;
    }
    Ok(())
}

/// The caller acting as `user`, whose password has just been accepted (the session does not
/// know them yet).
async fn as_user(cx: &Context, caller: &Caller, user: &UserRecord) -> AppResult<Caller> {
    let principal = Principal::for_user(&cx.db, user).await.map_err(internal)?;
    Ok(Caller {
        principal: Some(principal),
        ..caller.clone()
    })
}

/// A completed sign-in: the user's last sign-in time, this source's failures cleared, and the
/// `auth.login` record, in one transaction.
async fn record_login(
    cx: &Context,
    as_user: &Caller,
    user: &UserRecord,
    source: &str,
    second_factor: bool,
) -> AppResult<()> {
    let mut tx = begin(cx).await?;
    pms_store::Db::record_login(&mut tx, user.user_id, &user.email, source).await?;
    record_in(
        cx,
        &mut tx,
        as_user,
        "auth.login",
        None,
        json!({ "second_factor": second_factor }),
    )
    .await?;
    commit(tx).await
}

/// A password's `password_changed_at` as a session keeps it (microseconds; 0 for none).
pub fn credentials_stamp(password_changed_at: Option<DateTime<Utc>>) -> i64 {
    password_changed_at.map_or(0, |t| t.timestamp_micros())
}

/// The principal of a browser session that is past the password (and the second factor, if
/// any), checked on every request: none — and the session ends — when the user has been
/// deactivated, or their password has changed or been reset since the session was opened with
/// the password stamped `credentials_from`.
#[tracing::instrument(name = "sign_in.session", skip_all, fields(user_id = user_id))]
pub async fn session_principal(
    cx: &Context,
    user_id: i64,
    credentials_from: i64,
) -> AppResult<Option<Principal>> {
    let Some(user) = cx.db.user_by_id(user_id).await? else {
        return Ok(None);
    };
    if !user.is_active || credentials_stamp(user.password_changed_at) > credentials_from {
        return Ok(None);
    }
    Principal::for_user(&cx.db, &user)
        .await
        .map(Some)
        .map_err(|e| match e {
            pms_auth::AuthError::Store(e) => e.into(),
            other => internal(other),
        })
}
