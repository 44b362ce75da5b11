//! Loading one Wealth Spectrum report file, start to finish.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{Acquire, PgPool};

use crate::error::RowError;
use crate::load::direct::DirectLayout;
use crate::load::job::{Job, JobSpec, MergeCounts, Source, Trigger};
use crate::load::staging::CopyTarget;
use crate::load::{checks, lock_loads, merge, staging, LoadError};
use crate::profile::Profile;
use crate::report::ReportKind;
use crate::source::wealth_spectrum::table::Table;
use crate::validate::{detect_report, ColumnMap};

/// Where a report's rows come from.
pub enum Input {
    /// A CSV or spreadsheet file.
    File(PathBuf),
    /// Rows already fetched (the Wealth Spectrum API), with a name for the job log.
    Fetched { table: Table, name: String },
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::File(path) => write!(f, "File({})", path.display()),
            Input::Fetched { name, .. } => write!(f, "Fetched({name})"),
        }
    }
}

/// A request to load a report: a file of known path, or rows fetched from the API. Files from
/// uploads, the drop folder and the command line go through [`crate::load::load`], which
/// also handles Salesforce exports.
#[derive(Debug)]
pub struct FileLoad {
    pub input: Input,
    /// The name to record (an upload's original name); defaults to the path's file name.
    pub display_name: Option<String>,
    /// The report, if known; otherwise recognised from the profile's file patterns or the headers.
    pub report: Option<ReportKind>,
    pub profile: Profile,
    pub trigger: Trigger,
    pub requested_by: Option<i64>,
    /// Dates after this are refused as "in the future".
    pub today: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoadOutcome {
    /// `report` is the report's code (`transactions`, …) or `salesforce`.
    Succeeded {
        job_id: i64,
        report: String,
        rows: u64,
        counts: MergeCounts,
        as_of: Option<NaiveDate>,
        seconds: f64,
    },
    Rejected {
        job_id: i64,
        rows: u64,
        error_count: u64,
        first_errors: Vec<RowError>,
    },
    Failed {
        job_id: i64,
        message: String,
    },
}

impl LoadOutcome {
    pub fn job_id(&self) -> i64 {
        match self {
            LoadOutcome::Succeeded { job_id, .. }
            | LoadOutcome::Rejected { job_id, .. }
            | LoadOutcome::Failed { job_id, .. } => *job_id,
        }
    }
}

enum Stage {
    Done {
        report: ReportKind,
        rows: u64,
        counts: MergeCounts,
        note: String,
        as_of: Option<NaiveDate>,
        /// The store version the load produced; `None` when it changed nothing (no rows).
        version: Option<i64>,
    },
    Rejected {
        rows: u64,
        errors: Vec<RowError>,
        error_count: u64,
    },
}

/// Loads a report as one ingest job and refreshes the aggregates it affects.
pub async fn load_file(pool: &PgPool, request: FileLoad) -> Result<LoadOutcome, LoadError> {
    let FileLoad {
        input,
        display_name,
        report,
        profile,
        trigger,
        requested_by,
        today,
    } = request;
    // Owned copies: `Input` is not `Sync`, so no borrow of it may live across an await.
    let (source, path, fetched_name) = match &input {
        Input::File(path) => (Source::WealthSpectrumFile, Some(path.clone()), None),
        Input::Fetched { name, .. } => (Source::WealthSpectrumApi, None, Some(name.clone())),
    };
    let spec = JobSpec::wealth_spectrum(source, report, &profile, trigger, requested_by);
    let spec = match path {
        Some(path) => spec.with_file(&path, display_name, None).await,
        None => JobSpec {
            file_name: fetched_name,
            ..spec
        },
    };
    let job = Job::start(pool, &spec).await?;
    load_report(
        pool,
        &job,
        ReportLoad {
            input,
            report,
            profile,
            today,
        },
    )
    .await
}

/// What reading and merging a report needs once its job is recorded.
pub(crate) struct ReportLoad {
    pub input: Input,
    /// The report, if known; otherwise recognised from the profile's file patterns or the headers.
    pub report: Option<ReportKind>,
    pub profile: Profile,
    /// Dates after this are refused as "in the future".
    pub today: NaiveDate,
}

/// Loads a report under a job already recorded, and records how the load ended.
pub(crate) async fn load_report(
    pool: &PgPool,
    job: &Job,
    load: ReportLoad,
) -> Result<LoadOutcome, LoadError> {
    let started = Instant::now();
    let rows_read = Arc::new(AtomicU64::new(0));
    let phase: Arc<Phase> = Arc::new(std::sync::Mutex::new(("reading", Instant::now())));
    let heartbeat = spawn_heartbeat(job.clone(), rows_read.clone(), phase.clone());
    let outcome = stage_and_merge(pool, job, load, rows_read.clone(), phase.clone()).await;
    heartbeat.abort();

    match outcome {
        Ok(Stage::Done {
            report,
            rows,
            counts,
            note,
            as_of,
            version,
        }) => {
            set_phase(&phase, "refreshing aggregates");
            job.progress("refreshing aggregates", rows, Some(rows))
                .await?;
            // A load that changed nothing (no rows) leaves the aggregates, and their refresh
            // times, alone.
            let refresh = match version {
                Some(_) => Some(crate::aggregate::refresh_dirty(pool).await),
                None => None,
            };
            let refreshed = match &refresh {
                Some(Ok(n)) => *n,
                _ => 0,
            };
            let mut message = format!(
                "{} rows: {} new, {} changed, {} unchanged; {refreshed} portfolios recomputed",
                rows, counts.inserted, counts.updated, counts.unchanged
            );
            if !note.is_empty() {
                message.push_str("; ");
                message.push_str(&note);
            }
            match (version, refresh) {
                // The data is in: say so, and leave the figures to the next refresh (the
                // server's sweep retries it), rather than calling the load failed.
                (Some(data_version), Some(Err(e))) => {
                    message.push_str(&format!(
                        "; loaded, but the dashboard figures are not refreshed yet ({e}): the next refresh recomputes them"
                    ));
                    job.complete(&super::job::Completion {
                        rows_read: rows,
                        counts,
                        as_of,
                        data_version,
                        message: &message,
                        refreshed: false,
                        problems: &[],
                    })
                    .await?;
                }
                _ => job.succeed(rows, counts, as_of, version, &message).await?,
            }
            tracing::info!(
                job = job.id,
                report = report.code(),
                rows,
                ?counts,
                "load succeeded"
            );
            Ok(LoadOutcome::Succeeded {
                job_id: job.id,
                report: report.code().to_owned(),
                rows,
                counts,
                as_of,
                seconds: started.elapsed().as_secs_f64(),
            })
        }
        Ok(Stage::Rejected {
            rows,
            errors,
            error_count,
        }) => {
            let message = format!(
                "rejected: {error_count} problem{} found; nothing was loaded. Correct the file and load it again.",
                if error_count == 1 { "" } else { "s" }
            );
            job.reject(rows, &errors, error_count, &message).await?;
            tracing::warn!(job = job.id, error_count, "load rejected");
            Ok(LoadOutcome::Rejected {
                job_id: job.id,
                rows,
                error_count,
                first_errors: errors.into_iter().take(20).collect(),
            })
        }
        Err(e) => {
            let message = format!("failed: {e}. Nothing was loaded.");
            job.fail(&message).await?;
            tracing::error!(job = job.id, error = %e, "load failed");
            Ok(LoadOutcome::Failed {
                job_id: job.id,
                message,
            })
        }
    }
}

/// The current phase of a load and when it began.
type Phase = std::sync::Mutex<(&'static str, Instant)>;

/// Moves to the next phase, logging how long the previous one took (where a slow load spends
/// its time is the first thing an operator asks).
fn set_phase(phase: &Phase, value: &'static str) {
    if let Ok(mut p) = phase.lock() {
        tracing::info!(
            phase = p.0,
            seconds = format!("{:.2}", p.1.elapsed().as_secs_f64()),
            "load phase done"
        );
        *p = (value, Instant::now());
    }
}

/// Every second: the rows read so far and the phase, so the Ingest page shows live progress
/// and a dead worker is recognisable by its silence.
fn spawn_heartbeat(
    job: Job,
    rows: Arc<AtomicU64>,
    phase: Arc<Phase>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            let current = phase.lock().map(|p| p.0).unwrap_or("working");
            if let Err(e) = job
                .progress(current, rows.load(Ordering::Relaxed), None)
                .await
            {
                tracing::warn!(job = job.id, error = %e, "cannot record load progress");
            }
        }
    })
}

