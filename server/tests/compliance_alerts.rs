//! Compliance alerts end to end: a real load that downgrades a held bond opens alerts under the
//! downgrade rule, writes a `compliance.breach` webhook event and queues e-mails to the RM and
//! the compliance officers in the same transaction; alerts are seen within each caller's scope,
//! acknowledged by the RM, resolved (with a note) only by compliance; a rule switched off
//! clears its alerts; the e-mails reach an SMTP server.

mod common;

use std::sync::{Arc, Mutex};

use common::{TestApp, DEMO_PASSWORD};
use pms_server::jobs::alerts::Mailer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";
const STEWARD: &str = "farah.qureshi@sahyadricapital.example";
const COMPLIANCE: &str = "omkar.deshpande@sahyadricapital.example";
const RM: &str = "anand.singhania@sahyadricapital.example";

/// A debt security held in some portfolio of `rm_email`'s book and rated AAA: (ISIN, the
/// security master line with `rating` instead).
async fn held_aaa_bond(pool: &PgPool, rm_email: &str, rating: &str) -> (String, String) {
    let (isin, name, sector, kind): (String, String, Option<String>, Option<String>) =
        sqlx::query_as(
            "SELECT s.isin, s.name, s.sector, s.security_type FROM dim_security s
             WHERE s.asset_class = 'Debt' AND s.rating = 'AAA' AND EXISTS (
                 SELECT 1 FROM fact_holding h
                 JOIN dim_portfolio p ON p.portfolio_id = h.portfolio_id AND p.status = 'Active'
                 JOIN dim_client c ON c.client_id = p.client_id
                 JOIN app_user u ON u.rm_id = c.rm_id AND u.email = $1
                 WHERE h.security_id = s.security_id)
             ORDER BY s.isin LIMIT 1",
        )
        .bind(rm_email)
        .fetch_one(pool)
        .await
        .expect("the RM's book holds a AAA bond");
    let csv = format!(
        "ISIN,SECURITY_NAME,ASSET_CLASS,SECTOR,MARKET_CAP,RATING,SECURITY_TYPE\n{isin},{name},Debt,{},,{rating},{}\n",
        sector.unwrap_or_default(),
        kind.unwrap_or_default()
    );
    (isin, csv)
}

async fn alerts(user: &reqwest::Client, app: &TestApp, query: &[(&str, &str)]) -> Value {
    common::get_json(user, app.url("/api/v1/alerts"), query).await
}

