//! Ingest-job bookkeeping: every load is a row in `ingest_job` that says where the data came
//! from, how far the load has got (for the live progress on the Ingest page), what it changed,
//! and, when it is rejected, every problem found (`ingest_error`).

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::error::RowError;
use crate::profile::Profile;
use crate::report::ReportKind;

/// At most this many row errors are stored per job (all are counted).
pub const MAX_STORED_ERRORS: usize = 10_000;

/// The phase after the load's transaction committed, while the aggregates are recomputed: a
/// job found silent in it has its data in.
pub const PHASE_REFRESHING: &str = "refreshing aggregates";
/// The phase of a job whose data is in but whose aggregate refresh has not succeeded yet; the
/// next refresh ([`crate::aggregate::refresh_pending`]) settles it.
pub const PHASE_REFRESH_PENDING: &str = "refresh pending";
/// How often a running job records that its worker is alive.
const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    SalesforceApi,
    SalesforceCsv,
    WealthSpectrumFile,
    WealthSpectrumApi,
    Demo,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::SalesforceApi => "salesforce_api",
            Source::SalesforceCsv => "salesforce_csv",
            Source::WealthSpectrumFile => "wealth_spectrum_file",
            Source::WealthSpectrumApi => "wealth_spectrum_api",
            Source::Demo => "demo",
        }
    }
}

/// How a load was started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Upload,
    Cli,
    Watch,
    Schedule,
    Startup,
    Api,
}

impl Trigger {
    pub fn code(self) -> &'static str {
        match self {
            Trigger::Upload => "upload",
            Trigger::Cli => "cli",
            Trigger::Watch => "watch",
            Trigger::Schedule => "schedule",
            Trigger::Startup => "startup",
            Trigger::Api => "api",
        }
    }
}

/// What a job is about, recorded when it is created.
#[derive(Clone, Debug)]
pub struct JobSpec {
    pub source: Source,
    pub report: String,
    pub trigger: Trigger,
    pub file_name: Option<String>,
    pub file_sha256: Option<String>,
    pub file_bytes: Option<i64>,
    pub profile: Option<String>,
    pub requested_by: Option<i64>,
}

impl JobSpec {
    /// A load of a Wealth Spectrum report (a file, or rows fetched from the API); `report` is
    /// `None` while the load has still to recognise it.
    pub fn wealth_spectrum(
        source: Source,
        report: Option<ReportKind>,
        profile: &Profile,
        trigger: Trigger,
        requested_by: Option<i64>,
    ) -> JobSpec {
        JobSpec {
            source,
            report: report.map_or("unknown", ReportKind::code).to_owned(),
            trigger,
            file_name: None,
            file_sha256: None,
            file_bytes: None,
            profile: Some(profile.id()),
            requested_by,
        }
    }

    /// A load of a Salesforce CSV export (Data Loader or report).
    pub fn salesforce_csv(trigger: Trigger, requested_by: Option<i64>) -> JobSpec {
        JobSpec {
            source: Source::SalesforceCsv,
            report: "salesforce".into(),
            trigger,
            file_name: None,
            file_sha256: None,
            file_bytes: None,
            profile: None,
            requested_by,
        }
    }

    /// Names the job's file (`name`, else the file's own name) and records its SHA-256 and
    /// size: `known` when the caller has them (an upload hashes the file as it arrives), else
    /// read from the file on a blocking thread. They stay empty when the file cannot be read:
    /// the load itself then says why.
    pub async fn with_file(
        self,
        path: &Path,
        name: Option<String>,
        known: Option<FileDigest>,
    ) -> JobSpec {
        let file_name = name.or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned()));
        let digest = match known {
            Some(digest) => Some(digest),
            None => {
                let owned = path.to_owned();
                tokio::task::spawn_blocking(move || file_digest(&owned))
                    .await
                    .ok()
                    .and_then(Result::ok)
            }
        };
        let (file_sha256, file_bytes) = match digest {
            Some(FileDigest { sha256, bytes }) => (Some(sha256), Some(bytes)),
            None => (None, None),
        };
        JobSpec {
            file_name,
            file_sha256,
            file_bytes,
            ..self
        }
    }
}

/// A file's SHA-256 (hex) and size in bytes, as its job records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDigest {
    pub sha256: String,
    pub bytes: i64,
}

/// SHA-256 and size of a file, read in 1 MiB blocks.
pub fn file_digest(path: &Path) -> std::io::Result<FileDigest> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0i64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        bytes += n as i64;
        hasher.update(&buf[..n]);
    }
    Ok(FileDigest {
        sha256: hex::encode(hasher.finalize()),
        bytes,
    })
}

/// What a successful merge changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeCounts {
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
}

