//! Every reference case of `golden/metrics.json` (pyxirr, empyrical-reloaded, METRICS.md TWRR
//! and group TWRR) reproduced within relative 1e-9 (absolute 1e-12 near zero); `null` must stay `null`.
//!
//! The document is read from `$PMS_GOLDEN` if set, else from the copy in `tests/data/` (so a
//! fresh clone works), else from the shared workspace `../../../shared/golden/metrics.json`.

use std::path::PathBuf;

use chrono::NaiveDate;
use pms_metrics::{
    evaluate, group_series, group_series_from_days, pooled_days, xirr, CashFlow, PerformanceSeries,
    PortfolioHistory, ReturnStatistics, StatsConfig, Valuation,
};
use serde_json::Value;

const RELATIVE: f64 = 1e-9;
const ABSOLUTE: f64 = 1e-12;

fn golden_path() -> PathBuf {
    if let Some(path) = std::env::var_os("PMS_GOLDEN") {
        return PathBuf::from(path);
    }
    let copy = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/golden-metrics.json"
    ));
    if copy.exists() {
        return copy;
    }
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/golden/metrics.json"
    ))
}

fn golden() -> Value {
    let path = golden_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("golden file is JSON")
}

fn close(actual: f64, expected: f64) -> bool {
    let difference = (actual - expected).abs();
    difference <= ABSOLUTE || difference <= RELATIVE * expected.abs()
}

