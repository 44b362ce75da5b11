//! The market the portfolios live in: daily closing prices of every security and daily levels
//! of every benchmark on Indian business days, and the dividends and coupons paid along the way.
//!
//! Equities follow a factor model — a market factor with clustered volatility (GARCH(1,1)) and
//! one sharp correction somewhere in the history, size factors for mid and small caps, a
//! factor per sector, and stock-specific noise — compounded daily (discretised geometric
//! Brownian motion). Bonds move with a mean-reverting yield (price change ≈ −duration × yield
//! change) and pay their coupons in cash; liquid funds accrue daily; gold, silver and the
//! overseas fund have their own factors. Benchmarks are built from the same universe (NIFTY 50
//! TRI is the large caps plus their dividend yield …), so portfolios track their benchmarks the
//! way real ones do, with tracking error and alpha of either sign.
//!
//! Prices are stored as integers in ten-thousandths of a rupee and rounded to what the
//! security quotes in (paise for shares and bonds, four decimals for fund NAVs), so that the
//! figures in the files are exactly the figures the trading simulation computed with.

use chrono::{Datelike, NaiveDate};
use rand::Rng;

use super::calendar::Calendar;
use super::random::normal;
use super::securities::{Cap, Kind, Security, SECTORS};
use super::strategies::{BenchmarkRecipe, BENCHMARKS};

/// Ten-thousandths of a rupee per rupee.
pub(crate) const PRICE_SCALE: i64 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Income {
    Dividend,
    Interest,
}

/// Cash a security pays per unit held on a day.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Payout {
    pub security: u32,
    /// Per unit, in ten-thousandths of a rupee (a whole number of paise).
    pub per_unit: i64,
    pub income: Income,
}

pub(crate) struct Market {
    pub securities: Vec<Security>,
    /// `prices[security][day]` in ten-thousandths of a rupee.
    pub prices: Vec<Vec<i64>>,
    /// `levels[benchmark][day]`, rounded to two decimals.
    pub levels: Vec<Vec<f64>>,
    /// `payouts[day]`: dividends and coupons paid that day.
    pub payouts: Vec<Vec<Payout>>,
}

impl Market {
    pub(crate) fn price(&self, security: u32, day: usize) -> i64 {
        self.prices[security as usize][day]
    }
}

fn round_price(level: f64, decimals: u32) -> i64 {
    let step = PRICE_SCALE / 10i64.pow(decimals);
    let units = (level * PRICE_SCALE as f64 / step as f64).round() as i64;
    units.max(1) * step
}

