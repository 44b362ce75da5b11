//! Clients and portfolios over REST: adapters over `pms_service::clients`.

use axum::extract::State;
use axum::Json;
use pms_domain::clients::{
    ClientDetail, ClientSummary, Page, PortfolioHoldings, PortfolioTransactions, ValuationPoint,
};
use pms_domain::error::AppError;
use pms_domain::identity::SessionUser;
use pms_service::clients;
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiCaller, ApiPath, QueryParams};
use crate::http::AppState;

/// Who the caller is and which data they see.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: SessionUser,
    /// Every client and portfolio (admins, compliance, data stewards).
    pub sees_all_data: bool,
    /// The RM books they see (their own and, for a team lead, the team's).
    pub rm_ids: Vec<i32>,
    /// The strategies they manage (portfolio managers).
    pub strategy_ids: Vec<i32>,
}

/// Who the token or session belongs to, and their data scope.
#[utoipa::path(get, path = "/api/v1/me", tag = "Identity",
    responses((status = 200, description = "The caller", body = Me)))]
pub async fn me(ApiCaller(caller): ApiCaller) -> Result<Json<Me>, AppError> {
    let p = caller.signed_in()?;
    Ok(Json(Me {
        user: p.user.clone(),
        sees_all_data: p.scope.sees_all(),
        rm_ids: p.scope.rm_ids().to_vec(),
        strategy_ids: p.scope.strategy_ids().to_vec(),
    }))
}

/// The client table: search, filter, sort and page (by number or by cursor), within the
/// caller's scope. Follow `next_cursor` (pass it as `cursor`) to read every client once even
/// while data loads.
#[utoipa::path(get, path = "/api/v1/clients", tag = "Clients",
    params(
        ("q" = Option<String>, Query, description = "Name (part of it), Wealth Spectrum client code or PAN; `search` is read too"),
        ("sort" = Option<String>, Query, description = "aum (default), name, twrr, xirr or onboarding"),
        ("dir" = Option<String>, Query, description = "asc or desc (default: desc for figures, asc for names and dates); `desc=true|false` is read too"),
        ("closed" = Option<bool>, Query, description = "Include closed clients; `include_closed` is read too"),
        ("page" = Option<u32>, Query, minimum = 1, maximum = 100000, description = "Page number (ignored with a cursor)"),
        ("page_size" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Rows per page (default 50, at most 500)"),
        ("cursor" = Option<String>, Query, description = "A previous page's `next_cursor`: continue after its last row"),
    ),
    responses((status = 200, description = "One page of clients", body = Page<ClientSummary>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    params: QueryParams,
) -> Result<Json<Page<ClientSummary>>, AppError> {
    let query = params.client_query(50)?;
    Ok(Json(clients::list(&state, &caller, &query).await?))
}

/// One client: contacts, portfolios with their SEBI-period returns vs benchmark, recent
/// activity. Opening a client is in the audit trail.
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "Clients",
    params(("id" = i32, Path, description = "The client's id")),
    responses((status = 200, description = "The client", body = ClientDetail)))]
pub async fn detail(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<ClientDetail>, AppError> {
    Ok(Json(clients::detail(&state, &caller, id).await?))
}

/// A portfolio's daily values and net flows (what its charts and the what-if use).
#[utoipa::path(get, path = "/api/v1/portfolios/{id}/valuations", tag = "Portfolios",
    params(("id" = i32, Path, description = "The portfolio's id")),
    responses((status = 200, description = "Daily points, oldest first", body = Vec<ValuationPoint>)))]
pub async fn valuations(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Vec<ValuationPoint>>, AppError> {
    Ok(Json(clients::valuations(&state, &caller, id).await?))
}

/// A portfolio's holdings on a date: its latest snapshot on or before `as_of` (the latest of
/// all without it), largest first, with each position's weight, and the snapshot dates there are.
#[utoipa::path(get, path = "/api/v1/portfolios/{id}/holdings", tag = "Portfolios",
    params(
        ("id" = i32, Path, description = "The portfolio's id"),
        ("as_of" = Option<chrono::NaiveDate>, Query, description = "The date (YYYY-MM-DD) to show the holdings of"),
    ),
    responses((status = 200, description = "The holdings", body = PortfolioHoldings)))]
pub async fn holdings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i32>,
    params: QueryParams,
) -> Result<Json<PortfolioHoldings>, AppError> {
    let as_of = params.date("as_of")?;
    Ok(Json(clients::holdings(&state, &caller, id, as_of).await?))
}

/// A portfolio's transactions traded in a period, oldest first: the last 90 days to the latest
/// valuation without `from` and `to`. At most 10,000 in one answer (`truncated` says there were
/// more: ask for a shorter period).
#[utoipa::path(get, path = "/api/v1/portfolios/{id}/transactions", tag = "Portfolios",
    params(
        ("id" = i32, Path, description = "The portfolio's id"),
        ("from" = Option<chrono::NaiveDate>, Query, description = "First trade date, YYYY-MM-DD (with `to`)"),
        ("to" = Option<chrono::NaiveDate>, Query, description = "Last trade date, YYYY-MM-DD (with `from`)"),
    ),
    responses((status = 200, description = "The transactions", body = PortfolioTransactions)))]
pub async fn transactions(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i32>,
    params: QueryParams,
) -> Result<Json<PortfolioTransactions>, AppError> {
    let (from, to) = (params.date("from")?, params.date("to")?);
    Ok(Json(
        clients::transactions(&state, &caller, id, from, to).await?,
    ))
}
