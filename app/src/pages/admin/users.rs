//! Users: who may sign in, with which role, and for relationship and portfolio managers, which
//! RM they are and which strategies they manage. Invitations and password resets are one-time
//! links the admin passes on (the Hub sends no e-mail).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use pms_domain::admin::{RmView, StrategyView, UserAdminView};
use pms_domain::error::AppError;
#[cfg(feature = "ssr")]
use pms_domain::identity::Capability;
use pms_domain::identity::Role;
use serde::{Deserialize, Serialize};

use super::{load_error, loading, outcome, reload_on_success, when, CopyField};

/// How long an invitation or password-reset link stays valid.
pub const LINK_DAYS: i64 = 7;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsersData {
    pub users: Vec<UserAdminView>,
    pub rms: Vec<RmView>,
    pub strategies: Vec<StrategyView>,
    /// The administrator looking at the list (who may not deactivate or demote themself).
    pub me: i64,
}

/// A one-time link for a user to choose a password (shown once: only its hash is stored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssuedLink {
    pub email: String,
    pub url: String,
    pub reset: bool,
}

#[server(endpoint = "admin/users")]
pub async fn get_users_data() -> Result<UsersData, AppError> {
    use super::server::{admin, store};
    let cx = crate::ssr::app_context()?;
    let (_, me) = admin(Capability::ManageUsers)?;
    Ok(UsersData {
        users: cx.db.admin_users().await.map_err(store)?,
        rms: cx.db.rms().await.map_err(store)?,
        strategies: cx.db.strategies().await.map_err(store)?,
        me,
    })
}

/// A role with what goes with it: the RM a relationship manager is, the strategies a portfolio
/// manager manages (nothing for the other roles).
#[cfg(feature = "ssr")]
struct Assignment {
    role: Role,
    rm_id: Option<i32>,
    strategies: Vec<i32>,
}

