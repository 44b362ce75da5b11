//! Group figures recomputed from the raw facts, to check the server's against.

use chrono::NaiveDate;
use pms_metrics::twrr::PerformanceSeries;
use pms_metrics::{CashFlow, Valuation};
use rust_decimal::Decimal;
use sqlx::PgPool;

/// The since-inception TWRR of the pooled valuations of the portfolios `filter` selects
/// (a SQL condition on `p`, `c` and `ia`), computed from the raw facts.
pub async fn pooled_twrr(pool: &PgPool, filter: &str) -> f64 {
    let rows: Vec<(NaiveDate, Decimal, Decimal)> = sqlx::query_as(&format!(
        "SELECT v.valuation_date, sum(v.market_value), sum(v.net_flow)
         FROM fact_valuation v JOIN dim_portfolio p ON p.portfolio_id = v.portfolio_id
         JOIN dim_client c ON c.client_id = p.client_id
         JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
         WHERE {filter} GROUP BY 1 ORDER BY 1"
    ))
    .fetch_all(pool)
    .await
    .expect("pooled valuations");
    let valuations: Vec<Valuation> = rows
        .iter()
        .map(|(d, v, _)| Valuation::from_money(*d, *v))
        .collect();
    let flows: Vec<CashFlow> = rows
        .iter()
        .map(|(d, _, f)| CashFlow::from_money(*d, *f))
        .collect();
    let series = PerformanceSeries::new(&valuations, &flows).expect("a series");
    series
        .twrr()
        .expect("twrr")
        .and_then(|r| r.annualized)
        .expect("a return")
}

pub fn assert_close(got: Option<f64>, want: f64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: no figure"));
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: {got} ≠ {want}"
    );
}
