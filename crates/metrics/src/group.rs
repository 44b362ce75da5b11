//! Performance of a group of portfolios (an investment approach, a strategy, an RM's book, a
//! client, the firm): the return of the group's **pooled money**, never an average of its
//! portfolios' returns.
//!
//! # Definitions (METRICS.md, "Groups of portfolios")
//! - Daily `V_t = Σ_p V_{p,t}` and `F_t = Σ_p F_{p,t}`, then the TWRR of
//!   [`twrr`](mod@crate::twrr) on that series. A portfolio's first inflow and its final
//!   withdrawal are ordinary flows. The result equals the average of the portfolios' daily
//!   returns weighted by their values at the start of the day; weighting period returns by
//!   end-of-period values ("AUM-weighted TWRR") is wrong, it rewards the portfolios that grew.
//! - Group XIRR ([`group_xirr`]): every external flow of the group in the period, the group's
//!   value at the start invested and its value at the end received.
//! - Group benchmark ([`group_benchmark`]): the blend of the benchmarks' daily returns
//!   weighted by the pooled start-of-day value of the portfolios following each, the same
//!   weights as the group's own daily return.
//!
//! # Decisions where METRICS.md is silent
//! - **The group's dates** are every date on which at least one of its portfolios has a
//!   valuation.
//! - **A date on which a portfolio has no valuation**: before its first valuation it
//!   contributes nothing (it does not exist yet); from its first valuation on it contributes
//!   its **latest valuation on or before that date** (carried forward, flow 0) — also after its
//!   last valuation. A portfolio closed with its final withdrawal has a last valuation of 0, so
//!   it then contributes 0; one whose data merely stops (or skips a day) keeps its last known
//!   value and earns 0 that day instead of showing its whole value as a loss (and the value
//!   back as a gain the next day). Carrying forward keeps each portfolio's own chain of
//!   returns intact: its return over a skipped day is earned on its next valuation, as in the
//!   single-portfolio TWRR. When every portfolio is valued on every group date from its first
//!   valuation to its closing one, "carried forward" and "the portfolios valued that day" give
//!   the same sums (every reference case is of this kind).
//! - **A portfolio's flows** are attributed to its own valuations as in
//!   [`PerformanceSeries`]: flows between two valuations belong to the next; flows after its
//!   last valuation are in no value and are ignored. Unlike a single portfolio, flows on or
//!   before a portfolio's first valuation are a **group flow on that date** (its opening
//!   inflow): they are new money for the group. (On the group's very first date they are, like
//!   any flow on a series' first date, part of the opening value.)
//! - A portfolio with no valuations contributes nothing.
//! - Sums run in the order the portfolios are given, so the result does not depend on the
//!   order of valuations or flows within a portfolio.
//!
//! # Summing in SQL ([`group_series_from_days`])
//! A server that sums in the database passes one [`GroupDay`] per date; the figures are the
//! same as [`group_series`] on the same data (up to the last bit of the `f64` sums: SQL's
//! `numeric` is exact and is converted once, the library adds `f64`s). Per date on which any
//! of the group's portfolios is valued:
//! - `value` = the sum, over the group's portfolios with a valuation on or before that date,
//!   of each one's latest `market_value` on or before it;
//! - `flow` = the sum of `net_flow` of the portfolios valued on that date (each row's
//!   `net_flow` being the portfolio's external flows attributed to that valuation, as above —
//!   including the opening inflow on its first row).
//!
//! With `fact_valuation (portfolio_id, valuation_date, market_value, net_flow)` the carried sum
//! is a running sum of each portfolio's day-to-day changes:
//! ```sql
//! SELECT valuation_date AS date,
//!        sum(sum(market_value - previous_value)) OVER (ORDER BY valuation_date) AS value,
//!        sum(net_flow) AS flow
//! FROM (SELECT valuation_date, market_value, net_flow,
//!              coalesce(lag(market_value) OVER (PARTITION BY portfolio_id
//!                                               ORDER BY valuation_date), 0) AS previous_value
//!       FROM fact_valuation
//!       WHERE portfolio_id = ANY($1) AND valuation_date <= $2) AS v
//! GROUP BY valuation_date
//! ORDER BY valuation_date;
//! ```
//! Do not restrict the inner query to a start date (the running sum needs each portfolio's
//! history from its first valuation); the period is chosen afterwards with
//! [`PerformanceSeries::period_return`]. The same query with `PARTITION BY benchmark_id` in the
//! outer window and `GROUP BY valuation_date, benchmark_id` gives the per-benchmark pooled
//! closes for [`start_of_day_weights`].

use std::collections::BTreeMap;
use std::fmt::Display;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::inputs::{CashFlow, Valuation};
use crate::twrr::{annualize, PerformanceSeries, Period, PeriodReturn, TwrrError};

