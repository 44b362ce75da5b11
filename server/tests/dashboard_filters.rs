//! The dashboard's filters, through the server functions the pages call and the REST list,
//! against the demo data: each narrowed figure equals a SQL check of the same portfolios, a
//! period's change adds up from the raw flows, a filter never widens an RM's scope, and a
//! filter that cannot be read is refused naming its parameter.

mod common;

use chrono::NaiveDate;
use common::pooled::{assert_close, pooled_twrr};
use common::{get_json, server_fn, TestApp, DEMO_PASSWORD};
use pms_domain::clients::ClientSummary;
use pms_domain::compliance::ComplianceOverview;
use pms_domain::error::AppError;
use pms_domain::filter::FilterChoices;
use pms_domain::performance::GroupPerformance;
use pms_domain::summary::ExecutiveSummary;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::PgPool;

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";
const RM: &str = "anand.singhania@sahyadricapital.example";

/// Posts to a server function with the filter (a query string) as its `filter` argument.
async fn with_filter(
    app: &TestApp,
    user: &reqwest::Client,
    endpoint: &str,
    extra: &[(&str, &str)],
    filter: &str,
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = extra.to_vec();
    form.push(("filter", filter));
    user.post(app.url(endpoint))
        .form(&form)
        .send()
        .await
        .expect("request")
}

async fn summary(app: &TestApp, user: &reqwest::Client, filter: &str) -> ExecutiveSummary {
    let response = with_filter(app, user, "/api/summary/executive", &[], filter).await;
    assert_eq!(response.status(), StatusCode::OK, "{filter}");
    response.json().await.expect("ExecutiveSummary")
}

/// The commonest value of a client column among clients with an active portfolio.
async fn commonest(pool: &PgPool, column: &str) -> String {
    sqlx::query_scalar(&format!(
        "SELECT c.{column} FROM dim_client c JOIN dim_portfolio p ON p.client_id = c.client_id
         WHERE p.status = 'Active' AND c.{column} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ))
    .fetch_one(pool)
    .await
    .expect("a value")
}

