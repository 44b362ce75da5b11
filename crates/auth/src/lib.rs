//! Identity for the Hub: who a caller is and how they proved it.
//!
//! - [`keys`]: the server's master key; seals secrets at rest and derives signing keys.
//! - [`password`]: argon2id hashing and the password policy.
//! - [`login`]: sign-in with throttling and lockout that never reveals which addresses exist.
//! - [`totp`]: the optional second factor (RFC 6238) and recovery codes.
//! - [`api_token`]: API clients, short-lived signed tokens (JWT with `kid` rotation), revocation.
//! - [`tokens`]: one-time link tokens for invitations and resets.
//! - [`principal`]: the authenticated caller with their data scope, as every request carries it.

pub mod api_token;
pub mod error;
pub mod keys;
pub mod login;
pub mod password;
pub mod principal;
pub mod tokens;
pub mod totp;
pub mod webhook_signature;

pub use error::AuthError;
pub use keys::MasterKey;
pub use principal::{AuthVia, Principal};
