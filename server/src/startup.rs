//! Builds the application from a configuration and a database, so `serve` and the integration
//! tests start exactly the same thing (tests on a random port).

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use anyhow::Context;
use leptos::config::get_configuration;
use pms_auth::keys::KeySource;
use pms_auth::MasterKey;
use pms_ingest::profile::Profile;
use pms_service::{Context as ServiceContext, IngestSettings, SecuritySettings};
use pms_store::Db;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::http::{self, AppState};

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
}

/// The master key from the environment, or (development) a key file in the data folder.
pub fn master_key(config: &Config) -> anyhow::Result<MasterKey> {
    let file = config.data_dir.join("master.key");
    let (key, source) = MasterKey::load_or_create(config.master_key.as_deref(), &file)?;
    match source {
        KeySource::Environment => {}
        KeySource::ExistingFile => {
            tracing::info!(file = %file.display(), "master key read from the data folder (set PMS_MASTER_KEY in production)")
        }
        KeySource::NewFile => {
            tracing::warn!(file = %file.display(), "no PMS_MASTER_KEY: generated a development master key")
        }
    }
    Ok(key)
}

/// The column-mapping profile: a configured file, else the shipped default.
pub fn profile(config: &Config) -> anyhow::Result<Profile> {
    match &config.profile_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the profile {}", path.display()))?;
            Profile::from_toml(&text)
                .with_context(|| format!("the profile {} is not valid", path.display()))
        }
        None => Ok(Profile::default_profile()),
    }
}

/// The use cases' [`Context`] for this configuration: the store (with the audit key), the
/// master key, the settings and fresh rate limiters. The server and the CLI build it alike.
pub fn context(config: &Config, db: Db) -> anyhow::Result<ServiceContext> {
    let per_minute = |n: u32| NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
    let keys = master_key(config)?;
    Ok(ServiceContext {
        db: db.with_audit_key(keys.audit_key()),
        keys,
        security: Arc::new(SecuritySettings {
            idle_timeout: config.session_idle,
            absolute_timeout: config.session_absolute,
            trusted_proxies: config.trusted_proxies.clone(),
            public_origin: config.public_origin.clone(),
            secure_cookies: !config.insecure_cookies,
            request_timeout: config.request_timeout,
        }),
        login_limiter: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
            per_minute(config.login_rate_per_minute),
        ))),
        reads: Default::default(),
        token_limiter: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
            per_minute(config.token_rate_per_minute),
        ))),
        ingest: Arc::new(IngestSettings {
            upload_dir: config.data_dir.join("uploads"),
            drop_dir: config
                .drop_dir
                .clone()
                .unwrap_or_else(|| config.data_dir.join("inbox")),
            profile: profile(config)?,
        }),
    })
}

impl Application {
    pub async fn build(config: &Config, db: Db) -> anyhow::Result<Self> {
        let mut leptos = get_configuration(None)
            .context("reading the Leptos configuration")?
            .leptos_options;
        leptos.site_addr = config.bind;
        let listener = TcpListener::bind(config.bind).await.with_context(|| {
            format!(
                "cannot listen on {} (is another server running?)",
                config.bind
            )
        })?;
        let state = AppState {
            leptos,
            cx: context(config, db)?,
            telemetry: http::prometheus::Telemetry::new(config.metrics_token.clone()),
            live: http::events::LiveVersion::default(),
            api_limiter: std::sync::Arc::new(http::api::rate_limit::ApiLimiter::per_minute(
                config.api_rate_per_minute,
            )),
        };
        Ok(Self {
            listener,
            router: http::router(state.clone()),
            state,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and closes the pool.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let db = self.state.db.clone();
        let live = self.state.live.clone();
        tokio::spawn(live.clone().poll(db.clone()));
        // Open event streams end first, or the graceful shutdown would wait on them.
        let shutdown = async move {
            shutdown.await;
            live.close();
        };
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("HTTP server failed")?;
        db.close().await;
        Ok(())
    }
}
