//! Scheduled syncs: the Salesforce pull (`PMS_SF_SYNC_CRON`) and the Wealth Spectrum API pull
//! (`PMS_WS_SYNC_CRON`), cron expressions with seconds, in UTC (see `.env.example` for the
//! India Standard Time equivalents).
//!
//! With several servers, each fires at the scheduled time but only one runs the sync: it must
//! take a PostgreSQL advisory lock for that schedule, and a slot some server already ran (a
//! job with trigger `schedule` created since the slot) is not run again, so a server whose
//! clock lags does not repeat the sync after the first one released the lock.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use cron::Schedule;
use pms_ingest::load::salesforce::{self, SfLoadRequest};
use pms_ingest::load::wealth_spectrum_api::{self, LOAD_ORDER};
use pms_ingest::load::{today_ist, LoadOutcome, Source, Trigger};
use pms_ingest::profile::Profile;
use pms_ingest::source::salesforce::SalesforceConfig;
use pms_ingest::source::wealth_spectrum::api::WsApiConfig;
use pms_store::Db;

/// "PMSSFSYN": only one server runs a scheduled Salesforce sync.
const SALESFORCE_LOCK: i64 = 0x504D_5353_4653_594E;
/// "PMSWSSYN": only one server runs a scheduled Wealth Spectrum sync.
const WEALTH_SPECTRUM_LOCK: i64 = 0x504D_5357_5353_594E;

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error(
        "{name}={value:?} is not a valid cron expression ({reason}). Write six fields — seconds minutes hours \
         day-of-month month day-of-week — in UTC, e.g. \"0 30 20 * * *\" for 02:00 IST every day"
    )]
    BadCron {
        name: &'static str,
        value: String,
        reason: String,
    },
    #[error("{name} is set but {what} is not configured: {hint}")]
    NotConfigured {
        name: &'static str,
        what: &'static str,
        hint: String,
    },
}

/// What a schedule runs.
#[derive(Clone)]
pub enum SyncTarget {
    Salesforce(SalesforceConfig),
    WealthSpectrum(WsApiConfig),
}

impl SyncTarget {
    fn name(&self) -> &'static str {
        match self {
            SyncTarget::Salesforce(_) => "Salesforce sync",
            SyncTarget::WealthSpectrum(_) => "Wealth Spectrum API sync",
        }
    }

    fn lock(&self) -> i64 {
        match self {
            SyncTarget::Salesforce(_) => SALESFORCE_LOCK,
            SyncTarget::WealthSpectrum(_) => WEALTH_SPECTRUM_LOCK,
        }
    }

    fn source(&self) -> Source {
        match self {
            SyncTarget::Salesforce(_) => Source::SalesforceApi,
            SyncTarget::WealthSpectrum(_) => Source::WealthSpectrumApi,
        }
    }
}

/// A parsed schedule and what it runs.
#[derive(Clone)]
pub struct SyncSchedule {
    pub schedule: Schedule,
    pub target: SyncTarget,
}

/// Parses a cron expression, naming the variable in the error.
pub fn parse_cron(name: &'static str, value: &str) -> Result<Schedule, ScheduleError> {
    let trimmed = value.trim();
    let fields = trimmed.split_whitespace().count();
    if fields == 5 {
        return Err(ScheduleError::BadCron {
            name,
            value: value.to_owned(),
            reason: "it has 5 fields; the seconds field comes first".into(),
        });
    }
    Schedule::from_str(trimmed).map_err(|e| ScheduleError::BadCron {
        name,
        value: value.to_owned(),
        reason: e.to_string(),
    })
}

