//! Evaluates a reference-case document (the format of `golden/metrics.json`) with this
//! library: every case's `expected` is replaced by what we compute. It computes; it does not
//! compare (the caller diffs the two documents).
//!
//! Sections understood (each an array of cases with an `id`):
//! - `xirr`: `flows: [[date, amount], …]` → `expected: number | null`;
//! - `returns_metrics`: `returns`, `benchmark` (array or null), `annualization` (default 252),
//!   `risk_free_daily` (or else `risk_free_annual`, default 0) → `expected: {annual_return,
//!   annual_volatility, sharpe, sortino, downside_risk, max_drawdown, calmar, alpha, beta,
//!   var_95, cvar_95, tail_ratio, up_capture, down_capture, tracking_error,
//!   information_ratio}`;
//! - `twrr`: `valuations: [[date, value], …]`, `flows: [[date, amount], …]` →
//!   `expected: {cumulative, annualized, daily_returns}`;
//! - `group_twrr`: `portfolios: [{valuations, flows}, …]` (each as in `twrr`) →
//!   `expected: {cumulative, annualized}`, the pooled TWRR over the group's whole history
//!   ([`crate::group`]).
//!
//! `null` means undefined. Every other top-level key (such as `about`, or a section this
//! version does not know) is passed through unchanged, so a newer document still evaluates;
//! every input field of a case is kept as it was. Dates are ISO `YYYY-MM-DD`.
//!
//! A twrr case with fewer than two valuations has no return: `cumulative` and `annualized`
//! are `null` and `daily_returns` is `[]`; one whose daily return overflows `f64` has all
//! three `null`. A group_twrr case with fewer than two group dates, or whose pooled daily
//! return overflows, has both figures `null`. Malformed input (a missing field, a bad date,
//! two valuations on one date, benchmark and returns of different lengths) is an
//! [`EvalError`] naming the case.

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use crate::group::{group_series_from_days, pooled_days, GroupError, PortfolioHistory};
use crate::inputs::{CashFlow, Valuation};
use crate::stats::{ReturnStatistics, StatsConfig, TRADING_DAYS_PER_YEAR};
use crate::twrr::{PerformanceSeries, TwrrError};
use crate::xirr::{xirr, XirrError};

/// Why a document could not be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("the document must be a JSON object")]
    NotAnObject,
    #[error("section `{0}` must be an array of cases")]
    SectionNotAnArray(String),
    #[error("{section} case {case}: {reason}")]
    BadCase {
        section: String,
        case: String,
        reason: String,
    },
}

/// Returns `doc` with every case's `expected` recomputed (see the module doc).
pub fn evaluate(doc: &Value) -> Result<Value, EvalError> {
    let object = doc.as_object().ok_or(EvalError::NotAnObject)?;
    let mut out = Map::with_capacity(object.len());
    for (key, section) in object {
        let evaluated = match key.as_str() {
            "xirr" => evaluate_section(key, section, xirr_case)?,
            "returns_metrics" => evaluate_section(key, section, returns_case)?,
            "twrr" => evaluate_section(key, section, twrr_case)?,
            "group_twrr" => evaluate_section(key, section, group_twrr_case)?,
            _ => section.clone(),
        };
        out.insert(key.clone(), evaluated);
    }
    Ok(Value::Object(out))
}

fn evaluate_section(
    name: &str,
    section: &Value,
    compute: fn(&Map<String, Value>) -> Result<Value, String>,
) -> Result<Value, EvalError> {
    let cases = section
        .as_array()
        .ok_or_else(|| EvalError::SectionNotAnArray(name.to_owned()))?;
    let mut out = Vec::with_capacity(cases.len());
    for (index, case) in cases.iter().enumerate() {
        let label = case
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{index}"), str::to_owned);
        let bad = |reason: String| EvalError::BadCase {
            section: name.to_owned(),
            case: label.clone(),
            reason,
        };
        let fields = case
            .as_object()
            .ok_or_else(|| bad("not an object".into()))?;
        let expected = compute(fields).map_err(bad)?;
        let mut fields = fields.clone();
        fields.insert("expected".into(), expected);
        out.push(Value::Object(fields));
    }
    Ok(Value::Array(out))
}

fn xirr_case(case: &Map<String, Value>) -> Result<Value, String> {
    let flows: Vec<CashFlow> = dated_pairs(case, "flows")?
        .into_iter()
        .map(|(date, amount)| CashFlow::new(date, amount))
        .collect();
    match xirr(&flows) {
        Ok(rate) => Ok(number(Some(rate))),
        Err(XirrError::NonFiniteAmount) => Err("a flow amount is not a finite number".into()),
        Err(_) => Ok(Value::Null),
    }
}

