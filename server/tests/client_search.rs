//! The header's client search: a name with a typo, a client code prefix and a PAN suffix find
//! the client; another RM's clients never appear; an over-long text is refused.

mod common;

use common::{TestApp, DEMO_PASSWORD};
use pms_domain::clients::ClientHit;
use pms_domain::error::AppError;
use reqwest::StatusCode;
use sqlx::PgPool;

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";
const RM: &str = "anand.singhania@sahyadricapital.example";

async fn search(app: &TestApp, user: &reqwest::Client, text: &str) -> reqwest::Response {
    user.post(app.url("/api/clients/search"))
        .form(&[("text", text)])
        .send()
        .await
        .expect("request")
}

async fn hits(app: &TestApp, user: &reqwest::Client, text: &str) -> Vec<ClientHit> {
    let response = search(app, user, text).await;
    assert_eq!(response.status(), StatusCode::OK, "{text}");
    response.json().await.expect("hits")
}

/// A client of the RM's book with a name of two words of five letters or more.
async fn rm_client(pool: &PgPool) -> (i32, String, String, String) {
    sqlx::query_as(
        "SELECT c.client_id, c.name, c.ws_client_code, c.pan FROM dim_client c
         JOIN app_user u ON u.rm_id = c.rm_id
         WHERE u.email = $1 AND c.pan IS NOT NULL AND c.ws_client_code IS NOT NULL
           AND c.name ~ '^[A-Za-z]{5,} [A-Za-z]{5,}$'
         ORDER BY c.client_id LIMIT 1",
    )
    .bind(RM)
    .fetch_one(pool)
    .await
    .expect("a client of the RM with a plain two-word name")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_name_with_a_typo_a_code_prefix_or_a_pan_suffix_finds_the_client(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let (id, name, code, pan) = rm_client(&pool).await;

    // Drop one letter from the surname: "Singhania" → "Singhnia".
    let surname = name.split(' ').nth(1).expect("a surname");
    let mut typo: String = surname.chars().take(4).collect();
    typo.extend(surname.chars().skip(5));
    for text in [
        typo.as_str(),
        &code[..code.len() - 1],
        &pan[pan.len() - 5..],
    ] {
        let found = hits(&app, &rm, text).await;
        assert!(
            found.iter().any(|h| h.client_id == id),
            "“{text}” finds {name}: {found:?}"
        );
        assert!(found.len() <= 8);
    }
    // One character asks nothing.
    assert!(hits(&app, &rm, "a").await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn the_search_never_shows_another_rm_s_client(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let (other, name): (i32, String) = sqlx::query_as(
        "SELECT c.client_id, c.name FROM dim_client c JOIN app_user u ON u.email = $1
         WHERE c.rm_id IS DISTINCT FROM u.rm_id
           AND c.rm_id NOT IN (SELECT m.rm_id FROM rm_team t JOIN dim_rm m ON m.team_id = t.team_id WHERE t.lead_rm_id = u.rm_id)
           AND NOT EXISTS (SELECT 1 FROM dim_client d WHERE d.name = c.name AND d.client_id <> c.client_id)
         ORDER BY c.client_id LIMIT 1",
    )
    .bind(RM)
    .fetch_one(&pool)
    .await
    .expect("another RM's client");
    assert!(hits(&app, &admin, &name)
        .await
        .iter()
        .any(|h| h.client_id == other));
    assert!(hits(&app, &rm, &name)
        .await
        .iter()
        .all(|h| h.client_id != other));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_over_long_search_is_refused_saying_what_fits(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let refused = search(&app, &rm, &"x".repeat(101)).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    match refused.json::<AppError>().await.expect("AppError") {
        AppError::BadRequest(message) => assert!(message.contains("100 characters"), "{message}"),
        other => panic!("expected BadRequest, got {other:?}"),
    }
}
