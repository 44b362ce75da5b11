//! Client statements as an RM, Compliance and an integrator get them: a PDF whose figures are
//! the client page's, branded and paged, in the caller's scope, audited; and a portfolio's
//! transactions over a period.

mod common;

use common::{TestApp, DEMO_PASSWORD};
use pms_metrics::format::{inr, percent};
use pms_reports::testing::pdf_pages;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

const RM: &str = "anand.singhania@sahyadricapital.example";
const COMPLIANCE: &str = "omkar.deshpande@sahyadricapital.example";
const STEWARD: &str = "farah.qureshi@sahyadricapital.example";

/// A client of (`inside`) or outside the RM's book that has portfolios.
async fn client(pool: &PgPool, books: &[i32], inside: bool) -> i32 {
    sqlx::query_scalar(
        "SELECT c.client_id FROM dim_client c
         WHERE (c.rm_id = ANY($1)) = $2
           AND EXISTS (SELECT 1 FROM dim_portfolio p WHERE p.client_id = c.client_id)
         ORDER BY c.client_id LIMIT 1",
    )
    .bind(books)
    .bind(inside)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn rm_books(app: &TestApp, rm: &reqwest::Client) -> Vec<i32> {
    let me: Value = common::get_json(rm, app.url("/api/v1/me"), &[]).await;
    serde_json::from_value(me["rm_ids"].clone()).unwrap()
}

fn money(value: &Value) -> rust_decimal::Decimal {
    value.as_str().unwrap().parse().unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_rms_statement_shows_the_client_pages_figures_on_branded_numbered_pages(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let id = client(&pool, &rm_books(&app, &rm).await, true).await;
    let detail: Value = common::get_json(&rm, app.url(&format!("/api/v1/clients/{id}")), &[]).await;
    let as_of = detail["portfolios"][0]["as_of"]
        .as_str()
        .unwrap()
        .to_owned();
    let from = (as_of.parse::<chrono::NaiveDate>().unwrap() - chrono::Days::new(180)).to_string();

    // A period ending on the latest valuation: its closing values are the page's market values.
    let response = rm
        .get(app.url(&format!("/api/v1/clients/{id}/statement")))
        .query(&[("from", from.as_str()), ("to", as_of.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/pdf");
    let disposition = response.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"statement-")
            && disposition.ends_with(&format!("-{from}-{as_of}.pdf\"")),
        "{disposition}"
    );
    let pages = pdf_pages(&response.bytes().await.unwrap());
    let text = pages.join("\n");

    assert!(
        text.contains(detail["summary"]["name"].as_str().unwrap()),
        "{text}"
    );
    for portfolio in detail["portfolios"].as_array().unwrap() {
        assert!(text.contains(portfolio["code"].as_str().unwrap()));
        assert!(
            text.contains(&inr(money(&portfolio["market_value"]))),
            "the closing value is the page's market value {}",
            portfolio["market_value"]
        );
        for period in portfolio["periods"].as_array().unwrap() {
            for figure in [&period["portfolio"], &period["benchmark"]] {
                let shown = percent(figure.as_f64());
                assert!(
                    text.contains(&shown),
                    "{} {shown} is the page's",
                    period["period"]
                );
            }
        }
    }
    // Every page: the firm, the disclaimer, the data version and "Page i of n".
    let (firm, disclaimer): (String, String) =
        sqlx::query_as("SELECT firm_name, disclaimer FROM firm_branding")
            .fetch_one(&pool)
            .await
            .unwrap();
    let version: i64 = common::get_json(&rm, app.url("/api/v1/status"), &[]).await["data_version"]
        .as_i64()
        .unwrap();
    let first_words: String = disclaimer
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    for (i, page) in pages.iter().enumerate() {
        let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&firm), "page {}", i + 1);
        assert!(
            flat.contains(&first_words),
            "the disclaimer on page {}: {flat}",
            i + 1
        );
        assert!(
            flat.contains(&format!("data version {version}")),
            "page {}",
            i + 1
        );
        assert!(
            flat.contains(&format!("Page {} of {}", i + 1, pages.len())),
            "page {}",
            i + 1
        );
        assert!(flat.contains("by Anand Singhania"), "page {}", i + 1);
    }

    let audited: (i64, Value) = sqlx::query_as(
        "SELECT count(*) OVER (), details::jsonb FROM audit_log WHERE action = 'report.statement' AND object_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited.0, 1);
    assert_eq!(audited.1["from"], from.as_str());
    assert_eq!(audited.1["to"], as_of.as_str());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_statement_is_refused_outside_the_callers_scope_and_role_and_a_bad_period_is_explained(
    pool: PgPool,
) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let books = rm_books(&app, &rm).await;
    let (mine, theirs) = (
        client(&pool, &books, true).await,
        client(&pool, &books, false).await,
    );
    let statement = |user: &reqwest::Client, id: i32, query: &[(&str, &str)]| {
        user.get(app.url(&format!("/api/v1/clients/{id}/statement")))
            .query(query)
            .send()
    };

    let hidden = statement(&rm, theirs, &[]).await.unwrap();
    assert_eq!(
        hidden.status(),
        StatusCode::NOT_FOUND,
        "another RM's client does not exist"
    );
    for (query, says) in [
        (
            &[("from", "2025-07-01"), ("to", "2025-06-30")][..],
            "before it starts",
        ),
        (&[("from", "2025-07-01")][..], "Give both dates"),
        (
            &[("from", "01-07-2025"), ("to", "2025-09-30")][..],
            "YYYY-MM-DD",
        ),
    ] {
        let bad = statement(&rm, mine, query).await.unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST, "{query:?}");
        let problem: Value = bad.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(says),
            "{problem}"
        );
    }
    let steward = app.login(STEWARD, DEMO_PASSWORD).await;
    assert_eq!(
        statement(&steward, mine, &[]).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // Compliance sees every client; without dates the statement is the last quarter's.
    let compliance = app.login(COMPLIANCE, DEMO_PASSWORD).await;
    let response = statement(&compliance, theirs, &[]).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = pdf_pages(&response.bytes().await.unwrap()).join("\n");
    assert!(
        text.contains("Statement for 01 "),
        "a quarter starts on the 1st: {text}"
    );
    let refused: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'report.statement'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(refused, 1, "only the statement produced is audited");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_portfolios_transactions_are_read_by_period_within_scope_and_audited(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let books = rm_books(&app, &rm).await;
    let portfolio = |inside: bool| {
        let pool = pool.clone();
        let books = books.clone();
        async move {
            sqlx::query_as::<_, (i32, chrono::NaiveDate, chrono::NaiveDate, i64)>(
                "SELECT p.portfolio_id, min(t.trade_date), max(t.trade_date), count(*)
                 FROM dim_portfolio p JOIN dim_client c USING (client_id)
                 JOIN fact_transaction t ON t.portfolio_id = p.portfolio_id
                 WHERE (c.rm_id = ANY($1)) = $2
                 GROUP BY p.portfolio_id ORDER BY count(*) DESC, p.portfolio_id LIMIT 1",
            )
            .bind(&books)
            .bind(inside)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (mine, first, last, count) = portfolio(true).await;
    let all: Value = common::get_json(
        &rm,
        app.url(&format!("/api/v1/portfolios/{mine}/transactions")),
        &[("from", &first.to_string()), ("to", &last.to_string())],
    )
    .await;
    let rows = all["transactions"].as_array().unwrap();
    assert_eq!(rows.len() as i64, count, "every transaction of the period");
    assert_eq!(all["truncated"], false);
    let dates: Vec<&str> = rows
        .iter()
        .map(|t| t["trade_date"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    // A one-day period holds that day's transactions only.
    let day: Value = common::get_json(
        &rm,
        app.url(&format!("/api/v1/portfolios/{mine}/transactions")),
        &[("from", dates[0]), ("to", dates[0])],
    )
    .await;
    let on_day = dates.iter().filter(|d| **d == dates[0]).count();
    assert_eq!(day["transactions"].as_array().unwrap().len(), on_day);

    let (theirs, ..) = portfolio(false).await;
    let hidden = rm
        .get(app.url(&format!("/api/v1/portfolios/{theirs}/transactions")))
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let inverted = rm
        .get(app.url(&format!(
            "/api/v1/portfolios/{mine}/transactions?from=2025-02-01&to=2025-01-01"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(inverted.status(), StatusCode::BAD_REQUEST);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'portfolio.transactions' AND object_id = $1",
    )
    .bind(mine.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_console_writes_an_rms_statements_into_a_folder_each_one_audited(pool: PgPool) {
    let _app = TestApp::start(pool.clone(), true).await;
    let rm: i32 = sqlx::query_scalar(
        "SELECT c.rm_id FROM dim_client c JOIN dim_portfolio p USING (client_id)
         WHERE c.rm_id IS NOT NULL GROUP BY c.rm_id ORDER BY c.rm_id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let out = data_dir.path().join("statements");
    pms_server::commands::report::statements(
        pms_store::Db::from_pool(pool.clone()),
        common::test_config(data_dir.path().to_owned()),
        pms_server::cli::StatementArgs {
            clients: Vec::new(),
            rm: Some(rm),
            limit: Some(3),
            from: None,
            to: None,
            out: out.clone(),
            quiet: true,
        },
    )
    .await
    .expect("the statements are written");

    let files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
    for file in &files {
        assert!(
            std::fs::read(file).unwrap().starts_with(b"%PDF-"),
            "{}",
            file.display()
        );
    }
    let audited: Vec<(String, String)> = sqlx::query_as(
        "SELECT object_id, actor FROM audit_log WHERE action = 'report.statement' ORDER BY object_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), 3);
    assert!(
        audited
            .iter()
            .all(|(_, by)| by.contains("report statements")),
        "{audited:?}"
    );
}
