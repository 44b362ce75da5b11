//! Regression tests for the identity defects a security review found: each through the real
//! HTTP surface against a fresh database.

mod common;

use std::time::Duration;

use common::{add_user, TestApp, DEMO_PASSWORD};
use pms_domain::identity::Role;
use pms_server::config::Config;
use pms_store::Db;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

/// Starts the app with a changed configuration, without demo data.
async fn start_with(pool: PgPool, change: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::start_configured(pool, false, change).await
}

async fn token(
    app: &TestApp,
    client_id: &str,
    secret: &str,
    ttl: Option<i64>,
) -> reqwest::Response {
    let mut body = json!({ "client_id": client_id, "client_secret": secret });
    if let Some(ttl) = ttl {
        body["ttl_seconds"] = json!(ttl);
    }
    reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .json(&body)
        .send()
        .await
        .expect("token request")
}

async fn audit_count(db: &Db, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(db.pool())
        .await
        .expect("count")
}

/// Posts the sign-in form from a fresh browser; returns the raw response.
async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    next: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut request = app.browser().post(app.url("/api/auth/login"));
    if let Some(addr) = forwarded_for {
        request = request.header("x-forwarded-for", addr);
    }
    request
        .form(&[("email", email), ("password", password), ("next", next)])
        .send()
        .await
        .expect("login")
}

async fn login_from(app: &TestApp, email: &str, password: &str, forwarded_for: &str) -> String {
    sign_in(app, email, password, "/", Some(forwarded_for))
        .await
        .text()
        .await
        .unwrap_or_default()
}

// ---- 1. API tokens stay out of account and admin functions ---------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn an_api_token_is_refused_by_every_account_and_admin_function(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    let admin = add_user(&app.db, "admin@firm.example", Role::Admin).await;
    let api = common::api_client(&app.db, "Warehouse", Role::Admin, Some(admin)).await;
    let issued: Value = token(&app, &api.client_id.to_string(), &api.secret, None)
        .await
        .json()
        .await
        .expect("json");
    let bearer = issued["access_token"].as_str().expect("token").to_owned();
    let http = reqwest::Client::new();
    for (path, form) in [
        ("/api/account/security", vec![]),
        ("/api/account/totp-begin", vec![]),
        ("/api/account/totp-confirm", vec![("code", "123456")]),
        ("/api/account/recovery-codes", vec![]),
        (
            "/api/account/password",
            vec![
                ("current", DEMO_PASSWORD),
                ("new_password", "Another-Long-Pass-2026!"),
                ("confirm", "Another-Long-Pass-2026!"),
            ],
        ),
        ("/api/admin/users/unlock", vec![("user_id", "1")]),
    ] {
        let r = http
            .post(app.url(path))
            .bearer_auth(&bearer)
            .form(&form)
            .send()
            .await
            .expect("request");
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {text}");
        assert!(text.contains("API token"), "{path}: {text}");
    }
    let user = app
        .db
        .user_by_id(admin)
        .await
        .expect("user")
        .expect("exists");
    assert!(
        !user.mfa_enabled(),
        "the token changed nobody's second factor"
    );
    assert!(
        pms_auth::password::verify(user.password_hash, DEMO_PASSWORD.into()).await,
        "the token changed nobody's password"
    );
}

// ---- 5. The token endpoint cannot be used to flood or crash ----------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn a_huge_or_tiny_token_lifetime_is_a_400_not_a_crash(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    let api = common::api_client(&app.db, "Risk", Role::Compliance, None).await;
    let id = api.client_id.to_string();
    for ttl in [9_300_000_000_000_000_i64, i64::MAX, 0, -5, 59, 3601] {
        let r = token(&app, &id, &api.secret, Some(ttl)).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "ttl {ttl}");
        let body: Value = r.json().await.expect("json");
        assert!(body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("ttl_seconds"));
    }
    let ok = token(&app, &id, &api.secret, Some(3600)).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let body: Value = ok.json().await.expect("json");
    assert!(body["expires_in"].as_i64().unwrap_or_default() > 3500);
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_secrets_for_one_client_are_rate_limited_and_each_audited_once(pool: PgPool) {
    let app = start_with(pool, |c| c.token_rate_per_minute = 5).await;
    let api = common::api_client(&app.db, "Risk", Role::Compliance, None).await;
    let id = api.client_id.to_string();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(token(&app, &id, "wrong", None).await.status());
    }
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((refused, limited), (5, 3), "{statuses:?}");
    assert_eq!(audit_count(&app.db, "api.token_refused").await, 5);
}

