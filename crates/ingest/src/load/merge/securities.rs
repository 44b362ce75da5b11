//! Security master → `dim_security`.

use sqlx::PgConnection;

use crate::load::job::MergeCounts;

pub(super) async fn merge(
    conn: &mut PgConnection,
    job_id: i64,
) -> Result<MergeCounts, sqlx::Error> {
    super::counted(
        conn,
        "WITH up AS (
             INSERT INTO dim_security AS d (isin, name, asset_class, sector, market_cap, rating, security_type, last_job_id)
             SELECT isin, security_name, asset_class, sector, market_cap, rating, security_type, $1 FROM stg_security_master
             ON CONFLICT (isin) DO UPDATE SET
                 name = EXCLUDED.name, asset_class = EXCLUDED.asset_class, sector = EXCLUDED.sector,
                 market_cap = EXCLUDED.market_cap, rating = EXCLUDED.rating, security_type = EXCLUDED.security_type,
                 last_job_id = EXCLUDED.last_job_id, updated_at = now()
             WHERE (d.name, d.asset_class, d.sector, d.market_cap, d.rating, d.security_type)
                   IS DISTINCT FROM
                   (EXCLUDED.name, EXCLUDED.asset_class, EXCLUDED.sector, EXCLUDED.market_cap, EXCLUDED.rating, EXCLUDED.security_type)
             RETURNING (xmax = 0) AS inserted
         )
         SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up",
        job_id,
    )
    .await
}
