//! Reports: the period a client statement covers.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A statement's dates, both inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl StatementPeriod {
    /// A period; refused (with what to do) when it ends before it starts.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, String> {
        if from > to {
            return Err(format!(
                "The period ends ({}) before it starts ({}): give a start on or before the end.",
                to.format("%d %b %Y"),
                from.format("%d %b %Y")
            ));
        }
        Ok(StatementPeriod { from, to })
    }

    /// The calendar quarter (a financial-year quarter: Apr–Jun is Q1) that had ended by `day`.
    pub fn last_quarter_ended_by(day: NaiveDate) -> Self {
        let first_of_quarter = |year: i32, month: u32| {
            NaiveDate::from_ymd_opt(year, month - (month - 1) % 3, 1).unwrap_or(day)
        };
        // The quarter containing the next day, less one day, ends on or before `day`.
        let next = day.succ_opt().unwrap_or(day);
        let to = first_of_quarter(next.year(), next.month())
            .pred_opt()
            .unwrap_or(day);
        StatementPeriod {
            from: first_of_quarter(to.year(), to.month()),
            to,
        }
    }

    /// `01 Jul 2025 – 30 Sep 2025`.
    pub fn label(&self) -> String {
        format!(
            "{} – {}",
            self.from.format("%d %b %Y"),
            self.to.format("%d %b %Y")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn last_quarter_is_the_one_that_ended_on_or_before_the_day() {
        for (today, from, to) in [
            (day(2025, 11, 14), day(2025, 7, 1), day(2025, 9, 30)),
            (day(2025, 9, 30), day(2025, 7, 1), day(2025, 9, 30)),
            (day(2025, 10, 1), day(2025, 7, 1), day(2025, 9, 30)),
            (day(2026, 2, 2), day(2025, 10, 1), day(2025, 12, 31)),
            (day(2026, 3, 31), day(2026, 1, 1), day(2026, 3, 31)),
            (day(2026, 1, 1), day(2025, 10, 1), day(2025, 12, 31)),
        ] {
            let q = StatementPeriod::last_quarter_ended_by(today);
            assert_eq!((q.from, q.to), (from, to), "on {today}");
        }
    }

    #[test]
    fn a_period_ending_before_it_starts_is_refused() {
        assert!(StatementPeriod::new(day(2025, 7, 1), day(2025, 6, 30)).is_err());
        assert!(StatementPeriod::new(day(2025, 7, 1), day(2025, 7, 1)).is_ok());
    }
}
