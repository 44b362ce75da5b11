//! Webhooks end to end: an admin registers a receiver on 127.0.0.1, real loads (one good, one
//! rejected) write their events to the outbox in the transaction that ends them, the sender
//! delivers them signed (the receiver verifies each signature with its own HMAC), a receiver
//! that fails is tried again later, and the delivery log says what happened.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use common::{TestApp, DEMO_PASSWORD};
use hmac::{Hmac, Mac};
use pms_server::jobs::webhooks::Sender;
use serde_json::Value;
use sha2::Sha256;
use sqlx::PgPool;

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";
const STEWARD: &str = "farah.qureshi@sahyadricapital.example";
const RM: &str = "anand.singhania@sahyadricapital.example";

const SECURITY_MASTER: &str = "\
ISIN,SECURITY_NAME,ASSET_CLASS,SECTOR,MARKET_CAP,RATING,SECURITY_TYPE
INE002A01018,Reliance Industries Ltd,Equity,Oil & Gas,Large Cap,,Equity Share
";
const BAD_SECURITY_MASTER: &str = "\
ISIN,SECURITY_NAME,ASSET_CLASS,SECTOR,MARKET_CAP,RATING,SECURITY_TYPE
INE002A01019,Reliance Industries Ltd,Equity,Oil & Gas,Large Cap,,Equity Share
";