async fn display_name(pool: &PgPool, email: &str) -> String {
    sqlx::query_scalar("SELECT display_name FROM app_user WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn ids(list: &Value) -> Vec<i64> {
    list["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alert_id"].as_i64().unwrap())
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_load_that_downgrades_a_held_bond_opens_alerts_with_webhook_and_emails_in_one_go(
    pool: PgPool,
) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let created: Value = common::server_fn(
        &admin,
        app.url("/api/admin/webhooks/create"),
        &[
            ("name", "Risk system"),
            ("url", "http://127.0.0.1:9/hooks"),
            ("compliance_breach", "on"),
        ],
    )
    .await;
    assert!(created["secret"].is_string(), "{created}");

    // The demo data's own breaches (concentration, say) are opened by the first evaluation.
    let first = pms_service::alerts::evaluate(&app.db, Some("https://hub.example"))
        .await
        .unwrap();
    assert!(first.is_some());
    assert_eq!(
        pms_service::alerts::evaluate(&app.db, None).await.unwrap(),
        None,
        "nothing to do at the same data version"
    );
    let downgrades_before: i64 =
        sqlx::query_scalar("SELECT count(*) FROM compliance_alert WHERE kind = 'downgrade'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(downgrades_before, 0);
    let events_before: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_event")
        .fetch_one(&pool)
        .await
        .unwrap();

    // A security master load lowers the bond from AAA to BBB: eight notches.
    let (isin, csv) = held_aaa_bond(&pool, RM, "BBB").await;
    let steward = app.login(STEWARD, DEMO_PASSWORD).await;
    let job = common::upload(&app, &steward, "security_master.csv", &csv).await;
    let status: String = sqlx::query_scalar("SELECT status FROM ingest_job WHERE job_id = $1")
        .bind(job)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "succeeded");
    let opened = pms_service::alerts::evaluate(&app.db, Some("https://hub.example"))
        .await
        .unwrap()
        .expect("a new data version is evaluated");
    let holders: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT h.portfolio_id) FROM fact_holding h
         JOIN dim_security s USING (security_id) JOIN dim_portfolio p USING (portfolio_id)
         WHERE s.isin = $1 AND p.status = 'Active'
           AND h.as_of = (SELECT max(as_of) FROM fact_holding l WHERE l.portfolio_id = h.portfolio_id)",
    )
    .bind(&isin)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(holders > 0);
    let (downgrades, value): (i64, f64) = sqlx::query_as(
        "SELECT count(*), max(value) FROM compliance_alert
         WHERE kind = 'downgrade' AND status = 'open' AND subject LIKE '%' || $1 || '%'",
    )
    .bind(&isin)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(downgrades, holders, "one alert per portfolio holding it");
    assert_eq!(value, 8.0, "AAA → BBB is eight notches");
    assert!(opened as i64 >= holders);

    // The webhook event of each new alert, written with it.
    let events: Vec<Value> = sqlx::query_scalar(
        "SELECT payload FROM webhook_event WHERE event_type = 'compliance.breach' AND event_id > $1",
    )
    .bind(events_before)
    .fetch_all(&pool)
    .await
    .unwrap();
    let downgrade_events = events.iter().filter(|e| e["rule"] == "downgrade").count();
    assert_eq!(downgrade_events as i64, holders);
    let pending: i64 =
        sqlx::query_scalar("SELECT count(*) FROM webhook_delivery WHERE status = 'pending'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(pending >= holders);

    // E-mails: the compliance officers hear of every new alert, the RM of theirs.
    let emails: Vec<(Vec<String>, String, String)> =
        sqlx::query_as("SELECT recipients, subject, body FROM email_outbox ORDER BY email_id DESC")
            .fetch_all(&pool)
            .await
            .unwrap();
    let to_compliance = emails
        .iter()
        .find(|(to, _, _)| to.iter().any(|t| t == COMPLIANCE))
        .expect("an e-mail to compliance");
    assert!(to_compliance.1.contains("new compliance alert"));
    assert!(to_compliance.2.contains(&isin), "{}", to_compliance.2);
    assert!(to_compliance.2.contains("https://hub.example/alerts"));
    let rm_address: String = sqlx::query_scalar(
        "SELECT r.email FROM dim_rm r JOIN app_user u ON u.rm_id = r.rm_id WHERE u.email = $1",
    )
    .bind(RM)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        emails
            .iter()
            .any(|(to, _, body)| to == &vec![rm_address.clone()] && body.contains(&isin)),
        "the RM is told of the downgrade in their book"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn alerts_are_scoped_acknowledged_by_the_rm_resolved_by_compliance_and_cleared_when_a_rule_is_off(
    pool: PgPool,
) {
    let app = TestApp::start(pool.clone(), true).await;
    let (_, csv) = held_aaa_bond(&pool, RM, "A-").await;
    let steward = app.login(STEWARD, DEMO_PASSWORD).await;
    common::upload(&app, &steward, "security_master.csv", &csv).await;
    pms_service::alerts::evaluate(&app.db, None).await.unwrap();

    let rm = app.login(RM, DEMO_PASSWORD).await;
    let compliance = app.login(COMPLIANCE, DEMO_PASSWORD).await;
    let everyone: Value = alerts(&compliance, &app, &[("kind", "downgrade")]).await;
    let mine: Value = alerts(&rm, &app, &[("kind", "downgrade")]).await;
    let (all_ids, my_ids) = (ids(&everyone), ids(&mine));
    assert!(!my_ids.is_empty());
    assert!(my_ids.iter().all(|id| all_ids.contains(id)));
    assert_eq!(mine["can_manage"], false);
    assert_eq!(everyone["can_manage"], true);
    // The RM sees only their book's alerts, by every route.
    let all_open: Value = alerts(&compliance, &app, &[]).await;
    let rm_open: Value = alerts(&rm, &app, &[]).await;
    assert!(rm_open["total"].as_i64() < all_open["total"].as_i64());
    let outside = ids(&all_open)
        .into_iter()
        .find(|id| !ids(&rm_open).contains(id));
    if let Some(outside) = outside {
        let res = rm
            .post(app.url(&format!("/api/v1/alerts/{outside}/acknowledge")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "another book's alert");
    }

    // The RM acknowledges one of theirs (with a note); resolving is not theirs to do.
    let alert = my_ids[0].to_string();
    let acked: Value = common::server_fn(
        &rm,
        app.url("/api/alerts/acknowledge"),
        &[
            ("alert_id", alert.as_str()),
            ("note", "Talking to the client"),
        ],
    )
    .await;
    assert_eq!(acked["status"], "acknowledged", "{acked}");
    assert_eq!(acked["acknowledged_by"], display_name(&pool, RM).await);
    let refused = rm
        .post(app.url(&format!("/api/v1/alerts/{alert}/resolve")))
        .json(&json!({ "note": "done" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let again = rm
        .post(app.url(&format!("/api/v1/alerts/{alert}/acknowledge")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "acknowledged already"
    );

    // Compliance resolves it, and must say what was done.
    let no_note = compliance
        .post(app.url(&format!("/api/v1/alerts/{alert}/resolve")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_note.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resolved: Value = compliance
        .post(app.url(&format!("/api/v1/alerts/{alert}/resolve")))
        .json(&json!({ "note": "Bond sold on 2 Dec" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(
        resolved["note"],
        "Talking to the client\nBond sold on 2 Dec"
    );
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'alert.%' ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(audited, vec!["alert.acknowledged", "alert.resolved"]);
    // Evaluated again on the same data, the breach it resolved is not raised again.
    sqlx::query("UPDATE alert_evaluation SET evaluated_version = -1")
        .execute(&pool)
        .await
        .unwrap();
    assert!(pms_service::alerts::evaluate(&app.db, None)
        .await
        .unwrap()
        .is_some());
    let reraised: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM compliance_alert a JOIN compliance_alert r
             ON r.kind = a.kind AND r.portfolio_id = a.portfolio_id AND r.subject = a.subject
         WHERE r.alert_id = $1 AND a.alert_id <> r.alert_id",
    )
    .bind(my_ids[0])
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        reraised, 0,
        "a resolution holds until newer data shows the breach"
    );

    // RMs may not change rules; compliance switches the downgrade rule off, and the next
    // evaluation clears the rule's open alerts (resolved by nobody: the data no longer shows them).
    let rule_change = json!({ "threshold": 30, "active": false });
    let refused = rm
        .put(app.url("/api/v1/alert-rules/downgrade"))
        .json(&rule_change)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let bad = compliance
        .put(app.url("/api/v1/alert-rules/downgrade"))
        .json(&json!({ "threshold": 0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let rule: Value = compliance
        .put(app.url("/api/v1/alert-rules/downgrade"))
        .json(&rule_change)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rule["active"], false, "{rule}");
    assert_eq!(rule["threshold"], 30.0);
    assert_eq!(rule["updated_by"], display_name(&pool, COMPLIANCE).await);
    assert!(pms_service::alerts::evaluate(&app.db, None)
        .await
        .unwrap()
        .is_some());
    let still_open: Value = alerts(&compliance, &app, &[("kind", "downgrade")]).await;
    assert_eq!(still_open["total"], 0);
    let cleared_by_load: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM compliance_alert
         WHERE kind = 'downgrade' AND status = 'resolved' AND resolved_by IS NULL AND note LIKE 'Cleared:%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(cleared_by_load, everyone["total"].as_i64().unwrap() - 1);
    // A concentration limit the Compliance page shows is the rule's threshold.
    let sector: Value = compliance
        .put(app.url("/api/v1/alert-rules/sector"))
        .json(&json!({ "threshold": 0.5 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        sector["description"],
        "One sector above 50% of a portfolio's value"
    );
    let overview: Value =
        common::server_fn(&compliance, app.url("/api/compliance/overview"), &[]).await;
    assert!(overview["limits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l == "One sector above 50% of a portfolio's value"));
    // Nonsense is refused clearly, an empty value too (the description lists the values).
    for query in ["status=closed", "status=", "kind=liquidity", "kind="] {
        let unknown = compliance
            .get(app.url(&format!("/api/v1/alerts?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::BAD_REQUEST, "{query}");
    }
}

/// An SMTP server on 127.0.0.1 that accepts every message and keeps what it was sent.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut transcript = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    transcript.push_str(&line);
                    transcript.push('\n');
                    let reply: &[u8] = if in_data {
                        if line == "." {
                            in_data = false;
                            b"250 queued\r\n"
                        } else {
                            continue;
                        }
                    } else {
                        match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                            "EHLO" | "HELO" => b"250 test\r\n",
                            "DATA" => {
                                in_data = true;
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.unwrap();
                                break;
                            }
                            _ => b"250 ok\r\n",
                        }
                    };
                    write.write_all(reply).await.unwrap();
                }
                log.lock().unwrap().push(transcript);
            });
        }
    });
    (port, got)
}

#[sqlx::test(migrations = "../migrations")]
async fn queued_alert_emails_are_sent_over_smtp_and_marked_sent(pool: PgPool) {
    let app = TestApp::start(pool.clone(), false).await;
    sqlx::query(
        "INSERT INTO email_outbox (recipients, subject, body) VALUES
         (ARRAY['omkar.deshpande@sahyadricapital.example'], 'PMS Intelligence Hub: 1 new compliance alert', 'Sector concentration: WS00001')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (port, got) = smtp_server().await;
    let mailer = Mailer::from_settings(
        Some(&format!("smtp://127.0.0.1:{port}")),
        Some("Hub <hub@sahyadricapital.example>"),
    )
    .unwrap()
    .expect("a mailer");
    assert_eq!(mailer.send_due(&app.db).await.unwrap(), 1);
    assert_eq!(mailer.send_due(&app.db).await.unwrap(), 0, "sent once");
    let status: String = sqlx::query_scalar("SELECT status FROM email_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "sent");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let transcript = got.lock().unwrap().join("");
    assert!(
        transcript.contains("RCPT TO:<omkar.deshpande@sahyadricapital.example>"),
        "{transcript}"
    );
    assert!(transcript.contains("Subject: PMS Intelligence Hub: 1 new compliance alert"));
    assert!(transcript.contains("Sector concentration: WS00001"));

    // A mail server that cannot be reached: the e-mail waits for a retry, with the reason.
    sqlx::query("INSERT INTO email_outbox (recipients, subject, body) VALUES (ARRAY['a@b.example'], 's', 'b')")
        .execute(&pool)
        .await
        .unwrap();
    let unreachable = Mailer::from_settings(Some("smtp://127.0.0.1:9"), None)
        .unwrap()
        .unwrap();
    assert_eq!(unreachable.send_due(&app.db).await.unwrap(), 1);
    let (status, error): (String, Option<String>) = sqlx::query_as(
        "SELECT status, last_error FROM email_outbox WHERE recipients = ARRAY['a@b.example']",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(status, "pending");
    assert!(error.is_some());
    // Settings that cannot work are refused at start-up with what to write instead.
    assert!(Mailer::from_settings(Some("ftp://x"), None)
        .err()
        .unwrap()
        .contains("PMS_SMTP_URL"));
    assert!(
        Mailer::from_settings(Some("smtp://x"), Some("not an address"))
            .err()
            .unwrap()
            .contains("PMS_MAIL_FROM")
    );
    assert!(Mailer::from_settings(None, None).unwrap().is_none());
}
