//! Every request has an id: the response says it, and every log line written while serving it —
//! the access line, and the SQL a use case runs — carries it, so an operator can follow one
//! request from HTTP to the database.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{TestApp, DEMO_PASSWORD};
use sqlx::PgPool;
use tracing_subscriber::EnvFilter;

const RM: &str = "anand.singhania@sahyadricapital.example";

/// The log as JSON lines, shared with the test.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("log poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    fn install() -> Self {
        let log = Self::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_env_filter(EnvFilter::new("info,sqlx::query=debug"))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("one subscriber per test binary");
        log
    }

    fn lines(&self) -> Vec<serde_json::Value> {
        let bytes = self.0.lock().expect("log").clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

fn in_request(line: &serde_json::Value, id: &str) -> bool {
    line["spans"]
        .as_array()
        .is_some_and(|spans| spans.iter().any(|s| s["request_id"] == id))
}

fn in_span(line: &serde_json::Value, name: &str) -> bool {
    line["spans"]
        .as_array()
        .is_some_and(|spans| spans.iter().any(|s| s["name"] == name))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_request_id_reaches_the_response_and_every_log_line_down_to_the_sql(pool: PgPool) {
    let log = CapturedLog::install();
    let app = TestApp::start(pool, true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;

    // Without an id of its own, a request gets a fresh UUID.
    let fresh = rm.get(app.url("/api/v1/me")).send().await.expect("request");
    let fresh_id = fresh.headers()["x-request-id"]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(
        uuid::Uuid::parse_str(&fresh_id).is_ok(),
        "a generated id is a UUID, got {fresh_id:?}"
    );

    // A proxy's id is kept, so its logs and ours line up.
    let forwarded = rm
        .get(app.url("/api/v1/clients?page_size=5"))
        .header("x-request-id", "lb-7f3a9c")
        .send()
        .await
        .expect("request");
    assert!(forwarded.status().is_success());
    assert_eq!(forwarded.headers()["x-request-id"], "lb-7f3a9c");

    // One that could forge a log line is replaced.
    let forged = rm
        .get(app.url("/api/v1/me"))
        .header("x-request-id", "x\" level=ERROR msg=forged")
        .send()
        .await
        .expect("request");
    let replaced = forged.headers()["x-request-id"].to_str().expect("text");
    assert!(uuid::Uuid::parse_str(replaced).is_ok());

    let lines = log.lines();
    let access = lines
        .iter()
        .find(|l| in_request(l, "lb-7f3a9c") && l["fields"]["message"] == "answered")
        .expect("an access line with the request id");
    assert_eq!(access["fields"]["status"], 200);
    assert_eq!(access["span"]["path"], "/api/v1/clients");
    // The session lookup runs before the use case; the list's own queries run inside it.
    assert!(
        lines.iter().any(|l| l["target"] == "sqlx::query"
            && in_request(l, "lb-7f3a9c")
            && in_span(l, "clients.list")),
        "the use case's SQL is logged inside the request's and the use case's spans"
    );
    assert!(
        !lines.iter().any(|l| l.to_string().contains("forged")),
        "nothing the caller sent as an id reached the log"
    );
}
