//! Connectors: where data comes from.

pub mod salesforce;
pub mod wealth_spectrum;