/// The configured schedules, checked: every cron expression parses and the source each one
/// pulls from is configured. Called at start-up, so a mistake stops the server with a clear
/// message instead of silently never syncing.
pub fn from_config(
    salesforce_cron: Option<&str>,
    wealth_spectrum_cron: Option<&str>,
) -> Result<Vec<SyncSchedule>, ScheduleError> {
    let mut schedules = Vec::new();
    if let Some(text) = salesforce_cron.filter(|t| !t.trim().is_empty()) {
        let schedule = parse_cron("PMS_SF_SYNC_CRON", text)?;
        let config = SalesforceConfig::from_env()
            .map_err(|e| ScheduleError::NotConfigured {
                name: "PMS_SF_SYNC_CRON",
                what: "Salesforce",
                hint: e.to_string(),
            })?
            .ok_or_else(|| ScheduleError::NotConfigured {
                name: "PMS_SF_SYNC_CRON",
                what: "Salesforce",
                hint: "set PMS_SF_CLIENT_ID and either PMS_SF_USERNAME with PMS_SF_PRIVATE_KEY_FILE or PMS_SF_CLIENT_SECRET".into(),
            })?;
        schedules.push(SyncSchedule {
            schedule,
            target: SyncTarget::Salesforce(config),
        });
    }
    if let Some(text) = wealth_spectrum_cron.filter(|t| !t.trim().is_empty()) {
        let schedule = parse_cron("PMS_WS_SYNC_CRON", text)?;
        let config = WsApiConfig::from_env()
            .map_err(|e| ScheduleError::NotConfigured {
                name: "PMS_WS_SYNC_CRON",
                what: "the Wealth Spectrum API",
                hint: e.to_string(),
            })?
            .ok_or_else(|| ScheduleError::NotConfigured {
                name: "PMS_WS_SYNC_CRON",
                what: "the Wealth Spectrum API",
                hint: "set PMS_WS_API_URL and PMS_WS_API_KEY".into(),
            })?;
        schedules.push(SyncSchedule {
            schedule,
            target: SyncTarget::WealthSpectrum(config),
        });
    }
    Ok(schedules)
}

