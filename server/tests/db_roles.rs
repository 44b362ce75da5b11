//! Two database roles: migrations run as the schema's owner, the application as its own role,
//! which owns the data tables (its bulk loader rebuilds their indexes) but can only read and
//! append to the audit trail — it cannot edit a row, delete one, or switch off the trigger that
//! forbids both.

mod common;

use pms_store::audit::AuditEvent;
use pms_store::Db;
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;

/// A login role for the application (cluster-wide, so created once and reused; two tests
/// creating it at once see `unique_violation` rather than `duplicate_object`).
const APP_ROLE: &str = "pms_app_role_test";

async fn app_role(pool: &PgPool) {
    sqlx::raw_sql(&format!(
        "DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    ))
    .execute(pool)
    .await
    .expect("app role");
}

/// The same database, connected as the application's role.
fn as_app(pool: &PgPool) -> PgConnectOptions {
    (*pool.connect_options()).clone().username(APP_ROLE)
}

#[sqlx::test(migrations = false)]
async fn the_application_role_can_append_to_the_audit_trail_but_never_alter_it(pool: PgPool) {
    app_role(&pool).await;
    let owner = (*pool.connect_options()).clone();
    Db::migrate_as_owner(owner, Some(APP_ROLE))
        .await
        .expect("migrations as the owner");

    let app = sqlx::PgPool::connect_with(as_app(&pool))
        .await
        .expect("app connects");
    let data_dir = tempfile::tempdir().expect("dir");
    let config = common::test_config(data_dir.path().to_owned());
    let db = Db::from_pool(app.clone()).with_audit_key(
        pms_server::startup::master_key(&config)
            .expect("key")
            .audit_key(),
    );

    // The application loads data through its real path, first loads (index rebuilds) included.
    pms_server::commands::demo::load_if_empty(&db, &config)
        .await
        .expect("the demo data loads as the application's role");
    let clients: i64 = sqlx::query_scalar("SELECT count(*) FROM dim_client")
        .fetch_one(&app)
        .await
        .expect("count");
    assert!(clients > 0);

    // It keeps sessions (their own schema)…
    pms_store::sessions::PgSessionStore::new(db.clone())
        .delete_expired()
        .await
        .expect("the application sweeps sessions");
    // …appends to the audit trail…
    db.audit(&AuditEvent {
        actor: "system".into(),
        action: "test.append".into(),
        ..Default::default()
    })
    .await
    .expect("the application appends");

    // …and cannot change it in any way.
    for (statement, refusal) in [
        (
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
            "must be owner",
        ),
        (
            "UPDATE audit_log SET actor = 'someone else'",
            "permission denied",
        ),
        ("DELETE FROM audit_log", "permission denied"),
        ("TRUNCATE audit_log", "permission denied"),
        ("DROP TABLE audit_log", "must be owner"),
    ] {
        let err = sqlx::query(statement)
            .execute(&app)
            .await
            .expect_err(statement)
            .to_string();
        assert!(err.contains(refusal), "{statement}: {err}");
    }
    app.close().await;
}

#[sqlx::test(migrations = false)]
async fn handing_over_the_tables_is_idempotent_and_follows_new_tables(pool: PgPool) {
    app_role(&pool).await;
    let owner = (*pool.connect_options()).clone();
    Db::migrate_as_owner(owner.clone(), Some(APP_ROLE))
        .await
        .expect("first start");
    sqlx::query("CREATE TABLE later_migration_table (id int)")
        .execute(&pool)
        .await
        .expect("a later migration's table");
    Db::migrate_as_owner(owner, Some(APP_ROLE))
        .await
        .expect("next start");
    let owners: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.relname::text, pg_get_userbyid(c.relowner)::text FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relname IN ('later_migration_table', 'fact_transaction', 'audit_log')
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .expect("owners");
    let app = APP_ROLE.to_owned();
    let owner_role: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&pool)
        .await
        .expect("who");
    assert_eq!(
        owners,
        vec![
            ("audit_log".to_owned(), owner_role),
            ("fact_transaction".to_owned(), app.clone()),
            ("later_migration_table".to_owned(), app),
        ]
    );
}
