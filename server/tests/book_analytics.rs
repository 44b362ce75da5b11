//! The analytics under the client table: the league table and the geography add up to the
//! book's AUM, an RM's league holds only their (team's) books, fees are this year's fee
//! transactions, and a year's retention is recomputed from the client dates.

mod common;

use common::{TestApp, DEMO_PASSWORD};
use pms_domain::clients::BookAnalytics;
use pms_domain::summary::ExecutiveSummary;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use sqlx::PgPool;

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";
const RM: &str = "anand.singhania@sahyadricapital.example";

async fn post<T: serde::de::DeserializeOwned>(
    app: &TestApp,
    user: &reqwest::Client,
    path: &str,
) -> T {
    let response = user.post(app.url(path)).send().await.expect("request");
    let status = response.status();
    let body = response.text().await.expect("a body");
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).expect("the answer")
}

#[sqlx::test(migrations = "../migrations")]
async fn the_league_and_the_geography_add_up_to_the_book(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let book: BookAnalytics = post(&app, &admin, "/api/clients/analytics").await;
    let summary: ExecutiveSummary = post(&app, &admin, "/api/summary/executive").await;

    let unassigned: Decimal = sqlx::query_scalar(
        "SELECT coalesce(sum(a.market_value), 0) FROM agg_portfolio a
         JOIN dim_portfolio p ON p.portfolio_id = a.portfolio_id JOIN dim_client c ON c.client_id = p.client_id
         WHERE p.status = 'Active' AND c.rm_id IS NULL",
    )
    .fetch_one(&pool)
    .await
    .expect("unassigned AUM");
    let league: Decimal = book.league.iter().map(|r| r.aum).sum();
    assert_eq!(
        league + unassigned,
        summary.aum,
        "RM books and unassigned clients make the AUM"
    );
    let states: Decimal = book.by_state.iter().map(|r| r.aum).sum();
    assert_eq!(states, summary.aum, "the states make the AUM");
    assert!(
        book.league.iter().any(|r| r.twrr_1y.is_some()),
        "books have a 1-year return"
    );

    let fees: Decimal = sqlx::query_scalar(
        "SELECT coalesce(-sum(x.amount), 0) FROM fact_transaction x
         JOIN dim_portfolio p ON p.portfolio_id = x.portfolio_id AND p.status = 'Active'
         JOIN dim_client c ON c.client_id = p.client_id AND c.rm_id IS NOT NULL
         WHERE x.txn_type IN ('MGMT_FEE', 'PERF_FEE')
           AND x.trade_date >= (SELECT make_date(extract(year FROM max(as_of) - interval '3 months')::int, 4, 1) FROM agg_portfolio)",
    )
    .fetch_one(&pool)
    .await
    .expect("fees");
    assert_eq!(
        book.league.iter().map(|r| r.fees_fytd).sum::<Decimal>(),
        fees
    );

    // The latest year's retention, from the client dates.
    let last = book.client_flows.last().expect("a year");
    let (at_start, kept): (i64, i64) = sqlx::query_as(
        "WITH y AS (SELECT make_date(extract(year FROM max(as_of) - interval '3 months')::int, 4, 1) AS start, max(as_of) AS finish FROM agg_portfolio)
         SELECT count(*) FILTER (WHERE onboarding_date < start AND (closure_date IS NULL OR closure_date >= start)),
                count(*) FILTER (WHERE onboarding_date < start AND (closure_date IS NULL OR closure_date > finish))
         FROM dim_client, y",
    )
    .fetch_one(&pool)
    .await
    .expect("retention");
    assert_eq!(last.active_at_start, at_start);
    // JSON carries the float to within its last bit.
    let retention = last.retention.expect("a retention");
    assert!(
        (retention - kept as f64 / at_start as f64).abs() < 1e-12,
        "{retention}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_rm_s_league_holds_only_the_books_they_may_see(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let book: BookAnalytics = post(&app, &rm, "/api/clients/analytics").await;
    let visible: Vec<i32> = sqlx::query_scalar(
        "SELECT u.rm_id FROM app_user u WHERE u.email = $1
         UNION SELECT m.rm_id FROM app_user u JOIN rm_team t ON t.lead_rm_id = u.rm_id
         JOIN dim_rm m ON m.team_id = t.team_id WHERE u.email = $1",
    )
    .bind(RM)
    .fetch_all(&pool)
    .await
    .expect("the RM's books");
    assert!(!book.league.is_empty());
    assert!(
        book.league.iter().all(|r| visible.contains(&r.rm_id)),
        "{:?}",
        book.league
    );
    let summary: ExecutiveSummary = post(&app, &rm, "/api/summary/executive").await;
    assert_eq!(
        book.league.iter().map(|r| r.aum).sum::<Decimal>(),
        summary.aum
    );
}
