//! Teams and RMs: a team lead sees the clients of every RM in their team, so who leads and who
//! belongs where is part of the access rules.

use pms_domain::admin::TeamsData;
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_store::Db;
use serde_json::json;

use super::{admin, change, invalid, optional_id, worded};
use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// The teams and the RMs.
#[tracing::instrument(name = "admin.teams", skip_all, fields(caller = %caller))]
pub async fn list(cx: &Context, caller: &Caller) -> AppResult<TeamsData> {
    admin(caller, Capability::ManageUsers)?;
    Ok(TeamsData {
        teams: cx.db.teams().await?,
        rms: cx.db.rms().await?,
    })
}

/// Creates a team; says what happened.
#[tracing::instrument(name = "admin.teams.create", skip_all, fields(caller = %caller))]
pub async fn create(cx: &Context, caller: &Caller, name: &str) -> AppResult<String> {
    admin(caller, Capability::ManageUsers)?;
    let name = super::squeezed(name);
    if name.is_empty() || name.chars().count() > 80 {
        return Err(invalid("Enter the team's name (at most 80 characters)."));
    }
    let mut tx = begin(cx).await?;
    let team_id = Db::create_team(&mut tx, &name).await.map_err(worded)?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.team_created",
        Some(("team", team_id.to_string())),
        json!({ "name": name }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Team {name} created. Choose its lead and move RMs into it below."
    ))
}

/// Gives a team its lead (`""`/`None`: no lead); an RM leads one team at most.
#[tracing::instrument(name = "admin.teams.set_lead", skip_all, fields(caller = %caller, team_id = team_id))]
pub async fn set_lead(
    cx: &Context,
    caller: &Caller,
    team_id: i32,
    lead_rm_id: Option<&str>,
) -> AppResult<String> {
    admin(caller, Capability::ManageUsers)?;
    let lead: Option<i32> = optional_id(lead_rm_id)?;
    let teams = cx.db.teams().await?;
    let team = teams
        .iter()
        .find(|t| t.team_id == team_id)
        .ok_or_else(|| AppError::not_found("team"))?;
    let rms = cx.db.rms().await?;
    let lead_name = match lead {
        None => None,
        Some(id) => {
            let rm = rms
                .iter()
                .find(|r| r.rm_id == id)
                .ok_or_else(|| AppError::not_found("relationship manager"))?;
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
    let mut tx = begin(cx).await?;
    Db::set_team_lead(&mut tx, team_id, lead).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.team_lead_changed",
        Some(("team", team_id.to_string())),
        json!({
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

/// Moves an RM to a team (`""`/`None`: no team); an RM who led their old team stops leading it.
#[tracing::instrument(name = "admin.teams.move_rm", skip_all, fields(caller = %caller, rm_id = rm_id))]
pub async fn move_rm(
    cx: &Context,
    caller: &Caller,
    rm_id: i32,
    team_id: Option<&str>,
) -> AppResult<String> {
    admin(caller, Capability::ManageUsers)?;
    let team: Option<i32> = optional_id(team_id)?;
    let rm = cx
        .db
        .rms()
        .await?
        .into_iter()
        .find(|r| r.rm_id == rm_id)
        .ok_or_else(|| AppError::not_found("relationship manager"))?;
    let teams = cx.db.teams().await?;
    let team_name = match team {
        None => None,
        Some(id) => Some(
            teams
                .iter()
                .find(|t| t.team_id == id)
                .ok_or_else(|| AppError::not_found("team"))?
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
    let mut tx = begin(cx).await?;
    Db::set_rm_team(&mut tx, rm_id, team).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.rm_team_changed",
        Some(("rm", rm_id.to_string())),
        json!({
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
