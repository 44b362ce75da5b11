//! Fees, in rupees ([`Decimal`]): daily management-fee accrual, the high-water-mark performance
//! fee with hurdle and annual crystallisation, and SEBI's exit-load caps.
//!
//! # Rounding
//! Every amount this module reports is rounded to the paisa (2 decimals), half away from zero
//! (₹0.005 → ₹0.01). Each day's management fee is rounded on its own and the period's fee is
//! the sum of those daily amounts, so a ledger that books one line a day reconciles to the
//! invoice exactly. Intermediate products keep Decimal's 28 significant digits.
//!
//! # Performance fee (METRICS.md "Fees (SEBI PMS rules)")
//! The rule comes from SEBI circular Cir./IMD/DF/13/2010 of 5 October 2010, para 4(a) (the
//! high water mark principle; performance fee only on the increase in value above the
//! previously achieved high water mark; proportionate adjustment of the mark for interim
//! contributions and withdrawals), kept by SEBI/HO/IMD/DF1/CIR/P/2020/26 of 13 February 2020.
//! What the circulars leave to the agreement is decided here as follows:
//! - **Valuations** are the account's values net of all fees and expenses as booked (so after
//!   a crystallisation date they are net of the performance fee charged on it). The value on a
//!   crystallisation date is the last valuation on or before it, before that day's fee.
//! - **High water mark (HWM)** starts at the first valuation (the capital at inception). After
//!   a fee is charged it becomes the value on which the fee was charged (SEBI: "the value on the
//!   date when performance fees are charged"); with no fee it stays where it was.
//! - **Flows** (client contributions/withdrawals only, portfolio view: inflow positive) adjust
//!   the mark as they happen: an inflow adds its amount; a withdrawal scales the mark by the
//!   fraction of the portfolio that stays — SEBI's "proportionate basis". The value just
//!   before a withdrawal is that day's valuation plus the amount withdrawn (valuations are end
//!   of day), or, with no valuation that day, the last one before it. A flow on the inception
//!   date is already in the first value.
//! - **Hurdle**: a simple annual rate, pro rata by days/365 from the start of the period (the
//!   previous crystallisation date or inception) for the mark, and from its own date for each
//!   inflow; it does not carry over between periods. `hurdle value = HWM + Σ piece·h·days/365`.
//! - **Excess** `= max(0, value − max(HWM, hurdle value))` and **fee** `= rate × excess`.
//!   HWM and hurdle value are rounded to the paisa first, so the row's figures add up.
//! - **Crystallisation** at most once a year: on each anniversary of inception, or on each
//!   31 March (the first period then runs from inception to the first 31 March after it).

use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::fy::{DateRange, FinancialYear};

const DAYS_PER_YEAR: i64 = 365;

/// Why a fee could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FeeError {
    #[error("no valuations")]
    NoValuations,
    #[error("two valuations on {0}")]
    DuplicateValuationDate(NaiveDate),
    #[error("the rate {0} is negative")]
    NegativeRate(Decimal),
    #[error("redemption on {redeemed} is before the investment on {invested}")]
    RedemptionBeforeInvestment {
        invested: NaiveDate,
        redeemed: NaiveDate,
    },
    #[error("the amount is too large to compute with")]
    Overflow,
}

/// Rounds money to the paisa, half away from zero.
pub fn round_to_paisa(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// One day of management-fee accrual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyAccrual {
    pub date: NaiveDate,
    /// AUM the fee is charged on: the last valuation on or before the day.
    pub aum: Decimal,
    /// `aum × rate / 365`, rounded to the paisa.
    pub fee: Decimal,
}

/// Management fee accrued over a range of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagementFeeAccrual {
    pub days: Vec<DailyAccrual>,
    /// Sum of the daily (rounded) fees.
    pub total: Decimal,
}

/// Accrues the management fee for every calendar day of `range` on that day's AUM (the last
/// valuation on or before it; weekends and holidays carry the previous value) at
/// `annual_rate / 365` — 365 in leap years too, as METRICS.md specifies. Days before the first
/// valuation accrue nothing; a negative AUM accrues nothing.
pub fn accrue_management_fee(
    aum: &[(NaiveDate, Decimal)],
    annual_rate: Decimal,
    range: DateRange,
) -> Result<ManagementFeeAccrual, FeeError> {
    if annual_rate.is_sign_negative() && !annual_rate.is_zero() {
        return Err(FeeError::NegativeRate(annual_rate));
    }
    let series = sorted_values(aum)?;
    let mut days = Vec::new();
    let mut total = Decimal::ZERO;
    let mut next = 0usize;
    let mut current: Option<Decimal> = None;
    for date in range.start().iter_days().take_while(|d| *d <= range.end()) {
        while let Some(&(valued_on, value)) = series.get(next) {
            if valued_on > date {
                break;
            }
            current = Some(value);
            next += 1;
        }
        let Some(aum) = current else { continue };
        let fee = if aum.is_sign_positive() {
            aum.checked_mul(annual_rate)
                .and_then(|x| x.checked_div(Decimal::from(DAYS_PER_YEAR)))
                .map(round_to_paisa)
                .ok_or(FeeError::Overflow)?
        } else {
            Decimal::ZERO
        };
        total = total.checked_add(fee).ok_or(FeeError::Overflow)?;
        days.push(DailyAccrual { date, aum, fee });
    }
    Ok(ManagementFeeAccrual { days, total })
}

