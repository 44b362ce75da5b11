//! # pms-metrics — every figure the PMS Intelligence Hub shows
//!
//! One library for the browser (wasm32), the server and the PDF reports, so all three print
//! the same number. It has no I/O, no clock, no threads and no randomness. The definitions
//! are those of `METRICS.md`; reference values come from pyxirr (XIRR) and empyrical-reloaded
//! (return statistics), and `tests/golden.rs` holds the library to them within 1e-9.
//!
//! Money is [`rust_decimal::Decimal`] (fees, AUM, turnover); statistics are `f64`. No
//! function panics on any input, and no NaN or infinity ever comes out: an undefined figure
//! is `None` or a typed error.
//!
//! ## Map
//! | module | owns |
//! |---|---|
//! | [`xirr`](mod@xirr) | XIRR / XNPV on dated cash flows (ACT/365F) |
//! | [`twrr`](mod@twrr) | daily TWRR from valuations and flows, standard periods (1M…5Y, SI, FYTD, custom), CAGR |
//! | [`group`](mod@group) | groups of portfolios: pooled TWRR, group XIRR, value-weighted blended benchmark |
//! | [`stats`](mod@stats) | annual return, volatility, Sharpe, Sortino, drawdown, Calmar, alpha/beta, VaR/CVaR, capture, tracking error, IR |
//! | [`rolling`](mod@rolling) | rolling-window return, volatility, Sharpe; trailing calendar returns |
//! | [`calendar`](mod@calendar) | monthly-return table (year × month), correlation matrix |
//! | [`attribution`](mod@attribution) | Brinson–Fachler allocation / selection / interaction |
//! | [`fees`](mod@fees) | management-fee accrual, HWM performance fee with hurdle, exit-load caps |
//! | [`business`](mod@business) | turnover, AUM change split, average AUM, client retention / churn |
//! | [`fy`](mod@fy) | Indian financial year, quarters, date ranges |
//! | [`format`](mod@format) | `₹12,34,56,789.50`, `₹12.35 Cr`, `12.34%` |
//! | [`golden`](mod@golden) | evaluate a reference-case document (`pms-hub metrics eval FILE.json`) |
//!
//! ## Decisions where METRICS.md is silent (details in each module's doc)
//! - **XIRR** follows pyxirr's exact root-finding path (same first guess, Newton stopping
//!   rules, Brent bracket, guess grid), so with several sign changes it reports the same root;
//!   where pyxirr's absolute tolerances make it give up although a root exists (losses within
//!   a hair of −100% over several flows, amounts beyond ~1e13) we still return the root.
//! - **Statistics** follow empyrical-reloaded 0.7: sample std (ddof 1), numpy's linear
//!   percentiles, bottleneck's left-to-right sums, zero dispersion for identical values
//!   (a constant series has no Sharpe ratio), and its minimum lengths (1 return for annual
//!   return, downside risk, drawdown, VaR/CVaR, tail ratio; 2 for the rest).
//! - **TWRR** flows dated between valuations belong to the next valuation; flows on or before
//!   the first valuation are part of it; flows after the last are ignored; two valuations on a
//!   date are an error. A period `first ..= last` grows from the last valuation on or before
//!   `first − 1 day` (trailing periods: on or before `as_of − N months`) to the last on or
//!   before `last`; with no valuation that early it is undefined, unless the history starts
//!   exactly on `first`. `D` counts the days between those two valuations.
//! - **Groups** pool every date on which any member is valued; a member contributes nothing
//!   before its first valuation and its latest valuation (carried forward) from then on, so a
//!   closed portfolio (final value 0) contributes 0; its opening inflow is a group flow on its
//!   first valuation date. The benchmark blend weights each benchmark by the pooled value of its
//!   portfolios at the previous group date's close.
//! - **Fees**: every amount rounded to the paisa, half away from zero, each day's management
//!   fee separately (the period fee is their sum); high water mark = value on which the last
//!   fee was charged, +inflows, ×(1 − withdrawn fraction) for withdrawals; hurdle simple and
//!   pro rata within each crystallisation period.
//! - **Formatting** rounds half away from zero on the decimal digits (for `f64`, its shortest
//!   representation), prints `—` for undefined values and never `-₹0.00`.
//!
//! ## A tour
//! ```
//! use chrono::NaiveDate;
//! use pms_metrics::{format, xirr, CashFlow, PerformanceSeries, Period, ReturnStatistics, StatsConfig, Valuation};
//!
//! let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap();
//!
//! // Money-weighted: invest ₹1,00,000, receive ₹1,10,000 a year later.
//! let rate = xirr(&[CashFlow::new(day(1, 1), -100_000.0), CashFlow::new(day(12, 31), 110_000.0)])?;
//! assert_eq!(format::percent(rate), "10.00%"); // 2024 is a leap year: 365 days
//!
//! // Time-weighted: valuations include the day's flows; the top-up is not performance.
//! let valuations = [
//!     Valuation::new(day(4, 1), 100.0),
//!     Valuation::new(day(4, 2), 160.0),
//!     Valuation::new(day(4, 3), 176.0),
//! ];
//! let series = PerformanceSeries::new(&valuations, &[CashFlow::new(day(4, 2), 50.0)])?;
//! let since_inception = series.period_return(Period::SinceInception, day(4, 3))?;
//! assert!((since_inception.cumulative - 0.21).abs() < 1e-12);
//!
//! // Statistics of the daily returns.
//! let stats = ReturnStatistics::compute(series.daily_returns(), None, &StatsConfig::daily(0.065)?)?;
//! assert!(stats.annual_volatility.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_debug_implementations)]

pub mod attribution;
pub mod business;
pub mod calendar;
pub mod fees;
pub mod format;
pub mod fy;
pub mod golden;
pub mod group;
mod inputs;
pub mod rolling;
pub mod stats;
pub mod twrr;
pub mod xirr;

pub use attribution::{brinson_fachler, Attribution, Segment, SegmentEffect};
pub use business::{client_retention, turnover, AumChange, ClientRetention, ClientTenure};
pub use calendar::{correlation_matrix, CorrelationMatrix, MonthlyReturnTable, YearLayout};
pub use fees::{
    accrue_management_fee, exit_load, exit_load_cap, performance_fee_schedule, round_to_paisa,
    Crystallisation, CrystallisationRow, PerformanceFeeTerms,
};
pub use fy::{DateRange, FinancialYear, FiscalQuarter};
pub use golden::{evaluate, EvalError};
pub use group::{
    benchmark_weights, group_benchmark, group_series, group_series_from_days, group_xirr,
    pooled_days, start_of_day_weights, BenchmarkClose, BenchmarkLevel, BenchmarkWeight,
    BlendedBenchmark, GroupDay, GroupError, PortfolioHistory,
};
pub use inputs::{CashFlow, Valuation};
pub use stats::{Drawdown, ReturnStatistics, StatsConfig, TRADING_DAYS_PER_YEAR};
pub use twrr::{annualize, cagr, PerformanceSeries, Period, PeriodReturn, PeriodRow};
pub use xirr::{xirr, xnpv, PreparedFlows, XirrError};
