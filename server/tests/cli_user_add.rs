//! `pms-hub user add` is the admin console's invitation use case run by the operator at the
//! server's console: the same checks, the same audit row (under the command's name), the same
//! one-time link.

mod common;

use common::test_config;
use pms_store::Db;
use sqlx::PgPool;

#[sqlx::test(migrations = "../migrations")]
async fn the_first_admin_is_invited_through_the_invitation_use_case(pool: PgPool) {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let config = test_config(data_dir.path().to_owned());
    let db = Db::from_pool(pool.clone());

    pms_server::commands::users::add(
        db.clone(),
        config.clone(),
        "first.admin@firm.example".into(),
        "First  Admin".into(),
        "admin".into(),
        None,
        Vec::new(),
    )
    .await
    .expect("the first admin is created");

    let (name, role, created_by): (String, String, Option<i64>) = sqlx::query_as(
        "SELECT display_name, role, created_by FROM app_user WHERE email = 'first.admin@firm.example'",
    )
    .fetch_one(&pool)
    .await
    .expect("the user exists");
    assert_eq!(name, "First Admin", "the name is tidied as in the console");
    assert_eq!(role, "admin");
    assert_eq!(created_by, None, "no user created them");
    let invitations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM user_invitation i JOIN app_user u USING (user_id)
         WHERE u.email = 'first.admin@firm.example' AND i.purpose = 'invite'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(invitations, 1, "one link to choose a password");
    let (actor, actor_user_id): (String, Option<i64>) = sqlx::query_as(
        "SELECT actor, actor_user_id FROM audit_log WHERE action = 'admin.user_invited'",
    )
    .fetch_one(&pool)
    .await
    .expect("the invitation is in the audit trail");
    assert_eq!(actor, "system (pms-hub user add)");
    assert_eq!(actor_user_id, None);

    // The console's rules apply: the same e-mail twice, and an RM without their RM id, are
    // refused with the console's messages, and nothing is written.
    let again = pms_server::commands::users::add(
        db.clone(),
        config.clone(),
        "first.admin@firm.example".into(),
        "Someone Else".into(),
        "compliance".into(),
        None,
        Vec::new(),
    )
    .await
    .expect_err("a second user with the same e-mail");
    assert!(again.to_string().contains("already exists"), "{again}");
    let rm = pms_server::commands::users::add(
        db,
        config,
        "rm@firm.example".into(),
        "An RM".into(),
        "rm".into(),
        None,
        Vec::new(),
    )
    .await
    .expect_err("an RM needs their RM id");
    assert!(rm.to_string().contains("relationship manager"), "{rm}");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM app_user")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(users, 1);
}
