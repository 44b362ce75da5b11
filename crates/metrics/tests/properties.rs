//! Property tests: the XIRR root is a root, TWRR ignores scale and order, and nothing panics
//! or returns NaN/∞ on any finite input (empty, single point, zeros, 1e15, 1e-9, negatives).

use chrono::{Days, NaiveDate};
use pms_metrics::format;
use pms_metrics::stats::{ReturnStatistics, StatsConfig};
use pms_metrics::{xirr, xnpv, CashFlow, FinancialYear, PerformanceSeries, Period, Valuation};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn day(offset: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid") + Days::new(u64::from(offset))
}

/// Money-like amounts: ordinary, tiny, huge, zero and negative.
fn amount() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e8..1e8_f64,
        1 => -1e-9..1e-9_f64,
        1 => prop_oneof![Just(1e15), Just(-1e15), Just(0.0), Just(1e-9), Just(-1e-9)],
        1 => proptest::num::f64::NORMAL | proptest::num::f64::ZERO | proptest::num::f64::SUBNORMAL,
    ]
}

fn flows(max: usize) -> impl Strategy<Value = Vec<CashFlow>> {
    prop::collection::vec((0u32..15_000, amount()), 0..max).prop_map(|v| {
        v.into_iter()
            .map(|(d, a)| CashFlow::new(day(d), a))
            .collect()
    })
}

/// Flows with at least one outflow and one inflow of ordinary size.
fn investable_flows() -> impl Strategy<Value = Vec<CashFlow>> {
    (
        prop::collection::vec((0u32..8_000, -1e7..-1.0_f64), 1..20),
        prop::collection::vec((0u32..8_000, 1.0..1e7_f64), 1..20),
    )
        .prop_map(|(outs, ins)| {
            outs.into_iter()
                .chain(ins)
                .map(|(d, a)| CashFlow::new(day(d), a))
                .collect()
        })
}

/// A valuation history: distinct dates, values that may be zero or negative.
fn history() -> impl Strategy<Value = (Vec<Valuation>, Vec<CashFlow>)> {
    (
        prop::collection::btree_map(0u32..3_000, amount(), 0..60),
        prop::collection::vec((0u32..3_100, amount()), 0..10),
    )
        .prop_map(|(values, flows)| {
            (
                values
                    .into_iter()
                    .map(|(d, v)| Valuation::new(day(d), v))
                    .collect(),
                flows
                    .into_iter()
                    .map(|(d, a)| CashFlow::new(day(d), a))
                    .collect(),
            )
        })
}

/// A positive, ordinary valuation history with ordinary flows.
fn ordinary_history() -> impl Strategy<Value = (Vec<Valuation>, Vec<CashFlow>)> {
    (
        prop::collection::btree_map(0u32..3_000, 1e3..1e9_f64, 2..60),
        prop::collection::vec((0u32..3_000, -1e5..1e5_f64), 0..10),
    )
        .prop_map(|(values, flows)| {
            (
                values
                    .into_iter()
                    .map(|(d, v)| Valuation::new(day(d), v))
                    .collect(),
                flows
                    .into_iter()
                    .map(|(d, a)| CashFlow::new(day(d), a))
                    .collect(),
            )
        })
}