/// Why a group figure could not be produced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GroupError {
    #[error("the group has no valuations")]
    NoValuations,
    #[error("portfolio #{index}: {source}")]
    Portfolio { index: usize, source: TwrrError },
    #[error("the group's value or flow on {0} is not a finite number")]
    NonFiniteSum(NaiveDate),
    #[error(transparent)]
    Series(#[from] TwrrError),
    #[error("benchmark {benchmark} has no level on or before {date}")]
    MissingBenchmarkLevel { benchmark: String, date: NaiveDate },
    #[error("benchmark {benchmark}'s level on {date} is not a positive finite number")]
    BadBenchmarkLevel { benchmark: String, date: NaiveDate },
    #[error("benchmark {benchmark} has two levels on {date}")]
    DuplicateBenchmarkLevel { benchmark: String, date: NaiveDate },
    #[error("benchmark {benchmark} has two pooled closes on {date}")]
    DuplicateClose { benchmark: String, date: NaiveDate },
    #[error("a benchmark weight on {0} is not a finite number")]
    NonFiniteWeight(NaiveDate),
    #[error("a benchmark weight is dated {0}, which is not a group date after the first")]
    WeightOffCalendar(NaiveDate),
    #[error("the blended benchmark return on {0} overflows")]
    NonFiniteReturn(NaiveDate),
    #[error("the cumulative benchmark return overflows")]
    Overflow,
}

/// One portfolio of a group: its valuations and external flows (portfolio's view: an inflow
/// is positive), in any order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PortfolioHistory<'a> {
    pub valuations: &'a [Valuation],
    pub flows: &'a [CashFlow],
}

impl<'a> PortfolioHistory<'a> {
    pub fn new(valuations: &'a [Valuation], flows: &'a [CashFlow]) -> Self {
        Self { valuations, flows }
    }
}

/// One date of a group: the pooled value at the close and the day's net external flow (the
/// rows a server's SQL returns; see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupDay {
    pub date: NaiveDate,
    pub value: f64,
    pub flow: f64,
}

/// The pooled daily series of a group (see the module doc for missing dates and flows).
/// `Ok(vec![])` when no portfolio has a valuation.
pub fn pooled_days(portfolios: &[PortfolioHistory<'_>]) -> Result<Vec<GroupDay>, GroupError> {
    let members = prepare_all(portfolios)?;
    let mut days = Vec::new();
    for_each_group_date(members, |date, members| {
        let (mut value, mut flow) = (0.0, 0.0);
        for member in members {
            value += member.close.unwrap_or(0.0);
            flow += member.flow_today;
        }
        if !(value.is_finite() && flow.is_finite()) {
            return Err(GroupError::NonFiniteSum(date));
        }
        days.push(GroupDay { date, value, flow });
        Ok(())
    })?;
    Ok(days)
}

/// The group's pooled [`PerformanceSeries`]: its TWRR, periods, daily returns (for the
/// statistics) and XIRR are those of the group.
pub fn group_series(portfolios: &[PortfolioHistory<'_>]) -> Result<PerformanceSeries, GroupError> {
    group_series_from_days(&pooled_days(portfolios)?)
}

/// The group's series from already-pooled daily rows (summed by the caller, e.g. in SQL as
/// the module doc describes), in any order. The first date's flow is part of its value.
pub fn group_series_from_days(days: &[GroupDay]) -> Result<PerformanceSeries, GroupError> {
    if days.is_empty() {
        return Err(GroupError::NoValuations);
    }
    Ok(PerformanceSeries::from_daily(
        days.iter().map(|d| (d.date, d.value, d.flow)),
    )?)
}

/// One portfolio's valuation date, closing value and the day's external flow (inflow positive).
pub type DailyRow = (NaiveDate, f64, f64);

/// The 1-year TWRR (annualised) of the pooled daily values and flows of `portfolios`, to the
/// latest of their dates; `None` without a year of pooled history or when the pool is empty.
/// This is the client figure (METRICS.md "Groups of portfolios"): the same number as the
/// performance page's 1Y row for the same portfolios.
pub fn pooled_one_year_twrr(portfolios: &[&[DailyRow]]) -> Option<f64> {
    let histories: Vec<(Vec<Valuation>, Vec<CashFlow>)> = portfolios
        .iter()
        .filter(|days| !days.is_empty())
        .map(|days| {
            let valuations = days.iter().map(|&(d, v, _)| Valuation::new(d, v)).collect();
            let flows = days
                .iter()
                .filter(|row| row.2 != 0.0)
                .map(|&(d, _, flow)| CashFlow::new(d, flow))
                .collect();
            (valuations, flows)
        })
        .collect();
    let members: Vec<PortfolioHistory<'_>> = histories
        .iter()
        .map(|(v, f)| PortfolioHistory::new(v, f))
        .collect();
    let series = group_series(&members).ok()?;
    let as_of = series.last_date();
    series
        .standard_periods(as_of)
        .into_iter()
        .find(|row| row.label == "1Y")
        .and_then(|row| row.result)
        .and_then(|result| result.annualized)
}

/// Group XIRR over `period` (trailing periods ending on `as_of`): the group's value at the
/// period's base date invested, every external flow of its portfolios after it (each on the
/// valuation date it is attributed to), and the closing value received. `series` is the
/// group's pooled series ([`group_series`] or [`group_series_from_days`]).
pub fn group_xirr(
    series: &PerformanceSeries,
    period: Period,
    as_of: NaiveDate,
) -> Result<f64, TwrrError> {
    series.money_weighted_return(period, as_of)
}

/// The weight of one benchmark in the group's return dated `date`: the pooled value, at the
/// start of that day (the close of the previous group date, carried forward), of the group's
/// portfolios that follow it. Several rows for one `(date, benchmark)` add up, so per-portfolio
/// rows work as well as pooled ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkWeight<K> {
    pub date: NaiveDate,
    pub benchmark: K,
    pub start_value: f64,
}

/// The pooled closing value on `date` of the group's portfolios that follow `benchmark`
/// (summed as a [`GroupDay`]'s value, over those portfolios only); carried forward to later
/// dates without a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkClose<K> {
    pub date: NaiveDate,
    pub benchmark: K,
    pub value: f64,
}

