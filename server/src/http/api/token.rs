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

/// Longest and shortest lifetime a caller may ask for.
const TTL_RANGE: std::ops::RangeInclusive<i64> = 60..=3600;

pub async fn issue(
    State(state): State<AppState>,
    origin: Origin,
    Json(body): Json<TokenRequest>,
) -> Result<Json<Value>, ApiError> {
    let slow_down =
        || ApiError::TooManyRequests("too many token requests; wait a minute and try again".into());
    // Per source address first, so a flood of garbage costs no database work at all.
    let source = origin.ip.clone().unwrap_or_default();
    state
        .token_limiter
        .check_key(&format!("addr:{source}"))
        .map_err(|_| slow_down())?;
    let ttl = match body.ttl_seconds {
        None => pms_auth::api_token::DEFAULT_TTL,
        Some(s) if TTL_RANGE.contains(&s) => Duration::seconds(s),
        Some(s) => {
            return Err(ApiError::BadRequest(format!(
                "ttl_seconds is {s}: ask for {} to {} seconds, or leave it out for 15 minutes",
                TTL_RANGE.start(),
                TTL_RANGE.end()
            )))
        }
    };
    let refused = || ApiError::Unauthorized("unknown client or wrong secret".into());
    let client_id: Uuid = body.client_id.trim().parse().map_err(|_| refused())?;
    state
        .token_limiter
        .check_key(&format!("client:{client_id}"))
        .map_err(|_| slow_down())?;
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
            // Refusals for a registered client are evidence someone holds or guesses its id:
            // recorded, at most the per-client rate. Refusals for ids that name no client are
            // only logged, so an anonymous caller cannot grow the audit trail.
            if state.db.api_client(client_id).await?.is_some() {
                audit(
                    &state,
                    None,
                    &origin,
                    "api.token_refused",
                    Some(("api_client", client_id.to_string())),
                    json!({ "reason": reason }),
                )
                .await?;
            } else {
                tracing::warn!(%client_id, source, "token refused: no such API client");
            }
            Err(ApiError::Unauthorized(reason))
        }
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}
