//! Transactions, daily valuations and holdings snapshots → the partitioned fact tables. The
//! staged rows carry the portfolio and security ids resolved while reading.

use sqlx::{PgConnection, Row};

use crate::load::job::MergeCounts;
use crate::report::ReportKind;

/// Only portfolios without daily valuations take their figures from transactions and holdings
/// (valued portfolios are measured from their valuations), so only those are refreshed.
const UNVALUED: &str =
    "NOT EXISTS (SELECT 1 FROM fact_valuation v WHERE v.portfolio_id = x.portfolio_id)";

/// Marks the portfolios a direct first load (see `load::direct`) wrote for recomputation:
/// every one for valuations, the unvalued ones for transactions and holdings.
pub async fn mark_loaded(
    conn: &mut PgConnection,
    report: ReportKind,
    portfolios: &[i32],
) -> Result<(), sqlx::Error> {
    let only_unvalued = if report == ReportKind::Valuations {
        String::new()
    } else {
        format!("WHERE {UNVALUED}")
    };
    sqlx::query(&format!(
        "INSERT INTO agg_dirty_portfolio (portfolio_id)
         SELECT x.portfolio_id FROM unnest($1::int[]) AS x(portfolio_id) {only_unvalued}
         ON CONFLICT DO NOTHING"
    ))
    .bind(portfolios)
    .execute(conn)
    .await?;
    Ok(())
}

/// Upserts by Wealth Spectrum's transaction id. A correction that moves a transaction to
/// another date removes it from its old date (it lives in another partition).
pub(super) async fn transactions(
    conn: &mut PgConnection,
    job_id: i64,
) -> Result<MergeCounts, sqlx::Error> {
    let moved: i64 = sqlx::query(&format!(
        "WITH gone AS (
             DELETE FROM fact_transaction t USING stg_transactions s
             WHERE t.txn_ref = s.txn_ref AND t.trade_date <> s.trade_date
             RETURNING t.portfolio_id
         ),
         dirty AS (INSERT INTO agg_dirty_portfolio (portfolio_id) SELECT DISTINCT x.portfolio_id FROM gone x WHERE {UNVALUED}
                   ON CONFLICT DO NOTHING)
         SELECT count(*) AS n FROM gone"
    ))
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let mut counts = super::counted(
        conn,
        &format!(
            "WITH existing AS (
                 SELECT s.txn_ref FROM stg_transactions s
                 JOIN fact_transaction t ON t.txn_ref = s.txn_ref AND t.trade_date = s.trade_date
             ),
             up AS (
                 INSERT INTO fact_transaction AS t (txn_ref, portfolio_id, trade_date, settle_date, txn_type, security_id,
                                                    quantity, price, amount, charges, job_id)
                 SELECT txn_ref, portfolio_id, trade_date, settle_date, txn_type, security_id, quantity, price, amount,
                        coalesce(charges, 0), $1
                 FROM stg_transactions
                 ON CONFLICT (txn_ref, trade_date) DO UPDATE SET
                     portfolio_id = EXCLUDED.portfolio_id, settle_date = EXCLUDED.settle_date, txn_type = EXCLUDED.txn_type,
                     security_id = EXCLUDED.security_id, quantity = EXCLUDED.quantity, price = EXCLUDED.price,
                     amount = EXCLUDED.amount, charges = EXCLUDED.charges, job_id = EXCLUDED.job_id
                 WHERE (t.portfolio_id, t.settle_date, t.txn_type, t.security_id, t.quantity, t.price, t.amount, t.charges)
                       IS DISTINCT FROM
                       (EXCLUDED.portfolio_id, EXCLUDED.settle_date, EXCLUDED.txn_type, EXCLUDED.security_id,
                        EXCLUDED.quantity, EXCLUDED.price, EXCLUDED.amount, EXCLUDED.charges)
                 RETURNING txn_ref, portfolio_id
             ),
             dirty AS (INSERT INTO agg_dirty_portfolio (portfolio_id) SELECT DISTINCT x.portfolio_id FROM up x WHERE {UNVALUED}
                       ON CONFLICT DO NOTHING)
             SELECT count(*) FILTER (WHERE e.txn_ref IS NULL) AS inserted, count(e.txn_ref) AS updated
             FROM up LEFT JOIN existing e USING (txn_ref)"
        ),
        job_id,
    )
    .await?;
    // A moved transaction is re-inserted at its new date: it counts as a change, not a new row.
    counts.inserted -= moved;
    counts.updated += moved;
    Ok(counts)
}

