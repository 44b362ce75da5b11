//! Background work of a running server: sweeping expired sessions and loads whose worker died,
//! watching the drop folder, the scheduled syncs, delivering webhooks, and evaluating the
//! compliance alerts (with their e-mails).

pub mod alerts;
pub mod schedule;
pub mod watch;
pub mod webhooks;

use std::time::Duration;

use crate::config::Config;
use crate::http::AppState;

/// Starts every background task; they live as long as the process. A configuration mistake
/// (bad cron text, a schedule for a source that is not configured, a bad poll interval or
/// upload limit) is a start-up error: the message is printed and the process exits, rather
/// than a server running that silently never syncs. (Callers that can propagate the error
/// use [`try_spawn_all`].)
pub fn spawn_all(state: &AppState, config: &Config) {
    if let Err(e) = try_spawn_all(state, config) {
        tracing::error!("{e:#}");
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}

/// Checks the background tasks' settings, then starts them: the sweeps, the drop-folder watcher
/// (when `config.drop_dir` is set) and the scheduled syncs.
pub fn try_spawn_all(state: &AppState, config: &Config) -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).ok();
    pms_domain::ingest::parse_max_upload_mb(env("PMS_MAX_UPLOAD_MB").as_deref())
        .map_err(anyhow::Error::msg)?;
    let poll = watch::poll_interval(env("PMS_DROP_POLL_SECONDS").as_deref())
        .map_err(anyhow::Error::msg)?;
    let retry = webhooks::retry_base(env("PMS_WEBHOOK_RETRY_SECONDS").as_deref())
        .map_err(anyhow::Error::msg)?;
    let mailer = alerts::Mailer::from_settings(
        env("PMS_SMTP_URL").as_deref(),
        env("PMS_MAIL_FROM").as_deref(),
    )
    .map_err(anyhow::Error::msg)?;
    let schedules = schedule::from_config(
        config.salesforce_schedule.as_deref(),
        config.wealth_spectrum_schedule.as_deref(),
    )?;
    if let Some(dir) = &config.drop_dir {
        watch::spawn(
            state.db.clone(),
            state.ingest.profile.clone(),
            dir.clone(),
            poll,
        )
        .map_err(|e| anyhow::anyhow!("cannot create the drop folder {}: {e}", dir.display()))?;
    }
    schedule::spawn(state.db.clone(), state.ingest.profile.clone(), schedules);
    spawn_sweeps(state, crate::commands::audit::default_checkpoint(config));
    webhooks::spawn(
        state.db.clone(),
        state.keys.clone(),
        webhooks::Sender::new(retry),
    );
    alerts::spawn(state.db.clone(), config.public_origin.clone(), mailer);
    Ok(())
}

/// Every minute (the first tick at start-up): expired sessions, loads whose worker stopped
/// beating, figures whose refresh failed after their load committed, and a fresh signed
/// checkpoint of the audit trail's head in the data folder (so rows cut off the end of the
/// trail are found by `pms-hub audit verify`).
fn spawn_sweeps(state: &AppState, audit_checkpoint: std::path::PathBuf) {
    let db = state.db.clone();
    tokio::spawn(async move {
        let sessions = pms_store::sessions::PgSessionStore::new(db.clone());
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = sessions.delete_expired().await {
                tracing::warn!(error = %e, "cannot sweep expired sessions");
            }
            match pms_ingest::load::job::fail_abandoned_jobs(db.bulk_pool()).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(jobs = n, "ended loads whose worker stopped"),
                Err(e) => tracing::warn!(error = %e, "cannot sweep interrupted loads"),
            }
            // A load whose data committed but whose aggregate refresh failed is retried here.
            match pms_ingest::aggregate::refresh_pending(db.bulk_pool()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(jobs = n, "refreshed the figures of earlier loads"),
                Err(e) => tracing::warn!(error = %e, "cannot refresh pending aggregates"),
            }
            if let Err(e) = crate::commands::audit::refresh_checkpoint(&db, &audit_checkpoint).await
            {
                tracing::warn!(error = %e, "cannot write the audit checkpoint");
            }
        }
    });
}
