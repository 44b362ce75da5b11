//! Time-weighted return (TWRR) from daily valuations and external flows; the standard
//! reporting periods (1M … 5Y, since inception, FYTD, custom) and CAGR.
//!
//! # Definitions (METRICS.md)
//! - Valuations `V₀ … Vₙ` are end-of-day values that already include that day's net external
//!   flow `Fₜ` (portfolio view: a client inflow is positive).
//! - Daily return `rₜ = (Vₜ − Fₜ) / Vₜ₋₁ − 1`; a day with `Vₜ₋₁ ≤ 0` contributes 0.
//! - Cumulative TWRR `= Π(1 + rₜ) − 1`; reported return over `D` calendar days
//!   `= (1 + TWRR)^(365/D) − 1` when `D ≥ 365`, else the cumulative figure.
//!
//! # Decisions where METRICS.md is silent
//! - **Flows between valuation dates** belong to the next valuation (it is the first value
//!   that contains them). Flows on or before the first valuation date are part of `V₀`; flows
//!   after the last valuation are not in any value and are ignored
//!   ([`PerformanceSeries::unattributed_flows`] counts them).
//! - **Two valuations on one date** are an error: the series would be ambiguous.
//! - **Locating a period.** A period covers whole days `first ..= last`. Its closing value is
//!   the last valuation on or before `last`; its opening (base) value is the last valuation on
//!   or before the day *before* `first` (the close the period grows from). If the history
//!   starts exactly on `first`, the base is the first valuation (the period is "since
//!   inception"). Otherwise, when no valuation exists on or before the base date, the period
//!   is longer than the history and undefined ([`TwrrError::PeriodLongerThanHistory`]).
//!   Trailing periods ending on `as_of` start the day after `as_of − N months` (month ends
//!   clamp: 31 May − 3M = 28/29 Feb), so their base is the close on `as_of − N months`;
//!   FYTD's base is the close on 31 March.
//! - `D` counts calendar days between the base and the closing valuation dates (the days the
//!   return was actually earned over).

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::fy::{DateRange, FinancialYear};
use crate::inputs::{finite, CashFlow, Valuation};
use crate::xirr::{self, XirrError};

/// Why a TWRR figure could not be produced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TwrrError {
    #[error("no valuations")]
    NoValuations,
    #[error("the valuation on {0} is not a finite number")]
    NonFiniteValue(NaiveDate),
    #[error("the flow on {0} is not a finite number")]
    NonFiniteFlow(NaiveDate),
    #[error("two valuations on {0}")]
    DuplicateValuationDate(NaiveDate),
    #[error("the daily return on {0} overflows")]
    NonFiniteReturn(NaiveDate),
    #[error("the cumulative return overflows")]
    Overflow,
    #[error("{0} is before the first valuation")]
    BeforeHistory(NaiveDate),
    #[error("the period needs a valuation on or before {0}, before the history starts")]
    PeriodLongerThanHistory(NaiveDate),
    #[error(transparent)]
    MoneyWeighted(#[from] XirrError),
}

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Period {
    OneMonth,
    ThreeMonths,
    SixMonths,
    OneYear,
    TwoYears,
    ThreeYears,
    FiveYears,
    SinceInception,
    FinancialYearToDate,
    /// Whole days `start ..= end`; `as_of` is ignored.
    Custom(DateRange),
}

impl Period {
    /// The periods of a standard performance table, in display order.
    pub const STANDARD: [Period; 9] = [
        Period::OneMonth,
        Period::ThreeMonths,
        Period::SixMonths,
        Period::OneYear,
        Period::TwoYears,
        Period::ThreeYears,
        Period::FiveYears,
        Period::FinancialYearToDate,
        Period::SinceInception,
    ];

    /// `"1M"`, `"3M"`, …, `"5Y"`, `"SI"`, `"FYTD"`, or `"2024-01-01 to 2024-12-31"`.
    pub fn label(&self) -> String {
        match self {
            Period::OneMonth => "1M".into(),
            Period::ThreeMonths => "3M".into(),
            Period::SixMonths => "6M".into(),
            Period::OneYear => "1Y".into(),
            Period::TwoYears => "2Y".into(),
            Period::ThreeYears => "3Y".into(),
            Period::FiveYears => "5Y".into(),
            Period::SinceInception => "SI".into(),
            Period::FinancialYearToDate => "FYTD".into(),
            Period::Custom(range) => range.to_string(),
        }
    }