/// When the performance fee crystallises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Crystallisation {
    /// Every anniversary of inception (29 February falls back to 28 February).
    Anniversary,
    /// Every 31 March.
    FinancialYearEnd,
}

/// The performance-fee clause of a client agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformanceFeeTerms {
    /// Share of the excess charged, e.g. `0.20` for 20%.
    pub rate: Decimal,
    /// Annual hurdle, simple and pro rata, e.g. `0.08`; zero for none.
    pub hurdle_rate: Decimal,
    pub crystallisation: Crystallisation,
}

/// One crystallisation date of a performance-fee schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrystallisationRow {
    /// Start of the period this row closes (inception or the previous crystallisation date).
    pub period_start: NaiveDate,
    pub date: NaiveDate,
    /// Portfolio value, net of all other fees and expenses.
    pub value: Decimal,
    /// High water mark adjusted for the period's flows.
    pub high_water_mark: Decimal,
    /// The value the portfolio had to beat to clear the hurdle.
    pub hurdle_value: Decimal,
    /// `max(0, value − max(high_water_mark, hurdle_value))`.
    pub excess: Decimal,
    /// `rate × excess`, rounded to the paisa.
    pub fee: Decimal,
    /// The mark carried into the next period.
    pub next_high_water_mark: Decimal,
}

/// The crystallisation dates after `inception`, up to and including `until`.
pub fn crystallisation_dates(
    inception: NaiveDate,
    until: NaiveDate,
    rule: Crystallisation,
) -> Vec<NaiveDate> {
    let mut dates = Vec::new();
    match rule {
        Crystallisation::Anniversary => {
            for year in 1u32.. {
                let Some(date) = inception.checked_add_months(Months::new(12 * year)) else {
                    break;
                };
                if date > until {
                    break;
                }
                dates.push(date);
            }
        }
        Crystallisation::FinancialYearEnd => {
            let mut fy = FinancialYear::of(inception);
            if fy.end() <= inception {
                fy = fy.next();
            }
            while fy.end() <= until && fy.end() > inception {
                dates.push(fy.end());
                let next = fy.next();
                if next == fy {
                    break;
                }
                fy = next;
            }
        }
    }
    dates
}

/// The performance fee on every crystallisation date up to the last valuation.
///
/// `valuations` are account values (net of fees and expenses, as booked); `flows` are client
/// contributions (positive) and withdrawals (negative). See the module doc for the rules.
pub fn performance_fee_schedule(
    valuations: &[(NaiveDate, Decimal)],
    flows: &[(NaiveDate, Decimal)],
    terms: &PerformanceFeeTerms,
) -> Result<Vec<CrystallisationRow>, FeeError> {
    schedule(valuations, flows, terms, |inception, last_date| {
        crystallisation_dates(inception, last_date, terms.crystallisation)
    })
}

/// The performance fee of the period still open on `as_of`, as if it crystallised that day,
/// and what the schedule looks like around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccruedPerformanceFee {
    /// The open period closed on `as_of` by the rules of [`performance_fee_schedule`]: its
    /// high water mark, hurdle value, excess and the fee accrued so far. When `as_of` is a
    /// crystallisation date, that day's fee (due now).
    pub open: CrystallisationRow,
    /// The latest crystallisation before `as_of`, if any.
    pub last: Option<CrystallisationRow>,
    /// When the open period next crystallises.
    pub next_crystallisation: NaiveDate,
}

