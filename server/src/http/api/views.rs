//! Saved views over REST (`/api/v1/views`): adapters over `pms_service::views`. A view is the
//! question (section and filters); opening its `href` answers it with the caller's own scope.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use pms_domain::error::AppError;
use pms_domain::views::{ViewDetail, ViewSummary};
use pms_service::views;
use serde::{Deserialize, Serialize};

use super::{ApiCaller, ApiJson};
use crate::http::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    q: Option<String>,
}

/// A view as the API shows it: the summary and the URL that opens it.
#[derive(Debug, Serialize)]
pub struct ApiView {
    #[serde(flatten)]
    view: ViewSummary,
    href: String,
}

impl From<ViewSummary> for ApiView {
    fn from(view: ViewSummary) -> Self {
        ApiView {
            href: view.href(),
            view,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NewView {
    name: String,
    section: String,
    #[serde(default)]
    query: String,
}

#[derive(Debug, Deserialize)]
pub struct ViewChange {
    name: Option<String>,
    query: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Restore {
    version: i32,
}

#[derive(Debug, Deserialize)]
pub struct Shares {
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    roles: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CopyRequest {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DefaultRequest {
    view_id: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<ApiView>>, AppError> {
    let found = views::list(&state, &caller, params.q.as_deref()).await?;
    Ok(Json(found.into_iter().map(ApiView::from).collect()))
}

pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<NewView>,
) -> Result<(StatusCode, Json<ApiView>), AppError> {
    let view = views::create(&state, &caller, &body.name, &body.section, &body.query).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

pub async fn detail(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<ViewDetail>, AppError> {
    Ok(Json(views::detail(&state, &caller, id).await?))
}

pub async fn change(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ViewChange>,
) -> Result<Json<ApiView>, AppError> {
    let view = views::save(
        &state,
        &caller,
        id,
        body.name.as_deref(),
        body.query.as_deref(),
    )
    .await?;
    Ok(Json(view.into()))
}

pub async fn delete(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    views::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn restore(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Restore>,
) -> Result<Json<ApiView>, AppError> {
    Ok(Json(
        views::restore(&state, &caller, id, body.version)
            .await?
            .into(),
    ))
}

pub async fn share(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Shares>,
) -> Result<Json<ViewDetail>, AppError> {
    Ok(Json(
        views::share(&state, &caller, id, &body.emails, &body.roles).await?,
    ))
}

pub async fn copy(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ApiView>), AppError> {
    // The body is optional: without one the copy is called "Copy of …".
    let name = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<CopyRequest>(&body)
            .map_err(|e| AppError::BadRequest(format!("The request body could not be read: {e}")))?
            .name
    };
    let view = views::copy(&state, &caller, id, name.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

pub async fn set_default(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(section): Path<String>,
    ApiJson(body): ApiJson<DefaultRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    let message = views::set_default(&state, &caller, &section, body.view_id).await?;
    Ok(Json(serde_json::json!({ "message": message })))
}