fn returns_case(case: &Map<String, Value>) -> Result<Value, String> {
    let returns = numbers(case.get("returns").ok_or("missing `returns`")?, "returns")?;
    let benchmark = match case.get("benchmark") {
        None | Some(Value::Null) => None,
        Some(value) => Some(numbers(value, "benchmark")?),
    };
    let annualization = optional_number(case, "annualization")?.unwrap_or(TRADING_DAYS_PER_YEAR);
    let config = match optional_number(case, "risk_free_daily")? {
        Some(daily) => StatsConfig {
            annualization,
            risk_free_per_period: daily,
        },
        None => {
            let annual = optional_number(case, "risk_free_annual")?.unwrap_or(0.0);
            StatsConfig::with_annual_risk_free(annualization, annual).map_err(|e| e.to_string())?
        }
    };
    let s = ReturnStatistics::compute(&returns, benchmark.as_deref(), &config)
        .map_err(|e| e.to_string())?;
    Ok(json!({
        "annual_return": number(s.annual_return),
        "annual_volatility": number(s.annual_volatility),
        "sharpe": number(s.sharpe),
        "sortino": number(s.sortino),
        "downside_risk": number(s.downside_risk),
        "max_drawdown": number(s.max_drawdown.map(|d| d.depth)),
        "calmar": number(s.calmar),
        "alpha": number(s.alpha),
        "beta": number(s.beta),
        "var_95": number(s.var_95),
        "cvar_95": number(s.cvar_95),
        "tail_ratio": number(s.tail_ratio),
        "up_capture": number(s.up_capture),
        "down_capture": number(s.down_capture),
        "tracking_error": number(s.tracking_error),
        "information_ratio": number(s.information_ratio),
    }))
}

fn twrr_case(case: &Map<String, Value>) -> Result<Value, String> {
    let (valuations, flows) = valuation_inputs(case)?;
    if valuations.is_empty() {
        return Ok(json!({ "cumulative": null, "annualized": null, "daily_returns": [] }));
    }
    let series = match PerformanceSeries::new(&valuations, &flows) {
        Ok(series) => series,
        // A daily return too large for f64: every figure is undefined.
        Err(TwrrError::NonFiniteReturn(_)) => {
            return Ok(json!({ "cumulative": null, "annualized": null, "daily_returns": null }))
        }
        Err(e) => return Err(e.to_string()),
    };
    let whole = series.twrr().ok().flatten();
    let daily: Vec<Value> = series
        .daily_returns()
        .iter()
        .map(|&r| number(Some(r)))
        .collect();
    Ok(json!({
        "cumulative": number(whole.map(|p| p.cumulative)),
        "annualized": number(whole.and_then(|p| p.annualized)),
        "daily_returns": daily,
    }))
}

fn group_twrr_case(case: &Map<String, Value>) -> Result<Value, String> {
    let portfolios = case
        .get("portfolios")
        .ok_or("missing `portfolios`")?
        .as_array()
        .ok_or("`portfolios` must be an array of {valuations, flows} objects")?;
    let mut inputs = Vec::with_capacity(portfolios.len());
    for (index, portfolio) in portfolios.iter().enumerate() {
        let fields = portfolio
            .as_object()
            .ok_or_else(|| format!("portfolio #{index} is not an object"))?;
        let (valuations, flows) =
            valuation_inputs(fields).map_err(|e| format!("portfolio #{index}: {e}"))?;
        inputs.push((valuations, flows));
    }
    let histories: Vec<PortfolioHistory<'_>> = inputs
        .iter()
        .map(|(valuations, flows)| PortfolioHistory::new(valuations, flows))
        .collect();
    let undefined = json!({ "cumulative": null, "annualized": null });
    let days = pooled_days(&histories).map_err(|e| e.to_string())?;
    if days.is_empty() {
        return Ok(undefined);
    }
    let series = match group_series_from_days(&days) {
        Ok(series) => series,
        Err(GroupError::Series(TwrrError::NonFiniteReturn(_))) => return Ok(undefined),
        Err(e) => return Err(e.to_string()),
    };
    let whole = series.twrr().ok().flatten();
    Ok(json!({
        "cumulative": number(whole.map(|p| p.cumulative)),
        "annualized": number(whole.and_then(|p| p.annualized)),
    }))
}

/// `valuations` and (optional) `flows` of a twrr case or of a group's portfolio.
fn valuation_inputs(case: &Map<String, Value>) -> Result<(Vec<Valuation>, Vec<CashFlow>), String> {
    let valuations: Vec<Valuation> = dated_pairs(case, "valuations")?
        .into_iter()
        .map(|(date, value)| Valuation::new(date, value))
        .collect();
    let flows: Vec<CashFlow> = match case.get("flows") {
        None | Some(Value::Null) => Vec::new(),
        Some(_) => dated_pairs(case, "flows")?
            .into_iter()
            .map(|(date, amount)| CashFlow::new(date, amount))
            .collect(),
    };
    Ok((valuations, flows))
}

