//! The audit trail is append-only and tamper-evident: the application cannot change a row, and
//! when someone with owner rights does (trigger disabled, row edited, deleted, re-sealed or cut
//! off the end), `pms-hub audit verify` names the first broken row and fails.

use std::process::Command;

use pms_store::audit::{seal_record, AuditEvent, AuditKey, AuditRecord, ChainStatus};
use pms_store::Db;
use serde_json::json;
use sqlx::PgPool;

fn database_url(name: &str) -> String {
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => format!("postgres://postgres@127.0.0.1:5432/{name}"),
    }
}

/// The master key the CLI runs with in these tests (base64 of 32 bytes).
const MASTER_KEY: &str = "dGVzdC1tYXN0ZXIta2V5LWZvci1pbnRlZ3JhdGlvbiE=";

/// The store handle the application would have: sealing with the key derived from the master
/// key.
fn keyed(pool: &PgPool) -> Db {
    let key = pms_auth::MasterKey::load_or_create(
        Some(MASTER_KEY),
        &std::env::temp_dir().join("unused.key"),
    )
    .expect("master key")
    .0;
    Db::from_pool(pool.clone()).with_audit_key(key.audit_key())
}

fn verify(url: &str) -> (bool, String) {
    verify_with(url, &[])
}

fn verify_with(url: &str, args: &[&str]) -> (bool, String) {
    let data_dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pms-hub"))
        .args(["audit", "verify"])
        .args(args)
        .env("DATABASE_URL", url)
        .env("PMS_MASTER_KEY", MASTER_KEY)
        .env("PMS_DATA_DIR", data_dir.path())
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn record(db: &Db, n: usize) {
    for i in 0..n {
        db.audit(&AuditEvent {
            actor_user_id: Some(7),
            actor: "priya@firm.example".into(),
            ip: Some("10.0.0.7".into()),
            action: "client.view".into(),
            object_type: Some("client".into()),
            object_id: Some(i.to_string()),
            details: json!({ "via": "page", "n": i }),
            ..Default::default()
        })
        .await
        .unwrap();
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn verify_finds_a_row_changed_directly_in_the_database(pool: PgPool) {
    let db = keyed(&pool);
    record(&db, 12).await;
    let url = database_url(
        &sqlx::query_scalar::<_, String>("SELECT current_database()")
            .fetch_one(&pool)
            .await
            .unwrap(),
    );
    let (ok, text) = verify(&url);
    assert!(ok, "{text}");
    assert!(text.contains("intact: 12 rows"), "{text}");

    // The application's own connection cannot change history.
    let refused = sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE seq = 5")
        .execute(&pool)
        .await;
    assert!(refused.is_err_and(|e| e.to_string().contains("append-only")));
    let refused = sqlx::query("DELETE FROM audit_log WHERE seq = 5")
        .execute(&pool)
        .await;
    assert!(refused.is_err());

    // A DBA disables the guard and edits row 5.
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET object_id = '999' WHERE seq = 5")
        .execute(&pool)
        .await
        .unwrap();
    let (ok, text) = verify(&url);
    assert!(!ok, "verification must fail");
    assert!(text.contains("BROKEN at row 5"), "{text}");
    assert_eq!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Broken {
            seq: 5,
            reason: "its content does not match its hash (the row was changed)".into(),
            rows_checked: 4
        }
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn verify_finds_a_deleted_row_even_after_renumbering(pool: PgPool) {
    let db = keyed(&pool);
    record(&db, 8).await;
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 3")
        .execute(&pool)
        .await
        .unwrap();
    assert!(matches!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Broken { seq: 3, .. }
    ));

    // Renumbering after the deletion does not help: the next row's link no longer matches.
    sqlx::query("UPDATE audit_log SET seq = seq - 1 WHERE seq > 3")
        .execute(&pool)
        .await
        .unwrap();
    match db.verify_audit_chain().await.unwrap() {
        ChainStatus::Broken { seq, reason, .. } => {
            assert_eq!(seq, 3);
            assert!(reason.contains("link"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// What someone who can write the table but does not hold the key would do: edit a row, then
/// re-seal it and every later row with the Hub's own encoding so each link matches again —
/// once with plain SHA-256 (how the chain was sealed before it was keyed; the old code accepted
/// this), once with an HMAC under a key of their own.
#[sqlx::test(migrations = "../migrations")]
async fn verify_finds_a_forgery_whose_seals_were_all_recomputed(pool: PgPool) {
    let db = keyed(&pool);
    record(&db, 6).await;
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    for (mac, forger_key) in [(0_i16, None), (1, Some(AuditKey::new([7; 32])))] {
        reseal_from(&pool, 4, mac, forger_key.as_ref()).await;
        match db.verify_audit_chain().await.unwrap() {
            ChainStatus::Broken { seq, .. } => assert_eq!(seq, 4, "mac {mac}"),
            other => panic!("a re-sealed forgery passed as {other:?} (mac {mac})"),
        }
    }
}

/// Rewrites rows from `from` on with `object_id = 'forged'`, recomputing every seal and link
/// with `forger_key` (none: unkeyed SHA-256), and marks them sealed as `mac`.
async fn reseal_from(pool: &PgPool, from: i64, mac: i16, forger_key: Option<&AuditKey>) {
    let rows: Vec<AuditRecord> = sqlx::query_as(
        "SELECT seq, at, actor_user_id, actor, ip, user_agent, action, object_type, object_id,
                details, prev_hash, hash
         FROM audit_log WHERE seq >= $1 ORDER BY seq",
    )
    .bind(from)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut prev = rows[0].prev_hash.clone();
    for mut row in rows {
        row.object_id = Some("forged".into());
        row.prev_hash = prev;
        row.hash = seal_record(forger_key, &row);
        sqlx::query(
            "UPDATE audit_log SET object_id = $2, prev_hash = $3, hash = $4, mac = $5 WHERE seq = $1",
        )
        .bind(row.seq)
        .bind(&row.object_id)
        .bind(&row.prev_hash)
        .bind(&row.hash)
        .bind(mac)
        .execute(pool)
        .await
        .unwrap();
        prev = row.hash;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn verify_finds_rows_cut_off_the_end_against_a_checkpoint(pool: PgPool) {
    let db = keyed(&pool);
    record(&db, 10).await;
    let checkpoint = db.audit_checkpoint().await.unwrap().expect("a head");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoint.json");
    std::fs::write(&file, serde_json::to_vec(&checkpoint).unwrap()).unwrap();
    let url = database_url(
        &sqlx::query_scalar::<_, String>("SELECT current_database()")
            .fetch_one(&pool)
            .await
            .unwrap(),
    );
    let file_arg = file.to_str().unwrap();
    let (ok, text) = verify_with(&url, &["--checkpoint", file_arg]);
    assert!(ok, "{text}");

    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq > 7")
        .execute(&pool)
        .await
        .unwrap();
    let (plain_ok, _) = verify(&url);
    assert!(
        plain_ok,
        "without a checkpoint a shortened chain still links up"
    );
    let (ok, text) = verify_with(&url, &["--checkpoint", file_arg]);
    assert!(!ok, "{text}");
    assert!(text.contains("cut off the end"), "{text}");

    // A checkpoint edited to match the shortened trail is refused by its signature.
    let mut doctored = checkpoint.clone();
    doctored.seq = 7;
    std::fs::write(&file, serde_json::to_vec(&doctored).unwrap()).unwrap();
    let (ok, text) = verify_with(&url, &["--checkpoint", file_arg]);
    assert!(!ok && text.contains("signature"), "{text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failing_audit_write_rolls_back_the_change_it_records(pool: PgPool) {
    let db = keyed(&pool);
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("CREATE TABLE scratch_change (id int)")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("INSERT INTO scratch_change VALUES (1)")
        .execute(&mut *tx)
        .await
        .unwrap();
    // An event the audit table refuses (a NUL byte is not valid PostgreSQL text).
    let refused = db
        .audit_in(
            &mut tx,
            &AuditEvent {
                actor: "bad\0actor".into(),
                action: "test.change".into(),
                ..Default::default()
            },
        )
        .await;
    assert!(refused.is_err());
    drop(tx);
    let exists: Option<String> = sqlx::query_scalar("SELECT to_regclass('scratch_change')::text")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(exists, None, "the change went with the failed audit row");
}