#[cfg(feature = "ssr")]
async fn check_assignment(
    cx: &crate::ssr::Context,
    role: &str,
    rm_id: Option<String>,
    strategy_ids: Option<Vec<i32>>,
) -> Result<Assignment, AppError> {
    use super::server::{invalid, optional_id, parse_role, store};
    let role = parse_role(role)?;
    let rm_id = if role == Role::Rm {
        let id: i32 = optional_id(rm_id.as_deref())?.ok_or_else(|| {
            invalid("Choose the relationship manager this user is: their clients are what they will see.")
        })?;
        if !cx
            .db
            .rms()
            .await
            .map_err(store)?
            .iter()
            .any(|r| r.rm_id == id)
        {
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
        let known = cx.db.strategies().await.map_err(store)?;
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
#[cfg(feature = "ssr")]
async fn issue_link(
    cx: &crate::ssr::Context,
    tx: &mut sqlx::PgConnection,
    user_id: i64,
    purpose: &str,
) -> Result<String, AppError> {
    let token = pms_auth::tokens::new_token();
    pms_store::Db::create_invitation(
        tx,
        user_id,
        purpose,
        &pms_auth::tokens::hash_token(&token),
        chrono::Utc::now() + chrono::Duration::days(LINK_DAYS),
    )
    .await
    .map_err(super::server::store)?;
    Ok(format!("{}/invite/{token}", super::server::origin(cx)))
}

#[cfg(feature = "ssr")]
fn checked_name(display_name: &str) -> Result<String, AppError> {
    let name = display_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() || name.chars().count() > 120 {
        return Err(super::server::invalid(
            "Enter the user's name (at most 120 characters).",
        ));
    }
    Ok(name)
}

#[cfg(feature = "ssr")]
fn checked_email(email: &str) -> Result<String, AppError> {
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
        Err(super::server::invalid(format!(
            "{email:?} is not an e-mail address."
        )))
    }
}

/// The user as the console lists them, or a 404.
#[cfg(feature = "ssr")]
async fn listed_user(cx: &crate::ssr::Context, user_id: i64) -> Result<UserAdminView, AppError> {
    cx.db
        .admin_users()
        .await
        .map_err(super::server::store)?
        .into_iter()
        .find(|u| u.user_id == user_id)
        .ok_or_else(|| crate::ssr::not_found("user"))
}

#[server(endpoint = "admin/users/invite")]
pub async fn invite_user(
    email: String,
    display_name: String,
    role: String,
    rm_id: Option<String>,
    strategy_ids: Option<Vec<i32>>,
) -> Result<IssuedLink, AppError> {
    use super::server::{admin, invalid, store};
    use crate::ssr::{app_context, audit_in, begin, commit};
    let cx = app_context()?;
    let (me, me_id) = admin(Capability::ManageUsers)?;
    let email = checked_email(&email)?;
    let name = checked_name(&display_name)?;
    let a = check_assignment(&cx, &role, rm_id, strategy_ids).await?;
    if cx.db.user_by_email(&email).await.map_err(store)?.is_some() {
        return Err(invalid(format!(
            "A user with e-mail {email} already exists: open them in the list to edit."
        )));
    }
    let mut tx = begin(&cx).await?;
    let user_id = pms_store::Db::create_user(
        &mut tx,
        &pms_store::identity::NewUser {
            email: email.clone(),
            display_name: name.clone(),
            role: a.role,
            rm_id: a.rm_id,
            password_hash: None,
            created_by: Some(me_id),
        },
    )
    .await
    .map_err(store)?;
    if a.role == Role::Pm {
        pms_store::Db::set_user_strategies(&mut tx, user_id, &a.strategies)
            .await
            .map_err(store)?;
    }
    let url = issue_link(&cx, &mut tx, user_id, "invite").await?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.user_invited",
        Some(("user", user_id.to_string())),
        serde_json::json!({
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

#[server(endpoint = "admin/users/update")]
pub async fn save_user(
    user_id: i64,
    display_name: String,
    role: String,
    rm_id: Option<String>,
    strategy_ids: Option<Vec<i32>>,
) -> Result<String, AppError> {
    use super::server::{admin, change, invalid, store};
    use crate::ssr::{app_context, audit_in, begin, commit};
    let cx = app_context()?;
    let (me, me_id) = admin(Capability::ManageUsers)?;
    let before = listed_user(&cx, user_id).await?;
    let name = checked_name(&display_name)?;
    let a = check_assignment(&cx, &role, rm_id, strategy_ids).await?;
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
    let mut tx = begin(&cx).await?;
    pms_store::Db::update_user(&mut tx, user_id, &name, a.role, a.rm_id)
        .await
        .map_err(store)?;
    pms_store::Db::set_user_strategies(&mut tx, user_id, &a.strategies)
        .await
        .map_err(store)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.user_updated",
        Some(("user", user_id.to_string())),
        serde_json::json!({ "email": before.email, "changes": changes }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Saved. {name} has the {} role from their next request.",
        a.role.label()
    ))
}

#[server(endpoint = "admin/users/active")]
pub async fn set_user_active(user_id: i64, active: bool) -> Result<String, AppError> {
    use super::server::{admin, invalid, store};
    use crate::ssr::{app_context, audit_in, begin, commit};
    let cx = app_context()?;
    let (me, me_id) = admin(Capability::ManageUsers)?;
    if user_id == me_id && !active {
        return Err(invalid(
            "You cannot deactivate yourself: ask another administrator.",
        ));
    }
    let user = listed_user(&cx, user_id).await?;
    if user.is_active == active {
        return Ok(format!(
            "{} is already {}.",
            user.display_name,
            if active { "active" } else { "deactivated" }
        ));
    }
    let mut tx = begin(&cx).await?;
    pms_store::Db::set_user_active(&mut tx, user_id, active)
        .await
        .map_err(store)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        if active {
            "admin.user_reactivated"
        } else {
            "admin.user_deactivated"
        },
        Some(("user", user_id.to_string())),
        serde_json::json!({ "email": user.email }),
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

#[server(endpoint = "admin/users/reset-mfa")]
pub async fn reset_user_mfa(user_id: i64) -> Result<String, AppError> {
    use super::server::{admin, store};
    use crate::ssr::{app_context, audit_in, begin, commit};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageUsers)?;
    let user = listed_user(&cx, user_id).await?;
    if !user.mfa_enabled {
        return Ok(format!(
            "{} has no two-factor authentication to reset.",
            user.display_name
        ));
    }
    let mut tx = begin(&cx).await?;
    pms_store::Db::reset_totp(&mut tx, user_id)
        .await
        .map_err(store)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.user_mfa_reset",
        Some(("user", user_id.to_string())),
        serde_json::json!({ "email": user.email }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Two-factor authentication reset: {} signs in with their password and sets it up again.",
        user.display_name
    ))
}

#[server(endpoint = "admin/users/unlock")]
pub async fn unlock_user(user_id: i64) -> Result<String, AppError> {
    use super::server::{admin, store};
    use crate::ssr::{app_context, audit_in, begin, commit};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageUsers)?;
    let user = listed_user(&cx, user_id).await?;
    let mut tx = begin(&cx).await?;
    if !pms_store::Db::unlock_login(&mut tx, &user.email)
        .await
        .map_err(store)?
    {
        return Ok(format!("{} was not locked.", user.display_name));
    }
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.user_unlocked",
        Some(("user", user_id.to_string())),
        serde_json::json!({ "email": user.email }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Unlocked: {} can sign in again.",
        user.display_name
    ))
}

#[server(endpoint = "admin/users/reset-link")]
pub async fn issue_reset_link(user_id: i64) -> Result<IssuedLink, AppError> {
    use super::server::{admin, invalid};
    use crate::ssr::{app_context, audit_in, begin, commit};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageUsers)?;
    let user = listed_user(&cx, user_id).await?;
    if !user.is_active {
        return Err(invalid("This user is deactivated: reactivate them first."));
    }
    // Someone who never chose a password gets a fresh invitation rather than a "reset".
    let reset = user.password_set;
    let mut tx = begin(&cx).await?;
    let url = issue_link(
        &cx,
        &mut tx,
        user_id,
        if reset { "reset" } else { "invite" },
    )
    .await?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        if reset {
            "admin.user_reset_link_issued"
        } else {
            "admin.user_invitation_reissued"
        },
        Some(("user", user_id.to_string())),
        serde_json::json!({ "email": user.email, "link_valid_days": LINK_DAYS }),
    )
    .await?;
    commit(tx).await?;
    Ok(IssuedLink {
        email: user.email,
        url,
        reset,
    })
}

