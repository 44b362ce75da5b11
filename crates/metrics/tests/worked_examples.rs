//! Worked examples from published sources, recomputed by hand in the comments.

use chrono::NaiveDate;
use pms_metrics::attribution::{brinson_fachler, Segment};
use pms_metrics::fees::{performance_fee_schedule, Crystallisation, PerformanceFeeTerms};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn segment(name: &str, wp: f64, wb: f64, rp: f64, rb: f64) -> Segment {
    Segment {
        name: name.into(),
        portfolio_weight: wp,
        benchmark_weight: wb,
        portfolio_return: rp,
        benchmark_return: rb,
    }
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-12,
        "{what}: {actual} vs {expected}"
    );
}

/// The three-segment portfolio (UK, Japanese and US equities) that Carl R. Bacon uses
/// throughout chapter 5 of "Practical Portfolio Performance Measurement and Attribution",
/// 2nd ed. (Wiley, 2008), Exhibit 5.1. Every effect below is re-derived by hand from the
/// data, so the test stands on the Brinson–Fachler formulas, not on a transcription:
///
/// | segment           | wp  | wb  | Rp   | Rb   |
/// |-------------------|-----|-----|------|------|
/// | UK equities       | 40% | 40% | 20%  | 10%  |
/// | Japanese equities | 30% | 20% | −5%  | −4%  |
/// | US equities       | 30% | 40% | 6%   | 8%   |
/// | total             |     |     | 8.3% | 6.4% |
///
/// Brinson–Fachler effects, by hand (Rb = 6.4%):
/// - allocation `(wp − wb)(Rbᵢ − Rb)`: UK 0 · 3.6% = 0; Japan 0.1 · (−10.4%) = −1.04%;
///   US −0.1 · 1.6% = −0.16%; total −1.20%.
/// - selection `wb(Rpᵢ − Rbᵢ)`: UK 0.4 · 10% = 4.0%; Japan 0.2 · (−1%) = −0.2%;
///   US 0.4 · (−2%) = −0.8%; total 3.0%.
/// - interaction `(wp − wb)(Rpᵢ − Rbᵢ)`: UK 0; Japan 0.1 · (−1%) = −0.1%;
///   US −0.1 · (−2%) = 0.2%; total 0.1%.
/// - −1.2% + 3.0% + 0.1% = 1.9% = 8.3% − 6.4%.
#[test]
fn brinson_fachler_bacon_exhibit_5_1() {
    let segments = [
        segment("UK equities", 0.40, 0.40, 0.20, 0.10),
        segment("Japanese equities", 0.30, 0.20, -0.05, -0.04),
        segment("US equities", 0.30, 0.40, 0.06, 0.08),
    ];
    let a = brinson_fachler(&segments).expect("weights sum to 1");
    assert_close(a.portfolio_return, 0.083, "portfolio return");
    assert_close(a.benchmark_return, 0.064, "benchmark return");
    assert_close(a.active_return, 0.019, "active return");

    let expected = [
        // (allocation, selection, interaction)
        (0.0, 0.040, 0.0),
        (-0.0104, -0.002, -0.001),
        (-0.0016, -0.008, 0.002),
    ];
    for (effect, (allocation, selection, interaction)) in a.segments.iter().zip(expected) {
        assert_close(
            effect.allocation,
            allocation,
            &format!("{} allocation", effect.name),
        );
        assert_close(
            effect.selection,
            selection,
            &format!("{} selection", effect.name),
        );
        assert_close(
            effect.interaction,
            interaction,
            &format!("{} interaction", effect.name),
        );
    }
    assert_close(a.allocation, -0.012, "allocation");
    assert_close(a.selection, 0.030, "selection");
    assert_close(a.interaction, 0.001, "interaction");
    assert_close(
        a.allocation + a.selection + a.interaction,
        a.active_return,
        "reconciliation",
    );
    assert!(a.residual().abs() < 1e-15);
}

fn terms(
    rate: Decimal,
    hurdle_rate: Decimal,
    crystallisation: Crystallisation,
) -> PerformanceFeeTerms {
    PerformanceFeeTerms {
        rate,
        hurdle_rate,
        crystallisation,
    }
}

