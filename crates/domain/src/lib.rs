//! Shared domain types of the Hub: what the server and the browser both speak. No I/O, so it
//! compiles for wasm32 and the server alike.
//!
//! - [`ids`]: ISIN and PAN, validated on construction.
//! - [`account`]: a person's own security settings, invitations.
//! - [`admin`]: users, teams, branding and API clients as the admin console shows them.
//! - [`alerts`]: compliance alert rules and the alerts a load raises.
//! - [`compliance`]: SEBI disclosure, limit breaches and data-quality exceptions.
//! - [`clients`]: clients and portfolios as pages and the API show them.
//! - [`filter`]: the dashboard's filters, shared by the browser and the server, in the URL.
//! - [`error`]: [`error::AppError`], the one error type of every use case and edge.
//! - [`identity`]: roles and their capabilities, the signed-in user.
//! - [`ingest`]: data loads (ingest jobs and their row errors) as the Ingest page shows them.
//! - [`performance`]: a group of portfolios' pooled performance, risk and history.
//! - [`status`]: how current the store's data is.
//! - [`summary`]: the executive summary.
//! - [`time`]: the firm's clock (India Standard Time) for display.
//! - [`views`]: saved views — a named section with its filters, shared and versioned.

pub mod account;
pub mod admin;
pub mod alerts;
pub mod clients;
pub mod compliance;
pub mod error;
pub mod filter;
pub mod identity;
pub mod ids;
pub mod ingest;
pub mod performance;
pub mod reports;
pub mod status;
pub mod summary;
pub mod time;
pub mod views;
pub mod webhooks;
