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
use crate::source::wealth_spectrum::table::RowView;
pub use fields::Value;

/// Where each of a report's fields sits in a particular file.
#[derive(Clone, Debug)]
pub struct ColumnMap {
    pub report: ReportKind,
    /// Per field of `report.fields()`: the file column, if present.
    positions: Vec<Option<usize>>,
    /// Per field: the header as the file writes it (for messages).
    headers: Vec<String>,
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
            let position = normalised.iter().position(|h| accepted.contains(h));
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
            })
        } else {
            Err(errors)
        }
    }

    pub fn header(&self, field_index: usize) -> &str {
        &self.headers[field_index]
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
