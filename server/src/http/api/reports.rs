//! Reports over REST: a client's statement for a period as a PDF.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use pms_domain::error::AppError;
use pms_service::reports;

use super::{ApiCaller, ApiPath, QueryParams};
use crate::http::AppState;

/// A client's statement for a period as a branded PDF: values and flows, performance against
/// the benchmark for the standard periods, holdings and allocation, income and fees, the
/// period's transactions and downgraded debt holdings. Without `from` and `to`: the last
/// financial-year quarter that had ended by the latest valuation. A client outside the
/// caller's scope is not found.
#[utoipa::path(get, path = "/api/v1/clients/{id}/statement", tag = "Reports",
    params(
        ("id" = i32, Path, description = "The client's id"),
        ("from" = Option<chrono::NaiveDate>, Query, description = "First day of the period, YYYY-MM-DD (with `to`)"),
        ("to" = Option<chrono::NaiveDate>, Query, description = "Last day of the period, YYYY-MM-DD (with `from`)"),
    ),
    responses((status = 200, description = "The statement (a PDF file)", content_type = "application/pdf", body = String)))]
pub async fn statement(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i32>,
    params: QueryParams,
) -> Result<Response, AppError> {
    let (from, to) = (params.date("from")?, params.date("to")?);
    let pdf = reports::client_statement(&state, &caller, id, from, to).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", pdf.file_name),
            ),
        ],
        pdf.bytes,
    )
        .into_response())
}
