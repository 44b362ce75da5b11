//! Criterion benchmarks: XIRR at 100 / 1,000 / 10,000 flows, and TWRR plus the full statistic
//! set for 10,000 portfolios × 1,250 daily valuations on one core.
//!
//! Run: `cargo bench -p pms-metrics --bench metrics` (add `-- --quick` for a short run).

use std::hint::black_box;
use std::time::Duration;

use chrono::{Days, NaiveDate};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pms_metrics::{xirr, CashFlow, PerformanceSeries, ReturnStatistics, StatsConfig, Valuation};

/// A small deterministic generator (64-bit LCG, Knuth's MMIX constants), the same one
/// `bench/pyxirr_compare.py` uses, so both sides see identical flows.
struct Lcg(u64);

impl Lcg {
    fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        f64::from(self.next_u32()) / 2_147_483_648.0
    }
}

/// `n` flows of an SIP-like account: contributions every 1–3 days, a redemption every tenth
/// flow, and a closing value that makes the XIRR 12%.
fn sip_flows(n: usize) -> Vec<CashFlow> {
    let mut rng = Lcg(42);
    let mut date = NaiveDate::from_ymd_opt(2000, 1, 3).expect("valid date");
    let mut flows = Vec::with_capacity(n);
    for i in 0..n.saturating_sub(1) {
        let amount = if i % 10 == 9 {
            (5_000.0 + 20_000.0 * rng.unit()).round()
        } else {
            -(10_000.0 + 50_000.0 * rng.unit()).round()
        };
        flows.push(CashFlow::new(date, amount));
        date = date + Days::new(1 + u64::from(rng.next_u32() % 3));
    }
    let last = date;
    let future_value: f64 = flows
        .iter()
        .map(|f| -f.amount * 1.12_f64.powf((last - f.date).num_days() as f64 / 365.0))
        .sum();
    flows.push(CashFlow::new(last, future_value));
    flows
}

fn bench_xirr(c: &mut Criterion) {
    let mut group = c.benchmark_group("xirr");
    for n in [100usize, 1_000, 10_000] {
        let flows = sip_flows(n);
        let rate = xirr(&flows).expect("the synthetic flows have a root");
        assert!((rate - 0.12).abs() < 1e-9, "n={n}: {rate}");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &flows, |b, flows| {
            b.iter(|| xirr(black_box(flows)))
        });
    }
    group.finish();
}

struct Portfolio {
    valuations: Vec<Valuation>,
    flows: Vec<CashFlow>,
}

/// `count` portfolios of `days` daily valuations with a few flows each, and a benchmark.
fn portfolio_set(count: usize, days: usize) -> (Vec<Portfolio>, Vec<f64>) {
    let mut rng = Lcg(7);
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date");
    let dates: Vec<NaiveDate> = (0..days as u64).map(|d| start + Days::new(d)).collect();
    let benchmark: Vec<f64> = (1..days).map(|_| (rng.unit() - 0.48) * 0.03).collect();
    let portfolios = (0..count)
        .map(|_| {
            let beta = 0.6 + 0.8 * rng.unit();
            let mut value = 1e7 * (1.0 + 9.0 * rng.unit());
            let mut valuations = Vec::with_capacity(days);
            let mut flows = Vec::new();
            valuations.push(Valuation::new(dates[0], value));
            for (t, &date) in dates.iter().enumerate().skip(1) {
                let r = beta * benchmark[t - 1] + (rng.unit() - 0.5) * 0.01;
                value *= 1.0 + r;
                if rng.next_u32().is_multiple_of(100) {
                    let flow = value * (rng.unit() - 0.3) * 0.2;
                    value += flow;
                    flows.push(CashFlow::new(date, flow));
                }
                valuations.push(Valuation::new(date, value));
            }
            Portfolio { valuations, flows }
        })
        .collect();
    (portfolios, benchmark)
}

fn bench_portfolio_set(c: &mut Criterion) {
    const PORTFOLIOS: usize = 10_000;
    const DAYS: usize = 1_250;
    let (portfolios, benchmark) = portfolio_set(PORTFOLIOS, DAYS);
    let config = StatsConfig::daily(0.065).expect("valid config");
    let mut group = c.benchmark_group("portfolio_set");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(PORTFOLIOS as u64));
    group.bench_function("twrr_and_statistics_10000x1250", |b| {
        let mut scratch = Vec::with_capacity(DAYS);
        b.iter(|| {
            let mut checksum = 0.0;
            for portfolio in &portfolios {
                let series = PerformanceSeries::new(&portfolio.valuations, &portfolio.flows)
                    .expect("valid series");
                let twrr = series.twrr().expect("finite").expect("two valuations");
                let stats = ReturnStatistics::compute_with_scratch(
                    series.daily_returns(),
                    Some(&benchmark),
                    &config,
                    &mut scratch,
                )
                .expect("valid statistics");
                checksum += twrr.cumulative + stats.sharpe.unwrap_or(0.0);
            }
            black_box(checksum)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_xirr, bench_portfolio_set);
criterion_main!(benches);
