//! How current the data is, for the header.

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
