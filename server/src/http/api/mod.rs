//! The REST API for other systems (`/api/v1`): a bearer token from `POST /api/v1/auth/token`
//! (or a signed-in browser session), JSON in and out. Every read goes through the caller's data
//! scope, exactly as the pages do; every client view and export is in the audit trail. JSON
//! reads carry an `ETag` and answer `If-None-Match` with `304` ([`etag`]).

mod clients;
mod etag;
mod exports;
pub mod rate_limit;
mod token;
mod views;

use axum::extract::FromRequestParts;
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::routing::{get, post, put};
use axum::Router;
use pms_service::Channel;

use super::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
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
        .route("/api/v1/views", get(views::list).post(views::create))
        .route(
            "/api/v1/views/{id}",
            get(views::detail)
                .patch(views::change)
                .delete(views::delete),
        )
        .route("/api/v1/views/{id}/restore", post(views::restore))
        .route("/api/v1/views/{id}/shares", put(views::share))
        .route("/api/v1/views/{id}/copy", post(views::copy))
        .route("/api/v1/views/defaults/{section}", put(views::set_default))
        .layer(axum::middleware::from_fn(etag::conditional))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
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

/// A JSON body whose rejection (not JSON, missing or mistyped fields) is answered as the API's
/// other errors are: a problem document saying what is wrong.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = pms_domain::error::AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(pms_domain::error::AppError::BadRequest(format!(
                "The request body could not be read: {}",
                rejection.body_text()
            ))),
        }
    }
}
