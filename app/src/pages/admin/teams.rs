//! Teams and RMs: a team lead sees the clients of every RM in their team, so who leads and who
//! belongs where is part of the access rules.

use leptos::prelude::*;
use pms_domain::admin::{RmView, TeamsData};
use pms_domain::error::AppError;

use crate::components::{loading, outcome, succeeded, Guarded};

#[server(endpoint = "admin/teams")]
pub async fn get_teams_data() -> Result<TeamsData, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::teams::list(&cx, &caller).await
}

#[server(endpoint = "admin/teams/create")]
pub async fn create_team(name: String) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::teams::create(&cx, &caller, &name).await
}

#[server(endpoint = "admin/teams/lead")]
pub async fn set_team_lead(team_id: i32, lead_rm_id: Option<String>) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::teams::set_lead(&cx, &caller, team_id, lead_rm_id.as_deref()).await
}

#[server(endpoint = "admin/teams/move-rm")]
pub async fn move_rm(rm_id: i32, team_id: Option<String>) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::teams::move_rm(&cx, &caller, rm_id, team_id.as_deref()).await
}

#[component]
pub fn TeamsTab() -> impl IntoView {
    let create = ServerAction::<CreateTeam>::new();
    let lead = ServerAction::<SetTeamLead>::new();
    let move_action = ServerAction::<MoveRm>::new();
    let reload = [
        succeeded(*create),
        succeeded(*lead),
        succeeded(*move_action),
    ];
    let data = Resource::new(move || reload.map(|r| r.get()), |_| get_teams_data());

    view! {
        <Transition fallback=loading>
            <Guarded testid="admin-error">
                {move || Suspend::new(async move {
                    let data = data.await?;
                    let TeamsData { teams, rms } = data;
                    let no_teams = teams.is_empty();
                    let team_rows = teams.clone();
                    let rm_rows = rms.clone();
                    Ok::<_, AppError>(view! {
                        <section class="stack section-block">
                            <div class="section-head">
                                <h2>"Teams"</h2>
                                <ActionForm action=create attr:class="inline-form" attr:data-testid="create-team-form">
                                    <input type="text" name="name" required=true maxlength="80" placeholder="New team name" aria-label="New team name"/>
                                    <button type="submit" class="button button--primary">"Create team"</button>
                                </ActionForm>
                            </div>
                            {move || outcome(create.value().get())}
                            {move || outcome(lead.value().get())}
                            <div class="table-card">
                                <div class="table-scroll" tabindex="0">
                                    <table class="data-table" data-testid="teams-table">
                                        <thead>
                                            <tr><th>"Team"</th><th>"Lead"</th><th class="num">"Members"</th></tr>
                                        </thead>
                                        <tbody>
                                            {team_rows.into_iter().map(|t| {
                                                let members: Vec<&RmView> = rms.iter().filter(|r| r.team_id == Some(t.team_id)).collect();
                                                let names = members.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", ");
                                                let choices: Vec<(i32, String)> = rms.iter().filter(|r| r.is_active).map(|r| (r.rm_id, r.name.clone())).collect();
                                                let team_id = t.team_id.to_string();
                                                let label = format!("Lead of {}", t.name);
                                                let lead_id = t.lead_rm_id;
                                                view! {
                                                    <tr>
                                                        <td><strong>{t.name.clone()}</strong><div class="muted small wrap">{names}</div></td>
                                                        <td>
                                                            <ActionForm action=lead attr:class="inline-form inline-form--tight">
                                                                <input type="hidden" name="team_id" value=team_id/>
                                                                <select name="lead_rm_id" aria-label=label>
                                                                    <option value="" selected=lead_id.is_none()>"— no lead —"</option>
                                                                    {choices.into_iter().map(|(id, name)| view! {
                                                                        <option value=id.to_string() selected=Some(id) == lead_id>{name}</option>
                                                                    }).collect_view()}
                                                                </select>
                                                                <button type="submit" class="button">"Set lead"</button>
                                                            </ActionForm>
                                                        </td>
                                                        <td class="num">{t.members}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {no_teams.then(|| view! { <p class="table-card__summary">"No teams yet."</p> })}
                            </div>
                        </section>
                        <section class="stack section-block">
                            <h2>"Relationship managers"</h2>
                            <p class="form-hint">"RMs come from Salesforce; here you choose their team. A lead sees their team's clients."</p>
                            {move || outcome(move_action.value().get())}
                            <div class="table-card">
                                <div class="table-scroll" tabindex="0">
                                    <table class="data-table" data-testid="rms-table">
                                        <thead>
                                            <tr><th>"RM"</th><th>"Team"</th><th class="num">"Active clients"</th><th>"Hub user"</th><th>"Status"</th></tr>
                                        </thead>
                                        <tbody>
                                            {rm_rows.into_iter().map(|r| {
                                                let leads = teams.iter().any(|t| t.lead_rm_id == Some(r.rm_id));
                                                let choices: Vec<(i32, String)> = teams.iter().map(|t| (t.team_id, t.name.clone())).collect();
                                                let rm_id = r.rm_id.to_string();
                                                let label = format!("Team of {}", r.name);
                                                let team_id = r.team_id;
                                                view! {
                                                    <tr>
                                                        <td>
                                                            <span class="rm-name">{r.name.clone()}</span>
                                                            {leads.then(|| view! { " " <span class="badge">"lead"</span> })}
                                                            <div class="muted small">{r.email.clone().unwrap_or_default()}</div>
                                                        </td>
                                                        <td>
                                                            <ActionForm action=move_action attr:class="inline-form inline-form--tight">
                                                                <input type="hidden" name="rm_id" value=rm_id/>
                                                                <select name="team_id" aria-label=label>
                                                                    <option value="" selected=team_id.is_none()>"— no team —"</option>
                                                                    {choices.into_iter().map(|(id, name)| view! {
                                                                        <option value=id.to_string() selected=Some(id) == team_id>{name}</option>
                                                                    }).collect_view()}
                                                                </select>
                                                                <button type="submit" class="button">"Move"</button>
                                                            </ActionForm>
                                                        </td>
                                                        <td class="num">{r.clients}</td>
                                                        <td>{r.linked_user.clone().unwrap_or_else(|| "—".into())}</td>
                                                        <td>{if r.is_active {
                                                            view! { <span class="badge badge--ok">"Active"</span> }.into_any()
                                                        } else {
                                                            view! { <span class="badge badge--muted">"Inactive"</span> }.into_any()
                                                        }}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            </div>
                        </section>
                    }.into_any())
                })}
            </Guarded>
        </Transition>
    }
}
