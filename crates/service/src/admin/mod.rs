//! Administration: users and their roles, teams and RMs, client-to-RM assignment, the role
//! two-factor policies, the firm's branding, and API access for other systems.
//!
//! The console is for people: every use case here starts with [`admin`], which refuses an API
//! token (even an admin client's), so a leaked integration secret cannot create users or change
//! the branding. Every change is recorded, in the transaction that makes it, as an `admin.*`
//! action in the audit trail.

pub mod api_clients;
pub mod assignments;
pub mod branding;
pub mod logo;
pub mod security;
pub mod teams;
pub mod users;
pub mod webhooks;

use pms_auth::Principal;
use pms_domain::error::AppError;
use pms_domain::identity::{Capability, Role};
use pms_store::StoreError;

use crate::Caller;

/// The signed-in administrator and their user id, if they are a person (not an API token)
/// whose role may do `capability`.
pub fn admin(caller: &Caller, capability: Capability) -> Result<(&Principal, i64), AppError> {
    caller.person()?;
    let me = caller.require(capability)?;
    Ok((me, me.actor_user_id().unwrap_or_default()))
}

/// A message the user can act on (422), for input the server refuses.
pub fn invalid(message: impl Into<String>) -> AppError {
    AppError::invalid(message)
}

/// A change's store error, with the store's lower-case conflict and invalid-input messages
/// ("a user with e-mail … already exists") turned into sentences; anything else as `?` would.
pub fn worded(err: StoreError) -> AppError {
    match err {
        StoreError::Conflict(m) | StoreError::Invalid(m) => {
            AppError::Unprocessable(pms_store::error::sentence(&m))
        }
        other => other.into(),
    }
}

/// A role from a form.
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

/// `{"from": …, "to": …}` for the audit trail, or nothing when unchanged.
pub fn change<T: serde::Serialize + PartialEq>(from: T, to: T) -> Option<serde_json::Value> {
    (from != to).then(|| serde_json::json!({ "from": from, "to": to }))
}

/// Runs of white space as one space, trimmed.
pub(crate) fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
