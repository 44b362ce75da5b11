//! Data loads through the HTTP surface, exactly as a browser or script would: the real
//! application on a random port against a fresh database (one per test), signed in through the
//! login server function. Uploads (good, bad, Salesforce, plain form posts, too large, wrong
//! role), the errors download, and the watched drop folder.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pms_domain::identity::Role;
use pms_domain::ingest::{IngestJobDetail, IngestJobList, JobStatus};
use pms_ingest::source::salesforce::records::SfObject;
use pms_ingest::testing::test_sf_id;
use pms_server::config::Config;
use pms_server::startup::Application;
use pms_store::Db;
use reqwest::header::{ACCEPT, LOCATION, ORIGIN};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use sqlx::PgPool;

const PASSWORD: &str = "Correct-Horse-Battery-9";

const SECURITY_MASTER: &str = "\
ISIN,SECURITY_NAME,ASSET_CLASS,SECTOR,MARKET_CAP,RATING,SECURITY_TYPE
INE002A01018,Reliance Industries Ltd,Equity,Oil & Gas,Large Cap,,Equity Share
INE009A01021,Infosys Ltd,Equity,Information Technology,Large Cap,,Equity Share
INE040A01034,HDFC Bank Ltd,Equity,Financial Services,Large Cap,,Equity Share
";

/// Line 2: an ISIN with a wrong check digit; line 3: no name; line 4: an unknown asset class.
const BAD_SECURITY_MASTER: &str = "\
ISIN,SECURITY_NAME,ASSET_CLASS,SECTOR,MARKET_CAP,RATING,SECURITY_TYPE
INE002A01019,Reliance Industries Ltd,Equity,Oil & Gas,Large Cap,,Equity Share
INE009A01021,,Equity,Information Technology,Large Cap,,Equity Share
INE040A01034,HDFC Bank Ltd,Crypto,Financial Services,Large Cap,,Equity Share
";

struct TestApp {
    base: String,
    db: Db,
    config: Config,
    _dir: tempfile::TempDir,
}

impl TestApp {
    async fn start(pool: PgPool) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::from_env().expect("configuration");
        config.bind = "127.0.0.1:0".parse().expect("address");
        config.data_dir = dir.path().to_owned();
        config.drop_dir = Some(dir.path().join("drop"));
        config.master_key = None;
        config.public_origin = None;
        config.demo_on_empty = false;
        config.login_rate_per_minute = 1000;
        config.salesforce_schedule = None;
        config.wealth_spectrum_schedule = None;
        config.profile_file = None;
        let db = Db::from_pool(pool);
        let app = Application::build(&config, db.clone())
            .await
            .expect("application builds");
        let base = format!("http://{}", app.address());
        tokio::spawn(app.run_until(std::future::pending()));
        TestApp {
            base,
            db,
            config,
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn user(&self, email: &str, role: Role) {
        common::add_user_with_password(&self.db, email, role, PASSWORD).await;
    }

    /// A signed-in client (session cookie) that sends the Hub's own Origin, as its pages do.
    async fn sign_in(&self, email: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(ORIGIN, self.base.parse().expect("origin"));
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        let res = client
            .post(self.url("/api/auth/login"))
            .form(&[("email", email), ("password", PASSWORD), ("next", "/")])
            .send()
            .await
            .expect("login");
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "login answered {}",
            res.status()
        );
        client
    }

    async fn upload(
        &self,
        client: &reqwest::Client,
        name: &str,
        text: &str,
        report: &str,
    ) -> reqwest::Response {
        let form = Form::new().text("report", report.to_owned()).part(
            "file",
            Part::bytes(text.as_bytes().to_vec())
                .file_name(name.to_owned())
                .mime_str("text/csv")
                .expect("mime"),
        );
        client
            .post(self.url("/ingest/upload"))
            .header(ACCEPT, "application/json")
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }

    async fn upload_job(&self, client: &reqwest::Client, name: &str, text: &str) -> i64 {
        let res = self.upload(client, name, text, "").await;
        assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
        let body: serde_json::Value = res.json().await.expect("json");
        body["job_id"].as_i64().expect("job_id")
    }

    async fn job(&self, client: &reqwest::Client, job_id: i64) -> IngestJobDetail {
        let res = client
            .post(self.url("/api/ingest/job"))
            .form(&[("job_id", job_id.to_string()), ("errors_page", "1".into())])
            .send()
            .await
            .expect("job");
        assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
        res.json().await.expect("job json")
    }

