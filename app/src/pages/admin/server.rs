//! Server-only helpers the admin console's server functions share.

use pms_auth::Principal;
use pms_domain::error::AppError;
use pms_domain::identity::{Capability, Role};
use pms_store::StoreError;

use crate::ssr::{person, require, sentence, store_error, Context};

/// The signed-in administrator, if they may do `capability`.
///
/// The console is for people: an API token, even an admin client's, is refused here, so a
/// leaked integration secret cannot create users or change the branding.
pub fn admin(capability: Capability) -> Result<(Principal, i64), AppError> {
    let me = person()?;
    let me = require(capability).map(|_| me)?;
    let user_id = me.actor_user_id().unwrap_or_default();
    Ok((me, user_id))
}

/// A message the user can act on (422), for input the server refuses.
pub fn invalid(message: impl Into<String>) -> AppError {
    AppError::invalid(message)
}

/// Store errors, with the store's lower-case conflict messages turned into sentences.
pub fn store(err: StoreError) -> AppError {
    store_error(match err {
        StoreError::Conflict(m) => StoreError::Conflict(sentence(&m)),
        StoreError::Invalid(m) => StoreError::Invalid(sentence(&m)),
        other => other,
    })
}

pub fn parse_role(code: &str) -> Result<Role, AppError> {
    Role::from_code(code.trim()).ok_or_else(|| invalid("Choose a role."))
}

/// An optional id from a `<select>` (`""` is "none").
pub fn optional_id<T: std::str::FromStr>(value: Option<&str>) -> Result<Option<T>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| invalid("That choice is not valid; reload the page and try again.")),
    }
}

/// The Hub's address as the caller reached it (for links and examples an admin passes on).
pub fn origin(cx: &Context) -> String {
    cx.public_base(&crate::ssr::caller(cx))
}

/// `{"from": …, "to": …}` for the audit trail, or nothing when unchanged.
pub fn change<T: serde::Serialize + PartialEq>(from: T, to: T) -> Option<serde_json::Value> {
    (from != to).then(|| serde_json::json!({ "from": from, "to": to }))
}
