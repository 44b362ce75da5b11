//! Server-only helpers the admin console's server functions share.

use http::request::Parts;
use leptos::prelude::*;
use pms_auth::Principal;
use pms_domain::identity::{Capability, Role};
use pms_store::StoreError;

use crate::ssr::{person, require, sentence, store_error, AppContext};

/// The signed-in administrator, if they may do `capability`.
///
/// The console is for people: an API token, even an admin client's, is refused here, so a
/// leaked integration secret cannot create users or change the branding.
pub fn admin(capability: Capability) -> Result<(Principal, i64), ServerFnError> {
    let me = person()?;
    let me = require(capability).map(|_| me)?;
    let user_id = me.actor_user_id().unwrap_or_default();
    Ok((me, user_id))
}

/// A message the user can act on (400), for input the server refuses.
pub fn invalid(message: impl Into<String>) -> ServerFnError {
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(http::StatusCode::UNPROCESSABLE_ENTITY);
    }
    ServerFnError::new(message.into())
}

/// Store errors, with the store's lower-case conflict messages turned into sentences.
pub fn store(err: StoreError) -> ServerFnError {
    store_error(match err {
        StoreError::Conflict(m) => StoreError::Conflict(sentence(m)),
        StoreError::Invalid(m) => StoreError::Invalid(sentence(m)),
        other => other,
    })
}

pub fn parse_role(code: &str) -> Result<Role, ServerFnError> {
    Role::from_code(code.trim()).ok_or_else(|| invalid("Choose a role."))
}

/// An optional id from a `<select>` (`""` is "none").
pub fn optional_id<T: std::str::FromStr>(value: Option<&str>) -> Result<Option<T>, ServerFnError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| invalid("That choice is not valid; reload the page and try again.")),
    }
}

/// The Hub's address as the caller reached it (for links and examples an admin passes on):
/// the configured public origin, else the request's `Host` (and, behind a trusted proxy, its
/// `X-Forwarded-Proto`).
pub fn origin(cx: &AppContext) -> String {
    if let Some(o) = &cx.security.public_origin {
        return o.trim_end_matches('/').to_owned();
    }
    let parts = use_context::<Parts>();
    let header = |name: &str| {
        parts
            .as_ref()
            .and_then(|p| p.headers.get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let host = header("host").unwrap_or_else(|| "localhost".into());
    let peer = parts
        .as_ref()
        .and_then(|p| {
            p.extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        })
        .map(|c| c.0.ip());
    let scheme = cx
        .security
        .trusted_proxies
        .vouches_for(peer)
        .then(|| header("x-forwarded-proto"))
        .flatten()
        .filter(|p| p == "https" || p == "http")
        .unwrap_or_else(|| "http".into());
    format!("{scheme}://{host}")
}

/// `{"from": …, "to": …}` for the audit trail, or nothing when unchanged.
pub fn change<T: serde::Serialize + PartialEq>(from: T, to: T) -> Option<serde_json::Value> {
    (from != to).then(|| serde_json::json!({ "from": from, "to": to }))
}
