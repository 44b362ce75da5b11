//! `/metrics` for Prometheus: off without a token, closed to anyone without it (a signed-in
//! user included), and when scraped it names requests by their route pattern (never by a
//! crafted URL), the database pools, the ingest jobs and the data version.

mod common;

use common::{TestApp, DEMO_PASSWORD};
use reqwest::StatusCode;
use sqlx::PgPool;

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";
const TOKEN: &str = "scrape-secret-0123456789";

/// The value of the sample line that starts with `series` (name and labels, exactly).
fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.split(' ').next()?.parse().ok())
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_are_off_until_a_token_is_configured(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    let response = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("PMS_METRICS_TOKEN"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_scrape_needs_the_token_and_reports_routes_pools_jobs_and_the_data_version(pool: PgPool) {
    let app = TestApp::start_configured(pool.clone(), true, |config| {
        config.metrics_token = Some(TOKEN.into());
    })
    .await;
    let anonymous = reqwest::Client::new();
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;

    // Without the token, with a wrong one, or with only an admin's session: refused.
    for (who, request) in [
        ("no token", anonymous.get(app.url("/metrics"))),
        (
            "a wrong token",
            anonymous
                .get(app.url("/metrics"))
                .bearer_auth("scrape-secret"),
        ),
        ("an admin's session", admin.get(app.url("/metrics"))),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{who}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{who}");
    }

    // Traffic: a REST read by its pattern, and a crafted address nobody routes.
    let client: i32 = sqlx::query_scalar("SELECT min(client_id) FROM dim_client")
        .fetch_one(&pool)
        .await
        .unwrap();
    let read = admin
        .get(app.url(&format!("/api/v1/clients/{client}")))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let crafted = "/no-such-page-7f3a9c";
    admin.get(app.url(crafted)).send().await.unwrap();
    let crafted_method = reqwest::Method::from_bytes(b"SCRAPEBOMB").unwrap();
    admin
        .request(crafted_method, app.url("/healthz"))
        .send()
        .await
        .unwrap();

    let response = anonymous
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let body = response.text().await.unwrap();

    assert_eq!(
        sample(
            &body,
            r#"pms_http_request_duration_seconds_count{method="GET",route="/api/v1/clients/{id}",status="200"}"#
        ),
        Some(1.0),
        "the REST read, under its pattern:\n{body}"
    );
    assert!(!body.contains(crafted), "a crafted URL makes no series");
    assert!(
        !body.contains("SCRAPEBOMB"),
        "a crafted method makes no series"
    );
    assert!(
        body.contains(r#"method="other",route="/healthz""#),
        "other methods share one series:\n{body}"
    );
    assert!(
        body.contains(r#"route="unmatched""#),
        "unrouted requests share one series"
    );
    for state in ["idle", "in_use"] {
        let series = format!(r#"pms_db_pool_connections{{pool="interactive",state="{state}"}}"#);
        assert!(sample(&body, &series).is_some(), "{series}");
    }
    let succeeded: i64 =
        sqlx::query_scalar("SELECT count(*) FROM ingest_job WHERE status = 'succeeded'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(succeeded > 0, "the demo load's jobs");
    assert_eq!(
        sample(&body, r#"pms_ingest_jobs{status="succeeded"}"#),
        Some(succeeded as f64)
    );
    assert!(
        sample(&body, r#"pms_ingest_job_seconds{status="succeeded"}"#).is_some_and(|s| s >= 0.0)
    );
    let version = app.db.read_version().await.unwrap();
    assert_eq!(sample(&body, "pms_data_version"), Some(version as f64));
    assert!(sample(&body, "pms_last_successful_load_timestamp_seconds").unwrap_or(0.0) > 1.6e9);
}
