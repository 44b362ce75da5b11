//! Security: whether each role must use two-factor authentication. A user of a role that
//! requires it and has not set it up is sent to set it up at their next sign-in, and may do
//! nothing else until they have.

use leptos::prelude::*;
use pms_domain::admin::RolePolicyView;
use pms_domain::error::AppError;
#[cfg(feature = "ssr")]
use pms_domain::identity::{Capability, Role};
use serde::{Deserialize, Serialize};

use super::{load_error, loading, outcome, reload_on_success};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyRow {
    pub policy: RolePolicyView,
    /// Active users of the role, and how many of them have no second factor yet.
    pub users: i64,
    pub without_mfa: i64,
}

#[server(endpoint = "admin/security")]
pub async fn get_role_policies() -> Result<Vec<PolicyRow>, AppError> {
    use super::server::{admin, store};
    let cx = crate::ssr::app_context()?;
    admin(Capability::ManageUsers)?;
    let users = cx.db.admin_users().await.map_err(store)?;
    Ok(cx
        .db
        .role_policies()
        .await
        .map_err(store)?
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

#[server(endpoint = "admin/security/mfa")]
pub async fn set_role_mfa(role: String, required: bool) -> Result<String, AppError> {
    use super::server::{admin, parse_role, store};
    use crate::ssr::{app_context, audit_in, begin, commit};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageUsers)?;
    let role: Role = parse_role(&role)?;
    let before = cx.db.mfa_required(role).await.map_err(store)?;
    if before == required {
        return Ok("Nothing to change.".into());
    }
    let mut tx = begin(&cx).await?;
    pms_store::Db::set_mfa_required(&mut tx, role, required)
        .await
        .map_err(store)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.role_policy_changed",
        Some(("role", role.code().into())),
        serde_json::json!({ "mfa_required": { "from": before, "to": required } }),
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

#[component]
pub fn SecurityTab() -> impl IntoView {
    let set = ServerAction::<SetRoleMfa>::new();
    let reload = RwSignal::new(0u32);
    reload_on_success(set.value(), reload);
    let data = Resource::new(move || reload.get(), |_| get_role_policies());
    view! {
        <section class="stack section-block">
            <h2>"Two-factor authentication by role"</h2>
            <p class="form-hint">
                "Users set up an authenticator app under Account → Security. Where a role requires it, a user who has not set it up is taken there at sign-in and can do nothing else until they have."
            </p>
            {move || outcome(set.value().get())}
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => load_error(&e),
                        Ok(rows) => view! {
                            <div class="table-card">
                                <div class="table-scroll">
                                    <table class="data-table" data-testid="policy-table">
                                        <thead>
                                            <tr><th>"Role"</th><th>"Two-factor"</th><th class="num">"Active users"</th><th class="num">"Without two-factor"</th><th></th></tr>
                                        </thead>
                                        <tbody>
                                            {rows.into_iter().map(|row| {
                                                let required = row.policy.mfa_required;
                                                let role = row.policy.role;
                                                view! {
                                                    <tr>
                                                        <td>{role.label()}</td>
                                                        <td>{if required {
                                                            view! { <span class="badge badge--ok">"Required"</span> }.into_any()
                                                        } else {
                                                            view! { <span class="badge badge--muted">"Optional"</span> }.into_any()
                                                        }}</td>
                                                        <td class="num">{row.users}</td>
                                                        <td class="num">{row.without_mfa}</td>
                                                        <td>
                                                            <ActionForm action=set>
                                                                <input type="hidden" name="role" value=role.code()/>
                                                                <input type="hidden" name="required" value=if required { "false" } else { "true" }/>
                                                                <button type="submit" class="button button--small">
                                                                    {if required { "Make optional" } else { "Require" }}
                                                                </button>
                                                            </ActionForm>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
