//! Getting Salesforce and Wealth Spectrum data into the Hub's store. See this crate's README
//! for the report formats and the folder map.
//!
//! Data flows one way: [`source`] (read a file or an API) → [`validate`] (row-level checks) →
//! [`load`] (staging by COPY, set-based checks, merge, job bookkeeping) → [`aggregate`]
//! (refresh what the dashboard reads) → [`statistics`] (analyse what the load left stale).

pub mod aggregate;
pub mod error;
pub mod load;
pub mod profile;
pub mod report;
pub mod source;
pub mod statistics;
/// Local stand-ins for external systems, for tests (feature `test-support`).
#[cfg(feature = "test-support")]
pub mod testing;
pub mod validate;

pub use error::RowError;
