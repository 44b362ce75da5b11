//! An RM assigned in the Hub stands against Salesforce's Account owner, and admins see where
//! the two disagree (the sync side is tested in `crates/ingest/tests/salesforce_rm_assignment.rs`).

mod common;

use common::{TestApp, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";

#[sqlx::test(migrations = "../migrations")]
async fn admins_see_where_salesforce_names_another_owner_than_the_hub(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let (client_id, from_rm, to_rm): (i32, i32, i32) = sqlx::query_as(
        "SELECT c.client_id, c.rm_id, (SELECT min(rm_id) FROM dim_rm WHERE rm_id <> c.rm_id AND is_active)
         FROM dim_client c WHERE c.rm_id IS NOT NULL AND c.sf_account_id IS NOT NULL
         ORDER BY c.client_id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("a Salesforce client with an RM");
    let assigned = admin
        .post(app.url("/api/admin/clients/assign"))
        .form(&[
            ("client_id", client_id.to_string()),
            ("rm_id", to_rm.to_string()),
        ])
        .send()
        .await
        .expect("assign");
    assert_eq!(assigned.status(), StatusCode::OK);
    // The last sync saw the old owner in Salesforce: the two now disagree.
    sqlx::query("UPDATE dim_client SET sf_owner_rm_id = $2 WHERE client_id = $1")
        .bind(client_id)
        .bind(from_rm)
        .execute(&pool)
        .await
        .expect("owner recorded");

    let detail: Value = admin
        .post(app.url("/api/admin/clients/assignment"))
        .form(&[("client_id", client_id.to_string())])
        .send()
        .await
        .expect("detail")
        .json()
        .await
        .expect("json");
    assert_eq!(detail["client"]["rm_id"], to_rm);
    assert!(
        detail["client"]["assigned_in_app_at"].is_string(),
        "{detail}"
    );
    assert!(
        detail["client"]["salesforce_owner_differs"].is_string(),
        "{detail}"
    );

    let conflicts: Value = admin
        .post(app.url("/api/admin/clients/rm-conflicts"))
        .send()
        .await
        .expect("conflicts")
        .json()
        .await
        .expect("json");
    let listed: Vec<i64> = conflicts
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["client_id"].as_i64())
        .collect();
    assert_eq!(listed, vec![i64::from(client_id)]);

    let rm = app
        .login("anand.singhania@sahyadricapital.example", DEMO_PASSWORD)
        .await;
    let refused = rm
        .post(app.url("/api/admin/clients/rm-conflicts"))
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
