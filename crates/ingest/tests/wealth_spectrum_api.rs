//! The Wealth Spectrum HTTP JSON adapter against a local stand-in: every report is fetched in
//! pages with the API key, loads through the same validation and merge as files, a transient
//! error is retried, a refused key fails clearly, and bad rows reject the report.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use pms_ingest::load::wealth_spectrum_api::sync;
use pms_ingest::load::{LoadOutcome, Trigger};
use pms_ingest::profile::Profile;
use pms_ingest::source::wealth_spectrum::api::WsApiConfig;
use serde_json::{json, Map, Value};
use sqlx::PgPool;

const KEY: &str = "ws-test-key";

#[derive(Clone)]
struct StandIn {
    reports: Arc<HashMap<String, Vec<Map<String, Value>>>>,
    failures_left: Arc<AtomicU32>,
}

/// The fixture CSVs as the API would serve them: strings for every value.
fn records(csv_text: &str) -> Vec<Map<String, Value>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| (h.to_string(), json!(v)))
                .collect()
        })
        .collect()
}

async fn report(
    State(s): State<StandIn>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(KEY) {
        return (StatusCode::UNAUTHORIZED, "bad key").into_response();
    }
    if s.failures_left.load(Ordering::SeqCst) > 0 {
        s.failures_left.fetch_sub(1, Ordering::SeqCst);
        return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
    }
    let rows = s.reports.get(&name).cloned().unwrap_or_default();
    let offset: usize = q.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let page: Vec<_> = rows.iter().skip(offset).take(2).cloned().collect();
    let next =
        (offset + 2 < rows.len()).then(|| format!("/v1/reports/{name}?offset={}", offset + 2));
    Json(json!({ "data": page, "next": next })).into_response()
}

async fn start(reports: HashMap<String, Vec<Map<String, Value>>>, failures: u32) -> String {
    let state = StandIn {
        reports: Arc::new(reports),
        failures_left: Arc::new(AtomicU32::new(failures)),
    };
    let app = Router::new()
        .route("/v1/reports/{name}", get(report))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    format!("http://{addr}/")
}

fn fixture_reports() -> HashMap<String, Vec<Map<String, Value>>> {
    use common::*;
    [
        ("security_master", SECURITY_MASTER),
        ("client_master", CLIENT_MASTER),
        ("benchmark_levels", BENCHMARK_LEVELS),
        ("security_prices", SECURITY_PRICES),
        ("transactions", TRANSACTIONS),
        ("holdings", HOLDINGS),
        ("valuations", VALUATIONS),
    ]
    .into_iter()
    .map(|(name, text)| (name.to_string(), records(text)))
    .collect()
}

fn config(base: &str, key: &str) -> WsApiConfig {
    let mut c = WsApiConfig::new(base.parse().unwrap(), key.into());
    c.retry_base = std::time::Duration::from_millis(5);
    c
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_report_comes_through_the_api_in_pages(pool: PgPool) {
    let base = start(fixture_reports(), 1).await;
    let outcomes = sync(
        &pool,
        &config(&base, KEY),
        &Profile::default_profile(),
        None,
        Trigger::Schedule,
        None,
        common::today(),
    )
    .await
    .unwrap();
    assert_eq!(outcomes.len(), 7);
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, LoadOutcome::Succeeded { .. })),
        "{outcomes:?}"
    );
    let (txns, sources): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM fact_transaction), (SELECT count(*) FROM ingest_job WHERE source = 'wealth_spectrum_api')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((txns, sources), (5, 7));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_refused_key_fails_the_job_clearly(pool: PgPool) {
    let base = start(fixture_reports(), 0).await;
    let outcomes = sync(
        &pool,
        &config(&base, "wrong"),
        &Profile::default_profile(),
        None,
        Trigger::Cli,
        None,
        common::today(),
    )
    .await
    .unwrap();
    match outcomes.as_slice() {
        [LoadOutcome::Failed { message, .. }] => {
            assert!(message.contains("PMS_WS_API_KEY"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn bad_rows_from_the_api_reject_the_report(pool: PgPool) {
    let mut reports = fixture_reports();
    let securities = reports.get_mut("security_master").unwrap();
    securities[1].insert("ISIN".into(), json!("INE009A01022"));
    let base = start(reports, 0).await;
    let outcomes = sync(
        &pool,
        &config(&base, KEY),
        &Profile::default_profile(),
        None,
        Trigger::Cli,
        None,
        common::today(),
    )
    .await
    .unwrap();
    let found = common::problems(&outcomes[0]);
    assert!(
        found.iter().any(|(line, column, reason)| *line == Some(3)
            && column.as_deref() == Some("ISIN")
            && reason.contains("check digit")),
        "{found:?}"
    );
    assert_eq!(
        outcomes.len(),
        1,
        "later reports are not attempted after a rejection"
    );
}
