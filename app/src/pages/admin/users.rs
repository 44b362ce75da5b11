//! Users: who may sign in, with which role, and for relationship and portfolio managers, which
//! RM they are and which strategies they manage. Invitations and password resets are one-time
//! links the admin passes on (the Hub sends no e-mail).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use pms_domain::admin::{IssuedLink, StrategyView, UserAdminView, UsersData, LINK_DAYS};
use pms_domain::error::AppError;
use pms_domain::identity::Role;

use super::when;
use crate::components::{blank_after_success, loading, outcome, succeeded, CopyField, Guarded};

#[server(endpoint = "admin/users")]
pub async fn get_users_data() -> Result<UsersData, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::users::list(&cx, &caller).await
}

#[server(endpoint = "admin/users/invite")]
pub async fn invite_user(
    email: String,
    display_name: String,
    role: String,
    rm_id: Option<String>,
    strategy_ids: Option<Vec<i32>>,
) -> Result<IssuedLink, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::users::invite(
        &cx,
        &caller,
        &email,
        &display_name,
        &role,
        rm_id,
        strategy_ids,
    )
    .await
}

#[server(endpoint = "admin/users/update")]
pub async fn save_user(
    user_id: i64,
    display_name: String,
    role: String,
    rm_id: Option<String>,
    strategy_ids: Option<Vec<i32>>,
) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::users::update(
        &cx,
        &caller,
        user_id,
        &display_name,
        &role,
        rm_id,
        strategy_ids,
    )
    .await
}

#[server(endpoint = "admin/users/active")]
pub async fn set_user_active(user_id: i64, active: bool) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::users::set_active(&cx, &caller, user_id, active).await
}

#[server(endpoint = "admin/users/reset-mfa")]
pub async fn reset_user_mfa(user_id: i64) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::users::reset_mfa(&cx, &caller, user_id).await
}

#[server(endpoint = "admin/users/unlock")]
pub async fn unlock_user(user_id: i64) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::users::unlock(&cx, &caller, user_id).await
}

#[server(endpoint = "admin/users/reset-link")]
pub async fn issue_reset_link(user_id: i64) -> Result<IssuedLink, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::users::reset_link(&cx, &caller, user_id).await
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
        Err(e) => view! { <p class="alert alert--error" role="alert">{crate::components::error_text(&e)}</p> }
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
    let reload = [
        succeeded(*invite),
        succeeded(*save),
        succeeded(*set_active),
        succeeded(*reset_mfa),
        succeeded(*unlock),
        succeeded(*reset_link),
    ];
    let data = Resource::new(move || reload.map(|r| r.get()), |_| get_users_data());
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
    let invite_form = blank_after_success(*invite);

    view! {
        <Transition fallback=loading>
            <Guarded testid="admin-error">
                {move || Suspend::new(async move {
                    let data = data.await?;
                    let selected = editing.get().and_then(|id| data.users.iter().find(|u| u.user_id == id).cloned());
                    let active = data.users.iter().filter(|u| u.is_active).count();
                    let summary = format!("{} users, {} active. Choose a name to edit or manage that user.", data.users.len(), active);
                    let form_data = data.clone();
                    Ok::<_, AppError>(view! {
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
                            <div class="table-scroll" tabindex="0">
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
                    }.into_any())
                })}
            </Guarded>
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
