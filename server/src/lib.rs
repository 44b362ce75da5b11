//! The PMS Intelligence Hub's server: the HTTP surface (axum + Leptos SSR, the REST API),
//! start-up and shutdown, background jobs, and the operator commands. `main.rs` only parses
//! the command line; integration tests start the same [`startup::Application`].

#![recursion_limit = "256"]

pub mod cli;
pub mod commands;
pub mod config;
pub mod csv_export;
pub mod embedded_pg;
pub mod http;
pub mod jobs;
pub mod shutdown;
pub mod startup;
pub mod telemetry;
