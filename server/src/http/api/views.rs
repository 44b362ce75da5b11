//! Saved views over REST (`/api/v1/views`): adapters over `pms_service::views`. A view is the
//! question (section and filters); opening its `href` answers it with the caller's own scope.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use pms_domain::error::AppError;
use pms_domain::views::{Section, ViewDetail, ViewSummary};
use pms_service::views;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{optional_json, ApiCaller, ApiJson, ApiPath, QueryParams};
use crate::http::AppState;

/// A plain confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    message: String,
}

/// A view as the API shows it: the summary and the URL that opens it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiView {
    #[serde(flatten)]
    view: ViewSummary,
    /// The page that answers the view's question with the reader's own data.
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewView {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000]*\\S[^\\u0000]*$"
    )]
    name: String,
    #[schema(value_type = Section)]
    section: String,
    /// The section's URL query (filters and layout), e.g. `risk=Aggressive&sort=aum`.
    #[serde(default)]
    query: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ViewChange {
    name: Option<String>,
    query: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Restore {
    version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Shares {
    /// Users who may read it (replaces the list).
    #[serde(default)]
    emails: Vec<String>,
    /// Roles whose every user may read it: rm, pm, compliance, admin, data_steward.
    #[serde(default)]
    roles: Vec<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CopyRequest {
    name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DefaultRequest {
    /// The view to open with; null for none.
    view_id: Option<i64>,
}

/// The views the caller owns or that are shared with them.
#[utoipa::path(get, path = "/api/v1/views", tag = "Saved views",
    params(("q" = Option<String>, Query, max_length = 100, description = "Part of a view's name, its owner's name or its section")),
    responses((status = 200, description = "Views", body = Vec<ApiView>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    params: QueryParams,
) -> Result<Json<Vec<ApiView>>, AppError> {
    let found = views::list(&state, &caller, params.get("q").as_deref()).await?;
    Ok(Json(found.into_iter().map(ApiView::from).collect()))
}

/// Saves a section's question under a name (version 1).
#[utoipa::path(post, path = "/api/v1/views", tag = "Saved views", request_body = NewView,
    responses((status = 201, description = "Saved", body = ApiView)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<NewView>,
) -> Result<(StatusCode, Json<ApiView>), AppError> {
    let view = views::create(&state, &caller, &body.name, &body.section, &body.query).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// A view with its versions and (for its owner) who it is shared with.
#[utoipa::path(get, path = "/api/v1/views/{id}", tag = "Saved views", params(("id" = i64, Path)),
    responses((status = 200, description = "The view", body = ViewDetail)))]
pub async fn detail(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ViewDetail>, AppError> {
    Ok(Json(views::detail(&state, &caller, id).await?))
}

/// Renames a view or saves new filters (a new version); owner only.
#[utoipa::path(patch, path = "/api/v1/views/{id}", tag = "Saved views", params(("id" = i64, Path)),
    request_body = ViewChange,
    responses((status = 200, description = "Saved", body = ApiView)))]
pub async fn change(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
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

/// Deletes a view and its versions; owner only.
#[utoipa::path(delete, path = "/api/v1/views/{id}", tag = "Saved views", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted")))]
pub async fn delete(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    views::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes an earlier version the newest; owner only.
#[utoipa::path(post, path = "/api/v1/views/{id}/restore", tag = "Saved views", params(("id" = i64, Path)),
    request_body = Restore,
    responses((status = 200, description = "Restored", body = ApiView)))]
pub async fn restore(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Restore>,
) -> Result<Json<ApiView>, AppError> {
    Ok(Json(
        views::restore(&state, &caller, id, body.version)
            .await?
            .into(),
    ))
}

/// Shares a view read-only with users and roles; owner only.
#[utoipa::path(put, path = "/api/v1/views/{id}/shares", tag = "Saved views", params(("id" = i64, Path)),
    request_body = Shares,
    responses((status = 200, description = "Shared", body = ViewDetail)))]
pub async fn share(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Shares>,
) -> Result<Json<ViewDetail>, AppError> {
    Ok(Json(
        views::share(&state, &caller, id, &body.emails, &body.roles).await?,
    ))
}

/// Saves a copy of a view the caller may read, as their own.
#[utoipa::path(post, path = "/api/v1/views/{id}/copy", tag = "Saved views", params(("id" = i64, Path)),
    request_body(content = Option<CopyRequest>, description = "Optional: the copy's name"),
    responses((status = 201, description = "Copied", body = ApiView)))]
pub async fn copy(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ApiView>), AppError> {
    // The body is optional (absent or null): without a name the copy is called "Copy of …".
    let name = optional_json::<CopyRequest>(&body)?.and_then(|request| request.name);
    let view = views::copy(&state, &caller, id, name.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Chooses the view a section opens with for the caller (or none).
#[utoipa::path(put, path = "/api/v1/views/defaults/{section}", tag = "Saved views",
    params(("section" = Section, Path)),
    request_body = DefaultRequest,
    responses((status = 200, description = "Set", body = Done)))]
pub async fn set_default(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(section): ApiPath<String>,
    ApiJson(body): ApiJson<DefaultRequest>,
) -> Result<Json<Done>, AppError> {
    let message = views::set_default(&state, &caller, &section, body.view_id).await?;
    Ok(Json(Done { message }))
}
