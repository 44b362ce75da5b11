//! Client assignment: find a client, see who looks after it (and who did), give it to another
//! RM. The store records the change in the client's history; the per-RM totals follow at once.

use crate::url::query_encode;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use pms_domain::admin::{AssignmentData, ClientHit, RmConflict};
use pms_domain::error::AppError;

use super::when;
use crate::components::{loading, outcome, succeeded, Guarded};

#[server(endpoint = "admin/clients/search")]
pub async fn find_clients(q: String) -> Result<Vec<ClientHit>, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::assignments::find_clients(&cx, &caller, &q).await
}

#[server(endpoint = "admin/clients/assignment")]
pub async fn get_client_assignment(client_id: i32) -> Result<AssignmentData, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::assignments::assignment(&cx, &caller, client_id).await
}

/// Clients whose RM was assigned here while Salesforce names another Account owner.
#[server(endpoint = "admin/clients/rm-conflicts")]
pub async fn get_rm_conflicts() -> Result<Vec<RmConflict>, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::assignments::rm_conflicts(&cx, &caller).await
}

#[server(endpoint = "admin/clients/assign")]
pub async fn assign_client_rm(client_id: i32, rm_id: Option<String>) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::assignments::assign(&cx, &caller, client_id, rm_id.as_deref()).await
}

#[component]
pub fn AssignmentsTab() -> impl IntoView {
    let query = use_query_map();
    let client_id = Memo::new(move |_| {
        query
            .read()
            .get("client")
            .and_then(|v| v.parse::<i32>().ok())
    });
    let search = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    let hits = Resource::new(
        move || search.get(),
        |q| async move {
            if q.trim().chars().count() < 2 {
                Ok(Vec::new())
            } else {
                find_clients(q).await
            }
        },
    );
    let assign = ServerAction::<AssignClientRm>::new();
    let reload = succeeded(*assign);
    let assignment = Resource::new(
        move || (client_id.get(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_client_assignment(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    Effect::new(move |previous: Option<Option<i32>>| {
        let now = client_id.get();
        if previous.is_some_and(|p| p != now) {
            assign.clear();
        }
        now
    });

    let conflicts = Resource::new(move || reload.get(), |_| get_rm_conflicts());

    view! {
        <Transition fallback=|| ()>
            <Guarded testid="admin-error">
                {move || Suspend::new(async move {
                    Ok::<_, AppError>(match conflicts.await? {
                        list if !list.is_empty() => view! {
                            <section class="card stack" data-testid="rm-conflicts">
                                <h2>"Salesforce names another owner"</h2>
                                <p class="muted small">"These clients were assigned in the Hub; Salesforce's Account owner differs. The Hub's assignment stands until it is changed here."</p>
                                <ul class="client-hits">
                                    {list.into_iter().map(|c| {
                                        let href = format!("/admin?tab=assignments&client={}", c.client_id);
                                        let detail = format!(
                                            " — RM {} · Salesforce owner {}",
                                            c.rm_name.unwrap_or_else(|| "none".into()),
                                            c.salesforce_owner.unwrap_or_else(|| "none".into())
                                        );
                                        view! { <li><a class="client-hit" href=href>{c.name}</a><span class="muted small">{detail}</span></li> }
                                    }).collect_view()}
                                </ul>
                            </section>
                        }.into_any(),
                        _ => ().into_any(),
                    })
                })}
            </Guarded>
        </Transition>
        <section class="card stack">
            <h2>"Find a client"</h2>
            <form class="toolbar__search" method="get" action="/admin" role="search"
                on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                <input type="hidden" name="tab" value="assignments"/>
                <input type="search" name="q" placeholder="Client name (at least 2 letters)" aria-label="Client name"
                    autocomplete="off" data-testid="client-search"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))/>
                <button type="submit" class="button">"Search"</button>
            </form>
            <Transition fallback=|| ()>
                <Guarded testid="admin-error">
                    {move || Suspend::new(async move {
                        let q = search.get_untracked();
                        Ok::<_, AppError>(match hits.await? {
                            list if list.is_empty() && q.trim().chars().count() >= 2 => view! {
                                <p class="muted">"No client matches."</p>
                            }.into_any(),
                            list => view! {
                                <ul class="client-hits" data-testid="client-hits">
                                    {list.into_iter().map(|c| {
                                        let href = format!("/admin?tab=assignments&client={}&q={}", c.client_id, query_encode(&q));
                                        let current = move || (client_id.get() == Some(c.client_id)).then_some("true");
                                        view! { <li><a class="client-hit" href=href aria-current=current>{c.name}</a></li> }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                        })
                    })}
                </Guarded>
            </Transition>
        </section>
        <Transition fallback=loading>
            <Guarded testid="admin-error">
                {move || Suspend::new(async move {
                    Ok::<_, AppError>(match assignment.await? {
                        None => view! {
                            <p class="muted">"Search for a client above, then choose it to see and change its RM."</p>
                        }.into_any(),
                        Some(AssignmentData { client, rms }) => {
                            let code = client.client_code.clone().unwrap_or_default();
                            view! {
                                <section class="card stack" data-testid="client-assignment">
                                    <div>
                                        <h2>{client.name.clone()}</h2>
                                        <p class="muted small">{format!("{code} · {}", client.status)}</p>
                                    </div>
                                    <p>"Current RM: "<strong data-testid="current-rm">{client.rm_name.clone().unwrap_or_else(|| "none".into())}</strong>
                                        {client.assigned_in_app_at.map(|at| view! {
                                            <span class="muted small">{format!(" · assigned in the Hub on {}; Salesforce syncs no longer change it", when(Some(at)))}</span>
                                        })}
                                    </p>
                                    {client.salesforce_owner_differs.clone().map(|owner| view! {
                                        <p class="alert alert--warning" role="note" data-testid="rm-conflict">
                                            {format!("Salesforce names {owner} as the Account owner. The assignment made here stands until it is changed here.")}
                                        </p>
                                    })}
                                    <ActionForm action=assign attr:class="inline-form" attr:data-testid="assign-form">
                                        <input type="hidden" name="client_id" value=client.client_id.to_string()/>
                                        <select name="rm_id" aria-label="Assign to">
                                            <option value="" selected=client.rm_id.is_none()>"— no RM —"</option>
                                            {rms.iter().filter(|r| r.is_active || Some(r.rm_id) == client.rm_id).map(|r| {
                                                let label = match &r.team_name {
                                                    Some(t) => format!("{} · {t}", r.name),
                                                    None => r.name.clone(),
                                                };
                                                view! { <option value=r.rm_id.to_string() selected=Some(r.rm_id) == client.rm_id>{label}</option> }
                                            }).collect_view()}
                                        </select>
                                        <button type="submit" class="button button--primary" disabled=move || assign.pending().get()>"Assign"</button>
                                    </ActionForm>
                                    {move || outcome(assign.value().get())}
                                    <h3>"RM history"</h3>
                                    <div class="table-scroll" tabindex="0">
                                        <table class="data-table data-table--compact" data-testid="assignment-history">
                                            <thead><tr><th>"From"</th><th>"Until"</th><th>"RM"</th></tr></thead>
                                            <tbody>
                                                {client.history.iter().map(|h| view! {
                                                    <tr>
                                                        <td>{when(Some(h.valid_from))}</td>
                                                        <td>{if h.valid_to.is_some() { when(h.valid_to) } else { "now".into() }}</td>
                                                        <td>{h.rm_name.clone().unwrap_or_else(|| "none".into())}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                </section>
                            }.into_any()
                        }
                    })
                })}
            </Guarded>
        </Transition>
    }
}