/// The performance fee accrued on `as_of` (a date after the first valuation; the value is
/// the last valuation on or before it): the schedule up to `as_of`, with the open period
/// closed on that day. Same inputs and rules as [`performance_fee_schedule`].
pub fn performance_fee_accrued(
    valuations: &[(NaiveDate, Decimal)],
    flows: &[(NaiveDate, Decimal)],
    terms: &PerformanceFeeTerms,
    as_of: NaiveDate,
) -> Result<AccruedPerformanceFee, FeeError> {
    let mut inception_date = None;
    let mut rows = schedule(valuations, flows, terms, |inception, _| {
        inception_date = Some(inception);
        let mut dates = crystallisation_dates(inception, as_of, terms.crystallisation);
        if dates.last() != Some(&as_of) && as_of > inception {
            dates.push(as_of);
        }
        dates
    })?;
    let inception = inception_date.ok_or(FeeError::NoValuations)?;
    let open = rows.pop().ok_or(FeeError::NoValuations)?;
    let next_crystallisation = crystallisation_dates(
        inception,
        as_of.checked_add_months(Months::new(24)).unwrap_or(as_of),
        terms.crystallisation,
    )
    .into_iter()
    .find(|d| *d > as_of)
    .unwrap_or(as_of);
    Ok(AccruedPerformanceFee {
        open,
        last: rows.pop(),
        next_crystallisation,
    })
}

/// The schedule on the dates `dates(inception, last valuation date)` returns (ascending).
fn schedule(
    valuations: &[(NaiveDate, Decimal)],
    flows: &[(NaiveDate, Decimal)],
    terms: &PerformanceFeeTerms,
    dates: impl FnOnce(NaiveDate, NaiveDate) -> Vec<NaiveDate>,
) -> Result<Vec<CrystallisationRow>, FeeError> {
    for rate in [terms.rate, terms.hurdle_rate] {
        if rate.is_sign_negative() && !rate.is_zero() {
            return Err(FeeError::NegativeRate(rate));
        }
    }
    let series = sorted_values(valuations)?;
    let (inception, initial_value) = *series.first().ok_or(FeeError::NoValuations)?;
    let last_date = series.last().map_or(inception, |v| v.0);
    let value_on = |date: NaiveDate| -> Decimal {
        let count = series.partition_point(|(d, _)| *d <= date);
        count
            .checked_sub(1)
            .and_then(|i| series.get(i))
            .map_or(Decimal::ZERO, |v| v.1)
    };
    let mut flows: Vec<(NaiveDate, Decimal)> = flows
        .iter()
        .copied()
        .filter(|(date, amount)| *date > inception && !amount.is_zero())
        .collect();
    flows.sort_by_key(|(date, _)| *date);

    let overflow = || FeeError::Overflow;
    let mut rows = Vec::new();
    // The mark and the hurdle as "pieces" of capital: `mark = Σ piece`,
    // `dated = Σ piece × (days from the period start to the piece's date)`, so that
    // hurdle value = mark + h × (mark × period_days − dated) / 365.
    let mut mark = initial_value.max(Decimal::ZERO);
    let mut dated = Decimal::ZERO;
    let mut period_start = inception;
    let mut next_flow = 0usize;
    for date in dates(inception, last_date) {
        while let Some(&(flow_date, amount)) = flows.get(next_flow) {
            if flow_date > date {
                break;
            }
            next_flow += 1;
            let offset = Decimal::from((flow_date - period_start).num_days());
            if amount.is_sign_positive() {
                mark = mark.checked_add(amount).ok_or_else(overflow)?;
                let weighted = amount.checked_mul(offset).ok_or_else(overflow)?;
                dated = dated.checked_add(weighted).ok_or_else(overflow)?;
            } else {
                let withdrawn = amount.abs();
                // A valuation on the withdrawal date is after it (end of day): add it back.
                // Without one, the last valuation before the date is already "before".
                let valued_that_day = series.binary_search_by_key(&flow_date, |v| v.0).is_ok();
                let before = if valued_that_day {
                    value_on(flow_date)
                        .checked_add(withdrawn)
                        .ok_or_else(overflow)?
                } else {
                    value_on(flow_date)
                };
                let kept = if before.is_sign_positive() && !before.is_zero() {
                    (Decimal::ONE - withdrawn.checked_div(before).ok_or_else(overflow)?)
                        .max(Decimal::ZERO)
                } else {
                    Decimal::ZERO
                };
                mark = mark.checked_mul(kept).ok_or_else(overflow)?;
                dated = dated.checked_mul(kept).ok_or_else(overflow)?;
            }
        }

        let value = value_on(date);
        let period_days = Decimal::from((date - period_start).num_days());
        let hurdle_growth = mark
            .checked_mul(period_days)
            .and_then(|x| x.checked_sub(dated))
            .and_then(|x| x.checked_mul(terms.hurdle_rate))
            .and_then(|x| x.checked_div(Decimal::from(DAYS_PER_YEAR)))
            .ok_or_else(overflow)?;
        let high_water_mark = round_to_paisa(mark);
        let hurdle_value = round_to_paisa(mark.checked_add(hurdle_growth).ok_or_else(overflow)?);
        let threshold = high_water_mark.max(hurdle_value);
        let excess = value
            .checked_sub(threshold)
            .ok_or_else(overflow)?
            .max(Decimal::ZERO);
        let fee = round_to_paisa(excess.checked_mul(terms.rate).ok_or_else(overflow)?);
        let next_high_water_mark = if fee > Decimal::ZERO {
            value
        } else {
            high_water_mark
        };
        rows.push(CrystallisationRow {
            period_start,
            date,
            value,
            high_water_mark,
            hurdle_value,
            excess,
            fee,
            next_high_water_mark,
        });
        mark = next_high_water_mark;
        dated = Decimal::ZERO;
        period_start = date;
    }
    Ok(rows)
}

