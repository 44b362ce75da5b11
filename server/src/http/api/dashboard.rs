//! The dashboard's figures over REST: how current the data is, the executive summary and a
//! group's performance (adapters over `pms_service::summary` and `pms_service::performance`),
//! each within the caller's scope and narrowed by the same filter parameters as the pages.

use axum::extract::State;
use axum::Json;
use pms_domain::error::AppError;
use pms_domain::performance::{Group, GroupPerformance};
use pms_domain::status::DataStatus;
use pms_domain::summary::ExecutiveSummary;
use pms_service::{performance, summary};

use super::{ApiCaller, ApiPath, QueryParams};
use crate::http::AppState;

/// The data version and the latest valuation date: compare `data_version` before and after
/// reading several resources to know they describe the same data.
#[utoipa::path(get, path = "/api/v1/status", tag = "Dashboard",
    responses((status = 200, description = "How current the data is", body = DataStatus)))]
pub async fn status(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<DataStatus>, AppError> {
    caller.signed_in()?;
    Ok(Json(summary::data_status(&state).await?))
}

/// AUM and its change (net flows and market gain) over the filter's period, clients and
/// portfolios, TWRR vs benchmark for the SEBI periods, the AUM trend, the mix by strategy,
/// approach, asset class and risk profile, and the top and bottom portfolios.
#[utoipa::path(get, path = "/api/v1/summary", tag = "Dashboard",
    responses((status = 200, description = "The executive summary of the caller's book", body = ExecutiveSummary)))]
pub async fn summary(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    params: QueryParams,
) -> Result<Json<ExecutiveSummary>, AppError> {
    let filter = params.filter()?;
    Ok(Json(summary::executive(&state, &caller, &filter).await?))
}

/// A group's pooled performance: TWRR and benchmark for the SEBI periods, XIRR, the risk
/// table (volatility, Sharpe, Sortino, drawdown, alpha, beta, VaR, capture …), month-end
/// history with drawdown and rolling figures, monthly returns, allocation and the risk–return
/// points of its portfolios.
#[utoipa::path(get, path = "/api/v1/performance/{group}", tag = "Dashboard",
    params(("group" = String, Path, pattern = "^(firm|(strategy|approach|rm|client|portfolio)-[1-9][0-9]{0,8})$",
        description = "firm, strategy-N, approach-N, rm-N, client-N or portfolio-N")),
    responses((status = 200, description = "The group's performance", body = GroupPerformance)))]
pub async fn performance(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(group): ApiPath<String>,
    params: QueryParams,
) -> Result<Json<GroupPerformance>, AppError> {
    let group: Group = group
        .parse()
        .map_err(|e: pms_domain::performance::BadGroup| AppError::BadRequest(e.to_string()))?;
    let filter = params.filter()?;
    Ok(Json(
        performance::group(&state, &caller, group, &filter).await?,
    ))
}
