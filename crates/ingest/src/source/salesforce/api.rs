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

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::auth::{describe_reqwest_error, request_token, snippet, SfAuth, SfToken};
use super::error::SfError;
use super::id::normalize_id;
use super::records::{SfAccount, SfActivity, SfBatch, SfContact, SfObject, SfUser};
use super::values::{
    check_aum, parse_client_status, parse_date, parse_pan, parse_risk_profile,
    parse_zoned_datetime, soql_datetime,
};
use crate::error::RowError;

/// Production login; sandboxes use `https://test.salesforce.com`, or use the org's My Domain.
pub const DEFAULT_LOGIN_URL: &str = "https://login.salesforce.com";
/// The REST API version we speak (Winter '25).
pub const DEFAULT_API_VERSION: &str = "v62.0";
/// The Account field holding the client's email unless configured otherwise (orgs with Person
/// Accounts use `PersonEmail`).
pub const DEFAULT_ACCOUNT_EMAIL_FIELD: &str = "Email__c";
/// How far before the watermark incremental pulls start again unless configured otherwise.
pub const DEFAULT_LOOKBACK: Duration = Duration::from_secs(5 * 60);
/// How far back Salesforce serves deleted records (`sobjects/<Object>/deleted`), with a margin.
pub const DELETED_RECORDS_HORIZON: Duration = Duration::from_secs(29 * 24 * 3600);
/// Above this share of the daily API allowance we log a warning.
pub const API_USAGE_WARNING_RATIO: f64 = 0.8;

/// How hard to try when Salesforce says "not now".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetrySettings {
    /// Attempts per request, the first included (so 1 = no retries).
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// Upper bound of any single delay (also caps a `Retry-After` header).
    pub max_delay: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetrySettings {
    /// The delay before retry number `failures` (1-based): exponential with "equal jitter"
    /// (a random point in the upper half), so clients that failed together do not retry together.
    pub fn delay(&self, failures: u32, retry_after: Option<Duration>) -> Duration {
        let exp = failures.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let half = ceiling / 2;
        let jitter = if half.is_zero() {
            Duration::ZERO
        } else {
            Duration::from_nanos(
                rand::rng().random_range(0..=u64::try_from(half.as_nanos()).unwrap_or(u64::MAX)),
            )
        };
        let delay = half + jitter;
        match retry_after {
            Some(wait) => delay.max(wait).min(self.max_delay),
            None => delay,
        }
    }
}

/// Where and how to reach the org.
#[derive(Clone, Debug)]
pub struct SalesforceConfig {
    /// `https://login.salesforce.com`, `https://test.salesforce.com` or a My Domain URL.
    pub login_url: String,
    /// `v62.0` style.
    pub api_version: String,
    pub auth: SfAuth,
    /// The JWT's `aud`; the login URL when `None`. Set it when signing in through a My Domain
    /// URL with an assertion addressed to `https://login.salesforce.com`.
    pub jwt_audience: Option<String>,
    /// The Account field holding the client's email (`Email__c` unless set).
    pub account_email_field: String,
    pub retry: RetrySettings,
    /// Records per page to ask for (`Sforce-Query-Options: batchSize=`, 200–2000); Salesforce
    /// may return fewer. `None` leaves it to Salesforce (2000).
    pub page_size: Option<u32>,
    /// Time limit of one HTTP request.
    pub request_timeout: Duration,
    /// How far before the stored watermark an incremental pull starts again. Salesforce
    /// compares `SystemModstamp` at whole seconds and a record can become visible after a
    /// later-stamped one was read; loads are upserts, so reading the overlap again is free.
    pub lookback: Duration,
}

impl SalesforceConfig {
    /// A configuration with the defaults: API v62.0, `Email__c`, 5 attempts from 1 s.
    pub fn new(login_url: impl Into<String>, auth: SfAuth) -> Self {
        Self {
            login_url: login_url.into(),
            api_version: DEFAULT_API_VERSION.to_string(),
            auth,
            jwt_audience: None,
            account_email_field: DEFAULT_ACCOUNT_EMAIL_FIELD.to_string(),
            retry: RetrySettings::default(),
            page_size: None,
            request_timeout: Duration::from_secs(120),
            lookback: DEFAULT_LOOKBACK,
        }
    }