/// A finite number, or `null`.
fn number(value: Option<f64>) -> Value {
    value
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

fn optional_number(case: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match case.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("`{key}` must be a number")),
    }
}

fn numbers(value: &Value, key: &str) -> Result<Vec<f64>, String> {
    value
        .as_array()
        .ok_or_else(|| format!("`{key}` must be an array of numbers"))?
        .iter()
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| format!("`{key}` must be an array of numbers"))
        })
        .collect()
}

fn dated_pairs(case: &Map<String, Value>, key: &str) -> Result<Vec<(NaiveDate, f64)>, String> {
    let shape = || format!("`{key}` must be an array of [\"YYYY-MM-DD\", number] pairs");
    let items = case
        .get(key)
        .ok_or_else(|| format!("missing `{key}`"))?
        .as_array()
        .ok_or_else(shape)?;
    items
        .iter()
        .map(|item| match item.as_array().map(Vec::as_slice) {
            Some([date, amount]) => {
                let date = date
                    .as_str()
                    .and_then(|s| s.parse::<NaiveDate>().ok())
                    .ok_or_else(|| format!("`{key}` has a date that is not YYYY-MM-DD: {date}"))?;
                let amount = amount.as_f64().ok_or_else(shape)?;
                Ok((date, amount))
            }
            _ => Err(shape()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_unknown_sections_and_keeps_inputs() {
        let doc = json!({
            "about": "x",
            "future_section": [{"id": "a", "expected": 1}],
            "xirr": [
                {"id": "ok", "flows": [["2021-01-01", -100.0], ["2022-01-01", 110.0]], "expected": 0, "note": "kept"},
                {"id": "none", "flows": [["2021-01-01", -100.0]], "expected": 0}
            ],
            "twrr": [{"id": "single", "valuations": [["2021-01-01", 5.0]], "flows": [], "expected": {}}]
        });
        let out = evaluate(&doc).expect("evaluates");
        assert_eq!(out["about"], "x");
        assert_eq!(out["future_section"], doc["future_section"]);
        assert_eq!(out["xirr"][0]["note"], "kept");
        assert!((out["xirr"][0]["expected"].as_f64().expect("number") - 0.1).abs() < 1e-12);
        assert_eq!(out["xirr"][1]["expected"], Value::Null);
        assert_eq!(out["twrr"][0]["expected"]["cumulative"], Value::Null);
        assert_eq!(out["twrr"][0]["expected"]["daily_returns"], json!([]));
    }

    #[test]
    fn evaluates_group_cases() {
        let doc = json!({"group_twrr": [
            {"id": "opening", "portfolios": [
                {"valuations": [["2025-01-01", 100.0], ["2025-01-02", 110.0], ["2025-01-03", 121.0]], "flows": []},
                {"valuations": [["2025-01-02", 1000.0], ["2025-01-03", 1100.0]], "flows": [["2025-01-02", 1000.0]]}
            ], "expected": {}},
            {"id": "one-date", "portfolios": [{"valuations": [["2025-01-01", 5.0]], "flows": []}], "expected": {}},
            {"id": "empty", "portfolios": [], "expected": {}}
        ]});
        let out = evaluate(&doc).expect("evaluates");
        let cumulative = out["group_twrr"][0]["expected"]["cumulative"]
            .as_f64()
            .expect("number");
        assert!((cumulative - 0.21).abs() < 1e-12);
        assert_eq!(
            out["group_twrr"][0]["portfolios"],
            doc["group_twrr"][0]["portfolios"]
        );
        for i in [1, 2] {
            assert_eq!(
                out["group_twrr"][i]["expected"],
                json!({"cumulative": null, "annualized": null})
            );
        }
        let bad = json!({"group_twrr": [{"id": "g", "portfolios": [{"flows": []}]}]});
        let err = evaluate(&bad).expect_err("no valuations field");
        assert!(
            err.to_string().contains("group_twrr case g: portfolio #0"),
            "{err}"
        );
    }

    #[test]
    fn reports_malformed_cases() {
        let doc = json!({"xirr": [{"id": "bad", "flows": [["01/02/2021", 1.0]]}]});
        let err = evaluate(&doc).expect_err("bad date");
        assert!(err.to_string().contains("xirr case bad"), "{err}");
        assert_eq!(evaluate(&json!([])), Err(EvalError::NotAnObject));
        assert!(matches!(
            evaluate(&json!({"twrr": 3})),
            Err(EvalError::SectionNotAnArray(_))
        ));
    }
}