/// Simulates the whole history. `rng` is the market's own stream.
pub(crate) fn simulate(
    rng: &mut impl Rng,
    calendar: &Calendar,
    securities: Vec<Security>,
) -> Market {
    let n = calendar.len();
    let years = 252.0;
    let mut levels_f: Vec<f64> = securities.iter().map(|s| s.start_price).collect();
    let mut prices: Vec<Vec<i64>> = securities.iter().map(|_| Vec::with_capacity(n)).collect();
    for (s, p) in securities.iter().zip(prices.iter_mut()) {
        p.push(round_price(s.start_price, s.price_decimals));
    }
    let mut bench: Vec<Vec<f64>> = BENCHMARKS.iter().map(|b| vec![b.start_level]).collect();
    let mut bench_f: Vec<f64> = BENCHMARKS.iter().map(|b| b.start_level).collect();
    let sector_drift: Vec<f64> = SECTORS
        .iter()
        .map(|s| s.drift / years + normal(rng) * 0.01 / years)
        .collect();
    let sector_vol: Vec<f64> = SECTORS.iter().map(|s| s.vol / years.sqrt()).collect();
    let divopp_yield = {
        let payers: Vec<&Security> = securities
            .iter()
            .filter(|s| s.dividend_yield >= 0.012)
            .collect();
        payers.iter().map(|s| s.dividend_yield).sum::<f64>() / payers.len().max(1) as f64
    };

    let factors = Factors::draw(rng, n);
    let mut yield_level = 0.068f64;
    let mut r_sec = vec![0.0f64; SECTORS.len()];

    for day in 1..n {
        let gap_days = (calendar.days[day] - calendar.days[day - 1]).num_days() as f64;
        let (m, mid_f, small_f, shock) = (
            factors.market[day],
            factors.mid[day],
            factors.small[day],
            factors.shock[day],
        );
        for (k, r) in r_sec.iter_mut().enumerate() {
            *r = sector_drift[k] + sector_vol[k] * normal(rng);
        }
        // Yield: mean-reverting towards 7.0% with about 60 bp a year of noise.
        let old_yield = yield_level;
        yield_level += 0.004 * (0.070 - yield_level) + 0.00038 * normal(rng);
        let dy = yield_level - old_yield;
        let credit = 0.00008 * normal(rng);
        let gold = 0.11 / years + 0.14 / years.sqrt() * normal(rng) - 0.1 * shock;
        let global = 0.12 / years + 0.15 / years.sqrt() * normal(rng) + 0.35 * shock;

        let (mut sum_l, mut sum_m, mut sum_s, mut sum_d) = (0.0, 0.0, 0.0, 0.0);
        let (mut n_l, mut n_m, mut n_s, mut n_d) = (0usize, 0usize, 0usize, 0usize);
        for (i, s) in securities.iter().enumerate() {
            let r = match s.kind {
                Kind::Equity => {
                    let size = match s.cap {
                        Some(Cap::Mid) => mid_f,
                        Some(Cap::Small) => small_f,
                        _ => 0.0,
                    };
                    s.alpha + s.beta * m + size + r_sec[s.sector_index] + s.idio_vol * normal(rng)
                }
                Kind::CorporateBond => -s.duration * (dy + credit) + s.idio_vol * normal(rng),
                Kind::GSec => -s.duration * dy + s.idio_vol * normal(rng),
                Kind::Liquid => 0.066 / 365.0 * gap_days + 0.000_02 * normal(rng),
                Kind::Overnight => 0.063 / 365.0 * gap_days + 0.000_005 * normal(rng),
                Kind::Arbitrage => 0.069 / 365.0 * gap_days + 0.0003 * normal(rng),
                Kind::GoldEtf => gold + 0.001 * normal(rng),
                Kind::SilverEtf => 1.3 * gold + 0.012 * normal(rng),
                Kind::International => global + 0.002 * normal(rng),
            };
            let r = r.max(-0.2);
            levels_f[i] *= 1.0 + r;
            prices[i].push(round_price(levels_f[i], s.price_decimals));
            if s.kind == Kind::Equity {
                match s.cap {
                    Some(Cap::Large) => {
                        sum_l += r;
                        n_l += 1;
                    }
                    Some(Cap::Mid) => {
                        sum_m += r;
                        n_m += 1;
                    }
                    _ => {
                        sum_s += r;
                        n_s += 1;
                    }
                }
                if s.dividend_yield >= 0.012 {
                    sum_d += r;
                    n_d += 1;
                }
            }
        }
        let avg = |sum: f64, count: usize| if count == 0 { 0.0 } else { sum / count as f64 };
        let (avg_l, avg_m, avg_s, avg_d) = (
            avg(sum_l, n_l),
            avg(sum_m, n_m),
            avg(sum_s, n_s),
            avg(sum_d, n_d),
        );
        let mut bench_r = vec![0.0f64; BENCHMARKS.len()];
        // Blends refer to earlier benchmarks, so one pass in order suffices.
        for (b, def) in BENCHMARKS.iter().enumerate() {
            bench_r[b] = match def.recipe {
                BenchmarkRecipe::Equity {
                    large,
                    mid,
                    small,
                    dividend_yield,
                } => large * avg_l + mid * avg_m + small * avg_s + dividend_yield / years,
                BenchmarkRecipe::DividendPayers => avg_d + divopp_yield / years,
                BenchmarkRecipe::Bond { spread, duration } => {
                    (old_yield + spread) / 365.0 * gap_days - duration * dy
                }
                BenchmarkRecipe::Blend { parts, gold: g } => {
                    parts.iter().map(|(i, w)| w * bench_r[*i]).sum::<f64>() + g * gold
                }
            };
            bench_f[b] *= 1.0 + bench_r[b];
            bench[b].push((bench_f[b] * 100.0).round() / 100.0);
        }
    }
    for b in bench.iter_mut() {
        if let Some(first) = b.first_mut() {
            *first = (*first * 100.0).round() / 100.0;
        }
    }
    let payouts = payouts(calendar, &securities, &prices);
    Market {
        securities,
        prices,
        levels: bench,
        payouts,
    }
}

/// The common equity factors, drawn for the whole history first so that their totals can be
/// pinned: the market's shocks (GARCH(1,1) volatility around 13 % a year, one correction of
/// about 10 % somewhere in the middle) are random, but the drift is set so that the market
/// gains about 9 % a year in price over the history whatever the seed — a demo should show
/// an ordinary market, not a lost half-decade. Mid and small caps earn a small premium the
/// same way.
struct Factors {
    market: Vec<f64>,
    mid: Vec<f64>,
    small: Vec<f64>,
    /// The market's random part (gold and overseas equity lean on it).
    shock: Vec<f64>,
}

