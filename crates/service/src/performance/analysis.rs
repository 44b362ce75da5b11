//! From a group's pooled daily rows to every figure the performance page shows, with the
//! shared metric library: the pooled TWRR for the SEBI periods against the value-weighted
//! benchmark blend, XIRR, the risk table, month-end history and the monthly-returns table.
//! The pooling and the benchmark blend are `pms_metrics::group`'s (held to the reference
//! cases). Pure (no I/O), so it is tested on hand-made series.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use pms_domain::filter::{FinancialYear, Period as FilterPeriod};
use pms_domain::performance::{MonthPoint, MonthlyReturns, PeriodFigure, RiskFigure, ValueChange};
use pms_metrics::calendar::{MonthlyReturnTable, YearLayout};
use pms_metrics::group::{
    group_benchmark, group_series_from_days, group_xirr, start_of_day_weights, BenchmarkClose,
    BenchmarkLevel, GroupDay as PooledDay,
};
use pms_metrics::twrr::{PerformanceSeries, Period};
use pms_metrics::{ReturnStatistics, StatsConfig};
use pms_store::performance::{BenchmarkLevels, GroupDay};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// Trading days in a year: the annualisation of daily statistics (METRICS.md).
const TRADING_DAYS: usize = 252;
/// The risk table covers at most this many trailing years.
const RISK_YEARS: usize = 3;

/// Everything computed from one group's rows.
#[derive(Debug, Default, PartialEq)]
pub struct Analysis {
    pub first_date: Option<NaiveDate>,
    pub as_of: Option<NaiveDate>,
    pub periods: Vec<PeriodFigure>,
    pub xirr_si: Option<f64>,
    pub risk_window: String,
    pub risk: Vec<RiskFigure>,
    pub months: Vec<MonthPoint>,
    pub monthly_returns: Vec<MonthlyReturns>,
    pub month_labels: Vec<String>,
}

fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Per day: the pooled close and the day's net external flow.
type PooledDays = BTreeMap<NaiveDate, (Decimal, Decimal)>;

/// The pooled close and flow of each day, and each benchmark's pooled close on the days its
/// portfolios moved: running sums of the rows' changes (exact in Decimal), so a portfolio not
/// valued on a day counts with its latest value (METRICS.md, `pms_metrics::group`).
fn pool(rows: &[GroupDay]) -> (PooledDays, Vec<BenchmarkClose<i32>>) {
    let mut by_benchmark: BTreeMap<i32, Decimal> = BTreeMap::new();
    let mut days: BTreeMap<NaiveDate, (Decimal, Decimal)> = BTreeMap::new();
    let mut closes = Vec::with_capacity(rows.len());
    // Rows come ordered by day; sort defensively so the running sums are right regardless.
    let mut ordered: Vec<&GroupDay> = rows.iter().collect();
    ordered.sort_by_key(|r| (r.day, r.benchmark_id));
    for row in ordered {
        let close = by_benchmark.entry(row.benchmark_id).or_default();
        *close += row.value_change;
        closes.push(BenchmarkClose {
            date: row.day,
            benchmark: row.benchmark_id,
            value: to_f64(*close),
        });
        days.entry(row.day).or_default().1 += row.net_flow;
        let total: Decimal = by_benchmark.values().sum();
        days.entry(row.day).or_default().0 = total;
    }
    (days, closes)
}

/// How the pooled value changed over `period` (by default the financial year of the latest
/// day, to date): the close before the period, the close at its end, the flows within it.
/// `None` when the rows do not reach into the period.
pub fn change_over(rows: &[GroupDay], period: Option<FilterPeriod>) -> Option<ValueChange> {
    let (days, _) = pool(rows);
    let (&first, _) = days.first_key_value()?;
    let (&last, _) = days.last_key_value()?;
    let (period, label) = match period {
        Some(p) => (p, p.label()),
        None => {
            let fy = FinancialYear::containing(last);
            (
                FilterPeriod::FinancialYear(fy),
                format!("{} to date", fy.label()),
            )
        }
    };
    let (from, to) = period.window(first, last)?;
    let close_on_or_before = |day: NaiveDate| {
        days.range(..=day)
            .next_back()
            .map_or(Decimal::ZERO, |(_, (close, _))| *close)
    };
    let opening = from.pred_opt().map_or(Decimal::ZERO, close_on_or_before);
    let closing = close_on_or_before(to);
    let net_flow: Decimal = days.range(from..=to).map(|(_, (_, flow))| *flow).sum();
    Some(ValueChange {
        period: label,
        from,
        to,
        opening,
        closing,
        net_flow,
        market_gain: closing - opening - net_flow,
    })
}

