//! Security: whether each role must use two-factor authentication. A user of a role that
//! requires it and has not set it up is sent to set it up at their next sign-in, and may do
//! nothing else until they have.

use pms_domain::admin::PolicyRow;
use pms_domain::identity::Capability;
use pms_store::Db;
use serde_json::json;

use super::{admin, parse_role};
use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// Each role's policy, with how many of its active users have no second factor yet.
#[tracing::instrument(name = "admin.security", skip_all, fields(caller = %caller))]
pub async fn role_policies(cx: &Context, caller: &Caller) -> AppResult<Vec<PolicyRow>> {
    admin(caller, Capability::ManageUsers)?;
    let users = cx.db.admin_users().await?;
    Ok(cx
        .db
        .role_policies()
        .await?
        .into_iter()
        .map(|policy| {
            let of_role = users
                .iter()
                .filter(|u| u.is_active && u.role == policy.role);
            PolicyRow {
                users: of_role.clone().count() as i64,
                without_mfa: of_role.filter(|u| !u.mfa_enabled).count() as i64,
                policy,
            }
        })
        .collect())
}

/// Requires two-factor authentication for a role, or makes it optional; says what happened.
#[tracing::instrument(name = "admin.security.set_mfa", skip_all, fields(caller = %caller, role = role, required = required))]
pub async fn set_role_mfa(
    cx: &Context,
    caller: &Caller,
    role: &str,
    required: bool,
) -> AppResult<String> {
    admin(caller, Capability::ManageUsers)?;
    let role = parse_role(role)?;
    let before = cx.db.mfa_required(role).await?;
    if before == required {
        return Ok("Nothing to change.".into());
    }
    let mut tx = begin(cx).await?;
    Db::set_mfa_required(&mut tx, role, required).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.role_policy_changed",
        Some(("role", role.code().into())),
        json!({ "mfa_required": { "from": before, "to": required } }),
    )
    .await?;
    commit(tx).await?;
    Ok(if required {
        format!(
            "Two-factor authentication is now required for {}s: those without it set it up at their next sign-in.",
            role.label()
        )
    } else {
        format!(
            "Two-factor authentication is now optional for {}s.",
            role.label()
        )
    })
}
