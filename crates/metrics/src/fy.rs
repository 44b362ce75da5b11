//! The Indian financial year (1 April – 31 March), its quarters and date ranges.
//!
//! `FY2025-26` runs from 2025-04-01 to 2026-03-31. A [`FinancialYear`] is identified by the
//! calendar year in which it starts, so it orders and hashes like a number and prints as its
//! label.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Why a date range or a financial year could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FyError {
    #[error("`{0}` is not a financial year (expected e.g. \"FY2025-26\" or \"2025-26\")")]
    Unparseable(String),
    #[error("financial year starting in {0} is outside the supported calendar")]
    OutOfRange(i32),
    #[error("date range starts on {start} after it ends on {end}")]
    InvertedRange { start: NaiveDate, end: NaiveDate },
}

/// An inclusive range of calendar days, `start ..= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, FyError> {
        if start > end {
            return Err(FyError::InvertedRange { start, end });
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Number of calendar days in the range, both ends included.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.start, self.end)
    }
}

/// A quarter of the financial year: Q1 = Apr–Jun, Q2 = Jul–Sep, Q3 = Oct–Dec, Q4 = Jan–Mar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FiscalQuarter {
    Q1,
    Q2,
    Q3,
    Q4,
}

impl FiscalQuarter {
    pub const ALL: [FiscalQuarter; 4] = [Self::Q1, Self::Q2, Self::Q3, Self::Q4];

    /// The quarter a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        match date.month() {
            4..=6 => Self::Q1,
            7..=9 => Self::Q2,
            10..=12 => Self::Q3,
            _ => Self::Q4,
        }
    }

    /// 1 for Q1 … 4 for Q4.
    pub fn number(self) -> u32 {
        match self {
            Self::Q1 => 1,
            Self::Q2 => 2,
            Self::Q3 => 3,
            Self::Q4 => 4,
        }
    }
}

impl fmt::Display for FiscalQuarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Q{}", self.number())
    }
}

/// An Indian financial year, identified by the calendar year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FinancialYear(i32);

impl FinancialYear {
    /// The financial year that starts on 1 April of `start_year`.
    pub fn new(start_year: i32) -> Result<Self, FyError> {
        let fits = NaiveDate::from_ymd_opt(start_year, 4, 1).is_some()
            && NaiveDate::from_ymd_opt(start_year.saturating_add(1), 3, 31).is_some();
        if fits {
            Ok(Self(start_year))
        } else {
            Err(FyError::OutOfRange(start_year))
        }
    }

    /// The financial year containing `date`.
    pub fn of(date: NaiveDate) -> Self {
        if date.month() >= 4 {
            Self(date.year())
        } else {
            Self(date.year() - 1)
        }
    }

    /// The calendar year of 1 April (2025 for FY2025-26).
    pub fn start_year(self) -> i32 {
        self.0
    }