/// A benchmark's index level at the close of `date`. On a date without a level the latest
/// earlier level holds (an index holiday earns 0, the next level catches up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkLevel<K> {
    pub benchmark: K,
    pub date: NaiveDate,
    pub level: f64,
}

/// Start-of-day weights from each portfolio's benchmark: for every group date after the
/// first, per benchmark, the sum of its portfolios' values at the close of the previous group
/// date (with the missing-date rules of [`pooled_days`]). Their sum over benchmarks is the
/// group's `V_{t−1}`. Zero weights are left out.
pub fn benchmark_weights<K: Ord + Clone>(
    portfolios: &[(K, PortfolioHistory<'_>)],
) -> Result<Vec<BenchmarkWeight<K>>, GroupError> {
    let histories: Vec<PortfolioHistory<'_>> = portfolios.iter().map(|(_, h)| *h).collect();
    let members = prepare_all(&histories)?;
    let mut weights = Vec::new();
    let mut previous_closes: BTreeMap<&K, f64> = BTreeMap::new();
    for_each_group_date(members, |date, members| {
        for (benchmark, start_value) in &previous_closes {
            if *start_value != 0.0 {
                weights.push(BenchmarkWeight {
                    date,
                    benchmark: (*benchmark).clone(),
                    start_value: *start_value,
                });
            }
        }
        previous_closes.clear();
        for ((benchmark, _), member) in portfolios.iter().zip(members) {
            if let Some(close) = member.close {
                let sum = previous_closes.entry(benchmark).or_insert(0.0);
                *sum += close;
                if !sum.is_finite() {
                    return Err(GroupError::NonFiniteSum(date));
                }
            }
        }
        Ok(())
    })?;
    Ok(weights)
}

/// Start-of-day weights from per-benchmark pooled closes (the server's SQL, see the module
/// doc): for every date of `calendar` after the first, each benchmark's latest close on or
/// before the previous calendar date. Zero weights are left out.
pub fn start_of_day_weights<K: Ord + Clone + Display>(
    calendar: &[NaiveDate],
    closes: &[BenchmarkClose<K>],
) -> Result<Vec<BenchmarkWeight<K>>, GroupError> {
    let dates = sorted_unique(calendar);
    let mut by_benchmark: BTreeMap<&K, Vec<(NaiveDate, f64)>> = BTreeMap::new();
    for close in closes {
        if !close.value.is_finite() {
            return Err(GroupError::NonFiniteWeight(close.date));
        }
        by_benchmark
            .entry(&close.benchmark)
            .or_default()
            .push((close.date, close.value));
    }
    for (benchmark, rows) in &mut by_benchmark {
        rows.sort_unstable_by_key(|(date, _)| *date);
        if let Some(pair) = rows.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(GroupError::DuplicateClose {
                benchmark: benchmark.to_string(),
                date: pair[0].0,
            });
        }
    }
    let mut weights = Vec::new();
    for pair in dates.windows(2) {
        let (previous, date) = (pair[0], pair[1]);
        for (benchmark, rows) in &by_benchmark {
            match latest_on_or_before(rows, previous) {
                Some(start_value) if start_value != 0.0 => weights.push(BenchmarkWeight {
                    date,
                    benchmark: (*benchmark).clone(),
                    start_value,
                }),
                _ => {}
            }
        }
    }
    Ok(weights)
}

/// The group benchmark: on every date of `calendar` (the group's dates, e.g.
/// [`PerformanceSeries::dates`]) after the first, `Σ_k W_k · b_k / Σ_k W_k` with `W_k` the
/// benchmark's start-of-day weight dated that day and `b_k` its return from the previous
/// calendar date's level to this one's. A day whose weights sum to `≤ 0` (no money invested at
/// the start of it) returns 0, as the group's own return does.
///
/// Errors: a weight dated off the calendar (or on its first date), a non-finite weight, a
/// non-positive or duplicated level, or no level on or before the previous calendar date for
/// a benchmark with a non-zero weight.
pub fn group_benchmark<K: Ord + Clone + Display>(
    calendar: &[NaiveDate],
    weights: &[BenchmarkWeight<K>],
    levels: &[BenchmarkLevel<K>],
) -> Result<BlendedBenchmark, GroupError> {
    let dates = sorted_unique(calendar);

    let mut levels_of: BTreeMap<&K, Vec<(NaiveDate, f64)>> = BTreeMap::new();
    for level in levels {
        if !(level.level.is_finite() && level.level > 0.0) {
            return Err(GroupError::BadBenchmarkLevel {
                benchmark: level.benchmark.to_string(),
                date: level.date,
            });
        }
        levels_of
            .entry(&level.benchmark)
            .or_default()
            .push((level.date, level.level));
    }
    for (benchmark, rows) in &mut levels_of {
        rows.sort_unstable_by_key(|(date, _)| *date);
        if let Some(pair) = rows.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(GroupError::DuplicateBenchmarkLevel {
                benchmark: benchmark.to_string(),
                date: pair[0].0,
            });
        }
    }

    // Same-day rows of one benchmark add up; sorted so every sum is independent of the input
    // order.
    let mut ordered: Vec<&BenchmarkWeight<K>> = weights.iter().collect();
    ordered.sort_unstable_by(|a, b| {
        (a.date, &a.benchmark)
            .cmp(&(b.date, &b.benchmark))
            .then(a.start_value.total_cmp(&b.start_value))
    });
    let mut merged: Vec<(NaiveDate, &K, f64)> = Vec::with_capacity(ordered.len());
    for weight in ordered {
        if !weight.start_value.is_finite() {
            return Err(GroupError::NonFiniteWeight(weight.date));
        }
        match merged.last_mut() {
            Some((date, benchmark, sum))
                if *date == weight.date && *benchmark == &weight.benchmark =>
            {
                *sum += weight.start_value;
                if !sum.is_finite() {
                    return Err(GroupError::NonFiniteWeight(weight.date));
                }
            }
            _ => merged.push((weight.date, &weight.benchmark, weight.start_value)),
        }
    }

    let days = dates.len().saturating_sub(1);
    let mut weighted = vec![0.0; days];
    let mut total = vec![0.0; days];
    for (date, benchmark, weight) in merged {
        let index = match dates.binary_search(&date) {
            Ok(index) if index > 0 => index,
            _ => return Err(GroupError::WeightOffCalendar(date)),
        };
        if weight == 0.0 {
            continue;
        }
        let previous = dates[index - 1];
        let missing = || GroupError::MissingBenchmarkLevel {
            benchmark: benchmark.to_string(),
            date: previous,
        };
        let rows = levels_of.get(benchmark).ok_or_else(missing)?;
        let start = latest_on_or_before(rows, previous).ok_or_else(missing)?;
        let end = latest_on_or_before(rows, date).ok_or_else(missing)?;
        weighted[index - 1] += weight * (end / start - 1.0);
        total[index - 1] += weight;
    }

    let mut returns = Vec::with_capacity(days);
    for (t, (weighted, total)) in weighted.into_iter().zip(total).enumerate() {
        let r = if total > 0.0 { weighted / total } else { 0.0 };
        if !r.is_finite() {
            return Err(GroupError::NonFiniteReturn(dates[t + 1]));
        }
        returns.push(r);
    }
    Ok(BlendedBenchmark { dates, returns })
}

