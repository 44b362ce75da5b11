//! Reading the ingest job log for the Ingest page, the errors download and the background
//! loaders (the job rows themselves are written by `pms-ingest` as a load runs), and the
//! advisory locks that let one server of several run a scheduled sync.

use chrono::{DateTime, NaiveDate, Utc};
use pms_domain::clients::Page;
use pms_domain::ingest::{IngestErrorView, IngestJobList, IngestJobView, JobStatus};
use sqlx::pool::PoolConnection;
use sqlx::Postgres;

use crate::error::StoreResult;
use crate::Db;

struct JobRow {
    job_id: i64,
    source: String,
    report: String,
    trigger: String,
    file_name: Option<String>,
    file_bytes: Option<i64>,
    requested_by: Option<String>,
    status: String,
    phase: Option<String>,
    rows_read: i64,
    rows_total: Option<i64>,
    rows_inserted: i64,
    rows_updated: i64,
    rows_unchanged: i64,
    error_count: i64,
    as_of: Option<NaiveDate>,
    data_version: Option<i64>,
    message: Option<String>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    seconds: Option<f64>,
}

impl From<JobRow> for IngestJobView {
    fn from(r: JobRow) -> Self {
        IngestJobView {
            job_id: r.job_id,
            source: r.source,
            report: r.report,
            trigger: r.trigger,
            file_name: r.file_name,
            file_bytes: r.file_bytes,
            requested_by: r.requested_by,
            status: JobStatus::from_code(&r.status),
            phase: r.phase,
            rows_read: r.rows_read,
            rows_total: r.rows_total,
            rows_inserted: r.rows_inserted,
            rows_updated: r.rows_updated,
            rows_unchanged: r.rows_unchanged,
            error_count: r.error_count,
            as_of: r.as_of,
            data_version: r.data_version,
            message: r.message,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            seconds: r.seconds,
        }
    }
}

/// A session-level PostgreSQL advisory lock, held on its own connection. The connection is
/// closed (not returned to the pool) when this is dropped, which releases the lock even if the
/// holder panics, so a pooled connection can never keep a lock by accident.
pub struct AdvisoryLock {
    _conn: PoolConnection<Postgres>,
}

impl Db {
    /// The newest jobs first, `page` counted from 1.
    pub async fn ingest_jobs(&self, page: u32, page_size: u32) -> StoreResult<IngestJobList> {
        let page = page.max(1);
        let size = page_size.clamp(1, 200);
        let rows = sqlx::query_as!(
            JobRow,
            r#"SELECT j.job_id, j.source, j.report, j.trigger, j.file_name, j.file_bytes,
                      u.email AS "requested_by?", j.status, j.phase, j.rows_read, j.rows_total,
                      j.rows_inserted, j.rows_updated, j.rows_unchanged, j.error_count, j.as_of,
                      j.data_version, j.message, j.created_at, j.started_at, j.finished_at,
                      extract(epoch FROM coalesce(j.finished_at, now()) - j.started_at)::float8 AS "seconds"
               FROM ingest_job j LEFT JOIN app_user u ON u.user_id = j.requested_by
               ORDER BY j.job_id DESC
               LIMIT $1 OFFSET $2"#,
            i64::from(size),
            i64::from(page - 1) * i64::from(size)
        )
        .fetch_all(self.pool())
        .await?;
        let totals = sqlx::query!(
            r#"SELECT count(*) AS "total!",
                      count(*) FILTER (WHERE status IN ('queued', 'running')) > 0 AS "any_active!"
               FROM ingest_job"#
        )
        .fetch_one(self.pool())
        .await?;
        Ok(IngestJobList {
            jobs: Page {
                items: rows.into_iter().map(IngestJobView::from).collect(),
                total: totals.total,
                page,
                page_size: size,
                next_cursor: None,
            },
            any_active: totals.any_active,
        })
    }

