//! The admin console through the HTTP surface: the logo upload (who may, what is accepted, how
//! big), and the console's server functions (only administrators, signed in as people; every
//! change in the audit trail, never a secret).

mod common;

use common::{TestApp, DEMO_PASSWORD};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn email_of(pool: &PgPool, role: &str) -> String {
    sqlx::query_scalar(
        "SELECT email FROM app_user WHERE role = $1 AND is_active ORDER BY user_id LIMIT 1",
    )
    .bind(role)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn logo_form(bytes: Vec<u8>, name: &str) -> Form {
    Form::new().part(
        "logo",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("image/png")
            .unwrap(),
    )
}

async fn audit_count(pool: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn only_an_admin_uploads_a_logo_and_only_a_real_image_that_fits(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let url = app.url("/admin/branding/logo");
    let admin = app
        .login(&email_of(&pool, "admin").await, DEMO_PASSWORD)
        .await;
    let rm = app.login(&email_of(&pool, "rm").await, DEMO_PASSWORD).await;

    let anonymous = app
        .browser()
        .post(&url)
        .multipart(logo_form(PNG.to_vec(), "logo.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let refused = rm
        .post(&url)
        .multipart(logo_form(PNG.to_vec(), "logo.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // The bytes decide, not the name: a GIF called logo.png is refused.
    let gif = admin
        .post(&url)
        .multipart(logo_form(b"GIF89a\x01\0\x01\0".to_vec(), "logo.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(gif.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let script =
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let svg = admin
        .post(&url)
        .multipart(logo_form(script, "logo.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut big = PNG.to_vec();
    big.resize(600 * 1024, 0);
    let too_big = admin
        .post(&url)
        .multipart(logo_form(big, "logo.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(app.db.logo().await.unwrap().is_none());

    let ok = admin
        .post(&url)
        .multipart(logo_form(PNG.to_vec(), "logo.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["type"], "image/png");
    let served = app
        .browser()
        .get(app.url("/branding/logo"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/png");

    // A browser's form is sent back to the page with the outcome.
    let form = admin
        .post(&url)
        .header("accept", "text/html,application/xhtml+xml")
        .multipart(Form::new().text("remove", "1"))
        .send()
        .await
        .unwrap();
    assert!(form.status().is_redirection());
    assert_eq!(
        form.headers()["location"],
        "/admin?tab=branding&logo=removed"
    );
    assert!(app.db.logo().await.unwrap().is_none());

    let deleted = admin.delete(&url).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(
        audit_count(&pool, "admin.branding_logo").await,
        2,
        "upload and one real removal"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn console_server_functions_are_for_admins_and_are_audited(pool: PgPool) {
    let app = TestApp::start(pool.clone(), true).await;
    let admin_email = email_of(&pool, "admin").await;
    let admin = app.login(&admin_email, DEMO_PASSWORD).await;
    let rm = app.login(&email_of(&pool, "rm").await, DEMO_PASSWORD).await;

    let invite = [
        ("email", "New.Analyst@Example.in"),
        ("display_name", "New Analyst"),
        ("role", "compliance"),
    ];
    let refused = rm
        .post(app.url("/api/admin/users/invite"))
        .form(&invite)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let listed = rm.post(app.url("/api/admin/users")).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::FORBIDDEN);

    let created = admin
        .post(app.url("/api/admin/users/invite"))
        .form(&invite)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let link: Value = created.json().await.unwrap();
    assert_eq!(link["email"], "new.analyst@example.in");
    let url = link["url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap();
    assert!(
        url.starts_with(&app.base) && url.contains("/invite/"),
        "{url}"
    );
    let again = admin
        .post(app.url("/api/admin/users/invite"))
        .form(&invite)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.unwrap().contains("already exists"));

    // The trail names the change but never the link's token.
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'admin.user_invited'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let details: Value = serde_json::from_str(&details).unwrap();
    assert_eq!(details["role"], "compliance");
    assert!(!details.to_string().contains(token));

    // An admin cannot lock themself out.
    let me: i64 = sqlx::query_scalar("SELECT user_id FROM app_user WHERE email = $1")
        .bind(&admin_email)
        .fetch_one(&pool)
        .await
        .unwrap();
    let own = admin
        .post(app.url("/api/admin/users/active"))
        .form(&[("user_id", me.to_string()), ("active", "false".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own
        .text()
        .await
        .unwrap()
        .contains("cannot deactivate yourself"));

    // API clients: the secret is returned once and never recorded.
    let client = admin
        .post(app.url("/api/admin/api/create"))
        .form(&[
            ("name", "Warehouse"),
            ("role", "compliance"),
            ("subject_user_id", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(client.status(), StatusCode::OK);
    let client: Value = client.json().await.unwrap();
    let secret = client["secret"].as_str().unwrap();
    let trail: Vec<String> = sqlx::query_scalar("SELECT details FROM audit_log")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(trail.iter().all(|d| !d.contains(secret)));
    let token = app
        .browser()
        .post(app.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "client_id": client["client_id"], "client_secret": secret }))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);
    // …and an admin-role API client cannot use the console.
    let admin_client: Value = admin
        .post(app.url("/api/admin/api/create"))
        .form(&[
            ("name", "Robot"),
            ("role", "admin"),
            ("subject_user_id", ""),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer: Value = app
        .browser()
        .post(app.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "client_id": admin_client["client_id"], "client_secret": admin_client["secret"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let robot = reqwest::Client::new()
        .post(app.url("/api/admin/users"))
        .bearer_auth(bearer["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(robot.status(), StatusCode::FORBIDDEN);
}