    /// Polls the job (as the page does) until it has finished.
    async fn finished(&self, client: &reqwest::Client, job_id: i64) -> IngestJobDetail {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let detail = self.job(client, job_id).await;
            if !detail.job.status.is_active() {
                return detail;
            }
            assert!(
                Instant::now() < deadline,
                "job {job_id} did not finish: {detail:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_steward_uploads_a_report_and_a_bad_file_and_downloads_its_errors(pool: PgPool) {
    let app = TestApp::start(pool).await;
    app.user("steward@firm.in", Role::DataSteward).await;
    let client = app.sign_in("steward@firm.in").await;

    // A good file: recognised by its headers, loaded, counted.
    let job_id = app
        .upload_job(&client, "Scrip Master Nov.csv", SECURITY_MASTER)
        .await;
    let done = app.finished(&client, job_id).await;
    assert_eq!(
        done.job.status,
        JobStatus::Succeeded,
        "{:?}",
        done.job.message
    );
    assert_eq!(done.job.report, "security_master");
    assert_eq!(done.job.trigger, "upload");
    assert_eq!(done.job.requested_by.as_deref(), Some("steward@firm.in"));
    assert_eq!(done.job.file_name.as_deref(), Some("Scrip Master Nov.csv"));
    assert_eq!(
        (
            done.job.rows_read,
            done.job.rows_inserted,
            done.job.rows_updated
        ),
        (3, 3, 0)
    );
    assert_eq!(done.errors.total, 0);

    // The same file again changes nothing.
    let again = app
        .upload_job(&client, "Scrip Master Nov.csv", SECURITY_MASTER)
        .await;
    let again = app.finished(&client, again).await;
    assert_eq!(again.job.status, JobStatus::Succeeded);
    assert_eq!((again.job.rows_inserted, again.job.rows_unchanged), (0, 3));

    // A bad file is rejected whole, with each problem's line and column.
    let bad = app
        .upload_job(&client, "security_master_bad.csv", BAD_SECURITY_MASTER)
        .await;
    let rejected = app.finished(&client, bad).await;
    assert_eq!(rejected.job.status, JobStatus::Rejected);
    assert!(rejected.job.error_count >= 3, "{rejected:?}");
    let lines: Vec<(Option<i64>, Option<String>)> = rejected
        .errors
        .items
        .iter()
        .map(|e| (e.line, e.column.clone()))
        .collect();
    assert!(lines.contains(&(Some(2), Some("ISIN".into()))), "{lines:?}");
    assert!(
        lines.contains(&(Some(3), Some("SECURITY_NAME".into()))),
        "{lines:?}"
    );
    assert!(
        lines.contains(&(Some(4), Some("ASSET_CLASS".into()))),
        "{lines:?}"
    );
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM dim_security ORDER BY isin")
        .fetch_all(app.db.pool())
        .await
        .expect("securities");
    assert_eq!(
        names[0], "Reliance Industries Ltd",
        "nothing of the bad file was loaded"
    );

    // The list shows all three, newest first.
    let res = client
        .post(app.url("/api/ingest/jobs"))
        .form(&[("page", "1")])
        .send()
        .await
        .expect("list");
    let list: IngestJobList = res.json().await.expect("list json");
    let ids: Vec<i64> = list.jobs.items.iter().map(|j| j.job_id).collect();
    assert_eq!(ids, vec![bad, again.job.job_id, job_id]);
    assert!(!list.any_active);

    // The problems as CSV.
    let res = client
        .get(app.url(&format!("/ingest/jobs/{bad}/errors.csv")))
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv")));
    assert!(res
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(&format!("job-{bad}-errors.csv"))));
    let csv = res.text().await.expect("csv text");
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("line,column,value,reason"));
    let body: Vec<&str> = rows.collect();
    assert_eq!(body.len() as i64, rejected.errors.total);
    assert!(
        body.iter().any(|r| r.starts_with("2,ISIN,INE002A01019,")),
        "{csv}"
    );

