//! Calendar views of returns: the monthly-return table (year × month, for heat maps) and the
//! correlation matrix of several return series.
//!
//! A month's return compounds the daily returns dated in it, `Π(1 + r) − 1`; a year's total
//! compounds its months. Rows are calendar years (Jan–Dec) or Indian financial years
//! (Apr–Mar, labelled `FY2025-26`).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::fy::FinancialYear;
use crate::inputs::finite;
use crate::twrr::PerformanceSeries;

/// Why a calendar view could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalendarError {
    #[error("two returns are dated {0}")]
    DuplicateDate(NaiveDate),
    #[error("the return on {0} is not a finite number")]
    NonFiniteReturn(NaiveDate),
    #[error("series {index} has {len} returns, series 0 has {expected}")]
    LengthMismatch {
        index: usize,
        len: usize,
        expected: usize,
    },
    #[error("series {index} contains a value that is not a finite number")]
    NonFiniteValue { index: usize },
}

/// How the rows of a [`MonthlyReturnTable`] are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum YearLayout {
    /// Columns January … December.
    Calendar,
    /// Columns April … March, rows labelled `FY2025-26`.
    Financial,
}

impl YearLayout {
    /// Column headings in order.
    pub fn month_labels(self) -> [&'static str; 12] {
        const CALENDAR: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        match self {
            YearLayout::Calendar => CALENDAR,
            YearLayout::Financial => [
                "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar",
            ],
        }
    }

    /// `(row key, column)` of a date.
    fn position(self, date: NaiveDate) -> (i32, usize) {
        let month0 = date.month0() as usize;
        match self {
            YearLayout::Calendar => (date.year(), month0),
            YearLayout::Financial => (FinancialYear::of(date).start_year(), (month0 + 12 - 3) % 12),
        }
    }

    fn label(self, key: i32) -> String {
        match self {
            YearLayout::Calendar => key.to_string(),
            YearLayout::Financial => FinancialYear::new(key)
                .map(|fy| fy.label())
                .unwrap_or_else(|_| format!("FY{key}")),
        }
    }
}

/// One year of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthlyReturnRow {
    /// `"2025"` or `"FY2025-26"`.
    pub label: String,
    /// The calendar year, or the year the financial year starts in.
    pub year: i32,
    /// One entry per column; `None` for months without returns.
    pub months: [Option<f64>; 12],
    /// The months compounded; `None` when the year has no returns.
    pub total: Option<f64>,
}

/// Monthly returns, oldest year first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthlyReturnTable {
    pub layout: YearLayout,
    pub month_labels: [String; 12],
    pub rows: Vec<MonthlyReturnRow>,
}

impl MonthlyReturnTable {
    /// From dated periodic returns (any order, one per date).
    pub fn from_returns(
        dated_returns: &[(NaiveDate, f64)],
        layout: YearLayout,
    ) -> Result<Self, CalendarError> {
        let mut sorted = dated_returns.to_vec();
        sorted.sort_unstable_by_key(|(date, _)| *date);
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(CalendarError::DuplicateDate(pair[0].0));
        }
        if let Some((date, _)) = sorted.iter().find(|(_, r)| !r.is_finite()) {
            return Err(CalendarError::NonFiniteReturn(*date));
        }
        let mut growth: BTreeMap<i32, [Option<f64>; 12]> = BTreeMap::new();
        for (date, r) in sorted {
            let (key, column) = layout.position(date);
            let row = growth.entry(key).or_insert([None; 12]);
            if let Some(cell) = row.get_mut(column) {
                *cell = Some(cell.unwrap_or(1.0) * (1.0 + r));
            }
        }
        let rows = growth
            .into_iter()
            .map(|(key, cells)| {
                let year_growth = cells
                    .iter()
                    .flatten()
                    .fold(None, |acc: Option<f64>, g| Some(acc.unwrap_or(1.0) * g));
                MonthlyReturnRow {
                    label: layout.label(key),
                    year: key,
                    months: cells.map(|g| g.and_then(|g| finite(g - 1.0))),
                    total: year_growth.and_then(|g| finite(g - 1.0)),
                }
            })
            .collect();
        Ok(Self {
            layout,
            month_labels: layout.month_labels().map(str::to_owned),
            rows,
        })
    }

    /// From a valuation history: each month compounds the daily TWRR returns dated in it, so
    /// flows are neutralised exactly as in [`crate::twrr`].
    pub fn from_series(series: &PerformanceSeries, layout: YearLayout) -> Self {
        let dated: Vec<(NaiveDate, f64)> = series.dated_returns().collect();
        // A PerformanceSeries has distinct dates and finite returns, so this cannot fail; fall
        // back to an empty table rather than panic if that ever changed.
        Self::from_returns(&dated, layout).unwrap_or(Self {
            layout,
            month_labels: layout.month_labels().map(str::to_owned),
            rows: Vec::new(),
        })
    }
}

/// Pearson correlations of equally long series; `matrix[i][j]` pairs series `i` and `j`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelationMatrix {
    /// `None` where a series is constant (or shorter than 2), so correlation is undefined.
    pub matrix: Vec<Vec<Option<f64>>>,
}

