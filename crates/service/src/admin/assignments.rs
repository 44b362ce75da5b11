//! Client assignment: find a client, see who looks after it (and who did), give it to another
//! RM. The store records the change in the client's history; the per-RM totals follow at once.

use pms_domain::admin::{AssignmentData, ClientHit, RmConflict};
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_store::Db;
use serde_json::json;

use super::{admin, change, optional_id};
use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// Clients whose name resembles `q`, or whose code or PAN matches it (at most 12): the header
/// search's query.
#[tracing::instrument(name = "admin.clients.search", skip_all, fields(caller = %caller))]
pub async fn find_clients(cx: &Context, caller: &Caller, q: &str) -> AppResult<Vec<ClientHit>> {
    let (me, _) = admin(caller, Capability::ManageUsers)?;
    Ok(cx
        .db
        .client_search(&me.scope, q, 12)
        .await?
        .into_iter()
        .map(|hit| ClientHit {
            client_id: hit.client_id,
            name: hit.name,
        })
        .collect())
}

/// One client's RM and RM history, with the RMs it can be given to.
#[tracing::instrument(name = "admin.clients.assignment", skip_all, fields(caller = %caller, client_id = client_id))]
pub async fn assignment(
    cx: &Context,
    caller: &Caller,
    client_id: i32,
) -> AppResult<AssignmentData> {
    admin(caller, Capability::ManageUsers)?;
    let client = cx
        .db
        .client_assignment(client_id)
        .await?
        .ok_or_else(|| AppError::not_found("client"))?;
    Ok(AssignmentData {
        client,
        rms: cx.db.rms().await?,
    })
}

/// Clients whose RM was assigned here while Salesforce names another Account owner.
#[tracing::instrument(name = "admin.clients.rm_conflicts", skip_all, fields(caller = %caller))]
pub async fn rm_conflicts(cx: &Context, caller: &Caller) -> AppResult<Vec<RmConflict>> {
    admin(caller, Capability::ManageUsers)?;
    Ok(cx.db.rm_conflicts(200).await?)
}

/// Gives a client to an RM (`""`/`None`: to nobody) and refreshes the per-RM totals; says
/// what happened.
#[tracing::instrument(name = "admin.clients.assign", skip_all, fields(caller = %caller, client_id = client_id))]
pub async fn assign(
    cx: &Context,
    caller: &Caller,
    client_id: i32,
    rm_id: Option<&str>,
) -> AppResult<String> {
    admin(caller, Capability::ManageUsers)?;
    let rm: Option<i32> = optional_id(rm_id)?;
    let client = cx
        .db
        .client_assignment(client_id)
        .await?
        .ok_or_else(|| AppError::not_found("client"))?;
    let rm_name = match rm {
        None => None,
        Some(id) => Some(
            cx.db
                .rms()
                .await?
                .into_iter()
                .find(|r| r.rm_id == id)
                .ok_or_else(|| AppError::not_found("relationship manager"))?
                .name,
        ),
    };
    if client.rm_id == rm {
        return Ok("Nothing to change.".into());
    }
    let mut tx = begin(cx).await?;
    Db::assign_client(&mut tx, client_id, rm).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.client_assigned",
        Some(("client", client_id.to_string())),
        json!({
            "client": client.name,
            "rm_id": change(client.rm_id, rm),
            "rm": change(client.rm_name.clone(), rm_name.clone()),
        }),
    )
    .await?;
    commit(tx).await?;
    // The per-RM totals (RM-wise distribution, leads' dashboards) follow the assignment once
    // it is committed.
    pms_ingest::aggregate::refresh_totals(cx.db.bulk_pool())
        .await
        .map_err(crate::internal)?;
    Ok(match rm_name {
        Some(n) => format!("{} is now looked after by {n}.", client.name),
        None => format!("{} has no RM now.", client.name),
    })
}
