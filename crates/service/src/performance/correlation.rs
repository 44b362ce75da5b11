//! How the monthly returns of the strategies or investment approaches in view move together:
//! each pair's Pearson correlation (`pms_metrics::stats::correlation`) over the months both
//! have within the trailing window. Pure (no I/O), tested on hand-made histories.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use pms_domain::performance::{CorrelationMatrix, GroupChoice, MonthPoint};

/// A month, as (year, month).
type Month = (i32, u32);

/// Each month's return from the month-end cumulative TWRR; the first month (partial: it
/// starts at the first valuation) is left out.
pub fn monthly_returns(months: &[MonthPoint]) -> BTreeMap<Month, f64> {
    months
        .windows(2)
        .filter_map(|pair| {
            let (before, now) = (1.0 + pair[0].cumulative, 1.0 + pair[1].cumulative);
            (before > 0.0).then(|| (key(pair[1].month_end), now / before - 1.0))
        })
        .collect()
}

fn key(date: NaiveDate) -> Month {
    (date.year(), date.month())
}

/// The matrix of `groups` (with their monthly returns, in the same order) over the last
/// `window` months before the latest month any of them has; a pair with fewer than `least`
/// months in common has no figure, and a group with fewer than `least` months is left out.
pub fn matrix(
    groups: Vec<GroupChoice>,
    returns: Vec<BTreeMap<Month, f64>>,
    window: usize,
    least: usize,
) -> CorrelationMatrix {
    let Some(&last) = returns.iter().filter_map(|r| r.keys().next_back()).max() else {
        return CorrelationMatrix::default();
    };
    let first = back(last, window.saturating_sub(1));
    let in_window: Vec<(GroupChoice, BTreeMap<Month, f64>)> = groups
        .into_iter()
        .zip(returns)
        .map(|(g, r)| {
            (
                g,
                r.range(first..=last)
                    .map(|(k, v)| (*k, *v))
                    .collect::<BTreeMap<_, _>>(),
            )
        })
        .filter(|(_, r)| r.len() >= least)
        .collect();
    let cells = in_window
        .iter()
        .map(|(_, a)| {
            in_window
                .iter()
                .map(|(_, b)| {
                    let (xs, ys): (Vec<f64>, Vec<f64>) = a
                        .iter()
                        .filter_map(|(month, x)| Some((*x, *b.get(month)?)))
                        .unzip();
                    (xs.len() >= least)
                        .then(|| pms_metrics::stats::correlation(&xs, &ys))
                        .flatten()
                })
                .collect()
        })
        .collect();
    let label = |(y, m): Month| {
        NaiveDate::from_ymd_opt(y, m, 1).map_or_else(String::new, |d| d.format("%b %Y").to_string())
    };
    CorrelationMatrix {
        window: format!("Monthly returns, {} – {}", label(first), label(last)),
        groups: in_window.into_iter().map(|(g, _)| g).collect(),
        cells,
    }
}

/// The month `n` months before `month`.
fn back((year, month): Month, n: usize) -> Month {
    let index = year * 12 + month as i32 - 1 - n as i32;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pms_domain::performance::Group;
    use rust_decimal::Decimal;

    fn history(start_year: i32, returns: &[f64]) -> Vec<MonthPoint> {
        let mut cumulative = 0.0;
        let mut points = vec![point(start_year, 1, 0.0)];
        for (i, r) in returns.iter().enumerate() {
            cumulative = (1.0 + cumulative) * (1.0 + r) - 1.0;
            let index = start_year * 12 + i as i32 + 1;
            points.push(point(
                index.div_euclid(12),
                index.rem_euclid(12) as u32 + 1,
                cumulative,
            ));
        }
        points
    }

    fn point(year: i32, month: u32, cumulative: f64) -> MonthPoint {
        MonthPoint {
            month_end: NaiveDate::from_ymd_opt(year, month, 28).expect("a date"),
            value: Decimal::ONE,
            net_flow: Decimal::ZERO,
            cumulative,
            benchmark_cumulative: None,
            drawdown: 0.0,
            rolling_return_1y: None,
            rolling_volatility_1y: None,
        }
    }

    fn choice(id: i32) -> GroupChoice {
        GroupChoice {
            group: Group::Approach(id),
            label: format!("Approach {id}"),
        }
    }

    #[test]
    fn monthly_returns_come_back_from_the_cumulative_twrr() {
        let returns = monthly_returns(&history(2024, &[0.01, -0.02, 0.03]));
        let got: Vec<(Month, f64)> = returns.into_iter().collect();
        assert_eq!(got.len(), 3, "the first, partial month is left out");
        for ((_, got), want) in got.iter().zip([0.01, -0.02, 0.03]) {
            assert!((got - want).abs() < 1e-12);
        }
        assert_eq!(got[0].0, (2024, 2));
    }

    #[test]
    fn the_matrix_pairs_common_months_in_the_window_and_leaves_out_short_histories() {
        let base: Vec<f64> = (0..30)
            .map(|i| ((i * 7) % 11) as f64 / 100.0 - 0.05)
            .collect();
        let opposite: Vec<f64> = base.iter().map(|r| -r).collect();
        let groups = vec![choice(1), choice(2), choice(3)];
        let returns = vec![
            monthly_returns(&history(2022, &base)),
            monthly_returns(&history(2022, &opposite)),
            monthly_returns(&history(2024, &base[..5])),
        ];
        let m = matrix(groups, returns, 24, 12);
        assert_eq!(m.groups.len(), 2, "five months are too few");
        assert!((m.cells[0][0].expect("a figure") - 1.0).abs() < 1e-12);
        assert!((m.cells[0][1].expect("a figure") + 1.0).abs() < 1e-12);
        assert_eq!(m.cells[0][1], m.cells[1][0]);
        assert!(m.window.starts_with("Monthly returns, "), "{}", m.window);
        assert_eq!(back((2025, 3), 24), (2023, 3));
        assert_eq!(back((2025, 1), 1), (2024, 12));
    }
}
