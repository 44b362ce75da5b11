//! Return-series statistics (empyrical's conventions), computed together in one call.
//!
//! Inputs are periodic (daily) simple returns `r`, optionally benchmark returns `b` of the same
//! length, an annualisation factor `A` (252 by default) and a per-period risk-free rate `rf`.
//! Definitions follow METRICS.md, and wherever METRICS.md is silent, empyrical-reloaded exactly
//! (that is what the reference values come from):
//! - sample standard deviation (ddof 1) for volatility, Sharpe and tracking error;
//! - beta uses population moments of the *raw* series (`rf` cancels; empyrical ignores it),
//!   and is undefined when the benchmark variance is below 1e-30;
//! - percentiles interpolate linearly between order statistics, exactly like numpy's default
//!   (including numpy's two-sided `lerp`);
//! - identical values have exactly zero dispersion for Sharpe and the information ratio (as
//!   empyrical-reloaded 0.7's `_zero_dispersion_std`), so a constant series has none;
//! - a figure empyrical reports as NaN or ±inf (too few returns, a zero denominator, a negative
//!   growth raised to a fractional power) is `None` here.
//!
//! Minimum lengths (as empyrical): 1 return for annual return, downside risk, max drawdown,
//! VaR/CVaR and the tail ratio; 2 for volatility, Sharpe, Sortino, alpha, beta, tracking
//! error and information ratio.
//!
//! Cost: a handful of passes over the data (two for the series, three more with a benchmark)
//! plus an O(n) selection for the percentiles into one reusable scratch buffer
//! ([`ReturnStatistics::compute_with_scratch`]); no other allocation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::inputs::finite;

/// Trading days in a year: the default annualisation factor.
pub const TRADING_DAYS_PER_YEAR: f64 = 252.0;

/// Why statistics could not be computed at all (individual figures are `Option`s instead).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("return number {index} is not a finite number")]
    NonFiniteReturn { index: usize },
    #[error("benchmark return number {index} is not a finite number")]
    NonFiniteBenchmark { index: usize },
    #[error("{returns} returns but {benchmark} benchmark returns: the series must line up")]
    LengthMismatch { returns: usize, benchmark: usize },
    #[error("the annualisation factor must be a positive number, got {0}")]
    InvalidAnnualization(f64),
    #[error("the risk-free rate must be a finite number above -100%, got {0}")]
    InvalidRiskFree(f64),
    #[error("{dates} dates given for a drawdown over {points} wealth points")]
    DateCountMismatch { dates: usize, points: usize },
}

/// Annualisation and risk-free rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StatsConfig {
    /// Periods per year (252 for daily returns, 12 for monthly).
    pub annualization: f64,
    /// Risk-free return per period, `(1 + rf_annual)^(1/A) − 1`.
    pub risk_free_per_period: f64,
}

impl Default for StatsConfig {
    fn default() -> Self {
        Self {
            annualization: TRADING_DAYS_PER_YEAR,
            risk_free_per_period: 0.0,
        }
    }
}

impl StatsConfig {
    /// Daily data with an annual risk-free rate, e.g. `StatsConfig::daily(0.065)` for 6.5%.
    pub fn daily(risk_free_annual: f64) -> Result<Self, StatsError> {
        Self::with_annual_risk_free(TRADING_DAYS_PER_YEAR, risk_free_annual)
    }

