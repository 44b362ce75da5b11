//! The HTTP surface, assembled in one place: Leptos pages and server functions, the REST API,
//! uploads and downloads, health checks, static files, and the middleware around them (in
//! request order: latency metrics, the request id, tracing, security headers, session, authentication, CSRF, the sign-in guard).

pub mod api;
mod auth;
mod branding;
pub mod error;
pub mod events;
mod health;
mod ingest;
pub mod prometheus;
pub mod request_id;
mod security;

use axum::extract::FromRef;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use pms_app::{shell, App};
use pms_service::Context;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Everything a handler may need: the use cases' [`Context`] and Leptos's options; cheap to
/// clone.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub cx: Context,
    pub telemetry: std::sync::Arc<prometheus::Telemetry>,
    /// The data version open dashboards are told about (`/api/events`).
    pub live: events::LiveVersion,
    /// Each API client's request budget (`/api/v1`).
    pub api_limiter: std::sync::Arc<api::rate_limit::ApiLimiter>,
}

/// Handlers read the context's fields directly (`state.db`, `state.security`).
impl std::ops::Deref for AppState {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.cx
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = state.cx.clone();
    let provide = move || provide_context(context.clone());
    let leptos = state.leptos.clone();

    let idle = time::Duration::seconds(state.security.idle_timeout.as_secs() as i64);
    let sessions =
        SessionManagerLayer::new(pms_store::sessions::PgSessionStore::new(state.db.clone()))
            .with_name("pms_session")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(state.security.secure_cookies)
            .with_expiry(Expiry::OnInactivity(idle));

    // Pages, server functions and the API answer within the request timeout (a 408 rather
    // than a connection held forever); uploads stream large files at the sender's pace and
    // have their own size limit instead.
    let interactive = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route(prometheus::PATH, get(prometheus::metrics))
        .route("/branding/logo", get(branding::logo))
        .route(
            "/admin/branding/logo",
            axum::routing::post(branding::upload_logo).delete(branding::remove_logo),
        )
        .merge(api::router(&state))
        .merge(api::openapi::router())
        .leptos_routes_with_context(&state, routes, provide.clone(), move || {
            shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide, shell))
        .layer(axum::middleware::from_fn(security::server_fn_status))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.security.request_timeout,
        ));

    interactive
        .merge(ingest::router())
        // A stream stays open for as long as the dashboard does: no request timeout.
        .merge(events::router())
        .layer(from_fn_with_state(state.clone(), auth::guard))
        .layer(from_fn_with_state(state.clone(), security::csrf))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(sessions)
        .layer(from_fn_with_state(state.clone(), security::headers))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::span)
                .on_response(request_id::on_response)
                .on_failure(request_id::on_failure),
        )
        .layer(axum::middleware::from_fn(request_id::assign))
        // Outermost but after routing (a router's layers wrap each route), so the latency is
        // the whole answer's and the route its pattern.
        .layer(from_fn_with_state(state.clone(), prometheus::observe))
        .with_state(state)
}
