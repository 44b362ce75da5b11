//! Clients and portfolios over REST: adapters over `pms_service::clients`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::Json;
use pms_domain::clients::{ClientDetail, ClientQuery, ClientSummary, Page, ValuationPoint};
use pms_domain::error::AppError;
use pms_service::clients;
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiCaller;
use crate::http::AppState;

/// Query parameters of the client list (also used by the CSV export), read by the same parser
/// as the page's URL ([`ClientQuery::from_params`]).
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct ListParams(HashMap<String, String>);

impl ListParams {
    pub fn query(&self, default_page_size: u32) -> Result<ClientQuery, AppError> {
        ClientQuery::from_params(|name| self.0.get(name).cloned(), default_page_size)
            .map_err(AppError::BadRequest)
    }
}

pub async fn me(ApiCaller(caller): ApiCaller) -> Result<Json<Value>, AppError> {
    let p = caller.signed_in()?;
    Ok(Json(json!({
        "user": p.user,
        "sees_all_data": p.scope.sees_all(),
        "rm_ids": p.scope.rm_ids(),
        "strategy_ids": p.scope.strategy_ids(),
    })))
}

pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<ClientSummary>>, AppError> {
    let query = params.query(50)?;
    Ok(Json(clients::list(&state, &caller, &query).await?))
}

pub async fn detail(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i32>,
) -> Result<Json<ClientDetail>, AppError> {
    Ok(Json(clients::detail(&state, &caller, id).await?))
}

pub async fn valuations(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i32>,
) -> Result<Json<Vec<ValuationPoint>>, AppError> {
    Ok(Json(clients::valuations(&state, &caller, id).await?))
}
