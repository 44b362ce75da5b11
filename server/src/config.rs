//! Configuration: one typed struct from environment variables (see `.env.example` for the list
//! and defaults). Secrets only ever come from the environment, never from the repository.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use pms_service::client_addr::TrustedProxies;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}={value:?} is not valid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

#[derive(Clone, Debug)]
pub struct Config {
    /// PostgreSQL to use; `None` starts the private cluster under `data_dir`.
    pub database_url: Option<String>,
    /// The schema owner's connection, for migrations (`PMS_MIGRATION_DATABASE_URL`). With it the
    /// application's own role (`DATABASE_URL`) cannot alter the audit trail; without it one role
    /// does both (see docs/security.md).
    pub migration_database_url: Option<String>,
    /// Where the HTTP server listens.
    pub bind: SocketAddr,
    /// Project-local state: the private cluster, uploads, the drop folder, a development key.
    pub data_dir: PathBuf,
    pub db_max_connections: u32,
    /// Load the demo data set when the database has no data yet (default: only when using the
    /// private cluster, so a real database is never filled with invented clients).
    pub demo_on_empty: bool,
    /// The demo size loaded on an empty database.
    pub demo_size: String,
    /// Base64 of 32 bytes; without it a key file in `data_dir` is used (development only).
    pub master_key: Option<String>,
    /// The public origin (`https://hub.firm.in`): secure cookies, HSTS, CSRF origin.
    pub public_origin: Option<String>,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Reverse proxies whose `X-Forwarded-For`/`-Proto` are believed (`PMS_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// Plain-HTTP development only: session cookies without `Secure` (`PMS_INSECURE_COOKIES`).
    pub insecure_cookies: bool,
    /// Sign-in attempts per minute per client address.
    pub login_rate_per_minute: u32,
    /// Token requests per minute per API client id, and per client address.
    pub token_rate_per_minute: u32,
    /// Requests a minute each API client may make to `/api/v1` (a burst of as many).
    pub api_rate_per_minute: u32,
    /// The longest a page, server function or API request may take (`PMS_REQUEST_TIMEOUT_SECONDS`);
    /// uploads are exempt.
    pub request_timeout: Duration,
    /// Drop folder watched for report files (default `data_dir/inbox`); "off" disables.
    pub drop_dir: Option<PathBuf>,
    /// Cron expression (UTC) for the Salesforce sync, e.g. `0 30 20 * * *` (02:00 IST).
    pub salesforce_schedule: Option<String>,
    /// Cron expression (UTC) for the Wealth Spectrum API sync.
    pub wealth_spectrum_schedule: Option<String>,
    /// A column-mapping profile file to use instead of the shipped default.
    pub profile_file: Option<PathBuf>,
    /// The bearer token Prometheus presents at `/metrics` (`PMS_METRICS_TOKEN`); without it the
    /// endpoint is off.
    pub metrics_token: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let database_url = var("DATABASE_URL").filter(|v| !v.trim().is_empty());
        let bind = parse(
            "PMS_BIND",
            var("PMS_BIND").or_else(|| var("LEPTOS_SITE_ADDR")),
            "127.0.0.1:3000",
        )?;
        let data_dir = PathBuf::from(var("PMS_DATA_DIR").unwrap_or_else(|| ".pmsdata".into()));
        let db_max_connections = parse(
            "PMS_DB_MAX_CONNECTIONS",
            var("PMS_DB_MAX_CONNECTIONS"),
            "16",
        )?;
        let demo_default = if database_url.is_none() {
            "true"
        } else {
            "false"
        };
        let demo_on_empty = parse("PMS_DEMO_ON_EMPTY", var("PMS_DEMO_ON_EMPTY"), demo_default)?;
        let idle: u64 = parse(
            "PMS_SESSION_IDLE_MINUTES",
            var("PMS_SESSION_IDLE_MINUTES"),
            "30",
        )?;
        let absolute: u64 = parse("PMS_SESSION_MAX_HOURS", var("PMS_SESSION_MAX_HOURS"), "12")?;
        let drop_dir = match var("PMS_DROP_DIR").as_deref().map(str::trim) {
            Some("off") => None,
            Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
            _ => Some(data_dir.join("inbox")),
        };
        let public_origin = var("PMS_PUBLIC_URL")
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty());
        if let Some(origin) = &public_origin {
            if !(origin.starts_with("https://") || origin.starts_with("http://")) {
                return Err(ConfigError::Invalid {
                    name: "PMS_PUBLIC_URL",
                    value: origin.clone(),
                    reason: "write it with its scheme, e.g. https://hub.firm.in".into(),
                });
            }
        }
        if var("PMS_TRUST_PROXY").is_some() {
            return Err(ConfigError::Invalid {
                name: "PMS_TRUST_PROXY",
                value: var("PMS_TRUST_PROXY").unwrap_or_default(),
                reason: "replaced by PMS_TRUSTED_PROXIES: list your proxies' addresses or CIDR \
                         blocks (e.g. PMS_TRUSTED_PROXIES=10.0.0.5,10.0.1.0/24)"
                    .into(),
            });
        }
        let insecure_cookies: bool =
            parse("PMS_INSECURE_COOKIES", var("PMS_INSECURE_COOKIES"), "false")?;
        if let Some(origin) = public_origin
            .as_deref()
            .filter(|o| o.starts_with("http://"))
        {
            if !insecure_cookies {
                return Err(ConfigError::Invalid {
                    name: "PMS_PUBLIC_URL",
                    value: origin.to_owned(),
                    reason: "session cookies are Secure, which browsers drop over plain HTTP: \
                             serve the Hub over https, or set PMS_INSECURE_COOKIES=true for \
                             development"
                        .into(),
                });
            }
        }
        Ok(Self {
            database_url,
            migration_database_url: var("PMS_MIGRATION_DATABASE_URL")
                .filter(|v| !v.trim().is_empty()),
            bind,
            data_dir,
            db_max_connections,
            demo_on_empty,
            demo_size: var("PMS_DEMO_SIZE").unwrap_or_else(|| "small".into()),
            master_key: var("PMS_MASTER_KEY").filter(|v| !v.trim().is_empty()),
            public_origin,
            session_idle: Duration::from_secs(60 * idle.max(1)),
            session_absolute: Duration::from_secs(3600 * absolute.max(1)),
            trusted_proxies: parse("PMS_TRUSTED_PROXIES", var("PMS_TRUSTED_PROXIES"), "")?,
            insecure_cookies,
            login_rate_per_minute: parse(
                "PMS_LOGIN_RATE_PER_MINUTE",
                var("PMS_LOGIN_RATE_PER_MINUTE"),
                "10",
            )?,
            request_timeout: Duration::from_secs(
                parse::<u64>(
                    "PMS_REQUEST_TIMEOUT_SECONDS",
                    var("PMS_REQUEST_TIMEOUT_SECONDS"),
                    "45",
                )?
                .max(1),
            ),
            token_rate_per_minute: parse(
                "PMS_TOKEN_RATE_PER_MINUTE",
                var("PMS_TOKEN_RATE_PER_MINUTE"),
                "20",
            )?,
            api_rate_per_minute: parse(
                "PMS_API_RATE_PER_MINUTE",
                var("PMS_API_RATE_PER_MINUTE"),
                "600",
            )?,
            drop_dir,
            salesforce_schedule: var("PMS_SF_SYNC_CRON").filter(|v| !v.trim().is_empty()),
            wealth_spectrum_schedule: var("PMS_WS_SYNC_CRON").filter(|v| !v.trim().is_empty()),
            profile_file: var("PMS_PROFILE")
                .filter(|v| !v.trim().is_empty())
                .map(PathBuf::from),
            metrics_token: var("PMS_METRICS_TOKEN").filter(|v| !v.trim().is_empty()),
        })
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn parse<T>(name: &'static str, value: Option<String>, default: &str) -> Result<T, ConfigError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let value = value.unwrap_or_else(|| default.to_owned());
    value
        .trim()
        .parse()
        .map_err(|e: T::Err| ConfigError::Invalid {
            name,
            value,
            reason: e.to_string(),
        })
}
