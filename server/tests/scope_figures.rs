//! A portfolio manager sees the figures of their strategies' portfolios only: for a client
//! who also holds a portfolio of another strategy, the list (REST and the page's server
//! function), the detail and the CSV export show AUM, portfolio count, TWRR and XIRR over the
//! portfolios in the manager's scope, while unrestricted roles keep the whole-client figures.

mod common;

use std::str::FromStr;

use chrono::NaiveDate;
use common::pooled::pooled_one_year_twrr;
use common::{TestApp, DEMO_PASSWORD};
use pms_metrics::CashFlow;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::PgPool;

const EQUITY_PM: &str = "mehul.shah@sahyadricapital.example";
const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";

/// The four figures of a client row.
#[derive(Debug, PartialEq)]
struct Figures {
    aum: Decimal,
    portfolios: i64,
    twrr_1y: Option<f64>,
    xirr_si: Option<f64>,
}

impl Figures {
    fn of_json(row: &Value) -> Figures {
        let aum = match &row["aum"] {
            Value::String(s) => Decimal::from_str(s).expect("a decimal AUM"),
            other => Decimal::from_str(&other.to_string()).expect("a decimal AUM"),
        };
        Figures {
            aum,
            portfolios: row["portfolios"].as_i64().expect("a portfolio count"),
            twrr_1y: row["twrr_1y"].as_f64(),
            xirr_si: row["xirr_si"].as_f64(),
        }
    }

    /// Equal up to the last bits of a float (the figures are computed in floating point).
    fn assert_matches(&self, expected: &Figures, what: &str) {
        assert_eq!(self.aum, expected.aum, "{what}: AUM");
        assert_eq!(self.portfolios, expected.portfolios, "{what}: portfolios");
        for (name, got, want) in [
            ("TWRR 1Y", self.twrr_1y, expected.twrr_1y),
            ("XIRR SI", self.xirr_si, expected.xirr_si),
        ] {
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "{what}: {name} {g} ≠ {w}"),
                _ => assert_eq!(got, want, "{what}: {name}"),
            }
        }
    }
}

/// The client's row in the REST list, found by its client code.
async fn rest_row(app: &TestApp, user: &reqwest::Client, code: &str, client: i32) -> Value {
    let page = get_json(
        user,
        app.url(&format!(
            "/api/v1/clients?search={code}&include_closed=true"
        )),
    )
    .await;
    only_row(&page, client)
}

async fn get_json(user: &reqwest::Client, url: String) -> Value {
    let response = user.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn only_row(page: &Value, client: i32) -> Value {
    let items = page["items"].as_array().expect("a page of clients");
    items
        .iter()
        .find(|c| c["client_id"].as_i64() == Some(i64::from(client)))
        .cloned()
        .unwrap_or_else(|| panic!("client {client} is listed: {page}"))
}

/// Gives `client` a new portfolio of investment approach `ia`, valued on the same days as
/// `template` (from `start_value`, growing by `daily_growth` a day, no flows), and lets the
/// aggregate refresh fold it into the client's figures as a real load would.
async fn add_valued_portfolio(
    pool: &PgPool,
    client: i32,
    ia: i32,
    code: &str,
    template: i32,
    start_value: i64,
    daily_growth: &str,
) -> i32 {
    let portfolio: i32 = sqlx::query_scalar(
        "INSERT INTO dim_portfolio (ws_portfolio_code, client_id, ia_id, inception_date)
         SELECT $1, $2, $3, min(valuation_date) FROM fact_valuation WHERE portfolio_id = $4
         RETURNING portfolio_id",
    )
    .bind(code)
    .bind(client)
    .bind(ia)
    .bind(template)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO fact_valuation (portfolio_id, valuation_date, market_value, net_flow)
         SELECT $1, valuation_date,
                round($3 * power($4::numeric, row_number() OVER (ORDER BY valuation_date)), 2), 0
         FROM fact_valuation WHERE portfolio_id = $2",
    )
    .bind(portfolio)
    .bind(template)
    .bind(start_value)
    .bind(daily_growth)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO agg_dirty_portfolio (portfolio_id) VALUES ($1)")
        .bind(portfolio)
        .execute(pool)
        .await
        .unwrap();
    pms_ingest::aggregate::refresh_dirty(pool).await.unwrap();
    portfolio
}

/// The whole-client figures of the aggregate refresh.
async fn whole_client(pool: &PgPool, client: i32) -> Figures {
    let (aum, portfolios, twrr_1y, xirr_si): (Decimal, i32, Option<f64>, Option<f64>) =
        sqlx::query_as(
            "SELECT aum, portfolios, twrr_1y, xirr_si FROM agg_client WHERE client_id = $1",
        )
        .bind(client)
        .fetch_one(pool)
        .await
        .unwrap();
    Figures {
        aum,
        portfolios: portfolios.into(),
        twrr_1y,
        xirr_si,
    }
}

