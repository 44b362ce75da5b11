//! A portfolio manager sees the figures of their strategies' portfolios only: for a client
//! who also holds a portfolio of another strategy, the list (REST and the page's server
//! function), the detail and the CSV export show AUM, portfolio count, TWRR and XIRR over the
//! portfolios in the manager's scope, while unrestricted roles keep the whole-client figures.

mod common;

use std::str::FromStr;

use common::{TestApp, DEMO_PASSWORD};
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

    /// Equal up to the last bits of a float (the TWRR is a value-weighted average).
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
    let page: Value = user
        .get(app.url(&format!(
            "/api/v1/clients?search={code}&include_closed=true"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    only_row(&page, client)
}

fn only_row(page: &Value, client: i32) -> Value {
    let items = page["items"].as_array().expect("a page of clients");
    items
        .iter()
        .find(|c| c["client_id"].as_i64() == Some(i64::from(client)))
        .cloned()
        .unwrap_or_else(|| panic!("client {client} is listed: {page}"))
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

    // On purpose: the client also holds a portfolio of a strategy outside the PM's scope, with
    // its own daily values on the same days (larger, growing steadily), and the aggregate
    // refresh folds it into the whole-client figures as a real load would.
    let outside_ia: i32 = sqlx::query_scalar(
        "SELECT ia_id FROM dim_investment_approach WHERE strategy_id <> ALL($1) ORDER BY ia_id LIMIT 1",
    )
    .bind(&strategies)
    .fetch_one(&pool)
    .await
    .unwrap();
    let outside: i32 = sqlx::query_scalar(
        "INSERT INTO dim_portfolio (ws_portfolio_code, client_id, ia_id, inception_date)
         SELECT 'TEST-OUTSIDE-SCOPE', $1, $2, min(valuation_date) FROM fact_valuation WHERE portfolio_id = $3
         RETURNING portfolio_id",
    )
    .bind(client)
    .bind(outside_ia)
    .bind(mine)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO fact_valuation (portfolio_id, valuation_date, market_value, net_flow)
         SELECT $1, valuation_date,
                round(25000000 * power(1.0003, row_number() OVER (ORDER BY valuation_date)), 2), 0
         FROM fact_valuation WHERE portfolio_id = $2",
    )
    .bind(outside)
    .bind(mine)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO agg_dirty_portfolio (portfolio_id) VALUES ($1)")
        .bind(outside)
        .execute(&pool)
        .await
        .unwrap();
    pms_ingest::aggregate::refresh_dirty(&pool).await.unwrap();

    let whole = {
        let (aum, portfolios, twrr_1y, xirr_si): (Decimal, i32, Option<f64>, Option<f64>) =
            sqlx::query_as(
                "SELECT aum, portfolios, twrr_1y, xirr_si FROM agg_client WHERE client_id = $1",
            )
            .bind(client)
            .fetch_one(&pool)
            .await
            .unwrap();
        Figures {
            aum,
            portfolios: portfolios.into(),
            twrr_1y,
            xirr_si,
        }
    };
    // In scope: the one Equity portfolio, with the figures the refresh computed for it.
    let in_scope = {
        let (aum, twrr_1y, xirr_si): (Decimal, Option<f64>, Option<f64>) = sqlx::query_as(
            "SELECT a.market_value, pp.twrr_reported, a.xirr_si
             FROM agg_portfolio a JOIN agg_portfolio_period pp USING (portfolio_id)
             WHERE a.portfolio_id = $1 AND pp.period = '1Y'",
        )
        .bind(mine)
        .fetch_one(&pool)
        .await
        .unwrap();
        Figures {
            aum,
            portfolios: 1,
            twrr_1y,
            xirr_si,
        }
    };
    assert_eq!(whole.portfolios, 2, "the refresh counts both portfolios");
    assert!(whole.aum > in_scope.aum + Decimal::from(20_000_000));
    assert!(in_scope.xirr_si.is_some() && in_scope.twrr_1y.is_some());
    assert_ne!(whole.xirr_si, in_scope.xirr_si);
    assert_ne!(whole.twrr_1y, in_scope.twrr_1y);

    let pm = app.login(EQUITY_PM, DEMO_PASSWORD).await;
    // The REST list.
    Figures::of_json(&rest_row(&app, &pm, &code, client).await)
        .assert_matches(&in_scope, "REST list");
    // The client table's server function.
    let page: Value = pm
        .post(app.url("/api/clients/list"))
        .form(&[
            ("query[search]", code.as_str()),
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
    Figures::of_json(&only_row(&page, client)).assert_matches(&in_scope, "list server function");
    // The detail, over REST and through the page's server function: figures and portfolios.
    let rest_detail: Value = pm
        .get(app.url(&format!("/api/v1/clients/{client}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page_detail = pm
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
        Figures::of_json(&detail["summary"]).assert_matches(&in_scope, what);
        let shown: Vec<i64> = detail["portfolios"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["portfolio_id"].as_i64())
            .collect();
        assert_eq!(shown, vec![i64::from(mine)], "{what}: in-scope portfolios");
    }
    // The CSV export.
    let csv = pm
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
    assert_eq!(rows.len(), 1, "one client matches the code: {csv}");
    let cell = |name: &str| {
        let i = header.iter().position(|h| h == name).expect("column");
        rows[0][i].to_owned()
    };
    let pct = |v: Option<f64>| v.map(|x| format!("{:.4}", x * 100.0)).unwrap_or_default();
    assert_eq!(cell("AUM (INR)"), in_scope.aum.to_string(), "export: AUM");
    assert_eq!(cell("Portfolios"), "1", "export: portfolios");
    assert_eq!(cell("TWRR 1Y"), pct(in_scope.twrr_1y), "export: TWRR");
    assert_eq!(cell("XIRR SI"), pct(in_scope.xirr_si), "export: XIRR");

    // Unrestricted roles keep the whole-client figures.
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    Figures::of_json(&rest_row(&app, &admin, &code, client).await)
        .assert_matches(&whole, "admin's list");
    let admin_detail: Value = admin
        .get(app.url(&format!("/api/v1/clients/{client}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Figures::of_json(&admin_detail["summary"]).assert_matches(&whole, "admin's detail");
}
