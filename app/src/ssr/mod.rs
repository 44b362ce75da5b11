//! Server-only glue between Leptos and the service layer (`pms-service`): the [`Context`] the
//! server provides to every render and server function, the [`Caller`] of this request, and
//! the status a server function's [`AppError`] is answered with. The use cases themselves live
//! in `pms-service`; a server function is a few lines that call one.

pub mod session;

use http::request::Parts;
use leptos::prelude::*;
use pms_auth::Principal;
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
pub use pms_service::{Caller, Channel, Context, IngestSettings, RateLimiter, SecuritySettings};
use pms_store::StoreError;

/// The request's [`Context`]; an error (not a panic) if the server forgot to provide it.
pub fn app_context() -> Result<Context, AppError> {
    use_context::<Context>().ok_or_else(|| pms_service::internal("no application context"))
}

/// The caller of this server function or render.
pub fn caller(cx: &Context) -> Caller {
    match use_context::<Parts>() {
        Some(parts) => Caller::of(&parts, Channel::Page, &cx.security.trusted_proxies),
        None => Caller {
            principal: None,
            channel: Channel::Page,
            meta: Default::default(),
        },
    }
}

/// The context and caller a use case needs: the first line of every server function.
pub fn use_case() -> Result<(Context, Caller), AppError> {
    let cx = app_context()?;
    let caller = caller(&cx);
    Ok((cx, caller))
}

/// The signed-in caller; 401 when there is none.
pub fn principal() -> Result<Principal, AppError> {
    let (_, caller) = use_case()?;
    caller.signed_in().cloned()
}

/// The signed-in *person* (not an API token); see [`Caller::person`].
pub fn person() -> Result<Principal, AppError> {
    let (_, caller) = use_case()?;
    caller.person().cloned()
}

/// The caller, if they may do `capability`; 403 otherwise.
pub fn require(capability: Capability) -> Result<Principal, AppError> {
    let (_, caller) = use_case()?;
    caller.require(capability).cloned()
}

/// A 404 that does not say whether the thing exists outside the caller's scope.
pub fn not_found(what: &str) -> AppError {
    AppError::not_found(what)
}

/// The caller of this request, acting as `principal` (a sign-in names the user before the
/// session knows them; `None` is anonymous).
fn acting_as(cx: &Context, principal: Option<&Principal>) -> Caller {
    Caller {
        principal: principal.cloned(),
        ..caller(cx)
    }
}

/// Records an event that changes nothing, in a transaction of its own (see
/// [`pms_service::audit::record`]).
pub async fn audit(
    cx: &Context,
    principal: Option<&Principal>,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    pms_service::audit::record(cx, &acting_as(cx, principal), action, object, details).await
}

/// Records a change inside the transaction that makes it (see
/// [`pms_service::audit::record_in`]).
pub async fn audit_in(
    cx: &Context,
    tx: &mut sqlx::PgConnection,
    principal: Option<&Principal>,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    pms_service::audit::record_in(cx, tx, &acting_as(cx, principal), action, object, details).await
}

/// The client's address and browser (the one client-address rule).
pub fn request_meta(cx: &Context) -> pms_service::RequestMeta {
    caller(cx).meta
}

pub use pms_service::audit::{begin, commit};
pub use pms_service::internal;

/// Store errors at the edge (see `From<StoreError> for AppError`).
pub fn store_error(err: StoreError) -> AppError {
    err.into()
}

pub use pms_store::error::sentence;
