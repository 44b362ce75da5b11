//! Clients and portfolios over REST.

use axum::extract::{Path, Query, State};
use axum::Json;
use pms_domain::clients::{
    ClientDetail, ClientQuery, ClientSort, ClientSummary, Page, ValuationPoint,
};
use pms_domain::identity::Capability;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{audit, Caller, Origin};
use crate::http::error::ApiError;
use crate::http::AppState;

/// Query parameters of the client list (also used by the CSV export).
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub search: Option<String>,
    pub sort: Option<String>,
    pub desc: Option<bool>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
    pub include_closed: Option<bool>,
}

impl ListParams {
    pub fn query(&self, default_page_size: u32) -> Result<ClientQuery, ApiError> {
        let sort = match self.sort.as_deref() {
            None | Some("") => ClientSort::Aum,
            Some(s) => ClientSort::from_code(s).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "sort {s:?}: use aum, name, twrr, xirr or onboarding"
                ))
            })?,
        };
        Ok(ClientQuery {
            search: self.search.clone(),
            sort,
            descending: self.desc.unwrap_or(matches!(sort, ClientSort::Aum)),
            page: self.page.unwrap_or(1),
            page_size: self.page_size.unwrap_or(default_page_size),
            include_closed: self.include_closed.unwrap_or(false),
        })
    }
}

pub async fn me(caller: Caller) -> Json<Value> {
    let p = caller.0;
    Json(json!({
        "user": p.user,
        "sees_all_data": p.scope.sees_all(),
        "rm_ids": p.scope.rm_ids(),
        "strategy_ids": p.scope.strategy_ids(),
    }))
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<ClientSummary>>, ApiError> {
    let principal = caller.require(Capability::Analyse)?;
    Ok(Json(
        state
            .db
            .clients(&principal.scope, &params.query(50)?)
            .await?,
    ))
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    origin: Origin,
    Path(id): Path<i32>,
) -> Result<Json<ClientDetail>, ApiError> {
    let principal = caller.require(Capability::Analyse)?;
    let detail = state
        .db
        .client_detail(&principal.scope, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("client {id}")))?;
    audit(
        &state,
        Some(principal),
        &origin,
        "client.view",
        Some(("client", id.to_string())),
        json!({ "via": "api" }),
    )
    .await?;
    Ok(Json(detail))
}

pub async fn valuations(
    State(state): State<AppState>,
    caller: Caller,
    origin: Origin,
    Path(id): Path<i32>,
) -> Result<Json<Vec<ValuationPoint>>, ApiError> {
    let principal = caller.require(Capability::Analyse)?;
    let points = state
        .db
        .portfolio_valuations(&principal.scope, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("portfolio {id}")))?;
    audit(
        &state,
        Some(principal),
        &origin,
        "portfolio.view",
        Some(("portfolio", id.to_string())),
        json!({ "via": "api", "points": points.len() }),
    )
    .await?;
    Ok(Json(points))
}
