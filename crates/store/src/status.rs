//! How current the data is, for the header.

use chrono::{DateTime, Utc};
use pms_domain::status::DataStatus;

use crate::{error::StoreResult, Db};

impl Db {
    pub async fn data_status(&self) -> StoreResult<DataStatus> {
        let row = sqlx::query!(
            r#"SELECT
                 (SELECT max(as_of) FROM ingest_job WHERE status = 'succeeded') AS "data_as_of",
                 (SELECT max(finished_at) FROM ingest_job WHERE status = 'succeeded') AS "last_load_at",
                 now() AS "checked_at!""#
        )
        .fetch_one(self.pool())
        .await?;
        Ok(DataStatus {
            data_as_of: row.data_as_of,
            last_load_at: row.last_load_at,
            checked_at: row.checked_at,
            data_version: self.read_version().await?,
        })
    }
}

impl Db {
    /// The version of what the dashboard reads: advanced after every committed change to it
    /// (loads, aggregate refreshes, RM reassignments), so answers cached at an older version
    /// are known to be out of date.
    pub async fn read_version(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM read_model_version_seq",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// True once any load has succeeded.
    pub async fn has_loaded_data(&self) -> StoreResult<bool> {
        let loaded = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM ingest_job WHERE status = 'succeeded') AS "loaded!""#
        )
        .fetch_one(self.pool())
        .await?;
        Ok(loaded)
    }
}

/// What an operator's monitoring reads from the store at each scrape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OperationalCounts {
    pub data_version: i64,
    /// Ingest jobs by status (`queued`, `running`, `succeeded`, `failed`, …): how many, and
    /// the seconds the finished ones ran, in all.
    pub jobs_by_status: Vec<(String, i64, f64)>,
    pub last_load_at: Option<DateTime<Utc>>,
}

impl Db {
    pub async fn operational_counts(&self) -> StoreResult<OperationalCounts> {
        let jobs_by_status: Vec<(String, i64, f64)> = sqlx::query_as(
            "SELECT status, count(*),
                    coalesce(sum(extract(epoch FROM finished_at - started_at)), 0)::float8
             FROM ingest_job GROUP BY status ORDER BY status",
        )
        .fetch_all(self.pool())
        .await?;
        let status = self.data_status().await?;
        Ok(OperationalCounts {
            data_version: status.data_version,
            jobs_by_status,
            last_load_at: status.last_load_at,
        })
    }

    /// Connections of the interactive and bulk pools: (pool, open, idle).
    pub fn pool_connections(&self) -> [(&'static str, u32, usize); 2] {
        [
            ("interactive", self.pool().size(), self.pool().num_idle()),
            ("bulk", self.bulk_pool().size(), self.bulk_pool().num_idle()),
        ]
    }
}