    fn trailing_months(&self) -> Option<u32> {
        match self {
            Period::OneMonth => Some(1),
            Period::ThreeMonths => Some(3),
            Period::SixMonths => Some(6),
            Period::OneYear => Some(12),
            Period::TwoYears => Some(24),
            Period::ThreeYears => Some(36),
            Period::FiveYears => Some(60),
            _ => None,
        }
    }
}

/// TWRR over one period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PeriodReturn {
    /// Date of the base (opening) valuation.
    pub start: NaiveDate,
    /// Date of the closing valuation.
    pub end: NaiveDate,
    /// Calendar days from `start` to `end`.
    pub days: i64,
    /// `Π(1 + rₜ) − 1` over the period.
    pub cumulative: f64,
    /// The reported figure: annualised when `days ≥ 365`, else equal to `cumulative`.
    /// `None` when the growth is negative and cannot be annualised.
    pub annualized: Option<f64>,
}

impl PeriodReturn {
    /// Whether [`Self::annualized`] is an annual rate (rather than the absolute return).
    pub fn is_annualized(&self) -> bool {
        self.days >= 365
    }
}

/// One row of a performance table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodRow {
    pub period: Period,
    pub label: String,
    /// `None` when the period is longer than the history.
    pub result: Option<PeriodReturn>,
}

/// The reported return for a cumulative return earned over `days` calendar days:
/// annualised with `365/days` when `days ≥ 365`, else unchanged. `None` if undefined.
pub fn annualize(cumulative: f64, days: i64) -> Option<f64> {
    if !cumulative.is_finite() || days < 0 {
        return None;
    }
    if days >= 365 {
        finite((1.0 + cumulative).powf(365.0 / days as f64) - 1.0)
    } else {
        Some(cumulative)
    }
}

/// CAGR of a value with no flows between two valuations: the same rule on `V_end / V_start`.
/// `None` unless `start` is positive and strictly earlier.
pub fn cagr(start: Valuation, end: Valuation) -> Option<f64> {
    if !(start.value > 0.0 && start.date < end.date && end.value.is_finite()) {
        return None;
    }
    annualize(
        end.value / start.value - 1.0,
        (end.date - start.date).num_days(),
    )
}

/// A portfolio's valuation history with its flows attributed and daily returns computed.
#[derive(Debug, Clone, PartialEq)]
pub struct PerformanceSeries {
    dates: Vec<NaiveDate>,
    values: Vec<f64>,
    /// Net external flow attributed to each valuation (the first is always 0).
    flows: Vec<f64>,
    /// `returns[i]` is the return earned on `dates[i + 1]`.
    returns: Vec<f64>,
    unattributed_flows: usize,
}

impl PerformanceSeries {
    /// A series from daily `(date, value, flow)`: each day's value includes that day's net
    /// external flow (the form the store keeps valuations in).
    pub fn from_daily(
        days: impl IntoIterator<Item = (NaiveDate, f64, f64)>,
    ) -> Result<Self, TwrrError> {
        let mut valuations = Vec::new();
        let mut flows = Vec::new();
        for (date, value, flow) in days {
            valuations.push(Valuation::new(date, value));
            if flow != 0.0 {
                flows.push(CashFlow::new(date, flow));
            }
        }
        Self::new(&valuations, &flows)
    }