/// The group's figures from its rows and its benchmarks' levels.
pub fn analyse(
    rows: &[GroupDay],
    benchmarks: &HashMap<i32, BenchmarkLevels>,
    risk_free_annual: f64,
) -> Analysis {
    let (days, closes) = pool(rows);
    let pooled: Vec<PooledDay> = days
        .iter()
        .map(|(&date, &(value, flow))| PooledDay {
            date,
            value: to_f64(value),
            flow: to_f64(flow),
        })
        .collect();
    let Ok(series) = group_series_from_days(&pooled) else {
        return Analysis::default();
    };
    let (first, as_of) = (series.first_date(), series.last_date());
    let levels: Vec<BenchmarkLevel<i32>> = benchmarks
        .iter()
        .flat_map(|(&id, b)| {
            b.levels.iter().map(move |&(date, level)| BenchmarkLevel {
                benchmark: id,
                date,
                level: to_f64(level),
            })
        })
        .collect();
    let benchmark = start_of_day_weights(series.dates(), &closes)
        .and_then(|weights| group_benchmark(series.dates(), &weights, &levels))
        .ok();

    let periods = series
        .standard_periods(as_of)
        .into_iter()
        .filter_map(|row| {
            let result = row.result?;
            let bench = benchmark.as_ref().and_then(|b| b.over(&result).ok());
            Some(PeriodFigure {
                period: row.label,
                start: result.start,
                end: result.end,
                twrr: result.annualized,
                benchmark: bench.and_then(|b| b.annualized),
                annualised: result.is_annualized(),
            })
        })
        .collect();

    let returns = series.daily_returns();
    let bench_returns = benchmark.as_ref().map(|b| b.daily_returns());
    let window = returns.len().min(RISK_YEARS * TRADING_DAYS);
    let tail = |r: &'_ [f64]| r[r.len().saturating_sub(window)..].to_vec();
    let dates = series.dates();
    let (risk_window, risk) = risk_table(
        &tail(returns),
        bench_returns.map(tail).as_deref(),
        risk_free_annual,
        dates[dates.len() - 1 - window],
        as_of,
    );
    let table = MonthlyReturnTable::from_series(&series, YearLayout::Financial);

    Analysis {
        first_date: Some(first),
        as_of: Some(as_of),
        periods,
        xirr_si: group_xirr(&series, Period::SinceInception, as_of).ok(),
        risk_window,
        risk,
        months: month_points(&series, &days, bench_returns),
        monthly_returns: table
            .rows
            .into_iter()
            .map(|row| MonthlyReturns {
                label: row.label,
                months: row.months,
                total: row.total,
            })
            .collect(),
        month_labels: table.month_labels.to_vec(),
    }
}