/// An issued link, to copy once.
fn link_view(link: IssuedLink) -> AnyView {
    let what = if link.reset {
        "Password-reset link"
    } else {
        "Invitation"
    };
    view! {
        <div class="alert alert--success stack issued-link" role="status">
            <p>
                <strong>{format!("{what} for {}", link.email)}</strong>
                {format!(" — send them this link; it works once, for {LINK_DAYS} days, and is not shown again.")}
            </p>
            <CopyField value=link.url label="Link" testid=if link.reset { "reset-link" } else { "invite-link" }/>
        </div>
    }
    .into_any()
}

fn link_outcome(result: Option<Result<IssuedLink, AppError>>) -> Option<AnyView> {
    result.map(|r| match r {
        Ok(link) => link_view(link),
        Err(e) => view! { <p class="alert alert--error" role="alert">{super::error_text(&e)}</p> }
            .into_any(),
    })
}

/// The role, RM and strategy fields shared by the invite and edit forms. The RM and strategy
/// fields show only for the roles they belong to (CSS `:has`, so also before hydration).
#[component]
fn AssignmentFields(
    data: UsersData,
    /// The user being edited (`None` when inviting).
    user: Option<UserAdminView>,
) -> impl IntoView {
    let role = user.as_ref().map(|u| u.role).unwrap_or(Role::Rm);
    let rm = user.as_ref().and_then(|u| u.rm_id);
    let strategies = user
        .as_ref()
        .map(|u| u.strategy_ids.clone())
        .unwrap_or_default();
    let own_email = user.as_ref().map(|u| u.email.clone());
    let is_me = user.as_ref().is_some_and(|u| u.user_id == data.me);
    view! {
        <label>
            "Role"
            <select name="role" required=true aria-label="Role">
                {Role::ALL
                    .into_iter()
                    .map(|r| view! { <option value=r.code() selected=r == role>{r.label()}</option> })
                    .collect_view()}
            </select>
            {is_me.then(|| view! { <span class="form-hint">"Your own role can only be changed by another administrator."</span> })}
        </label>
        <label class="user-form__rm">
            "Relationship manager"
            <select name="rm_id" aria-label="Relationship manager">
                <option value="" selected=rm.is_none()>"— choose the RM this user is —"</option>
                {data
                    .rms
                    .iter()
                    .filter(|r| r.is_active || Some(r.rm_id) == rm)
                    .map(|r| {
                        let taken = r.linked_user.is_some() && r.linked_user != own_email;
                        let mut label = r.name.clone();
                        if let Some(team) = &r.team_name {
                            label.push_str(&format!(" · {team}"));
                        }
                        if taken {
                            label.push_str(&format!(" (linked to {})", r.linked_user.clone().unwrap_or_default()));
                        }
                        view! {
                            <option value=r.rm_id.to_string() selected=Some(r.rm_id) == rm disabled=taken>{label}</option>
                        }
                    })
                    .collect_view()}
            </select>
            <span class="form-hint">"They will see this RM's clients (and their team's, if they lead one)."</span>
        </label>
        <fieldset class="user-form__pm checks">
            <legend>"Strategies managed"</legend>
            {data
                .strategies
                .iter()
                .map(|s| {
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                name=format!("strategy_ids[{}]", s.strategy_id)
                                value=s.strategy_id.to_string()
                                checked=strategies.contains(&s.strategy_id)
                            />
                            <span>{s.name.clone()}<span class="muted small">{format!(" · {}", s.category)}</span></span>
                        </label>
                    }
                })
                .collect_view()}
            <span class="form-hint">"They will see every portfolio of these strategies."</span>
        </fieldset>
    }
}