impl MergeCounts {
    pub fn add(&mut self, other: MergeCounts) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// How a load that wrote its data ended.
#[derive(Clone, Debug)]
pub struct Completion<'a> {
    pub rows_read: u64,
    pub counts: MergeCounts,
    pub as_of: Option<NaiveDate>,
    pub data_version: i64,
    pub message: &'a str,
    /// Whether the aggregates were refreshed (else the job stays in [`PHASE_REFRESH_PENDING`]).
    pub refreshed: bool,
    /// Records left out of a feed, stored like a rejected file's problems.
    pub problems: &'a [RowError],
}

/// A job in progress. Its updates use the pool, not the load's transaction, so progress is
/// visible while the load runs and the outcome is recorded even when the load rolls back.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: i64,
    pool: PgPool,
}

impl Job {
    /// Records a job that waits for a worker (an upload being processed).
    pub async fn queue(pool: &PgPool, spec: &JobSpec) -> Result<Job, sqlx::Error> {
        Self::insert(pool, spec, "queued").await
    }

    /// Records a job that starts now.
    pub async fn start(pool: &PgPool, spec: &JobSpec) -> Result<Job, sqlx::Error> {
        Self::insert(pool, spec, "running").await
    }

    /// Picks up a queued job.
    pub async fn resume(pool: &PgPool, id: i64) -> Result<Job, sqlx::Error> {
        sqlx::query!(
            "UPDATE ingest_job SET status = 'running', started_at = now(), heartbeat_at = now(), phase = 'starting'
             WHERE job_id = $1",
            id
        )
        .execute(pool)
        .await?;
        Ok(Job {
            id,
            pool: pool.clone(),
        })
    }

