//! Rules that tie the fields of one row together.

use rust_decimal::Decimal;

use super::{ColumnMap, Value};
use crate::error::RowError;
use crate::profile::AmountConvention;
use crate::report::ReportKind;

pub(super) struct Row<'r> {
    pub report: ReportKind,
    pub values: &'r mut Vec<Value>,
    pub map: &'r ColumnMap,
    pub line: u64,
}

impl Row<'_> {
    fn index(&self, key: &str) -> usize {
        self.report
            .fields()
            .iter()
            .position(|f| f.key == key)
            .unwrap_or(usize::MAX)
    }
    fn get(&self, key: &str) -> &Value {
        self.values.get(self.index(key)).unwrap_or(&Value::Null)
    }
    fn set(&mut self, key: &str, value: Value) {
        let i = self.index(key);
        if let Some(slot) = self.values.get_mut(i) {
            *slot = value;
        }
    }
    fn error(&self, key: &str, reason: impl Into<String>) -> RowError {
        let i = self.index(key);
        let value = match self.get(key) {
            Value::Null => String::new(),
            Value::Text(t) => t.clone(),
            Value::Date(d) => d.to_string(),
            Value::Decimal(d) => d.to_string(),
        };
        RowError::at(
            self.line,
            self.map.header(i.min(self.report.fields().len() - 1)),
            value,
            reason,
        )
    }
    fn date_not_before(&self, later: &str, earlier: &str, errors: &mut Vec<RowError>) {
        if let (Some(l), Some(e)) = (self.get(later).as_date(), self.get(earlier).as_date()) {
            if l < e {
                let earlier_header = self.map.header(self.index(earlier));
                errors.push(self.error(later, format!("is before {earlier_header} ({e})")));
            }
        }
    }
}

/// Money moves into the portfolio (+1) or out of it (−1) for each transaction type.
pub fn direction(txn_type: &str) -> i8 {
    match txn_type {
        "SELL" | "DIVIDEND" | "INTEREST" | "INFLOW" | "SECURITY_IN" => 1,
        _ => -1,
    }
}

pub(super) fn check(mut row: Row<'_>, convention: AmountConvention, errors: &mut Vec<RowError>) {
    match row.report {
        ReportKind::Transactions => transaction(&mut row, convention, errors),
        ReportKind::ClientMaster => {
            row.date_not_before("closure_date", "onboarding_date", errors);
            row.date_not_before("inception_date", "onboarding_date", errors);
            row.date_not_before("portfolio_closure_date", "inception_date", errors);
            // A closure date without a status means the client or portfolio has left.
            for (status, closed) in [
                ("client_status", "closure_date"),
                ("portfolio_status", "portfolio_closure_date"),
            ] {
                match (row.get(status).as_text(), row.get(closed)) {
                    (None, Value::Date(_)) => row.set(status, Value::Text("Closed".into())),
                    (None, _) => row.set(status, Value::Text("Active".into())),
                    (Some("Closed"), Value::Null) => errors.push(row.error(
                        status,
                        format!(
                            "a closed account needs its {}",
                            row.map.header(row.index(closed))
                        ),
                    )),
                    _ => {}
                }
            }
        }
        ReportKind::Holdings => {
            if row
                .get("quantity")
                .as_decimal()
                .is_some_and(|q| q.is_zero())
            {
                errors.push(row.error(
                    "quantity",
                    "a holding has a quantity above zero; leave sold-out positions out",
                ));
            }
        }
        ReportKind::BenchmarkLevels | ReportKind::SecurityPrices => {
            let key = if row.report == ReportKind::BenchmarkLevels {
                "level"
            } else {
                "close_price"
            };
            if row.get(key).as_decimal().is_some_and(|v| v.is_zero()) {
                errors.push(row.error(key, "must be above zero"));
            }
        }
        ReportKind::SecurityMaster | ReportKind::Valuations => {}
    }
}

fn transaction(row: &mut Row<'_>, convention: AmountConvention, errors: &mut Vec<RowError>) {
    let Some(txn_type) = row.get("txn_type").as_text().map(str::to_owned) else {
        return;
    };
    let is_trade = matches!(
        txn_type.as_str(),
        "BUY" | "SELL" | "SECURITY_IN" | "SECURITY_OUT"
    );
    let needs_security = is_trade || txn_type == "DIVIDEND";
    let cash_only = matches!(
        txn_type.as_str(),
        "INFLOW" | "OUTFLOW" | "MGMT_FEE" | "PERF_FEE" | "EXPENSE"
    );
    let has_isin = !matches!(row.get("isin"), Value::Null);
    if needs_security && !has_isin {
        errors.push(row.error(
            "isin",
            format!("a {txn_type} names the security: the ISIN is required"),
        ));
    }
    if cash_only && has_isin {
        errors.push(row.error(
            "isin",
            format!("a {txn_type} moves cash only: leave the ISIN empty"),
        ));
    }
    if is_trade
        && row
            .get("quantity")
            .as_decimal()
            .is_none_or(|q| q <= Decimal::ZERO)
    {
        errors.push(row.error(
            "quantity",
            format!("a {txn_type} needs a quantity above zero"),
        ));
    }
    if matches!(txn_type.as_str(), "BUY" | "SELL")
        && row
            .get("price")
            .as_decimal()
            .is_none_or(|p| p <= Decimal::ZERO)
    {
        errors.push(row.error("price", format!("a {txn_type} needs a price above zero")));
    }
    row.date_not_before("settle_date", "trade_date", errors);

    let Some(amount) = row.get("amount").as_decimal() else {
        return;
    };
    let sign = Decimal::from(direction(&txn_type));
    let in_specie = matches!(txn_type.as_str(), "SECURITY_IN" | "SECURITY_OUT");
    match convention {
        AmountConvention::Magnitude => {
            if amount.is_sign_negative() && !amount.is_zero() {
                errors.push(row.error(
                    "amount",
                    "amounts are positive; the transaction type gives the direction",
                ));
            } else if amount.is_zero() && !in_specie {
                errors.push(row.error(
                    "amount",
                    format!("a {txn_type} moves money: the amount must be above zero"),
                ));
            } else {
                row.set("amount", Value::Decimal(amount * sign));
            }
        }
        AmountConvention::Signed => {
            if !amount.is_zero() && amount.is_sign_negative() != sign.is_sign_negative() {
                let expected = if sign.is_sign_negative() {
                    "negative"
                } else {
                    "positive"
                };
                errors.push(row.error(
                    "amount",
                    format!("a {txn_type} takes a {expected} amount in this profile"),
                ));
            } else if amount.is_zero() && !in_specie {
                errors.push(row.error(
                    "amount",
                    format!("a {txn_type} moves money: the amount must not be zero"),
                ));
            }
        }
    }
}