/// What the receiver got: headers and body of each request.
type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver on 127.0.0.1 that answers the given statuses in turn (then 204).
async fn receiver(statuses: Vec<u16>) -> (String, Received) {
    let received: Received = Arc::default();
    let plan = Arc::new(Mutex::new(statuses.into_iter()));
    let log = received.clone();
    let app = axum::Router::new().route(
        "/hooks",
        post(move |headers: HeaderMap, body: String| {
            let (log, plan) = (log.clone(), plan.clone());
            async move {
                log.lock().unwrap().push((headers, body));
                let next = plan.lock().unwrap().next().unwrap_or(204);
                StatusCode::from_u16(next).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// The receiver's check, written from the Standard Webhooks specification (not with the Hub's
/// code): HMAC-SHA256 of id.timestamp.body under the secret's bytes, base64, after `v1,`.
fn signature_verifies(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let get = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let timestamp: i64 = get("webhook-timestamp").parse().unwrap();
    assert!(
        (chrono::Utc::now().timestamp() - timestamp).abs() < 300,
        "a fresh timestamp"
    );
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", get("webhook-id"), timestamp, body).as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    get("webhook-signature")
        .split(' ')
        .any(|s| s == format!("v1,{expected}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn load_events_reach_a_receiver_signed_and_a_failing_receiver_is_tried_again(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let keys =
        pms_server::startup::master_key(&common::test_config(app.data_dir.path().to_owned()))
            .unwrap();
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    // The receiver fails the first attempt.
    let (url, received) = receiver(vec![503]).await;
    let created: Value = common::server_fn(
        &admin,
        app.url("/api/admin/webhooks/create"),
        &[
            ("name", "Back office"),
            ("url", url.as_str()),
            ("load_completed", "on"),
            ("load_failed", "on"),
        ],
    )
    .await;
    let secret = created["secret"]
        .as_str()
        .expect("the secret, once")
        .to_owned();

    let steward = app.login(STEWARD, DEMO_PASSWORD).await;
    let good = common::upload(&app, &steward, "scrips.csv", SECURITY_MASTER).await;
    let bad = common::upload(&app, &steward, "scrips.csv", BAD_SECURITY_MASTER).await;

    let sender = Sender::new(1);
    assert_eq!(sender.deliver_due(&app.db, &keys).await.unwrap(), 2);
    // One delivered, one refused (503) and waiting a second before its retry.
    assert_eq!(received.lock().unwrap().len(), 2);
    assert_eq!(
        sender.deliver_due(&app.db, &keys).await.unwrap(),
        0,
        "not due yet"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(sender.deliver_due(&app.db, &keys).await.unwrap(), 1);

    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    for (headers, body) in &got {
        assert!(signature_verifies(&secret, headers, body), "{body}");
        assert!(!signature_verifies(
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            headers,
            body
        ));
    }
    let events: Vec<Value> = got
        .iter()
        .map(|(_, b)| serde_json::from_str(b).unwrap())
        .collect();
    let of = |job: i64| events.iter().find(|e| e["data"]["job_id"] == job).unwrap();
    assert_eq!(of(good)["type"], "load.completed");
    assert_eq!(of(good)["data"]["rows_inserted"], 1);
    assert_eq!(of(bad)["type"], "load.failed");
    assert_eq!(of(bad)["data"]["status"], "rejected");
    // A retry is the same message: the same id, so a receiver can drop the duplicate.
    assert_eq!(got[0].0["webhook-id"], got[2].0["webhook-id"]);

    // The delivery log tells it.
    let log: Value = admin
        .post(app.url("/api/admin/webhooks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deliveries = log["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries.iter().all(|d| d["status"] == "delivered"));
    assert_eq!(
        deliveries
            .iter()
            .map(|d| d["attempts"].as_i64().unwrap())
            .sum::<i64>(),
        3
    );
    assert_eq!(log["subscribers"][0]["delivered"], 2);
    // Registering is audited; the secret is not in the audit trail.
    let audit: String = sqlx::query_scalar(
        "SELECT details::text FROM audit_log WHERE action = 'admin.webhook_added'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(audit.contains("Back office") && !audit.contains(&secret));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_receiver_that_never_answers_is_given_up_after_eight_tries_and_only_admins_manage_receivers(
    pool: PgPool,
) {
    let app = TestApp::start(pool.clone(), true).await;
    let keys =
        pms_server::startup::master_key(&common::test_config(app.data_dir.path().to_owned()))
            .unwrap();
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let (url, received) = receiver(vec![500; 20]).await;
    let created: Value = common::server_fn(
        &admin,
        app.url("/api/admin/webhooks/create"),
        &[
            ("name", "Broken"),
            ("url", url.as_str()),
            ("load_completed", "on"),
        ],
    )
    .await;
    assert!(created["secret"].is_string());
    let subscriber: i64 = sqlx::query_scalar("SELECT subscriber_id FROM webhook_subscriber")
        .fetch_one(&pool)
        .await
        .unwrap();
    // The console's test event goes to this receiver only.
    let queued: String = common::server_fn(
        &admin,
        app.url("/api/admin/webhooks/test"),
        &[("subscriber_id", subscriber.to_string().as_str())],
    )
    .await;
    assert!(queued.contains("queued"), "{queued}");
    let sender = Sender::new(1);
    for attempt in 1..=8 {
        // Make the retry due now rather than wait out the backoff.
        sqlx::query("UPDATE webhook_delivery SET next_attempt_at = now() WHERE status = 'pending'")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            sender.deliver_due(&app.db, &keys).await.unwrap(),
            1,
            "attempt {attempt}"
        );
    }
    sqlx::query("UPDATE webhook_delivery SET next_attempt_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        sender.deliver_due(&app.db, &keys).await.unwrap(),
        0,
        "given up"
    );
    assert_eq!(received.lock().unwrap().len(), 8);
    let (status, last): (String, Option<String>) =
        sqlx::query_as("SELECT status, last_error FROM webhook_delivery")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "failed");
    assert!(last.unwrap().contains("500"));

    // Paused receivers get nothing; RMs may not touch webhooks.
    let paused = admin
        .post(app.url("/api/admin/webhooks/active"))
        .form(&[
            ("subscriber_id", subscriber.to_string()),
            ("active", "false".into()),
        ])
        .send()
        .await
        .unwrap();
    assert!(paused.status().is_success());
    let rm = app.login(RM, DEMO_PASSWORD).await;
    for (path, form) in [
        ("/api/admin/webhooks", vec![]),
        (
            "/api/admin/webhooks/delete",
            vec![("subscriber_id", subscriber.to_string())],
        ),
    ] {
        let refused = rm.post(app.url(path)).form(&form).send().await.unwrap();
        assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN, "{path}");
    }
    let bad_url = admin
        .post(app.url("/api/admin/webhooks/create"))
        .form(&[
            ("name", "X"),
            ("url", "file:///etc/passwd"),
            ("load_completed", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_url.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
}
