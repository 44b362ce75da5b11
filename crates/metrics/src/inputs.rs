//! The dated records every other module reads: a cash flow and a valuation.
//!
//! Amounts here are `f64` because they feed statistics; money in ledgers stays
//! [`Decimal`] and converts once, at the edge, with [`CashFlow::from_money`] /
//! [`Valuation::from_money`].

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Money moving on a date.
///
/// The sign convention belongs to the function that reads it:
/// - [`crate::xirr`](mod@crate::xirr) takes the **investor's** view (money invested is negative, money received
///   and the closing value are positive), as Excel and pyxirr do;
/// - [`crate::twrr`](mod@crate::twrr) takes the **portfolio's** view (a client inflow is positive, a withdrawal
///   negative), as METRICS.md defines `Fₜ`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CashFlow {
    pub date: NaiveDate,
    pub amount: f64,
}

impl CashFlow {
    pub fn new(date: NaiveDate, amount: f64) -> Self {
        Self { date, amount }
    }

    /// From a ledger amount. `Decimal` always fits in `f64` (with rounding beyond ~15
    /// significant digits, far below a paisa on any real portfolio).
    pub fn from_money(date: NaiveDate, amount: Decimal) -> Self {
        Self::new(date, decimal_to_f64(amount))
    }
}

impl From<(NaiveDate, f64)> for CashFlow {
    fn from((date, amount): (NaiveDate, f64)) -> Self {
        Self::new(date, amount)
    }
}

/// The value of a portfolio at the end of a day (after that day's flows).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Valuation {
    pub date: NaiveDate,
    pub value: f64,
}

impl Valuation {
    pub fn new(date: NaiveDate, value: f64) -> Self {
        Self { date, value }
    }

    /// From a ledger value; see [`CashFlow::from_money`].
    pub fn from_money(date: NaiveDate, value: Decimal) -> Self {
        Self::new(date, decimal_to_f64(value))
    }
}

impl From<(NaiveDate, f64)> for Valuation {
    fn from((date, value): (NaiveDate, f64)) -> Self {
        Self::new(date, value)
    }
}

pub(crate) fn decimal_to_f64(value: Decimal) -> f64 {
    // `to_f64` is total for Decimal (its range is far inside f64's); the fallback is unreachable
    // but keeps the function free of panics.
    value.to_f64().unwrap_or(0.0)
}

/// `Some(x)` when `x` is a finite number: the single gate through which every statistic leaves
/// the crate, so no NaN or infinity ever reaches a page or a PDF.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
