//! API access: the clients other systems use to call `/api/v1`, and the keys that sign their
//! tokens. A client's secret is returned once, when it is created; only its hash is kept.

use pms_domain::admin::{ApiClientView, ApiData, NewApiClient, SigningKeyView, Subject};
use pms_domain::error::AppError;
use pms_domain::identity::{Capability, Role};
use pms_store::Db;
use serde_json::json;

use super::{admin, invalid, optional_id, parse_role, worded};
use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// The API clients, the signing keys, and the users an RM or PM client may act for.
#[tracing::instrument(name = "admin.api", skip_all, fields(caller = %caller))]
pub async fn list(cx: &Context, caller: &Caller) -> AppResult<ApiData> {
    admin(caller, Capability::ManageApiTokens)?;
    let users = cx.db.admin_users().await?;
    let email_of = |id: Option<i64>| {
        id.and_then(|id| users.iter().find(|u| u.user_id == id))
            .map(|u| u.email.clone())
    };
    let clients = cx
        .db
        .list_api_clients()
        .await?
        .into_iter()
        .map(|c| ApiClientView {
            client_id: c.client_id.to_string(),
            subject_email: email_of(c.subject_user_id),
            name: c.name,
            role: c.role,
            created_at: c.created_at,
            revoked_at: c.revoked_at,
            last_issued_at: c.last_issued_at,
        })
        .collect();
    let current = cx.db.current_signing_key().await?.map(|k| k.kid);
    let keys = cx
        .db
        .list_signing_keys()
        .await?
        .into_iter()
        .map(|k| SigningKeyView {
            current: Some(&k.kid) == current.as_ref(),
            kid: k.kid,
            created_at: k.created_at,
            retired_at: k.retired_at,
        })
        .collect();
    let subjects = users
        .iter()
        .filter(|u| u.is_active && matches!(u.role, Role::Rm | Role::Pm))
        .map(|u| Subject {
            user_id: u.user_id,
            label: format!("{} ({}, {})", u.display_name, u.email, u.role.label()),
            role: u.role,
        })
        .collect();
    Ok(ApiData {
        clients,
        keys,
        subjects,
    })
}

/// Creates an API client; the result carries its secret, the only time it is shown.
#[tracing::instrument(name = "admin.api.create", skip_all, fields(caller = %caller))]
pub async fn create(
    cx: &Context,
    caller: &Caller,
    name: &str,
    role: &str,
    subject_user_id: Option<&str>,
) -> AppResult<NewApiClient> {
    let (_, me_id) = admin(caller, Capability::ManageApiTokens)?;
    let name = super::squeezed(name);
    if name.is_empty() || name.chars().count() > 80 {
        return Err(invalid(
            "Name the client after the system that uses it (at most 80 characters).",
        ));
    }
    let role = parse_role(role)?;
    let subject = if matches!(role, Role::Rm | Role::Pm) {
        let id: i64 = optional_id(subject_user_id)?.ok_or_else(|| {
            invalid("Choose the user this client acts for: it sees exactly what that user sees.")
        })?;
        let user = cx
            .db
            .user_by_id(id)
            .await?
            .filter(|u| u.is_active)
            .ok_or_else(|| invalid("That user does not exist or is deactivated."))?;
        if user.role != role {
            return Err(invalid(format!(
                "{} is not a {}: choose a user with the client's role.",
                user.display_name,
                role.label()
            )));
        }
        Some(id)
    } else {
        None
    };
    let mut tx = begin(cx).await?;
    let created = pms_auth::api_token::create_client(&mut tx, &name, role, subject, Some(me_id))
        .await
        .map_err(|e| match e {
            pms_auth::AuthError::Store(s) => worded(s),
            other => crate::internal(other),
        })?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.api_client_created",
        Some(("api_client", created.client_id.to_string())),
        json!({ "name": name, "role": role.code(), "subject_user_id": subject }),
    )
    .await?;
    commit(tx).await?;
    Ok(NewApiClient {
        name,
        client_id: created.client_id.to_string(),
        secret: created.secret,
        origin: cx.public_base(caller),
    })
}

/// Revokes an API client: its tokens stop working at their next request.
#[tracing::instrument(name = "admin.api.revoke", skip_all, fields(caller = %caller))]
pub async fn revoke(cx: &Context, caller: &Caller, client_id: &str) -> AppResult<String> {
    admin(caller, Capability::ManageApiTokens)?;
    let id: uuid::Uuid = client_id
        .trim()
        .parse()
        .map_err(|_| AppError::not_found("API client"))?;
    let client = cx
        .db
        .api_client(id)
        .await?
        .ok_or_else(|| AppError::not_found("API client"))?;
    let mut tx = begin(cx).await?;
    if !Db::revoke_api_client(&mut tx, id).await? {
        return Ok(format!("{} was already revoked.", client.name));
    }
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.api_client_revoked",
        Some(("api_client", id.to_string())),
        json!({ "name": client.name }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "{} revoked: its tokens stop working at their next request.",
        client.name
    ))
}

/// Makes a new signing key current; tokens signed by the older ones keep working.
#[tracing::instrument(name = "admin.api.rotate_key", skip_all, fields(caller = %caller))]
pub async fn rotate_signing_key(cx: &Context, caller: &Caller) -> AppResult<String> {
    admin(caller, Capability::ManageApiTokens)?;
    let mut tx = begin(cx).await?;
    let kid = pms_auth::api_token::rotate_signing_key(&mut tx)
        .await
        .map_err(crate::internal)?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.signing_key_rotated",
        Some(("signing_key", kid.clone())),
        json!({ "kid": kid }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "New signing key {kid}: new tokens are signed with it; tokens signed before keep working until they expire or you retire the older keys."
    ))
}

/// Retires every signing key but the current one: the tokens they signed stop working.
#[tracing::instrument(name = "admin.api.retire_keys", skip_all, fields(caller = %caller))]
pub async fn retire_signing_keys(cx: &Context, caller: &Caller) -> AppResult<String> {
    admin(caller, Capability::ManageApiTokens)?;
    let current = cx.db.current_signing_key().await?.ok_or_else(|| {
        invalid("There is no signing key yet: one is made when the first token is issued.")
    })?;
    let mut tx = begin(cx).await?;
    let retired = Db::retire_signing_keys_except(&mut tx, &current.kid).await?;
    if retired == 0 {
        return Ok("There are no older keys to retire.".into());
    }
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.signing_keys_retired",
        Some(("signing_key", current.kid.clone())),
        json!({ "kept": current.kid, "retired": retired }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Retired {retired} older key{}: tokens they signed no longer work; clients fetch new ones.",
        if retired == 1 { "" } else { "s" }
    ))
}
