//! Clients and portfolios, always within the caller's data scope: the list (filter, sort,
//! page), one client, one portfolio's valuations, and the export of the whole filtered list.
//! Opening a client or a portfolio, and every export, is in the audit trail.

use pms_domain::clients::{
    BookAnalytics, ClientDetail, ClientHit, ClientQuery, ClientSummary, Page, ValuationPoint,
};
use pms_domain::error::AppError;
use pms_domain::filter::Filter;
use pms_domain::identity::Capability;
use pms_domain::performance::Group;
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

/// The RM league table (with each book's pooled 1-year TWRR), geography and clients joining
/// and leaving, of the caller's scope narrowed by `filter`.
#[tracing::instrument(name = "clients.analytics", skip_all, fields(caller = %caller))]
pub async fn analytics(cx: &Context, caller: &Caller, filter: &Filter) -> AppResult<BookAnalytics> {
    let me = caller.require(Capability::Analyse)?;
    let version = cx.db.read_version().await?;
    let key = format!("{}|{}", scope_key(&me.scope), filter.key());
    let answer = cx
        .reads
        .answer(version, key, || async {
            let mut league = cx.db.rm_league(&me.scope, filter).await?;
            for row in &mut league {
                let book =
                    crate::performance::group(cx, caller, Group::Rm(row.rm_id), filter).await?;
                row.twrr_1y = book
                    .periods
                    .iter()
                    .find(|p| p.period == "1Y")
                    .and_then(|p| p.twrr);
            }
            let (by_state, by_city) = cx.db.geography(&me.scope, filter, CITIES).await?;
            let client_flows = cx.db.client_flows(&me.scope, filter).await?;
            Ok(BookAnalytics {
                league,
                by_state,
                by_city,
                client_flows,
            })
        })
        .await?;
    Ok(BookAnalytics::clone(&answer))
}

/// Cities listed in the geography (the largest by AUM).
const CITIES: i64 = 12;

/// Hits shown under the header's search box.
const SEARCH_HITS: i64 = 8;

/// Clients the caller may see whose name resembles `text` (typos tolerated), or whose client
/// code starts with it, or whose PAN ends with it; at most eight, best first. Not cached: the
/// text is free, and the query is an index lookup.
#[tracing::instrument(name = "clients.search", skip_all, fields(caller = %caller))]
pub async fn search(cx: &Context, caller: &Caller, text: &str) -> AppResult<Vec<ClientHit>> {
    let me = caller.require(Capability::Analyse)?;
    if text.chars().count() > 100 {
        return Err(AppError::bad_request(
            "Search for at most 100 characters: a name, a client code or a PAN.",
        ));
    }
    Ok(cx.db.client_search(&me.scope, text, SEARCH_HITS).await?)
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

/// A portfolio's holdings on a date (its latest snapshot without one); the view is audited.
#[tracing::instrument(name = "clients.holdings", skip_all, fields(caller = %caller, portfolio_id = portfolio_id))]
pub async fn holdings(
    cx: &Context,
    caller: &Caller,
    portfolio_id: i32,
    as_of: Option<chrono::NaiveDate>,
) -> AppResult<pms_domain::clients::PortfolioHoldings> {
    let me = caller.require(Capability::Analyse)?;
    let holdings = cx
        .db
        .portfolio_holdings(&me.scope, portfolio_id, as_of)
        .await?
        .ok_or_else(|| AppError::not_found("portfolio"))?;
    record(
        cx,
        caller,
        "portfolio.holdings",
        Some(("portfolio", portfolio_id.to_string())),
        json!({ "via": via(caller), "as_of": holdings.as_of }),
    )
    .await?;
    Ok(holdings)
}

/// A portfolio's transactions traded `from ..= to` (the last 90 days to its latest valuation
/// without them); the view is audited.
#[tracing::instrument(name = "clients.transactions", skip_all, fields(caller = %caller, portfolio_id = portfolio_id))]
pub async fn transactions(
    cx: &Context,
    caller: &Caller,
    portfolio_id: i32,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> AppResult<pms_domain::clients::PortfolioTransactions> {
    use pms_domain::clients::PortfolioTransactions;
    let me = caller.require(Capability::Analyse)?;
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) if from <= to => (from, to),
        (Some(from), Some(to)) => {
            return Err(AppError::BadRequest(format!(
                "from={from} is after to={to}: give a start on or before the end"
            )))
        }
        (None, None) => {
            let latest = cx
                .db
                .data_status()
                .await
                .map_err(crate::internal)?
                .data_as_of;
            let to = latest.unwrap_or_else(|| chrono::Utc::now().date_naive());
            (to - chrono::Days::new(90), to)
        }
        _ => {
            return Err(AppError::BadRequest(
                "Give both from and to (YYYY-MM-DD), or neither for the last 90 days.".into(),
            ))
        }
    };
    let cap = PortfolioTransactions::MAX as i64 + 1;
    let mut transactions = cx
        .db
        .portfolio_transactions(&me.scope, portfolio_id, from, to, cap)
        .await?
        .ok_or_else(|| AppError::not_found("portfolio"))?;
    let truncated = transactions.len() > PortfolioTransactions::MAX;
    transactions.truncate(PortfolioTransactions::MAX);
    record(
        cx,
        caller,
        "portfolio.transactions",
        Some(("portfolio", portfolio_id.to_string())),
        json!({ "via": via(caller), "from": from, "to": to, "rows": transactions.len() }),
    )
    .await?;
    Ok(PortfolioTransactions {
        portfolio_id,
        from,
        to,
        transactions,
        truncated,
    })
}

/// A portfolio's daily values (audited as [`valuations`] is, within the caller's scope) and its
/// performance-fee rule: what the client page's what-if recomputes in the browser.
#[tracing::instrument(name = "clients.what_if_inputs", skip_all, fields(caller = %caller, portfolio_id = portfolio_id))]
pub async fn what_if_inputs(
    cx: &Context,
    caller: &Caller,
    portfolio_id: i32,
) -> AppResult<pms_domain::clients::WhatIfInputs> {
    let points = valuations(cx, caller, portfolio_id).await?;
    let fy_end_crystallisation = cx
        .db
        .crystallises_at_fy_end(portfolio_id)
        .await?
        .unwrap_or(false);
    Ok(pms_domain::clients::WhatIfInputs {
        points,
        fy_end_crystallisation,
    })
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
        json!({ "rows": export.total, "data_version": export.data_version, "search": query.search, "sort": query.sort.code(), "descending": query.descending }),
    )
    .await?;
    Ok(export)
}

/// The channel as the audit trail's `via` detail.
pub(crate) fn via(caller: &Caller) -> &'static str {
    match caller.channel {
        Channel::Page => "page",
        Channel::Api => "api",
        Channel::Console => "console",
    }
}
