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
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_service::{Channel, RequestMeta};

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

/// The caller of a REST request, as the use cases take it (the same client-address rule as
/// the pages: trusted proxies only).
pub struct ApiCaller(pub pms_service::Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ApiCaller(pms_service::Caller::of(
            parts,
            Channel::Api,
            &state.security.trusted_proxies,
        )))
    }
}

/// The authenticated principal (401 without one), for the handlers not yet expressed as a
/// use case (uploads, the logo).
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| {
                AppError::Unauthorized("Send a bearer token from POST /api/v1/auth/token.".into())
            })
    }
}

impl Caller {
    pub fn require(&self, capability: Capability) -> Result<&Principal, AppError> {
        if self.0.can(capability) {
            Ok(&self.0)
        } else {
            Err(AppError::Forbidden(format!(
                "the {} role may not do this",
                self.0.user.role.label()
            )))
        }
    }
}

/// Where a request came from, for the audit trail.
pub struct Origin(pub RequestMeta);

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Origin(RequestMeta::of(
            parts,
            &state.security.trusted_proxies,
        )))
    }
}

/// `principal` calling from `origin`, as the audit trail records them.
fn acting(principal: Option<&Principal>, origin: &Origin) -> pms_service::Caller {
    pms_service::Caller {
        principal: principal.cloned(),
        channel: Channel::Api,
        meta: origin.0.clone(),
    }
}

/// Records an action that changes nothing (a read, an export, a refusal).
pub async fn audit(
    state: &AppState,
    principal: Option<&Principal>,
    origin: &Origin,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    pms_service::audit::record(state, &acting(principal, origin), action, object, details).await
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
) -> Result<(), AppError> {
    pms_service::audit::record_in(
        state,
        tx,
        &acting(principal, origin),
        action,
        object,
        details,
    )
    .await
}
