//! The Hub's use cases: one function per thing a person or another system can do — list
//! clients, open a client, read the executive summary, search the audit trail, exchange an
//! API client's secret for a token, and so on. A page's server function, a REST handler and
//! a command are adapters of a few lines over the same function, so a rule (who may, what is
//! audited, which scope applies) is written once.
//!
//! Every use case takes the [`Context`] (store, keys, settings) and the [`Caller`] (who, how,
//! from where), returns `Result<_, AppError>`, and runs in a tracing span that carries the
//! caller's user id and role (the request id comes from the HTTP span around it).
//!
//! - [`context`], [`caller`], [`client_addr`], [`audit`]: the plumbing every use case shares.
//! - [`compliance`]: the Compliance page — SEBI disclosure, limit breaches, data quality.
//! - [`alerts`]: compliance alerts — rules, acknowledging and resolving, evaluation after loads.
//! - [`clients`]: the client list, one client, a portfolio's valuations, the client export.
//! - [`performance`]: a group of portfolios' pooled performance and risk; the groups one may pick.
//! - [`summary`]: the executive summary and how current the data is.
//! - [`audit_trail`]: searching and verifying the audit trail.
//! - [`ingest_jobs`]: the data-load history.
//! - [`tokens`]: API clients' token exchange.
//! - [`admin`]: the admin console — users, teams, client assignment, role policies, branding,
//!   API clients.
//! - [`sign_in`]: signing in (password, second factor) and out.
//! - [`account`]: a person's own two-factor authentication and password.
//! - [`invitations`]: reading and accepting an invitation or password reset link.
//! - [`views`]: saved views — save, version, share, copy, defaults.
//! - [`reports`]: a client's statement for a period as a branded PDF.

pub mod account;
pub mod admin;
pub mod alerts;
pub mod audit;
pub mod audit_trail;
pub mod caller;
pub mod client_addr;
pub mod clients;
pub mod compliance;
pub mod context;
pub mod ingest_jobs;
pub mod invitations;
pub mod performance;
pub mod read_cache;
pub mod reports;
pub mod sign_in;
pub mod summary;
pub mod tokens;
pub mod views;

pub use caller::{Caller, Channel, RequestMeta};
pub use context::{Context, IngestSettings, RateLimiter, SecuritySettings};
pub use pms_domain::error::{AppError, INTERNAL_MESSAGE};

/// What every use case returns.
pub type AppResult<T> = Result<T, AppError>;

/// Logs a failure that is ours in full and returns the 500 answer, which says only that it
/// was logged: internal details never leave the server.
pub fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "use case failed");
    AppError::internal()
}
