//! Teams and RMs: a team lead sees the clients of every RM in their team, so who leads and who
//! belongs where is part of the access rules.

use leptos::prelude::*;
use pms_domain::admin::{RmView, TeamView};
use pms_domain::error::AppError;
#[cfg(feature = "ssr")]
use pms_domain::identity::Capability;
use serde::{Deserialize, Serialize};

use super::{load_error, loading, outcome, reload_on_success};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamsData {
    pub teams: Vec<TeamView>,
    pub rms: Vec<RmView>,
}

#[server(endpoint = "admin/teams")]
pub async fn get_teams_data() -> Result<TeamsData, AppError> {
    use super::server::{admin, store};
    let cx = crate::ssr::app_context()?;
    admin(Capability::ManageUsers)?;
    Ok(TeamsData {
        teams: cx.db.teams().await.map_err(store)?,
        rms: cx.db.rms().await.map_err(store)?,
    })
}

#[server(endpoint = "admin/teams/create")]
pub async fn create_team(name: String) -> Result<String, AppError> {
    use super::server::{admin, invalid, store};
    use crate::ssr::{app_context, audit_in, begin, commit};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageUsers)?;
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 80 {
        return Err(invalid("Enter the team's name (at most 80 characters)."));
    }
    let mut tx = begin(&cx).await?;
    let team_id = pms_store::Db::create_team(&mut tx, &name)
        .await
        .map_err(store)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.team_created",
        Some(("team", team_id.to_string())),
        serde_json::json!({ "name": name }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Team {name} created. Choose its lead and move RMs into it below."
    ))
}

#[server(endpoint = "admin/teams/lead")]
pub async fn set_team_lead(team_id: i32, lead_rm_id: Option<String>) -> Result<String, AppError> {
    use super::server::{admin, change, invalid, optional_id, store};
    use crate::ssr::{app_context, audit_in, begin, commit, not_found};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageUsers)?;
    let lead: Option<i32> = optional_id(lead_rm_id.as_deref())?;
    let teams = cx.db.teams().await.map_err(store)?;
    let team = teams
        .iter()
        .find(|t| t.team_id == team_id)
        .ok_or_else(|| not_found("team"))?;
    let rms = cx.db.rms().await.map_err(store)?;
    let lead_name = match lead {
        None => None,
        Some(id) => {
            let rm = rms
                .iter()
                .find(|r| r.rm_id == id)
                .ok_or_else(|| not_found("relationship manager"))?;
            if let Some(other) = teams
                .iter()
                .find(|t| t.lead_rm_id == Some(id) && t.team_id != team_id)
            {
                return Err(invalid(format!(
                    "{} already leads {}: give that team another lead first.",
                    rm.name, other.name
                )));
            }
            Some(rm.name.clone())
        }
    };
    if team.lead_rm_id == lead {
        return Ok("Nothing to change.".into());
    }
    let mut tx = begin(&cx).await?;
    pms_store::Db::set_team_lead(&mut tx, team_id, lead)
        .await
        .map_err(store)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.team_lead_changed",
        Some(("team", team_id.to_string())),
        serde_json::json!({
            "team": team.name,
            "lead_rm_id": change(team.lead_rm_id, lead),
            "lead": change(team.lead_name.clone(), lead_name.clone()),
        }),
    )
    .await?;
    commit(tx).await?;
    Ok(match lead_name {
        Some(n) => format!("{n} now leads {} (and sees the team's clients).", team.name),
        None => format!("{} has no lead now.", team.name),
    })
}

#[server(endpoint = "admin/teams/move-rm")]
pub async fn move_rm(rm_id: i32, team_id: Option<String>) -> Result<String, AppError> {
    use super::server::{admin, change, optional_id, store};
    use crate::ssr::{app_context, audit_in, begin, commit, not_found};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageUsers)?;
    let team: Option<i32> = optional_id(team_id.as_deref())?;
    let rm = cx
        .db
        .rms()
        .await
        .map_err(store)?
        .into_iter()
        .find(|r| r.rm_id == rm_id)
        .ok_or_else(|| not_found("relationship manager"))?;
    let teams = cx.db.teams().await.map_err(store)?;
    let team_name = match team {
        None => None,
        Some(id) => Some(
            teams
                .iter()
                .find(|t| t.team_id == id)
                .ok_or_else(|| not_found("team"))?
                .name
                .clone(),
        ),
    };
    if rm.team_id == team {
        return Ok("Nothing to change.".into());
    }
    let was_lead = teams
        .iter()
        .any(|t| t.lead_rm_id == Some(rm_id) && Some(t.team_id) != team);
    let mut tx = begin(&cx).await?;
    pms_store::Db::set_rm_team(&mut tx, rm_id, team)
        .await
        .map_err(store)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.rm_team_changed",
        Some(("rm", rm_id.to_string())),
        serde_json::json!({
            "rm": rm.name,
            "team_id": change(rm.team_id, team),
            "team": change(rm.team_name.clone(), team_name.clone()),
            "stopped_leading": was_lead,
        }),
    )
    .await?;
    commit(tx).await?;
    let mut message = match team_name {
        Some(t) => format!("{} moved to {t}.", rm.name),
        None => format!("{} is in no team now.", rm.name),
    };
    if was_lead {
        message.push_str(" They no longer lead their old team.");
    }
    Ok(message)
}

#[component]
pub fn TeamsTab() -> impl IntoView {
    let create = ServerAction::<CreateTeam>::new();
    let lead = ServerAction::<SetTeamLead>::new();
    let move_action = ServerAction::<MoveRm>::new();
    let reload = RwSignal::new(0u32);
    reload_on_success(create.value(), reload);
    reload_on_success(lead.value(), reload);
    reload_on_success(move_action.value(), reload);
    let data = Resource::new(move || reload.get(), |_| get_teams_data());

    view! {
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                let data = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(&e),
                };
                let TeamsData { teams, rms } = data;
                let no_teams = teams.is_empty();
                let team_rows = teams.clone();
                let rm_rows = rms.clone();
                view! {
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
                            <div class="table-scroll">
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
                            <div class="table-scroll">
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
                }
                .into_any()
            })}
        </Transition>
    }
}
