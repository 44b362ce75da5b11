//! The public REST API as an integrator meets it: its OpenAPI description and viewer, cursor
//! paging of the client list, the dashboard's figures and the data loads, each within the
//! caller's scope and role.

mod common;

use std::collections::HashSet;

use common::{TestApp, DEMO_PASSWORD};
use reqwest::header::CONTENT_SECURITY_POLICY;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";
const RM: &str = "anand.singhania@sahyadricapital.example";
const STEWARD: &str = "farah.qureshi@sahyadricapital.example";

#[sqlx::test(migrations = "../migrations")]
async fn the_api_description_is_public_openapi_3_1_covering_every_route(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    // Nobody signed in: integrators read it before they have a token.
    let response = reqwest::get(app.url("/api/openapi.json")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let operations: HashSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    for expected in [
        "POST /api/v1/auth/token",
        "GET /api/v1/me",
        "GET /api/v1/status",
        "GET /api/v1/summary",
        "GET /api/v1/performance/{group}",
        "GET /api/v1/clients",
        "GET /api/v1/clients/{id}",
        "GET /api/v1/portfolios/{id}/valuations",
        "GET /api/v1/portfolios/{id}/holdings",
        "GET /api/v1/portfolios/{id}/transactions",
        "GET /api/v1/clients/{id}/statement",
        "GET /api/v1/exports/clients.csv",
        "GET /api/v1/views",
        "POST /api/v1/views",
        "GET /api/v1/views/{id}",
        "PATCH /api/v1/views/{id}",
        "DELETE /api/v1/views/{id}",
        "POST /api/v1/views/{id}/restore",
        "PUT /api/v1/views/{id}/shares",
        "POST /api/v1/views/{id}/copy",
        "PUT /api/v1/views/defaults/{section}",
        "GET /api/v1/ingest/jobs",
        "POST /api/v1/ingest/jobs",
        "GET /api/v1/ingest/jobs/{id}",
        "GET /api/v1/ingest/jobs/{id}/errors.csv",
        "GET /api/v1/alerts",
        "POST /api/v1/alerts/{id}/acknowledge",
        "POST /api/v1/alerts/{id}/resolve",
        "GET /api/v1/alert-rules",
        "PUT /api/v1/alert-rules/{kind}",
    ] {
        assert!(operations.contains(expected), "{expected} is not described");
    }
    // Every schema a description points at is in the document.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "{name} is referred to but missing"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_docs_viewer_runs_from_the_hubs_own_files_under_a_strict_policy(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    let page = reqwest::get(app.url("/api/docs")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no CDN: {html}"
    );
    assert!(!html.contains("<script>"), "no inline script: {html}");
    for asset in [
        "/api/docs/assets/swagger-ui-bundle.js",
        "/api/docs/assets/swagger-ui.css",
        "/api/docs/start.js",
    ] {
        assert!(html.contains(asset), "{asset} is not used");
        let file = reqwest::get(app.url(asset)).await.unwrap();
        assert_eq!(file.status(), StatusCode::OK, "{asset}");
        assert!(!file.bytes().await.unwrap().is_empty(), "{asset}");
    }
}

