//! Conditional REST reads: a JSON answer carries an ETag, asking again with it answers 304
//! with no body, and the tag changes when the answer does (another caller's scope, another
//! query, a change to the data).

mod common;

use common::{TestApp, DEMO_PASSWORD};
use reqwest::header::{ETAG, IF_NONE_MATCH, VARY};
use reqwest::StatusCode;
use sqlx::PgPool;

const ADMIN: &str = "shivakumar.shetty@sahyadricapital.example";
const RM: &str = "anand.singhania@sahyadricapital.example";

async fn tag_of(user: &reqwest::Client, url: &str) -> String {
    let response = user.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[VARY], "Authorization, Cookie");
    response.headers()[ETAG].to_str().unwrap().to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unchanged_answer_is_not_sent_twice_and_a_changed_one_gets_a_new_tag(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin = app.login(ADMIN, DEMO_PASSWORD).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;
    let list = app.url("/api/v1/clients?sort=name&dir=asc");

    let tag = tag_of(&admin, &list).await;
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    let again = admin
        .get(&list)
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG].to_str().unwrap(), tag);
    assert!(again.bytes().await.unwrap().is_empty());
    // A stale tag among others, or a weak form of the tag, is compared by value.
    let weak = admin
        .get(&list)
        .header(IF_NONE_MATCH, format!("\"stale\", W/{tag}"))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), StatusCode::NOT_MODIFIED);

    // Another scope, another answer: the RM's tag never matches the admin's.
    let rm_answer = rm
        .get(&list)
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(rm_answer.status(), StatusCode::OK);
    assert_ne!(rm_answer.headers()[ETAG].to_str().unwrap(), tag);

    // Another query, another tag.
    assert_ne!(
        tag_of(&admin, &app.url("/api/v1/clients?sort=aum")).await,
        tag
    );

    // A change to what the answer shows (published as a load publishes it) changes the tag.
    let page: serde_json::Value = admin.get(&list).send().await.unwrap().json().await.unwrap();
    let first = page["items"][0]["client_id"].as_i64().unwrap() as i32;
    sqlx::query("UPDATE dim_client SET name = name || ' (renamed)' WHERE client_id = $1")
        .bind(first)
        .execute(&pool)
        .await
        .unwrap();
    pms_ingest::aggregate::publish_read_version(&pool)
        .await
        .unwrap();
    let changed = admin
        .get(&list)
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[ETAG].to_str().unwrap(), tag);

    // Errors and non-JSON answers carry no tag.
    let missing = admin
        .get(app.url("/api/v1/clients/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get(ETAG).is_none());
    let csv = admin
        .get(app.url("/api/v1/exports/clients.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers().get(ETAG).is_none());
}
