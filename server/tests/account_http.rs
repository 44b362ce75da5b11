//! A person's own account over HTTP: enrolling in two-factor authentication, signing in with a
//! second factor (a wrong code, a recovery code), signing out, and accepting an invitation.

mod common;

use common::{TestApp, DEMO_PASSWORD};
use pms_domain::identity::Role;
use pms_store::Db;
use reqwest::StatusCode;
use sqlx::PgPool;

async fn audit_count(db: &Db, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(db.pool())
        .await
        .expect("count")
}

/// RFC 4648 base32, as an authenticator app reads the key typed into it.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut value, mut out) = (0u32, 0u64, Vec::new());
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base32") as u64;
        value = (value << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((value >> bits) as u8);
            value &= (1 << bits) - 1;
        }
    }
    out
}

/// A server function's redirect: a 3xx, or a 200 whose `Location` the browser follows.
fn moved_on(response: &reqwest::Response) -> bool {
    response.status().is_redirection() || response.status().is_success()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_person_enrols_then_signs_in_with_a_recovery_code_after_a_wrong_code(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    common::add_user(&app.db, "a@firm.example", Role::Admin).await;
    let client = app.login("a@firm.example", DEMO_PASSWORD).await;

    let begin = client
        .post(app.url("/api/account/totp-begin"))
        .send()
        .await
        .unwrap();
    assert_eq!(begin.status(), StatusCode::OK);
    let enrolment: serde_json::Value = begin.json().await.unwrap();
    let secret = base32_decode(enrolment["secret"].as_str().unwrap());
    let now = chrono::Utc::now().timestamp() as u64;
    let code = pms_auth::totp::current_code(&secret, now).unwrap();
    let wrong: String = code
        .chars()
        .map(|c| char::from_digit((c.to_digit(10).unwrap() + 5) % 10, 10).unwrap())
        .collect();
    let refused = client
        .post(app.url("/api/account/totp-confirm"))
        .form(&[("code", wrong.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("does not match"));
    let confirmed = client
        .post(app.url("/api/account/totp-confirm"))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    let codes: Vec<String> = confirmed.json().await.unwrap();
    assert!(!codes.is_empty());
    assert_eq!(audit_count(&app.db, "account.mfa_enabled").await, 1);

    let status: serde_json::Value = client
        .post(app.url("/api/account/security"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["mfa_enabled"], true);
    assert_eq!(status["recovery_codes_left"], codes.len());

    let out = client
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert!(moved_on(&out), "{}", out.status());
    assert_eq!(audit_count(&app.db, "auth.logout").await, 1);

    let browser = app.browser();
    let password = browser
        .post(app.url("/api/auth/login"))
        .form(&[
            ("email", "a@firm.example"),
            ("password", DEMO_PASSWORD),
            ("next", "/clients"),
        ])
        .send()
        .await
        .unwrap();
    assert!(moved_on(&password), "{}", password.status());
    assert!(
        location(&password).starts_with("/login/verify?next="),
        "{}",
        location(&password)
    );
    assert_eq!(audit_count(&app.db, "auth.password_accepted").await, 1);
    let still_pending = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(still_pending.status(), StatusCode::UNAUTHORIZED);

    let wrong_code = browser
        .post(app.url("/api/auth/verify"))
        .form(&[("code", wrong.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_code.status(), StatusCode::BAD_REQUEST);
    assert!(wrong_code.text().await.unwrap().contains("not valid"));
    assert_eq!(audit_count(&app.db, "auth.second_factor_failed").await, 1);

    let verified = browser
        .post(app.url("/api/auth/verify"))
        .form(&[("code", codes[0].as_str()), ("next", "/clients")])
        .send()
        .await
        .unwrap();
    assert!(moved_on(&verified), "{}", verified.status());
    assert_eq!(location(&verified), "/clients");
    let me = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let second_factor_logins: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND details::jsonb->>'second_factor' = 'true'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(second_factor_logins, 1);

    let replaced = browser
        .post(app.url("/api/account/recovery-codes"))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);
    assert_eq!(
        audit_count(&app.db, "account.recovery_codes_replaced").await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_invitation_is_read_accepted_once_and_its_password_signs_in(pool: PgPool) {
    let app = TestApp::start(pool, false).await;
    let user_id = common::add_user(&app.db, "new@firm.example", Role::Rm).await;
    let token = "an-invitation-token-for-the-test";
    let mut conn = app.db.pool().acquire().await.unwrap();
    Db::create_invitation(
        &mut conn,
        user_id,
        "invite",
        &pms_auth::tokens::hash_token(token),
        chrono::Utc::now() + chrono::Duration::days(1),
    )
    .await
    .unwrap();
    drop(conn);

    let browser = app.browser();
    let read = browser
        .post(app.url("/api/auth/invitation"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let invitation: serde_json::Value = read.json().await.unwrap();
    assert_eq!(invitation["email"], "new@firm.example");
    assert_eq!(invitation["reset"], false);

    let new_password = "Quiet-harbour-lights-42";
    let differ = browser
        .post(app.url("/api/auth/accept-invitation"))
        .form(&[
            ("token", token),
            ("password", new_password),
            ("confirm", "something-else-42"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(differ.status(), StatusCode::BAD_REQUEST);
    assert!(differ.text().await.unwrap().contains("differ"));

    let accepted = browser
        .post(app.url("/api/auth/accept-invitation"))
        .form(&[
            ("token", token),
            ("password", new_password),
            ("confirm", new_password),
        ])
        .send()
        .await
        .unwrap();
    assert!(moved_on(&accepted), "{}", accepted.status());
    assert_eq!(location(&accepted), "/login?welcome=1");
    assert_eq!(audit_count(&app.db, "auth.invitation_accepted").await, 1);

    let again = browser
        .post(app.url("/api/auth/invitation"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("expired or has been used"));

    let signed_in = app.login("new@firm.example", new_password).await;
    let me = signed_in.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}