    /// Reads the `PMS_SF_*` environment variables (see [`SalesforceConfig::from_vars`]).
    pub fn from_env() -> Result<Option<Self>, SfError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from variables looked up by `var` (empty values count as unset):
    ///
    /// | variable | meaning |
    /// | --- | --- |
    /// | `PMS_SF_CLIENT_ID` | connected app consumer key; unset = Salesforce not configured (`Ok(None)`) |
    /// | `PMS_SF_USERNAME` + `PMS_SF_PRIVATE_KEY_FILE` | JWT bearer flow: user to act as, PEM private key file |
    /// | `PMS_SF_CLIENT_SECRET` | client-credentials flow instead |
    /// | `PMS_SF_LOGIN_URL` | default `https://login.salesforce.com` |
    /// | `PMS_SF_API_VERSION` | default `v62.0` |
    /// | `PMS_SF_JWT_AUDIENCE` | JWT `aud`, default the login URL |
    /// | `PMS_SF_ACCOUNT_EMAIL_FIELD` | default `Email__c` |
    /// | `PMS_SF_PAGE_SIZE` | 200–2000 |
    /// | `PMS_SF_MAX_ATTEMPTS`, `PMS_SF_RETRY_BASE_MS` | retry budget, default 5 and 1000 |
    /// | `PMS_SF_LOOKBACK_SECONDS` | overlap of incremental pulls, default 300 |
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, SfError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(client_id) = get("PMS_SF_CLIENT_ID") else {
            let stray: Vec<&str> = [
                "PMS_SF_USERNAME",
                "PMS_SF_PRIVATE_KEY_FILE",
                "PMS_SF_CLIENT_SECRET",
            ]
            .into_iter()
            .filter(|n| get(n).is_some())
            .collect();
            if stray.is_empty() {
                return Ok(None);
            }
            return Err(SfError::Config(format!(
                "{} set but PMS_SF_CLIENT_ID (the connected app's consumer key) is not; set it, or unset \
                 the others to run without Salesforce",
                stray.join(" and ")
            )));
        };
        let username = get("PMS_SF_USERNAME");
        let key_file = get("PMS_SF_PRIVATE_KEY_FILE");
        let secret = get("PMS_SF_CLIENT_SECRET");
        let auth = match (username, key_file, secret) {
            (_, Some(_), Some(_)) => {
                return Err(SfError::Config(
                    "both PMS_SF_PRIVATE_KEY_FILE (JWT bearer flow) and PMS_SF_CLIENT_SECRET (client-credentials \
                     flow) are set; keep the one for the flow the connected app uses"
                        .into(),
                ))
            }
            (Some(username), Some(path), None) => {
                let path = PathBuf::from(path);
                let private_key_pem = std::fs::read_to_string(&path).map_err(|e| {
                    SfError::Config(format!(
                        "PMS_SF_PRIVATE_KEY_FILE={} cannot be read ({e}); point it at the connected app's PEM private key",
                        path.display()
                    ))
                })?;
                SfAuth::JwtBearer { client_id, username, private_key_pem }
            }
            (None, Some(_), None) => {
                return Err(SfError::Config(
                    "PMS_SF_PRIVATE_KEY_FILE is set but PMS_SF_USERNAME is not; the JWT bearer flow needs the \
                     Salesforce username to act as"
                        .into(),
                ))
            }
            (Some(_), None, None) => {
                return Err(SfError::Config(
                    "PMS_SF_USERNAME is set but PMS_SF_PRIVATE_KEY_FILE is not; the JWT bearer flow needs the \
                     connected app's private key (or set PMS_SF_CLIENT_SECRET for the client-credentials flow)"
                        .into(),
                ))
            }
            (_, None, Some(client_secret)) => SfAuth::ClientCredentials { client_id, client_secret },
            (None, None, None) => {
                return Err(SfError::Config(
                    "PMS_SF_CLIENT_ID is set but there is no way to sign in: set PMS_SF_USERNAME and \
                     PMS_SF_PRIVATE_KEY_FILE (JWT bearer flow) or PMS_SF_CLIENT_SECRET (client-credentials flow)"
                        .into(),
                ))
            }
        };
        let mut config = Self::new(
            get("PMS_SF_LOGIN_URL").unwrap_or_else(|| DEFAULT_LOGIN_URL.into()),
            auth,
        );
        if let Some(version) = get("PMS_SF_API_VERSION") {
            config.api_version = if version.starts_with('v') {
                version
            } else {
                format!("v{version}")
            };
        }
        config.jwt_audience = get("PMS_SF_JWT_AUDIENCE");
        if let Some(field) = get("PMS_SF_ACCOUNT_EMAIL_FIELD") {
            config.account_email_field = field;
        }
        if let Some(size) = get("PMS_SF_PAGE_SIZE") {
            config.page_size = Some(size.parse().map_err(|_| {
                SfError::Config(format!(
                    "PMS_SF_PAGE_SIZE={size:?} is not a number; use 200 to 2000"
                ))
            })?);
        }
        if let Some(n) = get("PMS_SF_MAX_ATTEMPTS") {
            config.retry.max_attempts = n.parse().map_err(|_| {
                SfError::Config(format!("PMS_SF_MAX_ATTEMPTS={n:?} is not a whole number"))
            })?;
        }
        if let Some(ms) = get("PMS_SF_RETRY_BASE_MS") {
            config.retry.base_delay = Duration::from_millis(ms.parse().map_err(|_| {
                SfError::Config(format!(
                    "PMS_SF_RETRY_BASE_MS={ms:?} is not a number of milliseconds"
                ))
            })?);
        }
        if let Some(seconds) = get("PMS_SF_LOOKBACK_SECONDS") {
            config.lookback = Duration::from_secs(seconds.parse().map_err(|_| {
                SfError::Config(format!(
                    "PMS_SF_LOOKBACK_SECONDS={seconds:?} is not a whole number of seconds"
                ))
            })?);
        }
        config.validate()?;
        Ok(Some(config))
    }

    /// Checks everything that can be checked before talking to Salesforce.
    pub fn validate(&self) -> Result<(), SfError> {
        match url::Url::parse(&self.login_url) {
            Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => {}
            _ => {
                return Err(SfError::Config(format!(
                    "the login URL {:?} is not a web address; use https://login.salesforce.com, \
                     https://test.salesforce.com or the org's My Domain URL (PMS_SF_LOGIN_URL)",
                    self.login_url
                )))
            }
        }
        let version_ok = self
            .api_version
            .strip_prefix('v')
            .and_then(|v| v.split_once('.'))
            .is_some_and(|(major, minor)| {
                !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) && minor == "0"
            });
        if !version_ok {
            return Err(SfError::Config(format!(
                "the API version {:?} is not of the form v62.0 (PMS_SF_API_VERSION)",
                self.api_version
            )));
        }
        if !is_soql_identifier(&self.account_email_field) {
            return Err(SfError::Config(format!(
                "the Account email field {:?} is not a Salesforce field API name (PMS_SF_ACCOUNT_EMAIL_FIELD)",
                self.account_email_field
            )));
        }
        if let Some(size) = self.page_size {
            if !(200..=2000).contains(&size) {
                return Err(SfError::Config(format!(
                    "the page size {size} is outside what Salesforce accepts (200 to 2000; PMS_SF_PAGE_SIZE)"
                )));
            }
        }
        if self.retry.max_attempts == 0 {
            return Err(SfError::Config(
                "the retry budget must allow at least 1 attempt (PMS_SF_MAX_ATTEMPTS)".into(),
            ));
        }
        self.auth.check()
    }

    /// The JWT `aud` in use.
    pub fn audience(&self) -> &str {
        self.jwt_audience
            .as_deref()
            .unwrap_or_else(|| self.login_url.trim_end_matches('/'))
    }
}

