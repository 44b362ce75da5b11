//! Users: who may sign in, with which role, and for relationship and portfolio managers, which
//! RM they are and which strategies they manage. Invitations and password resets are one-time
//! links the admin passes on (the Hub sends no e-mail).

use pms_domain::admin::{IssuedLink, UserAdminView, UsersData, LINK_DAYS};
use pms_domain::error::AppError;
use pms_domain::identity::{Capability, Role};
use pms_store::Db;
use serde_json::json;

use super::{admin, change, invalid, optional_id, parse_role, worded};
use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// Every user, with the RMs and strategies a user can be linked to.
#[tracing::instrument(name = "admin.users", skip_all, fields(caller = %caller))]
pub async fn list(cx: &Context, caller: &Caller) -> AppResult<UsersData> {
    let (_, me) = admin(caller, Capability::ManageUsers)?;
    Ok(UsersData {
        users: cx.db.admin_users().await?,
        rms: cx.db.rms().await?,
        strategies: cx.db.strategies().await?,
        me,
    })
}

/// Creates a user without a password and returns their invitation link.
#[tracing::instrument(name = "admin.users.invite", skip_all, fields(caller = %caller))]
pub async fn invite(
    cx: &Context,
    caller: &Caller,
    email: &str,
    display_name: &str,
    role: &str,
    rm_id: Option<String>,
    strategy_ids: Option<Vec<i32>>,
) -> AppResult<IssuedLink> {
    let (me, _) = admin(caller, Capability::ManageUsers)?;
    let email = checked_email(email)?;
    let name = checked_name(display_name)?;
    let a = check_assignment(cx, role, rm_id, strategy_ids).await?;
    if cx.db.user_by_email(&email).await?.is_some() {
        return Err(invalid(format!(
            "A user with e-mail {email} already exists: open them in the list to edit."
        )));
    }
    let mut tx = begin(cx).await?;
    let user_id = Db::create_user(
        &mut tx,
        &pms_store::identity::NewUser {
            email: email.clone(),
            display_name: name.clone(),
            role: a.role,
            rm_id: a.rm_id,
            password_hash: None,
            created_by: me.actor_user_id(),
        },
    )
    .await
    .map_err(worded)?;
    if a.role == Role::Pm {
        Db::set_user_strategies(&mut tx, user_id, &a.strategies).await?;
    }
    let url = issue_link(cx, caller, &mut tx, user_id, "invite").await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.user_invited",
        Some(("user", user_id.to_string())),
        json!({
            "email": email,
            "display_name": name,
            "role": a.role.code(),
            "rm_id": a.rm_id,
            "strategy_ids": a.strategies,
            "link_valid_days": LINK_DAYS,
        }),
    )
    .await?;
    commit(tx).await?;
    Ok(IssuedLink {
        email,
        url,
        reset: false,
    })
}

/// Changes a user's name, role, RM link and strategies; says what happened.
#[tracing::instrument(name = "admin.users.update", skip_all, fields(caller = %caller, user_id = user_id))]
pub async fn update(
    cx: &Context,
    caller: &Caller,
    user_id: i64,
    display_name: &str,
    role: &str,
    rm_id: Option<String>,
    strategy_ids: Option<Vec<i32>>,
) -> AppResult<String> {
    let (_, me_id) = admin(caller, Capability::ManageUsers)?;
    let before = listed_user(cx, user_id).await?;
    let name = checked_name(display_name)?;
    let a = check_assignment(cx, role, rm_id, strategy_ids).await?;
    if user_id == me_id && a.role != before.role {
        return Err(invalid(
            "You cannot change your own role: ask another administrator.",
        ));
    }
    let mut changes = serde_json::Map::new();
    let mut note = |field: &str, c: Option<serde_json::Value>| {
        if let Some(c) = c {
            changes.insert(field.into(), c);
        }
    };
    note("display_name", change(&before.display_name, &name));
    note("role", change(before.role.code(), a.role.code()));
    note("rm_id", change(before.rm_id, a.rm_id));
    note("strategy_ids", change(&before.strategy_ids, &a.strategies));
    if changes.is_empty() {
        return Ok("Nothing to change.".into());
    }
    let mut tx = begin(cx).await?;
    Db::update_user(&mut tx, user_id, &name, a.role, a.rm_id)
        .await
        .map_err(worded)?;
    Db::set_user_strategies(&mut tx, user_id, &a.strategies).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.user_updated",
        Some(("user", user_id.to_string())),
        json!({ "email": before.email, "changes": changes }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Saved. {name} has the {} role from their next request.",
        a.role.label()
    ))
}

