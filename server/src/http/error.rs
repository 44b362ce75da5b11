//! The HTTP edge answers every failure with [`AppError`] (`pms_domain::error`): each variant
//! says which status it becomes; a REST caller gets an RFC 9457 problem document. Internal
//! details are logged ([`pms_service::internal`]), never sent.

pub use pms_domain::error::AppError;
pub use pms_service::internal;
