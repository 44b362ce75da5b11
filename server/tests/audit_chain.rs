//! The audit trail is append-only and tamper-evident: the application cannot change a row, and
//! when someone with owner rights does (trigger disabled, row edited or deleted),
//! `pms-hub audit verify` names the first broken row and fails.

use std::process::Command;

use pms_store::audit::{AuditEvent, ChainStatus};
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

fn verify(url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pms-hub"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", url)
        .env("PMS_DATA_DIR", std::env::temp_dir())
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
    let db = Db::from_pool(pool.clone());
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
async fn verify_finds_a_deleted_row_and_a_recomputed_forgery(pool: PgPool) {
    let db = Db::from_pool(pool.clone());
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
