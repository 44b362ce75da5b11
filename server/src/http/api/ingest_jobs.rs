//! Data loads over REST (`/api/v1/ingest/jobs`): the job history and one job with its row
//! problems (adapters over `pms_service::ingest_jobs`; data stewards and admins). Uploading a
//! file and a job's problems as CSV are in [`crate::http::ingest`].

use axum::extract::State;
use axum::Json;
use pms_domain::error::AppError;
use pms_domain::ingest::{IngestJobDetail, IngestJobList};
use pms_service::ingest_jobs;

use super::{ApiCaller, ApiPath, QueryParams};
use crate::http::AppState;

/// The load history, newest first, 25 to a page; `any_active` says whether one is running.
#[utoipa::path(get, path = "/api/v1/ingest/jobs", tag = "Data loads",
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 100000, description = "Page number (default 1)")),
    responses((status = 200, description = "One page of jobs", body = IngestJobList)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    params: QueryParams,
) -> Result<Json<IngestJobList>, AppError> {
    let page = params.page("page")?;
    Ok(Json(ingest_jobs::list(&state, &caller, page).await?))
}

/// One job (status, phase, rows read, inserted, updated, unchanged, data version) and a page
/// of its row problems: line, column, value and reason.
#[utoipa::path(get, path = "/api/v1/ingest/jobs/{id}", tag = "Data loads",
    params(
        ("id" = i64, Path, description = "The job's number"),
        ("errors_page" = Option<u32>, Query, minimum = 1, maximum = 100000, description = "Page of its problems (default 1)"),
    ),
    responses((status = 200, description = "The job", body = IngestJobDetail)))]
pub async fn detail(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
    params: QueryParams,
) -> Result<Json<IngestJobDetail>, AppError> {
    let page = params.page("errors_page")?;
    Ok(Json(ingest_jobs::detail(&state, &caller, id, page).await?))
}