/// Deactivates or reactivates a user; says what happened.
#[tracing::instrument(name = "admin.users.set_active", skip_all, fields(caller = %caller, user_id = user_id, active = active))]
pub async fn set_active(
    cx: &Context,
    caller: &Caller,
    user_id: i64,
    active: bool,
) -> AppResult<String> {
    let (_, me_id) = admin(caller, Capability::ManageUsers)?;
    if user_id == me_id && !active {
        return Err(invalid(
            "You cannot deactivate yourself: ask another administrator.",
        ));
    }
    let user = listed_user(cx, user_id).await?;
    if user.is_active == active {
        return Ok(format!(
            "{} is already {}.",
            user.display_name,
            if active { "active" } else { "deactivated" }
        ));
    }
    let mut tx = begin(cx).await?;
    Db::set_user_active(&mut tx, user_id, active).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        if active {
            "admin.user_reactivated"
        } else {
            "admin.user_deactivated"
        },
        Some(("user", user_id.to_string())),
        json!({ "email": user.email }),
    )
    .await?;
    commit(tx).await?;
    Ok(if active {
        format!("Reactivated: {} can sign in again.", user.display_name)
    } else {
        format!(
            "Deactivated: {} can no longer sign in, and any open session ends at its next request.",
            user.display_name
        )
    })
}

/// Removes a user's second factor, so they set it up again; says what happened.
#[tracing::instrument(name = "admin.users.reset_mfa", skip_all, fields(caller = %caller, user_id = user_id))]
pub async fn reset_mfa(cx: &Context, caller: &Caller, user_id: i64) -> AppResult<String> {
    admin(caller, Capability::ManageUsers)?;
    let user = listed_user(cx, user_id).await?;
    if !user.mfa_enabled {
        return Ok(format!(
            "{} has no two-factor authentication to reset.",
            user.display_name
        ));
    }
    let mut tx = begin(cx).await?;
    Db::reset_totp(&mut tx, user_id).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.user_mfa_reset",
        Some(("user", user_id.to_string())),
        json!({ "email": user.email }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Two-factor authentication reset: {} signs in with their password and sets it up again.",
        user.display_name
    ))
}

/// Lifts a user's sign-in lockout; says what happened.
#[tracing::instrument(name = "admin.users.unlock", skip_all, fields(caller = %caller, user_id = user_id))]
pub async fn unlock(cx: &Context, caller: &Caller, user_id: i64) -> AppResult<String> {
    admin(caller, Capability::ManageUsers)?;
    let user = listed_user(cx, user_id).await?;
    let mut tx = begin(cx).await?;
    if !Db::unlock_login(&mut tx, &user.email).await? {
        return Ok(format!("{} was not locked.", user.display_name));
    }
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.user_unlocked",
        Some(("user", user_id.to_string())),
        json!({ "email": user.email }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Unlocked: {} can sign in again.",
        user.display_name
    ))
}