    /// One job, if it exists.
    pub async fn ingest_job(&self, job_id: i64) -> StoreResult<Option<IngestJobView>> {
        let row = sqlx::query_as!(
            JobRow,
            r#"SELECT j.job_id, j.source, j.report, j.trigger, j.file_name, j.file_bytes,
                      u.email AS "requested_by?", j.status, j.phase, j.rows_read, j.rows_total,
                      j.rows_inserted, j.rows_updated, j.rows_unchanged, j.error_count, j.as_of,
                      j.data_version, j.message, j.created_at, j.started_at, j.finished_at,
                      extract(epoch FROM coalesce(j.finished_at, now()) - j.started_at)::float8 AS "seconds"
               FROM ingest_job j LEFT JOIN app_user u ON u.user_id = j.requested_by
               WHERE j.job_id = $1"#,
            job_id
        )
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(IngestJobView::from))
    }

    /// A page of a job's stored row errors, in the order they were found.
    pub async fn ingest_errors(
        &self,
        job_id: i64,
        page: u32,
        page_size: u32,
    ) -> StoreResult<Page<IngestErrorView>> {
        let page = page.max(1);
        let size = page_size.clamp(1, 1000);
        let items = sqlx::query_as!(
            IngestErrorView,
            r#"SELECT seq, line, column_name AS "column", value, reason
               FROM ingest_error WHERE job_id = $1
               ORDER BY seq LIMIT $2 OFFSET $3"#,
            job_id,
            i64::from(size),
            i64::from(page - 1) * i64::from(size)
        )
        .fetch_all(self.pool())
        .await?;
        let total = sqlx::query_scalar!(
            r#"SELECT count(*) AS "total!" FROM ingest_error WHERE job_id = $1"#,
            job_id
        )
        .fetch_one(self.pool())
        .await?;
        Ok(Page {
            items,
            total,
            page,
            page_size: size,
            next_cursor: None,
        })
    }

    /// Every stored row error of a job (at most the loader's cap, 10,000), for a download.
    pub async fn all_ingest_errors(&self, job_id: i64) -> StoreResult<Vec<IngestErrorView>> {
        Ok(sqlx::query_as!(
            IngestErrorView,
            r#"SELECT seq, line, column_name AS "column", value, reason
               FROM ingest_error WHERE job_id = $1 ORDER BY seq"#,
            job_id
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Whether a scheduled job from `source` was created at or after `since` (by any server):
    /// a scheduled slot already taken is not run again.
    pub async fn scheduled_job_since(
        &self,
        source: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<bool> {
        Ok(sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM ingest_job
                              WHERE trigger = 'schedule' AND source = $1 AND created_at >= $2) AS "exists!""#,
            source,
            since
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// Where an incremental Wealth Spectrum API pull starts: the earliest of the last
    /// successful pulls of each report, or `None` (a full pull) while any report has never
    /// been pulled.
    pub async fn wealth_spectrum_api_since(
        &self,
        reports: &[String],
    ) -> StoreResult<Option<DateTime<Utc>>> {
        Ok(sqlx::query_scalar!(
            r#"SELECT CASE WHEN bool_and(last IS NOT NULL) THEN min(last) END AS "since"
               FROM (SELECT (SELECT max(j.started_at) FROM ingest_job j
                             WHERE j.source = 'wealth_spectrum_api' AND j.status = 'succeeded'
                               AND j.report = r.report) AS last
                     FROM unnest($1::text[]) AS r(report)) t"#,
            reports
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// Takes the advisory lock `key` if no other session holds it; `None` if one does.
    pub async fn try_advisory_lock(&self, key: i64) -> StoreResult<Option<AdvisoryLock>> {
        let mut conn = self.pool().acquire().await?;
        conn.close_on_drop();
        let taken = sqlx::query_scalar!(r#"SELECT pg_try_advisory_lock($1) AS "taken!""#, key)
            .fetch_one(&mut *conn)
            .await?;
        Ok(taken.then_some(AdvisoryLock { _conn: conn }))
    }
}
