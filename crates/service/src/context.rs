//! The application context every use case runs in: the store, the master key, the settings
//! the server was started with, and the rate limiters shared by all requests.

use std::sync::Arc;
use std::time::Duration;

use pms_auth::MasterKey;
use pms_store::Db;

use crate::client_addr::TrustedProxies;

/// Attempts allowed per key (a client address, an API client id): a burst, then a steady rate.
pub type RateLimiter = governor::DefaultKeyedRateLimiter<String>;

/// Security settings the server was started with.
#[derive(Clone, Debug)]
pub struct SecuritySettings {
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    /// …and after this long in any case.
    pub absolute_timeout: Duration,
    /// The reverse proxies whose `X-Forwarded-*` headers are believed (none: the socket
    /// address is the client).
    pub trusted_proxies: TrustedProxies,
    /// The public origin (`https://hub.firm.in`), when known.
    pub public_origin: Option<String>,
    /// Mark the session cookie `Secure` (the default; plain-HTTP development opts out).
    pub secure_cookies: bool,
    /// The longest an interactive request may take before it is answered 408.
    pub request_timeout: Duration,
}

/// Where uploads and the drop folder live, and how reports are read.
#[derive(Clone, Debug)]
pub struct IngestSettings {
    pub upload_dir: std::path::PathBuf,
    pub drop_dir: std::path::PathBuf,
    pub profile: pms_ingest::profile::Profile,
}

/// What every use case may need; cheap to clone (handles and `Arc`s).
#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub keys: MasterKey,
    pub security: Arc<SecuritySettings>,
    pub ingest: Arc<IngestSettings>,
    /// Sign-in attempts, keyed per client address.
    pub login_limiter: Arc<RateLimiter>,
    /// `POST /api/v1/auth/token` attempts, keyed per client id and per source address.
    pub token_limiter: Arc<RateLimiter>,
    /// The dashboard's answers, per question, scope and data version.
    pub reads: Arc<crate::read_cache::ReadCache>,
}

impl Context {
    /// The Hub's address for links a user passes on (invitations, API examples): the
    /// configured public origin, else the address the caller reached.
    pub fn public_base(&self, caller: &crate::Caller) -> String {
        self.security
            .public_origin
            .clone()
            .or_else(|| caller.meta.origin.clone())
            .unwrap_or_else(|| "http://localhost".into())
            .trim_end_matches('/')
            .to_owned()
    }
}
