//! A change and its audit row commit together: when the audit trail cannot record an action,
//! the action does not happen (through the real admin server functions).

mod common;

use common::{add_user, TestApp, DEMO_PASSWORD};
use pms_domain::identity::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

/// Makes the audit trail refuse to record `action` (as a full disk or a broken trigger would).
async fn audit_refuses(pool: &PgPool, action: &str) {
    sqlx::raw_sql(&format!(
        "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.action = '{action}' THEN RAISE EXCEPTION 'audit unavailable'; END IF;
               RETURN NEW; END $$;
         CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
             FOR EACH ROW EXECUTE FUNCTION refuse_audit();"
    ))
    .execute(pool)
    .await
    .expect("trigger");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_change_whose_audit_row_fails_is_rolled_back(pool: PgPool) {
    let app = TestApp::start(pool.clone(), false).await;
    add_user(&app.db, "admin@firm.example", Role::Admin).await;
    let target = add_user(&app.db, "co@firm.example", Role::Compliance).await;
    let admin = app.login("admin@firm.example", DEMO_PASSWORD).await;
    audit_refuses(&pool, "admin.user_updated").await;

    let r = admin
        .post(app.url("/api/admin/users/update"))
        .form(&[
            ("user_id", target.to_string()),
            ("display_name", "Renamed Without A Record".into()),
            ("role", "compliance".into()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let name: String = sqlx::query_scalar("SELECT display_name FROM app_user WHERE user_id = $1")
        .bind(target)
        .fetch_one(&pool)
        .await
        .expect("user");
    assert_eq!(name, "Test User", "the rename went with its failed record");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_api_client_whose_creation_cannot_be_recorded_does_not_exist(pool: PgPool) {
    let app = TestApp::start(pool.clone(), false).await;
    add_user(&app.db, "admin@firm.example", Role::Admin).await;
    let admin = app.login("admin@firm.example", DEMO_PASSWORD).await;
    audit_refuses(&pool, "admin.api_client_created").await;

    let r = admin
        .post(app.url("/api/admin/api/create"))
        .form(&[("name", "Shadow integration"), ("role", "compliance")])
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let clients: i64 = sqlx::query_scalar("SELECT count(*) FROM api_client")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(clients, 0, "no API client exists without its record");
}
