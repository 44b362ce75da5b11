//! `POST /api/v1/auth/token`: an API client's id and secret for a short-lived bearer token.

use axum::extract::State;
use axum::Json;
use chrono::Duration;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{audit, Origin};
use crate::http::error::ApiError;
use crate::http::AppState;

#[derive(Deserialize)]
pub struct TokenRequest {
    client_id: String,
    client_secret: String,
    /// Requested lifetime in seconds (at most an hour; 15 minutes by default).
    ttl_seconds: Option<i64>,
}

pub async fn issue(
    State(state): State<AppState>,
    origin: Origin,
    Json(body): Json<TokenRequest>,
) -> Result<Json<Value>, ApiError> {
    let client_id: Uuid = body
        .client_id
        .trim()
        .parse()
        .map_err(|_| ApiError::Unauthorized("unknown client or wrong secret".into()))?;
    let ttl = body
        .ttl_seconds
        .map(Duration::seconds)
        .unwrap_or(pms_auth::api_token::DEFAULT_TTL);
    match pms_auth::api_token::issue(&state.db, &state.keys, client_id, &body.client_secret, ttl)
        .await
    {
        Ok((issued, client)) => {
            let principal = pms_auth::Principal::for_api_client(&state.db, &client, issued.jti)
                .await
                .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
            audit(
                &state,
                Some(&principal),
                &origin,
                "api.token_issued",
                Some(("api_client", client.client_id.to_string())),
                json!({ "jti": issued.jti, "expires_at": issued.expires_at }),
            )
            .await?;
            Ok(Json(json!({
                "access_token": issued.token,
                "token_type": "Bearer",
                "expires_in": (issued.expires_at - chrono::Utc::now()).num_seconds(),
                "expires_at": issued.expires_at,
            })))
        }
        Err(pms_auth::AuthError::InvalidToken(reason)) => {
            audit(
                &state,
                None,
                &origin,
                "api.token_refused",
                Some(("api_client", client_id.to_string())),
                json!({ "reason": reason }),
            )
            .await?;
            Err(ApiError::Unauthorized(reason))
        }
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}
