//! Salesforce: the firm's CRM (clients, contacts, relationship managers, the activity log).
//!
//! - [`records`]: the typed records every way in produces.
//! - [`auth`]: OAuth 2.0 JWT bearer and client-credentials flows.
//! - [`api`]: SOQL queries over the REST API with paging, incremental pulls and backoff.
//! - [`csv_import`]: Data Loader and report CSV exports.
//! - [`id`], [`values`]: Salesforce Ids and field values, shared by the API and CSV readers.
//! - [`error`]: why a sign-in or a pull failed.

pub mod api;
pub mod auth;
pub mod csv_import;
pub mod error;
pub mod id;
pub mod records;
pub mod values;

pub use api::{
    ApiUsage, QuarantinedRecord, RetrySettings, SalesforceClient, SalesforceConfig, SfChanges,
    SfDeletion, SfPull, SyncMarks,
};
pub use auth::{SfAuth, SfToken};
pub use csv_import::{
    import_csv, import_csv_file, import_csv_file_with_lines, import_csv_with,
    import_csv_with_lines, CsvImportOptions, RecordLines,
};
pub use error::SfError;
