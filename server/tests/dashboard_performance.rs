//! The Portfolio performance and Compliance pages' reads, through their server functions,
//! against the demo data: a group's TWRR is the TWRR of its pooled daily values and flows
//! (recomputed here from the raw valuations), an RM's figures cover their book only and
//! another RM's book is invisible, and the limit breaches match a SQL check of the holdings.

mod common;

use chrono::{Datelike, NaiveDate};
use common::pooled::{assert_close, pooled_twrr};
use common::{server_fn, TestApp, DEMO_PASSWORD};
use pms_domain::compliance::ComplianceOverview;
use pms_domain::error::AppError;
use pms_domain::performance::{GroupPerformance, PeriodFigure};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use sqlx::PgPool;

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";
const RM: &str = "anand.singhania@sahyadricapital.example";
const COMPLIANCE: &str = "omkar.deshpande@sahyadricapital.example";

async fn performance(app: &TestApp, user: &reqwest::Client, group: &str) -> reqwest::Response {
    user.post(app.url("/api/performance/group"))
        .form(&[("group", group)])
        .send()
        .await
        .expect("request")
}

async fn performance_ok(app: &TestApp, user: &reqwest::Client, group: &str) -> GroupPerformance {
    let response = performance(app, user, group).await;
    assert_eq!(response.status(), StatusCode::OK, "{group}");
    response.json().await.expect("GroupPerformance")
}

