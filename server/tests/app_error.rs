//! One error type at every edge: a use case's `AppError` becomes the same status whether a page's
//! server function or a REST handler answered, a REST caller reads an RFC 9457 problem document,
//! and a server function's error reaches the browser as the variant it was.

mod common;

use common::{TestApp, DEMO_PASSWORD};
use pms_domain::error::AppError;
use reqwest::StatusCode;
use sqlx::PgPool;

const RM: &str = "anand.singhania@sahyadricapital.example";

#[sqlx::test(migrations = "../migrations")]
async fn a_rest_refusal_is_a_problem_document_with_the_status_of_its_kind(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;

    let missing = rm
        .get(app.url("/api/v1/clients/999999"))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = missing.json().await.expect("JSON body");
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["title"], "Not Found");
    assert_eq!(problem["error"], "not_found");
    assert_eq!(
        problem["detail"], "No such client, or it is not yours to see.",
        "the message says what happened without saying whether it exists elsewhere"
    );
    assert_eq!(problem["detail"], problem["message"]);

    let anonymous = app
        .browser()
        .get(app.url("/api/v1/clients"))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_server_function_refusal_has_its_status_and_arrives_as_its_variant(pool: PgPool) {
    let app = TestApp::start(pool, true).await;
    let rm = app.login(RM, DEMO_PASSWORD).await;

    // An RM may not read the audit trail: 403, and the body is the error the page shows.
    let refused = rm
        .post(app.url("/api/audit/list"))
        .form(&[("before_seq", "")])
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let error: AppError = refused.json().await.expect("an AppError as JSON");
    match error {
        AppError::Forbidden(message) => assert!(
            message.starts_with("Your role does not allow this") && message.contains("audit trail"),
            "{message}"
        ),
        other => panic!("expected Forbidden, got {other:?}"),
    }

    // The same client out of scope is a 404 through the page's function as through REST.
    let missing = rm
        .post(app.url("/api/clients/detail"))
        .form(&[("client_id", "999999")])
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json::<AppError>().await.expect("AppError"),
        AppError::not_found("client")
    );

    // Arguments that cannot be read are the caller's mistake.
    let garbled = rm
        .post(app.url("/api/clients/detail"))
        .form(&[("client_id", "not-a-number")])
        .send()
        .await
        .expect("request");
    assert_eq!(garbled.status(), StatusCode::BAD_REQUEST);
    assert!(matches!(
        garbled.json::<AppError>().await.expect("AppError"),
        AppError::BadRequest(_)
    ));
}
