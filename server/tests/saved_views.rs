//! Saved views through the real HTTP surface (REST `/api/v1/views` and the pages' server
//! functions) against PostgreSQL with the demo data: versions and restore, read-only sharing
//! with people and roles where each viewer sees their own scope, defaults per section, the
//! audit trail, and clear errors for bad input.

mod common;

use std::collections::BTreeSet;

use common::{server_fn, TestApp, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

const COMPLIANCE: &str = "omkar.deshpande@sahyadricapital.example";

/// Two demo RMs who lead no team (so their books do not overlap): (e-mail, RM id).
async fn two_rms(pool: &PgPool) -> [(String, i32); 2] {
    let rms: Vec<(String, i32)> = sqlx::query_as(
        "SELECT u.email, u.rm_id FROM app_user u
         WHERE u.role = 'rm' AND u.rm_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM rm_team t WHERE t.lead_rm_id = u.rm_id)
         ORDER BY u.user_id LIMIT 2",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    [rms[0].clone(), rms[1].clone()]
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("request");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// The client ids a list answer holds.
fn client_ids(page: &Value) -> BTreeSet<i64> {
    page["items"]
        .as_array()
        .expect("a page of clients")
        .iter()
        .map(|c| c["client_id"].as_i64().expect("a client id"))
        .collect()
}

/// A bearer token for an API client.
async fn bearer(app: &TestApp, client: pms_auth::api_token::NewClient) -> String {
    let (_, body) = send(
        app.browser()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({
                "client_id": client.client_id, "client_secret": client.secret,
            })),
    )
    .await;
    body["access_token"].as_str().expect("a token").to_owned()
}

async fn audit_actions(pool: &PgPool, view_id: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE object_type = 'view' AND object_id = $1 ORDER BY seq",
    )
    .bind(view_id.to_string())
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn every_save_keeps_a_version_and_restoring_one_makes_it_the_newest(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let [(rm_email, _), _] = two_rms(&pool).await;
    let rm = app.login(&rm_email, DEMO_PASSWORD).await;

    let (status, created) = send(rm.post(app.url("/api/v1/views")).json(&json!({
        "name": "  Aggressive   clients ",
        "section": "clients",
        "query": "?risk=Aggressive&sort=aum&page=3&view=77&city=",
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["view_id"].as_i64().unwrap();
    assert_eq!(created["name"], "Aggressive clients");
    // The page number, the open view's id and empty fields are not part of a view.
    assert_eq!(created["query"], "risk=Aggressive&sort=aum");
    assert_eq!(
        created["href"],
        format!("/clients?risk=Aggressive&sort=aum&view={id}")
    );
    assert_eq!(created["version"], 1);
    assert_eq!(created["mine"], true);

    let view_url = app.url(&format!("/api/v1/views/{id}"));
    let (_, renamed) = send(
        rm.patch(&view_url)
            .json(&json!({ "name": "Aggressive book" })),
    )
    .await;
    assert_eq!(renamed["version"], 2);
    let (_, refiltered) = send(
        rm.patch(&view_url)
            .json(&json!({ "query": "risk=Conservative" })),
    )
    .await;
    assert_eq!(refiltered["version"], 3);
    assert_eq!(refiltered["name"], "Aggressive book");
    // Saving what is saved makes no version.
    let (_, same) = send(
        rm.patch(&view_url)
            .json(&json!({ "query": "risk=Conservative" })),
    )
    .await;
    assert_eq!(same["version"], 3);

    let (status, restored) = send(
        rm.post(app.url(&format!("/api/v1/views/{id}/restore")))
            .json(&json!({ "version": 1 })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["version"], 4);
    assert_eq!(restored["name"], "Aggressive clients");
    assert_eq!(restored["query"], "risk=Aggressive&sort=aum");

    let (_, detail) = send(rm.get(&view_url)).await;
    let versions: Vec<(i64, String)> = detail["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["query"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        vec![
            (4, "risk=Aggressive&sort=aum".to_owned()),
            (3, "risk=Conservative".to_owned()),
            (2, "risk=Aggressive&sort=aum".to_owned()),
            (1, "risk=Aggressive&sort=aum".to_owned()),
        ]
    );
    let (status, _) = send(
        rm.post(app.url(&format!("/api/v1/views/{id}/restore")))
            .json(&json!({ "version": 9 })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert_eq!(
        audit_actions(&pool, id).await,
        [
            "views.created",
            "views.saved",
            "views.saved",
            "views.restored"
        ]
    );
    let response = rm.delete(&view_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = send(rm.get(&view_url)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        audit_actions(&pool, id).await.last().map(String::as_str),
        Some("views.deleted")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_shared_view_is_read_only_and_shows_each_viewer_their_own_clients(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let [(owner_email, owner_rm), (other_email, other_rm)] = two_rms(&pool).await;
    let owner = app.login(&owner_email, DEMO_PASSWORD).await;
    let other = app.login(&other_email, DEMO_PASSWORD).await;
    let compliance = app.login(COMPLIANCE, DEMO_PASSWORD).await;

    let (_, created) = send(owner.post(app.url("/api/v1/views")).json(&json!({
        "name": "Largest clients", "section": "clients", "query": "sort=aum&dir=desc",
    })))
    .await;
    let id = created["view_id"].as_i64().unwrap();
    let view_url = app.url(&format!("/api/v1/views/{id}"));

    // Not shared yet: nobody else can find it, not even a role that sees all data.
    for user in [&other, &compliance] {
        let (status, _) = send(user.get(&view_url)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    let (status, shared) = send(
        owner
            .put(app.url(&format!("/api/v1/views/{id}/shares")))
            .json(&json!({ "emails": [other_email.to_uppercase()], "roles": ["compliance"] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{shared}");
    assert_eq!(shared["shares"]["users"][0][1], other_email);
    assert_eq!(shared["shares"]["roles"], json!(["compliance"]));

    let (_, listed) = send(other.get(app.url("/api/v1/views"))).await;
    let seen = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["view_id"] == id)
        .expect("the shared view is in the other RM's list");
    assert_eq!(seen["mine"], false);
    assert_eq!(seen["shared"], true);
    let (status, _) = send(compliance.get(&view_url)).await;
    assert_eq!(status, StatusCode::OK, "shared with the compliance role");

    // Read-only for them.
    let (status, problem) = send(other.patch(&view_url).json(&json!({ "name": "Mine now" }))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        problem["detail"].as_str().unwrap().contains("save a copy"),
        "{problem}"
    );
    assert_eq!(
        other.delete(&view_url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = send(
        other
            .put(app.url(&format!("/api/v1/views/{id}/shares")))
            .json(&json!({ "emails": [], "roles": ["rm"] })),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Opened by each RM, the view's question answers with their own book, never the owner's.
    let query = created["query"].as_str().unwrap();
    let list = |user: &reqwest::Client| {
        user.get(app.url(&format!("/api/v1/clients?{query}&page_size=500")))
    };
    let (_, owner_page) = send(list(&owner)).await;
    let (_, other_page) = send(list(&other)).await;
    let owner_clients = client_ids(&owner_page);
    let other_clients = client_ids(&other_page);
    assert!(!owner_clients.is_empty() && !other_clients.is_empty());
    assert!(owner_clients.is_disjoint(&other_clients));
    let pool_ref = &pool;
    let books = |rm: i32| async move {
        sqlx::query_scalar::<_, i32>("SELECT client_id FROM dim_client WHERE rm_id = $1")
            .bind(rm)
            .fetch_all(pool_ref)
            .await
            .unwrap()
            .into_iter()
            .map(i64::from)
            .collect::<BTreeSet<i64>>()
    };
    assert!(other_clients.is_subset(&books(other_rm).await));
    assert!(owner_clients.is_subset(&books(owner_rm).await));

    // A copy is theirs to change; the original is untouched.
    let (status, copy) = send(other.post(app.url(&format!("/api/v1/views/{id}/copy")))).await;
    assert_eq!(status, StatusCode::CREATED, "{copy}");
    assert_eq!(copy["name"], "Copy of Largest clients");
    assert_eq!(copy["mine"], true);
    assert_eq!(copy["query"], created["query"]);
    let copy_url = app.url(&format!("/api/v1/views/{}", copy["view_id"]));
    let (status, _) = send(
        other
            .patch(&copy_url)
            .json(&json!({ "name": "My largest" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // The other RM opens sections with the shared view until it stops being shared.
    let (status, _) = send(
        other
            .put(app.url("/api/v1/views/defaults/clients"))
            .json(&json!({ "view_id": id })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let defaults: Vec<(String, String)> =
        server_fn(&other, app.url("/api/views/defaults"), &[]).await;
    assert_eq!(
        defaults,
        vec![(
            "clients".to_owned(),
            format!("/clients?sort=aum&dir=desc&view={id}")
        )]
    );
    let (status, _) = send(
        owner
            .put(app.url(&format!("/api/v1/views/{id}/shares")))
            .json(&json!({ "emails": [], "roles": [] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(other.get(&view_url)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let defaults: Vec<(String, String)> =
        server_fn(&other, app.url("/api/views/defaults"), &[]).await;
    assert!(
        defaults.is_empty(),
        "an unshared view is no longer their default"
    );
    assert_eq!(
        audit_actions(&pool, id).await,
        [
            "views.created",
            "views.shared",
            "views.default_set",
            "views.shared"
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_default_is_a_view_of_its_own_section_and_can_be_cleared(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let [(rm_email, _), _] = two_rms(&pool).await;
    let rm = app.login(&rm_email, DEMO_PASSWORD).await;
    let (_, created) = send(rm.post(app.url("/api/v1/views")).json(&json!({
        "name": "FY25 by quarter", "section": "executive", "query": "fy=2024-25&by=quarter",
    })))
    .await;
    let id = created["view_id"].as_i64().unwrap();

    let (status, problem) = send(
        rm.put(app.url("/api/v1/views/defaults/clients"))
            .json(&json!({ "view_id": id })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Executive summary"),
        "{problem}"
    );

    let message: String = server_fn(
        &rm,
        app.url("/api/views/default"),
        &[("section", "executive"), ("view_id", &id.to_string())],
    )
    .await;
    assert!(message.contains("FY25 by quarter"), "{message}");
    let (_, listed) = send(rm.get(app.url("/api/v1/views"))).await;
    assert_eq!(listed[0]["is_default"], true);
    let defaults: Vec<(String, String)> = server_fn(&rm, app.url("/api/views/defaults"), &[]).await;
    assert_eq!(
        defaults,
        vec![(
            "executive".to_owned(),
            format!("/?fy=2024-25&by=quarter&view={id}")
        )]
    );

    let (status, _) = send(
        rm.put(app.url("/api/v1/views/defaults/executive"))
            .json(&json!({ "view_id": null })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let defaults: Vec<(String, String)> = server_fn(&rm, app.url("/api/views/defaults"), &[]).await;
    assert!(defaults.is_empty());

    // The list's search finds by name and by section.
    let (_, found) = send(rm.get(app.url("/api/v1/views?q=quarter"))).await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    let (_, none) = send(rm.get(app.url("/api/v1/views?q=no%25such_view"))).await;
    assert!(none.as_array().unwrap().is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_view_input_is_refused_with_what_to_fix(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let [(rm_email, _), _] = two_rms(&pool).await;
    let rm = app.login(&rm_email, DEMO_PASSWORD).await;
    let create = |body: Value| rm.post(app.url("/api/v1/views")).json(&body);

    let cases = [
        (
            json!({ "name": "x", "section": "reports", "query": "" }),
            "no section \"reports\"",
        ),
        (
            json!({ "name": "x", "section": "clients", "query": "sort=colour" }),
            "sort=",
        ),
        (
            json!({ "name": "x", "section": "executive", "query": "sort=aum" }),
            "no setting called \"sort\"",
        ),
        (
            json!({ "name": "   ", "section": "clients", "query": "" }),
            "Give the view a name",
        ),
        (
            json!({ "name": "x".repeat(121), "section": "clients", "query": "" }),
            "at most 120",
        ),
    ];
    for (body, says) in cases {
        let (status, problem) = send(create(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(says),
            "{body}: {problem}"
        );
    }
    let response = rm
        .post(app.url("/api/v1/views"))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .starts_with("The request body could not be read"));

    let (_, created) = send(create(
        json!({ "name": "Mine", "section": "clients", "query": "" }),
    ))
    .await;
    let id = created["view_id"].as_i64().unwrap();
    let (status, problem) = send(
        rm.put(app.url(&format!("/api/v1/views/{id}/shares")))
            .json(&json!({ "emails": ["nobody@example.com"], "roles": ["wizard"] })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("nobody@example.com"),
        "{problem}"
    );
    let (status, problem) = send(
        rm.put(app.url(&format!("/api/v1/views/{id}/shares")))
            .json(&json!({ "roles": ["wizard"] })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"].as_str().unwrap().contains("wizard"),
        "{problem}"
    );
    let (status, _) = send(rm.get(app.url("/api/v1/views/999999"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing half-made: only the one good view exists.
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM saved_view")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
    let shares: i64 = sqlx::query_scalar("SELECT count(*) FROM saved_view_share")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(shares, 0);

    // Without a sign-in, nothing.
    let (status, _) = send(app.browser().get(app.url("/api/v1/views"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_api_client_acting_for_a_user_shares_their_views_and_one_acting_for_nobody_has_none(
    pool: PgPool,
) {
    let app = TestApp::start(pool.clone(), true).await;
    let [(rm_email, _), _] = two_rms(&pool).await;
    let user_id: i64 = sqlx::query_scalar("SELECT user_id FROM app_user WHERE email = $1")
        .bind(&rm_email)
        .fetch_one(&pool)
        .await
        .unwrap();
    let rm = app.login(&rm_email, DEMO_PASSWORD).await;
    let (_, created) = send(rm.post(app.url("/api/v1/views")).json(&json!({
        "name": "From the browser", "section": "portfolios", "query": "group=firm",
    })))
    .await;
    assert_eq!(created["query"], "group=firm");

    let acting = bearer(
        &app,
        common::api_client(
            &app.db,
            "bi-tool",
            pms_domain::identity::Role::Rm,
            Some(user_id),
        )
        .await,
    )
    .await;
    let list_views = |token: &str| {
        reqwest::Client::new()
            .get(app.url("/api/v1/views"))
            .bearer_auth(token)
    };
    let (status, listed) = send(list_views(&acting)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["name"], "From the browser");

    let nobody = bearer(
        &app,
        common::api_client(&app.db, "feed", pms_domain::identity::Role::Admin, None).await,
    )
    .await;
    let (status, problem) = send(list_views(&nobody)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("acts for no user"),
        "{problem}"
    );
}