fn since_inception(p: &GroupPerformance) -> &PeriodFigure {
    p.periods
        .iter()
        .find(|r| r.period == "SI")
        .expect("a since-inception row")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_group_return_is_the_twrr_of_its_pooled_daily_values_and_flows(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;

    let firm = performance_ok(&app, &admin, "firm").await;
    assert_close(
        since_inception(&firm).twrr,
        pooled_twrr(&pool, "true").await,
        "firm SI",
    );
    assert!(firm.months.len() > 12, "a history of month ends");
    // The executive summary's 1-year figure is the same pooled return.
    let summary: pms_domain::summary::ExecutiveSummary = admin
        .post(app.url("/api/summary/executive"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("summary");
    let one_year = firm.periods.iter().find(|p| p.period == "1Y");
    assert_eq!(summary.twrr_1y, one_year.and_then(|p| p.twrr));
    assert_eq!(summary.benchmark_1y, one_year.and_then(|p| p.benchmark));
    assert_eq!(
        summary.periods, firm.periods,
        "the summary's SEBI periods are the book's"
    );
    let by_approach: Decimal = summary.by_approach.iter().map(|r| r.aum).sum();
    assert_eq!(by_approach, summary.aum, "the approaches add up to the AUM");
    let held: Decimal = sqlx::query_scalar(
        "SELECT coalesce(sum(h.market_value), 0) FROM fact_holding h
         JOIN dim_portfolio p ON p.portfolio_id = h.portfolio_id AND p.status = 'Active'
         WHERE h.as_of = (SELECT max(as_of) FROM fact_holding x WHERE x.portfolio_id = h.portfolio_id)",
    )
    .fetch_one(&pool)
    .await
    .expect("latest holdings");
    let by_asset_class: Decimal = summary.by_asset_class.iter().map(|r| r.aum).sum();
    assert_eq!(
        by_asset_class, held,
        "asset classes add up to the latest holdings"
    );
    assert!(!firm.risk.is_empty(), "a risk table");

    let approach: i32 = sqlx::query_scalar(
        "SELECT ia_id FROM dim_portfolio GROUP BY ia_id ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("an approach");
    let by_approach = performance_ok(&app, &admin, &format!("approach-{approach}")).await;
    assert_close(
        since_inception(&by_approach).twrr,
        pooled_twrr(&pool, &format!("p.ia_id = {approach}")).await,
        "approach SI",
    );
    // Its allocation is its active portfolios' latest holdings; its scatter, its portfolios.
    let held: Decimal = sqlx::query_scalar(
        "SELECT coalesce(sum(h.market_value), 0) FROM fact_holding h
         JOIN dim_portfolio p ON p.portfolio_id = h.portfolio_id AND p.status = 'Active' AND p.ia_id = $1
         WHERE h.as_of = (SELECT max(as_of) FROM fact_holding x WHERE x.portfolio_id = h.portfolio_id)",
    )
    .bind(approach)
    .fetch_one(&pool)
    .await
    .expect("latest holdings");
    let allocated: Decimal = by_approach
        .allocation
        .by_asset_class
        .iter()
        .map(|r| r.aum)
        .sum();
    assert_eq!(
        allocated, held,
        "asset classes add up to the approach's latest holdings"
    );
    let members: Vec<i32> =
        sqlx::query_scalar("SELECT portfolio_id FROM dim_portfolio WHERE ia_id = $1")
            .bind(approach)
            .fetch_all(&pool)
            .await
            .expect("members");
    assert!(!by_approach.scatter.is_empty());
    assert!(by_approach
        .scatter
        .iter()
        .all(|p| members.contains(&p.portfolio_id)));
    // One approach, one benchmark: the label names it.
    assert!(
        !by_approach.benchmark.starts_with("Blend"),
        "{}",
        by_approach.benchmark
    );

    // The same group answers the same figures on a second read (from the cache).
    assert_eq!(
        performance_ok(&app, &admin, &format!("approach-{approach}")).await,
        by_approach
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_rm_sees_the_performance_of_their_book_only(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let rm_id: i32 = sqlx::query_scalar(
        "SELECT r.rm_id FROM app_user u JOIN dim_rm r ON r.rm_id = u.rm_id WHERE u.email = $1",
    )
    .bind(RM)
    .fetch_one(&pool)
    .await
    .expect("the RM's id");
    let book = format!(
        "c.rm_id IN (SELECT {rm_id} UNION SELECT m.rm_id FROM rm_team t JOIN dim_rm m ON m.team_id = t.team_id WHERE t.lead_rm_id = {rm_id})"
    );

    let mine = performance_ok(&app, &rm, "firm").await;
    assert_close(
        since_inception(&mine).twrr,
        pooled_twrr(&pool, &book).await,
        "the RM's whole book",
    );
    let value: Decimal = sqlx::query_scalar(&format!(
        "SELECT coalesce(sum(a.market_value), 0) FROM agg_portfolio a
         JOIN dim_portfolio p ON p.portfolio_id = a.portfolio_id JOIN dim_client c ON c.client_id = p.client_id
         WHERE p.status = 'Active' AND {book}"
    ))
    .fetch_one(&pool)
    .await
    .expect("the book's value");
    assert_eq!(
        mine.market_value, value,
        "the value of the RM's active portfolios"
    );
    assert_eq!(mine.label, "Your book");

    // Another RM's book, and a client of theirs, do not exist for this RM.
    let (other_rm, other_client): (i32, i32) = sqlx::query_as(&format!(
        "SELECT c.rm_id, c.client_id FROM dim_client c JOIN dim_portfolio p ON p.client_id = c.client_id
         WHERE c.rm_id IS NOT NULL AND NOT ({book}) LIMIT 1"
    ))
    .fetch_one(&pool)
    .await
    .expect("another RM's client");
    for group in [format!("rm-{other_rm}"), format!("client-{other_client}")] {
        let refused = performance(&app, &rm, &group).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{group}");
    }

    // The picker offers only the RM's own books.
    let choices: pms_domain::performance::GroupChoices =
        server_fn(&rm, app.url("/api/performance/choices"), &[]).await;
    assert!(!choices.rms.is_empty());
    assert!(choices
        .rms
        .iter()
        .all(|c| c.group != pms_domain::performance::Group::Rm(other_rm)));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_malformed_group_is_refused_with_the_forms_that_work(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let refused = performance(&app, &admin, "team-drop-table").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    match refused.json::<AppError>().await.expect("AppError") {
        AppError::BadRequest(message) => assert!(message.contains("approach-N"), "{message}"),
        other => panic!("expected BadRequest, got {other:?}"),
    }
}

async fn compliance_overview(app: &TestApp, user: &reqwest::Client) -> ComplianceOverview {
    let response = user
        .post(app.url("/api/compliance/overview"))
        .send()
        .await
        .expect("request");
    let status = response.status();
    let body = response.text().await.expect("a body");
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("a ComplianceOverview")
}

#[sqlx::test(migrations = "../migrations")]
async fn compliance_lists_the_limit_breaches_a_sql_check_finds_within_scope(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let breaches_in_sql = |filter: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!(
                "WITH latest AS (SELECT p.portfolio_id, max(h.as_of) AS as_of FROM fact_holding h
                                 JOIN dim_portfolio p ON p.portfolio_id = h.portfolio_id
                                 JOIN dim_client c ON c.client_id = p.client_id
                                 WHERE p.status = 'Active' AND {filter} GROUP BY 1),
                      w AS (SELECT h.portfolio_id, s.asset_class, coalesce(s.sector, 'Unclassified') AS sector, s.rating,
                                   h.market_value::float8 / sum(h.market_value::float8) OVER (PARTITION BY h.portfolio_id) AS weight
                            FROM latest l JOIN fact_holding h USING (portfolio_id, as_of)
                            JOIN dim_security s ON s.security_id = h.security_id)
                 SELECT (SELECT count(*) FROM w WHERE asset_class = 'Equity' AND weight > 0.10)
                      + (SELECT count(*) FROM (SELECT 1 FROM w GROUP BY portfolio_id, sector HAVING sum(weight) > 0.35) s)
                      + (SELECT count(*) FROM w WHERE asset_class = 'Debt' AND rating ~ '^(BB|B|C|D)')"
            ))
            .fetch_one(&pool)
            .await
            .expect("breach count")
        }
    };

    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let overview = compliance_overview(&app, &admin).await;
    assert_eq!(overview.breach_count, breaches_in_sql("true").await);
    assert_eq!(
        overview
            .breaches_by_kind
            .iter()
            .map(|(_, n)| n)
            .sum::<i64>(),
        overview.breach_count,
        "the counts by kind add up to the total"
    );
    assert!(
        !overview.by_approach.is_empty(),
        "a disclosure row per approach"
    );
    for row in &overview.by_approach {
        assert!(
            row.periods.iter().any(|p| p.period == "SI"),
            "{} has a since-inception return",
            row.name
        );
    }

    let rm = app.login(RM, DEMO_PASSWORD).await;
    let mine = compliance_overview(&app, &rm).await;
    let rm_clients: Vec<i32> = sqlx::query_scalar(
        "SELECT c.client_id FROM dim_client c JOIN app_user u ON u.email = $1
         WHERE c.rm_id IN (SELECT u.rm_id UNION SELECT m.rm_id FROM rm_team t JOIN dim_rm m ON m.team_id = t.team_id WHERE t.lead_rm_id = u.rm_id)",
    )
    .bind(RM)
    .fetch_all(&pool)
    .await
    .expect("the RM's clients");
    assert!(mine
        .breaches
        .iter()
        .all(|b| rm_clients.contains(&b.client_id)));
    assert!(mine.breach_count <= overview.breach_count);
    assert!(
        mine.failed_loads.is_empty(),
        "an RM is not shown load failures"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_clients_listed_one_year_return_is_their_pooled_moneys(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    // A client with several valued portfolios, where pooling and weighting differ.
    let clients: Vec<i32> = sqlx::query_scalar(
        "SELECT p.client_id FROM dim_portfolio p
         WHERE EXISTS (SELECT 1 FROM fact_valuation v WHERE v.portfolio_id = p.portfolio_id)
         GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 3",
    )
    .fetch_all(&pool)
    .await
    .expect("clients with several portfolios");
    assert!(!clients.is_empty());
    for client in clients {
        let page = performance_ok(&app, &admin, &format!("client-{client}")).await;
        let one_year = page
            .periods
            .iter()
            .find(|p| p.period == "1Y")
            .and_then(|p| p.twrr);
        let listed: Option<f64> =
            sqlx::query_scalar("SELECT twrr_1y FROM agg_client WHERE client_id = $1")
                .bind(client)
                .fetch_one(&pool)
                .await
                .expect("the client's row");
        match (listed, one_year) {
            (Some(listed), Some(_)) => assert_close(one_year, listed, &format!("client {client}")),
            (listed, page) => assert_eq!(listed, page, "client {client}"),
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn compliance_fees_are_the_metric_librarys_accruals_on_the_raw_valuations(pool: PgPool) {
    use pms_metrics::fees::{
        accrue_management_fee, performance_fee_accrued, Crystallisation, PerformanceFeeTerms,
    };
    let app = TestApp::start(pool.clone(), true).await;
    let compliance = app.login(COMPLIANCE, DEMO_PASSWORD).await;
    let fees = compliance_overview(&app, &compliance).await.fees;
    assert!(
        fees.perf_fee_accrued > Decimal::ZERO,
        "the demo book has fees accrued"
    );
    let (mgmt, perf): (Decimal, Decimal) = sqlx::query_as(
        "SELECT coalesce(sum(f.mgmt_fee_accrued), 0), coalesce(sum(f.perf_fee_accrued), 0)
         FROM agg_portfolio_fee f JOIN dim_portfolio p ON p.portfolio_id = f.portfolio_id WHERE p.status = 'Active'",
    )
    .fetch_one(&pool)
    .await
    .expect("totals");
    assert_eq!((fees.mgmt_fee_accrued, fees.perf_fee_accrued), (mgmt, perf));

    // The largest accrual, recomputed from the portfolio's valuations and agreement.
    let top = fees.rows.first().expect("a fee row").clone();
    let days: Vec<(NaiveDate, Decimal, Decimal)> = sqlx::query_as(
        "SELECT valuation_date, market_value, net_flow FROM fact_valuation WHERE portfolio_id = $1 ORDER BY 1",
    )
    .bind(top.portfolio_id)
    .fetch_all(&pool)
    .await
    .expect("valuations");
    let (mgmt_pct, perf_pct, hurdle_pct, fy_end, last_charge): (Decimal, Decimal, Decimal, bool, Option<NaiveDate>) =
        sqlx::query_as(
            "SELECT mgmt_fee_pct, perf_fee_pct, hurdle_pct, fee_crystallisation = 'fy_end',
                    (SELECT max(trade_date) FROM fact_transaction t WHERE t.portfolio_id = p.portfolio_id AND t.txn_type = 'MGMT_FEE')
             FROM dim_portfolio p WHERE portfolio_id = $1",
        )
        .bind(top.portfolio_id)
        .fetch_one(&pool)
        .await
        .expect("terms");
    let values: Vec<(NaiveDate, Decimal)> = days.iter().map(|d| (d.0, d.1)).collect();
    let flows: Vec<(NaiveDate, Decimal)> = days
        .iter()
        .filter(|d| !d.2.is_zero())
        .map(|d| (d.0, d.2))
        .collect();
    let hundred = Decimal::from(100);
    let terms = PerformanceFeeTerms {
        rate: perf_pct / hundred,
        hurdle_rate: hurdle_pct / hundred,
        crystallisation: if fy_end {
            Crystallisation::FinancialYearEnd
        } else {
            Crystallisation::Anniversary
        },
    };
    let accrued = performance_fee_accrued(&values, &flows, &terms, top.as_of).expect("accrued");
    assert_eq!(top.perf_fee_accrued, Some(accrued.open.fee));
    assert_eq!(top.high_water_mark, Some(accrued.open.high_water_mark));
    assert_eq!(top.next_crystallisation, Some(accrued.next_crystallisation));
    let from = last_charge
        .and_then(|d| d.succ_opt())
        .map_or(values[0].0, |d| d.max(values[0].0));
    let range = pms_metrics::fy::DateRange::new(from, top.as_of).expect("a range");
    let management = accrue_management_fee(&values, mgmt_pct / hundred, range).expect("accrual");
    assert_eq!(top.mgmt_fee_accrued, management.total);

    // An RM's fees are their book's only.
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let theirs = compliance_overview(&app, &rm).await.fees;
    let book: Decimal = sqlx::query_scalar(
        "SELECT coalesce(sum(f.perf_fee_accrued), 0) FROM agg_portfolio_fee f
         JOIN dim_portfolio p ON p.portfolio_id = f.portfolio_id JOIN dim_client c ON c.client_id = p.client_id
         JOIN app_user u ON u.email = $1
         WHERE p.status = 'Active' AND (c.rm_id = u.rm_id OR c.rm_id IN
               (SELECT m.rm_id FROM rm_team t JOIN dim_rm m ON m.team_id = t.team_id WHERE t.lead_rm_id = u.rm_id))",
    )
    .bind(RM)
    .fetch_one(&pool)
    .await
    .expect("the book's fees");
    assert_eq!(theirs.perf_fee_accrued, book);
    assert!(theirs.perf_fee_accrued < fees.perf_fee_accrued);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_correlation_matrix_pairs_the_approaches_monthly_pooled_returns(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let matrix: pms_domain::performance::CorrelationMatrix =
        server_fn(&admin, app.url("/api/performance/correlation"), &[]).await;
    let n = matrix.groups.len();
    assert!(n >= 2, "the demo has several approaches with history");
    for i in 0..n {
        assert_close(matrix.cells[i][i], 1.0, "a group with itself");
        for j in 0..n {
            assert_eq!(matrix.cells[i][j], matrix.cells[j][i], "symmetric");
        }
    }
    // One cell, from the two approaches' own month ends on the performance page: the months
    // both have in the last 36 (each month's return from the cumulative TWRR).
    let monthly = |p: &GroupPerformance| -> std::collections::BTreeMap<NaiveDate, f64> {
        p.months
            .windows(2)
            .map(|w| {
                let month = w[1].month_end.with_day(1).expect("a first day");
                (
                    month,
                    (1.0 + w[1].cumulative) / (1.0 + w[0].cumulative) - 1.0,
                )
            })
            .collect()
    };
    let a = monthly(&performance_ok(&app, &admin, &matrix.groups[0].group.to_string()).await);
    let b = monthly(&performance_ok(&app, &admin, &matrix.groups[1].group.to_string()).await);
    let last = *a.keys().chain(b.keys()).max().expect("months");
    let first = last
        .checked_sub_months(chrono::Months::new(35))
        .expect("a date");
    let (xs, ys): (Vec<f64>, Vec<f64>) = a
        .range(first..=last)
        .filter_map(|(m, x)| Some((*x, *b.get(m)?)))
        .unzip();
    assert_close(
        matrix.cells[0][1],
        pms_metrics::stats::correlation(&xs, &ys).expect("defined"),
        "approaches 1 and 2",
    );

    // By strategy, and an RM's matrix holds their own approaches only.
    let strategies: pms_domain::performance::CorrelationMatrix = server_fn(
        &admin,
        app.url("/api/performance/correlation"),
        &[("by_strategy", "true")],
    )
    .await;
    assert!(strategies
        .groups
        .iter()
        .all(|g| matches!(g.group, pms_domain::performance::Group::Strategy(_))));
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let theirs: pms_domain::performance::CorrelationMatrix =
        server_fn(&rm, app.url("/api/performance/correlation"), &[]).await;
    let choices: pms_domain::performance::GroupChoices =
        server_fn(&rm, app.url("/api/performance/choices"), &[]).await;
    assert!(theirs.groups.iter().all(|g| choices.approaches.contains(g)));
}