/// AUM, clients and active portfolios of the portfolios `condition` (on `p`, `c`, `ia`) selects.
async fn totals(pool: &PgPool, condition: &str) -> (Decimal, i64, i64) {
    sqlx::query_as(&format!(
        "SELECT coalesce(sum(a.market_value), 0), count(DISTINCT p.client_id), count(*)
         FROM dim_portfolio p JOIN dim_client c ON c.client_id = p.client_id
         JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
         JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
         WHERE p.status = 'Active' AND {condition}"
    ))
    .fetch_one(pool)
    .await
    .expect("totals")
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_filter_narrows_the_executive_summary_to_what_sql_finds_for_the_same_portfolios(
    pool: PgPool,
) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let everything = summary(&app, &admin, "").await;
    let risk = commonest(&pool, "risk_profile").await;
    let state = commonest(&pool, "state").await;

    for (filter, condition) in [
        (
            format!("risk={}", urlencode(&risk)),
            format!("c.risk_profile = {}", quoted(&risk)),
        ),
        (
            format!("risk={}&state={}", urlencode(&risk), urlencode(&state)),
            format!(
                "c.risk_profile = {} AND c.state = {}",
                quoted(&risk),
                quoted(&state)
            ),
        ),
        (
            "aum_min=100&twrr_min=0".to_owned(),
            "(SELECT aum FROM agg_client x WHERE x.client_id = c.client_id) >= 10000000
             AND (SELECT twrr_reported FROM agg_portfolio_period pp WHERE pp.portfolio_id = p.portfolio_id AND pp.period = '1Y') >= 0"
                .to_owned(),
        ),
    ] {
        let narrowed = summary(&app, &admin, &filter).await;
        let (aum, clients, portfolios) = totals(&pool, &condition).await;
        assert!(portfolios > 0, "{filter} selects some portfolios");
        assert!(portfolios < everything.portfolios, "{filter} narrows");
        assert_eq!(
            (narrowed.aum, narrowed.clients, narrowed.portfolios),
            (aum, clients, portfolios),
            "{filter}"
        );
        let mix: Decimal = narrowed.by_strategy.iter().map(|r| r.aum).sum();
        assert_eq!(mix, aum, "{filter}: the strategy mix adds up to the AUM");
        // The pooled return is that of the selected portfolios' pooled valuations.
        let since_inception = narrowed
            .periods
            .iter()
            .find(|p| p.period == "SI")
            .and_then(|p| p.twrr);
        assert_close(
            since_inception,
            pooled_twrr(&pool, &condition).await,
            &filter,
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_periods_change_is_its_flows_from_the_raw_valuations_plus_the_market_gain(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let (from, to) = (
        NaiveDate::from_ymd_opt(2024, 4, 1).expect("a date"),
        NaiveDate::from_ymd_opt(2025, 3, 31).expect("a date"),
    );
    let by_year = summary(&app, &admin, "fy=2024-25").await;
    let by_dates = summary(&app, &admin, "from=2024-04-01&to=2025-03-31").await;
    let change = by_year.change.clone().expect("a change over FY2024-25");
    assert_eq!(change.period, "FY2024-25");
    assert_eq!((change.from, change.to), (from, to));
    let flows: Decimal = sqlx::query_scalar(
        "SELECT coalesce(sum(net_flow), 0) FROM fact_valuation WHERE valuation_date BETWEEN $1 AND $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(&pool)
    .await
    .expect("flows");
    assert_eq!(change.net_flow, flows, "the year's flows, to the paisa");
    assert_eq!(
        change.closing - change.opening - change.net_flow,
        change.market_gain
    );
    let dated = by_dates.change.expect("a change over the dates");
    assert_eq!(
        (
            dated.opening,
            dated.closing,
            dated.net_flow,
            dated.market_gain
        ),
        (
            change.opening,
            change.closing,
            change.net_flow,
            change.market_gain
        ),
        "the year and its dates are the same period"
    );
    // The trend covers the period's month ends only.
    assert!(!by_year.months.is_empty());
    assert!(by_year
        .months
        .iter()
        .all(|m| m.month_end >= from && m.month_end <= to));
    // Without a period, the change is this financial year's to date.
    let unfiltered = summary(&app, &admin, "").await;
    let fytd = unfiltered.change.expect("a change this year");
    assert!(fytd.period.ends_with("to date"), "{}", fytd.period);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_filter_never_widens_an_rms_scope(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let rm_id: i32 = sqlx::query_scalar("SELECT rm_id FROM app_user WHERE email = $1")
        .bind(RM)
        .fetch_one(&pool)
        .await
        .expect("the RM's id");
    let other: i32 = sqlx::query_scalar(
        "SELECT c.rm_id FROM dim_client c JOIN dim_portfolio p ON p.client_id = c.client_id
         WHERE c.rm_id <> $1 AND c.rm_id NOT IN (SELECT m.rm_id FROM rm_team t JOIN dim_rm m ON m.team_id = t.team_id WHERE t.lead_rm_id = $1)
         LIMIT 1",
    )
    .bind(rm_id)
    .fetch_one(&pool)
    .await
    .expect("another RM with clients");

    let mine = summary(&app, &rm, "").await;
    let theirs = summary(&app, &rm, &format!("rm={other}")).await;
    assert_eq!(
        (theirs.portfolios, theirs.aum),
        (0, Decimal::ZERO),
        "naming another RM shows nothing of theirs"
    );
    let own = summary(&app, &rm, &format!("rm={rm_id}")).await;
    assert!(own.portfolios > 0 && own.portfolios <= mine.portfolios);

    let performance = with_filter(
        &app,
        &rm,
        "/api/performance/group",
        &[("group", "firm")],
        &format!("rm={other}"),
    )
    .await;
    assert_eq!(performance.status(), StatusCode::OK);
    let performance: GroupPerformance = performance.json().await.expect("performance");
    assert_eq!(performance.portfolios, 0);
    assert!(performance.months.is_empty());

    let listed: Value = rm
        .get(app.url(&format!("/api/v1/clients?rm={other}&closed=1")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("a page");
    assert_eq!(listed["total"], 0, "{listed}");

    // The filter's choices are the RM's book's own.
    let choices: FilterChoices = server_fn(&rm, app.url("/api/filters/choices"), &[]).await;
    assert!(!choices.rms.is_empty());
    assert!(choices.rms.iter().all(|(id, _)| *id != other));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_client_list_keeps_clients_with_a_matching_portfolio_and_applies_the_return_range_to_its_own_column(
    pool: PgPool,
) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let city = commonest(&pool, "city").await;
    let page: Value = get_json(
        &admin,
        app.url("/api/v1/clients"),
        &[("city", city.as_str()), ("page_size", "500")],
    )
    .await;
    let items: Vec<ClientSummary> =
        serde_json::from_value(page["items"].clone()).expect("client rows");
    let expected: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM dim_client c WHERE c.status = 'Active' AND c.city = $1
           AND EXISTS (SELECT 1 FROM dim_portfolio p WHERE p.client_id = c.client_id)",
    )
    .bind(&city)
    .fetch_one(&pool)
    .await
    .expect("count");
    assert!(expected > 0);
    assert_eq!(page["total"], expected);
    assert!(items
        .iter()
        .all(|c| c.city.as_deref() == Some(city.as_str())));

    let ranged: Value = get_json(
        &admin,
        app.url("/api/v1/clients"),
        &[("twrr_min", "10"), ("twrr_max", "25"), ("page_size", "500")],
    )
    .await;
    let rows: Vec<ClientSummary> =
        serde_json::from_value(ranged["items"].clone()).expect("client rows");
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|c| c.twrr_1y.is_some_and(|r| (0.10..=0.25).contains(&r))));
}

#[sqlx::test(migrations = "../migrations")]
async fn compliance_breaches_under_a_strategy_filter_are_that_strategys_portfolios(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let everything: ComplianceOverview =
        with_filter(&app, &admin, "/api/compliance/overview", &[], "")
            .await
            .json()
            .await
            .expect("overview");
    let strategy: i32 = sqlx::query_scalar(
        "SELECT ia.strategy_id FROM dim_portfolio p JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
         GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("a strategy");
    let narrowed: ComplianceOverview = with_filter(
        &app,
        &admin,
        "/api/compliance/overview",
        &[],
        &format!("strategy={strategy}"),
    )
    .await
    .json()
    .await
    .expect("overview");
    let members: Vec<i32> = sqlx::query_scalar(
        "SELECT p.portfolio_id FROM dim_portfolio p JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
         WHERE ia.strategy_id = $1",
    )
    .bind(strategy)
    .fetch_all(&pool)
    .await
    .expect("members");
    assert!(narrowed.breach_count <= everything.breach_count);
    assert!(narrowed
        .breaches
        .iter()
        .all(|b| members.contains(&b.portfolio_id)));
    assert_eq!(narrowed.by_strategy.len(), 1, "only that strategy's row");
    assert!(narrowed.by_approach.len() <= everything.by_approach.len());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_filter_that_cannot_be_read_is_refused_naming_the_parameter(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    for (filter, parameter) in [
        ("aum_min=lots", "aum_min"),
        ("from=2025-06-01&to=2025-01-01", "swap"),
        ("strategy=1;DROP TABLE dim_client", "strategy"),
    ] {
        let refused = with_filter(&app, &admin, "/api/summary/executive", &[], filter).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{filter}");
        let message = match refused.json::<AppError>().await.expect("AppError") {
            AppError::BadRequest(message) => message,
            other => panic!("{filter}: expected a refusal, got {other:?}"),
        };
        assert!(message.contains(parameter), "{filter}: {message}");
    }
    let listed = admin
        .get(app.url("/api/v1/clients?twrr_min=abc"))
        .send()
        .await
        .expect("request");
    assert_eq!(listed.status(), StatusCode::BAD_REQUEST);
    let problem: Value = listed.json().await.expect("problem details");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("twrr_min")),
        "{problem}"
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
