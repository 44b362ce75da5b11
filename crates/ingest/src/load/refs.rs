//! Checks that used to need a pass over the staged rows, done while each row is read instead:
//! references to portfolios, securities and benchmarks (looked up in maps read from the store
//! once per load, which also give the ids the merge writes) and duplicates of the report's key
//! within the file (by a 128-bit XXH3 hash of the key, remembering each key's first line). On two
//! cores this keeps PostgreSQL free to take the `COPY` while the parser does the checking.

use std::collections::hash_map::Entry;

use rustc_hash::{FxHashMap, FxHashSet};
use sqlx::PgConnection;

use crate::error::RowError;
use crate::report::ReportKind;
use crate::validate::{ColumnMap, Value};

/// A column the staging table gets beyond the report's fields: the id a code resolved to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Portfolio,
    Security,
    Benchmark,
}

impl RefKind {
    /// The report field holding the code.
    pub fn field(self) -> &'static str {
        match self {
            RefKind::Portfolio => "portfolio_code",
            RefKind::Security => "isin",
            RefKind::Benchmark => "benchmark_code",
        }
    }

    /// The staging column holding the resolved id.
    pub fn id_column(self) -> &'static str {
        match self {
            RefKind::Portfolio => "portfolio_id",
            RefKind::Security => "security_id",
            RefKind::Benchmark => "benchmark_id",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            RefKind::Portfolio => "unknown portfolio: load the client master that defines it first, or correct the code",
            RefKind::Security => "unknown security: load the security master that lists this ISIN first",
            RefKind::Benchmark => "unknown benchmark: it is defined by the client master's investment approaches",
        }
    }

    fn query(self) -> &'static str {
        match self {
            RefKind::Portfolio => "SELECT ws_portfolio_code, portfolio_id FROM dim_portfolio",
            RefKind::Security => "SELECT isin, security_id FROM dim_security",
            RefKind::Benchmark => "SELECT code, benchmark_id FROM dim_benchmark",
        }
    }
}

/// The references each report makes, in the order its staging id columns follow its fields.
pub fn references(report: ReportKind) -> &'static [RefKind] {
    match report {
        ReportKind::Holdings | ReportKind::Transactions => &[RefKind::Portfolio, RefKind::Security],
        ReportKind::Valuations => &[RefKind::Portfolio],
        ReportKind::SecurityPrices => &[RefKind::Security],
        ReportKind::BenchmarkLevels => &[RefKind::Benchmark],
        ReportKind::ClientMaster | ReportKind::SecurityMaster => &[],
    }
}

/// What a load checks each row against.
pub struct RowChecks {
    lookups: Vec<(RefKind, usize, FxHashMap<String, i32>)>,
    key_fields: Vec<usize>,
    key_headers: String,
    first_line_of: FxHashMap<u128, u64>,
    /// The key's bytes, reused from row to row.
    key_bytes: Vec<u8>,
    /// Every portfolio the file names (for marking aggregates to refresh).
    pub portfolios: FxHashSet<i32>,
}

impl RowChecks {
    /// Reads the maps the report's references need from the store.
    pub async fn load(conn: &mut PgConnection, map: &ColumnMap) -> Result<Self, sqlx::Error> {
        let report = map.report;
        let index_of = |key: &str| {
            report
                .fields()
                .iter()
                .position(|f| f.key == key)
                .unwrap_or(usize::MAX)
        };
        let mut lookups = Vec::new();
        for kind in references(report) {
            let rows: Vec<(String, i32)> =
                sqlx::query_as(kind.query()).fetch_all(&mut *conn).await?;
            lookups.push((*kind, index_of(kind.field()), rows.into_iter().collect()));
        }
        let key_fields: Vec<usize> = report.key().iter().map(|k| index_of(k)).collect();
        let key_headers = key_fields
            .iter()
            .map(|&i| map.header(i).to_owned())
            .collect::<Vec<_>>()
            .join(" + ");
        Ok(Self {
            lookups,
            key_fields,
            key_headers,
            first_line_of: FxHashMap::default(),
            key_bytes: Vec::new(),
            portfolios: Default::default(),
        })
    }

    /// Checks a valid row's references and key; returns the resolved ids (in
    /// [`references`] order), or `None` after recording the problems.
    pub fn check(
        &mut self,
        line: u64,
        values: &[Value],
        map: &ColumnMap,
        errors: &mut Vec<RowError>,
    ) -> Option<Vec<Option<i32>>> {
        let before = errors.len();
        let mut ids = Vec::with_capacity(self.lookups.len());
        for (kind, index, lookup) in &self.lookups {
            match values.get(*index).and_then(Value::as_text) {
                None => ids.push(None),
                Some(code) => match lookup.get(code) {
                    Some(id) => {
                        if *kind == RefKind::Portfolio {
                            self.portfolios.insert(*id);
                        }
                        ids.push(Some(*id));
                    }
                    None => errors.push(RowError::at(line, map.header(*index), code, kind.hint())),
                },
            }
        }
        let key = self.key_hash(values);
        let first = match self.first_line_of.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(line);
                None
            }
            Entry::Occupied(first) => Some(*first.get()),
        };
        if let Some(first) = first {
            errors.push(RowError {
                line: Some(line),
                column: Some(self.key_headers.clone()),
                value: Some(self.key_text(values)),
                reason: format!(
                    "duplicate: line {first} has the same {}; each may appear only once",
                    self.key_headers
                ),
            });
        }
        (errors.len() == before).then_some(ids)
    }

    /// A 128-bit hash of the key: a false duplicate among millions of rows has a probability
    /// below 1e-24.
    fn key_hash(&mut self, values: &[Value]) -> u128 {
        self.key_bytes.clear();
        for &i in &self.key_fields {
            match values.get(i) {
                Some(Value::Text(t)) => self.key_bytes.extend_from_slice(t.as_bytes()),
                Some(other) => self.key_bytes.extend_from_slice(display(other).as_bytes()),
                None => {}
            }
            // A separator, so ("AB", "C") and ("A", "BC") differ.
            self.key_bytes.push(0x1F);
        }
        xxhash_rust::xxh3::xxh3_128(&self.key_bytes)
    }

    fn key_text(&self, values: &[Value]) -> String {
        self.key_fields
            .iter()
            .map(|&i| values.get(i).map(display).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

fn display(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Text(t) => t.clone(),
        Value::Date(d) => d.to_string(),
        Value::Decimal(d) => d.normalize().to_string(),
    }
}