fn is_soql_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The fields we select for an object, in SOQL order.
pub fn fields_for(object: SfObject, account_email_field: &str) -> Vec<&str> {
    match object {
        SfObject::User => {
            vec![
                "Id",
                "Name",
                "Email",
                "Phone",
                "EmployeeNumber",
                "Department",
                "IsActive",
                "SystemModstamp",
            ]
        }
        SfObject::Account => vec![
            "Id",
            "Name",
            "PAN__c",
            "PMS_Client_Code__c",
            "Client_Type__c",
            "Risk_Profile__c",
            "BillingCity",
            "BillingState",
            "Phone",
            account_email_field,
            "OwnerId",
            "Onboarding_Date__c",
            "Status__c",
            "Closure_Date__c",
            "AUM__c",
            "SystemModstamp",
        ],
        SfObject::Contact => vec![
            "Id",
            "AccountId",
            "Name",
            "Email",
            "Phone",
            "Title",
            "SystemModstamp",
        ],
        SfObject::Task => {
            vec![
                "Id",
                "WhatId",
                "OwnerId",
                "Subject",
                "Type",
                "ActivityDate",
                "Status",
                "SystemModstamp",
            ]
        }
        SfObject::Event => vec![
            "Id",
            "WhatId",
            "OwnerId",
            "Subject",
            "Type",
            "ActivityDate",
            "SystemModstamp",
        ],
    }
}

/// The SOQL for one object: everything, or (with a watermark) what changed after it, oldest
/// change first.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use pms_ingest::source::salesforce::api::soql_for;
/// use pms_ingest::source::salesforce::records::SfObject;
/// let since = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
/// assert_eq!(
///     soql_for(SfObject::Contact, Some(since), "Email__c"),
///     "SELECT Id, AccountId, Name, Email, Phone, Title, SystemModstamp FROM Contact \
///      WHERE SystemModstamp > 2026-11-20T10:00:00Z ORDER BY SystemModstamp"
/// );
/// ```
pub fn soql_for(
    object: SfObject,
    since: Option<DateTime<Utc>>,
    account_email_field: &str,
) -> String {
    let mut soql = format!(
        "SELECT {} FROM {}",
        fields_for(object, account_email_field).join(", "),
        object.api_name()
    );
    if let Some(since) = since {
        soql.push_str(" WHERE SystemModstamp > ");
        soql.push_str(&soql_datetime(since));
    }
    soql.push_str(" ORDER BY SystemModstamp");
    soql
}

/// The org's API consumption as of the latest response (`Sforce-Limit-Info: api-usage=25/15000`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub limit: u64,
}

impl ApiUsage {
    /// Reads the `api-usage` part of a `Sforce-Limit-Info` header value
    /// (`api-usage=25/15000; per-app-api-usage=…` or `api-usage=25/15000; api-bursts=1/750`).
    pub fn from_header(value: &str) -> Option<Self> {
        let part = value
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix("api-usage="))?;
        let (used, limit) = part.split_once('/')?;
        Some(Self {
            used: used.trim().parse().ok()?,
            limit: limit.trim().parse().ok()?,
        })
    }

    /// Share of the allowance used (0 when the limit is 0).
    pub fn ratio(&self) -> f64 {
        if self.limit == 0 {
            0.0
        } else {
            self.used as f64 / self.limit as f64
        }
    }
}

/// What one object's pull delivered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SfPull {
    /// The records, in the field of the batch for their type.
    pub batch: SfBatch,
    /// The largest `SystemModstamp` among them (quarantined ones included). `None` when
    /// nothing changed.
    pub max_modstamp: Option<DateTime<Utc>>,
    /// Records that could not be read or broke a rule: left out, each with its reason.
    pub quarantined: Vec<QuarantinedRecord>,
}

/// A record a pull left out: which one, which field, what was found and why it is unusable.
#[derive(Clone, Debug, PartialEq)]
pub struct QuarantinedRecord {
    pub object: SfObject,
    pub id: Option<String>,
    pub field: String,
    pub value: Option<String>,
    pub reason: String,
    /// Its `SystemModstamp`, when readable: the watermark stays before it.
    pub modstamp: Option<DateTime<Utc>>,
}

impl QuarantinedRecord {
    /// The problem as the job log stores it (no line: an API record has its Id instead).
    pub fn to_row_error(&self) -> RowError {
        RowError {
            line: None,
            column: Some(self.field.clone()),
            value: self.value.clone(),
            reason: format!(
                "{} {}: {}; the record was left out and is read again at every sync until it is corrected",
                self.object.api_name(),
                self.id.as_deref().unwrap_or("without an Id"),
                self.reason
            ),
        }
    }
}

impl SfPull {
    /// How many records the pull delivered.
    pub fn len(&self) -> usize {
        self.batch.users.len()
            + self.batch.accounts.len()
            + self.batch.contacts.len()
            + self.batch.activities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The watermark to store once the pull is loaded: the newest `SystemModstamp` seen, but
    /// never past a quarantined record, so it is read again until it is corrected (and records
    /// that depend on it with it). `previous` where nothing changed or a quarantined record has
    /// no readable stamp.
    pub fn next_watermark(&self, previous: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        let mut held = None;
        for record in &self.quarantined {
            match record.modstamp {
                None => return previous,
                Some(at) => held = Some(held.map_or(at, |h: DateTime<Utc>| h.min(at))),
            }
        }
        let before_held = held.map(|at| at - chrono::Duration::seconds(1));
        match (self.max_modstamp, before_held) {
            (Some(max), Some(held)) => Some(max.min(held)),
            (Some(max), None) => Some(max),
            (None, _) => previous,
        }
    }
}

/// Where the previous syncs got to, per object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncMarks {
    /// The newest `SystemModstamp` loaded (the watermark).
    pub changed: HashMap<SfObject, DateTime<Utc>>,
    /// Up to when the object's deleted records have been read.
    pub deleted: HashMap<SfObject, DateTime<Utc>>,
}