impl Factors {
    fn draw(rng: &mut impl Rng, n: usize) -> Self {
        let years = 252.0f64;
        let long_var = (0.13 / years.sqrt()).powi(2);
        let (a, b) = (0.06, 0.90);
        let w = long_var * (1.0 - a - b);
        let mut var = long_var;
        let mut last = 0.0f64;
        let correction_start = rng.random_range(n / 4..(n * 3 / 4).max(n / 4 + 1));
        let mut shock = vec![0.0; n];
        let mut mid = vec![0.0; n];
        let mut small = vec![0.0; n];
        for day in 1..n {
            var = w + a * last * last + b * var;
            let in_correction = (correction_start..correction_start + 20).contains(&day);
            let boost = if in_correction { 1.4 } else { 1.0 };
            last = var.sqrt() * boost * normal(rng);
            // The correction's fall is part of the shocks, so the pinned drift does not undo it.
            shock[day] = last + if in_correction { -0.005 } else { 0.0 };
            mid[day] = 0.07 / years.sqrt() * normal(rng) + 0.15 * last;
            small[day] = 0.10 / years.sqrt() * normal(rng) + 0.3 * last;
        }
        let days = n.saturating_sub(1).max(1) as f64;
        // Pin each factor's total log return; daily simple returns r give Σ ln(1 + r).
        let pin = |series: &[f64], annual: f64| -> Vec<f64> {
            let target = (1.0 + annual).ln() * days / years;
            let mut drift =
                (target - series.iter().skip(1).map(|x| (1.0 + x).ln()).sum::<f64>()) / days;
            // One Newton-free refinement is enough at these magnitudes.
            for _ in 0..3 {
                let total: f64 = series.iter().skip(1).map(|x| (1.0 + x + drift).ln()).sum();
                drift += (target - total) / days;
            }
            let mut out: Vec<f64> = series.iter().map(|x| x + drift).collect();
            out[0] = 0.0;
            out
        };
        let market = pin(&shock, 0.09);
        let mid = pin(&mid, 0.015);
        let small = pin(&small, 0.01);
        Self {
            market,
            mid,
            small,
            shock,
        }
    }
}

/// Dividends (yield × price, split over the year's payments) and coupons (face × rate /
/// frequency) on the first business day on or after each payment date.
fn payouts(calendar: &Calendar, securities: &[Security], prices: &[Vec<i64>]) -> Vec<Vec<Payout>> {
    let mut out: Vec<Vec<Payout>> = vec![Vec::new(); calendar.len()];
    let (Some(first), Some(last)) = (calendar.days.first(), calendar.days.last()) else {
        return out;
    };
    for (i, s) in securities.iter().enumerate() {
        let (dates, income) = if !s.dividend_dates.is_empty() {
            (&s.dividend_dates, Income::Dividend)
        } else if !s.coupon_dates.is_empty() {
            (&s.coupon_dates, Income::Interest)
        } else {
            continue;
        };
        // Dividends are a yield on the day's price; coupons a fixed share of face value.
        let per_unit_rupees = |day: usize| match income {
            Income::Dividend => {
                prices[i][day] as f64 / PRICE_SCALE as f64 * s.dividend_yield / dates.len() as f64
            }
            Income::Interest => s.face * s.coupon / dates.len() as f64,
        };
        for year in first.year()..=last.year() {
            for &(month, day) in dates {
                let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
                    continue;
                };
                if date <= *first || date > *last {
                    continue;
                }
                let index = calendar.on_or_after(date);
                if index >= calendar.len() {
                    continue;
                }
                let paise = (per_unit_rupees(index) * 100.0).round() as i64;
                if paise > 0 {
                    out[index].push(Payout {
                        security: i as u32,
                        per_unit: paise * 100,
                        income,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{stream, Purpose};
    use crate::securities::universe;

    #[test]
    fn prices_are_positive_and_plausible() {
        let start = NaiveDate::from_ymd_opt(2021, 11, 22).unwrap();
        let end = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let cal = Calendar::new(start, end);
        let secs = universe(&mut stream(5, Purpose::Securities, 0));
        let market = simulate(&mut stream(5, Purpose::Market, 0), &cal, secs);
        assert!(cal.len() > 1200 && cal.len() < 1320, "{}", cal.len());
        for (s, p) in market.securities.iter().zip(&market.prices) {
            assert_eq!(p.len(), cal.len());
            assert!(p.iter().all(|x| *x > 0), "{}", s.name);
            let step = PRICE_SCALE / 10i64.pow(s.price_decimals);
            assert!(p.iter().all(|x| x % step == 0));
        }
        for (b, levels) in market.levels.iter().enumerate() {
            assert_eq!(levels.len(), cal.len());
            let growth = levels[levels.len() - 1] / levels[0];
            assert!(
                growth > 0.3 && growth < 6.0,
                "{} grew {growth}",
                BENCHMARKS[b].code
            );
        }
        let bond_growth = market.levels[5][cal.last()] / market.levels[5][0];
        assert!(
            bond_growth > 1.15 && bond_growth < 1.6,
            "bond index grew {bond_growth}"
        );
        let paid: usize = market.payouts.iter().map(Vec::len).sum();
        assert!(paid > 500, "{paid} payouts");
    }
}
