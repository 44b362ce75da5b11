//! Ingest-job bookkeeping: every load is a row in `ingest_job` that says where the data came
//! from, how far the load has got (for the live progress on the Ingest page), what it changed,
//! and, when it is rejected, every problem found (`ingest_error`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::error::RowError;

/// At most this many row errors are stored per job (all are counted).
pub const MAX_STORED_ERRORS: usize = 10_000;

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
        data_version: i64,
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

    /// Records a rejected load and its problems (the first [`MAX_STORED_ERRORS`]; all counted).
    pub async fn reject(
        &self,
        rows_read: u64,
        errors: &[RowError],
        error_count: u64,
        message: &str,
    ) -> Result<(), sqlx::Error> {
        let stored = &errors[..errors.len().min(MAX_STORED_ERRORS)];
        let mut tx = self.pool.begin().await?;
        let seqs: Vec<i32> = (1..=stored.len() as i32).collect();
        let lines: Vec<Option<i64>> = stored.iter().map(|e| e.line.map(|l| l as i64)).collect();
        let columns: Vec<Option<String>> = stored.iter().map(|e| e.column.clone()).collect();
        let values: Vec<Option<String>> = stored.iter().map(|e| e.value.clone()).collect();
        let reasons: Vec<String> = stored.iter().map(|e| e.reason.clone()).collect();
        sqlx::query!(
            "INSERT INTO ingest_error (job_id, seq, line, column_name, value, reason)
             SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[])",
            self.id,
            &seqs,
            &lines as &[Option<i64>],
            &columns as &[Option<String>],
            &values as &[Option<String>],
            &reasons
        )
        .execute(&mut *tx)
        .await?;
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

/// How long a worker may be silent before its job counts as interrupted.
pub const HEARTBEAT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// Marks jobs whose worker stopped beating for `HEARTBEAT_TIMEOUT` (the process died mid-load)
/// as failed. Safe with several servers: a live worker refreshes its heartbeat every second.
pub async fn fail_interrupted(pool: &PgPool) -> Result<u64, sqlx::Error> {
    fail_silent_for(pool, HEARTBEAT_TIMEOUT).await
}

/// [`fail_interrupted`] with an explicit silence (tests use a short one).
pub async fn fail_silent_for(
    pool: &PgPool,
    silence: std::time::Duration,
) -> Result<u64, sqlx::Error> {
    let res = sqlx::query!(
        "UPDATE ingest_job SET status = 'failed', phase = 'failed', finished_at = now(),
                message = 'interrupted: the server stopped during the load; nothing was written. Load the file again.'
         WHERE status IN ('running', 'queued')
           AND coalesce(heartbeat_at, created_at) < now() - make_interval(secs => $1)",
        silence.as_secs_f64()
    )
    .execute(pool)
    .await?;
    Ok(res.rows_affected())
}
