//! Fees as they stand at each portfolio's latest valuation, kept with the other aggregates
//! (`agg_portfolio_fee`, migration 0020) so the Compliance page reads them without touching
//! the facts: the management fee accrued since it was last charged, and the performance fee
//! accrued in the open period against the high water mark and hurdle, with the next
//! crystallisation date — both by the shared metric library (`pms_metrics::fees`, METRICS.md
//! "Fees").

use std::collections::HashMap;

use chrono::NaiveDate;
use pms_metrics::fees::{
    accrue_management_fee, performance_fee_accrued, Crystallisation, PerformanceFeeTerms,
};
use pms_metrics::fy::DateRange;
use rust_decimal::Decimal;
use sqlx::Row;

/// A portfolio's agreed fee terms (percent per year, as stored) and when a management fee was
/// last charged.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct FeeTerms {
    pub mgmt_fee_pct: Decimal,
    pub perf_fee_pct: Decimal,
    pub hurdle_pct: Decimal,
    pub fy_end_crystallisation: bool,
    pub last_mgmt_charge: Option<NaiveDate>,
}

/// The fees of one portfolio on its latest valuation date.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct FeeFigures {
    pub as_of: NaiveDate,
    pub mgmt_accrued_from: Option<NaiveDate>,
    pub mgmt_fee_accrued: Decimal,
    /// The open period's figures; `None` without a performance fee in the agreement (or
    /// without a day of history to accrue over).
    pub performance: Option<PerformanceFigures>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct PerformanceFigures {
    pub period_start: NaiveDate,
    pub high_water_mark: Decimal,
    pub hurdle_value: Decimal,
    pub fee_accrued: Decimal,
    pub next_crystallisation: NaiveDate,
    pub last_crystallisation: Option<NaiveDate>,
    pub last_fee: Option<Decimal>,
}

/// The fee terms of `portfolios`.
pub(super) async fn terms(
    tx: &mut sqlx::PgConnection,
    portfolios: &[i32],
) -> Result<HashMap<i32, FeeTerms>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.portfolio_id, p.mgmt_fee_pct, p.perf_fee_pct, p.hurdle_pct,
                p.fee_crystallisation = 'fy_end' AS fy_end,
                (SELECT max(t.trade_date) FROM fact_transaction t
                 WHERE t.portfolio_id = p.portfolio_id AND t.txn_type = 'MGMT_FEE') AS last_mgmt_charge
         FROM dim_portfolio p WHERE p.portfolio_id = ANY($1)",
    )
    .bind(portfolios)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("portfolio_id")?,
                FeeTerms {
                    mgmt_fee_pct: row.try_get("mgmt_fee_pct")?,
                    perf_fee_pct: row.try_get("perf_fee_pct")?,
                    hurdle_pct: row.try_get("hurdle_pct")?,
                    fy_end_crystallisation: row.try_get("fy_end")?,
                    last_mgmt_charge: row.try_get("last_mgmt_charge")?,
                },
            ))
        })
        .collect()
}

/// The fees of a portfolio valued on `days` (date, value, external flow; oldest first) under
/// `terms`, on its latest valuation date. `None` without valuations.
pub(super) fn on_latest_day(
    days: &[(NaiveDate, Decimal, Decimal)],
    terms: &FeeTerms,
) -> Option<FeeFigures> {
    let (&(first, _, _), &(as_of, _, _)) = (days.first()?, days.last()?);
    let hundred = Decimal::from(100);
    let values: Vec<(NaiveDate, Decimal)> = days.iter().map(|&(d, v, _)| (d, v)).collect();
    // The fee accrues from the day after the last charge (or from the first valuation).
    let from = terms
        .last_mgmt_charge
        .and_then(|d| d.succ_opt())
        .map_or(first, |d| d.max(first));
    let mgmt = DateRange::new(from, as_of)
        .ok()
        .and_then(|range| accrue_management_fee(&values, terms.mgmt_fee_pct / hundred, range).ok());
    let performance = (terms.perf_fee_pct > Decimal::ZERO)
        .then(|| {
            let flows: Vec<(NaiveDate, Decimal)> = days
                .iter()
                .filter(|d| !d.2.is_zero())
                .map(|&(d, _, flow)| (d, flow))
                .collect();
            let agreement = PerformanceFeeTerms {
                rate: terms.perf_fee_pct / hundred,
                hurdle_rate: terms.hurdle_pct / hundred,
                crystallisation: if terms.fy_end_crystallisation {
                    Crystallisation::FinancialYearEnd
                } else {
                    Crystallisation::Anniversary
                },
            };
            performance_fee_accrued(&values, &flows, &agreement, as_of).ok()
        })
        .flatten()
        .map(|accrued| PerformanceFigures {
            period_start: accrued.open.period_start,
            high_water_mark: accrued.open.high_water_mark,
            hurdle_value: accrued.open.hurdle_value,
            fee_accrued: accrued.open.fee,
            next_crystallisation: accrued.next_crystallisation,
            last_crystallisation: accrued.last.as_ref().map(|r| r.date),
            last_fee: accrued.last.as_ref().map(|r| r.fee),
        });
    Some(FeeFigures {
        as_of,
        mgmt_accrued_from: mgmt.as_ref().map(|_| from),
        mgmt_fee_accrued: mgmt.map_or(Decimal::ZERO, |m| m.total),
        performance,
    })
}

