//! What the dashboard's reads rely on after data arrives.

mod common;

use common::{TestApp, DEMO_PASSWORD};
use sqlx::PgPool;

/// Tables (and partitioned tables as a whole) that hold rows but have never been analysed.
async fn never_analysed(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.oid::regclass::text
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.reltuples < 0
           AND EXISTS (
               SELECT 1 FROM pg_partition_tree(c.oid) l
               WHERE l.isleaf AND pg_relation_size(l.relid) > 0)
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("catalogue query")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bulk_load_leaves_every_table_it_filled_analysed(pool: PgPool) {
    let before = never_analysed(&pool).await;
    // The demo data arrives through the real loaders: Salesforce and every Wealth Spectrum
    // report, then the aggregate refresh.
    let _app = TestApp::start(pool.clone(), true).await;
    let facts: i64 = sqlx::query_scalar("SELECT count(*) FROM fact_transaction")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert!(facts > 1000, "the demo data loaded ({facts} transactions)");
    assert_eq!(
        never_analysed(&pool).await,
        Vec::<String>::new(),
        "every table holding rows after the load has planner statistics (before the load: {before:?})"
    );
    let partitioned_analysed: bool = sqlx::query_scalar(
        "SELECT reltuples > 0 FROM pg_class WHERE oid = 'fact_transaction'::regclass",
    )
    .fetch_one(&pool)
    .await
    .expect("catalogue query");
    assert!(
        partitioned_analysed,
        "the partitioned fact table is analysed as a whole (autovacuum never does that)"
    );
}

async fn client_ids(client: &reqwest::Client, app: &TestApp) -> Vec<i64> {
    let page: serde_json::Value = client
        .get(app.url("/api/v1/clients?page_size=500&sort=name&dir=asc"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["client_id"].as_i64())
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cached_client_list_follows_a_reassignment_at_once(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let rm = app
        .login("anand.singhania@sahyadricapital.example", DEMO_PASSWORD)
        .await;
    let admin = app
        .login("shivakumar.shetty@sahyadricapital.example", DEMO_PASSWORD)
        .await;
    let before = client_ids(&rm, &app).await;
    assert!(before.len() > 1, "the RM has clients: {before:?}");
    // Asked again, the answer is the same (and now comes from the cache).
    assert_eq!(client_ids(&rm, &app).await, before);

    let moved = before[0];
    let other_rm: i32 = sqlx::query_scalar(
        "SELECT min(rm_id) FROM dim_rm WHERE is_active
           AND rm_id <> (SELECT rm_id FROM dim_client WHERE client_id = $1)",
    )
    .bind(moved as i32)
    .fetch_one(&pool)
    .await
    .expect("another RM");
    let assigned = admin
        .post(app.url("/api/admin/clients/assign"))
        .form(&[
            ("client_id", moved.to_string()),
            ("rm_id", other_rm.to_string()),
        ])
        .send()
        .await
        .expect("assign");
    assert!(assigned.status().is_success());

    let after = client_ids(&rm, &app).await;
    assert!(
        !after.contains(&moved),
        "a client moved to another RM leaves this RM's list at once"
    );
    assert_eq!(after.len(), before.len() - 1);
}