/// Every client id of the list `query`, read by following `next_cursor` pages of `size`.
async fn walk_by_cursor(user: &reqwest::Client, app: &TestApp, query: &str, size: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("/api/v1/clients?{query}&page_size={size}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = common::get_json(user, app.url(&url), &[]).await;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= size as usize);
        ids.extend(items.iter().map(|c| c["client_id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
        assert!(ids.len() < 100_000, "the walk does not end");
    }
}

/// Every client id of the list `query`, read page by page by number.
async fn walk_by_number(user: &reqwest::Client, app: &TestApp, query: &str) -> (Vec<i64>, i64) {
    let mut ids = Vec::new();
    for page in 1.. {
        let url = format!("/api/v1/clients?{query}&page_size=500&page={page}");
        let answer: Value = common::get_json(user, app.url(&url), &[]).await;
        let items = answer["items"].as_array().unwrap();
        if items.is_empty() {
            return (ids, answer["total"].as_i64().unwrap());
        }
        ids.extend(items.iter().map(|c| c["client_id"].as_i64().unwrap()));
    }
    unreachable!()
}

#[sqlx::test(migrations = "../migrations")]
async fn following_cursors_reads_every_client_once_in_the_lists_order(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    // Names (text), AUM (numeric), returns with nulls last both ways, dates; and an RM's book.
    for (user, query) in [
        (&admin, "sort=name&dir=asc"),
        (&admin, "sort=aum"),
        (&admin, "sort=twrr&dir=desc&closed=1"),
        (&admin, "sort=xirr&dir=asc"),
        (&admin, "sort=onboarding&dir=desc&risk=Aggressive"),
        (&rm, "sort=aum&dir=asc"),
    ] {
        let (expected, total) = walk_by_number(user, &app, query).await;
        assert!(expected.len() > 37, "{query}: enough clients to page");
        assert_eq!(expected.len() as i64, total, "{query}");
        let walked = walk_by_cursor(user, &app, query, 37).await;
        assert_eq!(walked, expected, "{query}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cursor_from_another_query_or_a_made_up_one_is_refused_with_a_reason(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let first: Value = admin
        .get(app.url("/api/v1/clients?sort=name&page_size=5"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    for url in [
        format!("/api/v1/clients?sort=aum&page_size=5&cursor={cursor}"),
        "/api/v1/clients?cursor=c1.zz.1.n".to_owned(),
        "/api/v1/clients?cursor=%27%3B%20DROP%20TABLE%20dim_client".to_owned(),
    ] {
        let response = admin.get(app.url(&url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{url}");
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().starts_with("cursor:"),
            "{problem}"
        );
    }
    // A cursor past the last row answers an empty last page with the total.
    let last = format!(
        "/api/v1/clients?sort=name&page_size=5&cursor={}",
        pms_domain::clients::ClientQuery::from_params(
            |n| (n == "sort").then(|| "name".to_owned()),
            5
        )
        .unwrap()
        .cursor_after(i32::MAX, Some("\u{10FFFF}".into()))
    );
    let end: Value = common::get_json(&admin, app.url(&last), &[]).await;
    assert_eq!(end["items"].as_array().unwrap().len(), 0);
    assert_eq!(end["total"], first["total"]);
    assert!(end.get("next_cursor").is_none());
}

#[sqlx::test(migrations = "../migrations")]
async fn the_dashboards_figures_answer_over_rest_within_the_callers_scope(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let figure = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();

    let status: Value = common::get_json(&rm, app.url("/api/v1/status"), &[]).await;
    assert!(status["data_version"].as_i64().unwrap() >= 1);
    assert!(status["data_as_of"].is_string());

    let firm: Value = common::get_json(&admin, app.url("/api/v1/summary"), &[]).await;
    let book: Value = common::get_json(&rm, app.url("/api/v1/summary"), &[]).await;
    assert!(figure(&book["aum"]) > 0.0 && figure(&book["aum"]) < figure(&firm["aum"]));
    assert!(book["clients"].as_i64().unwrap() < firm["clients"].as_i64().unwrap());
    let narrowed: Value = common::get_json(
        &admin,
        app.url("/api/v1/summary"),
        &[("risk", "Aggressive")],
    )
    .await;
    assert!(figure(&narrowed["aum"]) < figure(&firm["aum"]));

    // The executive summary's figures are the whole book's performance figures.
    let performance: Value =
        common::get_json(&admin, app.url("/api/v1/performance/firm"), &[]).await;
    assert_eq!(performance["periods"], firm["periods"]);
    assert!(performance["risk"].as_array().unwrap().len() > 5);

    // A portfolio outside the RM's books is not found for them; a bad group or filter says why.
    let me: Value = common::get_json(&rm, app.url("/api/v1/me"), &[]).await;
    let books: Vec<i32> = serde_json::from_value(me["rm_ids"].clone()).unwrap();
    let outside: i32 = sqlx::query_scalar(
        "SELECT p.portfolio_id FROM dim_portfolio p JOIN dim_client c USING (client_id)
         WHERE NOT (c.rm_id = ANY($1)) ORDER BY p.portfolio_id LIMIT 1",
    )
    .bind(&books)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let hidden = rm
        .get(app.url(&format!("/api/v1/performance/portfolio-{outside}")))
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    for (url, says) in [
        ("/api/v1/performance/desk-4", "is not a group"),
        ("/api/v1/summary?fy=last-year", "fy"),
        ("/api/v1/summary?aum_min=9&aum_max=1", "swap them"),
    ] {
        let response = admin.get(app.url(url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{url}");
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(says),
            "{url}: {problem}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn only_data_stewards_and_admins_read_the_load_history_over_rest(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let steward = app.login(STEWARD, DEMO_PASSWORD).await;
    for url in ["/api/v1/ingest/jobs", "/api/v1/ingest/jobs/1"] {
        let refused = rm.get(app.url(url)).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{url}");
    }
    let list: Value = common::get_json(&steward, app.url("/api/v1/ingest/jobs"), &[]).await;
    let jobs = list["jobs"]["items"].as_array().unwrap();
    assert!(!jobs.is_empty(), "the demo load is a job");
    let id = jobs[0]["job_id"].as_i64().unwrap();
    let job: Value =
        common::get_json(&steward, app.url(&format!("/api/v1/ingest/jobs/{id}")), &[]).await;
    assert_eq!(job["job"]["job_id"], id);
    assert!(job["errors"]["items"].is_array());
    let missing = steward
        .get(app.url("/api/v1/ingest/jobs/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let bad_page = steward
        .get(app.url("/api/v1/ingest/jobs?page=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_page.status(), StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrations = "../migrations")]
async fn text_the_database_cannot_store_is_refused_not_a_server_error(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let created = admin
        .post(app.url("/api/v1/views"))
        .json(&serde_json::json!({ "name": "Book\u{0}", "section": "clients" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = created.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("NUL"),
        "{problem}"
    );
    for url in ["/api/v1/views?q=a%00b", "/api/v1/clients?q=a%00b"] {
        let response = admin.get(app.url(url)).send().await.unwrap();
        assert!(
            response.status().is_client_error(),
            "{url}: {}",
            response.status()
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn rest_requests_are_read_strictly_and_answered_with_problems(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    // Without any credential a write is unauthorised (not a cross-site refusal).
    let anonymous = reqwest::Client::new()
        .post(app.url("/api/v1/views"))
        .json(&serde_json::json!({ "name": "x", "section": "clients" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    // With the session cookie but from another site it is still refused.
    let foreign = admin
        .post(app.url("/api/v1/views"))
        .header("origin", "http://evil.example")
        .json(&serde_json::json!({ "name": "x", "section": "clients" }))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let cases: [(reqwest::RequestBuilder, &str); 5] = [
        (admin.get(app.url("/api/v1/clients/abc")), "address"),
        (
            admin.get(app.url("/api/v1/ingest/jobs?page=1&page=2")),
            "more than once",
        ),
        (
            admin.get(app.url("/api/v1/clients?page_size=501")),
            "page_size",
        ),
        (
            admin
                .put(app.url("/api/v1/views/1/shares"))
                .json(&serde_json::json!([])),
            "JSON object",
        ),
        (
            admin
                .post(app.url("/api/v1/views/1/restore"))
                .json(&serde_json::json!({ "version": "one" })),
            "version",
        ),
    ];
    for (request, says) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{says}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{says}"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(says),
            "{problem}"
        );
    }
    // A whole number written with a fraction is the number.
    let view: Value = admin
        .post(app.url("/api/v1/views"))
        .json(&serde_json::json!({ "name": "Mine", "section": "clients" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let restored = admin
        .post(app.url(&format!("/api/v1/views/{}/restore", view["view_id"])))
        .json(&serde_json::json!({ "version": 1.0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_portfolios_holdings_are_read_by_date_within_scope_and_audited(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let me: Value = common::get_json(&rm, app.url("/api/v1/me"), &[]).await;
    let books: Vec<i32> = serde_json::from_value(me["rm_ids"].clone()).unwrap();
    let portfolio = |inside: bool| {
        let pool = pool.clone();
        let books = books.clone();
        async move {
            sqlx::query_scalar::<_, i32>(
                "SELECT p.portfolio_id FROM dim_portfolio p JOIN dim_client c USING (client_id)
                 WHERE (c.rm_id = ANY($1)) = $2
                   AND (SELECT count(DISTINCT as_of) FROM fact_holding h WHERE h.portfolio_id = p.portfolio_id) > 1
                 ORDER BY p.portfolio_id LIMIT 1",
            )
            .bind(&books)
            .bind(inside)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (mine, theirs) = (portfolio(true).await, portfolio(false).await);
    let latest: Value = common::get_json(
        &rm,
        app.url(&format!("/api/v1/portfolios/{mine}/holdings")),
        &[],
    )
    .await;
    let dates = latest["dates"].as_array().unwrap();
    assert!(dates.len() > 1);
    assert_eq!(latest["as_of"], dates[0], "the latest snapshot by default");
    let lines = latest["holdings"].as_array().unwrap();
    assert!(!lines.is_empty());
    let weights: f64 = lines.iter().map(|h| h["weight"].as_f64().unwrap()).sum();
    assert!(
        (weights - 1.0).abs() < 1e-9,
        "weights add up to the whole: {weights}"
    );
    let values: Vec<f64> = lines
        .iter()
        .map(|h| h["market_value"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "largest first");
    let total: f64 = latest["market_value"].as_str().unwrap().parse().unwrap();
    assert!((values.iter().sum::<f64>() - total).abs() < 0.005);

    // An earlier date shows the snapshot on or before it.
    let earlier = dates[1].as_str().unwrap();
    let then: Value = common::get_json(
        &rm,
        app.url(&format!("/api/v1/portfolios/{mine}/holdings")),
        &[("as_of", earlier)],
    )
    .await;
    assert_eq!(then["as_of"], earlier);

    // Another RM's portfolio does not exist for this RM; a bad date says how to write it.
    let hidden = rm
        .get(app.url(&format!("/api/v1/portfolios/{theirs}/holdings")))
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    for date in ["31-03-2025", ""] {
        let bad = rm
            .get(app.url(&format!("/api/v1/portfolios/{mine}/holdings?as_of={date}")))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST, "as_of={date}");
        let problem: Value = bad.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("YYYY-MM-DD"));
    }
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'portfolio.holdings' AND object_id = $1",
    )
    .bind(mine.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);
}
