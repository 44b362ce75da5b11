//! The first load into an empty fact table — a firm's initial import of its history, millions
//! of rows — goes by `COPY` straight into the fact table (PostgreSQL's batched multi-insert
//! into each partition) instead of into a staging table and then through the merge. Nothing
//! needs merging: the table is empty (checked under the load lock, so no other load can fill
//! it meanwhile) and duplicates within the file are refused while reading. The table's indexes
//! are dropped for the copy and rebuilt after it: one sorted build costs a fraction of
//! millions of row-by-row index insertions. It is all one transaction, so a rejected or
//! interrupted file leaves nothing behind and the indexes as they were; until it commits,
//! readers of that one (empty) table wait. Later loads, which may correct stored rows, take
//! the staging path.

use sqlx::{PgConnection, Row};

use crate::load::copy::{encode_id, encode_value};
use crate::load::refs::references;
use crate::report::ReportKind;
use crate::validate::Value;

/// Optional amounts the fact tables store as 0 when the file leaves them empty (the merges'
/// `coalesce(…, 0)`).
const ZERO_WHEN_EMPTY: &[&str] = &["charges", "net_flow"];

/// Where a fact-table column's value comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Column {
    /// The report field at this index.
    Field(usize),
    /// The report field at this index, 0 when empty.
    FieldOrZero(usize),
    /// The id resolved for the report's reference at this index.
    Id(usize),
    /// The ingest job writing the row.
    Job,
}

/// How a report's validated rows map onto its fact table.
#[derive(Clone, Debug)]
pub struct DirectLayout {
    table: &'static str,
    columns: Vec<(&'static str, Column)>,
}

impl DirectLayout {
    /// The layout of the reports that fill a fact table; `None` for the others.
    pub fn for_report(report: ReportKind) -> Option<Self> {
        let table = match report {
            ReportKind::Transactions => "fact_transaction",
            ReportKind::Valuations => "fact_valuation",
            ReportKind::Holdings => "fact_holding",
            _ => return None,
        };
        let refs = references(report);
        // Codes that resolve to ids are stored as the ids, not as text.
        let fields = report
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| !refs.iter().any(|r| r.field() == f.key))
            .map(|(i, f)| {
                let column = if ZERO_WHEN_EMPTY.contains(&f.key) {
                    Column::FieldOrZero(i)
                } else {
                    Column::Field(i)
                };
                (f.key, column)
            });
        let ids = refs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id_column(), Column::Id(i)));
        let columns = fields
            .chain(ids)
            .chain(std::iter::once(("job_id", Column::Job)))
            .collect();
        Some(Self { table, columns })
    }

    /// Whether the fact table is empty, so this load may write into it directly.
    pub async fn target_is_empty(&self, conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar(&format!("SELECT NOT EXISTS (SELECT 1 FROM {})", self.table))
            .fetch_one(conn)
            .await
    }

    /// Drops the table's indexes (and the primary key or unique constraints they back, unless
    /// a foreign key relies on them); returns the statements that rebuild them.
    pub async fn drop_indexes(&self, conn: &mut PgConnection) -> Result<Rebuild, sqlx::Error> {
        let table = self.table;
        let definitions = sqlx::query(
            "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop_sql,
                    format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                           pg_get_constraintdef(c.oid)) AS create_sql
             FROM pg_constraint c
             WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u')
               AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
             UNION ALL
             -- A partitioned index's definition reads `ON ONLY parent`; without ONLY it is built on
             -- every partition again.
             SELECT format('DROP INDEX %s', i.indexrelid::regclass),
                    replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ')
             FROM pg_index i
             WHERE i.indrelid = $1::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        )
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
        let mut statements = Vec::new();
        for row in definitions {
            let drop_sql: String = row.try_get("drop_sql")?;
            sqlx::query(&drop_sql).execute(&mut *conn).await?;
            statements.push(row.try_get("create_sql")?);
        }
        Ok(Rebuild { table, statements })
    }

    pub fn copy_statement(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|c| c.0).collect();
        format!("COPY {} ({}) FROM STDIN", self.table, names.join(", "))
    }

    /// Appends one row in COPY's text form; `job_id` is the writing job's id as text (formatted
    /// once per load, not per row).
    pub fn encode(&self, values: &[Value], ids: &[Option<i32>], job_id: &str, buf: &mut Vec<u8>) {
        for (n, (_, column)) in self.columns.iter().enumerate() {
            if n > 0 {
                buf.push(b'\t');
            }
            match *column {
                Column::Field(i) => encode_value(values.get(i).unwrap_or(&Value::Null), buf),
                Column::FieldOrZero(i) => match values.get(i) {
                    Some(Value::Null) | None => buf.push(b'0'),
                    Some(value) => encode_value(value, buf),
                },
                Column::Id(i) => encode_id(ids.get(i).copied().flatten(), buf),
                Column::Job => buf.extend_from_slice(job_id.as_bytes()),
            }
        }
        buf.push(b'\n');
    }
}

/// Memory for each index build: enough to sort ten million keys without spilling to disk.
const INDEX_BUILD_MEMORY: &str = "1GB";

/// The indexes a direct load dropped, to build again once the rows are in.
#[derive(Debug)]
pub struct Rebuild {
    table: &'static str,
    statements: Vec<String>,
}

impl Rebuild {
    /// Builds the indexes again, then refreshes the planner's statistics of the table (they
    /// still say "empty", and the aggregate refresh that follows reads it).
    pub async fn run(self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query(&format!(
            "SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'"
        ))
        .execute(&mut *conn)
        .await?;
        for statement in &self.statements {
            sqlx::query(statement).execute(&mut *conn).await?;
        }
        sqlx::query(&format!("ANALYZE {}", self.table))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    #[test]
    fn transactions_map_codes_to_ids_and_empty_charges_to_zero() {
        let layout = DirectLayout::for_report(ReportKind::Transactions).expect("a fact report");
        assert_eq!(
            layout.copy_statement(),
            "COPY fact_transaction (txn_ref, trade_date, settle_date, txn_type, quantity, price, \
             amount, charges, portfolio_id, security_id, job_id) FROM STDIN"
        );
        let date = NaiveDate::from_ymd_opt(2025, 4, 1).expect("date");
        let values = [
            Value::Text("T1".into()),
            Value::Text("P-01".into()),
            Value::Date(date),
            Value::Null,
            Value::Text("INFLOW".into()),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Decimal(dec!(100000.00)),
            Value::Null,
        ];
        let mut buf = Vec::new();
        layout.encode(&values, &[Some(7), None], "42", &mut buf);
        assert_eq!(
            String::from_utf8(buf).expect("utf8"),
            "T1\t2025-04-01\t\\N\tINFLOW\t\\N\t\\N\t100000.00\t0\t7\t\\N\t42\n"
        );
    }

    #[test]
    fn only_fact_reports_load_directly() {
        assert!(DirectLayout::for_report(ReportKind::Valuations).is_some());
        assert!(DirectLayout::for_report(ReportKind::Holdings).is_some());
        assert!(DirectLayout::for_report(ReportKind::ClientMaster).is_none());
        assert!(DirectLayout::for_report(ReportKind::SecurityPrices).is_none());
    }
}
