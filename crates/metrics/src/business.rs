//! Business metrics of the firm: portfolio turnover, the split of an AUM change into net flows
//! and market gain, average AUM, and client retention / churn / new clients over a period.
//!
//! Money is [`Decimal`]; ratios are `Decimal` too when they are money over money (turnover),
//! so the page and the PDF print the same digits, and `f64` when they are counts (retention).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fy::DateRange;

/// Why a business metric could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusinessError {
    #[error("two AUM values on {0}")]
    DuplicateDate(NaiveDate),
    #[error("the amount is too large to compute with")]
    Overflow,
}

/// Portfolio turnover `min(purchases, sales) / average AUM`; `None` when the average AUM is
/// not positive.
pub fn turnover(purchases: Decimal, sales: Decimal, average_aum: Decimal) -> Option<Decimal> {
    if average_aum <= Decimal::ZERO {
        return None;
    }
    purchases.abs().min(sales.abs()).checked_div(average_aum)
}

/// Average daily AUM over `range`: every calendar day counts, carrying the last value on or
/// before it (as the management fee does). Days before the first value are left out; `None`
/// when no day of the range has a value.
pub fn average_daily_aum(
    aum: &[(NaiveDate, Decimal)],
    range: DateRange,
) -> Result<Option<Decimal>, BusinessError> {
    let mut sorted = aum.to_vec();
    sorted.sort_by_key(|(date, _)| *date);
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(BusinessError::DuplicateDate(pair[0].0));
    }
    let (mut sum, mut days) = (Decimal::ZERO, 0i64);
    let mut next = 0usize;
    let mut current = None;
    for date in range.start().iter_days().take_while(|d| *d <= range.end()) {
        while let Some(&(valued_on, value)) = sorted.get(next) {
            if valued_on > date {
                break;
            }
            current = Some(value);
            next += 1;
        }
        if let Some(value) = current {
            sum = sum.checked_add(value).ok_or(BusinessError::Overflow)?;
            days += 1;
        }
    }
    if days == 0 {
        return Ok(None);
    }
    sum.checked_div(Decimal::from(days))
        .map(Some)
        .ok_or(BusinessError::Overflow)
}

/// An AUM change split into what clients brought and what the market did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AumChange {
    pub opening: Decimal,
    pub closing: Decimal,
    /// Contributions minus withdrawals.
    pub net_flows: Decimal,
    /// `closing − opening − net_flows`.
    pub market_gain: Decimal,
}

impl AumChange {
    /// `flows` are the period's client contributions (positive) and withdrawals (negative).
    pub fn new(
        opening: Decimal,
        closing: Decimal,
        flows: &[Decimal],
    ) -> Result<Self, BusinessError> {
        let net_flows = flows
            .iter()
            .try_fold(Decimal::ZERO, |sum, f| sum.checked_add(*f))
            .ok_or(BusinessError::Overflow)?;
        let market_gain = closing
            .checked_sub(opening)
            .and_then(|change| change.checked_sub(net_flows))
            .ok_or(BusinessError::Overflow)?;
        Ok(Self {
            opening,
            closing,
            net_flows,
            market_gain,
        })
    }

    /// `closing − opening`.
    pub fn total_change(&self) -> Decimal {
        self.net_flows.saturating_add(self.market_gain)
    }
}

/// When a client relationship started and (if it did) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientTenure {
    pub onboarded_on: NaiveDate,
    /// The day the account was closed; the client is no longer active from that day.
    pub closed_on: Option<NaiveDate>,
}

impl ClientTenure {
    /// Active on `date`: onboarded on or before it and not yet closed.
    pub fn is_active_on(&self, date: NaiveDate) -> bool {
        self.onboarded_on <= date && self.closed_on.is_none_or(|closed| date < closed)
    }
}