/// Compares two JSON values, numbers within tolerance; returns the paths that differ.
fn differences(actual: &Value, expected: &Value, path: &str, out: &mut Vec<String>) {
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (
                a.as_f64().unwrap_or(f64::NAN),
                e.as_f64().unwrap_or(f64::NAN),
            );
            if !close(a, e) {
                out.push(format!(
                    "{path}: got {a:e}, expected {e:e} (rel {:e})",
                    ((a - e) / e).abs()
                ));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if a.len() != e.len() {
                out.push(format!("{path}: length {} vs {}", a.len(), e.len()));
                return;
            }
            for (i, (a, e)) in a.iter().zip(e).enumerate() {
                differences(a, e, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Object(a), Value::Object(e)) => {
            if a.len() != e.len() {
                out.push(format!(
                    "{path}: keys {:?} vs {:?}",
                    a.keys().collect::<Vec<_>>(),
                    e.keys().collect::<Vec<_>>()
                ));
            }
            for (key, e) in e {
                match a.get(key) {
                    Some(a) => differences(a, e, &format!("{path}.{key}"), out),
                    None => out.push(format!("{path}.{key}: missing")),
                }
            }
        }
        (a, e) if a == e => {}
        (a, e) => out.push(format!("{path}: got {a}, expected {e}")),
    }
}

fn case_id(case: &Value) -> String {
    case["id"].as_str().unwrap_or("?").to_owned()
}

fn dated(pairs: &Value) -> Vec<(NaiveDate, f64)> {
    pairs
        .as_array()
        .expect("array of pairs")
        .iter()
        .map(|p| {
            let date = p[0].as_str().expect("date").parse().expect("ISO date");
            (date, p[1].as_f64().expect("number"))
        })
        .collect()
}

fn floats(values: &Value) -> Vec<f64> {
    values
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect()
}

#[test]
fn evaluate_reproduces_the_golden_document() {
    let doc = golden();
    let evaluated = evaluate(&doc).expect("the golden document evaluates");
    let mut out = Vec::new();
    differences(&evaluated, &doc, "$", &mut out);
    assert!(
        out.is_empty(),
        "{} differences:\n{}",
        out.len(),
        out.join("\n")
    );
    for section in ["xirr", "returns_metrics", "twrr", "group_twrr"] {
        let mut worst = 0.0_f64;
        largest_relative_error(&evaluated[section], &doc[section], &mut worst);
        eprintln!("{section}: largest relative difference {worst:e}");
    }
}

/// The largest `|a − e| / |e|` over all numbers (absolute when `e` is 0), for the log.
fn largest_relative_error(actual: &Value, expected: &Value, worst: &mut f64) {
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (
                a.as_f64().unwrap_or(f64::NAN),
                e.as_f64().unwrap_or(f64::NAN),
            );
            let error = if e == 0.0 {
                (a - e).abs()
            } else {
                ((a - e) / e).abs()
            };
            *worst = worst.max(error);
        }
        (Value::Array(a), Value::Array(e)) => {
            a.iter()
                .zip(e)
                .for_each(|(a, e)| largest_relative_error(a, e, worst));
        }
        (Value::Object(a), Value::Object(e)) => {
            for (key, e) in e {
                if let Some(a) = a.get(key) {
                    largest_relative_error(a, e, worst);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn xirr_cases_through_the_api() {
    let doc = golden();
    let cases = doc["xirr"].as_array().expect("xirr section");
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for case in cases {
        let flows: Vec<CashFlow> = dated(&case["flows"])
            .into_iter()
            .map(CashFlow::from)
            .collect();
        let got = xirr(&flows).ok();
        let expected = case["expected"].as_f64();
        let ok = match (got, expected) {
            (Some(g), Some(e)) => close(g, e),
            (None, None) => true,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: got {got:?}, expected {expected:?}",
                case_id(case)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn return_statistics_cases_through_the_api() {
    let doc = golden();
    let cases = doc["returns_metrics"]
        .as_array()
        .expect("returns_metrics section");
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for case in cases {
        let returns = floats(&case["returns"]);
        let benchmark = case["benchmark"]
            .is_array()
            .then(|| floats(&case["benchmark"]));
        let config = StatsConfig {
            annualization: case["annualization"].as_f64().expect("annualization"),
            risk_free_per_period: case["risk_free_daily"].as_f64().expect("risk_free_daily"),
        };
        // The annual rate converts to the same daily rate.
        let from_annual = StatsConfig::with_annual_risk_free(
            config.annualization,
            case["risk_free_annual"].as_f64().expect("risk_free_annual"),
        )
        .expect("valid");
        assert!(close(
            from_annual.risk_free_per_period,
            config.risk_free_per_period
        ));

        let s =
            ReturnStatistics::compute(&returns, benchmark.as_deref(), &config).expect("computes");
        let got = [
            ("annual_return", s.annual_return),
            ("annual_volatility", s.annual_volatility),
            ("sharpe", s.sharpe),
            ("sortino", s.sortino),
            ("downside_risk", s.downside_risk),
            ("max_drawdown", s.max_drawdown.map(|d| d.depth)),
            ("calmar", s.calmar),
            ("alpha", s.alpha),
            ("beta", s.beta),
            ("var_95", s.var_95),
            ("cvar_95", s.cvar_95),
            ("tail_ratio", s.tail_ratio),
            ("up_capture", s.up_capture),
            ("down_capture", s.down_capture),
            ("tracking_error", s.tracking_error),
            ("information_ratio", s.information_ratio),
        ];
        for (key, value) in got {
            let expected = case["expected"][key].as_f64();
            let ok = match (value, expected) {
                (Some(g), Some(e)) => close(g, e),
                (None, None) => true,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{} {key}: got {value:?}, expected {expected:?}",
                    case_id(case)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn twrr_cases_through_the_api() {
    let doc = golden();
    let cases = doc["twrr"].as_array().expect("twrr section");
    assert!(!cases.is_empty());
    for case in cases {
        let id = case_id(case);
        let valuations: Vec<Valuation> = dated(&case["valuations"])
            .into_iter()
            .map(Valuation::from)
            .collect();
        let flows: Vec<CashFlow> = dated(&case["flows"])
            .into_iter()
            .map(CashFlow::from)
            .collect();
        let series = PerformanceSeries::new(&valuations, &flows).expect("valid series");
        let whole = series.twrr().expect("finite").expect("two valuations");
        let expected = &case["expected"];
        assert!(
            close(
                whole.cumulative,
                expected["cumulative"].as_f64().expect("number")
            ),
            "{id} cumulative"
        );
        match expected["annualized"].as_f64() {
            Some(e) => assert!(
                close(whole.annualized.expect("defined"), e),
                "{id} annualized"
            ),
            None => assert_eq!(whole.annualized, None, "{id} annualized"),
        }
        let daily = floats(&expected["daily_returns"]);
        assert_eq!(series.daily_returns().len(), daily.len(), "{id}");
        for (i, (g, e)) in series.daily_returns().iter().zip(&daily).enumerate() {
            assert!(close(*g, *e), "{id} daily return {i}: {g} vs {e}");
        }
    }
}

#[test]
fn group_twrr_cases_through_the_api() {
    let doc = golden();
    let cases = doc["group_twrr"].as_array().expect("group_twrr section");
    assert!(!cases.is_empty());
    for case in cases {
        let id = case_id(case);
        let inputs: Vec<(Vec<Valuation>, Vec<CashFlow>)> = case["portfolios"]
            .as_array()
            .expect("portfolios")
            .iter()
            .map(|p| {
                let valuations = dated(&p["valuations"])
                    .into_iter()
                    .map(Valuation::from)
                    .collect();
                let flows = dated(&p["flows"]).into_iter().map(CashFlow::from).collect();
                (valuations, flows)
            })
            .collect();
        let histories: Vec<PortfolioHistory<'_>> = inputs
            .iter()
            .map(|(v, f)| PortfolioHistory::new(v, f))
            .collect();
        let series = group_series(&histories).expect("valid group");
        // The pooled-rows path (what a server sums in SQL) gives the same series.
        let rows = pooled_days(&histories).expect("valid group");
        assert_eq!(
            group_series_from_days(&rows).expect("valid rows"),
            series,
            "{id}"
        );
        let whole = series.twrr().expect("finite").expect("two dates");
        let expected = &case["expected"];
        assert!(
            close(
                whole.cumulative,
                expected["cumulative"].as_f64().expect("number")
            ),
            "{id} cumulative: {}",
            whole.cumulative
        );
        match expected["annualized"].as_f64() {
            Some(e) => assert!(
                close(whole.annualized.expect("defined"), e),
                "{id} annualized"
            ),
            None => assert_eq!(whole.annualized, None, "{id} annualized"),
        }
    }
}
