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
use pms_service::Channel;

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
