//! The REST API for other systems (`/api/v1`): a bearer token from `POST /api/v1/auth/token`
//! (or a signed-in browser session), JSON in and out. Every read goes through the caller's data
//! scope, exactly as the pages do; every client view and export is in the audit trail.

mod clients;
mod exports;
mod token;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::Router;
use pms_auth::Principal;
use pms_domain::identity::Capability;
use pms_store::audit::AuditEvent;

use super::error::ApiError;
use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/token", post(token::issue))
        .route("/api/v1/me", get(clients::me))
        .route("/api/v1/clients", get(clients::list))
        .route("/api/v1/clients/{id}", get(clients::detail))
        .route(
            "/api/v1/portfolios/{id}/valuations",
            get(clients::valuations),
        )
        .route("/api/v1/exports/clients.csv", get(exports::clients_csv))
}

/// The authenticated caller (401 without one).
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| {
                ApiError::Unauthorized("send a bearer token from POST /api/v1/auth/token".into())
            })
    }
}

impl Caller {
    pub fn require(&self, capability: Capability) -> Result<&Principal, ApiError> {
        if self.0.can(capability) {
            Ok(&self.0)
        } else {
            Err(ApiError::Forbidden(format!(
                "the {} role may not do this",
                self.0.user.role.label()
            )))
        }
    }
}

/// Where a request came from, for the audit trail.
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    /// The same client-address rule as the pages (trusted proxies only).
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let meta = pms_app::ssr::request_meta_of(parts, &state.security.trusted_proxies);
        Ok(Origin {
            ip: meta.ip,
            user_agent: meta.user_agent,
        })
    }
}

/// The audit event for an API or upload action.
fn audit_event(
    principal: Option<&Principal>,
    origin: &Origin,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> AuditEvent {
    let meta = pms_app::ssr::RequestMeta {
        ip: origin.ip.clone(),
        user_agent: origin.user_agent.clone(),
    };
    pms_app::ssr::audit_event_from(principal, meta, action, object, details)
}

/// Records an API action that changes nothing (a read, an export, a refusal).
pub async fn audit(
    state: &AppState,
    principal: Option<&Principal>,
    origin: &Origin,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    let event = audit_event(principal, origin, action, object, details);
    state
        .db
        .audit(&event)
        .await
        .map(|_| ())
        .map_err(ApiError::from)
}

/// Records a change inside the transaction that makes it (both commit or neither does).
pub async fn audit_in(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    principal: Option<&Principal>,
    origin: &Origin,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    let event = audit_event(principal, origin, action, object, details);
    state
        .db
        .audit_in(tx, &event)
        .await
        .map(|_| ())
        .map_err(ApiError::from)
}