/// Replaces the fee rows of `figures`' portfolios (the caller deleted the old ones).
pub(super) async fn write(
    tx: &mut sqlx::PgConnection,
    figures: &[(i32, &FeeFigures)],
) -> Result<(), sqlx::Error> {
    let ids: Vec<i32> = figures.iter().map(|(id, _)| *id).collect();
    let pick = |f: fn(&FeeFigures) -> Option<Decimal>| -> Vec<Option<Decimal>> {
        figures.iter().map(|(_, x)| f(x)).collect()
    };
    let day = |f: fn(&FeeFigures) -> Option<NaiveDate>| -> Vec<Option<NaiveDate>> {
        figures.iter().map(|(_, x)| f(x)).collect()
    };
    sqlx::query(
        "INSERT INTO agg_portfolio_fee (portfolio_id, as_of, mgmt_accrued_from, mgmt_fee_accrued, perf_period_start,
                                        high_water_mark, hurdle_value, perf_fee_accrued, next_crystallisation,
                                        last_crystallisation, last_perf_fee)
         SELECT * FROM unnest($1::int[], $2::date[], $3::date[], $4::numeric[], $5::date[], $6::numeric[], $7::numeric[],
                              $8::numeric[], $9::date[], $10::date[], $11::numeric[])",
    )
    .bind(&ids)
    .bind(day(|f| Some(f.as_of)))
    .bind(day(|f| f.mgmt_accrued_from))
    .bind(pick(|f| Some(f.mgmt_fee_accrued)))
    .bind(day(|f| f.performance.as_ref().map(|p| p.period_start)))
    .bind(pick(|f| f.performance.as_ref().map(|p| p.high_water_mark)))
    .bind(pick(|f| f.performance.as_ref().map(|p| p.hurdle_value)))
    .bind(pick(|f| f.performance.as_ref().map(|p| p.fee_accrued)))
    .bind(day(|f| f.performance.as_ref().map(|p| p.next_crystallisation)))
    .bind(day(|f| f.performance.as_ref().and_then(|p| p.last_crystallisation)))
    .bind(pick(|f| f.performance.as_ref().and_then(|p| p.last_fee)))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn the_management_fee_accrues_from_the_day_after_its_last_charge() {
        let days = [
            (
                day(2025, 1, 1),
                Decimal::from(3_650_000),
                Decimal::from(3_650_000),
            ),
            (day(2025, 1, 10), Decimal::from(3_650_000), Decimal::ZERO),
        ];
        let terms = FeeTerms {
            mgmt_fee_pct: Decimal::from(2),
            last_mgmt_charge: Some(day(2025, 1, 5)),
            ..FeeTerms::default()
        };
        let fees = on_latest_day(&days, &terms).expect("fees");
        // 6–10 January, five days at ₹36.5 lakh × 2% / 365 = ₹200 a day.
        assert_eq!(fees.mgmt_accrued_from, Some(day(2025, 1, 6)));
        assert_eq!(fees.mgmt_fee_accrued, Decimal::from(1000));
        assert_eq!(fees.performance, None, "no performance fee agreed");
    }
}