pub(super) async fn valuations(
    conn: &mut PgConnection,
    job_id: i64,
) -> Result<MergeCounts, sqlx::Error> {
    super::counted(
        conn,
        "WITH existing AS (
             SELECT v.portfolio_id, v.valuation_date FROM fact_valuation v
             JOIN stg_valuations s USING (portfolio_id, valuation_date)
         ),
         up AS (
             INSERT INTO fact_valuation AS v (portfolio_id, valuation_date, market_value, net_flow, job_id)
             SELECT portfolio_id, valuation_date, market_value, coalesce(net_flow, 0), $1 FROM stg_valuations
             ON CONFLICT (portfolio_id, valuation_date) DO UPDATE SET
                 market_value = EXCLUDED.market_value, net_flow = EXCLUDED.net_flow, job_id = EXCLUDED.job_id
             WHERE (v.market_value, v.net_flow) IS DISTINCT FROM (EXCLUDED.market_value, EXCLUDED.net_flow)
             RETURNING portfolio_id, valuation_date
         ),
         dirty AS (INSERT INTO agg_dirty_portfolio (portfolio_id) SELECT DISTINCT portfolio_id FROM up ON CONFLICT DO NOTHING)
         SELECT count(*) FILTER (WHERE e.portfolio_id IS NULL) AS inserted, count(e.portfolio_id) AS updated
         FROM up LEFT JOIN existing e USING (portfolio_id, valuation_date)",
        job_id,
    )
    .await
}

/// A holdings file is the complete snapshot of each portfolio it lists for each date it
/// lists: positions the file no longer shows for that portfolio and date are removed.
pub(super) async fn holdings(
    conn: &mut PgConnection,
    job_id: i64,
) -> Result<(MergeCounts, String), sqlx::Error> {
    let removed: i64 = sqlx::query(&format!(
        "WITH gone AS (
             DELETE FROM fact_holding h
             USING (SELECT DISTINCT portfolio_id, as_of FROM stg_holdings) snap
             WHERE h.portfolio_id = snap.portfolio_id AND h.as_of = snap.as_of
               AND NOT EXISTS (SELECT 1 FROM stg_holdings s
                               WHERE s.portfolio_id = h.portfolio_id AND s.as_of = h.as_of AND s.security_id = h.security_id)
             RETURNING h.portfolio_id
         ),
         dirty AS (INSERT INTO agg_dirty_portfolio (portfolio_id) SELECT DISTINCT x.portfolio_id FROM gone x WHERE {UNVALUED}
                   ON CONFLICT DO NOTHING)
         SELECT count(*) AS n FROM gone"
    ))
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let counts = super::counted(
        conn,
        &format!(
            "WITH existing AS (
                 SELECT h.portfolio_id, h.as_of, h.security_id FROM fact_holding h
                 JOIN stg_holdings s USING (portfolio_id, as_of, security_id)
             ),
             up AS (
                 INSERT INTO fact_holding AS h (portfolio_id, as_of, security_id, quantity, cost_value, market_value, job_id)
                 SELECT portfolio_id, as_of, security_id, quantity, cost_value, market_value, $1 FROM stg_holdings
                 ON CONFLICT (portfolio_id, as_of, security_id) DO UPDATE SET
                     quantity = EXCLUDED.quantity, cost_value = EXCLUDED.cost_value, market_value = EXCLUDED.market_value,
                     job_id = EXCLUDED.job_id
                 WHERE (h.quantity, h.cost_value, h.market_value) IS DISTINCT FROM
                       (EXCLUDED.quantity, EXCLUDED.cost_value, EXCLUDED.market_value)
                 RETURNING portfolio_id, as_of, security_id
             ),
             dirty AS (INSERT INTO agg_dirty_portfolio (portfolio_id) SELECT DISTINCT x.portfolio_id FROM up x WHERE {UNVALUED}
                       ON CONFLICT DO NOTHING)
             SELECT count(*) FILTER (WHERE e.portfolio_id IS NULL) AS inserted, count(e.portfolio_id) AS updated
             FROM up LEFT JOIN existing e USING (portfolio_id, as_of, security_id)"
        ),
        job_id,
    )
    .await?;
    let note = if removed > 0 {
        format!("{removed} positions no longer held were removed")
    } else {
        String::new()
    };
    Ok((counts, note))
}