/// Retention over a period of whole days `first ..= last`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClientRetention {
    /// Active at the start: on the day before `first`.
    pub active_at_start: usize,
    /// Active on `last`.
    pub active_at_end: usize,
    /// Active at both ends.
    pub retained: usize,
    /// Active at the start but not at the end.
    pub lost: usize,
    /// Onboarded within the period.
    pub new_clients: usize,
    /// `retained / active_at_start`; `None` with nobody active at the start.
    pub retention: Option<f64>,
    /// `1 − retention`.
    pub churn: Option<f64>,
}

/// Client retention, churn and new clients over `period` (METRICS.md: retention = clients
/// active at both ends / clients active at the start; new clients counted by onboarding date).
pub fn client_retention(clients: &[ClientTenure], period: DateRange) -> ClientRetention {
    let start = period.start().pred_opt().unwrap_or(period.start());
    let end = period.end();
    let (mut active_at_start, mut active_at_end, mut retained, mut new_clients) = (0, 0, 0, 0);
    for client in clients {
        let at_start = client.is_active_on(start) && start < period.start();
        let at_end = client.is_active_on(end);
        active_at_start += usize::from(at_start);
        active_at_end += usize::from(at_end);
        retained += usize::from(at_start && at_end);
        new_clients += usize::from(period.contains(client.onboarded_on));
    }
    let retention = (active_at_start > 0).then(|| retained as f64 / active_at_start as f64);
    ClientRetention {
        active_at_start,
        active_at_end,
        retained,
        lost: active_at_start - retained,
        new_clients,
        retention,
        churn: retention.map(|r| 1.0 - r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn turnover_uses_the_smaller_side() {
        assert_eq!(turnover(dec!(300), dec!(120), dec!(1000)), Some(dec!(0.12)));
        assert_eq!(turnover(dec!(300), dec!(120), dec!(0)), None);
    }

    #[test]
    fn aum_change_splits() {
        let change = AumChange::new(dec!(100), dec!(130), &[dec!(20), dec!(-5)]).expect("ok");
        assert_eq!((change.net_flows, change.market_gain), (dec!(15), dec!(15)));
        assert_eq!(change.total_change(), dec!(30));
    }

    #[test]
    fn average_aum_carries_values_forward() {
        let aum = [(date(2025, 1, 1), dec!(100)), (date(2025, 1, 3), dec!(400))];
        let range = DateRange::new(date(2025, 1, 1), date(2025, 1, 4)).expect("valid");
        assert_eq!(average_daily_aum(&aum, range), Ok(Some(dec!(250))));
        let before = DateRange::new(date(2024, 1, 1), date(2024, 1, 4)).expect("valid");
        assert_eq!(average_daily_aum(&aum, before), Ok(None));
    }

    #[test]
    fn retention_over_a_financial_year() {
        let fy = crate::fy::FinancialYear::new(2025).expect("valid").range();
        let clients = [
            // Active throughout: retained.
            ClientTenure {
                onboarded_on: date(2023, 5, 1),
                closed_on: None,
            },
            // Closed during the year: lost.
            ClientTenure {
                onboarded_on: date(2024, 1, 1),
                closed_on: Some(date(2025, 9, 1)),
            },
            // Onboarded on the first day of the year: new, not counted at the start.
            ClientTenure {
                onboarded_on: date(2025, 4, 1),
                closed_on: None,
            },
            // Closed on 1 April: active at the start (31 March), gone at the end.
            ClientTenure {
                onboarded_on: date(2022, 1, 1),
                closed_on: Some(date(2025, 4, 1)),
            },
            // Already gone before the year.
            ClientTenure {
                onboarded_on: date(2020, 1, 1),
                closed_on: Some(date(2024, 1, 1)),
            },
        ];
        let r = client_retention(&clients, fy);
        assert_eq!(
            (
                r.active_at_start,
                r.active_at_end,
                r.retained,
                r.lost,
                r.new_clients
            ),
            (3, 2, 1, 2, 1)
        );
        assert!((r.retention.expect("defined") - 1.0 / 3.0).abs() < 1e-15);
        assert!((r.churn.expect("defined") - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(client_retention(&[], fy).retention, None);
    }
}
