//! Group figures recomputed from the raw facts, to check the server's against.

use chrono::NaiveDate;
use pms_metrics::twrr::PerformanceSeries;
use pms_metrics::{CashFlow, Valuation};
use rust_decimal::Decimal;
use sqlx::PgPool;

/// The pooled series of the portfolios `filter` selects (a SQL condition on `p`, `c` and
/// `ia`), summed by date from the raw facts.
async fn pooled_series(pool: &PgPool, filter: &str) -> PerformanceSeries {
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
    PerformanceSeries::new(&valuations, &flows).expect("a series")
}

/// The since-inception TWRR of the pooled valuations of the portfolios `filter` selects.
pub async fn pooled_twrr(pool: &PgPool, filter: &str) -> f64 {
    pooled_series(pool, filter)
        .await
        .twrr()
        .expect("twrr")
        .and_then(|r| r.annualized)
        .expect("a return")
}

/// The 1-year TWRR (to the latest date) of the pooled valuations of the portfolios `filter`
/// selects.
pub async fn pooled_one_year_twrr(pool: &PgPool, filter: &str) -> f64 {
    let series = pooled_series(pool, filter).await;
    series
        .standard_periods(series.last_date())
        .into_iter()
        .find(|row| row.label == "1Y")
        .and_then(|row| row.result)
        .and_then(|r| r.annualized)
        .expect("a 1-year return")
}

pub fn assert_close(got: Option<f64>, want: f64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: no figure"));
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: {got} ≠ {want}"
    );
}