impl SyncMarks {
    /// Keeps the watermark of `object` before `modstamp`, so the record stamped then is read
    /// again by the next sync.
    pub fn hold_before(&mut self, object: SfObject, modstamp: DateTime<Utc>) {
        let held = modstamp - chrono::Duration::seconds(1);
        let mark = self.changed.entry(object).or_insert(held);
        *mark = (*mark).min(held);
    }
}

/// A record deleted in Salesforce (also the losers of a merge).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SfDeletion {
    pub object: SfObject,
    pub id: String,
    pub deleted_at: DateTime<Utc>,
}

/// Everything one sync pulled, and the marks to store once it is loaded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SfChanges {
    pub batch: SfBatch,
    pub deletions: Vec<SfDeletion>,
    pub quarantined: Vec<QuarantinedRecord>,
    pub marks: SyncMarks,
}

/// One answer of the deleted-records resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SfDeletedPage {
    pub records: Vec<SfDeletion>,
    /// Salesforce's `latestDateCovered`: the next read starts here.
    pub latest_covered: DateTime<Utc>,
}

/// The objects whose deletions reach the Hub (Users are deactivated, never deleted).
pub const DELETABLE_OBJECTS: [SfObject; 4] = [
    SfObject::Account,
    SfObject::Contact,
    SfObject::Task,
    SfObject::Event,
];

/// A signed-in connection to the org. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct SalesforceClient {
    http: reqwest::Client,
    config: SalesforceConfig,
    session: RwLock<Arc<SfToken>>,
    usage: Mutex<Option<ApiUsage>>,
    usage_warned: AtomicBool,
}

impl std::fmt::Debug for SalesforceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesforceClient")
            .field("config", &self.config)
            .field("instance_url", &self.instance_url())
            .field("api_usage", &self.api_usage())
            .finish()
    }
}

/// One failed attempt that is worth repeating.
struct Transient {
    reason: String,
    limit_exceeded: bool,
    network: bool,
    retry_after: Option<Duration>,
}

