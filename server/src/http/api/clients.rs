//! Clients and portfolios over REST.

use axum::extract::{Path, Query, State};
use axum::Json;
use std::collections::HashMap;

use pms_domain::clients::{ClientDetail, ClientQuery, ClientSummary, Page, ValuationPoint};
use pms_domain::identity::Capability;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{audit, Caller, Origin};
use crate::http::error::ApiError;
use crate::http::AppState;

/// Query parameters of the client list (also used by the CSV export), read by the same parser
/// as the page's URL ([`ClientQuery::from_params`]).
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct ListParams(HashMap<String, String>);

impl ListParams {
    pub fn query(&self, default_page_size: u32) -> Result<ClientQuery, ApiError> {
        ClientQuery::from_params(|name| self.0.get(name).cloned(), default_page_size)
            .map_err(ApiError::BadRequest)
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