#[sqlx::test(migrations = "../migrations")]
async fn token_requests_for_clients_that_do_not_exist_leave_no_audit_rows(pool: PgPool) {
    let app = start_with(pool, |c| c.token_rate_per_minute = 5).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let unknown = uuid::Uuid::new_v4().to_string();
        statuses.push(token(&app, &unknown, "guess", None).await.status());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        2,
        "the per-address limit holds across client ids: {statuses:?}"
    );
    assert_eq!(audit_count(&app.db, "api.token_refused").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_api_client_over_its_budget_gets_429_with_retry_after_while_others_and_people_do_not(
    pool: PgPool,
) {
    let app = start_with(pool, |c| c.api_rate_per_minute = 3).await;
    let bearer = |name: &'static str| {
        let app = &app;
        async move {
            let api = common::api_client(&app.db, name, Role::Compliance, None).await;
            let answer: Value = token(app, &api.client_id.to_string(), &api.secret, None)
                .await
                .json()
                .await
                .expect("json");
            answer["access_token"].as_str().expect("a token").to_owned()
        }
    };
    let (eager, other) = (bearer("Eager").await, bearer("Other").await);
    let me = |token: &str| {
        reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
    };
    for left in [2, 1, 0] {
        let r = me(&eager).await.expect("request");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["ratelimit-policy"], "\"per-client\";q=3;w=60");
        let state = r.headers()["ratelimit"].to_str().unwrap().to_owned();
        assert!(
            state.starts_with(&format!("\"per-client\";r={left};")),
            "{state}"
        );
    }
    let refused = me(&eager).await.expect("request");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "retry after {wait} s");
    let problem: Value = refused.json().await.expect("json");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("3 requests a minute"),
        "{problem}"
    );
    // Another client has its own budget.
    assert_eq!(me(&other).await.expect("request").status(), StatusCode::OK);
    // A person in a browser is not counted.
    add_user(&app.db, "analyst@example.com", Role::Compliance).await;
    let person = app.login("analyst@example.com", DEMO_PASSWORD).await;
    for _ in 0..5 {
        let r = person
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().get("ratelimit").is_none());
    }
}

// ---- 6. Nobody can lock out someone else -----------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn an_attacker_elsewhere_cannot_lock_a_user_out(pool: PgPool) {
    let app = start_with(pool, |c| {
        c.trusted_proxies = "127.0.0.1".parse().expect("proxies")
    })
    .await;
    add_user(&app.db, "rm@firm.example", Role::Rm).await;
    let attacker = "198.51.100.66";
    let mut last = String::new();
    for _ in 0..8 {
        last = login_from(&app, "rm@firm.example", "guess-guess-guess", attacker).await;
    }
    assert!(last.contains("is locked"), "{last}");
    let from_attacker = login_from(&app, "rm@firm.example", DEMO_PASSWORD, attacker).await;
    assert!(
        from_attacker.contains("is locked"),
        "the right password from the locked source is still refused: {from_attacker}"
    );
    let from_user = login_from(&app, "rm@firm.example", DEMO_PASSWORD, "203.0.113.5").await;
    assert!(
        !from_user.contains("locked") && !from_user.contains("not correct"),
        "the user signs in from their own network: {from_user}"
    );
    let mut conn = app.db.pool().acquire().await.expect("connection");
    assert!(Db::unlock_login(&mut conn, "rm@firm.example")
        .await
        .expect("unlock"));
    let after_unlock = login_from(&app, "rm@firm.example", DEMO_PASSWORD, attacker).await;
    assert!(!after_unlock.contains("locked"), "{after_unlock}");
}