/// SEBI's maximum exit load (circular SEBI/HO/IMD/DF1/CIR/P/2020/26, para 3(iv)): 3% of the
/// amount redeemed in the first year of investment, 2% in the second, 1% in the third, nil
/// after three years. Year `k` runs from the `(k−1)`th anniversary (inclusive) to the `k`th
/// (exclusive).
pub fn exit_load_cap(invested_on: NaiveDate, redeemed_on: NaiveDate) -> Result<Decimal, FeeError> {
    Ok(match year_of_investment(invested_on, redeemed_on)? {
        1 => Decimal::new(3, 2),
        2 => Decimal::new(2, 2),
        3 => Decimal::new(1, 2),
        _ => Decimal::ZERO,
    })
}

/// Exit load on one redemption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitLoad {
    /// 1, 2, 3 for the first three years of investment; 4 means "after three years".
    pub year_of_investment: u32,
    /// SEBI's cap for that year.
    pub cap: Decimal,
    /// The rate charged: the agreed rate, limited to the cap.
    pub rate: Decimal,
    /// `amount × rate`, rounded to the paisa.
    pub amount: Decimal,
}

/// The exit load on `amount_redeemed`, at the agreed rate but never above SEBI's cap.
pub fn exit_load(
    amount_redeemed: Decimal,
    agreed_rate: Decimal,
    invested_on: NaiveDate,
    redeemed_on: NaiveDate,
) -> Result<ExitLoad, FeeError> {
    if agreed_rate.is_sign_negative() && !agreed_rate.is_zero() {
        return Err(FeeError::NegativeRate(agreed_rate));
    }
    let year = year_of_investment(invested_on, redeemed_on)?;
    let cap = exit_load_cap(invested_on, redeemed_on)?;
    let rate = agreed_rate.min(cap);
    let amount = round_to_paisa(
        amount_redeemed
            .abs()
            .checked_mul(rate)
            .ok_or(FeeError::Overflow)?,
    );
    Ok(ExitLoad {
        year_of_investment: year,
        cap,
        rate,
        amount,
    })
}

fn year_of_investment(invested_on: NaiveDate, redeemed_on: NaiveDate) -> Result<u32, FeeError> {
    if redeemed_on < invested_on {
        return Err(FeeError::RedemptionBeforeInvestment {
            invested: invested_on,
            redeemed: redeemed_on,
        });
    }
    for year in 1..=3u32 {
        match invested_on.checked_add_months(Months::new(12 * year)) {
            Some(anniversary) if redeemed_on < anniversary => return Ok(year),
            Some(_) => {}
            None => return Ok(year),
        }
    }
    Ok(4)
}

