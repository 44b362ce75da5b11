//! The HTTP surface, assembled in one place: Leptos pages and server functions, the REST API,
//! uploads and downloads, health checks, static files, and the middleware around them (in
//! request order: tracing, security headers, session, authentication, CSRF, the sign-in guard).

pub mod api;
mod auth;
mod branding;
pub mod error;
mod health;
mod ingest;
mod security;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use pms_app::ssr::{AppContext, IngestSettings, LoginLimiter, SecuritySettings};
use pms_app::{shell, App};
use pms_auth::MasterKey;
use pms_store::Db;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub db: Db,
    pub keys: MasterKey,
    pub security: Arc<SecuritySettings>,
    pub login_limiter: Arc<LoginLimiter>,
    /// `POST /api/v1/auth/token` attempts, keyed per client id and per source address.
    pub token_limiter: Arc<LoginLimiter>,
    pub ingest: Arc<IngestSettings>,
}

impl AppState {
    fn app_context(&self) -> AppContext {
        AppContext {
            db: self.db.clone(),
            keys: self.keys.clone(),
            security: self.security.clone(),
            login_limiter: self.login_limiter.clone(),
            ingest: self.ingest.clone(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = state.app_context();
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
        .route("/branding/logo", get(branding::logo))
        .route(
            "/admin/branding/logo",
            axum::routing::post(branding::upload_logo).delete(branding::remove_logo),
        )
        .merge(api::router())
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
        .layer(from_fn_with_state(state.clone(), auth::guard))
        .layer(from_fn_with_state(state.clone(), security::csrf))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(sessions)
        .layer(from_fn_with_state(state.clone(), security::headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