fn all_finite(stats: &ReturnStatistics) -> bool {
    let values = [
        stats.annual_return,
        stats.annual_volatility,
        stats.sharpe,
        stats.sortino,
        stats.downside_risk,
        stats.max_drawdown.map(|d| d.depth),
        stats.calmar,
        stats.var_95,
        stats.cvar_95,
        stats.var_99,
        stats.cvar_99,
        stats.tail_ratio,
        stats.alpha,
        stats.beta,
        stats.up_capture,
        stats.down_capture,
        stats.tracking_error,
        stats.information_ratio,
    ];
    values.iter().flatten().all(|v| v.is_finite())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn xnpv_vanishes_at_the_xirr_root(flows in investable_flows()) {
        if let Ok(rate) = xirr(&flows) {
            prop_assert!(rate.is_finite() && rate > -1.0);
            let npv = xnpv(rate, &flows).expect("rate in domain");
            let magnitudes: Vec<CashFlow> =
                flows.iter().map(|f| CashFlow::new(f.date, f.amount.abs())).collect();
            let gross = xnpv(rate, &magnitudes).expect("rate in domain");
            prop_assert!(npv.abs() <= 1e-6 * gross, "rate {rate}: npv {npv} vs gross {gross}");
        }
    }

    #[test]
    fn one_sign_change_always_has_a_root(
        outs in prop::collection::vec((0u32..4_000, -1e7..-1.0_f64), 1..30),
        multiple in 0.05..100.0_f64,
    ) {
        // Investments, then one closing value at least 400 days after all of them: exactly one
        // sign change, and a root well inside f64 (a −99.9999…% rate whose `1 + r` is below
        // 1e-16 has no f64 representation and is rightly reported as not found).
        let invested: f64 = outs.iter().map(|(_, a)| -a).sum();
        let mut flows: Vec<CashFlow> = outs.into_iter().map(|(d, a)| CashFlow::new(day(d), a)).collect();
        flows.push(CashFlow::new(day(4_400), invested * multiple));
        let rate = xirr(&flows);
        prop_assert!(rate.is_ok(), "{flows:?}");
    }

    #[test]
    fn xirr_ignores_input_order(flows in investable_flows(), seed in any::<u64>()) {
        let mut shuffled = flows.clone();
        // Deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(xirr(&flows), xirr(&shuffled));
    }

    #[test]
    fn xirr_never_panics_or_returns_nan(flows in flows(40)) {
        if let Ok(rate) = xirr(&flows) {
            prop_assert!(rate.is_finite() && rate > -1.0);
        }
        if let Ok(npv) = xnpv(0.1, &flows) {
            prop_assert!(npv.is_finite());
        }
    }

    #[test]
    fn twrr_is_unchanged_by_scale((valuations, flows) in ordinary_history(), scale in 1e-3..1e6_f64) {
        let base = PerformanceSeries::new(&valuations, &flows).expect("valid");
        let scaled_valuations: Vec<Valuation> =
            valuations.iter().map(|v| Valuation::new(v.date, v.value * scale)).collect();
        let scaled_flows: Vec<CashFlow> =
            flows.iter().map(|f| CashFlow::new(f.date, f.amount * scale)).collect();
        let scaled = PerformanceSeries::new(&scaled_valuations, &scaled_flows).expect("valid");
        let (a, b) = (base.twrr().expect("finite"), scaled.twrr().expect("finite"));
        match (a, b) {
            (Some(a), Some(b)) => {
                let tolerance = 1e-9 * (1.0 + a.cumulative.abs());
                prop_assert!((a.cumulative - b.cumulative).abs() <= tolerance, "{a:?} vs {b:?}");
            }
            (a, b) => prop_assert_eq!(a, b),
        }
    }

    #[test]
    fn twrr_ignores_input_order((valuations, flows) in history()) {
        let mut reversed_valuations = valuations.clone();
        reversed_valuations.reverse();
        let mut reversed_flows = flows.clone();
        reversed_flows.reverse();
        let a = PerformanceSeries::new(&valuations, &flows).map(|s| s.twrr());
        let b = PerformanceSeries::new(&reversed_valuations, &reversed_flows).map(|s| s.twrr());
        prop_assert_eq!(a, b);
    }

    #[test]
    fn twrr_never_panics_or_returns_nan((valuations, flows) in history(), as_of in 0u32..3_200) {
        if let Ok(series) = PerformanceSeries::new(&valuations, &flows) {
            prop_assert!(series.daily_returns().iter().all(|r| r.is_finite()));
            if let Ok(Some(whole)) = series.twrr() {
                prop_assert!(whole.cumulative.is_finite());
                prop_assert!(whole.annualized.is_none_or(f64::is_finite));
            }
            for row in series.standard_periods(day(as_of)) {
                if let Some(r) = row.result {
                    prop_assert!(r.cumulative.is_finite() && r.annualized.is_none_or(f64::is_finite));
                }
            }
            if let Ok(rate) = series.money_weighted_return(Period::SinceInception, day(as_of)) {
                prop_assert!(rate.is_finite());
            }
            let _ = pms_metrics::rolling::trailing_returns(&series, 12);
            let _ = pms_metrics::MonthlyReturnTable::from_series(&series, pms_metrics::YearLayout::Financial);
        }
    }

    #[test]
    fn statistics_never_panic_or_return_nan(
        returns in prop::collection::vec(prop_oneof![
            4 => -0.2..0.2_f64,
            1 => Just(0.0),
            1 => Just(-1.0),
            1 => -1e15..1e15_f64,
            1 => -1e-9..1e-9_f64,
        ], 0..300),
        with_benchmark in any::<bool>(),
        risk_free in 0.0..0.2_f64,
    ) {
        let benchmark: Vec<f64> = returns.iter().rev().map(|r| r * 0.5).collect();
        let config = StatsConfig::daily(risk_free).expect("valid");
        let stats = ReturnStatistics::compute(
            &returns,
            with_benchmark.then_some(benchmark.as_slice()),
            &config,
        ).expect("finite inputs of equal length");
        prop_assert!(all_finite(&stats), "{stats:?}");
        let _ = pms_metrics::rolling::rolling_volatility(&returns, 20, 252.0);
        let _ = pms_metrics::correlation_matrix(&[&returns, &benchmark]);
    }

    #[test]
    fn formatter_never_panics(x in any::<f64>(), mantissa in any::<i64>(), scale in 0u32..28) {
        let d = Decimal::new(mantissa, scale);
        for text in [format::inr(x), format::inr_short(x), format::percent(x), format::inr(d), format::inr_short(d), format::percent(d), format::grouped(d, 4)] {
            prop_assert!(!text.is_empty());
            prop_assert!(!text.contains("NaN") && !text.contains("inf"));
        }
    }

    #[test]
    fn fees_never_panic(
        values in prop::collection::vec((0u32..2_000, any::<i64>(), 0u32..8), 0..30),
        flows in prop::collection::vec((0u32..2_000, any::<i64>(), 0u32..8), 0..10),
        rate in 0u32..100,
        hurdle in 0u32..30,
        anniversary in any::<bool>(),
    ) {
        use pms_metrics::fees::{accrue_management_fee, performance_fee_schedule, Crystallisation, PerformanceFeeTerms};
        let money = |(d, m, s): (u32, i64, u32)| (day(d), Decimal::new(m, s));
        let values: Vec<_> = values.into_iter().map(money).collect();
        let flows: Vec<_> = flows.into_iter().map(money).collect();
        let terms = PerformanceFeeTerms {
            rate: Decimal::new(i64::from(rate), 2),
            hurdle_rate: Decimal::new(i64::from(hurdle), 2),
            crystallisation: if anniversary { Crystallisation::Anniversary } else { Crystallisation::FinancialYearEnd },
        };
        if let Ok(rows) = performance_fee_schedule(&values, &flows, &terms) {
            for row in rows {
                prop_assert!(row.fee >= Decimal::ZERO && row.excess >= Decimal::ZERO);
                prop_assert!(row.fee.scale() <= 2);
            }
        }
        let range = pms_metrics::DateRange::new(day(0), day(400)).expect("valid");
        if let Ok(accrual) = accrue_management_fee(&values, Decimal::new(2, 2), range) {
            prop_assert!(accrual.total >= Decimal::ZERO);
        }
    }

    #[test]
    fn financial_year_parsing_never_panics(text in ".{0,16}") {
        if let Ok(fy) = FinancialYear::parse(&text) {
            prop_assert_eq!(FinancialYear::parse(&fy.label()), Ok(fy));
        }
    }
}
