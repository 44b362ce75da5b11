//! `POST /api/v1/auth/token`: an API client's id and secret for a short-lived bearer token
//! (an adapter over `pms_service::tokens::issue`).

use axum::extract::State;
use axum::Json;
use pms_domain::error::AppError;
use pms_service::tokens::{IssuedToken, TokenRequest};

use super::ApiCaller;
use crate::http::AppState;

pub async fn issue(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Json(body): Json<TokenRequest>,
) -> Result<Json<IssuedToken>, AppError> {
    Ok(Json(
        pms_service::tokens::issue(&state, &caller, body).await?,
    ))
}