fn sorted_values(values: &[(NaiveDate, Decimal)]) -> Result<Vec<(NaiveDate, Decimal)>, FeeError> {
    let mut sorted = values.to_vec();
    sorted.sort_by_key(|(date, _)| *date);
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(FeeError::DuplicateValuationDate(pair[0].0));
    }
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_to_paisa(dec!(0.005)), dec!(0.01));
        assert_eq!(round_to_paisa(dec!(-0.005)), dec!(-0.01));
        assert_eq!(round_to_paisa(dec!(1.004999)), dec!(1.00));
    }

    #[test]
    fn management_fee_accrues_every_calendar_day() {
        // ₹1 crore at 2% a year: ₹547.945205… a day → ₹547.95 a day.
        let aum = [
            (date(2025, 1, 3), dec!(10000000)),
            (date(2025, 1, 6), dec!(20000000)),
        ];
        let range = DateRange::new(date(2025, 1, 1), date(2025, 1, 6)).expect("valid");
        let accrual = accrue_management_fee(&aum, dec!(0.02), range).expect("ok");
        // 1–2 Jan: no valuation yet; 3, 4, 5 Jan at ₹1 Cr (weekend carries Friday's value);
        // 6 Jan at ₹2 Cr: ₹1,095.890410… → ₹1,095.89.
        let fees: Vec<Decimal> = accrual.days.iter().map(|d| d.fee).collect();
        assert_eq!(
            fees,
            vec![dec!(547.95), dec!(547.95), dec!(547.95), dec!(1095.89)]
        );
        assert_eq!(accrual.total, dec!(2739.74));
        assert!(accrue_management_fee(&aum, dec!(-0.01), range).is_err());
    }

    #[test]
    fn the_accrued_fee_closes_the_open_period_on_the_day_asked() {
        let terms = PerformanceFeeTerms {
            rate: dec!(0.20),
            hurdle_rate: dec!(0),
            crystallisation: Crystallisation::Anniversary,
        };
        let values = [
            (date(2024, 1, 1), dec!(100)),
            (date(2025, 1, 1), dec!(110)),
            (date(2025, 6, 30), dec!(130)),
        ];
        let accrued = performance_fee_accrued(&values, &[], &terms, date(2025, 6, 30)).expect("ok");
        // First anniversary: 10 above the mark of 100, fee 2; the mark becomes 110.
        let last = accrued.last.expect("a crystallisation before");
        assert_eq!(
            (last.date, last.fee, last.next_high_water_mark),
            (date(2025, 1, 1), dec!(2.00), dec!(110))
        );
        // Open period: 130 against the mark of 110, 20 excess, 4 accrued; due next anniversary.
        assert_eq!(
            (
                accrued.open.period_start,
                accrued.open.high_water_mark,
                accrued.open.excess,
                accrued.open.fee
            ),
            (date(2025, 1, 1), dec!(110.00), dec!(20), dec!(4.00))
        );
        assert_eq!(accrued.next_crystallisation, date(2026, 1, 1));
        // On a crystallisation date the open row is that date's row of the schedule.
        let on_the_day =
            performance_fee_accrued(&values, &[], &terms, date(2025, 1, 1)).expect("ok");
        let schedule = performance_fee_schedule(&values[..2], &[], &terms).expect("ok");
        assert_eq!(Some(&on_the_day.open), schedule.last());
        assert_eq!(on_the_day.next_crystallisation, date(2026, 1, 1));
        // Nothing to accrue on the first valuation's own day.
        assert!(performance_fee_accrued(&values, &[], &terms, date(2024, 1, 1)).is_err());
    }

    #[test]
    fn crystallisation_calendars() {
        let fy_ends = crystallisation_dates(
            date(2024, 1, 15),
            date(2026, 3, 31),
            Crystallisation::FinancialYearEnd,
        );
        assert_eq!(
            fy_ends,
            vec![date(2024, 3, 31), date(2025, 3, 31), date(2026, 3, 31)]
        );
        let on_march_31 = crystallisation_dates(
            date(2024, 3, 31),
            date(2025, 3, 31),
            Crystallisation::FinancialYearEnd,
        );
        assert_eq!(on_march_31, vec![date(2025, 3, 31)]);
        let anniversaries = crystallisation_dates(
            date(2024, 2, 29),
            date(2026, 3, 1),
            Crystallisation::Anniversary,
        );
        assert_eq!(anniversaries, vec![date(2025, 2, 28), date(2026, 2, 28)]);
    }

    #[test]
    fn exit_load_years() {
        let invested = date(2024, 4, 1);
        let load = exit_load(dec!(1000000), dec!(0.03), invested, date(2025, 3, 31)).expect("ok");
        assert_eq!(
            (load.year_of_investment, load.rate, load.amount),
            (1, dec!(0.03), dec!(30000.00))
        );
        // The first anniversary starts year 2: the agreed 3% is capped at 2%.
        let load = exit_load(dec!(1000000), dec!(0.03), invested, date(2025, 4, 1)).expect("ok");
        assert_eq!(
            (load.year_of_investment, load.rate, load.amount),
            (2, dec!(0.02), dec!(20000.00))
        );
        assert_eq!(exit_load_cap(invested, date(2027, 3, 31)), Ok(dec!(0.01)));
        assert_eq!(exit_load_cap(invested, date(2027, 4, 1)), Ok(dec!(0)));
        // An agreed rate below the cap is what is charged.
        let load = exit_load(dec!(500000), dec!(0.005), invested, date(2024, 6, 1)).expect("ok");
        assert_eq!(load.amount, dec!(2500.00));
        assert!(exit_load(dec!(1), dec!(0.01), invested, date(2024, 3, 1)).is_err());
    }
}
