//! Starting the real application on a random port against a fresh database (from
//! `#[sqlx::test]`), with the small demo data set, and signing in over HTTP as a browser would.

#![allow(dead_code)]

pub mod pooled;

use std::path::PathBuf;
use std::time::Duration;

use pms_server::config::Config;
use pms_server::startup::Application;
use pms_store::Db;
use sqlx::PgPool;

/// Creates a signed-up user with the demo password (no demo data needed).
pub async fn add_user(db: &Db, email: &str, role: pms_domain::identity::Role) -> i64 {
    add_user_with_password(db, email, role, DEMO_PASSWORD).await
}

/// Creates a signed-up user with `password`.
pub async fn add_user_with_password(
    db: &Db,
    email: &str,
    role: pms_domain::identity::Role,
    password: &str,
) -> i64 {
    let hash = pms_auth::password::hash(password.into())
        .await
        .expect("hash");
    let mut conn = db.pool().acquire().await.expect("connection");
    Db::create_user(
        &mut conn,
        &pms_store::identity::NewUser {
            email: email.into(),
            display_name: "Test User".into(),
            role,
            rm_id: None,
            password_hash: Some(hash),
            created_by: None,
        },
    )
    .await
    .expect("user created")
}

/// Registers an API client (as Administration → API does).
pub async fn api_client(
    db: &Db,
    name: &str,
    role: pms_domain::identity::Role,
    subject_user_id: Option<i64>,
) -> pms_auth::api_token::NewClient {
    let mut conn = db.pool().acquire().await.expect("connection");
    pms_auth::api_token::create_client(&mut conn, name, role, subject_user_id, None)
        .await
        .expect("API client")
}

pub const DEMO_PASSWORD: &str = pms_server::commands::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub data_dir: tempfile::TempDir,
    _server: tokio::task::JoinHandle<()>,
}

pub fn test_config(data_dir: PathBuf) -> Config {
    Config {
        database_url: None,
        migration_database_url: None,
        bind: "127.0.0.1:0".parse().expect("address"),
        db_max_connections: 8,
        demo_on_empty: true,
        demo_size: "small".into(),
        // A fixed test key (base64 of 32 bytes); never used outside tests.
        master_key: Some("dGVzdC1tYXN0ZXIta2V5LWZvci1pbnRlZ3JhdGlvbiE=".into()),
        public_origin: None,
        session_idle: Duration::from_secs(1800),
        session_absolute: Duration::from_secs(12 * 3600),
        trusted_proxies: Default::default(),
        // reqwest's cookie store, like a browser, keeps Secure cookies off plain HTTP.
        insecure_cookies: true,
        login_rate_per_minute: 1000,
        token_rate_per_minute: 20,
        api_rate_per_minute: 600,
        request_timeout: Duration::from_secs(45),
        drop_dir: None,
        salesforce_schedule: None,
        wealth_spectrum_schedule: None,
        profile_file: None,
        metrics_token: None,
        data_dir,
    }
}

impl TestApp {
    /// Starts the app; with `demo` the small demo data set (and its logins) is loaded first.
    pub async fn start(pool: PgPool, demo: bool) -> TestApp {
        Self::start_configured(pool, demo, |_| {}).await
    }

    /// [`TestApp::start`] with the test configuration changed by `change` first.
    pub async fn start_configured(
        pool: PgPool,
        demo: bool,
        change: impl FnOnce(&mut Config),
    ) -> TestApp {
        Self::start_on(Db::from_pool(pool), demo, change).await
    }

    /// Starts the app on the database as production connects to it: the interactive pool with
    /// its time limits beside a separate bulk pool.
    pub async fn start_as_deployed(pool: PgPool, demo: bool) -> TestApp {
        let options = (*pool.connect_options()).clone();
        let db = Db::connect_with(options, 8, Duration::from_secs(10))
            .await
            .expect("connect");
        Self::start_on(db, demo, |_| {}).await
    }

    async fn start_on(db: Db, demo: bool, change: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(data_dir.path().to_owned());
        change(&mut config);
        let db = db.with_audit_key(
            pms_server::startup::master_key(&config)
                .expect("test master key")
                .audit_key(),
        );
        if demo {
            pms_server::commands::demo::load_if_empty(&db, &config)
                .await
                .expect("demo data loads");
        }
        let app = Application::build(&config, db.clone())
            .await
            .expect("app builds");
        let base = format!("http://{}", app.address());
        let server = tokio::spawn(async move {
            let _ = app.run_until(std::future::pending()).await;
        });
        TestApp {
            base,
            db,
            data_dir,
            _server: server,
        }
    }

    /// A browser-like client: keeps cookies, sends the Hub's own Origin, does not follow
    /// redirects (tests look at them).
    pub fn browser(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ORIGIN,
            self.base.parse().expect("origin header"),
        );
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client")
    }

    /// Signs in through the login server function; returns the signed-in client.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Client {
        let client = self.browser();
        let response = client
            .post(format!("{}/api/auth/login", self.base))
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("login request");
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "login as {email} failed: {} {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
        client
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// A server function's answer to `user` (POSTed with `form`), read as `T`.
pub async fn server_fn<T: serde::de::DeserializeOwned>(
    user: &reqwest::Client,
    url: String,
    form: &[(&str, &str)],
) -> T {
    user.post(url)
        .form(form)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("the answer")
}

/// A REST read's JSON answer to `user`.
pub async fn get_json(
    user: &reqwest::Client,
    url: String,
    query: &[(&str, &str)],
) -> serde_json::Value {
    user.get(url)
        .query(query)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("a JSON answer")
}

/// Uploads `text` as `file_name` through the REST API as `user` (a data steward or admin) and
/// waits for the load to end; returns its job id.
pub async fn upload(app: &TestApp, user: &reqwest::Client, file_name: &str, text: &str) -> i64 {
    use std::time::{Duration, Instant};
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(text.as_bytes().to_vec())
            .file_name(file_name.to_owned())
            .mime_str("text/csv")
            .unwrap(),
    );
    let res = user
        .post(app.url("/api/v1/ingest/jobs"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let job: serde_json::Value = res.json().await.unwrap();
    let id = job["job_id"].as_i64().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let detail = get_json(user, app.url(&format!("/api/v1/ingest/jobs/{id}")), &[]).await;
        if !matches!(detail["job"]["status"].as_str(), Some("queued" | "running")) {
            return id;
        }
        assert!(Instant::now() < deadline, "job {id} did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
