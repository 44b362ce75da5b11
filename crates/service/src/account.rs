//! A person's own account: two-factor authentication (enrolment, recovery codes) and their
//! password. For people signed in to the Hub only: an API token is refused.

use chrono::{DateTime, Utc};
use pms_domain::account::{SecurityStatus, TotpEnrolment};
use pms_domain::error::AppError;

use crate::audit::{begin, commit, record_in};
use crate::{internal, AppResult, Caller, Context};

/// The caller's two-factor status and recovery codes left.
#[tracing::instrument(name = "account.security_status", skip_all, fields(caller = %caller))]
pub async fn security_status(cx: &Context, caller: &Caller) -> AppResult<SecurityStatus> {
    let me = caller.person()?;
    Ok(SecurityStatus {
        email: me.user.email.clone(),
        mfa_enabled: me.user.mfa_enabled,
        mfa_required: cx.db.mfa_required(me.user.role).await?,
        recovery_codes_left: cx.db.remaining_recovery_codes(me.user.user_id).await?,
    })
}

/// An enrolment begun: what the page shows, and the new secret, which the adapter keeps (in
/// the browser session) until [`confirm_totp`] is given a code from it. Never logged.
pub struct TotpStarted {
    pub enrolment: TotpEnrolment,
    pub pending_secret: Vec<u8>,
}

/// Starts enrolment: a new secret, as a key and a QR code.
#[tracing::instrument(name = "account.begin_totp", skip_all, fields(caller = %caller))]
pub async fn begin_totp(_cx: &Context, caller: &Caller) -> AppResult<TotpStarted> {
    let me = caller.person()?;
    if me.user.mfa_enabled {
        return Err(AppError::bad_request(
            "Two-factor authentication is already on. An administrator can reset it.",
        ));
    }
    let secret = pms_auth::totp::new_secret();
    let uri = pms_auth::totp::provisioning_uri(&secret, &me.user.email).map_err(internal)?;
    Ok(TotpStarted {
        enrolment: TotpEnrolment {
            secret: pms_auth::totp::secret_base32(&secret),
            qr_svg: pms_auth::totp::qr_svg(&uri).map_err(internal)?,
            uri,
        },
        pending_secret: secret,
    })
}

/// Confirms enrolment of `pending_secret` (from [`begin_totp`]; none if it was not begun)
/// with a code from the app: turns two-factor authentication on, recorded as
/// `account.mfa_enabled`. Returns the recovery codes (shown once).
#[tracing::instrument(name = "account.confirm_totp", skip_all, fields(caller = %caller))]
pub async fn confirm_totp(
    cx: &Context,
    caller: &Caller,
    pending_secret: Option<&[u8]>,
    code: &str,
) -> AppResult<Vec<String>> {
    let me = caller.person()?;
    let Some(secret) = pending_secret else {
        return Err(AppError::bad_request(
            "Start again: scan the QR code, then enter the code it shows.",
        ));
    };
    let now = Utc::now().timestamp().max(0) as u64;
    if pms_auth::totp::matching_step(secret, code, now).is_none() {
        return Err(AppError::bad_request(
            "That code does not match. Check the time on your phone and enter the current code.",
        ));
    }
    let (codes, hashes) = new_recovery_codes();
    let mut tx = begin(cx).await?;
    pms_store::Db::enable_totp(&mut tx, me.user.user_id, &cx.keys.seal(secret), &hashes).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "account.mfa_enabled",
        Some(("user", me.user.user_id.to_string())),
        serde_json::Value::Null,
    )
    .await?;
    commit(tx).await?;
    Ok(codes)
}

/// Replaces the caller's recovery codes, recorded as `account.recovery_codes_replaced`;
/// returns the new ones (shown once).
#[tracing::instrument(name = "account.regenerate_recovery_codes", skip_all, fields(caller = %caller))]
pub async fn regenerate_recovery_codes(cx: &Context, caller: &Caller) -> AppResult<Vec<String>> {
    let me = caller.person()?;
    if !me.user.mfa_enabled {
        return Err(AppError::bad_request(
            "Turn on two-factor authentication first.",
        ));
    }
    let (codes, hashes) = new_recovery_codes();
    let mut tx = begin(cx).await?;
    pms_store::Db::replace_recovery_codes(&mut tx, me.user.user_id, &hashes).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "account.recovery_codes_replaced",
        Some(("user", me.user.user_id.to_string())),
        serde_json::Value::Null,
    )
    .await?;
    commit(tx).await?;
    Ok(codes)
}

/// Changes the caller's password (the current one first, the new one twice, within the
/// policy), recorded as `account.password_changed`. Returns when the new password was set:
/// every session opened before then ends at its next request, so the adapter moves the
/// caller's own session on to it.
#[tracing::instrument(name = "account.change_password", skip_all, fields(caller = %caller))]
pub async fn change_password(
    cx: &Context,
    caller: &Caller,
    current: String,
    new_password: String,
    confirm: String,
) -> AppResult<DateTime<Utc>> {
    let me = caller.person()?;
    let user = cx
        .db
        .user_by_id(me.user.user_id)
        .await?
        .ok_or_else(|| AppError::bad_request("Sign in again."))?;
    if !pms_auth::password::verify(user.password_hash.clone(), current).await {
        return Err(AppError::bad_request(
            "Your current password is not correct.",
        ));
    }
    if new_password != confirm {
        return Err(AppError::bad_request("The two new passwords differ."));
    }
    pms_auth::password::check_policy(&new_password, &user.email, &user.display_name)
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let hash = pms_auth::password::hash(new_password)
        .await
        .map_err(internal)?;
    let mut tx = begin(cx).await?;
    let changed_at = pms_store::Db::set_password_hash(&mut tx, user.user_id, &hash).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "account.password_changed",
        Some(("user", user.user_id.to_string())),
        serde_json::Value::Null,
    )
    .await?;
    commit(tx).await?;
    Ok(changed_at)
}

/// New recovery codes and their hashes (the store keeps only the hashes).
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes = pms_auth::totp::new_recovery_codes();
    let hashes = codes
        .iter()
        .map(|c| pms_auth::totp::hash_recovery_code(c))
        .collect();
    (codes, hashes)
}
