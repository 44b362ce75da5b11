//! Who is calling: a bearer token (REST clients) or the session cookie (people), resolved
//! once per request into a [`Principal`] with its data scope; then the guard that keeps
//! anonymous and half-signed-in callers to the few pages they may see.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use pms_app::ssr::session::{self, SignIn, Stage};
use pms_app::url::query_encode;
use pms_auth::Principal;
use tower_sessions::Session;

use super::error::AppError;
use super::AppState;

/// Present on requests of a user who must set up a second factor before anything else.
#[derive(Clone, Copy, Debug)]
pub struct EnrolmentRequired;

pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

pub async fn authenticate(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    // The scraper's token is not a user's or an API client's: the metrics handler checks it.
    if req.uri().path() == super::prometheus::PATH {
        return next.run(req).await;
    }
    if let Some(token) = bearer(req.headers()) {
        return match pms_service::tokens::principal_for(&state, token).await {
            Ok(p) => {
                req.extensions_mut().insert(p);
                next.run(req).await
            }
            Err(e) => e.into_response(),
        };
    }
    if let Some(sign_in) = session::current(&session).await {
        let age = chrono::Utc::now().timestamp() - sign_in.since;
        if age > state.security.absolute_timeout.as_secs() as i64 {
            let _ = session::end(&session).await;
        } else {
            let principal = match sign_in.stage {
                Stage::SecondFactor => Ok(None),
                _ => {
                    pms_service::sign_in::session_principal(
                        &state,
                        sign_in.user_id,
                        sign_in.credentials_from,
                    )
                    .await
                }
            };
            match principal {
                Ok(Some(principal)) => {
                    let now = chrono::Utc::now().timestamp();
                    if let Err(e) = session::touch(&session, now, state.security.idle_timeout).await
                    {
                        return super::error::internal(e.to_string()).into_response();
                    }
                    if sign_in.stage == Stage::MustEnrol {
                        req.extensions_mut().insert(EnrolmentRequired);
                    }
                    req.extensions_mut().insert(principal);
                }
                // A deactivated user's session, or one opened with a password that has since
                // been changed or reset, ends at its next request.
                Ok(None) if sign_in.stage != Stage::SecondFactor => {
                    let _ = session::end(&session).await;
                }
                Ok(None) => {}
                Err(e) => return e.into_response(),
            }
            req.extensions_mut().insert(sign_in);
        }
    }
    next.run(req).await
}

/// Paths anyone may request.
fn public(path: &str) -> bool {
    const EXACT: &[&str] = &[
        "/login",
        "/healthz",
        "/readyz",
        // Its own bearer token (`PMS_METRICS_TOKEN`), not a user's session.
        super::prometheus::PATH,
        "/favicon.svg",
        "/branding/logo",
        "/api/v1/auth/token",
        // The API's description and its viewer: no data, and integrators read them first.
        super::api::openapi::DOCUMENT_PATH,
        super::api::openapi::VIEWER_PATH,
    ];
    const PREFIXES: &[&str] = &["/pkg/", "/login/", "/invite/", "/api/auth/", "/api/docs/"];
    EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p))
}

fn wants_page(req: &Request) -> bool {
    req.method() == axum::http::Method::GET && !req.uri().path().starts_with("/api/")
}

pub async fn guard(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if public(&path) {
        return next.run(req).await;
    }
    if let Some(principal) = req.extensions().get::<Principal>() {
        if req.extensions().get::<EnrolmentRequired>().is_none()
            || path == "/account/security"
            || path.starts_with("/api/account/")
        {
            let refused =
                wants_page(&req) && !pms_app::pages::may_open(&path, |c| principal.can(c));
            let mut response = next.run(req).await;
            // The page itself explains the refusal; the status must say it too.
            if refused && response.status().is_success() {
                *response.status_mut() = StatusCode::FORBIDDEN;
            }
            return response;
        }
        return if wants_page(&req) {
            Redirect::to("/account/security?required=1").into_response()
        } else {
            AppError::Forbidden(
                "set up two-factor authentication first (Account → Security)".into(),
            )
            .into_response()
        };
    }
    if wants_page(&req) {
        let pending = req.extensions().get::<SignIn>().map(|s| s.stage);
        let target = match pending {
            Some(Stage::SecondFactor) => "/login/verify".to_owned(),
            _ => {
                let next_path = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                format!("/login?next={}", query_encode(next_path))
            }
        };
        return Redirect::to(&target).into_response();
    }
    AppError::Unauthorized("sign in first".into()).into_response()
}
