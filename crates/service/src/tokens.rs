//! API clients' token exchange: a client id and secret for a short-lived bearer token, rate
//! limited per source address and per client, with refusals of a registered client audited.

use chrono::{DateTime, Duration, Utc};
use pms_domain::error::AppError;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::audit::record;
use crate::{AppResult, Caller, Context};

/// Longest and shortest lifetime a caller may ask for.
const TTL_RANGE: std::ops::RangeInclusive<i64> = 60..=3600;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    pub client_id: String,
    pub client_secret: String,
    /// Requested lifetime in seconds (at most an hour; 15 minutes by default).
    #[schema(minimum = 60, maximum = 3600)]
    pub ttl_seconds: Option<i64>,
}

/// The OAuth-style answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub expires_at: DateTime<Utc>,
}

#[tracing::instrument(name = "tokens.issue", skip_all, fields(client_id = %request.client_id))]
pub async fn issue(cx: &Context, caller: &Caller, request: TokenRequest) -> AppResult<IssuedToken> {
    let slow_down = || {
        AppError::TooManyRequests("Too many token requests; wait a minute and try again.".into())
    };
    // Per source address first, so a flood of garbage costs no database work at all.
    let source = caller.meta.ip.clone().unwrap_or_default();
    cx.token_limiter
        .check_key(&format!("addr:{source}"))
        .map_err(|_| slow_down())?;
    let ttl = match request.ttl_seconds {
        None => pms_auth::api_token::DEFAULT_TTL,
        Some(s) if TTL_RANGE.contains(&s) => Duration::seconds(s),
        Some(s) => {
            return Err(AppError::BadRequest(format!(
                "ttl_seconds is {s}: ask for {} to {} seconds, or leave it out for 15 minutes",
                TTL_RANGE.start(),
                TTL_RANGE.end()
            )))
        }
    };
    let refused = || AppError::Unauthorized("unknown client or wrong secret".into());
    let client_id: Uuid = request.client_id.trim().parse().map_err(|_| refused())?;
    cx.token_limiter
        .check_key(&format!("client:{client_id}"))
        .map_err(|_| slow_down())?;
    match pms_auth::api_token::issue(&cx.db, &cx.keys, client_id, &request.client_secret, ttl).await
    {
        Ok((issued, client)) => {
            let principal = pms_auth::Principal::for_api_client(&cx.db, &client, issued.jti)
                .await
                .map_err(|e| AppError::Unauthorized(e.to_string()))?;
            let as_client = Caller {
                principal: Some(principal),
                ..caller.clone()
            };
            record(
                cx,
                &as_client,
                "api.token_issued",
                Some(("api_client", client.client_id.to_string())),
                json!({ "jti": issued.jti, "expires_at": issued.expires_at }),
            )
            .await?;
            Ok(IssuedToken {
                access_token: issued.token,
                token_type: "Bearer",
                expires_in: (issued.expires_at - Utc::now()).num_seconds(),
                expires_at: issued.expires_at,
            })
        }
        Err(pms_auth::AuthError::InvalidToken(reason)) => {
            // Refusals for a registered client are evidence someone holds or guesses its id:
            // recorded, at most the per-client rate. Refusals for ids that name no client are
            // only logged, so an anonymous caller cannot grow the audit trail.
            if cx.db.api_client(client_id).await?.is_some() {
                record(
                    cx,
                    caller,
                    "api.token_refused",
                    Some(("api_client", client_id.to_string())),
                    json!({ "reason": reason }),
                )
                .await?;
            } else {
                tracing::warn!(%client_id, source, "token refused: no such API client");
            }
            Err(AppError::Unauthorized(reason))
        }
        Err(e) => Err(crate::internal(e)),
    }
}

/// The principal a bearer token stands for, resolved once per request: a valid, unexpired,
/// unrevoked token of an active client (401 otherwise). A database failure is not a 401.
#[tracing::instrument(name = "tokens.verify", skip_all)]
pub async fn principal_for(cx: &Context, token: &str) -> AppResult<pms_auth::Principal> {
    let refused = |e: pms_auth::AuthError| match e {
        pms_auth::AuthError::InvalidToken(_) | pms_auth::AuthError::Rejected(_) => {
            AppError::Unauthorized(e.to_string())
        }
        pms_auth::AuthError::Store(e) => e.into(),
        other => crate::internal(other),
    };
    let (client, jti) = pms_auth::api_token::verify(&cx.db, &cx.keys, token)
        .await
        .map_err(refused)?;
    pms_auth::Principal::for_api_client(&cx.db, &client, jti)
        .await
        .map_err(refused)
}
