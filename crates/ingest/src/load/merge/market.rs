//! Benchmark levels and security prices.

use sqlx::PgConnection;

use crate::load::job::MergeCounts;

/// Benchmark levels; every portfolio measured against a changed benchmark is recomputed.
pub(super) async fn benchmark_levels(
    conn: &mut PgConnection,
    job_id: i64,
) -> Result<MergeCounts, sqlx::Error> {
    super::counted(
        conn,
        "WITH up AS (
             INSERT INTO fact_benchmark_level AS l (benchmark_id, level_date, level, job_id)
             SELECT benchmark_id, level_date, level, $1 FROM stg_benchmark_levels
             ON CONFLICT (benchmark_id, level_date) DO UPDATE SET level = EXCLUDED.level, job_id = EXCLUDED.job_id
             WHERE l.level IS DISTINCT FROM EXCLUDED.level
             RETURNING benchmark_id, (xmax = 0) AS inserted
         ),
         dirty AS (
             INSERT INTO agg_dirty_portfolio (portfolio_id)
             SELECT p.portfolio_id FROM dim_portfolio p
             JOIN dim_investment_approach ia USING (ia_id)
             WHERE ia.benchmark_id IN (SELECT DISTINCT benchmark_id FROM up)
             ON CONFLICT DO NOTHING
         )
         SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up",
        job_id,
    )
    .await
}

pub(super) async fn security_prices(
    conn: &mut PgConnection,
    job_id: i64,
) -> Result<MergeCounts, sqlx::Error> {
    super::counted(
        conn,
        "WITH existing AS (
             SELECT p.security_id, p.price_date FROM fact_security_price p
             JOIN stg_security_prices s USING (security_id, price_date)
         ),
         up AS (
             INSERT INTO fact_security_price AS p (security_id, price_date, close_price, job_id)
             SELECT security_id, price_date, close_price, $1 FROM stg_security_prices
             ON CONFLICT (security_id, price_date) DO UPDATE SET close_price = EXCLUDED.close_price, job_id = EXCLUDED.job_id
             WHERE p.close_price IS DISTINCT FROM EXCLUDED.close_price
             RETURNING security_id, price_date
         )
         SELECT count(*) FILTER (WHERE e.security_id IS NULL) AS inserted, count(e.security_id) AS updated
         FROM up LEFT JOIN existing e USING (security_id, price_date)",
        job_id,
    )
    .await
}