    /// 1 April. Saturates at the calendar's first day for the one year chrono cannot represent.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).unwrap_or(NaiveDate::MIN)
    }

    /// 31 March of the following calendar year (saturating like [`Self::start`]).
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0.saturating_add(1), 3, 31).unwrap_or(NaiveDate::MAX)
    }

    pub fn range(self) -> DateRange {
        DateRange {
            start: self.start(),
            end: self.end(),
        }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Self::of(date) == self
    }

    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }

    pub fn previous(self) -> Self {
        Self(self.0.saturating_sub(1))
    }

    /// `"FY2025-26"`.
    pub fn label(self) -> String {
        self.to_string()
    }

    /// Parses `"FY2025-26"`, `"FY 2025-26"`, `"2025-26"` or `"2025-2026"` (case-insensitive
    /// prefix; `-`, `–` or `/` between the years). The second year must follow the first.
    pub fn parse(text: &str) -> Result<Self, FyError> {
        let unparseable = || FyError::Unparseable(text.to_owned());
        let trimmed = text.trim();
        let body = match trimmed.get(..2) {
            Some(prefix) if prefix.eq_ignore_ascii_case("FY") => trimmed[2..].trim_start(),
            _ => trimmed,
        };
        let (first, second) = body.split_once(['-', '–', '/']).ok_or_else(unparseable)?;
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if first.len() != 4 || !all_digits(first) || !all_digits(second) {
            return Err(unparseable());
        }
        let start_year: i32 = first.parse().map_err(|_| unparseable())?;
        let follows = match second.len() {
            2 => second.parse::<i32>().ok() == Some((start_year + 1).rem_euclid(100)),
            4 => second.parse::<i32>().ok() == Some(start_year + 1),
            _ => false,
        };
        if !follows {
            return Err(unparseable());
        }
        Self::new(start_year)
    }

    /// The dates of one quarter of this year.
    pub fn quarter(self, quarter: FiscalQuarter) -> DateRange {
        let (start_month, start_year_offset) = match quarter {
            FiscalQuarter::Q1 => (4, 0),
            FiscalQuarter::Q2 => (7, 0),
            FiscalQuarter::Q3 => (10, 0),
            FiscalQuarter::Q4 => (1, 1),
        };
        let year = self.0.saturating_add(start_year_offset);
        let start = NaiveDate::from_ymd_opt(year, start_month, 1).unwrap_or(NaiveDate::MIN);
        let end = start
            .checked_add_months(chrono::Months::new(3))
            .and_then(|d| d.checked_sub_days(Days::new(1)))
            .unwrap_or(NaiveDate::MAX);
        DateRange { start, end }
    }

    /// The four quarters, Q1 first.
    pub fn quarters(self) -> [DateRange; 4] {
        FiscalQuarter::ALL.map(|q| self.quarter(q))
    }

    /// Financial-year-to-date: from 1 April of the year containing `as_of` to `as_of`.
    pub fn to_date(as_of: NaiveDate) -> DateRange {
        DateRange {
            start: Self::of(as_of).start(),
            end: as_of,
        }
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{}-{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

impl FromStr for FinancialYear {
    type Err = FyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for FinancialYear {
    type Error = FyError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<FinancialYear> for String {
    fn from(value: FinancialYear) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn year_boundaries() {
        let fy = FinancialYear::of(date(2025, 4, 1));
        assert_eq!(fy.label(), "FY2025-26");
        assert_eq!(fy.start(), date(2025, 4, 1));
        assert_eq!(fy.end(), date(2026, 3, 31));
        assert_eq!(FinancialYear::of(date(2026, 3, 31)), fy);
        assert_eq!(FinancialYear::of(date(2025, 3, 31)).label(), "FY2024-25");
        assert_eq!(FinancialYear::of(date(1999, 6, 1)).label(), "FY1999-00");
        assert_eq!(fy.range().days(), 365);
        assert_eq!(FinancialYear(2023).range().days(), 366);
    }

    #[test]
    fn parses_labels() {
        for text in [
            "FY2025-26",
            "fy 2025-26",
            "2025-26",
            "2025-2026",
            " FY2025–26 ",
            "2025/26",
        ] {
            assert_eq!(
                FinancialYear::parse(text),
                Ok(FinancialYear(2025)),
                "{text}"
            );
        }
        assert_eq!(FinancialYear::parse("FY1999-00"), Ok(FinancialYear(1999)));
        for text in [
            "FY2025-27",
            "2025",
            "FY25-26",
            "abcd-ef",
            "",
            "FY",
            "2025-2027",
            "२०२५-२६",
        ] {
            assert!(FinancialYear::parse(text).is_err(), "{text}");
        }
        let fy: FinancialYear = "FY2025-26".parse().expect("parses");
        assert_eq!(fy.to_string(), "FY2025-26");
    }

    #[test]
    fn serde_uses_the_label() {
        let json = serde_json::to_string(&FinancialYear(2025)).expect("serialises");
        assert_eq!(json, "\"FY2025-26\"");
        let back: FinancialYear = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, FinancialYear(2025));
    }

    #[test]
    fn quarters_cover_the_year() {
        let fy = FinancialYear(2025);
        let [q1, q2, q3, q4] = fy.quarters();
        assert_eq!(
            (q1.start(), q1.end()),
            (date(2025, 4, 1), date(2025, 6, 30))
        );
        assert_eq!(
            (q2.start(), q2.end()),
            (date(2025, 7, 1), date(2025, 9, 30))
        );
        assert_eq!(
            (q3.start(), q3.end()),
            (date(2025, 10, 1), date(2025, 12, 31))
        );
        assert_eq!(
            (q4.start(), q4.end()),
            (date(2026, 1, 1), date(2026, 3, 31))
        );
        assert_eq!(FiscalQuarter::of(date(2026, 2, 14)), FiscalQuarter::Q4);
        assert_eq!(FiscalQuarter::of(date(2025, 4, 1)).to_string(), "Q1");
    }

    #[test]
    fn year_to_date() {
        let ytd = FinancialYear::to_date(date(2025, 11, 20));
        assert_eq!(
            (ytd.start(), ytd.end()),
            (date(2025, 4, 1), date(2025, 11, 20))
        );
        let ytd = FinancialYear::to_date(date(2026, 1, 5));
        assert_eq!(ytd.start(), date(2025, 4, 1));
    }

    #[test]
    fn extreme_years_do_not_panic() {
        assert!(FinancialYear::new(i32::MAX).is_err());
        let fy = FinancialYear::of(NaiveDate::MIN);
        let _ = (
            fy.start(),
            fy.end(),
            fy.quarters(),
            fy.label(),
            fy.next(),
            fy.previous(),
        );
        let fy = FinancialYear::of(NaiveDate::MAX);
        let _ = (fy.start(), fy.end(), fy.quarters(), fy.label());
        assert!(DateRange::new(date(2025, 1, 2), date(2025, 1, 1)).is_err());
    }
}