/// A group benchmark's daily returns on the group's dates.
#[derive(Debug, Clone, PartialEq)]
pub struct BlendedBenchmark {
    dates: Vec<NaiveDate>,
    /// `returns[i]` is the return earned on `dates[i + 1]`.
    returns: Vec<f64>,
}

impl BlendedBenchmark {
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// One return per date after the first (same layout as
    /// [`PerformanceSeries::daily_returns`]).
    pub fn daily_returns(&self) -> &[f64] {
        &self.returns
    }

    /// `(date, return)` pairs, the return dated by the day that closes it.
    pub fn dated_returns(&self) -> impl Iterator<Item = (NaiveDate, f64)> + '_ {
        self.dates
            .iter()
            .skip(1)
            .copied()
            .zip(self.returns.iter().copied())
    }

    /// The benchmark's return over the same days as a group return (`period.start`
    /// exclusive, `period.end` inclusive), annualised by the same rule over `period.days`.
    pub fn over(&self, period: &PeriodReturn) -> Result<PeriodReturn, GroupError> {
        let growth = self
            .dated_returns()
            .filter(|(date, _)| *date > period.start && *date <= period.end)
            .fold(1.0, |g, (_, r)| g * (1.0 + r));
        let cumulative = growth - 1.0;
        if !cumulative.is_finite() {
            return Err(GroupError::Overflow);
        }
        Ok(PeriodReturn {
            start: period.start,
            end: period.end,
            days: period.days,
            cumulative,
            annualized: annualize(cumulative, period.days),
        })
    }
}