    /// Any periodicity; the per-period rate is `(1 + rf_annual)^(1/A) − 1`.
    pub fn with_annual_risk_free(
        annualization: f64,
        risk_free_annual: f64,
    ) -> Result<Self, StatsError> {
        if !(risk_free_annual.is_finite() && risk_free_annual > -1.0) {
            return Err(StatsError::InvalidRiskFree(risk_free_annual));
        }
        // Exactly METRICS.md's `(1 + rf)^(1/A) − 1` (bit for bit what the reference used).
        let config = Self {
            annualization,
            risk_free_per_period: (1.0 + risk_free_annual).powf(1.0 / annualization) - 1.0,
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), StatsError> {
        if !(self.annualization.is_finite() && self.annualization > 0.0) {
            return Err(StatsError::InvalidAnnualization(self.annualization));
        }
        if !(self.risk_free_per_period.is_finite() && self.risk_free_per_period > -1.0) {
            return Err(StatsError::InvalidRiskFree(self.risk_free_per_period));
        }
        Ok(())
    }
}

/// The deepest fall of the wealth index `W₀ = 1, Wₜ = Wₜ₋₁(1 + rₜ)`.
///
/// Positions are indices into that index: `0` is the start (before the first return) and `k`
/// the point after the `k`-th return. [`Drawdown::on_dates`] turns them into dates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Drawdown {
    /// `min(Wₜ / max(W₀..Wₜ) − 1)`, ≤ 0.
    pub depth: f64,
    /// Where the peak before the trough was first reached.
    pub peak: usize,
    /// Where the lowest point was first reached.
    pub trough: usize,
    /// The first point after the trough back at or above the peak; `None` if not recovered.
    pub recovery: Option<usize>,
}

/// A [`Drawdown`] with dates instead of positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownDates {
    pub peak: NaiveDate,
    pub trough: NaiveDate,
    pub recovery: Option<NaiveDate>,
}

impl Drawdown {
    /// Dates of peak, trough and recovery, given the date of every wealth point (`n + 1`
    /// dates for `n` returns, e.g. the valuation dates of a [`crate::twrr::PerformanceSeries`]).
    pub fn on_dates(&self, point_dates: &[NaiveDate]) -> Result<DrawdownDates, StatsError> {
        let at = |i: usize| point_dates.get(i).copied();
        let mismatch = || StatsError::DateCountMismatch {
            dates: point_dates.len(),
            points: self.trough.max(self.recovery.unwrap_or(0)) + 1,
        };
        Ok(DrawdownDates {
            peak: at(self.peak).ok_or_else(mismatch)?,
            trough: at(self.trough).ok_or_else(mismatch)?,
            recovery: match self.recovery {
                Some(i) => Some(at(i).ok_or_else(mismatch)?),
                None => None,
            },
        })
    }
}

/// Every statistic of one return series (and its benchmark, when given).
///
/// Field meanings follow METRICS.md; `None` means undefined for this input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnStatistics {
    /// Number of returns.
    pub periods: usize,
    /// `(Π(1 + r))^(A/n) − 1`.
    pub annual_return: Option<f64>,
    /// `std(r) · √A`.
    pub annual_volatility: Option<f64>,
    /// `mean(r − rf) / std(r − rf) · √A`.
    pub sharpe: Option<f64>,
    /// `mean(r − rf) · A / downside_risk`.
    pub sortino: Option<f64>,
    /// `√(mean(min(r − rf, 0)²)) · √A`.
    pub downside_risk: Option<f64>,
    pub max_drawdown: Option<Drawdown>,
    /// `annual_return / |max drawdown|`; undefined when there is no drawdown.
    pub calmar: Option<f64>,
    /// Historical 5th percentile of `r` (a loss is negative).
    pub var_95: Option<f64>,
    /// Mean of the `⌊(n − 1)·0.05⌋ + 1` smallest returns.
    pub cvar_95: Option<f64>,
    /// Historical 1st percentile of `r`.
    pub var_99: Option<f64>,
    /// Mean of the `⌊(n − 1)·0.01⌋ + 1` smallest returns.
    pub cvar_99: Option<f64>,
    /// `|p95(r)| / |p5(r)|`.
    pub tail_ratio: Option<f64>,
    /// Annualised Jensen's alpha, `(1 + mean((r − rf) − β(b − rf)))^A − 1`.
    pub alpha: Option<f64>,
    /// `cov(r, b) / var(b)`.
    pub beta: Option<f64>,
    /// Annual return of `r` over annual return of `b`, on days with `b > 0`.
    pub up_capture: Option<f64>,
    /// The same on days with `b < 0`.
    pub down_capture: Option<f64>,
    /// `std(r − b) · √A`.
    pub tracking_error: Option<f64>,
    /// `mean(r − b) / std(r − b) · √A`.
    pub information_ratio: Option<f64>,
}

