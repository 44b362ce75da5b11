//! `POST /api/v1/auth/token`: an API client's id and secret for a short-lived bearer token
//! (an adapter over `pms_service::tokens::issue`).

use axum::extract::State;
use axum::Json;
use pms_domain::error::AppError;
use pms_service::tokens::{IssuedToken, TokenRequest};

use super::{ApiCaller, ApiJson};
use crate::http::AppState;

/// An API client's id and secret (from Admin → API clients) for a bearer token, at most an
/// hour long. Send it as `Authorization: Bearer …`.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "Identity", security(()),
    request_body = TokenRequest,
    responses((status = 200, description = "A bearer token", body = IssuedToken)))]
pub async fn issue(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Json<IssuedToken>, AppError> {
    Ok(Json(
        pms_service::tokens::issue(&state, &caller, body).await?,
    ))
}
