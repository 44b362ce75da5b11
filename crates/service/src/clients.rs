//! Clients and portfolios, always within the caller's data scope: the list (filter, sort,
//! page), one client, one portfolio's valuations, and the export of the whole filtered list.
//! Opening a client or a portfolio, and every export, is in the audit trail.

use pms_domain::clients::{ClientDetail, ClientQuery, ClientSummary, Page, ValuationPoint};
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_store::clients::ClientExport;
use serde_json::json;

use crate::audit::record;
use crate::read_cache::scope_key;
use crate::{AppResult, Caller, Channel, Context};

/// One page of the client table.
#[tracing::instrument(name = "clients.list", skip_all, fields(caller = %caller))]
pub async fn list(
    cx: &Context,
    caller: &Caller,
    query: &ClientQuery,
) -> AppResult<Page<ClientSummary>> {
    let me = caller.require(Capability::Analyse)?;
    let version = cx.db.read_version().await?;
    let key = format!("{}|{query:?}", scope_key(&me.scope));
    let page = cx
        .reads
        .answer(version, key, || async {
            Ok(cx.db.clients(&me.scope, query).await?)
        })
        .await?;
    Ok(Page::clone(&page))
}

/// One client with their portfolios, contacts and meetings; the view is audited.
#[tracing::instrument(name = "clients.detail", skip_all, fields(caller = %caller, client_id = client_id))]
pub async fn detail(cx: &Context, caller: &Caller, client_id: i32) -> AppResult<ClientDetail> {
    let me = caller.require(Capability::Analyse)?;
    let detail = cx
        .db
        .client_detail(&me.scope, client_id)
        .await?
        .ok_or_else(|| AppError::not_found("client"))?;
    record(
        cx,
        caller,
        "client.view",
        Some(("client", client_id.to_string())),
        json!({ "via": via(caller) }),
    )
    .await?;
    Ok(detail)
}

/// A portfolio's valuation history; the view is audited.
#[tracing::instrument(name = "clients.valuations", skip_all, fields(caller = %caller, portfolio_id = portfolio_id))]
pub async fn valuations(
    cx: &Context,
    caller: &Caller,
    portfolio_id: i32,
) -> AppResult<Vec<ValuationPoint>> {
    let me = caller.require(Capability::Analyse)?;
    let points = cx
        .db
        .portfolio_valuations(&me.scope, portfolio_id)
        .await?
        .ok_or_else(|| AppError::not_found("portfolio"))?;
    record(
        cx,
        caller,
        "portfolio.view",
        Some(("portfolio", portfolio_id.to_string())),
        json!({ "via": via(caller), "points": points.len() }),
    )
    .await?;
    Ok(points)
}

/// Every row of the filtered client list (its paging does not apply), in its order, streamed
/// as the query returns them; the export is audited before the first row leaves.
#[tracing::instrument(name = "clients.export", skip_all, fields(caller = %caller))]
pub async fn export(cx: &Context, caller: &Caller, query: &ClientQuery) -> AppResult<ClientExport> {
    let me = caller.require(Capability::Export)?;
    let export = cx.db.client_export(&me.scope, query).await?;
    record(
        cx,
        caller,
        "export.csv",
        Some(("client_list", "clients.csv".into())),
        json!({ "rows": export.total, "search": query.search, "sort": query.sort.code(), "descending": query.descending }),
    )
    .await?;
    Ok(export)
}

/// The channel as the audit trail's `via` detail.
fn via(caller: &Caller) -> &'static str {
    match caller.channel {
        Channel::Page => "page",
        Channel::Api => "api",
        Channel::Console => "console",
    }
}