impl ReturnStatistics {
    /// Computes every statistic. `benchmark`, when given, must have one return per return.
    pub fn compute(
        returns: &[f64],
        benchmark: Option<&[f64]>,
        config: &StatsConfig,
    ) -> Result<Self, StatsError> {
        let mut scratch = Vec::new();
        Self::compute_with_scratch(returns, benchmark, config, &mut scratch)
    }

    /// As [`Self::compute`], reusing `scratch` for the percentile selection so a batch of
    /// portfolios allocates once.
    pub fn compute_with_scratch(
        returns: &[f64],
        benchmark: Option<&[f64]>,
        config: &StatsConfig,
        scratch: &mut Vec<f64>,
    ) -> Result<Self, StatsError> {
        config.validate()?;
        if let Some(index) = returns.iter().position(|r| !r.is_finite()) {
            return Err(StatsError::NonFiniteReturn { index });
        }
        if let Some(benchmark) = benchmark {
            if benchmark.len() != returns.len() {
                return Err(StatsError::LengthMismatch {
                    returns: returns.len(),
                    benchmark: benchmark.len(),
                });
            }
            if let Some(index) = benchmark.iter().position(|b| !b.is_finite()) {
                return Err(StatsError::NonFiniteBenchmark { index });
            }
        }

        let n = returns.len();
        let count = n as f64;
        let a = config.annualization;
        let rf = config.risk_free_per_period;
        let sqrt_a = a.sqrt();

        // Pass 1: sums, growth, downside and drawdown. Sums run left to right like
        // bottleneck's (empyrical's) nanmean/nanstd, so degenerate inputs (a constant series)
        // give the same exact zero variance.
        let mut sum = 0.0;
        let mut excess_sum = 0.0;
        let mut growth = 1.0;
        let mut downside_squares = 0.0;
        let mut drawdown = DrawdownTracker::new();
        let (mut excess_min, mut excess_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &r in returns {
            sum += r;
            let excess = r - rf;
            excess_sum += excess;
            excess_min = excess_min.min(excess);
            excess_max = excess_max.max(excess);
            growth *= 1.0 + r;
            let shortfall = excess.min(0.0);
            downside_squares += shortfall * shortfall;
            drawdown.push(growth);
        }
        let mean = sum / count;
        let excess_mean = excess_sum / count;

        // Pass 2: deviations about the means.
        let (mut squares, mut excess_squares) = (0.0, 0.0);
        for &r in returns {
            let deviation = r - mean;
            squares += deviation * deviation;
            let excess_deviation = (r - rf) - excess_mean;
            excess_squares += excess_deviation * excess_deviation;
        }
        let sample_std = (squares / (count - 1.0)).sqrt();
        // empyrical ≥ 0.7 treats identical values as exactly zero dispersion (the mean can
        // differ from them in the last bit and leave a 1e-19 residue), so a constant series
        // has no Sharpe ratio rather than one of 1e16.
        let excess_std = if excess_min == excess_max {
            0.0
        } else {
            (excess_squares / (count - 1.0)).sqrt()
        };

        let annual_return = (n >= 1).then(|| annualised_growth(growth, n, a)).flatten();
        // empyrical scales volatility by `A ** (1 / 2)` and the ratios by `sqrt(A)`.
        let annual_volatility = (n >= 2).then(|| finite(sample_std * a.powf(0.5))).flatten();
        let sharpe = (n >= 2)
            .then(|| finite(excess_mean / excess_std * sqrt_a))
            .flatten();
        let downside_risk = (n >= 1)
            .then(|| finite((downside_squares / count).sqrt() * sqrt_a))
            .flatten();
        let sortino = match downside_risk {
            Some(risk) if n >= 2 => finite(excess_mean * a / risk),
            _ => None,
        };
        let max_drawdown = (n >= 1).then(|| drawdown.finish()).flatten();
        let calmar = match (max_drawdown, annual_return) {
            (Some(dd), Some(ar)) if dd.depth < 0.0 => finite(ar / dd.depth.abs()),
            _ => None,
        };

        let tails = Tails::select(returns, scratch);

        let mut statistics = Self {
            periods: n,
            annual_return,
            annual_volatility,
            sharpe,
            sortino,
            downside_risk,
            max_drawdown,
            calmar,
            var_95: tails.as_ref().and_then(|t| finite(t.p5)),
            cvar_95: tails.as_ref().and_then(|t| finite(t.cvar_95)),
            var_99: tails.as_ref().and_then(|t| finite(t.p1)),
            cvar_99: tails.as_ref().and_then(|t| finite(t.cvar_99)),
            tail_ratio: tails
                .as_ref()
                .and_then(|t| finite(t.p95.abs() / t.p5.abs())),
            alpha: None,
            beta: None,
            up_capture: None,
            down_capture: None,
            tracking_error: None,
            information_ratio: None,
        };
        if let Some(benchmark) = benchmark {
            statistics.add_benchmark(returns, benchmark, config);
        }
        Ok(statistics)
    }

    fn add_benchmark(&mut self, returns: &[f64], benchmark: &[f64], config: &StatsConfig) {
        let n = returns.len();
        let count = n as f64;
        let a = config.annualization;
        let rf = config.risk_free_per_period;

        // Pass 1: means and the up/down-market growth.
        let mut benchmark_sum = 0.0;
        let mut active_sum = 0.0;
        let mut up = CaptureLeg::default();
        let mut down = CaptureLeg::default();
        for (&r, &b) in returns.iter().zip(benchmark) {
            benchmark_sum += b;
            active_sum += r - b;
            if b > 0.0 {
                up.push(r, b);
            } else if b < 0.0 {
                down.push(r, b);
            }
        }
        self.up_capture = up.capture(a);
        self.down_capture = down.capture(a);
        if n < 2 {
            return;
        }
        let benchmark_mean = benchmark_sum / count;
        let active_mean = active_sum / count;

        // Pass 2: co-moments. Like empyrical, only the benchmark is centred for the covariance.
        let (mut covariance, mut benchmark_variance, mut active_squares) = (0.0, 0.0, 0.0);
        let (mut active_min, mut active_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for (&r, &b) in returns.iter().zip(benchmark) {
            let centred = b - benchmark_mean;
            covariance += centred * r;
            benchmark_variance += centred * centred;
            let active = r - b;
            active_min = active_min.min(active);
            active_max = active_max.max(active);
            let deviation = active - active_mean;
            active_squares += deviation * deviation;
        }
        covariance /= count;
        benchmark_variance /= count;

        let beta = (benchmark_variance >= 1e-30)
            .then(|| finite(covariance / benchmark_variance))
            .flatten();
        self.beta = beta;
        // Pass 3: Jensen's alpha, `mean((r − rf) − β(b − rf))`, summed as empyrical does.
        self.alpha = beta.and_then(|beta| {
            let residual_sum: f64 = returns
                .iter()
                .zip(benchmark)
                .map(|(&r, &b)| (r - rf) - beta * (b - rf))
                .sum();
            finite((1.0 + residual_sum / count).powf(a) - 1.0)
        });
        let active_std = (active_squares / (count - 1.0)).sqrt();
        self.tracking_error = finite(active_std * a.sqrt());
        // As empyrical's excess Sharpe: identical active returns have zero dispersion.
        let ratio_std = if active_min == active_max {
            0.0
        } else {
            active_std
        };
        self.information_ratio = finite(active_mean / ratio_std * a.sqrt());
    }
}

/// `growth^(A/n) − 1`, computed as empyrical does (`growth ** (1 / (n / A))`), so a negative
/// growth raised to an integer power stays defined and to a fractional one is `None`.
fn annualised_growth(growth: f64, periods: usize, annualization: f64) -> Option<f64> {
    if periods == 0 {
        return None;
    }
    let years = periods as f64 / annualization;
    finite(growth.powf(1.0 / years) - 1.0)
}

/// Growth of the portfolio and of the benchmark on the days of one market direction.
#[derive(Default)]
struct CaptureLeg {
    periods: usize,
    portfolio_growth: f64,
    benchmark_growth: f64,
}

impl CaptureLeg {
    fn push(&mut self, r: f64, b: f64) {
        if self.periods == 0 {
            self.portfolio_growth = 1.0;
            self.benchmark_growth = 1.0;
        }
        self.periods += 1;
        self.portfolio_growth *= 1.0 + r;
        self.benchmark_growth *= 1.0 + b;
    }

    fn capture(&self, annualization: f64) -> Option<f64> {
        let portfolio = annualised_growth(self.portfolio_growth, self.periods, annualization)?;
        let benchmark = annualised_growth(self.benchmark_growth, self.periods, annualization)?;
        finite(portfolio / benchmark)
    }
}

/// Running maximum drawdown on empyrical's wealth index (which starts at 100).
struct DrawdownTracker {
    index: usize,
    peak_value: f64,
    peak: usize,
    worst: Option<Drawdown>,
    worst_peak_value: f64,
}

impl DrawdownTracker {
    const START: f64 = 100.0;

    fn new() -> Self {
        Self {
            index: 0,
            peak_value: Self::START,
            peak: 0,
            worst: None,
            worst_peak_value: Self::START,
        }
    }

    fn push(&mut self, growth: f64) {
        self.index += 1;
        let wealth = growth * Self::START;
        if wealth > self.peak_value {
            self.peak_value = wealth;
            self.peak = self.index;
        }
        let depth = (wealth - self.peak_value) / self.peak_value;
        match &mut self.worst {
            Some(worst) if depth >= worst.depth => {
                if worst.recovery.is_none() && wealth >= self.worst_peak_value {
                    worst.recovery = Some(self.index);
                }
            }
            _ => {
                self.worst = Some(Drawdown {
                    depth,
                    peak: self.peak,
                    trough: self.index,
                    recovery: None,
                });
                self.worst_peak_value = self.peak_value;
            }
        }
    }

    fn finish(self) -> Option<Drawdown> {
        let worst = self.worst?;
        if !worst.depth.is_finite() {
            return None;
        }
        if worst.depth < 0.0 {
            return Some(worst);
        }
        // Never below a previous peak: a zero drawdown, with nothing to recover from.
        Some(Drawdown {
            depth: 0.0,
            peak: 0,
            trough: 0,
            recovery: None,
        })
    }
}

/// Order statistics needed for VaR, CVaR and the tail ratio.
struct Tails {
    p1: f64,
    p5: f64,
    p95: f64,
    cvar_95: f64,
    cvar_99: f64,
}

impl Tails {
    fn select(returns: &[f64], scratch: &mut Vec<f64>) -> Option<Self> {
        let n = returns.len();
        if n == 0 {
            return None;
        }
        scratch.clear();
        scratch.extend_from_slice(returns);
        let values = scratch.as_mut_slice();

        // Lower tail: partition around the 5% index, then the 1% index inside the left part.
        let low_5 = VirtualIndex::new(n, 0.05);
        let low_1 = VirtualIndex::new(n, 0.01);
        let (left, at_5, right) = values.select_nth_unstable_by(low_5.below, f64::total_cmp);
        let value_5 = *at_5;
        let next_5 = right.iter().copied().reduce(f64::min).unwrap_or(value_5);
        let sum_5 = left.iter().sum::<f64>() + value_5;
        let cvar_95 = sum_5 / (low_5.below + 1) as f64;
        let p5 = low_5.interpolate(value_5, next_5);

        // The 1% index is at or below the 5% one, so it lies in `left` or is `at_5` itself.
        let (p1, cvar_99) = if low_1.below == low_5.below {
            (low_1.interpolate(value_5, next_5), cvar_95)
        } else {
            let (left_1, at_1, right_1) = left.select_nth_unstable_by(low_1.below, f64::total_cmp);
            let value_1 = *at_1;
            let next_1 = right_1.iter().copied().reduce(f64::min).unwrap_or(value_5);
            let sum_1 = left_1.iter().sum::<f64>() + value_1;
            (
                low_1.interpolate(value_1, next_1),
                sum_1 / (low_1.below + 1) as f64,
            )
        };

        // Upper tail: the 95% index is at or above the 5% one.
        let high_95 = VirtualIndex::new(n, 0.95);
        let p95 = if high_95.below == low_5.below {
            high_95.interpolate(value_5, next_5)
        } else {
            let offset = low_5.below + 1;
            let (_, at_95, right_95) =
                right.select_nth_unstable_by(high_95.below - offset, f64::total_cmp);
            let value_95 = *at_95;
            let next_95 = right_95
                .iter()
                .copied()
                .reduce(f64::min)
                .unwrap_or(value_95);
            high_95.interpolate(value_95, next_95)
        };

        Some(Self {
            p1,
            p5,
            p95,
            cvar_95,
            cvar_99,
        })
    }
}

/// numpy's "linear" percentile position: `(n − 1)·q`, split into the order statistic below it
/// and the fraction towards the next one.
struct VirtualIndex {
    below: usize,
    fraction: f64,
}

impl VirtualIndex {
    fn new(n: usize, quantile: f64) -> Self {
        let position = (n.saturating_sub(1)) as f64 * quantile;
        let below = position.floor();
        Self {
            below: (below as usize).min(n.saturating_sub(1)),
            fraction: position - below,
        }
    }

    /// numpy's `_lerp`: `a + (b − a)·t`, but `b − (b − a)(1 − t)` when `t ≥ 0.5`.
    fn interpolate(&self, a: f64, b: f64) -> f64 {
        let t = self.fraction;
        let difference = b - a;
        if t >= 0.5 {
            b - difference * (1.0 - t)
        } else {
            a + difference * t
        }
    }
}

/// Annual return of a return series (`None` when undefined); see [`ReturnStatistics`].
pub fn annual_return(returns: &[f64], annualization: f64) -> Option<f64> {
    if returns.iter().any(|r| !r.is_finite()) || annualization.is_nan() || annualization <= 0.0 {
        return None;
    }
    let growth = returns.iter().fold(1.0, |g, r| g * (1.0 + r));
    annualised_growth(growth, returns.len(), annualization)
}

/// Annualised volatility (sample standard deviation times `√A`); `None` below two returns.
pub fn annual_volatility(returns: &[f64], annualization: f64) -> Option<f64> {
    let n = returns.len();
    if n < 2
        || returns.iter().any(|r| !r.is_finite())
        || annualization.is_nan()
        || annualization <= 0.0
    {
        return None;
    }
    let mean = returns.iter().sum::<f64>() / n as f64;
    let squares: f64 = returns.iter().map(|r| (r - mean) * (r - mean)).sum();
    finite((squares / (n as f64 - 1.0)).sqrt() * annualization.sqrt())
}

/// Pearson correlation of two equally long series (numpy's `corrcoef`, Python's
/// `statistics.correlation`): `None` below three
/// pairs, for series of different lengths, a non-finite value, or a series that does not vary.
pub fn correlation(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len();
    if n < 3 || b.len() != n || a.iter().chain(b).any(|v| !v.is_finite()) {
        return None;
    }
    let (mean_a, mean_b) = (
        a.iter().sum::<f64>() / n as f64,
        b.iter().sum::<f64>() / n as f64,
    );
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - mean_a, y - mean_b);
        ab += dx * dy;
        aa += dx * dx;
        bb += dy * dy;
    }
    if aa == 0.0 || bb == 0.0 {
        return None;
    }
    finite((ab / (aa * bb).sqrt()).clamp(-1.0, 1.0))
}