/// A password-reset link for an active user (a fresh invitation for one who never chose a
/// password).
#[tracing::instrument(name = "admin.users.reset_link", skip_all, fields(caller = %caller, user_id = user_id))]
pub async fn reset_link(cx: &Context, caller: &Caller, user_id: i64) -> AppResult<IssuedLink> {
    admin(caller, Capability::ManageUsers)?;
    let user = listed_user(cx, user_id).await?;
    if !user.is_active {
        return Err(invalid("This user is deactivated: reactivate them first."));
    }
    // Someone who never chose a password gets a fresh invitation rather than a "reset".
    let reset = user.password_set;
    let mut tx = begin(cx).await?;
    let url = issue_link(
        cx,
        caller,
        &mut tx,
        user_id,
        if reset { "reset" } else { "invite" },
    )
    .await?;
    record_in(
        cx,
        &mut tx,
        caller,
        if reset {
            "admin.user_reset_link_issued"
        } else {
            "admin.user_invitation_reissued"
        },
        Some(("user", user_id.to_string())),
        json!({ "email": user.email, "link_valid_days": LINK_DAYS }),
    )
    .await?;
    commit(tx).await?;
    Ok(IssuedLink {
        email: user.email,
        url,
        reset,
    })
}

/// A role with what goes with it: the RM a relationship manager is, the strategies a portfolio
/// manager manages (nothing for the other roles).
struct Assignment {
    role: Role,
    rm_id: Option<i32>,
    strategies: Vec<i32>,
}

async fn check_assignment(
    cx: &Context,
    role: &str,
    rm_id: Option<String>,
    strategy_ids: Option<Vec<i32>>,
) -> AppResult<Assignment> {
    let role = parse_role(role)?;
    let rm_id = if role == Role::Rm {
        let id: i32 = optional_id(rm_id.as_deref())?.ok_or_else(|| {
            invalid("Choose the relationship manager this user is: their clients are what they will see.")
        })?;
        if !cx.db.rms().await?.iter().any(|r| r.rm_id == id) {
            return Err(invalid(
                "That relationship manager no longer exists; reload the page.",
            ));
        }
        Some(id)
    } else {
        None
    };
    let strategies = if role == Role::Pm {
        let mut ids = strategy_ids.unwrap_or_default();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Err(invalid(
                "Tick at least one strategy: a portfolio manager sees the portfolios of the strategies they manage.",
            ));
        }
        let known = cx.db.strategies().await?;
        if !ids
            .iter()
            .all(|id| known.iter().any(|s| s.strategy_id == *id))
        {
            return Err(invalid(
                "A strategy you ticked no longer exists; reload the page.",
            ));
        }
        ids
    } else {
        Vec::new()
    };
    Ok(Assignment {
        role,
        rm_id,
        strategies,
    })
}

/// Creates a one-time link (`invite` or `reset`) and returns its address.
async fn issue_link(
    cx: &Context,
    caller: &Caller,
    tx: &mut sqlx::PgConnection,
    user_id: i64,
    purpose: &str,
) -> AppResult<String> {
    let token = pms_auth::tokens::new_token();
    Db::create_invitation(
        tx,
        user_id,
        purpose,
        &pms_auth::tokens::hash_token(&token),
        chrono::Utc::now() + chrono::Duration::days(LINK_DAYS),
    )
    .await?;
    Ok(format!("{}/invite/{token}", cx.public_base(caller)))
}

fn checked_name(display_name: &str) -> AppResult<String> {
    let name = super::squeezed(display_name);
    if name.is_empty() || name.chars().count() > 120 {
        return Err(invalid("Enter the user's name (at most 120 characters)."));
    }
    Ok(name)
}

fn checked_email(email: &str) -> AppResult<String> {
    let email = pms_store::identity::normalise_email(email);
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(email)
    } else {
        Err(invalid(format!("{email:?} is not an e-mail address.")))
    }
}

/// The user as the console lists them, or a 404.
async fn listed_user(cx: &Context, user_id: i64) -> AppResult<UserAdminView> {
    cx.db
        .admin_users()
        .await?
        .into_iter()
        .find(|u| u.user_id == user_id)
        .ok_or_else(|| AppError::not_found("user"))
}