/// The risk statistics of METRICS.md over the trailing window, against the blend.
fn risk_table(
    returns: &[f64],
    benchmark: Option<&[f64]>,
    risk_free_annual: f64,
    from: NaiveDate,
    to: NaiveDate,
) -> (String, Vec<RiskFigure>) {
    let window = format!(
        "Daily returns {} – {}, risk-free rate {:.2}% a year",
        from.format("%d %b %Y"),
        to.format("%d %b %Y"),
        risk_free_annual * 100.0
    );
    let stats = StatsConfig::daily(risk_free_annual)
        .ok()
        .and_then(|config| ReturnStatistics::compute(returns, benchmark, &config).ok());
    let Some(s) = stats else {
        return (window, Vec::new());
    };
    let figure = |name: &str, value: Option<f64>, percent: bool| RiskFigure {
        name: name.to_owned(),
        value,
        percent,
    };
    let rows = vec![
        figure("Annual return", s.annual_return, true),
        figure("Volatility (annualised)", s.annual_volatility, true),
        figure("Sharpe ratio", s.sharpe, false),
        figure("Sortino ratio", s.sortino, false),
        figure("Downside risk", s.downside_risk, true),
        figure("Maximum drawdown", s.max_drawdown.map(|d| d.depth), true),
        figure("Calmar ratio", s.calmar, false),
        figure("Alpha (annualised)", s.alpha, true),
        figure("Beta", s.beta, false),
        figure("Value at risk, 1 day, 95%", s.var_95, true),
        figure("Conditional VaR, 1 day, 95%", s.cvar_95, true),
        figure("Tracking error", s.tracking_error, true),
        figure("Information ratio", s.information_ratio, false),
        figure("Up capture", s.up_capture, false),
        figure("Down capture", s.down_capture, false),
    ];
    (window, rows)
}

