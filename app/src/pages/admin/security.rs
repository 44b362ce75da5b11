//! Security: whether each role must use two-factor authentication. A user of a role that
//! requires it and has not set it up is sent to set it up at their next sign-in, and may do
//! nothing else until they have.

use leptos::prelude::*;
use pms_domain::admin::PolicyRow;
use pms_domain::error::AppError;

use crate::components::{loading, outcome, succeeded, Guarded};

#[server(endpoint = "admin/security")]
pub async fn get_role_policies() -> Result<Vec<PolicyRow>, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::security::role_policies(&cx, &caller).await
}

#[server(endpoint = "admin/security/mfa")]
pub async fn set_role_mfa(role: String, required: bool) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::security::set_role_mfa(&cx, &caller, &role, required).await
}

#[component]
pub fn SecurityTab() -> impl IntoView {
    let set = ServerAction::<SetRoleMfa>::new();
    let reload = succeeded(*set);
    let data = Resource::new(move || reload.get(), |_| get_role_policies());
    view! {
        <section class="stack section-block">
            <h2>"Two-factor authentication by role"</h2>
            <p class="form-hint">
                "Users set up an authenticator app under Account → Security. Where a role requires it, a user who has not set it up is taken there at sign-in and can do nothing else until they have."
            </p>
            {move || outcome(set.value().get())}
            <Transition fallback=loading>
                <Guarded testid="admin-error">
                    {move || Suspend::new(async move {
                        let rows = data.await?;
                        Ok::<_, AppError>(view! {
                            <div class="table-card">
                                <div class="table-scroll" tabindex="0">
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
                        }.into_any())
                    })}
                </Guarded>
            </Transition>
        </section>
    }
}
