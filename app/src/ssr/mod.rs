//! Server-only plumbing for pages and server functions: the shared [`AppContext`], the
//! caller's [`Principal`] and capability checks, the session's sign-in state, request
//! metadata for the audit trail, and turning failures into messages a user can act on.

pub mod client_addr;
pub mod session;

use std::sync::Arc;

use http::request::Parts;
use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use pms_auth::principal::AuthVia;
use pms_auth::{MasterKey, Principal};
use pms_domain::identity::Capability;
use pms_store::audit::AuditEvent;
use pms_store::{Db, StoreError};

/// Sign-in attempts allowed per client address: a burst, then a steady rate.
pub type LoginLimiter = governor::DefaultKeyedRateLimiter<String>;

/// Security settings the server was started with.
#[derive(Clone, Debug)]
pub struct SecuritySettings {
    /// A session ends after this long without a request.
    pub idle_timeout: std::time::Duration,
    /// …and after this long in any case.
    pub absolute_timeout: std::time::Duration,
    /// The reverse proxies whose `X-Forwarded-*` headers are believed (none: the socket
    /// address is the client).
    pub trusted_proxies: client_addr::TrustedProxies,
    /// The public origin (`https://hub.firm.in`), when known.
    pub public_origin: Option<String>,
    /// Mark the session cookie `Secure` (the default; plain-HTTP development opts out).
    pub secure_cookies: bool,
    /// The longest an interactive request may take before it is answered 408.
    pub request_timeout: std::time::Duration,
}

/// Where uploads and the drop folder live, and how reports are read.
#[derive(Clone, Debug)]
pub struct IngestSettings {
    pub upload_dir: std::path::PathBuf,
    pub drop_dir: std::path::PathBuf,
    pub profile: pms_ingest::profile::Profile,
}

/// What the server hands to every page render and server function (via Leptos context).
#[derive(Clone)]
pub struct AppContext {
    pub db: Db,
    pub keys: MasterKey,
    pub security: Arc<SecuritySettings>,
    pub login_limiter: Arc<LoginLimiter>,
    pub ingest: Arc<IngestSettings>,
}

/// The request's [`AppContext`]; an error (not a panic) if the server forgot to provide it.
pub fn app_context() -> Result<AppContext, ServerFnError> {
    use_context::<AppContext>()
        .ok_or_else(|| ServerFnError::new("server misconfigured: no application context"))
}

fn set_status(status: StatusCode) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status);
    }
}

/// The signed-in caller; 401 when there is none.
pub fn principal() -> Result<Principal, ServerFnError> {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>().cloned())
        .ok_or_else(|| {
            set_status(StatusCode::UNAUTHORIZED);
            ServerFnError::new("Your session has ended. Sign in again.")
        })
}

/// The signed-in *person*: account and administration functions are for interactive
/// sessions only, so an API token (which acts for a user but is not them) gets a 403 here
/// however wide its role.
pub fn person() -> Result<Principal, ServerFnError> {
    let principal = principal()?;
    match principal.via {
        AuthVia::Session if principal.actor_user_id().is_some() => Ok(principal),
        _ => {
            set_status(StatusCode::FORBIDDEN);
            Err(ServerFnError::new(
                "This is for people signed in to the Hub in a browser; an API token cannot use it.",
            ))
        }
    }
}

/// The caller, if they may do `capability`; 403 otherwise.
pub fn require(capability: Capability) -> Result<Principal, ServerFnError> {
    let principal = principal()?;
    if principal.can(capability) {
        Ok(principal)
    } else {
        set_status(StatusCode::FORBIDDEN);
        Err(ServerFnError::new("Your role does not allow this."))
    }
}

/// A 404 that does not say whether the thing exists outside the caller's scope.
pub fn not_found(what: &str) -> ServerFnError {
    set_status(StatusCode::NOT_FOUND);
    ServerFnError::new(format!("No such {what}, or it is not yours to see."))
}

