//! Checks that need the whole staged file, in SQL: client-master rows that contradict each
//! other (a client, strategy, approach or benchmark described two ways).

use sqlx::{PgConnection, Row};

use crate::error::RowError;
use crate::load::job::MAX_STORED_ERRORS;
use crate::report::ReportKind;
use crate::validate::ColumnMap;

fn header_of(map: &ColumnMap, key: &str) -> String {
    map.report
        .fields()
        .iter()
        .position(|f| f.key == key)
        .map(|i| map.header(i).to_owned())
        .unwrap_or_else(|| key.to_owned())
}

/// Problems only visible across rows of the staged file (references and duplicates are
/// checked while reading, see `refs`).
pub async fn run(conn: &mut PgConnection, map: &ColumnMap) -> Result<Vec<RowError>, sqlx::Error> {
    if map.report != ReportKind::ClientMaster {
        return Ok(Vec::new());
    }
    let mut errors = client_master_contradictions(conn, map).await?;
    errors.sort_by_key(|e| e.line);
    Ok(errors)
}

/// Rows that describe the same client, strategy, investment approach or benchmark must agree.
async fn client_master_contradictions(
    conn: &mut PgConnection,
    map: &ColumnMap,
) -> Result<Vec<RowError>, sqlx::Error> {
    let groups: [(&str, &str, &str); 4] = [
        (
            "client_code",
            "client_name, pan, client_type, email, mobile, city, state, risk_profile, onboarding_date, client_status, closure_date",
            "client",
        ),
        ("strategy_code", "strategy_name, strategy_category", "strategy"),
        ("ia_code", "ia_name, strategy_code, benchmark_code", "investment approach"),
        ("benchmark_code", "benchmark_name", "benchmark"),
    ];
    let mut errors = Vec::new();
    for (key, attributes, what) in groups {
        let sql = format!(
            "WITH bad AS (SELECT {key} FROM stg_client_master GROUP BY {key} HAVING count(DISTINCT ({attributes})) > 1)
             SELECT line, {key} AS value, min(line) OVER (PARTITION BY {key}) AS first_line
             FROM stg_client_master JOIN bad USING ({key}) ORDER BY line LIMIT {limit}",
            limit = MAX_STORED_ERRORS + 1
        );
        let header = header_of(map, key);
        for r in sqlx::query(&sql).fetch_all(&mut *conn).await? {
            let line = r.get::<i64, _>("line") as u64;
            let first = r.get::<i64, _>("first_line") as u64;
            if line == first {
                continue;
            }
            errors.push(RowError::at(
                line,
                header.clone(),
                r.get::<String, _>("value"),
                format!("this {what} is described differently on line {first}; its details must be the same on every row"),
            ));
        }
    }
    Ok(errors)
}
