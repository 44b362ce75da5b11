//! The Hub's PostgreSQL store. Everything the application reads or writes in the database goes
//! through this crate: connecting, applying the migrations in `/migrations`, and one module per
//! area of queries.
//!
//! - [`db`]: the pool ([`Db`]), migrations, readiness.
//! - [`scope`]: the data-access scope every client or portfolio query goes through.
//! - [`identity`]: users, sign-in throttling, second factor, role policy.
//! - [`admin`]: what the admin console changes.
//! - [`alerts`]: compliance alert rules, alerts, their evaluation, the e-mail outbox.
//! - [`analytics`]: the RM league table, geography, clients joining and leaving.
//! - [`api_clients`]: API clients, tokens and signing keys.
//! - [`compliance`]: limit breaches, failed loads, missing valuations, stale prices.
//! - [`clients`]: client and portfolio reads, within a scope.
//! - [`audit`]: the append-only, hash-chained audit trail.
//! - [`ingest_jobs`]: the ingest job log as the Ingest page reads it; scheduling locks.
//! - `filter`: the dashboard's filter as a SQL predicate beside the scope's.
//! - [`performance`]: pooled daily series of a group of portfolios, benchmark levels.
//! - [`sessions`]: server-side sessions for tower-sessions.
//! - [`status`]: how current the data is.
//! - [`summary`]: the executive summary.
//! - [`views`]: saved views, their versions, sharing and defaults.

pub mod admin;
pub mod alerts;
pub mod analytics;
pub mod api_clients;
pub mod audit;
pub mod clients;
pub mod compliance;
pub mod db;
pub mod error;
mod filter;
pub mod identity;
pub mod ingest_jobs;
pub mod performance;
pub mod portfolio_activity;
pub mod scope;
pub mod sessions;
pub mod status;
pub mod summary;
pub mod views;
pub mod webhooks;

pub use db::Db;
pub use error::{StoreError, StoreResult};
pub use scope::Scope;
