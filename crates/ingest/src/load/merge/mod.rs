//! Set-based merges from staging into the store, one module per report: upserts keyed by the
//! source's identifiers that change only what differs (so loading the same file twice changes
//! nothing), and mark the portfolios whose figures must be recomputed.

mod client_master;
mod facts;
mod market;
mod securities;

use sqlx::{PgConnection, Row};

use crate::load::job::MergeCounts;
use crate::report::ReportKind;

/// Merges the staged rows of `report` (written by job `job_id`).
pub async fn merge(
    conn: &mut PgConnection,
    report: ReportKind,
    job_id: i64,
    staged_rows: i64,
) -> Result<(MergeCounts, String), sqlx::Error> {
    let (counts, note) = match report {
        ReportKind::ClientMaster => client_master::merge(conn, job_id).await?,
        ReportKind::SecurityMaster => (securities::merge(conn, job_id).await?, String::new()),
        ReportKind::Transactions => (facts::transactions(conn, job_id).await?, String::new()),
        ReportKind::Valuations => (facts::valuations(conn, job_id).await?, String::new()),
        ReportKind::Holdings => facts::holdings(conn, job_id).await?,
        ReportKind::BenchmarkLevels => {
            (market::benchmark_levels(conn, job_id).await?, String::new())
        }
        ReportKind::SecurityPrices => (market::security_prices(conn, job_id).await?, String::new()),
    };
    let unchanged = (staged_rows - counts.inserted - counts.updated).max(0);
    Ok((
        MergeCounts {
            unchanged,
            ..counts
        },
        note,
    ))
}

pub use facts::mark_loaded;

/// Runs an upsert (bound to `job_id` as `$1`) whose final SELECT yields `inserted` and
/// `updated` counts, and `unchanged` when the statement can tell.
pub(crate) async fn counted(
    conn: &mut PgConnection,
    sql: &str,
    job_id: i64,
) -> Result<MergeCounts, sqlx::Error> {
    let row = sqlx::query(sql).bind(job_id).fetch_one(&mut *conn).await?;
    Ok(MergeCounts {
        inserted: row.try_get("inserted")?,
        updated: row.try_get("updated")?,
        unchanged: row.try_get("unchanged").unwrap_or(0),
    })
}