/// SEBI circular Cir./IMD/DF/13/2010 (5 October 2010), para 4(a), illustrates the high water
/// mark with annual charging: a client's ₹10,00,000 rises to ₹12,00,000 in the first year
/// (performance fee on the ₹2,00,000 gain), drops to ₹11,00,000 in the second (no fee), and
/// rises to ₹13,00,000 in the third, when the fee is due only on the ₹1,00,000 above the high
/// water mark of ₹12,00,000 — not on the ₹2,00,000 gained that year. SEBI's guidelines
/// SEBI/HO/IMD/DF1/CIR/P/2020/26 (13 February 2020) modify that circular only in part and keep
/// the principle. With a 20% fee and no hurdle: ₹40,000, nil, ₹20,000.
#[test]
fn high_water_mark_sebi_illustration() {
    let valuations = [
        (date(2021, 4, 1), dec!(1000000)),
        (date(2022, 4, 1), dec!(1200000)),
        (date(2023, 4, 1), dec!(1100000)),
        (date(2024, 4, 1), dec!(1300000)),
    ];
    let rows = performance_fee_schedule(
        &valuations,
        &[],
        &terms(dec!(0.20), Decimal::ZERO, Crystallisation::Anniversary),
    )
    .expect("valid schedule");
    let summary: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.date,
                r.high_water_mark,
                r.excess,
                r.fee,
                r.next_high_water_mark,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                date(2022, 4, 1),
                dec!(1000000),
                dec!(200000),
                dec!(40000.00),
                dec!(1200000)
            ),
            (
                date(2023, 4, 1),
                dec!(1200000),
                dec!(0),
                dec!(0.00),
                dec!(1200000)
            ),
            (
                date(2024, 4, 1),
                dec!(1200000),
                dec!(100000),
                dec!(20000.00),
                dec!(1300000)
            ),
        ]
    );
}

/// A constructed example of the module's rules (hurdle pro rata, proportional withdrawal,
/// FY-end crystallisation), checked by hand. Terms: 20% of the excess over an 8% hurdle.
///
/// FY2024-25 (2024-04-01 → 2025-03-31, 364 days). Inception value ₹50,00,000; a ₹10,00,000
/// top-up on 2024-10-01 (183 days in). HWM = 50,00,000 + 10,00,000 = 60,00,000. Hurdle:
/// 50,00,000 · 8% · 364/365 = 3,98,904.11 plus 10,00,000 · 8% · 181/365 = 39,671.23, so the
/// hurdle value is 64,38,575.34. Value ₹66,00,000 → excess 1,61,424.66 → fee 32,284.93;
/// the new HWM is 66,00,000.
///
/// FY2025-26 (365 days). On 2025-09-30 the client withdraws ₹13,00,000, leaving ₹52,00,000: a
/// fifth of the ₹65,00,000 before the withdrawal, so the HWM falls to 66,00,000 · 0.8 =
/// 52,80,000 (SEBI's proportionate adjustment). Hurdle value 52,80,000 · 1.08 = 57,02,400.
/// Value ₹58,00,000 → excess 97,600 → fee 19,520; new HWM 58,00,000.
///
/// FY2026-27. Value ₹60,00,000 < hurdle value 58,00,000 · 1.08 = 62,64,000 → no fee; the HWM
/// stays 58,00,000.
#[test]
fn high_water_mark_with_hurdle_and_flows() {
    let valuations = [
        (date(2024, 4, 1), dec!(5000000)),
        (date(2024, 10, 1), dec!(6200000)),
        (date(2025, 3, 31), dec!(6600000)),
        (date(2025, 9, 30), dec!(5200000)),
        (date(2026, 3, 31), dec!(5800000)),
        (date(2027, 3, 31), dec!(6000000)),
    ];
    let flows = [
        (date(2024, 10, 1), dec!(1000000)),
        (date(2025, 9, 30), dec!(-1300000)),
    ];
    let rows = performance_fee_schedule(
        &valuations,
        &flows,
        &terms(dec!(0.20), dec!(0.08), Crystallisation::FinancialYearEnd),
    )
    .expect("valid schedule");
    assert_eq!(rows.len(), 3);

    let fy25 = rows[0];
    assert_eq!(
        (fy25.period_start, fy25.date),
        (date(2024, 4, 1), date(2025, 3, 31))
    );
    assert_eq!(fy25.high_water_mark, dec!(6000000.00));
    assert_eq!(fy25.hurdle_value, dec!(6438575.34));
    assert_eq!(fy25.excess, dec!(161424.66));
    assert_eq!(fy25.fee, dec!(32284.93));
    assert_eq!(fy25.next_high_water_mark, dec!(6600000));

    let fy26 = rows[1];
    assert_eq!(fy26.high_water_mark, dec!(5280000.00));
    assert_eq!(fy26.hurdle_value, dec!(5702400.00));
    assert_eq!(fy26.excess, dec!(97600.00));
    assert_eq!(fy26.fee, dec!(19520.00));

    let fy27 = rows[2];
    assert_eq!(fy27.hurdle_value, dec!(6264000.00));
    assert_eq!(fy27.fee, dec!(0.00));
    assert_eq!(fy27.next_high_water_mark, dec!(5800000.00));
}
