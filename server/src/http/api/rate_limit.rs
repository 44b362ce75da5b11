//! A request budget per API client (`PMS_API_RATE_PER_MINUTE`, a steady rate with a burst of
//! that size): another system polling too eagerly gets `429 Too Many Requests` with
//! `Retry-After`, never a slower Hub for the people using it. Every answer to a token carries
//! the IETF `RateLimit-Policy` and `RateLimit` headers, so a well-behaved client can pace
//! itself before it is refused. Browser sessions are people, not load: they are not counted.

use std::num::NonZeroU32;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::middleware::StateInformationMiddleware;
use governor::Quota;
use pms_auth::principal::AuthVia;
use pms_auth::Principal;
use pms_domain::error::AppError;
use uuid::Uuid;

use crate::http::AppState;

/// Requests counted per API client.
pub struct ApiLimiter {
    per_minute: u32,
    limiter: governor::DefaultKeyedRateLimiter<Uuid, StateInformationMiddleware>,
}

impl ApiLimiter {
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            per_minute,
            limiter: governor::RateLimiter::keyed(quota).with_middleware(),
        }
    }

    /// Seconds until one more request is allowed when none is left.
    fn refill_seconds(&self) -> u64 {
        60u64.div_ceil(u64::from(self.per_minute))
    }

    fn set_headers(&self, headers: &mut HeaderMap, remaining: u32, reset: u64) {
        let policy = format!("\"per-client\";q={};w=60", self.per_minute);
        let state = format!("\"per-client\";r={remaining};t={reset}");
        for (name, value) in [("ratelimit-policy", policy), ("ratelimit", state)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
}

pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let client = req
        .extensions()
        .get::<Principal>()
        .and_then(|p| match &p.via {
            AuthVia::ApiToken { client_id, .. } => Some(*client_id),
            _ => None,
        });
    let Some(client) = client else {
        return next.run(req).await;
    };
    let budget = &state.api_limiter;
    match budget.limiter.check_key(&client) {
        Ok(snapshot) => {
            let remaining = snapshot.remaining_burst_capacity();
            let mut response = next.run(req).await;
            let reset = if remaining == 0 {
                budget.refill_seconds()
            } else {
                0
            };
            budget.set_headers(response.headers_mut(), remaining, reset);
            response
        }
        Err(not_until) => {
            let wait = not_until
                .wait_time_from(budget.limiter.clock().now())
                .as_secs()
                .max(1);
            let mut response = AppError::TooManyRequests(format!(
                "This API client may make {} requests a minute; try again in {wait} s.",
                budget.per_minute
            ))
            .into_response();
            budget.set_headers(response.headers_mut(), 0, wait);
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
    }
}
