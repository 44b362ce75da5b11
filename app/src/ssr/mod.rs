//! Server-only glue between Leptos and the service layer (`pms-service`): the [`Context`] the
//! server provides to every render and server function, and the [`Caller`] of this request.
//! The use cases themselves live in `pms-service`; a server function is a few lines that call
//! one (see `docs/architecture.md`). What touches the browser session stays here
//! ([`session`]).

pub mod session;

use http::request::Parts;
use leptos::prelude::*;
use pms_domain::error::AppError;
pub use pms_service::internal;
pub use pms_service::{Caller, Channel, Context};

/// The request's [`Context`]; an error (not a panic) if the server forgot to provide it.
pub fn app_context() -> Result<Context, AppError> {
    use_context::<Context>().ok_or_else(|| internal("no application context"))
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

/// The browser session of this request (sign-in state lives in it).
pub async fn browser_session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract().await.map_err(internal)
}