    /// Sorts the valuations, attributes the flows and computes the daily returns.
    pub fn new(valuations: &[Valuation], flows: &[CashFlow]) -> Result<Self, TwrrError> {
        if valuations.is_empty() {
            return Err(TwrrError::NoValuations);
        }
        let mut sorted = valuations.to_vec();
        if !sorted.is_sorted_by_key(|v| v.date) {
            sorted.sort_unstable_by_key(|v| v.date);
        }
        let mut dates = Vec::with_capacity(sorted.len());
        let mut values = Vec::with_capacity(sorted.len());
        for valuation in &sorted {
            if !valuation.value.is_finite() {
                return Err(TwrrError::NonFiniteValue(valuation.date));
            }
            if dates.last() == Some(&valuation.date) {
                return Err(TwrrError::DuplicateValuationDate(valuation.date));
            }
            dates.push(valuation.date);
            values.push(valuation.value);
        }

        // Sorted by (date, amount) so same-day sums do not depend on the input order.
        let mut ordered_flows = flows.to_vec();
        ordered_flows
            .sort_unstable_by(|a, b| a.date.cmp(&b.date).then(a.amount.total_cmp(&b.amount)));
        let mut attributed = vec![0.0; dates.len()];
        let mut unattributed_flows = 0;
        for flow in &ordered_flows {
            if !flow.amount.is_finite() {
                return Err(TwrrError::NonFiniteFlow(flow.date));
            }
            let first_at_or_after = dates.partition_point(|d| *d < flow.date);
            match attributed.get_mut(first_at_or_after) {
                Some(slot) if first_at_or_after > 0 => *slot += flow.amount,
                Some(_) => {} // on or before the first valuation: already part of V₀
                None => unattributed_flows += 1,
            }
        }
        if let Some(position) = attributed.iter().position(|f| !f.is_finite()) {
            return Err(TwrrError::NonFiniteFlow(dates[position]));
        }

        let mut returns = Vec::with_capacity(dates.len().saturating_sub(1));
        for t in 1..dates.len() {
            let previous = values[t - 1];
            let r = if previous <= 0.0 {
                0.0
            } else {
                (values[t] - attributed[t]) / previous - 1.0
            };
            if !r.is_finite() {
                return Err(TwrrError::NonFiniteReturn(dates[t]));
            }
            returns.push(r);
        }

        Ok(Self {
            dates,
            values,
            flows: attributed,
            returns,
            unattributed_flows,
        })
    }

    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Net external flow attributed to each valuation date.
    pub fn flows(&self) -> &[f64] {
        &self.flows
    }

    /// One return per valuation after the first.
    pub fn daily_returns(&self) -> &[f64] {
        &self.returns
    }

