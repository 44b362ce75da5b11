//! Invitations and password reset links: reading one (whom it is for), and accepting it by
//! choosing a password. Nobody is signed in: the link's token is the credential.

use pms_domain::account::Invitation;
use pms_domain::error::AppError;
use pms_store::audit::AuditEvent;

use crate::audit::{begin, commit};
use crate::{internal, AppResult, Caller, Context};

fn token_hash(token: &str) -> String {
    pms_auth::tokens::hash_token(token)
}

/// Whom the link with `token` is for; a 400 when it has expired, has been used, or names a
/// deactivated user.
#[tracing::instrument(name = "invitations.read", skip_all, fields(caller = %caller))]
pub async fn read(cx: &Context, caller: &Caller, token: &str) -> AppResult<Invitation> {
    let expired = || {
        AppError::bad_request(
            "This link has expired or has been used. Ask your administrator for a new one.",
        )
    };
    let (user_id, purpose) = cx
        .db
        .invitation(&token_hash(token))
        .await?
        .ok_or_else(expired)?;
    let user = cx
        .db
        .user_by_id(user_id)
        .await?
        .filter(|u| u.is_active)
        .ok_or_else(expired)?;
    Ok(Invitation {
        email: user.email,
        display_name: user.display_name,
        reset: purpose == "reset",
    })
}

/// Accepts the link with `token` by setting the password (given twice, within the policy);
/// recorded as `auth.invitation_accepted` or `auth.password_reset`, in the same transaction.
#[tracing::instrument(name = "invitations.accept", skip_all, fields(caller = %caller))]
pub async fn accept(
    cx: &Context,
    caller: &Caller,
    token: &str,
    password: String,
    confirm: String,
) -> AppResult<()> {
    let info = read(cx, caller, token).await?;
    if password != confirm {
        return Err(AppError::bad_request("The two passwords differ."));
    }
    pms_auth::password::check_policy(&password, &info.email, &info.display_name)
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let hash = pms_auth::password::hash(password).await.map_err(internal)?;
    let mut tx = begin(cx).await?;
    let user_id = pms_store::Db::accept_invitation(&mut tx, &token_hash(token), &hash)
        .await?
        .ok_or_else(|| AppError::bad_request("This link has expired or has been used."))?;
    let event = AuditEvent {
        actor_user_id: Some(user_id),
        actor: info.email.clone(),
        ip: caller.meta.ip.clone(),
        user_agent: caller.meta.user_agent.clone(),
        action: if info.reset {
            "auth.password_reset".into()
        } else {
            "auth.invitation_accepted".into()
        },
        object_type: Some("user".into()),
        object_id: Some(user_id.to_string()),
        ..Default::default()
    };
    // Nobody is signed in yet: the event names the user the link was for. The password and
    // its record commit together.
    cx.db.audit_in(&mut tx, &event).await?;
    commit(tx).await
}