#[sqlx::test(migrations = "../migrations")]
async fn locks_are_time_boxed_and_grow_with_each_further_failure(pool: PgPool) {
    let db = Db::from_pool(pool);
    let policy = pms_store::identity::ThrottlePolicy::default();
    let mut locks = Vec::new();
    for _ in 0..8 {
        let t = db
            .record_login_failure("x@firm.example", "198.51.100.1", &policy)
            .await
            .expect("counted");
        locks.push(
            t.locked_until
                .map(|u| (u - chrono::Utc::now()).num_seconds()),
        );
    }
    assert!(locks[..4].iter().all(Option::is_none), "{locks:?}");
    let secs: Vec<i64> = locks[4..].iter().map(|l| l.expect("locked")).collect();
    assert!(
        secs.windows(2).all(|w| w[1] > w[0]),
        "each failure lengthens the lock: {secs:?}"
    );
    assert!(
        secs.iter().all(|s| *s <= 3600),
        "never longer than an hour: {secs:?}"
    );
    let elsewhere = db
        .login_throttle("x@firm.example", "203.0.113.5")
        .await
        .expect("read");
    assert!(!elsewhere.is_locked(chrono::Utc::now()));
}

// ---- 7. Sessions behave as users expect ------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn an_active_user_stays_signed_in_past_the_idle_timeout(pool: PgPool) {
    let app = start_with(pool, |c| c.session_idle = Duration::from_secs(2)).await;
    add_user(&app.db, "pm@firm.example", Role::Pm).await;
    let client = app.login("pm@firm.example", DEMO_PASSWORD).await;
    let me = || async {
        client
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .expect("me")
            .status()
    };
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(
            me().await,
            StatusCode::OK,
            "active for longer than the idle timeout"
        );
    }
    tokio::time::sleep(Duration::from_millis(3200)).await;
    assert_eq!(
        me().await,
        StatusCode::UNAUTHORIZED,
        "idle for longer than the timeout"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_password_change_ends_the_users_other_sessions(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    add_user(&app.db, "pm@firm.example", Role::Pm).await;
    let laptop = app.login("pm@firm.example", DEMO_PASSWORD).await;
    let phone = app.login("pm@firm.example", DEMO_PASSWORD).await;
    let change = laptop
        .post(app.url("/api/account/password"))
        .form(&[
            ("current", DEMO_PASSWORD),
            ("new_password", "Brand-New-Secret-2026!"),
            ("confirm", "Brand-New-Secret-2026!"),
        ])
        .send()
        .await
        .expect("change");
    assert!(
        change.status().is_success(),
        "{}",
        change.text().await.unwrap_or_default()
    );
    let status = |c: &reqwest::Client| {
        let req = c.get(app.url("/api/v1/me"));
        async move { req.send().await.expect("me").status() }
    };
    assert_eq!(
        status(&laptop).await,
        StatusCode::OK,
        "the session that changed it carries on"
    );
    assert_eq!(
        status(&phone).await,
        StatusCode::UNAUTHORIZED,
        "the other session has ended"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_session_cookie_is_secure_unless_development_opts_out(pool: PgPool) {
    let app = start_with(pool, |c| c.insecure_cookies = false).await;
    add_user(&app.db, "pm@firm.example", Role::Pm).await;
    let r = sign_in(&app, "pm@firm.example", DEMO_PASSWORD, "/", None).await;
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("pms_session="))
        .expect("session cookie")
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

// ---- 8. No open redirect after sign-in -------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_never_redirects_to_another_site(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    add_user(&app.db, "pm@firm.example", Role::Pm).await;
    for next in [
        "/\t/evil.example",
        "/\\evil.example",
        "//evil.example",
        "https://evil.example",
        "/%09/evil.example",
    ] {
        let r = sign_in(&app, "pm@firm.example", DEMO_PASSWORD, next, None).await;
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("/")
            .to_owned();
        let resolved = url::Url::parse("http://hub.example/")
            .and_then(|home| home.join(&location))
            .expect("a location a browser can follow");
        assert_eq!(
            resolved.host_str(),
            Some("hub.example"),
            "{next:?} → {location:?}"
        );
    }
}

// ---- 12. Client addresses come from trusted proxies only -------------------------------------

async fn failed_login_audit_ip(app: &TestApp, forwarded_for: &str) -> Option<String> {
    login_from(
        app,
        "nobody@firm.example",
        "wrong-wrong-wrong",
        forwarded_for,
    )
    .await;
    sqlx::query_scalar(
        "SELECT ip FROM audit_log WHERE action = 'auth.login_failed' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("audit row")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_forged_forwarded_for_header_is_ignored_without_trusted_proxies(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    let ip = failed_login_audit_ip(&app, "6.6.6.6").await;
    assert_eq!(ip.as_deref(), Some("127.0.0.1"));
}

#[sqlx::test(migrations = "../migrations")]
async fn behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client(pool: PgPool) {
    let app = start_with(pool, |c| {
        c.trusted_proxies = "127.0.0.1".parse().expect("proxies")
    })
    .await;
    let ip = failed_login_audit_ip(&app, "6.6.6.6, 198.51.100.7").await;
    assert_eq!(ip.as_deref(), Some("198.51.100.7"));
}

// ---- 14. Right status codes ----------------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn restricted_pages_answer_403_and_unknown_addresses_404(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    add_user(&app.db, "rm@firm.example", Role::Rm).await;
    add_user(&app.db, "admin@firm.example", Role::Admin).await;
    let rm = app.login("rm@firm.example", DEMO_PASSWORD).await;
    let admin = app.login("admin@firm.example", DEMO_PASSWORD).await;
    let status = |c: &reqwest::Client, path: &str| {
        let req = c.get(app.url(path));
        async move { req.send().await.expect("get").status() }
    };
    for page in ["/admin", "/admin?tab=api", "/audit", "/ingest"] {
        assert_eq!(
            status(&rm, page).await,
            StatusCode::FORBIDDEN,
            "RM at {page}"
        );
        assert_eq!(
            status(&admin, page).await,
            StatusCode::OK,
            "admin at {page}"
        );
    }
    assert_eq!(status(&rm, "/clients").await, StatusCode::OK);
    assert_eq!(status(&rm, "/no/such/page").await, StatusCode::NOT_FOUND);
    assert_eq!(
        status(&rm, "/api/v1/no-such-resource").await,
        StatusCode::NOT_FOUND
    );
}

// ---- 13. Nothing waits forever ---------------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn a_reader_gets_data_is_being_loaded_while_a_load_holds_the_table(pool: PgPool) {
    let app = TestApp::start_as_deployed(pool.clone(), true).await;
    let portfolio: i64 = sqlx::query_scalar("SELECT min(portfolio_id)::bigint FROM dim_portfolio")
        .fetch_one(&pool)
        .await
        .expect("a portfolio");
    let admin = app
        .login("shivakumar.shetty@sahyadricapital.example", DEMO_PASSWORD)
        .await;
    let url = app.url(&format!("/api/v1/portfolios/{portfolio}/valuations"));
    // A first bulk load holds its fact table exclusively until it commits.
    let mut load = pool.begin().await.expect("tx");
    sqlx::query("LOCK TABLE fact_valuation IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *load)
        .await
        .expect("lock");
    let started = std::time::Instant::now();
    let r = admin.get(&url).send().await.expect("request");
    let waited = started.elapsed();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = r.json().await.expect("json");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("being loaded"),
        "{body}"
    );
    assert!(
        waited < Duration::from_secs(15),
        "answered after {waited:?}"
    );
    load.rollback().await.expect("rollback");
    assert_eq!(
        admin.get(&url).send().await.expect("request").status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_request_that_waits_too_long_is_answered_408(pool: PgPool) {
    let app = TestApp::start_configured(pool.clone(), true, |c| {
        c.request_timeout = Duration::from_secs(1)
    })
    .await;
    let portfolio: i64 = sqlx::query_scalar("SELECT min(portfolio_id)::bigint FROM dim_portfolio")
        .fetch_one(&pool)
        .await
        .expect("a portfolio");
    let admin = app
        .login("shivakumar.shetty@sahyadricapital.example", DEMO_PASSWORD)
        .await;
    let mut blocker = pool.begin().await.expect("tx");
    sqlx::query("LOCK TABLE fact_valuation IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .expect("lock");
    let started = std::time::Instant::now();
    let r = admin
        .get(app.url(&format!("/api/v1/portfolios/{portfolio}/valuations")))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() < Duration::from_secs(5));
    blocker.rollback().await.expect("rollback");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refusal_the_user_can_act_on_is_a_4xx_and_only_our_faults_are_500(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    add_user(&app.db, "pm@firm.example", Role::Pm).await;
    let wrong = sign_in(&app, "pm@firm.example", "not-the-password", "/", None).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert!(wrong
        .text()
        .await
        .unwrap_or_default()
        .contains("not correct"));
    let pm = app.login("pm@firm.example", DEMO_PASSWORD).await;
    let nothing_to_replace = pm
        .post(app.url("/api/account/recovery-codes"))
        .send()
        .await
        .expect("request");
    assert_eq!(nothing_to_replace.status(), StatusCode::BAD_REQUEST);
}