/// numpy-compatible linear-interpolation percentile, `q` in `[0, 100]`; `None` when empty.
pub fn percentile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() || !(0.0..=100.0).contains(&q) || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let index = VirtualIndex::new(sorted.len(), q / 100.0);
    let below = *sorted.get(index.below)?;
    let above = sorted.get(index.below + 1).copied().unwrap_or(below);
    finite(index.interpolate(below, above))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_matches_numpy() {
        // Python's statistics.correlation([1, 2, 3, 4, 6], [2, 1, 4, 3, 7]) == 0.8806955667454326
        let a = [1.0, 2.0, 3.0, 4.0, 6.0];
        let b = [2.0, 1.0, 4.0, 3.0, 7.0];
        let r = correlation(&a, &b).expect("defined");
        assert!((r - 0.880_695_566_745_432_6).abs() < 1e-12, "{r}");
        assert!((correlation(&a, &a).expect("defined") - 1.0).abs() < 1e-15);
        assert_eq!(correlation(&a, &[1.0; 5]), None, "a flat series");
        assert_eq!(correlation(&a[..2], &b[..2]), None, "too few pairs");
    }

    #[test]
    fn percentile_matches_numpy() {
        // numpy.percentile([1, 2, 3, 4], 5) == 1.15; ([1..10], 95) == 9.549999999999999
        let v = [4.0, 1.0, 3.0, 2.0];
        assert!((percentile(&v, 5.0).expect("defined") - 1.15).abs() < 1e-15);
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 95.0), Some(9.549_999_999_999_999));
        assert_eq!(percentile(&[], 5.0), None);
    }

    #[test]
    fn tails_agree_with_sorting() {
        for n in 1..60 {
            let values: Vec<f64> = (0..n)
                .map(|i| ((i * 37 % 23) as f64 - 11.0) / 100.0)
                .collect();
            let mut scratch = Vec::new();
            let tails = Tails::select(&values, &mut scratch).expect("non-empty");
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            assert_eq!(Some(tails.p5), percentile(&values, 5.0), "n={n}");
            assert_eq!(Some(tails.p1), percentile(&values, 1.0), "n={n}");
            assert_eq!(Some(tails.p95), percentile(&values, 95.0), "n={n}");
            let k = ((n - 1) as f64 * 0.05) as usize;
            let expected = sorted[..=k].iter().sum::<f64>() / (k + 1) as f64;
            assert!((tails.cvar_95 - expected).abs() < 1e-15, "n={n}");
            let k = ((n - 1) as f64 * 0.01) as usize;
            let expected = sorted[..=k].iter().sum::<f64>() / (k + 1) as f64;
            assert!((tails.cvar_99 - expected).abs() < 1e-15, "n={n}");
        }
    }

    #[test]
    fn drawdown_positions() {
        // Wealth: 1, 1.1, 0.88, 0.968, 1.1616 → peak 1, trough 2, recovered at 4.
        let returns = [0.1, -0.2, 0.1, 0.2];
        let stats =
            ReturnStatistics::compute(&returns, None, &StatsConfig::default()).expect("computes");
        let dd = stats.max_drawdown.expect("defined");
        assert!((dd.depth + 0.2).abs() < 1e-12);
        assert_eq!((dd.peak, dd.trough, dd.recovery), (1, 2, Some(4)));
        let dates: Vec<NaiveDate> = (1..=5)
            .map(|d| NaiveDate::from_ymd_opt(2025, 1, d).expect("valid"))
            .collect();
        let on = dd.on_dates(&dates).expect("dates line up");
        assert_eq!(on.trough, dates[2]);
        assert!(dd.on_dates(&dates[..2]).is_err());
    }

    #[test]
    fn rising_series_has_zero_drawdown_and_no_calmar() {
        let stats = ReturnStatistics::compute(&[0.01, 0.02], None, &StatsConfig::default())
            .expect("computes");
        assert_eq!(stats.max_drawdown.map(|d| d.depth), Some(0.0));
        assert_eq!(stats.calmar, None);
    }

    #[test]
    fn short_and_constant_series() {
        let config = StatsConfig::daily(0.065).expect("valid");
        let empty = ReturnStatistics::compute(&[], Some(&[]), &config).expect("computes");
        assert_eq!(empty.annual_return, None);
        assert_eq!(empty.var_95, None);
        let one = ReturnStatistics::compute(&[0.01], Some(&[0.02]), &config).expect("computes");
        assert!(one.annual_return.is_some());
        assert_eq!(one.annual_volatility, None);
        assert_eq!(one.beta, None);
        let flat =
            ReturnStatistics::compute(&[0.0; 10], Some(&[0.0; 10]), &config).expect("computes");
        assert_eq!(flat.sharpe, None);
        assert_eq!(flat.beta, None);
        assert_eq!(flat.tail_ratio, None);
        assert_eq!(flat.up_capture, None);
        assert!(ReturnStatistics::compute(&[0.1], Some(&[0.1, 0.2]), &config).is_err());
        assert!(ReturnStatistics::compute(&[f64::NAN], None, &config).is_err());
    }
}
