//! Streaming a report file with `COPY` into a temporary staging table — or, for the first load of
//! a fact table, straight into it (see `direct`): a blocking thread reads and validates rows
//! while the async side sends the encoded rows to PostgreSQL, so parsing and the database work
//! on the two cores at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use sqlx::PgConnection;
use tokio::sync::mpsc;

use crate::error::RowError;
use crate::load::copy::encode_row;
use crate::load::direct::DirectLayout;
use crate::load::job::MAX_STORED_ERRORS;
use crate::load::refs::{references, RowChecks};
use crate::load::LoadError;
use crate::profile::Profile;
use crate::report::{FieldKind, ReportKind};
use crate::source::wealth_spectrum::table::Table;
use crate::validate::{ColumnMap, RowValidator, Value};

const CHUNK_BYTES: usize = 1 << 20;

/// What reading the file found.
#[derive(Debug, Default)]
pub struct Staged {
    pub rows_read: u64,
    /// The first [`MAX_STORED_ERRORS`] problems.
    pub errors: Vec<RowError>,
    /// All problems, counted.
    pub error_count: u64,
    /// The portfolios the file names.
    pub portfolios: Vec<i32>,
    /// The latest value of the report's main date field (what the load is "as of").
    pub as_of: Option<NaiveDate>,
}

impl Staged {
    pub fn push_errors(&mut self, more: Vec<RowError>) {
        self.error_count += more.len() as u64;
        let room = MAX_STORED_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(more.into_iter().take(room));
    }
}

/// The staging table of a report.
pub fn table_name(report: ReportKind) -> String {
    format!("stg_{}", report.code())
}

fn sql_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Date => "date",
        FieldKind::Decimal { .. } | FieldKind::Percent => "numeric",
        _ => "text",
    }
}

/// The staging columns after `line`: the report's fields, then the ids its codes resolve to.
fn column_names(report: ReportKind) -> Vec<&'static str> {
    report
        .fields()
        .iter()
        .map(|f| f.key)
        .chain(references(report).iter().map(|r| r.id_column()))
        .collect()
}

/// Creates the (transaction-scoped) staging table for `report`.
pub async fn create(conn: &mut PgConnection, report: ReportKind) -> Result<(), sqlx::Error> {
    let columns: Vec<String> = report
        .fields()
        .iter()
        .map(|f| format!("{} {}", f.key, sql_type(f.kind)))
        .chain(
            references(report)
                .iter()
                .map(|r| format!("{} integer", r.id_column())),
        )
        .collect();
    let ddl = format!(
        "CREATE TEMP TABLE {} (line bigint NOT NULL, {}) ON COMMIT DROP",
        table_name(report),
        columns.join(", ")
    );
    sqlx::query(&ddl).execute(&mut *conn).await?;
    Ok(())
}

/// Where a load's rows are copied to.
pub enum CopyTarget {
    /// The report's staging table (made by [`create`]), for the merge.
    Staging,
    /// Straight into the empty fact table, written by the job whose id `job` is.
    Store { layout: DirectLayout, job: String },
}

impl CopyTarget {
    fn statement(&self, report: ReportKind) -> String {
        match self {
            CopyTarget::Staging => format!(
                "COPY {} (line, {}) FROM STDIN",
                table_name(report),
                column_names(report).join(", ")
            ),
            CopyTarget::Store { layout, .. } => layout.copy_statement(),
        }
    }

    fn encode(&self, line: u64, values: &[Value], ids: &[Option<i32>], buf: &mut Vec<u8>) {
        match self {
            CopyTarget::Staging => encode_row(line, values, ids, buf),
            CopyTarget::Store { layout, job } => layout.encode(values, ids, job, buf),
        }
    }
}

/// Reads every row of `table`, validates it (types, rules, references, duplicates), and copies
/// the valid ones to `target`. Once a row fails, the rest are still validated (to report every
/// problem) but no longer sent.
#[allow(clippy::too_many_arguments)]
pub async fn copy_file(
    conn: &mut PgConnection,
    mut table: Table,
    map: ColumnMap,
    profile: Profile,
    today: NaiveDate,
    rows_read: Arc<AtomicU64>,
    mut checks: RowChecks,
    target: CopyTarget,
) -> Result<Staged, LoadError> {
    let report = map.report;
    let statement = target.statement(report);
    let as_of_index = report
        .as_of_field()
        .and_then(|key| report.fields().iter().position(|f| f.key == key));
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(4);

    let reader = tokio::task::spawn_blocking(move || {
        let mut staged = Staged::default();
        let mut validator = RowValidator::new(&map, &profile, today);
        let mut chunk = Vec::with_capacity(CHUNK_BYTES + 4096);
        let mut row_errors = Vec::new();
        let mut sending = true;
        let read = table.for_each_row(&mut |line, row| {
            staged.rows_read += 1;
            if staged.rows_read % 4096 == 0 {
                rows_read.store(staged.rows_read, Ordering::Relaxed);
            }
            let checked = validator
                .check(line, row, &mut row_errors)
                .then(|| checks.check(line, validator.values(), &map, &mut row_errors))
                .flatten();
            if let Some(ids) = checked {
                let values = validator.values();
                if let Some(date) = as_of_index.and_then(|i| values.get(i)?.as_date()) {
                    staged.as_of = staged.as_of.max(Some(date));
                }
                if sending {
                    target.encode(line, values, &ids, &mut chunk);
                }
            } else {
                sending = false;
                staged.push_errors(std::mem::take(&mut row_errors));
            }
            if sending && chunk.len() >= CHUNK_BYTES {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES + 4096));
                if tx.blocking_send(full).is_err() {
                    return std::ops::ControlFlow::Break(());
                }
            }
            std::ops::ControlFlow::Continue(())
        });
        if let Err(e) = read {
            staged.push_errors(vec![e]);
            sending = false;
        }
        if sending && !chunk.is_empty() {
            let _ = tx.blocking_send(chunk);
        }
        rows_read.store(staged.rows_read, Ordering::Relaxed);
        staged.portfolios = checks.portfolios.into_iter().collect();
        staged
    });

    let mut copy = conn.copy_in_raw(&statement).await?;
    while let Some(chunk) = rx.recv().await {
        copy.send(chunk).await?;
    }
    let staged = reader
        .await
        .map_err(|e| LoadError::Internal(format!("the reader thread stopped: {e}")))?;
    copy.finish().await?;
    Ok(staged)
}