impl CorrelationMatrix {
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        self.matrix
            .get(i)
            .and_then(|row| row.get(j))
            .copied()
            .flatten()
    }
}

/// Pearson correlation matrix of several return series of equal length.
pub fn correlation_matrix(series: &[&[f64]]) -> Result<CorrelationMatrix, CalendarError> {
    let expected = series.first().map_or(0, |s| s.len());
    for (index, s) in series.iter().enumerate() {
        if s.len() != expected {
            return Err(CalendarError::LengthMismatch {
                index,
                len: s.len(),
                expected,
            });
        }
        if s.iter().any(|x| !x.is_finite()) {
            return Err(CalendarError::NonFiniteValue { index });
        }
    }
    // Centre each series once; then every pair is a dot product.
    let centred: Vec<Vec<f64>> = series
        .iter()
        .map(|s| {
            let mean = s.iter().sum::<f64>() / s.len().max(1) as f64;
            s.iter().map(|x| x - mean).collect()
        })
        .collect();
    let norms: Vec<f64> = centred
        .iter()
        .map(|c| c.iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    let k = series.len();
    let mut matrix = vec![vec![None; k]; k];
    for i in 0..k {
        for j in i..k {
            let value = if expected < 2 || norms[i] == 0.0 || norms[j] == 0.0 {
                None
            } else if i == j {
                Some(1.0)
            } else {
                let dot: f64 = centred[i].iter().zip(&centred[j]).map(|(a, b)| a * b).sum();
                finite((dot / (norms[i] * norms[j])).clamp(-1.0, 1.0))
            };
            matrix[i][j] = value;
            matrix[j][i] = value;
        }
    }
    Ok(CorrelationMatrix { matrix })
}

/// Correlations of dated series, each aligned on the dates that all of them share.
pub fn correlation_matrix_dated(
    series: &[&[(NaiveDate, f64)]],
) -> Result<CorrelationMatrix, CalendarError> {
    let maps: Vec<BTreeMap<NaiveDate, f64>> =
        series.iter().map(|s| s.iter().copied().collect()).collect();
    let common: Vec<NaiveDate> = match maps.split_first() {
        Some((first, rest)) => first
            .keys()
            .filter(|date| rest.iter().all(|m| m.contains_key(date)))
            .copied()
            .collect(),
        None => Vec::new(),
    };
    let aligned: Vec<Vec<f64>> = maps
        .iter()
        .map(|m| common.iter().filter_map(|d| m.get(d).copied()).collect())
        .collect();
    let slices: Vec<&[f64]> = aligned.iter().map(Vec::as_slice).collect();
    correlation_matrix(&slices)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn monthly_table_compounds() {
        let returns = [
            (date(2025, 3, 28), 0.01),
            (date(2025, 3, 31), 0.02),
            (date(2025, 4, 1), -0.01),
            (date(2026, 1, 2), 0.05),
        ];
        let table = MonthlyReturnTable::from_returns(&returns, YearLayout::Calendar).expect("ok");
        assert_eq!(table.rows.len(), 2);
        let march = table.rows[0].months[2].expect("March");
        assert!((march - (1.01 * 1.02 - 1.0)).abs() < 1e-15);
        let total = table.rows[0].total.expect("total");
        assert!((total - (1.01 * 1.02 * 0.99 - 1.0)).abs() < 1e-15);

        let fy = MonthlyReturnTable::from_returns(&returns, YearLayout::Financial).expect("ok");
        assert_eq!(fy.rows[0].label, "FY2024-25");
        assert_eq!(fy.rows[1].label, "FY2025-26");
        assert!(fy.rows[1].months[0].is_some()); // April
        assert!(fy.rows[1].months[9].is_some()); // January 2026
        assert_eq!(fy.month_labels[0], "Apr");

        let duplicate = [(date(2025, 1, 1), 0.1), (date(2025, 1, 1), 0.2)];
        assert!(MonthlyReturnTable::from_returns(&duplicate, YearLayout::Calendar).is_err());
    }

    #[test]
    fn correlations() {
        let a = [0.01, 0.02, -0.01, 0.03];
        let b = [0.02, 0.04, -0.02, 0.06];
        let c = [-0.01, -0.02, 0.01, -0.03];
        let flat = [0.01; 4];
        let m = correlation_matrix(&[&a, &b, &c, &flat]).expect("ok");
        assert!((m.get(0, 1).expect("defined") - 1.0).abs() < 1e-12);
        assert!((m.get(0, 2).expect("defined") + 1.0).abs() < 1e-12);
        assert_eq!(m.get(0, 3), None);
        assert_eq!(m.get(3, 3), None);
        assert!(correlation_matrix(&[&a, &b[..3]]).is_err());

        let da = [
            (date(2025, 1, 1), 0.01),
            (date(2025, 1, 2), 0.02),
            (date(2025, 1, 3), -0.01),
        ];
        let db = [
            (date(2025, 1, 2), 0.04),
            (date(2025, 1, 3), -0.02),
            (date(2025, 1, 1), 0.02),
        ];
        let m = correlation_matrix_dated(&[&da, &db]).expect("ok");
        assert!((m.get(0, 1).expect("defined") - 1.0).abs() < 1e-12);
    }
}