/// A portfolio's valuations sorted, with its flows attributed to them, and a cursor.
struct Member {
    dates: Vec<NaiveDate>,
    values: Vec<f64>,
    /// Flows attributed to each valuation (those on or before the first go to the first).
    flows: Vec<f64>,
    /// Index of the next valuation to reach.
    next: usize,
    /// The latest valuation on or before the current group date (`None` before the first).
    close: Option<f64>,
    /// The flows attributed to the current group date.
    flow_today: f64,
}

fn prepare_all(portfolios: &[PortfolioHistory<'_>]) -> Result<Vec<Member>, GroupError> {
    portfolios
        .iter()
        .enumerate()
        .map(|(index, history)| {
            prepare(history).map_err(|source| GroupError::Portfolio { index, source })
        })
        .collect()
}

fn prepare(history: &PortfolioHistory<'_>) -> Result<Member, TwrrError> {
    let mut sorted = history.valuations.to_vec();
    sorted.sort_by_key(|v| v.date);
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
    let mut ordered = history.flows.to_vec();
    ordered.sort_unstable_by(|a, b| a.date.cmp(&b.date).then(a.amount.total_cmp(&b.amount)));
    let mut flows = vec![0.0; dates.len()];
    for flow in &ordered {
        if !flow.amount.is_finite() {
            return Err(TwrrError::NonFiniteFlow(flow.date));
        }
        // The first valuation on or after the flow; after the last valuation: ignored.
        if let Some(slot) = flows.get_mut(dates.partition_point(|d| *d < flow.date)) {
            *slot += flow.amount;
        }
    }
    if let Some(position) = flows.iter().position(|f| !f.is_finite()) {
        return Err(TwrrError::NonFiniteFlow(dates[position]));
    }
    Ok(Member {
        dates,
        values,
        flows,
        next: 0,
        close: None,
        flow_today: 0.0,
    })
}

/// Walks the group's dates (every date on which some member is valued), in order, moving
/// each member's `close` / `flow_today` to that date before calling `visit`.
fn for_each_group_date(
    mut members: Vec<Member>,
    mut visit: impl FnMut(NaiveDate, &[Member]) -> Result<(), GroupError>,
) -> Result<(), GroupError> {
    let mut calendar: Vec<NaiveDate> = members
        .iter()
        .flat_map(|m| m.dates.iter().copied())
        .collect();
    calendar.sort_unstable();
    calendar.dedup();
    for date in calendar {
        for member in &mut members {
            member.flow_today = 0.0;
            if member.dates.get(member.next) == Some(&date) {
                member.close = member.values.get(member.next).copied();
                member.flow_today = member.flows.get(member.next).copied().unwrap_or(0.0);
                member.next += 1;
            }
        }
        visit(date, &members)?;
    }
    Ok(())
}

fn sorted_unique(dates: &[NaiveDate]) -> Vec<NaiveDate> {
    let mut dates = dates.to_vec();
    dates.sort_unstable();
    dates.dedup();
    dates
}

/// The value of the latest `(date, value)` row on or before `date` (rows sorted by date).
fn latest_on_or_before(rows: &[(NaiveDate, f64)], date: NaiveDate) -> Option<f64> {
    let count = rows.partition_point(|(d, _)| *d <= date);
    count
        .checked_sub(1)
        .and_then(|i| rows.get(i))
        .map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xirr::xirr;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn day(d: u32) -> NaiveDate {
        date(2025, 1, d)
    }

    fn values(points: &[(u32, f64)]) -> Vec<Valuation> {
        points
            .iter()
            .map(|&(d, v)| Valuation::new(day(d), v))
            .collect()
    }

    fn flows(points: &[(u32, f64)]) -> Vec<CashFlow> {
        points
            .iter()
            .map(|&(d, a)| CashFlow::new(day(d), a))
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    #[test]
    fn pooled_return_equals_start_of_day_value_weighted_daily_returns() {
        let a_values = values(&[(1, 100.0), (2, 103.0), (3, 150.0), (6, 149.0), (7, 160.0)]);
        let a_flows = flows(&[(1, 100.0), (3, 50.0)]);
        let b_values = values(&[(1, 300.0), (2, 291.0), (3, 297.0), (6, 250.0), (7, 256.0)]);
        let b_flows = flows(&[(1, 300.0), (6, -60.0)]);
        // C opens on the 3rd: no start-of-day value that day, weight 0.
        let c_values = values(&[(3, 80.0), (6, 84.0), (7, 83.0)]);
        let c_flows = flows(&[(3, 80.0)]);
        let members = [
            PortfolioHistory::new(&a_values, &a_flows),
            PortfolioHistory::new(&b_values, &b_flows),
            PortfolioHistory::new(&c_values, &c_flows),
        ];
        let group = group_series(&members).expect("valid");
        let own: Vec<PerformanceSeries> = [
            (&a_values, &a_flows),
            (&b_values, &b_flows),
            (&c_values, &c_flows),
        ]
        .iter()
        .map(|(v, f)| PerformanceSeries::new(v, f).expect("valid"))
        .collect();

        for (date, pooled) in group.dated_returns() {
            let (mut weighted, mut total) = (0.0, 0.0);
            for series in &own {
                let dates = series.dates();
                if let Some(i) = dates.iter().position(|d| *d == date).filter(|&i| i > 0) {
                    let start_value = series.values()[i - 1];
                    weighted += start_value * series.daily_returns()[i - 1];
                    total += start_value;
                }
            }
            assert!(
                close(pooled, weighted / total),
                "{date}: {pooled} vs {}",
                weighted / total
            );
        }
        // The group's TWRR is the chain of those weighted returns.
        let chained = group.daily_returns().iter().fold(1.0, |g, r| g * (1.0 + r)) - 1.0;
        let whole = group.twrr().expect("finite").expect("several dates");
        assert!(close(whole.cumulative, chained));
    }

    #[test]
    fn portfolio_opening_mid_period_enters_as_a_flow() {
        let a = values(&[(1, 100.0), (2, 110.0), (3, 121.0)]);
        let b = values(&[(2, 1_000.0), (3, 1_100.0)]);
        let b_flows = flows(&[(2, 1_000.0)]);
        let members = [
            PortfolioHistory::new(&a, &[]),
            PortfolioHistory::new(&b, &b_flows),
        ];
        let days = pooled_days(&members).expect("valid");
        assert_eq!(
            days,
            vec![
                GroupDay {
                    date: day(1),
                    value: 100.0,
                    flow: 0.0
                },
                GroupDay {
                    date: day(2),
                    value: 1_110.0,
                    flow: 1_000.0
                },
                GroupDay {
                    date: day(3),
                    value: 1_221.0,
                    flow: 0.0
                },
            ]
        );
        let group = group_series(&members).expect("valid");
        let returns = group.daily_returns();
        assert!(
            close(returns[0], 0.10) && close(returns[1], 0.10),
            "{returns:?}"
        );
    }

    #[test]
    fn opening_inflow_dated_before_the_first_valuation_is_a_flow_on_it() {
        let a = values(&[(1, 100.0), (2, 110.0), (3, 121.0)]);
        let b = values(&[(2, 1_000.0), (3, 1_100.0)]);
        let early = flows(&[(1, 1_000.0)]); // money arrived the day before B's first valuation
        let on_the_day = flows(&[(2, 1_000.0)]);
        let with = |f: &[CashFlow]| {
            group_series(&[PortfolioHistory::new(&a, &[]), PortfolioHistory::new(&b, f)])
                .expect("valid")
        };
        assert_eq!(with(&early), with(&on_the_day));
    }

    #[test]
    fn closed_portfolio_leaves_with_its_final_withdrawal() {
        let a = values(&[(1, 100.0), (2, 110.0), (3, 121.0), (6, 133.1)]);
        // B closes on the 3rd: grows 10%, then everything is withdrawn.
        let b = values(&[(1, 200.0), (2, 220.0), (3, 0.0)]);
        let b_flows = flows(&[(1, 200.0), (3, -242.0)]);
        let group = group_series(&[
            PortfolioHistory::new(&a, &[]),
            PortfolioHistory::new(&b, &b_flows),
        ])
        .expect("valid");
        assert_eq!(group.values(), &[300.0, 330.0, 121.0, 133.1]);
        let whole = group.twrr().expect("finite").expect("several dates");
        assert!(close(whole.cumulative, 1.1_f64.powi(3) - 1.0), "{whole:?}");
    }

    #[test]
    fn missing_valuation_carries_the_last_value_forward() {
        let b = values(&[(1, 200.0), (2, 210.0), (3, 220.0), (6, 200.0)]);
        let gap = values(&[(1, 100.0), (3, 130.0), (6, 120.0)]);
        let explicit = values(&[(1, 100.0), (2, 100.0), (3, 130.0), (6, 120.0)]);
        let a_flows = flows(&[(2, 20.0)]); // attributed to the 3rd, A's next valuation
        let explicit_flows = flows(&[(3, 20.0)]);
        let with_gap = group_series(&[
            PortfolioHistory::new(&gap, &a_flows),
            PortfolioHistory::new(&b, &[]),
        ])
        .expect("valid");
        let with_value = group_series(&[
            PortfolioHistory::new(&explicit, &explicit_flows),
            PortfolioHistory::new(&b, &[]),
        ])
        .expect("valid");
        assert_eq!(with_gap, with_value);
        assert_eq!(with_gap.values()[1], 310.0); // not 210: A is still there
                                                 // After its last valuation a portfolio keeps its value (here: B's data stops).
        let short = values(&[(1, 200.0), (2, 210.0)]);
        let days = pooled_days(&[
            PortfolioHistory::new(&explicit, &[]),
            PortfolioHistory::new(&short, &[]),
        ])
        .expect("valid");
        assert_eq!(days.last().map(|d| d.value), Some(330.0));
    }

    #[test]
    fn end_value_weighted_average_differs_from_the_pooled_return() {
        // A doubles, B stays flat, equal money at the start.
        let a = values(&[(1, 100.0), (2, 200.0)]);
        let b = values(&[(1, 100.0), (2, 100.0)]);
        let members = [
            PortfolioHistory::new(&a, &[]),
            PortfolioHistory::new(&b, &[]),
        ];
        let pooled = group_series(&members)
            .expect("valid")
            .twrr()
            .expect("finite")
            .expect("two dates")
            .cumulative;
        assert!(close(pooled, 0.5));
        // "AUM-weighted TWRR": each return weighted by the portfolio's end value.
        let end_weighted = (200.0 * 1.0 + 100.0 * 0.0) / 300.0;
        assert!(close(end_weighted, 2.0 / 3.0));
        assert!((pooled - end_weighted).abs() > 0.1);
    }

    #[test]
    fn summed_rows_give_the_same_series() {
        let a = values(&[(1, 100.0), (2, 110.0), (3, 121.0)]);
        let b = values(&[(2, 1_000.0), (3, 1_100.0)]);
        let b_flows = flows(&[(2, 1_000.0)]);
        let members = [
            PortfolioHistory::new(&a, &[]),
            PortfolioHistory::new(&b, &b_flows),
        ];
        let mut rows = pooled_days(&members).expect("valid");
        rows.reverse(); // any order
        assert_eq!(
            group_series_from_days(&rows).expect("valid"),
            group_series(&members).expect("valid")
        );
        assert_eq!(group_series_from_days(&[]), Err(GroupError::NoValuations));
        assert_eq!(group_series(&[]), Err(GroupError::NoValuations));
    }

    #[test]
    fn group_xirr_invests_the_start_value_and_every_flow() {
        let a = [
            Valuation::new(date(2023, 1, 1), 100.0),
            Valuation::new(date(2024, 1, 1), 110.0),
            Valuation::new(date(2025, 1, 1), 121.0),
        ];
        let b = [
            Valuation::new(date(2024, 1, 1), 100.0),
            Valuation::new(date(2025, 1, 1), 110.0),
        ];
        let b_flows = [CashFlow::new(date(2024, 1, 1), 100.0)];
        let group = group_series(&[
            PortfolioHistory::new(&a, &[]),
            PortfolioHistory::new(&b, &b_flows),
        ])
        .expect("valid");
        let rate = group_xirr(&group, Period::SinceInception, date(2025, 1, 1)).expect("defined");
        let direct = xirr(&[
            CashFlow::new(date(2023, 1, 1), -100.0),
            CashFlow::new(date(2024, 1, 1), -100.0),
            CashFlow::new(date(2025, 1, 1), 231.0),
        ])
        .expect("defined");
        assert!(close(rate, direct), "{rate} vs {direct}");
    }

    #[test]
    fn rejects_bad_portfolios_naming_them() {
        let good = values(&[(1, 1.0)]);
        let duplicate = values(&[(1, 1.0), (1, 2.0)]);
        let infinite = values(&[(1, f64::INFINITY)]);
        assert_eq!(
            pooled_days(&[
                PortfolioHistory::new(&good, &[]),
                PortfolioHistory::new(&duplicate, &[])
            ]),
            Err(GroupError::Portfolio {
                index: 1,
                source: TwrrError::DuplicateValuationDate(day(1))
            })
        );
        assert!(matches!(
            pooled_days(&[PortfolioHistory::new(&infinite, &[])]),
            Err(GroupError::Portfolio { index: 0, .. })
        ));
        let huge = values(&[(1, f64::MAX)]);
        assert_eq!(
            pooled_days(&[
                PortfolioHistory::new(&huge, &[]),
                PortfolioHistory::new(&huge, &[])
            ]),
            Err(GroupError::NonFiniteSum(day(1)))
        );
        // A portfolio without valuations contributes nothing.
        assert_eq!(
            pooled_days(&[
                PortfolioHistory::new(&[], &flows(&[(1, 5.0)])),
                PortfolioHistory::new(&good, &[])
            ]),
            Ok(vec![GroupDay {
                date: day(1),
                value: 1.0,
                flow: 0.0
            }])
        );
    }

    fn level(benchmark: &str, d: u32, level: f64) -> BenchmarkLevel<String> {
        BenchmarkLevel {
            benchmark: benchmark.to_owned(),
            date: day(d),
            level,
        }
    }

    #[test]
    fn portfolios_tracking_their_benchmarks_pool_to_the_blended_benchmark() {
        // Nifty: +1%, −2%, +3%, +0.5%; Bank: −1%, +4%, 0%, −3% (levels on the group's dates).
        let levels = vec![
            level("nifty", 1, 100.0),
            level("nifty", 2, 101.0),
            level("nifty", 3, 98.98),
            level("nifty", 6, 101.9494),
            level("nifty", 7, 102.459147),
            level("bank", 1, 50.0),
            level("bank", 2, 49.5),
            level("bank", 3, 51.48),
            level("bank", 6, 51.48),
            level("bank", 7, 49.9356),
        ];
        // Each portfolio earns exactly its benchmark's return, with flows and a late opening.
        let a = values(&[
            (1, 100.0),
            (2, 101.0),
            (3, 148.98),
            (6, 153.4494),
            (7, 154.216647),
        ]);
        let a_flows = flows(&[(1, 100.0), (3, 50.0)]);
        let b = values(&[
            (1, 300.0),
            (2, 297.0),
            (3, 308.88),
            (6, 248.88),
            (7, 241.4136),
        ]);
        let b_flows = flows(&[(1, 300.0), (6, -60.0)]);
        let c = values(&[(3, 80.0), (6, 82.4), (7, 82.812)]);
        let c_flows = flows(&[(3, 80.0)]);
        let assigned = [
            ("nifty".to_owned(), PortfolioHistory::new(&a, &a_flows)),
            ("bank".to_owned(), PortfolioHistory::new(&b, &b_flows)),
            ("nifty".to_owned(), PortfolioHistory::new(&c, &c_flows)),
        ];
        let histories: Vec<_> = assigned.iter().map(|(_, h)| *h).collect();
        let group = group_series(&histories).expect("valid");
        let weights = benchmark_weights(&assigned).expect("valid");
        let blend = group_benchmark(group.dates(), &weights, &levels).expect("valid");
        assert_eq!(blend.dates(), group.dates());
        for (g, b) in group.daily_returns().iter().zip(blend.daily_returns()) {
            assert!(close(*g, *b), "{g} vs {b}");
        }
        let whole = group.twrr().expect("finite").expect("several dates");
        let benchmark = blend.over(&whole).expect("finite");
        assert!(close(benchmark.cumulative, whole.cumulative));
        assert_eq!(
            (benchmark.start, benchmark.end, benchmark.days),
            (whole.start, whole.end, whole.days)
        );

        // The server's path: per-benchmark pooled closes → the same weights.
        let mut closes = Vec::new();
        for name in ["nifty", "bank"] {
            let members: Vec<_> = assigned
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, h)| *h)
                .collect();
            for row in pooled_days(&members).expect("valid") {
                closes.push(BenchmarkClose {
                    date: row.date,
                    benchmark: name.to_owned(),
                    value: row.value,
                });
            }
        }
        let from_closes = start_of_day_weights(group.dates(), &closes).expect("valid");
        assert_eq!(from_closes, weights);
    }

    #[test]
    fn one_benchmark_blends_to_itself_and_holidays_carry_the_level() {
        let calendar = [day(1), day(2), day(3), day(6)];
        // No level on the 3rd (index holiday): 0 that day, the 6th catches up.
        let levels = vec![
            level("nifty", 1, 100.0),
            level("nifty", 2, 110.0),
            level("nifty", 6, 121.0),
        ];
        let weights: Vec<_> = calendar[1..]
            .iter()
            .map(|&date| BenchmarkWeight {
                date,
                benchmark: "nifty".to_owned(),
                start_value: 1_000.0,
            })
            .collect();
        let blend = group_benchmark(&calendar, &weights, &levels).expect("valid");
        assert!(close(blend.daily_returns()[0], 0.1));
        assert_eq!(blend.daily_returns()[1], 0.0);
        assert!(close(blend.daily_returns()[2], 0.1));
        // No weight (no money invested at the start of the day): 0.
        let blend = group_benchmark(&calendar, &weights[..1], &levels).expect("valid");
        assert_eq!(&blend.daily_returns()[1..], &[0.0, 0.0]);
    }

    #[test]
    fn benchmark_blend_rejects_bad_input() {
        let calendar = [day(1), day(2)];
        let weight = |d: u32| BenchmarkWeight {
            date: day(d),
            benchmark: "nifty".to_owned(),
            start_value: 1.0,
        };
        let levels = vec![level("nifty", 2, 100.0)];
        assert_eq!(
            group_benchmark(&calendar, &[weight(2)], &levels),
            Err(GroupError::MissingBenchmarkLevel {
                benchmark: "nifty".into(),
                date: day(1)
            })
        );
        assert_eq!(
            group_benchmark(&calendar, &[weight(1)], &levels),
            Err(GroupError::WeightOffCalendar(day(1)))
        );
        assert!(matches!(
            group_benchmark(&calendar, &[weight(2)], &[level("nifty", 1, 0.0)]),
            Err(GroupError::BadBenchmarkLevel { .. })
        ));
        let mut nan = weight(2);
        nan.start_value = f64::NAN;
        assert_eq!(
            group_benchmark(&calendar, &[nan], &levels),
            Err(GroupError::NonFiniteWeight(day(2)))
        );
    }
}