/// The client's address and browser, for the audit trail and rate limits.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub fn request_meta(trusted_proxies: &client_addr::TrustedProxies) -> RequestMeta {
    let Some(parts) = use_context::<Parts>() else {
        return RequestMeta::default();
    };
    request_meta_of(&parts, trusted_proxies)
}

/// [`request_meta`] for a request's parts (the REST handlers' extractor uses it too).
pub fn request_meta_of(
    parts: &Parts,
    trusted_proxies: &client_addr::TrustedProxies,
) -> RequestMeta {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    RequestMeta {
        ip: trusted_proxies
            .client_address(peer, &parts.headers)
            .map(|ip| ip.to_string()),
        user_agent: parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// The audit event for what `principal` did in this request.
fn audit_event(
    cx: &AppContext,
    principal: Option<&Principal>,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> AuditEvent {
    let meta = request_meta(&cx.security.trusted_proxies);
    audit_event_from(principal, meta, action, object, details)
}

/// An audit event: who (`principal`, or anonymous), from where (`meta`), did what to which
/// object. The one constructor for server functions and REST handlers alike.
pub fn audit_event_from(
    principal: Option<&Principal>,
    meta: RequestMeta,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        actor_user_id: principal.and_then(Principal::actor_user_id),
        actor: principal
            .map(Principal::actor)
            .unwrap_or_else(|| "anonymous".into()),
        ip: meta.ip,
        user_agent: meta.user_agent,
        action: action.into(),
        object_type: object.as_ref().map(|o| o.0.to_owned()),
        object_id: object.map(|o| o.1),
        details,
    }
}

/// Records an event that changes nothing (a view, an export, a refused sign-in) in a
/// transaction of its own. Failing to record fails the action: the trail must be whole.
pub async fn audit(
    cx: &AppContext,
    principal: Option<&Principal>,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> Result<(), ServerFnError> {
    let event = audit_event(cx, principal, action, object, details);
    cx.db.audit(&event).await.map(|_| ()).map_err(internal)
}

/// Records a change inside the transaction that makes it: the change and its audit row
/// commit together or not at all.
pub async fn audit_in(
    cx: &AppContext,
    tx: &mut sqlx::PgConnection,
    principal: Option<&Principal>,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> Result<(), ServerFnError> {
    let event = audit_event(cx, principal, action, object, details);
    cx.db
        .audit_in(tx, &event)
        .await
        .map(|_| ())
        .map_err(internal)
}

/// A transaction for a use case's change and its audit row ([`audit_in`]).
pub async fn begin(
    cx: &AppContext,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, ServerFnError> {
    cx.db.begin().await.map_err(store_error)
}

/// Commits a use case's transaction.
pub async fn commit(tx: sqlx::Transaction<'static, sqlx::Postgres>) -> Result<(), ServerFnError> {
    tx.commit().await.map_err(internal)
}

/// What the user is told when the fault is ours (the details are in the log).
pub const INTERNAL_MESSAGE: &str = "The server could not complete the request; it has been logged.";

/// Logs a failure in full and returns a short message for the user; internal details never
/// leave the server.
pub fn internal(err: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(error = %err, "server function failed");
    set_status(StatusCode::INTERNAL_SERVER_ERROR);
    ServerFnError::new(INTERNAL_MESSAGE)
}

/// "data is being loaded" → "Data is being loaded." for a message shown on its own.
pub fn sentence(m: String) -> String {
    let mut chars = m.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// Store errors: conflicts and invalid input are the user's to fix, a busy database is a
/// "try again shortly", the rest is ours.
pub fn store_error(err: StoreError) -> ServerFnError {
    match err {
        StoreError::Conflict(m) | StoreError::Invalid(m) => {
            set_status(StatusCode::UNPROCESSABLE_ENTITY);
            ServerFnError::new(m)
        }
        StoreError::Busy(m) => {
            set_status(StatusCode::SERVICE_UNAVAILABLE);
            ServerFnError::new(sentence(m))
        }
        StoreError::NotFound(m) => {
            set_status(StatusCode::NOT_FOUND);
            ServerFnError::new(format!("Not found: {m}"))
        }
        other => internal(other),
    }
}