    /// `(date, return)` pairs, the return dated by the valuation that closes it.
    pub fn dated_returns(&self) -> impl Iterator<Item = (NaiveDate, f64)> + '_ {
        self.dates
            .iter()
            .skip(1)
            .copied()
            .zip(self.returns.iter().copied())
    }

    /// Flows dated after the last valuation (ignored).
    pub fn unattributed_flows(&self) -> usize {
        self.unattributed_flows
    }

    pub fn first_date(&self) -> NaiveDate {
        self.dates.first().copied().unwrap_or(NaiveDate::MIN)
    }

    pub fn last_date(&self) -> NaiveDate {
        self.dates.last().copied().unwrap_or(NaiveDate::MIN)
    }

    /// TWRR over the whole history; `None` with a single valuation.
    pub fn twrr(&self) -> Result<Option<PeriodReturn>, TwrrError> {
        if self.dates.len() < 2 {
            return Ok(None);
        }
        self.between(0, self.dates.len() - 1).map(Some)
    }

    /// TWRR over `period`, with trailing periods ending on `as_of` (see the module doc for
    /// how the base valuation is located).
    pub fn period_return(
        &self,
        period: Period,
        as_of: NaiveDate,
    ) -> Result<PeriodReturn, TwrrError> {
        let (base, end) = self.locate(period, as_of)?;
        self.between(base, end)
    }

    /// The standard table (1M … 5Y, FYTD, SI) as of `as_of`; undefined periods are `None`.
    pub fn standard_periods(&self, as_of: NaiveDate) -> Vec<PeriodRow> {
        Period::STANDARD
            .iter()
            .map(|&period| PeriodRow {
                period,
                label: period.label(),
                result: self.period_return(period, as_of).ok(),
            })
            .collect()
    }

    /// Money-weighted return (XIRR) over `period`: the base value invested at the start, every
    /// flow in between, and the closing value received at the end.
    pub fn money_weighted_return(
        &self,
        period: Period,
        as_of: NaiveDate,
    ) -> Result<f64, TwrrError> {
        let (base, end) = self.locate(period, as_of)?;
        let mut flows = Vec::with_capacity(end - base + 1);
        flows.push(CashFlow::new(self.dates[base], -self.values[base]));
        for t in base + 1..=end {
            if self.flows[t] != 0.0 {
                flows.push(CashFlow::new(self.dates[t], -self.flows[t]));
            }
        }
        flows.push(CashFlow::new(self.dates[end], self.values[end]));
        Ok(xirr::xirr(&flows)?)
    }

    /// `(base, end)` valuation indices of a period.
    fn locate(&self, period: Period, as_of: NaiveDate) -> Result<(usize, usize), TwrrError> {
        let last_day = match period {
            Period::Custom(range) => range.end(),
            _ => as_of,
        };
        let end = self
            .last_on_or_before(last_day)
            .ok_or(TwrrError::BeforeHistory(last_day))?;
        let base_anchor = match period {
            Period::SinceInception => return Ok((0, end)),
            Period::FinancialYearToDate => FinancialYear::of(as_of).start().pred_opt(),
            Period::Custom(range) => range.start().pred_opt(),
            trailing => trailing
                .trailing_months()
                .and_then(|months| as_of.checked_sub_months(Months::new(months))),
        }
        .unwrap_or(NaiveDate::MIN);
        let base = match self.last_on_or_before(base_anchor) {
            Some(index) => index,
            None if base_anchor.checked_add_days(Days::new(1)) == Some(self.first_date()) => 0,
            None => return Err(TwrrError::PeriodLongerThanHistory(base_anchor)),
        };
        Ok((base.min(end), end))
    }

    fn last_on_or_before(&self, date: NaiveDate) -> Option<usize> {
        self.dates.partition_point(|d| *d <= date).checked_sub(1)
    }

    fn between(&self, base: usize, end: usize) -> Result<PeriodReturn, TwrrError> {
        let growth: f64 = self
            .returns
            .get(base..end)
            .unwrap_or_default()
            .iter()
            .fold(1.0, |g, r| g * (1.0 + r));
        let cumulative = growth - 1.0;
        if !cumulative.is_finite() {
            return Err(TwrrError::Overflow);
        }
        let (start, end) = (self.dates[base], self.dates[end]);
        let days = (end - start).num_days();
        Ok(PeriodReturn {
            start,
            end,
            days,
            cumulative,
            annualized: annualize(cumulative, days),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn v(y: i32, m: u32, d: u32, value: f64) -> Valuation {
        Valuation::new(date(y, m, d), value)
    }

    #[test]
    fn daily_returns_strip_flows() {
        let valuations = [
            v(2025, 1, 1, 100.0),
            v(2025, 1, 2, 160.0),
            v(2025, 1, 3, 176.0),
        ];
        let flows = [CashFlow::new(date(2025, 1, 2), 50.0)];
        let series = PerformanceSeries::new(&valuations, &flows).expect("valid");
        let r = series.daily_returns();
        assert!((r[0] - 0.10).abs() < 1e-15 && (r[1] - 0.10).abs() < 1e-15);
        let twrr = series.twrr().expect("finite").expect("two valuations");
        assert!((twrr.cumulative - 0.21).abs() < 1e-15);
        assert_eq!(twrr.annualized, Some(twrr.cumulative));
    }

    #[test]
    fn flows_between_valuations_go_to_the_next_one() {
        let valuations = [v(2025, 1, 3, 100.0), v(2025, 1, 6, 150.0)];
        let flows = [
            CashFlow::new(date(2025, 1, 1), 999.0),  // before: part of V₀
            CashFlow::new(date(2025, 1, 4), 50.0),   // weekend top-up
            CashFlow::new(date(2025, 1, 7), -999.0), // after the last valuation
        ];
        let series = PerformanceSeries::new(&valuations, &flows).expect("valid");
        assert_eq!(series.daily_returns(), &[0.0]);
        assert_eq!(series.unattributed_flows(), 1);
    }

    #[test]
    fn zero_previous_value_contributes_nothing() {
        let valuations = [
            v(2025, 1, 1, 0.0),
            v(2025, 1, 2, 100.0),
            v(2025, 1, 3, 110.0),
        ];
        let flows = [CashFlow::new(date(2025, 1, 2), 100.0)];
        let series = PerformanceSeries::new(&valuations, &flows).expect("valid");
        assert_eq!(series.daily_returns()[0], 0.0);
        assert!((series.daily_returns()[1] - 0.1).abs() < 1e-15);
    }

    #[test]
    fn annualises_from_a_year() {
        assert_eq!(annualize(0.5, 364), Some(0.5));
        let two_years = annualize(0.21, 730).expect("defined");
        assert!((two_years - 0.1).abs() < 1e-12);
        assert_eq!(annualize(-1.5, 730), None);
        let c = cagr(v(2020, 1, 1, 100.0), v(2022, 1, 1, 121.0)).expect("defined");
        assert!((c - (1.21_f64.powf(365.0 / 731.0) - 1.0)).abs() < 1e-15);
        assert_eq!(cagr(v(2020, 1, 1, 0.0), v(2022, 1, 1, 121.0)), None);
    }

    #[test]
    fn period_location() {
        // A valuation every day of 2023 and 2024, value rising 0.1% a day.
        let mut valuations = Vec::new();
        let mut day = date(2023, 1, 1);
        let mut value = 100.0;
        while day <= date(2024, 12, 31) {
            valuations.push(Valuation::new(day, value));
            value *= 1.001;
            day = day.succ_opt().expect("in range");
        }
        let series = PerformanceSeries::new(&valuations, &[]).expect("valid");
        let as_of = date(2024, 12, 31);

        let one_year = series
            .period_return(Period::OneYear, as_of)
            .expect("defined");
        assert_eq!(
            (one_year.start, one_year.end, one_year.days),
            (date(2023, 12, 31), as_of, 366)
        );
        assert!(one_year.is_annualized());

        let fytd = series
            .period_return(Period::FinancialYearToDate, as_of)
            .expect("defined");
        assert_eq!(fytd.start, date(2024, 3, 31));
        assert!(!fytd.is_annualized());
        assert_eq!(fytd.annualized, Some(fytd.cumulative));

        let three_months = series
            .period_return(Period::ThreeMonths, date(2024, 5, 31))
            .expect("defined");
        assert_eq!(three_months.start, date(2024, 2, 29));

        // Two years back from 2024-12-31 is 2022-12-31, the day before the history starts:
        // the period is exactly since inception.
        let two_years = series
            .period_return(Period::TwoYears, as_of)
            .expect("defined");
        assert_eq!(two_years.start, date(2023, 1, 1));
        assert_eq!(
            series.period_return(Period::ThreeYears, as_of),
            Err(TwrrError::PeriodLongerThanHistory(date(2021, 12, 31)))
        );

        let custom = DateRange::new(date(2024, 1, 1), date(2024, 1, 31)).expect("valid");
        let january = series
            .period_return(Period::Custom(custom), as_of)
            .expect("defined");
        assert_eq!(
            (january.start, january.end, january.days),
            (date(2023, 12, 31), date(2024, 1, 31), 31)
        );
        assert!((january.cumulative - (1.001_f64.powi(31) - 1.0)).abs() < 1e-12);

        let table = series.standard_periods(as_of);
        assert_eq!(table.len(), Period::STANDARD.len());
        assert!(table
            .iter()
            .find(|row| row.label == "5Y")
            .is_some_and(|row| row.result.is_none()));
        assert!(table
            .iter()
            .find(|row| row.label == "SI")
            .is_some_and(|row| row.result.is_some()));
    }

    #[test]
    fn money_weighted_matches_twrr_without_flows() {
        let valuations = [v(2023, 1, 1, 100.0), v(2024, 1, 1, 110.0)];
        let series = PerformanceSeries::new(&valuations, &[]).expect("valid");
        let mwr = series
            .money_weighted_return(Period::SinceInception, date(2024, 1, 1))
            .expect("defined");
        assert!((mwr - 0.1).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            PerformanceSeries::new(&[], &[]),
            Err(TwrrError::NoValuations)
        );
        let duplicate = [v(2025, 1, 1, 1.0), v(2025, 1, 1, 2.0)];
        assert!(matches!(
            PerformanceSeries::new(&duplicate, &[]),
            Err(TwrrError::DuplicateValuationDate(_))
        ));
        let single = PerformanceSeries::new(&[v(2025, 1, 1, 1.0)], &[]).expect("valid");
        assert_eq!(single.twrr(), Ok(None));
        assert!(single
            .period_return(Period::OneMonth, date(2024, 1, 1))
            .is_err());
    }
}
