//! Sign-in policies over HTTP: two-factor required per role, session time limits, API token key
//! rotation and retirement, and the login rate limit.

mod common;

use std::time::Duration;

use common::{test_config, TestApp, DEMO_PASSWORD};
use pms_domain::identity::Role;
use pms_server::startup::Application;
use pms_store::Db;
use reqwest::StatusCode;
use sqlx::PgPool;

async fn user(db: &Db, email: &str, role: Role) {
    common::add_user(db, email, role).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_role_that_requires_two_factor_must_enrol_before_anything_else(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    user(&app.db, "c@firm.example", Role::Compliance).await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    pms_store::Db::set_mfa_required(&mut conn, Role::Compliance, true)
        .await
        .unwrap();
    let client = app.login("c@firm.example", DEMO_PASSWORD).await;
    let page = client.get(app.url("/clients")).send().await.unwrap();
    assert!(page.status().is_redirection());
    assert_eq!(page.headers()["location"], "/account/security?required=1");
    let data = client.get(app.url("/api/v1/clients")).send().await.unwrap();
    assert_eq!(data.status(), StatusCode::FORBIDDEN);
    let enrol = client
        .get(app.url("/account/security?required=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(enrol.status(), StatusCode::OK);
    let begin = client
        .post(app.url("/api/account/totp-begin"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        begin.status(),
        StatusCode::OK,
        "{}",
        begin.text().await.unwrap_or_default()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn sessions_end_at_the_absolute_limit(pool: PgPool) {
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = test_config(data_dir.path().to_owned());
    config.session_absolute = Duration::from_secs(1);
    let db = Db::from_pool(pool);
    user(&db, "a@firm.example", Role::Admin).await;
    let app = Application::build(&config, db).await.unwrap();
    let base = format!("http://{}", app.address());
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .post(format!("{base}/api/auth/login"))
        .header("origin", &base)
        .form(&[("email", "a@firm.example"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_redirection() || login.status().is_success());
    assert_eq!(
        client
            .get(format!("{base}/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        client
            .get(format!("{base}/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn api_tokens_survive_key_rotation_until_the_old_key_is_retired(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    let api = common::api_client(&app.db, "Risk engine", Role::Compliance, None).await;
    let http = reqwest::Client::new();
    let token = |secret: String| {
        let http = http.clone();
        let url = app.url("/api/v1/auth/token");
        let id = api.client_id.to_string();
        async move {
            let body: serde_json::Value = http
                .post(url)
                .json(&serde_json::json!({ "client_id": id, "client_secret": secret }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["access_token"].as_str().map(str::to_owned)
        }
    };
    assert_eq!(
        token("wrong".into()).await,
        None,
        "a wrong secret gets no token"
    );
    let first = token(api.secret.clone()).await.expect("token");
    let me = |t: String| {
        let http = http.clone();
        let url = app.url("/api/v1/me");
        async move { http.get(url).bearer_auth(t).send().await.unwrap().status() }
    };
    assert_eq!(me(first.clone()).await, StatusCode::OK);
    let mut conn = app.db.pool().acquire().await.unwrap();
    let new_kid = pms_auth::api_token::rotate_signing_key(&mut conn)
        .await
        .unwrap();
    let second = token(api.secret.clone()).await.expect("token");
    assert_eq!(
        me(first.clone()).await,
        StatusCode::OK,
        "tokens signed by the previous key still verify"
    );
    pms_store::Db::retire_signing_keys_except(&mut conn, &new_kid)
        .await
        .unwrap();
    assert_eq!(
        me(first).await,
        StatusCode::UNAUTHORIZED,
        "retiring the old key invalidates its tokens"
    );
    assert_eq!(me(second).await, StatusCode::OK);
    assert_eq!(me("not.a.token".into()).await, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_attempts_are_rate_limited_per_address(pool: PgPool) {
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = test_config(data_dir.path().to_owned());
    config.login_rate_per_minute = 3;
    let app = Application::build(&config, Db::from_pool(pool))
        .await
        .unwrap();
    let base = format!("http://{}", app.address());
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let r = client
            .post(format!("{base}/api/auth/login"))
            .header("origin", &base)
            .form(&[
                ("email", "nobody@firm.example"),
                ("password", "wrong-password"),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(r.status());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        2,
        "{statuses:?}"
    );
}