/// What the list says about a user's RM link or strategies.
fn link_text(u: &UserAdminView, strategies: &[StrategyView]) -> String {
    match u.role {
        Role::Rm => u
            .rm_name
            .clone()
            .unwrap_or_else(|| "not linked to an RM".into()),
        Role::Pm if u.strategy_ids.is_empty() => "no strategies".into(),
        Role::Pm => u
            .strategy_ids
            .iter()
            .filter_map(|id| strategies.iter().find(|s| s.strategy_id == *id))
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
        _ => "—".into(),
    }
}

#[component]
pub fn UsersTab() -> impl IntoView {
    let query = use_query_map();
    let editing = Memo::new(move |_| query.read().get("edit").and_then(|v| v.parse::<i64>().ok()));
    let invite = ServerAction::<InviteUser>::new();
    let save = ServerAction::<SaveUser>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let reset_mfa = ServerAction::<ResetUserMfa>::new();
    let unlock = ServerAction::<UnlockUser>::new();
    let reset_link = ServerAction::<IssueResetLink>::new();
    let reload = RwSignal::new(0u32);
    reload_on_success(invite.value(), reload);
    reload_on_success(save.value(), reload);
    reload_on_success(set_active.value(), reload);
    reload_on_success(reset_mfa.value(), reload);
    reload_on_success(unlock.value(), reload);
    reload_on_success(reset_link.value(), reload);
    let data = Resource::new(move || reload.get(), |_| get_users_data());
    // A message about one user must not stay up when the admin opens another.
    Effect::new(move |previous: Option<Option<i64>>| {
        let now = editing.get();
        if previous.is_some_and(|p| p != now) {
            save.clear();
            set_active.clear();
            reset_mfa.clear();
            unlock.clear();
            reset_link.clear();
        }
        now
    });
    // After a successful invitation the form starts blank again.
    let invite_form: NodeRef<leptos::html::Form> = NodeRef::new();
    Effect::new(move |_| {
        if matches!(invite.value().get(), Some(Ok(_))) {
            if let Some(form) = invite_form.get_untracked() {
                form.reset();
            }
        }
    });

    view! {
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                let data = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(&e),
                };
                let selected = editing.get().and_then(|id| data.users.iter().find(|u| u.user_id == id).cloned());
                let active = data.users.iter().filter(|u| u.is_active).count();
                let summary = format!("{} users, {} active. Choose a name to edit or manage that user.", data.users.len(), active);
                let form_data = data.clone();
                view! {
                    <details class="card invite" data-testid="invite-card">
                        <summary class="invite__summary">"Invite a user"</summary>
                        <ActionForm action=invite node_ref=invite_form attr:class="stack user-form invite__form" attr:data-testid="invite-form">
                            <div class="form-row">
                                <label>"E-mail"<input type="email" name="email" required=true autocomplete="off" placeholder="name@firm.in"/></label>
                                <label>"Name"<input type="text" name="display_name" required=true maxlength="120" autocomplete="off"/></label>
                            </div>
                            <AssignmentFields data=form_data user=None/>
                            <div class="form-actions">
                                <button type="submit" class="button button--primary" disabled=move || invite.pending().get()>
                                    "Create user and invitation link"
                                </button>
                            </div>
                        </ActionForm>
                    </details>
                    {move || link_outcome(invite.value().get())}
                    {selected.map(|u| view! { <ManageUser user=u data=data.clone() save set_active reset_mfa unlock reset_link/> })}
                    <div class="table-card">
                        <p class="table-card__summary">{summary}</p>
                        <div class="table-scroll">
                            <table class="data-table" data-testid="users-table">
                                <thead>
                                    <tr>
                                        <th>"Name / e-mail"</th>
                                        <th>"Role"</th>
                                        <th>"RM / strategies"</th>
                                        <th>"Status"</th>
                                        <th>"Two-factor"</th>
                                        <th>"Last sign-in"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {data.users.iter().map(|u| {
                                        let href = format!("/admin?tab=users&edit={}", u.user_id);
                                        let current = editing.get_untracked() == Some(u.user_id);
                                        view! {
                                            <tr class:is-selected=current data-testid="user-row">
                                                <td>
                                                    <a href=href title="Manage this user">{u.display_name.clone()}</a>
                                                    {(u.user_id == data.me).then(|| view! { " " <span class="badge">"you"</span> })}
                                                    <div class="muted small">{u.email.clone()}</div>
                                                </td>
                                                <td>{u.role.label()}</td>
                                                <td class="wrap user-links">{link_text(u, &data.strategies)}</td>
                                                <td>
                                                    <div class="badges">
                                                        {if u.is_active {
                                                            view! { <span class="badge badge--ok">"Active"</span> }.into_any()
                                                        } else {
                                                            view! { <span class="badge badge--muted">"Deactivated"</span> }.into_any()
                                                        }}
                                                        {u.locked.then(|| view! { <span class="badge badge--danger">"Locked"</span> })}
                                                        {(!u.password_set).then(|| view! { <span class="badge badge--muted">"Invitation pending"</span> })}
                                                    </div>
                                                </td>
                                                <td>{if u.mfa_enabled {
                                                    view! { <span class="badge badge--ok">"On"</span> }.into_any()
                                                } else {
                                                    view! { <span class="badge badge--muted">"Off"</span> }.into_any()
                                                }}</td>
                                                <td>{when(u.last_login_at)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </div>
                }
                .into_any()
            })}
        </Transition>
    }
}

#[component]
fn ManageUser(
    user: UserAdminView,
    data: UsersData,
    save: ServerAction<SaveUser>,
    set_active: ServerAction<SetUserActive>,
    reset_mfa: ServerAction<ResetUserMfa>,
    unlock: ServerAction<UnlockUser>,
    reset_link: ServerAction<IssueResetLink>,
) -> impl IntoView {
    let is_me = user.user_id == data.me;
    let id = user.user_id.to_string();
    let edited = Some(user.clone());
    let name = user.display_name.clone();
    let (id_save, id_active, id_unlock, id_mfa, id_link) =
        (id.clone(), id.clone(), id.clone(), id.clone(), id);
    let status = if user.is_active {
        "Active"
    } else {
        "Deactivated"
    };
    view! {
        <section class="card stack manage-user" id="manage" data-testid="manage-user">
            <div class="manage-user__head">
                <div>
                    <h2>{user.display_name.clone()}</h2>
                    <p class="muted small">{format!("{} · {} · {}", user.email, user.role.label(), status)}</p>
                </div>
                <a class="button button--link" href="/admin?tab=users">"Close"</a>
            </div>
            <div class="manage-user__grid">
                <ActionForm action=save attr:class="stack user-form" attr:data-testid="edit-user-form">
                    <h3>"Name and role"</h3>
                    <input type="hidden" name="user_id" value=id_save/>
                    <label>"Name"<input type="text" name="display_name" required=true maxlength="120" value=name/></label>
                    <AssignmentFields data=data user=edited/>
                    {move || outcome(save.value().get())}
                    <div class="form-actions">
                        <button type="submit" class="button button--primary" disabled=move || save.pending().get()>"Save changes"</button>
                    </div>
                </ActionForm>
                <div class="stack manage-user__actions">
                    <h3>"Sign-in"</h3>
                    <dl class="facts">
                        <dt>"Password"</dt><dd>{if user.password_set { "set" } else { "not yet chosen (invitation pending)" }}</dd>
                        <dt>"Two-factor"</dt><dd>{if user.mfa_enabled { "on" } else { "off" }}</dd>
                        <dt>"Lockout"</dt><dd>{if user.locked { "locked after repeated failed sign-ins" } else { "not locked" }}</dd>
                        <dt>"Last sign-in"</dt><dd>{when(user.last_login_at)}</dd>
                    </dl>
                    <div class="button-row">
                        {if user.is_active {
                            if is_me {
                                view! { <p class="form-hint">"You cannot deactivate yourself."</p> }.into_any()
                            } else {
                                view! {
                                    <ActionForm action=set_active>
                                        <input type="hidden" name="user_id" value=id_active/>
                                        <input type="hidden" name="active" value="false"/>
                                        <button type="submit" class="button button--danger">"Deactivate"</button>
                                    </ActionForm>
                                }.into_any()
                            }
                        } else {
                            view! {
                                <ActionForm action=set_active>
                                    <input type="hidden" name="user_id" value=id_active/>
                                    <input type="hidden" name="active" value="true"/>
                                    <button type="submit" class="button">"Reactivate"</button>
                                </ActionForm>
                            }.into_any()
                        }}
                        {user.locked.then(|| view! {
                            <ActionForm action=unlock>
                                <input type="hidden" name="user_id" value=id_unlock/>
                                <button type="submit" class="button">"Unlock sign-in"</button>
                            </ActionForm>
                        })}
                        {user.mfa_enabled.then(|| view! {
                            <ActionForm action=reset_mfa>
                                <input type="hidden" name="user_id" value=id_mfa/>
                                <button type="submit" class="button">"Reset two-factor"</button>
                            </ActionForm>
                        })}
                        {user.is_active.then(|| view! {
                            <ActionForm action=reset_link>
                                <input type="hidden" name="user_id" value=id_link/>
                                <button type="submit" class="button">
                                    {if user.password_set { "Issue password-reset link" } else { "Issue a new invitation link" }}
                                </button>
                            </ActionForm>
                        })}
                    </div>
                    {move || outcome(set_active.value().get())}
                    {move || outcome(unlock.value().get())}
                    {move || outcome(reset_mfa.value().get())}
                    {move || link_outcome(reset_link.value().get())}
                </div>
            </div>
        </section>
    }
}