    // Both the uploads and the download are in the audit trail.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action IN ('ingest.upload', 'export.ingest_errors') ORDER BY seq",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("audit");
    assert_eq!(
        actions,
        vec![
            "ingest.upload",
            "ingest.upload",
            "ingest.upload",
            "export.ingest_errors"
        ]
    );
    // …and uploaded files do not pile up on the server.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(app.config.data_dir.join("uploads"))
        .map(|d| d.count())
        .unwrap_or(0)
        > 0
    {
        assert!(Instant::now() < deadline, "uploaded files were not removed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_plain_form_post_is_redirected_to_its_job_and_salesforce_exports_load_too(pool: PgPool) {
    let app = TestApp::start(pool).await;
    app.user("admin@firm.in", Role::Admin).await;
    let client = app.sign_in("admin@firm.in").await;

    // Without JavaScript the browser posts the form and wants a page back.
    // The report is named explicitly (the file name suggests none).
    let form = Form::new().text("report", "security_master").part(
        "file",
        Part::bytes(SECURITY_MASTER.as_bytes().to_vec()).file_name("masters.csv"),
    );
    let res = client
        .post(app.url("/ingest/upload"))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .multipart(form)
        .send()
        .await
        .expect("form post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let job_id: i64 = location
        .strip_prefix("/ingest?job=")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to {location}"));
    let done = app.finished(&client, job_id).await;
    assert_eq!(
        done.job.status,
        JobStatus::Succeeded,
        "{:?}",
        done.job.message
    );
    assert_eq!(done.job.report, "security_master");
    assert_eq!(done.job.rows_inserted, 3);

    // A form post without a file comes back to the page with a reason.
    let res = client
        .post(app.url("/ingest/upload"))
        .header(ACCEPT, "text/html")
        .multipart(Form::new().text("report", ""))
        .send()
        .await
        .expect("empty post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
        Some("/ingest?upload_error=no_file")
    );

    // A file type the loaders cannot read is refused before anything is queued.
    let res = app.upload(&client, "statement.pdf", "%PDF-1.7", "").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // A Salesforce User export, recognised by its headers, through the Salesforce loader.
    let users = format!(
        "Id,Name,Email,Phone,EmployeeNumber,Department,IsActive,SystemModstamp\n{},Priya Sharma,priya@firm.in,,E001,Wealth,true,2026-11-20T09:00:00.000Z\n",
        test_sf_id(SfObject::User, 1)
    );
    let sf_job = app.upload_job(&client, "User.csv", &users).await;
    let sf = app.finished(&client, sf_job).await;
    assert_eq!(sf.job.status, JobStatus::Succeeded, "{:?}", sf.job.message);
    assert_eq!(sf.job.source, "salesforce_csv");
    assert_eq!(sf.job.trigger, "upload");
    assert_eq!(sf.job.requested_by.as_deref(), Some("admin@firm.in"));
    let rms: i64 = sqlx::query_scalar("SELECT count(*) FROM dim_rm WHERE sf_user_id IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .expect("rms");
    assert_eq!(rms, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_rm_may_not_upload_or_download_and_nobody_uploads_anonymously(pool: PgPool) {
    let app = TestApp::start(pool).await;
    app.user("rm@firm.in", Role::Rm).await;
    let client = app.sign_in("rm@firm.in").await;
    let res = app
        .upload(&client, "security_master.csv", SECURITY_MASTER, "")
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = res.json().await.expect("json");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("data stewards and admins")),
        "{body}"
    );
    let res = client
        .get(app.url("/ingest/jobs/1/errors.csv"))
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = client
        .post(app.url("/api/ingest/jobs"))
        .form(&[("page", "1")])
        .send()
        .await
        .expect("list");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM ingest_job")
        .fetch_one(app.db.pool())
        .await
        .expect("jobs");
    assert_eq!(jobs, 0, "nothing was queued");

    let anonymous = reqwest::Client::new();
    let res = anonymous
        .post(app.url("/ingest/upload"))
        .header(ORIGIN, &app.base)
        .multipart(Form::new().text("report", ""))
        .send()
        .await
        .expect("anonymous");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_upload_over_the_limit_is_refused_with_413(pool: PgPool) {
    // Other tests in this binary upload a few hundred bytes, well under 1 MB.
    std::env::set_var("PMS_MAX_UPLOAD_MB", "1");
    let app = TestApp::start(pool).await;
    app.user("steward@firm.in", Role::DataSteward).await;
    let client = app.sign_in("steward@firm.in").await;
    let mut big = String::from(SECURITY_MASTER);
    while big.len() < 1_300_000 {
        big.push_str(
            "INE002A01018,Reliance Industries Ltd,Equity,Oil & Gas,Large Cap,,Equity Share\n",
        );
    }
    let res = app.upload(&client, "security_master.csv", &big, "").await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = res.json().await.expect("json");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("upload limit of 1.0 MB")),
        "{body}"
    );
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM ingest_job")
        .fetch_one(app.db.pool())
        .await
        .expect("jobs");
    assert_eq!(jobs, 0);
}

fn wait_for(path: &Path, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{what} never appeared: {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[sqlx::test(migrations = "../migrations")]
async fn files_dropped_in_the_inbox_are_loaded_or_rejected_with_their_errors(pool: PgPool) {
    let app = TestApp::start(pool).await;
    let root = app.config.drop_dir.clone().expect("drop folder");
    pms_server::jobs::watch::spawn(
        app.db.clone(),
        pms_ingest::profile::Profile::default_profile(),
        root.clone(),
        Duration::from_millis(200),
    )
    .expect("watcher starts");
    let inbox = root.join("inbox");
    assert!(inbox.is_dir(), "the watcher creates inbox/");

    std::fs::write(inbox.join("security_master.csv"), SECURITY_MASTER).expect("drop");
    let done = root.join("done").join("security_master.csv");
    tokio::task::spawn_blocking(move || wait_for(&done, "done/security_master.csv"))
        .await
        .expect("wait");
    let (trigger, status, inserted): (String, String, i64) = sqlx::query_as(
        "SELECT trigger, status, rows_inserted FROM ingest_job ORDER BY job_id DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("job");
    assert_eq!(
        (trigger.as_str(), status.as_str(), inserted),
        ("watch", "succeeded", 3)
    );
    let securities: i64 = sqlx::query_scalar("SELECT count(*) FROM dim_security")
        .fetch_one(app.db.pool())
        .await
        .expect("securities");
    assert_eq!(securities, 3);

    std::fs::write(inbox.join("scrip_master_bad.csv"), BAD_SECURITY_MASTER).expect("drop");
    let errors = root
        .join("rejected")
        .join("scrip_master_bad.csv.errors.csv");
    let waited = errors.clone();
    tokio::task::spawn_blocking(move || wait_for(&waited, "the errors CSV"))
        .await
        .expect("wait");
    assert!(root.join("rejected").join("scrip_master_bad.csv").exists());
    let text = std::fs::read_to_string(&errors).expect("errors csv");
    assert!(text.starts_with("line,column,value,reason\n"), "{text}");
    assert!(text.contains("2,ISIN,INE002A01019,"), "{text}");
    assert!(listing(&inbox).is_empty(), "{:?}", listing(&inbox));
    assert!(listing(&root.join("processing")).is_empty());

    // Something the loaders cannot read is rejected with the reason, not left in the inbox.
    std::fs::write(inbox.join("notes.docx"), "not a report").expect("drop");
    let why = root.join("rejected").join("notes.docx.errors.csv");
    tokio::task::spawn_blocking(move || wait_for(&why, "notes.docx.errors.csv"))
        .await
        .expect("wait");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_scheduled_sync_runs_once_per_slot_even_with_two_servers(pool: PgPool) {
    use pms_ingest::source::salesforce::records::{SfBatch, SfUser};
    use pms_ingest::testing::SalesforceStandIn;
    use pms_server::jobs::schedule::{self, SyncSchedule, SyncTarget};

    let standin = SalesforceStandIn::start_default()
        .await
        .expect("Salesforce stand-in");
    standin.seed(&SfBatch {
        users: vec![SfUser {
            id: test_sf_id(SfObject::User, 1),
            name: "Priya Sharma".into(),
            email: Some("priya@firm.in".into()),
            phone: None,
            employee_number: Some("E001".into()),
            department: Some("Wealth".into()),
            is_active: true,
            system_modstamp: chrono::Utc::now() - chrono::Duration::hours(1),
        }],
        ..SfBatch::default()
    });
    let db = Db::from_pool(pool);
    let every_two_seconds = SyncSchedule {
        schedule: schedule::parse_cron("PMS_SF_SYNC_CRON", "*/2 * * * * *").expect("cron"),
        target: SyncTarget::Salesforce(standin.client_credentials_config()),
    };
    // Two servers with the same schedule against one database.
    for _ in 0..2 {
        schedule::spawn(
            db.clone(),
            pms_ingest::profile::Profile::default_profile(),
            vec![every_two_seconds.clone()],
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let runs = loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let runs: Vec<(String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
            "SELECT status, trigger, created_at FROM ingest_job WHERE source = 'salesforce_api' ORDER BY job_id",
        )
        .fetch_all(db.pool())
        .await
        .expect("jobs");
        // Three finished runs; a later slot's run may still be going when we look.
        if runs
            .iter()
            .filter(|(status, ..)| status != "running")
            .count()
            >= 3
        {
            break runs;
        }
        assert!(
            Instant::now() < deadline,
            "the schedule did not run: {runs:?}"
        );
    };
    for (status, trigger, _) in runs.iter().filter(|(status, ..)| status != "running") {
        assert_eq!(
            (status.as_str(), trigger.as_str()),
            ("succeeded", "schedule"),
            "{runs:?}"
        );
    }
    // One run per two-second slot: never two runs of one slot.
    for pair in runs.windows(2) {
        let gap = pair[1].2 - pair[0].2;
        assert!(
            gap >= chrono::Duration::milliseconds(1500),
            "two runs {gap} apart: {runs:?}"
        );
    }
    let rms: i64 = sqlx::query_scalar("SELECT count(*) FROM dim_rm WHERE sf_user_id IS NOT NULL")
        .fetch_one(db.pool())
        .await
        .expect("rms");
    assert_eq!(rms, 1);
}