/// The refresh's own figures of one portfolio: value, 1-year TWRR, XIRR.
async fn portfolio_figures(pool: &PgPool, portfolio: i32) -> (Decimal, Option<f64>, Option<f64>) {
    sqlx::query_as(
        "SELECT a.market_value, pp.twrr_reported, a.xirr_si
         FROM agg_portfolio a LEFT JOIN agg_portfolio_period pp ON pp.portfolio_id = a.portfolio_id AND pp.period = '1Y'
         WHERE a.portfolio_id = $1",
    )
    .bind(portfolio)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The XIRR of `portfolios` together, from their daily values as an investor sees them: the
/// first value paid in, every later flow, the last value held.
async fn xirr_together(pool: &PgPool, portfolios: &[i32]) -> Option<f64> {
    let days: Vec<(NaiveDate, Decimal, Decimal, bool, bool)> = sqlx::query_as(
        "SELECT valuation_date, market_value, net_flow,
                valuation_date = min(valuation_date) OVER w, valuation_date = max(valuation_date) OVER w
         FROM fact_valuation WHERE portfolio_id = ANY($1)
         WINDOW w AS (PARTITION BY portfolio_id)",
    )
    .bind(portfolios)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut flows = Vec::new();
    for (date, value, flow, first, last) in days {
        if first {
            flows.push(CashFlow::from_money(date, -value));
        } else if !flow.is_zero() {
            flows.push(CashFlow::from_money(date, -flow));
        }
        if last {
            flows.push(CashFlow::from_money(date, value));
        }
    }
    pms_metrics::xirr(&flows).ok()
}

/// Checks the client's figures in every place `user` can read them: the REST list, the
/// client table's server function, the detail over REST and through the page's server
/// function (with exactly `portfolios` listed), and the CSV export.
async fn assert_every_route_shows(
    app: &TestApp,
    user: &reqwest::Client,
    (client, code): (i32, &str),
    expected: &Figures,
    portfolios: &[i32],
) {
    Figures::of_json(&rest_row(app, user, code, client).await)
        .assert_matches(expected, "REST list");
    let page: Value = user
        .post(app.url("/api/clients/list"))
        .form(&[
            ("query[search]", code),
            ("query[sort]", "aum"),
            ("query[descending]", "true"),
            ("query[page]", "1"),
            ("query[page_size]", "25"),
            ("query[include_closed]", "true"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Figures::of_json(&only_row(&page, client)).assert_matches(expected, "list server function");
    let rest_detail = get_json(user, app.url(&format!("/api/v1/clients/{client}"))).await;
    let page_detail = user
        .post(app.url("/api/clients/detail"))
        .form(&[("client_id", client.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(page_detail.status(), StatusCode::OK);
    let page_detail: Value = page_detail.json().await.unwrap();
    for (what, detail) in [
        ("REST detail", &rest_detail),
        ("detail server function", &page_detail),
    ] {
        Figures::of_json(&detail["summary"]).assert_matches(expected, what);
        let mut shown: Vec<i32> = detail["portfolios"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["portfolio_id"].as_i64())
            .map(|id| id as i32)
            .collect();
        shown.sort_unstable();
        assert_eq!(shown, portfolios, "{what}: the portfolios listed");
    }
    let csv = user
        .get(app.url(&format!("/api/v1/exports/clients.csv?search={code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "one client has the code: {csv}");
    let cell = |name: &str| {
        let i = header.iter().position(|h| h == name).expect("column");
        rows[0][i].to_owned()
    };
    let pct = |v: Option<f64>| v.map(|x| format!("{:.4}", x * 100.0)).unwrap_or_default();
    assert_eq!(cell("AUM (INR)"), expected.aum.to_string(), "export: AUM");
    assert_eq!(
        cell("Portfolios"),
        expected.portfolios.to_string(),
        "export: portfolios"
    );
    assert_eq!(cell("TWRR 1Y"), pct(expected.twrr_1y), "export: TWRR");
    assert_eq!(cell("XIRR SI"), pct(expected.xirr_si), "export: XIRR");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_portfolio_manager_sees_only_their_strategies_figures(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let strategies: Vec<i32> = sqlx::query_scalar(
        "SELECT s.strategy_id FROM user_strategy s JOIN app_user u USING (user_id) WHERE u.email = $1",
    )
    .bind(EQUITY_PM)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!strategies.is_empty(), "the PM has strategies");
    // An active client with one active portfolio, in the PM's scope, with a 1-year TWRR.
    let (client, code, mine): (i32, String, i32) = sqlx::query_as(
        "SELECT c.client_id, c.ws_client_code, min(p.portfolio_id)
         FROM dim_client c JOIN dim_portfolio p USING (client_id)
         JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
         WHERE c.status = 'Active' AND c.ws_client_code IS NOT NULL
         GROUP BY c.client_id
         HAVING count(*) = 1 AND bool_and(ia.strategy_id = ANY($1) AND p.status = 'Active')
            AND EXISTS (SELECT 1 FROM agg_portfolio_period pp
                        WHERE pp.portfolio_id = min(p.portfolio_id) AND pp.period = '1Y'
                          AND pp.twrr_reported IS NOT NULL)
         ORDER BY c.client_id LIMIT 1",
    )
    .bind(&strategies)
    .fetch_one(&pool)
    .await
    .unwrap();
    let ia_where = |inside: bool| {
        let pool = pool.clone();
        let strategies = strategies.clone();
        async move {
            sqlx::query_scalar::<_, i32>(
                "SELECT ia_id FROM dim_investment_approach WHERE (strategy_id = ANY($1)) = $2 ORDER BY ia_id LIMIT 1",
            )
            .bind(strategies)
            .bind(inside)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let pm = app.login(EQUITY_PM, DEMO_PASSWORD).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;

    // On purpose: the client also holds a larger portfolio of a strategy outside the PM's
    // scope.
    let outside = add_valued_portfolio(
        &pool,
        client,
        ia_where(false).await,
        "TEST-OUTSIDE",
        mine,
        25_000_000,
        "1.0003",
    )
    .await;
    let whole = whole_client(&pool, client).await;
    let (value, twrr_1y, xirr_si) = portfolio_figures(&pool, mine).await;
    // The PM sees the one portfolio in scope, with the figures the refresh computed for it.
    let in_scope = Figures {
        aum: value,
        portfolios: 1,
        twrr_1y,
        xirr_si,
    };
    assert_eq!(whole.portfolios, 2, "the refresh counts both portfolios");
    assert!(whole.aum > in_scope.aum + Decimal::from(20_000_000));
    assert!(in_scope.xirr_si.is_some() && in_scope.twrr_1y.is_some());
    assert_ne!(whole.xirr_si, in_scope.xirr_si);
    assert_ne!(whole.twrr_1y, in_scope.twrr_1y);
    assert_every_route_shows(&app, &pm, (client, &code), &in_scope, &[mine]).await;
    // Unrestricted roles keep the whole-client figures and every portfolio.
    assert_every_route_shows(&app, &admin, (client, &code), &whole, &[mine, outside]).await;

    // A second portfolio in scope: AUM and count add up, and the 1-year TWRR and XIRR are
    // those of the two portfolios' money together (pooled values and flows).
    let second = add_valued_portfolio(
        &pool,
        client,
        ia_where(true).await,
        "TEST-INSIDE",
        mine,
        4_000_000,
        "1.0001",
    )
    .await;
    let (second_value, second_twrr, _) = portfolio_figures(&pool, second).await;
    let (value, twrr_1y, _) = portfolio_figures(&pool, mine).await;
    let pooled =
        pooled_one_year_twrr(&pool, &format!("p.portfolio_id IN ({mine}, {second})")).await;
    assert_ne!(Some(pooled), twrr_1y, "pooling changes the first's figure");
    assert_ne!(
        Some(pooled),
        second_twrr,
        "pooling changes the second's figure"
    );
    let two_in_scope = Figures {
        aum: value + second_value,
        portfolios: 2,
        twrr_1y: Some(pooled),
        xirr_si: xirr_together(&pool, &[mine, second]).await,
    };
    assert!(two_in_scope.xirr_si.is_some());
    assert_every_route_shows(&app, &pm, (client, &code), &two_in_scope, &[mine, second]).await;
    let whole = whole_client(&pool, client).await;
    assert_eq!(whole.portfolios, 3);
    // The same reckoning over all three portfolios gives the refresh's whole-client XIRR.
    let all_three = xirr_together(&pool, &[mine, outside, second]).await;
    assert!((all_three.unwrap() - whole.xirr_si.unwrap()).abs() < 1e-12);
    assert_ne!(whole.xirr_si, two_in_scope.xirr_si);
    assert_every_route_shows(
        &app,
        &admin,
        (client, &code),
        &whole,
        &[mine, outside, second],
    )
    .await;
}
