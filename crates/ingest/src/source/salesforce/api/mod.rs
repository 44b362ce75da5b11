//! Reading the firm's Salesforce org over the REST API.
//!
//! One SOQL query per object through `GET {instance_url}/services/data/{version}/query?q=…`,
//! following `nextRecordsUrl` until `done: true`. Pulls are incremental: with a watermark we ask
//! for `WHERE SystemModstamp > <watermark> ORDER BY SystemModstamp` and hand back the largest
//! `SystemModstamp` seen, which the caller stores as the next watermark once the load commits.
//! (`SystemModstamp` rather than `LastModifiedDate` because it also moves on system changes,
//! such as a roll-up or a re-parenting, that alter what we read.)
//!
//! Failures are handled where Salesforce documents them:
//! - `401 INVALID_SESSION_ID`: the access token expired or was revoked; we sign in again with the
//!   configured flow, once per request, and repeat the request.
//! - `403 REQUEST_LIMIT_EXCEEDED`, `5xx` (`503 SERVER_UNAVAILABLE`) and network errors: we retry
//!   with exponential backoff and jitter, up to [`RetrySettings::max_attempts`], then fail.
//! - Anything else (`MALFORMED_QUERY`, `INVALID_FIELD`, …) fails at once with Salesforce's words.
//!
//! Every response carries `Sforce-Limit-Info: api-usage=used/limit`; the latest is kept
//! ([`SalesforceClient::api_usage`]) and a warning is logged when the org passes 80% of its
//! daily allowance, because the Hub shares that allowance with everything else in the org.
//!
//! | module | owns |
//! | --- | --- |
//! | `config` | [`SalesforceConfig`]: where and how to reach the org, from `PMS_SF_*` variables |
//! | `retry` | [`RetrySettings`]: the retry budget and the backoff delays |
//! | `client` | [`SalesforceClient`]: sign-in, session refresh, GET with retries, API usage |
//! | `usage` | [`ApiUsage`]: the `Sforce-Limit-Info` header |
//! | `query` | SOQL queries, page by page |
//! | `objects` | the fields selected per object, and REST records read into typed records |
//! | `pull` | incremental pulls, deleted records and the watermarks of a sync |

mod client;
mod config;
mod objects;
mod pull;
mod query;
mod retry;
mod usage;

pub use client::SalesforceClient;
pub use config::{
    SalesforceConfig, DEFAULT_ACCOUNT_EMAIL_FIELD, DEFAULT_API_VERSION, DEFAULT_LOGIN_URL,
    DEFAULT_LOOKBACK,
};
pub use objects::{fields_for, parse_account, parse_activity, parse_contact, parse_user, soql_for};
pub use pull::{
    QuarantinedRecord, SfChanges, SfDeletedPage, SfDeletion, SfPull, SyncMarks, DELETABLE_OBJECTS,
    DELETED_RECORDS_HORIZON,
};
pub use retry::RetrySettings;
pub use usage::{ApiUsage, API_USAGE_WARNING_RATIO};
