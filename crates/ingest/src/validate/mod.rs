//! Row-level validation of Wealth Spectrum reports: which file column holds which field, the
//! type of every cell, required fields, and the rules that tie fields of one row together
//! (sign by transaction type, date order). Checks that need the whole file or the store
//! (duplicates, unknown portfolios or securities) run in SQL on the staged rows (`load`).

pub mod fields;
mod rules;

use chrono::NaiveDate;

use crate::error::RowError;
use crate::profile::{normalise_header, Profile};
use crate::report::ReportKind;
use crate::source::wealth_spectrum::table::{RowView, RowWidth};
pub use fields::Value;

/// Where each of a report's fields sits in a particular file.
#[derive(Clone, Debug)]
pub struct ColumnMap {
    pub report: ReportKind,
    /// Per field of `report.fields()`: the file column, if present.
    positions: Vec<Option<usize>>,
    /// Per field: the header as the file writes it (for messages).
    headers: Vec<String>,
    /// Every header of the file, in order (rows are checked against their number).
    file_headers: Vec<String>,
}

impl ColumnMap {
    /// Maps the file's headers onto `report`'s fields; every missing required column is a
    /// file-level error.
    pub fn resolve(
        report: ReportKind,
        file_headers: &[String],
        profile: &Profile,
    ) -> Result<Self, Vec<RowError>> {
        let normalised: Vec<String> = file_headers.iter().map(|h| normalise_header(h)).collect();
        let mut positions = Vec::new();
        let mut headers = Vec::new();
        let mut errors = Vec::new();
        for field in report.fields() {
            let accepted = profile.headers_for(report, field.key);
            let mut matching = (0..normalised.len()).filter(|&i| accepted.contains(&normalised[i]));
            let position = matching.next();
            // Two columns for one field: which one the firm meant cannot be guessed.
            if let (Some(first), Some(again)) = (position, matching.next()) {
                errors.push(RowError::at(
                    1,
                    file_headers[again].clone(),
                    file_headers[again].clone(),
                    format!(
                        "columns {} ({}) and {} ({}) both hold {}; keep only one of them",
                        first + 1,
                        file_headers[first],
                        again + 1,
                        file_headers[again],
                        field.header
                    ),
                ));
            }
            if position.is_none() && field.required {
                errors.push(RowError {
                    line: Some(1),
                    column: Some(field.header.to_owned()),
                    value: None,
                    reason: format!(
                        "required column missing from the {} report (accepted headers: {}); the file has: {}",
                        report.label(),
                        accepted.join(", "),
                        file_headers.join(", ")
                    ),
                });
            }
            headers.push(
                position
                    .map(|p| file_headers[p].clone())
                    .unwrap_or_else(|| field.header.to_owned()),
            );
            positions.push(position);
        }
        if errors.is_empty() {
            Ok(Self {
                report,
                positions,
                headers,
                file_headers: file_headers.to_vec(),
            })
        } else {
            Err(errors)
        }
    }

    pub fn header(&self, field_index: usize) -> &str {
        &self.headers[field_index]
    }

    /// The problem with a row whose values do not line up with the header, if they do not.
    fn width_problem(&self, line: u64, row: &dyn RowView) -> Option<RowError> {
        let columns = self.file_headers.len();
        let (values, short_allowed) = match row.width() {
            RowWidth::Exact(n) => (n, false),
            RowWidth::UpTo(n) => (n, true),
        };
        if values > columns {
            return Some(RowError::at(
                line,
                format!("column {}", columns + 1),
                row.cell(columns).display(),
                format!(
                    "this row has values beyond the last header ({} columns); a value containing \
                     the delimiter or a line break must be in double quotes",
                    columns
                ),
            ));
        }
        if values < columns && !short_allowed {
            return Some(RowError::at(
                line,
                self.file_headers[values].clone(),
                "",
                format!(
                    "this row ends after {values} of the header's {columns} columns: the file is \
                     cut short, or a line break inside a value is not in double quotes"
                ),
            ));
        }
        None
    }
}

/// Recognises a report by its headers: the one whose required columns are all present, with
/// the most columns matched.
pub fn detect_report(file_headers: &[String], profile: &Profile) -> Result<ReportKind, RowError> {
    let normalised: Vec<String> = file_headers.iter().map(|h| normalise_header(h)).collect();
    let mut best: Option<(usize, ReportKind)> = None;
    let mut tied = false;
    for report in ReportKind::ALL {
        let found = |key: &str| {
            profile
                .headers_for(report, key)
                .iter()
                .any(|h| normalised.contains(h))
        };
        if !report
            .fields()
            .iter()
            .filter(|f| f.required)
            .all(|f| found(f.key))
        {
            continue;
        }
        let score = report.fields().iter().filter(|f| found(f.key)).count();
        match best {
            Some((s, _)) if s > score => {}
            Some((s, _)) if s == score => tied = true,
            _ => {
                best = Some((score, report));
                tied = false;
            }
        }
    }
    match best {
        Some((_, report)) if !tied => Ok(report),
        Some(_) => Err(RowError::file(
            "the headers fit more than one report; choose the report explicitly",
        )),
        None => Err(RowError::file(format!(
            "the headers match no Wealth Spectrum report of the profile; found: {}",
            file_headers.join(", ")
        ))),
    }
}

/// Validates rows of one report into typed values in field order.
pub struct RowValidator<'a> {
    map: &'a ColumnMap,
    profile: &'a Profile,
    today: NaiveDate,
    values: Vec<Value>,
}

impl<'a> RowValidator<'a> {
    pub fn new(map: &'a ColumnMap, profile: &'a Profile, today: NaiveDate) -> Self {
        Self {
            map,
            profile,
            today,
            values: Vec::with_capacity(map.positions.len()),
        }
    }

    /// The values of the last valid row, in `report.fields()` order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Checks one row; on success its values are in [`Self::values`]. Problems are appended
    /// to `errors` (all of them, not just the first).
    pub fn check(&mut self, line: u64, row: &dyn RowView, errors: &mut Vec<RowError>) -> bool {
        let report = self.map.report;
        let before = errors.len();
        self.values.clear();
        if let Some(problem) = self.map.width_problem(line, row) {
            errors.push(problem);
            return false;
        }
        for (i, field) in report.fields().iter().enumerate() {
            let cell = self.map.positions[i]
                .map(|p| row.cell(p))
                .unwrap_or(crate::source::wealth_spectrum::table::Cell::Empty);
            let value = match fields::parse(&cell, field.kind, report, field.key, self.profile) {
                Ok(Value::Null) if field.required => {
                    errors.push(RowError::at(
                        line,
                        self.map.header(i),
                        "",
                        "required: the value is missing",
                    ));
                    Value::Null
                }
                Ok(v) => v,
                Err(reason) => {
                    errors.push(RowError::at(
                        line,
                        self.map.header(i),
                        cell.display(),
                        reason,
                    ));
                    Value::Null
                }
            };
            // Settlement follows the trade (T+1): only it may lie after the day of the load.
            if let (Value::Date(d), false) = (&value, field.key == "settle_date") {
                if *d > self.today {
                    errors.push(RowError::at(
                        line,
                        self.map.header(i),
                        cell.display(),
                        "the date is in the future",
                    ));
                }
            }
            self.values.push(value);
        }
        if errors.len() == before {
            let row = rules::Row {
                report,
                values: &mut self.values,
                map: self.map,
                line,
            };
            rules::check(row, self.profile.amount_convention(), errors);
        }
        errors.len() == before
    }
}