impl SalesforceClient {
    /// Checks the configuration and signs in.
    pub async fn connect(config: SalesforceConfig) -> Result<Self, SfError> {
        config.validate()?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(Duration::from_secs(30))
            .user_agent(concat!("pms-intelligence-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                SfError::Config(format!(
                    "the HTTP client could not be set up: {}",
                    describe_reqwest_error(&e)
                ))
            })?;
        let token = sign_in_with_retries(&http, &config).await?;
        tracing::info!(
            flow = config.auth.flow_name(),
            instance_url = %token.instance_url,
            "signed in to Salesforce"
        );
        Ok(Self {
            http,
            config,
            session: RwLock::new(Arc::new(token)),
            usage: Mutex::new(None),
            usage_warned: AtomicBool::new(false),
        })
    }

    pub fn config(&self) -> &SalesforceConfig {
        &self.config
    }

    /// The org's REST endpoint, as the latest sign-in reported it.
    pub fn instance_url(&self) -> String {
        self.token().instance_url.clone()
    }

    /// The org's API consumption as of the latest response, if Salesforce reported it.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        *self
            .usage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn token(&self) -> Arc<SfToken> {
        Arc::clone(
            &self
                .session
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Signs in again with the configured flow and uses the new access token from now on.
    pub async fn reauthenticate(&self) -> Result<(), SfError> {
        let token = sign_in_with_retries(&self.http, &self.config).await?;
        *self
            .session
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(token);
        Ok(())
    }

    /// Runs a SOQL query and returns every record of every page, as Salesforce sent them.
    pub async fn query(&self, soql: &str) -> Result<Vec<Map<String, Value>>, SfError> {
        self.query_as("the SOQL query", soql).await
    }

    async fn query_as(&self, what: &str, soql: &str) -> Result<Vec<Map<String, Value>>, SfError> {
        let first_path = format!("/services/data/{}/query", self.config.api_version);
        let mut page = self.get_json(what, &first_path, &[("q", soql)]).await?;
        let mut records = Vec::new();
        let mut pages = 1usize;
        loop {
            let done = page.get("done").and_then(Value::as_bool).ok_or_else(|| {
                SfError::UnexpectedResponse {
                    what: what.to_string(),
                    status: 200,
                    detail: "the query result has no \"done\" flag".into(),
                }
            })?;
            match page.get_mut("records").map(Value::take) {
                Some(Value::Array(batch)) => {
                    for record in batch {
                        match record {
                            Value::Object(map) => records.push(map),
                            other => {
                                return Err(SfError::UnexpectedResponse {
                                    what: what.to_string(),
                                    status: 200,
                                    detail: format!(
                                        "a record is not a JSON object: {}",
                                        snippet(&other.to_string())
                                    ),
                                })
                            }
                        }
                    }
                }
                _ => {
                    return Err(SfError::UnexpectedResponse {
                        what: what.to_string(),
                        status: 200,
                        detail: "the query result has no \"records\" list".into(),
                    })
                }
            }
            if done {
                break;
            }
            let next = page
                .get("nextRecordsUrl")
                .and_then(Value::as_str)
                .ok_or_else(|| SfError::UnexpectedResponse {
                    what: what.to_string(),
                    status: 200,
                    detail: "the query result says it is not done but has no nextRecordsUrl".into(),
                })?;
            // Only ever follow a path on the same org: the request carries our access token.
            if !next.starts_with("/services/data/") {
                return Err(SfError::UnexpectedResponse {
                    what: what.to_string(),
                    status: 200,
                    detail: format!("nextRecordsUrl {next:?} is not a /services/data/ path; refusing to follow it"),
                });
            }
            let next = next.to_string();
            pages += 1;
            page = self.get_json(what, &next, &[]).await?;
        }
        tracing::debug!(
            what,
            pages,
            records = records.len(),
            "Salesforce query done"
        );
        Ok(records)
    }

    /// One GET against the org with the session-refresh and backoff rules of this module.
    /// `path` is relative to the instance URL; `params` become its query string.
    async fn get_json(
        &self,
        what: &str,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, SfError> {
        let mut failures = 0u32;
        let mut refreshed = false;
        loop {
            let token = self.token();
            let url = format!("{}{}", token.instance_url.trim_end_matches('/'), path);
            let mut request = self
                .http
                .get(&url)
                .bearer_auth(&token.access_token)
                .header(reqwest::header::ACCEPT, "application/json");
            if !params.is_empty() {
                request = request.query(params);
            }
            if let Some(size) = self.config.page_size {
                request = request.header("Sforce-Query-Options", format!("batchSize={size}"));
            }
            let transient = match request.send().await {
                Err(e) => Transient {
                    reason: describe_reqwest_error(&e),
                    limit_exceeded: false,
                    network: true,
                    retry_after: None,
                },
                Ok(response) => {
                    self.note_usage(response.headers());
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    match response.text().await {
                        Err(e) => Transient {
                            reason: describe_reqwest_error(&e),
                            limit_exceeded: false,
                            network: true,
                            retry_after: None,
                        },
                        Ok(body) if status.is_success() => {
                            return serde_json::from_str(&body).map_err(|e| {
                                SfError::UnexpectedResponse {
                                    what: what.to_string(),
                                    status: status.as_u16(),
                                    detail: format!("{e}; body: {}", snippet(&body)),
                                }
                            })
                        }
                        Ok(body) => {
                            let (code, message) = api_error(&body);
                            if status == reqwest::StatusCode::UNAUTHORIZED
                                || code == "INVALID_SESSION_ID"
                            {
                                if refreshed {
                                    return Err(SfError::SessionRejected {
                                        what: what.to_string(),
                                        message,
                                    });
                                }
                                tracing::info!(
                                    what,
                                    "Salesforce session expired; signing in again"
                                );
                                refreshed = true;
                                self.reauthenticate().await?;
                                continue;
                            }
                            let limit_exceeded = code == "REQUEST_LIMIT_EXCEEDED";
                            if limit_exceeded
                                || status.is_server_error()
                                || status == reqwest::StatusCode::TOO_MANY_REQUESTS
                            {
                                let shown = if code.is_empty() {
                                    format!("HTTP {status}")
                                } else {
                                    format!("HTTP {status} {code}")
                                };
                                Transient {
                                    reason: format!("{shown}: {message}"),
                                    limit_exceeded,
                                    network: false,
                                    retry_after,
                                }
                            } else {
                                return Err(SfError::Api {
                                    what: what.to_string(),
                                    status: status.as_u16(),
                                    error_code: if code.is_empty() {
                                        format!("HTTP {}", status.as_u16())
                                    } else {
                                        code
                                    },
                                    message,
                                });
                            }
                        }
                    }
                }
            };
            failures += 1;
            if failures >= self.config.retry.max_attempts {
                return Err(if transient.network {
                    SfError::Unreachable {
                        what: what.to_string(),
                        reason: format!("{} (after {failures} attempts)", transient.reason),
                    }
                } else {
                    SfError::RetriesExhausted {
                        what: what.to_string(),
                        attempts: failures,
                        last: transient.reason,
                        limit_exceeded: transient.limit_exceeded,
                    }
                });
            }
            let delay = self.config.retry.delay(failures, transient.retry_after);
            tracing::warn!(
                what,
                attempt = failures,
                max_attempts = self.config.retry.max_attempts,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                reason = %transient.reason,
                "Salesforce request failed; retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    fn note_usage(&self, headers: &reqwest::header::HeaderMap) {
        let Some(usage) = headers
            .get("Sforce-Limit-Info")
            .and_then(|v| v.to_str().ok())
            .and_then(ApiUsage::from_header)
        else {
            return;
        };
        *self
            .usage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(usage);
        if usage.ratio() > API_USAGE_WARNING_RATIO {
            // Once per crossing, not once per page.
            if !self.usage_warned.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    used = usage.used,
                    limit = usage.limit,
                    "the Salesforce org has used {:.0}% of its daily API allowance; the Hub's pulls compete \
                     with every other integration for the rest",
                    usage.ratio() * 100.0
                );
            }
        } else {
            self.usage_warned.store(false, Ordering::Relaxed);
        }
    }

    /// Pulls one object: everything, or what changed after `since`. A record that cannot be
    /// read or breaks a rule is quarantined, not fatal: one bad Account must not stop the feed.
    pub async fn pull(
        &self,
        object: SfObject,
        since: Option<DateTime<Utc>>,
    ) -> Result<SfPull, SfError> {
        let soql = soql_for(object, since, &self.config.account_email_field);
        let what = format!("the {} query", object.api_name());
        let records = self.query_as(&what, &soql).await?;
        let mut pull = SfPull::default();
        for record in &records {
            let modstamp = match self.read_record(object, record, &mut pull.batch) {
                Ok(at) => at,
                Err(SfError::Record {
                    id,
                    field,
                    value,
                    reason,
                    ..
                }) => {
                    let at = modstamp_of(record);
                    pull.quarantined.push(QuarantinedRecord {
                        object,
                        id,
                        field,
                        value,
                        reason,
                        modstamp: at,
                    });
                    match at {
                        Some(at) => at,
                        None => continue,
                    }
                }
                Err(other) => return Err(other),
            };
            pull.max_modstamp = pull.max_modstamp.max(Some(modstamp));
        }
        tracing::info!(
            object = object.api_name(),
            records = pull.len(),
            quarantined = pull.quarantined.len(),
            since = ?since,
            "pulled from Salesforce"
        );
        Ok(pull)
    }

    /// Reads one REST record into `batch`; returns its `SystemModstamp`.
    fn read_record(
        &self,
        object: SfObject,
        record: &Map<String, Value>,
        batch: &mut SfBatch,
    ) -> Result<DateTime<Utc>, SfError> {
        Ok(match object {
            SfObject::User => {
                let user = parse_user(record)?;
                let at = user.system_modstamp;
                batch.users.push(user);
                at
            }
            SfObject::Account => {
                let account = parse_account(record, &self.config.account_email_field)?;
                let at = account.system_modstamp;
                batch.accounts.push(account);
                at
            }
            SfObject::Contact => {
                let contact = parse_contact(record)?;
                let at = contact.system_modstamp;
                batch.contacts.push(contact);
                at
            }
            SfObject::Task | SfObject::Event => {
                let activity = parse_activity(object, record)?;
                let at = activity.system_modstamp;
                batch.activities.push(activity);
                at
            }
        })
    }

    /// The records of `object` deleted between `start` and `end`
    /// (`GET sobjects/<Object>/deleted/?start=…&end=…`). Salesforce serves the last 30 days
    /// only: an earlier `start` is moved up, with a warning.
    pub async fn deleted(
        &self,
        object: SfObject,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<SfDeletedPage, SfError> {
        let horizon = end - chrono::Duration::from_std(DELETED_RECORDS_HORIZON).unwrap_or_default();
        if start < horizon {
            tracing::warn!(
                object = object.api_name(),
                %start,
                "deletions older than Salesforce keeps them cannot be read; records deleted before {horizon} \
                 may remain in the Hub until a full sync"
            );
        }
        let stamp = |at: DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let (start, end) = (stamp(start.max(horizon)), stamp(end));
        let what = format!("the deleted {} records", object.api_name());
        let path = format!(
            "/services/data/{}/sobjects/{}/deleted/",
            self.config.api_version,
            object.api_name()
        );
        let body = self
            .get_json(&what, &path, &[("start", &start), ("end", &end)])
            .await?;
        let unreadable = |detail: String| SfError::UnexpectedResponse {
            what: what.clone(),
            status: 200,
            detail,
        };
        let stamp_of = |value: Option<&Value>, name: &str| {
            value
                .and_then(Value::as_str)
                .and_then(parse_zoned_datetime)
                .ok_or_else(|| unreadable(format!("{name} is missing or not a date-time")))
        };
        let latest_covered = stamp_of(body.get("latestDateCovered"), "latestDateCovered")?;
        let mut records = Vec::new();
        for item in body
            .get("deletedRecords")
            .and_then(Value::as_array)
            .ok_or_else(|| unreadable("there is no deletedRecords list".into()))?
        {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| normalize_id(id).ok())
                .ok_or_else(|| unreadable(format!("a deleted record has no valid id: {item}")))?;
            records.push(SfDeletion {
                object,
                id,
                deleted_at: stamp_of(item.get("deletedDate"), "deletedDate")?,
            });
        }
        Ok(SfDeletedPage {
            records,
            latest_covered,
        })
    }

    /// Pulls every object in dependency order (User, Account, Contact, Task, Event): what
    /// changed since its watermark less [`SalesforceConfig::lookback`] (everything without
    /// one), and what was deleted since the last read of its deleted records. Returns the
    /// records, the deletions, the quarantined records and the marks to store once loaded.
    pub async fn pull_changes(&self, marks: &SyncMarks) -> Result<SfChanges, SfError> {
        let started = Utc::now();
        let lookback = chrono::Duration::from_std(self.config.lookback).unwrap_or_default();
        let mut changes = SfChanges::default();
        for object in SfObject::ALL {
            let previous = marks.changed.get(&object).copied();
            let pull = self.pull(object, previous.map(|at| at - lookback)).await?;
            let next = pull.next_watermark(previous);
            changes.batch.users.extend(pull.batch.users);
            changes.batch.accounts.extend(pull.batch.accounts);
            changes.batch.contacts.extend(pull.batch.contacts);
            changes.batch.activities.extend(pull.batch.activities);
            changes.quarantined.extend(pull.quarantined);
            let Some(next) = next else {
                // Nothing seen yet: the next pull is a full one, which needs no deletions.
                continue;
            };
            changes.marks.changed.insert(object, next);
            if DELETABLE_OBJECTS.contains(&object) {
                let deleted_until = match marks.deleted.get(&object).copied().or(previous) {
                    Some(from) => {
                        let page = self.deleted(object, from - lookback, started).await?;
                        changes.deletions.extend(page.records);
                        page.latest_covered
                    }
                    // A full pull: whatever was deleted before it is simply absent.
                    None => started,
                };
                changes.marks.deleted.insert(object, deleted_until);
            }
        }
        Ok(changes)
    }
}

/// A REST record's `SystemModstamp`, when readable.
fn modstamp_of(record: &Map<String, Value>) -> Option<DateTime<Utc>> {
    record
        .get("SystemModstamp")
        .and_then(Value::as_str)
        .and_then(parse_zoned_datetime)
}

/// Signs in, retrying what is worth retrying (network errors, Salesforce 5xx).
async fn sign_in_with_retries(
    http: &reqwest::Client,
    config: &SalesforceConfig,
) -> Result<SfToken, SfError> {
    let mut failures = 0u32;
    loop {
        match request_token(http, &config.login_url, config.audience(), &config.auth).await {
            Ok(token) => return Ok(token),
            Err(e) => {
                let transient = match &e {
                    SfError::Unreachable { .. } => true,
                    SfError::UnexpectedResponse { status, .. } => *status >= 500,
                    _ => false,
                };
                failures += 1;
                if !transient || failures >= config.retry.max_attempts {
                    return Err(e);
                }
                let delay = config.retry.delay(failures, None);
                tracing::warn!(attempt = failures, error = %e, "Salesforce sign-in failed; retrying");
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// The first `errorCode` and `message` of a REST error body (`[{"message":…,"errorCode":…}]`).
fn api_error(body: &str) -> (String, String) {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let first = match &parsed {
        Some(Value::Array(items)) => items.first(),
        Some(obj @ Value::Object(_)) => Some(obj),
        _ => None,
    };
    match first {
        Some(item) => (
            item.get("errorCode")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            item.get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| snippet(body)),
        ),
        None => (String::new(), snippet(body)),
    }
}

// ---------------------------------------------------------------------------------------------
// From REST JSON to typed records.

struct RecordReader<'a> {
    object: SfObject,
    record: &'a Map<String, Value>,
    id: Option<String>,
}

impl<'a> RecordReader<'a> {
    fn new(object: SfObject, record: &'a Map<String, Value>) -> Self {
        let id = record.get("Id").and_then(Value::as_str).map(str::to_string);
        Self { object, record, id }
    }

    fn fail(&self, field: &str, reason: impl Into<String>) -> SfError {
        let value = match self.record.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        };
        SfError::Record {
            object: self.object.api_name().to_string(),
            id: self.id.clone(),
            field: field.to_string(),
            value,
            reason: reason.into(),
        }
    }

    /// A text field read by `parse`, one of the rules the CSV import applies too.
    fn checked<T>(
        &self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, SfError> {
        match self.text(field)? {
            None => Ok(None),
            Some(raw) => parse(&raw)
                .map(Some)
                .map_err(|reason| self.fail(field, reason)),
        }
    }

    /// A text field; `null`, absent and blank all mean "no value". Numbers are accepted as text
    /// (a phone number or an employee number may be numeric in some orgs).
    fn text(&self, field: &str) -> Result<Option<String>, SfError> {
        match self.record.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(other) => Err(self.fail(
                field,
                format!("expected text, found {}", snippet(&other.to_string())),
            )),
        }
    }

    fn required_text(&self, field: &str) -> Result<String, SfError> {
        self.text(field)?
            .ok_or_else(|| self.fail(field, "the field is empty or missing from the response"))
    }

    fn id(&self, field: &str) -> Result<Option<String>, SfError> {
        match self.text(field)? {
            None => Ok(None),
            Some(raw) => normalize_id(&raw)
                .map(Some)
                .map_err(|e| self.fail(field, format!("{raw:?}: {e}"))),
        }
    }

    fn required_id(&self, field: &str) -> Result<String, SfError> {
        self.id(field)?
            .ok_or_else(|| self.fail(field, "the field is empty or missing from the response"))
    }

    fn datetime(&self, field: &str) -> Result<DateTime<Utc>, SfError> {
        let raw = self.required_text(field)?;
        parse_zoned_datetime(&raw)
            .ok_or_else(|| self.fail(field, format!("{raw:?} is not a date-time")))
    }

    fn date(&self, field: &str) -> Result<Option<NaiveDate>, SfError> {
        match self.text(field)? {
            None => Ok(None),
            Some(raw) => parse_date(&raw)
                .map(Some)
                .ok_or_else(|| self.fail(field, format!("{raw:?} is not a date"))),
        }
    }

    fn decimal(&self, field: &str) -> Result<Option<Decimal>, SfError> {
        match self.record.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => {
                let text = n.to_string();
                text.parse::<Decimal>()
                    .or_else(|_| Decimal::from_scientific(&text))
                    .map(Some)
                    .map_err(|_| self.fail(field, format!("{text} does not fit a decimal")))
            }
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<Decimal>()
                .map(Some)
                .map_err(|_| self.fail(field, format!("{s:?} is not a number"))),
            Some(other) => Err(self.fail(
                field,
                format!("expected a number, found {}", snippet(&other.to_string())),
            )),
        }
    }

    fn boolean(&self, field: &str) -> Result<bool, SfError> {
        match self.record.get(field) {
            Some(Value::Bool(b)) => Ok(*b),
            // Not selected or not visible: treat as active rather than dropping an RM.
            None | Some(Value::Null) => Ok(true),
            Some(other) => Err(self.fail(field, format!("expected true or false, found {other}"))),
        }
    }
}

/// Reads a `User` record of a REST response.
pub fn parse_user(record: &Map<String, Value>) -> Result<SfUser, SfError> {
    let r = RecordReader::new(SfObject::User, record);
    Ok(SfUser {
        id: r.required_id("Id")?,
        name: r.required_text("Name")?,
        email: r.text("Email")?,
        phone: r.text("Phone")?,
        employee_number: r.text("EmployeeNumber")?,
        department: r.text("Department")?,
        is_active: r.boolean("IsActive")?,
        system_modstamp: r.datetime("SystemModstamp")?,
    })
}

/// Reads an `Account` record of a REST response; `email_field` is the configured email field.
pub fn parse_account(record: &Map<String, Value>, email_field: &str) -> Result<SfAccount, SfError> {
    let r = RecordReader::new(SfObject::Account, record);
    Ok(SfAccount {
        id: r.required_id("Id")?,
        name: r.required_text("Name")?,
        pan: r.checked("PAN__c", parse_pan)?,
        pms_client_code: r.text("PMS_Client_Code__c")?,
        client_type: r.text("Client_Type__c")?,
        risk_profile: r.checked("Risk_Profile__c", |raw| {
            parse_risk_profile(raw).map(str::to_string)
        })?,
        billing_city: r.text("BillingCity")?,
        billing_state: r.text("BillingState")?,
        phone: r.text("Phone")?,
        email: r.text(email_field)?,
        owner_id: r.required_id("OwnerId")?,
        onboarding_date: r.date("Onboarding_Date__c")?,
        status: r.checked("Status__c", |raw| {
            parse_client_status(raw).map(str::to_string)
        })?,
        closure_date: r.date("Closure_Date__c")?,
        aum: r
            .decimal("AUM__c")?
            .map(check_aum)
            .transpose()
            .map_err(|reason| r.fail("AUM__c", reason))?,
        system_modstamp: r.datetime("SystemModstamp")?,
    })
}

/// Reads a `Contact` record of a REST response.
pub fn parse_contact(record: &Map<String, Value>) -> Result<SfContact, SfError> {
    let r = RecordReader::new(SfObject::Contact, record);
    Ok(SfContact {
        id: r.required_id("Id")?,
        account_id: r.id("AccountId")?,
        name: r.required_text("Name")?,
        email: r.text("Email")?,
        phone: r.text("Phone")?,
        title: r.text("Title")?,
        system_modstamp: r.datetime("SystemModstamp")?,
    })
}

/// Reads a `Task` or `Event` record of a REST response.
pub fn parse_activity(kind: SfObject, record: &Map<String, Value>) -> Result<SfActivity, SfError> {
    let r = RecordReader::new(kind, record);
    Ok(SfActivity {
        id: r.required_id("Id")?,
        kind,
        what_id: r.id("WhatId")?,
        owner_id: r.id("OwnerId")?,
        subject: r.text("Subject")?,
        activity_type: r.text("Type")?,
        activity_date: r.date("ActivityDate")?,
        status: if kind == SfObject::Task {
            r.text("Status")?
        } else {
            None
        },
        system_modstamp: r.datetime("SystemModstamp")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_header() {
        assert_eq!(
            ApiUsage::from_header("api-usage=25/15000"),
            Some(ApiUsage {
                used: 25,
                limit: 15000
            })
        );
        assert_eq!(
            ApiUsage::from_header("api-usage=10018/100000; api-bursts=1/750"),
            Some(ApiUsage {
                used: 10018,
                limit: 100000
            })
        );
        assert_eq!(
            ApiUsage::from_header("per-app-api-usage=17/250(appName=x); api-usage=18/5000"),
            Some(ApiUsage {
                used: 18,
                limit: 5000
            })
        );
        assert_eq!(ApiUsage::from_header("nonsense"), None);
    }

    #[test]
    fn delays_grow_and_stay_bounded() {
        let retry = RetrySettings {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
        };
        for _ in 0..50 {
            let d1 = retry.delay(1, None);
            assert!(
                d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100),
                "{d1:?}"
            );
            let d3 = retry.delay(3, None);
            assert!(
                d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400),
                "{d3:?}"
            );
            assert!(retry.delay(30, None) <= Duration::from_millis(1000));
            assert_eq!(
                retry.delay(1, Some(Duration::from_secs(5))),
                Duration::from_millis(1000)
            );
        }
    }

    #[test]
    fn config_from_vars() {
        let none = SalesforceConfig::from_vars(|_| None).unwrap();
        assert!(none.is_none());
        let pairs = [
            ("PMS_SF_CLIENT_ID", "3MVG9abc"),
            ("PMS_SF_CLIENT_SECRET", "s3cret"),
            ("PMS_SF_API_VERSION", "61.0"),
            ("PMS_SF_LOGIN_URL", "https://test.salesforce.com"),
        ];
        let cc = SalesforceConfig::from_vars(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
        .unwrap()
        .unwrap();
        assert_eq!(cc.api_version, "v61.0");
        assert_eq!(cc.audience(), "https://test.salesforce.com");
        assert!(matches!(cc.auth, SfAuth::ClientCredentials { .. }));
        assert!(!format!("{cc:?}").contains("s3cret"));

        for (pairs, needle) in [
            (&[("PMS_SF_CLIENT_ID", "x")][..], "no way to sign in"),
            (
                &[("PMS_SF_CLIENT_ID", "x"), ("PMS_SF_USERNAME", "u@x")][..],
                "PMS_SF_PRIVATE_KEY_FILE is not",
            ),
            (
                &[
                    ("PMS_SF_CLIENT_ID", "x"),
                    ("PMS_SF_PRIVATE_KEY_FILE", "/k.pem"),
                ][..],
                "PMS_SF_USERNAME is not",
            ),
            (
                &[
                    ("PMS_SF_CLIENT_ID", "x"),
                    ("PMS_SF_PRIVATE_KEY_FILE", "/k"),
                    ("PMS_SF_CLIENT_SECRET", "s"),
                ][..],
                "both",
            ),
            (
                &[("PMS_SF_CLIENT_SECRET", "s")][..],
                "PMS_SF_CLIENT_ID (the connected app's consumer key) is not",
            ),
            (
                &[
                    ("PMS_SF_CLIENT_ID", "x"),
                    ("PMS_SF_USERNAME", "u"),
                    ("PMS_SF_PRIVATE_KEY_FILE", "/nonexistent/k.pem"),
                ][..],
                "cannot be read",
            ),
            (
                &[
                    ("PMS_SF_CLIENT_ID", "x"),
                    ("PMS_SF_CLIENT_SECRET", "s"),
                    ("PMS_SF_API_VERSION", "latest"),
                ][..],
                "v62.0",
            ),
            (
                &[
                    ("PMS_SF_CLIENT_ID", "x"),
                    ("PMS_SF_CLIENT_SECRET", "s"),
                    ("PMS_SF_LOGIN_URL", "login"),
                ][..],
                "login URL",
            ),
            (
                &[
                    ("PMS_SF_CLIENT_ID", "x"),
                    ("PMS_SF_CLIENT_SECRET", "s"),
                    ("PMS_SF_PAGE_SIZE", "5"),
                ][..],
                "200 to 2000",
            ),
            (
                &[
                    ("PMS_SF_CLIENT_ID", "x"),
                    ("PMS_SF_CLIENT_SECRET", "s"),
                    ("PMS_SF_ACCOUNT_EMAIL_FIELD", "Email; DROP"),
                ][..],
                "API name",
            ),
        ] {
            let lookup = |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            };
            let err = SalesforceConfig::from_vars(lookup).unwrap_err().to_string();
            assert!(err.contains(needle), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn soql() {
        let q = soql_for(SfObject::Account, None, "PersonEmail");
        assert!(q.starts_with("SELECT Id, Name, PAN__c,"));
        assert!(q.contains(", PersonEmail, OwnerId,"));
        assert!(q.ends_with("FROM Account ORDER BY SystemModstamp"));
    }

    #[test]
    fn rest_errors() {
        assert_eq!(
            api_error(
                r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#
            ),
            (
                "INVALID_SESSION_ID".to_string(),
                "Session expired or invalid".to_string()
            )
        );
        assert_eq!(
            api_error("<html>down</html>"),
            (String::new(), "<html>down</html>".to_string())
        );
    }
}