/// The last valuation of every month: value, the month's flows, growth since the start for the
/// group and the benchmark, drawdown, and the trailing year's return and volatility.
fn month_points(
    series: &PerformanceSeries,
    days: &PooledDays,
    benchmark_returns: Option<&[f64]>,
) -> Vec<MonthPoint> {
    let dates = series.dates();
    let returns = series.daily_returns();
    let mut out: Vec<MonthPoint> = Vec::new();
    let mut wealth = 1.0_f64;
    let mut bench_wealth = 1.0_f64;
    let mut peak = 1.0_f64;
    let mut month_flow = Decimal::ZERO;
    for (i, (&date, &(value, flow))) in days.iter().enumerate() {
        if i > 0 {
            wealth *= 1.0 + returns[i - 1];
            if let Some(b) = benchmark_returns {
                bench_wealth *= 1.0 + b[i - 1];
            }
            month_flow += flow;
        }
        peak = peak.max(wealth);
        let month_ends = dates
            .get(i + 1)
            .is_none_or(|next| (next.year(), next.month()) != (date.year(), date.month()));
        if !month_ends {
            continue;
        }
        let trailing = (i >= TRADING_DAYS).then(|| &returns[i - TRADING_DAYS..i]);
        out.push(MonthPoint {
            month_end: date,
            value,
            net_flow: month_flow,
            cumulative: wealth - 1.0,
            benchmark_cumulative: benchmark_returns.map(|_| bench_wealth - 1.0),
            drawdown: wealth / peak - 1.0,
            rolling_return_1y: trailing.map(|r| r.iter().fold(1.0, |g, r| g * (1.0 + r)) - 1.0),
            rolling_volatility_1y: trailing
                .and_then(|r| pms_metrics::stats::annual_volatility(r, TRADING_DAYS as f64)),
        });
        month_flow = Decimal::ZERO;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    /// A row of one portfolio per benchmark: `change` since its previous valuation.
    fn row(day: NaiveDate, benchmark_id: i32, change: Decimal, flow: Decimal) -> GroupDay {
        GroupDay {
            day,
            benchmark_id,
            value_change: change,
            net_flow: flow,
        }
    }

    fn benchmark(name: &str, levels: &[(NaiveDate, Decimal)]) -> BenchmarkLevels {
        BenchmarkLevels {
            name: name.into(),
            levels: levels.to_vec(),
        }
    }

    #[test]
    fn the_pooled_return_weights_days_by_start_of_day_value_not_end_value() {
        // Portfolio A (100 → 110, +10%) and B (100 → 90, then a 1,000 inflow on day 2).
        let (d0, d1, d2) = (date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3));
        let rows = [
            row(d0, 1, dec!(200), dec!(0)),
            row(d1, 1, dec!(0), dec!(0)), // A 110 + B 90: the pool is flat on day 1
            row(d2, 1, dec!(1020), dec!(1000)), // +1,000 in, +20 market gain on 200
        ];
        let bench = HashMap::from([(1, benchmark("B", &[(d0, dec!(100)), (d2, dec!(100))]))]);
        let a = analyse(&rows, &bench, 0.0);
        let si = a.periods.iter().find(|p| p.period == "SI").expect("SI");
        assert!((si.twrr.expect("twrr") - 0.10).abs() < 1e-12, "{si:?}");
        assert_eq!(si.benchmark, Some(0.0));
    }

    #[test]
    fn the_benchmark_blend_follows_the_value_behind_each_benchmark_at_the_start_of_the_day() {
        let (d0, d1) = (date(2025, 4, 1), date(2025, 4, 2));
        // 300 follows benchmark 1 (+10% that day), 100 follows benchmark 2 (−10%).
        let rows = [
            row(d0, 1, dec!(300), dec!(0)),
            row(d0, 2, dec!(100), dec!(0)),
            row(d1, 1, dec!(0), dec!(0)),
            row(d1, 2, dec!(0), dec!(0)),
        ];
        let bench = HashMap::from([
            (1, benchmark("One", &[(d0, dec!(100)), (d1, dec!(110))])),
            (2, benchmark("Two", &[(d0, dec!(100)), (d1, dec!(90))])),
        ]);
        let a = analyse(&rows, &bench, 0.0);
        let si = a.periods.iter().find(|p| p.period == "SI").expect("SI");
        // (300 × 10% − 100 × 10%) / 400 = 5%.
        assert!(
            (si.benchmark.expect("blend") - 0.05).abs() < 1e-12,
            "{si:?}"
        );
    }

    #[test]
    fn month_points_carry_the_last_value_of_each_month_and_the_drawdown_from_the_peak() {
        let rows = [
            row(date(2025, 4, 30), 1, dec!(100), dec!(0)),
            row(date(2025, 5, 15), 1, dec!(20), dec!(0)),
            row(date(2025, 5, 30), 1, dec!(-30), dec!(0)),
            row(date(2025, 6, 2), 1, dec!(50), dec!(50)),
        ];
        let a = analyse(&rows, &HashMap::new(), 0.0);
        let ends: Vec<_> = a.months.iter().map(|m| (m.month_end, m.value)).collect();
        assert_eq!(
            ends,
            vec![
                (date(2025, 4, 30), dec!(100)),
                (date(2025, 5, 30), dec!(90)),
                (date(2025, 6, 2), dec!(140)),
            ]
        );
        assert!((a.months[1].drawdown - (0.9 / 1.2 - 1.0)).abs() < 1e-12);
        assert_eq!(a.months[2].net_flow, dec!(50));
        // June: 90 → 140 with 50 in: no market gain, still below the May peak.
        assert!((a.months[2].cumulative - (-0.10)).abs() < 1e-12);
        assert!(a.months[2].benchmark_cumulative.is_none());
    }

    #[test]
    fn a_day_one_benchmark_s_portfolios_are_not_valued_keeps_their_last_value() {
        let (d0, d1, d2) = (date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3));
        // Benchmark 2's portfolio (100) has no valuation on d1: the pool still holds it.
        let rows = [
            row(d0, 1, dec!(100), dec!(0)),
            row(d0, 2, dec!(100), dec!(0)),
            row(d1, 1, dec!(10), dec!(0)),
            row(d2, 1, dec!(0), dec!(0)),
            row(d2, 2, dec!(0), dec!(0)),
        ];
        let a = analyse(&rows, &HashMap::new(), 0.0);
        let values: Vec<_> = a.months.iter().map(|m| m.value).collect();
        assert_eq!(values, vec![dec!(210)]);
        let si = a.periods.iter().find(|p| p.period == "SI").expect("SI");
        assert!((si.twrr.expect("twrr") - 0.05).abs() < 1e-12, "{si:?}");
    }

    #[test]
    fn no_rows_give_no_figures_rather_than_an_error() {
        assert_eq!(analyse(&[], &HashMap::new(), 0.065), Analysis::default());
    }
}