    async fn insert(pool: &PgPool, spec: &JobSpec, status: &str) -> Result<Job, sqlx::Error> {
        let id = sqlx::query_scalar!(
            "INSERT INTO ingest_job (source, report, trigger, file_name, file_sha256, file_bytes, profile,
                                     requested_by, status, phase, started_at, heartbeat_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $9 = 'running' THEN now() END, now())
             RETURNING job_id",
            spec.source.code(),
            spec.report,
            spec.trigger.code(),
            spec.file_name,
            spec.file_sha256,
            spec.file_bytes,
            spec.profile,
            spec.requested_by,
            status,
            if status == "queued" { "waiting" } else { "starting" }
        )
        .fetch_one(pool)
        .await?;
        Ok(Job {
            id,
            pool: pool.clone(),
        })
    }

    pub async fn progress(
        &self,
        phase: &str,
        rows_read: u64,
        rows_total: Option<u64>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE ingest_job SET phase = $2, rows_read = $3, rows_total = coalesce($4, rows_total), heartbeat_at = now()
             WHERE job_id = $1",
            self.id,
            phase,
            rows_read as i64,
            rows_total.map(|t| t as i64)
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_report(&self, report: &str, profile: Option<&str>) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE ingest_job SET report = $2, profile = coalesce($3, profile) WHERE job_id = $1",
            self.id,
            report,
            profile
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn succeed(
        &self,
        rows_read: u64,
        counts: MergeCounts,
        as_of: Option<NaiveDate>,
        data_version: Option<i64>,
        message: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE ingest_job SET status = 'succeeded', phase = 'done', rows_read = $2, rows_total = $2,
                    rows_inserted = $3, rows_updated = $4, rows_unchanged = $5, as_of = $6, data_version = $7,
                    message = $8, finished_at = now()
             WHERE job_id = $1",
            self.id,
            rows_read as i64,
            counts.inserted,
            counts.updated,
            counts.unchanged,
            as_of,
            data_version,
            message
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a load that wrote its data: its counts, and the problems of records a feed left
    /// out. Without `refreshed` the job says its figures are still to be recomputed.
    pub async fn complete(&self, done: &Completion<'_>) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        store_errors(&mut tx, self.id, done.problems).await?;
        sqlx::query(
            "UPDATE ingest_job SET status = 'succeeded', phase = $2, rows_read = $3, rows_total = $3,
                    rows_inserted = $4, rows_updated = $5, rows_unchanged = $6, as_of = $7, data_version = $8,
                    error_count = $9, message = $10, finished_at = now()
             WHERE job_id = $1",
        )
        .bind(self.id)
        .bind(if done.refreshed {
            "done"
        } else {
            PHASE_REFRESH_PENDING
        })
        .bind(done.rows_read as i64)
        .bind(done.counts.inserted)
        .bind(done.counts.updated)
        .bind(done.counts.unchanged)
        .bind(done.as_of)
        .bind(done.data_version)
        .bind(done.problems.len() as i64)
        .bind(done.message)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Keeps the job's heartbeat going while the returned guard lives, so a long pull or
    /// refresh is not mistaken for a dead worker ([`fail_abandoned_jobs`]).
    pub fn keep_alive(&self) -> KeepAlive {
        let job = self.clone();
        KeepAlive(tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
            loop {
                tick.tick().await;
                if let Err(e) =
                    sqlx::query("UPDATE ingest_job SET heartbeat_at = now() WHERE job_id = $1")
                        .bind(job.id)
                        .execute(&job.pool)
                        .await
                {
                    tracing::warn!(job = job.id, error = %e, "cannot record the job's heartbeat");
                }
            }
        }))
    }

    /// Records a rejected load and its problems (the first [`MAX_STORED_ERRORS`]; all counted).
    pub async fn reject(
        &self,
        rows_read: u64,
        errors: &[RowError],
        error_count: u64,
        message: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        store_errors(&mut tx, self.id, errors).await?;
        sqlx::query!(
            "UPDATE ingest_job SET status = 'rejected', phase = 'rejected', rows_read = $2, error_count = $3,
                    message = $4, finished_at = now()
             WHERE job_id = $1",
            self.id,
            rows_read as i64,
            error_count as i64,
            message
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Records a load that could not run to the end (nothing was written).
    pub async fn fail(&self, message: &str) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE ingest_job SET status = 'failed', phase = 'failed', message = $2, finished_at = now() WHERE job_id = $1",
            self.id,
            message
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Stops a job's heartbeat when dropped.
#[derive(Debug)]
pub struct KeepAlive(tokio::task::JoinHandle<()>);

impl Drop for KeepAlive {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Stores a job's row problems (the first [`MAX_STORED_ERRORS`]).
async fn store_errors(
    conn: &mut sqlx::PgConnection,
    job_id: i64,
    errors: &[RowError],
) -> Result<(), sqlx::Error> {
    let stored = &errors[..errors.len().min(MAX_STORED_ERRORS)];
    if stored.is_empty() {
        return Ok(());
    }
    let seqs: Vec<i32> = (1..=stored.len() as i32).collect();
    let lines: Vec<Option<i64>> = stored.iter().map(|e| e.line.map(|l| l as i64)).collect();
    let columns: Vec<Option<String>> = stored.iter().map(|e| e.column.clone()).collect();
    let values: Vec<Option<String>> = stored.iter().map(|e| e.value.clone()).collect();
    let reasons: Vec<String> = stored.iter().map(|e| e.reason.clone()).collect();
    sqlx::query(
        "INSERT INTO ingest_error (job_id, seq, line, column_name, value, reason)
         SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[])",
    )
    .bind(job_id)
    .bind(&seqs)
    .bind(&lines)
    .bind(&columns)
    .bind(&values)
    .bind(&reasons)
    .execute(conn)
    .await?;
    Ok(())
}

/// How long a worker may be silent before its job counts as interrupted.
pub const HEARTBEAT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// Ends every job whose worker stopped beating for [`HEARTBEAT_TIMEOUT`] (its process died):
/// a job whose data had committed (silent while refreshing aggregates) is recorded as loaded
/// with its refresh pending, any other as failed with a message that says what to do. Run it at
/// start-up and periodically; safe with several servers, because a live worker beats every
/// few seconds.
pub async fn fail_abandoned_jobs(pool: &PgPool) -> Result<u64, sqlx::Error> {
    fail_silent_for(pool, HEARTBEAT_TIMEOUT).await
}

/// [`fail_abandoned_jobs`] with an explicit silence (tests use a short one).
pub async fn fail_silent_for(
    pool: &PgPool,
    silence: std::time::Duration,
) -> Result<u64, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE ingest_job SET finished_at = now(),
                status = CASE WHEN phase = $2 THEN 'succeeded' ELSE 'failed' END,
                phase = CASE WHEN phase = $2 THEN $3 ELSE 'failed' END,
                message = CASE
                    WHEN phase = $2 THEN
                        'loaded; the process stopped while the dashboard figures were being refreshed: '
                        || 'they are recomputed by the next refresh.'
                    WHEN source = 'salesforce_api' THEN
                        'interrupted: the process stopped during the sync; nothing was loaded. '
                        || 'The next sync starts from the same point.'
                    ELSE 'interrupted: the server stopped during the load; nothing was written. Load the file again.'
                END
         WHERE status IN ('running', 'queued')
           AND coalesce(heartbeat_at, created_at) < now() - make_interval(secs => $1)",
    )
    .bind(silence.as_secs_f64())
    .bind(PHASE_REFRESHING)
    .bind(PHASE_REFRESH_PENDING)
    .execute(pool)
    .await?;
    Ok(res.rows_affected())
}

/// Jobs waiting for their figures ([`PHASE_REFRESH_PENDING`]) are done once no portfolio is
/// marked: their marks were visible to this statement's snapshot if their job was, so none is
/// left means all are recomputed. Called at the end of every aggregate refresh.
pub(crate) async fn settle_refresh_pending(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ingest_job SET phase = 'done',
                message = concat_ws(' ', message, 'Figures refreshed at ' || to_char(now(), 'YYYY-MM-DD HH24:MI:SS TZ') || '.')
         WHERE status = 'succeeded' AND phase = $1 AND NOT EXISTS (SELECT 1 FROM agg_dirty_portfolio)",
    )
    .bind(PHASE_REFRESH_PENDING)
    .execute(pool)
    .await?;
    Ok(())
}