async fn stage_and_merge(
    pool: &PgPool,
    job: &Job,
    load: ReportLoad,
    rows_read: Arc<AtomicU64>,
    phase: Arc<Phase>,
) -> Result<Stage, LoadError> {
    let ReportLoad {
        input,
        report: requested,
        profile,
        today,
    } = load;
    let profile = &profile;
    let rejected = |errors: Vec<RowError>| Stage::Rejected {
        rows: 0,
        error_count: errors.len() as u64,
        errors,
    };
    let (table, hinted) = match input {
        Input::File(path) => {
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let hinted = requested.or_else(|| profile.report_for_file_name(&file_name));
            match Table::open(&path, hinted.and_then(|r| profile.sheet(r))) {
                Ok(t) => (t, hinted),
                Err(e) => return Ok(rejected(vec![e])),
            }
        }
        Input::Fetched { table, .. } => (table, requested),
    };
    let report = match hinted {
        Some(r) => r,
        None => match detect_report(table.headers(), profile) {
            Ok(r) => r,
            Err(e) => return Ok(rejected(vec![e])),
        },
    };
    job.set_report(report.code(), Some(&profile.id())).await?;
    let map = match ColumnMap::resolve(report, table.headers(), profile) {
        Ok(m) => m,
        Err(errors) => return Ok(rejected(errors)),
    };

    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    set_phase(&phase, "waiting for another load to finish");
    lock_loads(&mut tx).await?;
    set_phase(&phase, "reading and validating");
    let direct = match DirectLayout::for_report(report) {
        Some(layout) if layout.target_is_empty(&mut tx).await? => Some(layout),
        _ => None,
    };
    let (target, rebuild) = match direct {
        Some(layout) => {
            let rebuild = layout.drop_indexes(&mut tx).await?;
            let target = CopyTarget::Store {
                layout,
                job: job.id.to_string(),
            };
            (target, Some(rebuild))
        }
        None => {
            staging::create(&mut tx, report).await?;
            (CopyTarget::Staging, None)
        }
    };
    let checks = crate::load::refs::RowChecks::load(&mut tx, &map).await?;
    let mut staged = staging::copy_file(
        &mut tx,
        table,
        map.clone(),
        profile.clone(),
        today,
        rows_read,
        checks,
        target,
    )
    .await?;
    set_phase(&phase, "checking the file as a whole");
    staged.push_errors(checks::run(&mut tx, &map).await?);
    if staged.error_count > 0 {
        tx.rollback().await?;
        return Ok(Stage::Rejected {
            rows: staged.rows_read,
            errors: staged.errors,
            error_count: staged.error_count,
        });
    }
    if staged.rows_read == 0 {
        // A header and no rows: an export of a day with nothing to report (no trades on a
        // holiday). It succeeds and changes nothing, not even the store's version.
        tx.rollback().await?;
        return Ok(Stage::Done {
            report,
            rows: 0,
            counts: MergeCounts::default(),
            note: "the file has a header and no rows: nothing was changed".into(),
            as_of: None,
            version: None,
        });
    }
    let (counts, note) = if let Some(rebuild) = rebuild {
        set_phase(&phase, "building indexes");
        rebuild.run(&mut tx).await?;
        merge::mark_loaded(&mut tx, report, &staged.portfolios).await?;
        let inserted = staged.rows_read as i64;
        (
            MergeCounts {
                inserted,
                ..Default::default()
            },
            String::new(),
        )
    } else {
        set_phase(&phase, "merging into the store");
        merge::merge(&mut tx, report, job.id, staged.rows_read as i64).await?
    };
    let version: i64 = sqlx::query_scalar("SELECT nextval('data_version_seq')")
        .fetch_one(&mut *tx)
        .await?;
    set_phase(&phase, "committing");
    tx.commit().await?;
    Ok(Stage::Done {
        report,
        rows: staged.rows_read,
        counts,
        note,
        as_of: staged.as_of,
        version: Some(version),
    })
}
