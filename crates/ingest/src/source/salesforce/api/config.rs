//! Where and how to reach the org: [`SalesforceConfig`], its defaults, the `PMS_SF_*`
//! environment variables and the checks made before talking to Salesforce.

use std::path::PathBuf;
use std::time::Duration;

use super::retry::RetrySettings;
use crate::source::salesforce::auth::SfAuth;
use crate::source::salesforce::error::SfError;

/// Production login; sandboxes use `https://test.salesforce.com`, or use the org's My Domain.
pub const DEFAULT_LOGIN_URL: &str = "https://login.salesforce.com";
/// The REST API version we speak (Winter '25).
pub const DEFAULT_API_VERSION: &str = "v62.0";
/// The Account field holding the client's email unless configured otherwise (orgs with Person
/// Accounts use `PersonEmail`).
pub const DEFAULT_ACCOUNT_EMAIL_FIELD: &str = "Email__c";
/// How far before the watermark incremental pulls start again unless configured otherwise.
pub const DEFAULT_LOOKBACK: Duration = Duration::from_secs(5 * 60);

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