/// Runs each schedule in its own task until the process ends.
pub fn spawn(db: Db, profile: Profile, schedules: Vec<SyncSchedule>) {
    for sync in schedules {
        let db = db.clone();
        let profile = profile.clone();
        tracing::info!(
            sync = sync.target.name(),
            cron = sync.schedule.source(),
            "scheduled (UTC)"
        );
        tokio::spawn(async move {
            loop {
                let Some(slot) = sync.schedule.upcoming(Utc).next() else {
                    tracing::warn!(
                        sync = sync.target.name(),
                        "the schedule has no further times; it will not run again"
                    );
                    return;
                };
                let wait = (slot - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                tokio::time::sleep(wait).await;
                run_slot(&db, &profile, &sync, slot).await;
                // Never fire twice for one slot, even if the sync took no time at all.
                let left = (slot - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                tokio::time::sleep(left + Duration::from_millis(1000)).await;
            }
        });
    }
}

/// How far before a slot a job still counts as that slot's (clock differences between
/// servers): at most a minute, and less than half the gap to the next slot.
fn slot_tolerance(schedule: &Schedule, slot: DateTime<Utc>) -> chrono::Duration {
    let minute = chrono::Duration::seconds(60);
    match schedule.after(&slot).next() {
        Some(next) => ((next - slot) / 2).min(minute),
        None => minute,
    }
}

async fn run_slot(db: &Db, profile: &Profile, sync: &SyncSchedule, slot: DateTime<Utc>) {
    let name = sync.target.name();
    let lock = match db.try_advisory_lock(sync.target.lock()).await {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            tracing::info!(sync = name, "another server is running this sync");
            return;
        }
        Err(e) => {
            tracing::error!(sync = name, error = %e, "cannot take the schedule lock; skipping this run");
            return;
        }
    };
    let since = slot - slot_tolerance(&sync.schedule, slot);
    match db
        .scheduled_job_since(sync.target.source().code(), since)
        .await
    {
        Ok(true) => {
            tracing::info!(sync = name, "another server already ran this slot");
            return;
        }
        Ok(false) => {}
        Err(e) => {
            tracing::error!(sync = name, error = %e, "cannot check earlier runs; skipping this run");
            return;
        }
    }
    tracing::info!(sync = name, "scheduled sync starting");
    let outcomes = match &sync.target {
        SyncTarget::Salesforce(config) => {
            let request = SfLoadRequest {
                trigger: Trigger::Schedule,
                requested_by: None,
            };
            salesforce::sync(db.bulk_pool(), config.clone(), &request)
                .await
                .map(|o| vec![o])
        }
        SyncTarget::WealthSpectrum(config) => {
            let reports: Vec<String> = LOAD_ORDER.iter().map(|r| r.code().to_owned()).collect();
            // Overlap by a day: loads are upserts, so re-reading a day costs nothing.
            let since = match db.wealth_spectrum_api_since(&reports).await {
                Ok(since) => since.map(|at| {
                    at.with_timezone(&pms_domain::time::IST).date_naive() - chrono::Days::new(1)
                }),
                Err(e) => {
                    tracing::warn!(sync = name, error = %e, "cannot read the last pull; pulling everything");
                    None
                }
            };
            wealth_spectrum_api::sync(
                db.bulk_pool(),
                config,
                profile,
                since,
                Trigger::Schedule,
                None,
                today_ist(),
            )
            .await
        }
    };
    drop(lock);
    match outcomes {
        Ok(outcomes) => {
            for outcome in &outcomes {
                match outcome {
                    LoadOutcome::Succeeded { job_id, rows, .. } => {
                        tracing::info!(sync = name, job = job_id, rows, "scheduled load succeeded")
                    }
                    LoadOutcome::Rejected {
                        job_id,
                        error_count,
                        ..
                    } => {
                        tracing::warn!(
                            sync = name,
                            job = job_id,
                            error_count,
                            "scheduled load rejected"
                        )
                    }
                    LoadOutcome::Failed { job_id, message } => {
                        tracing::error!(sync = name, job = job_id, %message, "scheduled load failed")
                    }
                }
            }
        }
        Err(e) => tracing::error!(sync = name, error = %e, "scheduled sync could not run"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_text_is_checked_with_a_useful_message() {
        assert!(parse_cron("PMS_SF_SYNC_CRON", "0 30 20 * * *").is_ok());
        assert!(parse_cron("PMS_SF_SYNC_CRON", "0 0 */6 * * Mon-Fri").is_ok());
        // The examples in .env.example.
        for example in [
            "0 30 20 * * *",
            "0 0 1 * * Mon-Fri",
            "0 0 3/4 * * *",
            "0 0 21 * * *",
        ] {
            assert!(parse_cron("PMS_WS_SYNC_CRON", example).is_ok(), "{example}");
        }
        let five = parse_cron("PMS_SF_SYNC_CRON", "30 20 * * *")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(five.contains("seconds field comes first"), "{five}");
        let nonsense = parse_cron("PMS_WS_SYNC_CRON", "every night")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            nonsense.starts_with("PMS_WS_SYNC_CRON=\"every night\" is not a valid cron expression"),
            "{nonsense}"
        );
    }

    #[test]
    fn a_slot_tolerates_at_most_a_minute_or_half_the_period() {
        let daily = parse_cron("X", "0 30 20 * * *").expect("cron");
        let slot = daily.upcoming(Utc).next().expect("slot");
        assert_eq!(slot_tolerance(&daily, slot), chrono::Duration::seconds(60));
        let every_ten = parse_cron("X", "*/10 * * * * *").expect("cron");
        let slot = every_ten.upcoming(Utc).next().expect("slot");
        assert_eq!(
            slot_tolerance(&every_ten, slot),
            chrono::Duration::seconds(5)
        );
    }

    #[test]
    fn a_schedule_without_its_source_configured_is_refused() {
        // The test environment configures neither source.
        if std::env::var("PMS_SF_CLIENT_ID").is_err() {
            let err = from_config(Some("0 30 20 * * *"), None)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("Salesforce is not configured"), "{err}");
        }
        assert!(from_config(None, Some("bad")).is_err());
        assert!(from_config(None, None)
            .map(|s| s.is_empty())
            .unwrap_or(false));
    }
}
