//! The Salesforce REST connector against the local stand-in: sign-in flows, paging,
//! incremental pulls, session refresh, backoff and failures.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pms_ingest::source::salesforce::api::{soql_for, ApiUsage};
use pms_ingest::source::salesforce::records::{
    SfAccount, SfActivity, SfBatch, SfContact, SfObject, SfUser,
};
use pms_ingest::source::salesforce::{SalesforceClient, SfAuth, SfError, SyncMarks};
use pms_ingest::testing::{
    generate_test_key_pair, test_key_pair, test_sf_id, SalesforceStandIn, StandInConfig,
    TEST_CLIENT_ID, TEST_USERNAME,
};
use rust_decimal_macros::dec;
use serde_json::json;

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, hour, minute, 0).unwrap()
}

fn account(n: u64, modstamp: DateTime<Utc>) -> SfAccount {
    SfAccount {
        id: test_sf_id(SfObject::Account, n),
        name: format!("Client {n}"),
        pan: Some(format!("ABCDE{:04}F", n)),
        pms_client_code: Some(format!("C{n:05}")),
        client_type: Some("Individual".into()),
        risk_profile: Some("Moderate".into()),
        billing_city: Some("Mumbai".into()),
        billing_state: Some("Maharashtra".into()),
        phone: Some("+91 22 5555 0000".into()),
        email: Some(format!("client{n}@example.in")),
        owner_id: test_sf_id(SfObject::User, 1 + n % 2),
        onboarding_date: NaiveDate::from_ymd_opt(2024, 4, 1),
        status: Some("Active".into()),
        closure_date: None,
        aum: Some(dec!(1234567.5) * rust_decimal::Decimal::from(n)),
        system_modstamp: modstamp,
    }
}

/// Two RMs, five clients stamped 10:00–10:04, two contacts, a task and an event.
fn dataset() -> SfBatch {
    SfBatch {
        users: (1..=2)
            .map(|n| SfUser {
                id: test_sf_id(SfObject::User, n),
                name: format!("RM {n}"),
                email: Some(format!("rm{n}@firm.in")),
                phone: None,
                employee_number: Some(format!("E{n:03}")),
                department: Some("Wealth".into()),
                is_active: n == 1,
                system_modstamp: at(9, n as u32),
            })
            .collect(),
        accounts: (1..=5).map(|n| account(n, at(10, n as u32 - 1))).collect(),
        contacts: (1..=2)
            .map(|n| SfContact {
                id: test_sf_id(SfObject::Contact, n),
                account_id: Some(test_sf_id(SfObject::Account, n)),
                name: format!("Contact {n}"),
                email: None,
                phone: Some("98200 00000".into()),
                title: Some("Director".into()),
                system_modstamp: at(11, n as u32),
            })
            .collect(),
        activities: vec![
            SfActivity {
                id: test_sf_id(SfObject::Task, 1),
                kind: SfObject::Task,
                what_id: Some(test_sf_id(SfObject::Account, 1)),
                owner_id: Some(test_sf_id(SfObject::User, 1)),
                subject: Some("Quarterly review call".into()),
                activity_type: Some("Call".into()),
                activity_date: NaiveDate::from_ymd_opt(2026, 11, 19),
                status: Some("Completed".into()),
                system_modstamp: at(12, 0),
            },
            SfActivity {
                id: test_sf_id(SfObject::Event, 1),
                kind: SfObject::Event,
                what_id: Some(test_sf_id(SfObject::Account, 2)),
                owner_id: Some(test_sf_id(SfObject::User, 2)),
                subject: Some("Portfolio review meeting".into()),
                activity_type: Some("Meeting".into()),
                activity_date: NaiveDate::from_ymd_opt(2026, 11, 21),
                status: None,
                system_modstamp: at(12, 5),
            },
        ],
    }
}

async fn seeded() -> SalesforceStandIn {
    let standin = SalesforceStandIn::start_default().await.unwrap();
    standin.seed(&dataset());
    standin
}

#[tokio::test]
async fn jwt_bearer_sign_in_and_full_pull() {
    let standin = seeded().await;
    let client = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap();
    assert_eq!(standin.token_requests(), 1);
    assert_eq!(client.instance_url(), standin.base_url());

    let changes = client.pull_changes(&SyncMarks::default()).await.unwrap();
    assert_eq!(changes.batch, dataset());
    assert!(changes.deletions.is_empty() && changes.quarantined.is_empty());
    assert_eq!(
        changes.marks.changed,
        HashMap::from([
            (SfObject::User, at(9, 2)),
            (SfObject::Account, at(10, 4)),
            (SfObject::Contact, at(11, 2)),
            (SfObject::Task, at(12, 0)),
            (SfObject::Event, at(12, 5)),
        ])
    );
    // One query per object, in dependency order, exactly as built by soql_for.
    let expected: Vec<String> = SfObject::ALL
        .iter()
        .map(|&o| soql_for(o, None, "Email__c"))
        .collect();
    assert_eq!(standin.soql_received(), expected);
    assert_eq!(standin.query_requests(), 5);
    assert_eq!(
        client.api_usage(),
        Some(ApiUsage {
            used: 5,
            limit: 15000
        })
    );
}

#[tokio::test]
async fn client_credentials_sign_in() {
    let standin = seeded().await;
    let client = SalesforceClient::connect(standin.client_credentials_config())
        .await
        .unwrap();
    let pull = client.pull(SfObject::User, None).await.unwrap();
    assert_eq!(pull.batch.users, dataset().users);
    assert_eq!(pull.max_modstamp, Some(at(9, 2)));
    assert_eq!(standin.token_requests(), 1);
}

fn refusal(err: SfError) -> (String, String) {
    match err {
        SfError::SignInRefused {
            error, description, ..
        } => (error, description),
        other => panic!("expected a refused sign-in, got {other:?}"),
    }
}

#[tokio::test]
async fn jwt_refused_when_user_has_not_approved_the_app() {
    let standin = seeded().await;
    standin.set_user_approved(false);
    let err = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(
            "Salesforce refused the sign-in: invalid_grant – user hasn't approved this consumer"
        ),
        "{message}"
    );
    assert_eq!(
        refusal(err),
        (
            "invalid_grant".into(),
            "user hasn't approved this consumer".into()
        )
    );
    // A refusal is not retried: asking again would get the same answer.
    assert_eq!(standin.token_requests(), 1);
}

#[tokio::test]
async fn jwt_signed_with_another_key_is_refused() {
    let standin = seeded().await;
    let other = generate_test_key_pair();
    let config = standin.client_config(SfAuth::JwtBearer {
        client_id: TEST_CLIENT_ID.into(),
        username: TEST_USERNAME.into(),
        private_key_pem: other.private_key_pem,
    });
    let err = SalesforceClient::connect(config).await.unwrap_err();
    assert_eq!(
        refusal(err),
        ("invalid_grant".into(), "invalid assertion".into())
    );
}

#[tokio::test]
async fn jwt_with_unknown_consumer_key_or_user_or_audience_is_refused() {
    let standin = seeded().await;
    let jwt = |client_id: &str, username: &str| SfAuth::JwtBearer {
        client_id: client_id.into(),
        username: username.into(),
        private_key_pem: test_key_pair().private_key_pem.clone(),
    };
    let err = SalesforceClient::connect(standin.client_config(jwt("3MVG9-unknown", TEST_USERNAME)))
        .await
        .unwrap_err();
    assert_eq!(
        refusal(err),
        (
            "invalid_client_id".into(),
            "client identifier invalid".into()
        )
    );

    let err =
        SalesforceClient::connect(standin.client_config(jwt(TEST_CLIENT_ID, "someone@else.test")))
            .await
            .unwrap_err();
    assert_eq!(
        refusal(err),
        ("invalid_grant".into(), "invalid user ID provided".into())
    );

    let mut config = standin.client_config(jwt(TEST_CLIENT_ID, TEST_USERNAME));
    config.jwt_audience = Some("https://test.salesforce.com".into());
    let err = SalesforceClient::connect(config).await.unwrap_err();
    assert_eq!(
        refusal(err),
        ("invalid_grant".into(), "audience is invalid".into())
    );
}

#[tokio::test]
async fn client_credentials_with_wrong_secret_are_refused() {
    let standin = seeded().await;
    let config = standin.client_config(SfAuth::ClientCredentials {
        client_id: TEST_CLIENT_ID.into(),
        client_secret: "wrong".into(),
    });
    let err = SalesforceClient::connect(config).await.unwrap_err();
    assert!(err.to_string().contains("PMS_SF_CLIENT_SECRET"), "{err}");
    assert_eq!(
        refusal(err),
        ("invalid_client".into(), "invalid client credentials".into())
    );
}

#[tokio::test]
async fn client_credentials_refused_when_the_flow_is_not_enabled() {
    let standin = SalesforceStandIn::start(StandInConfig {
        client_secret: None,
        ..StandInConfig::default()
    })
    .await
    .unwrap();
    let err = SalesforceClient::connect(standin.client_credentials_config())
        .await
        .unwrap_err();
    assert_eq!(
        refusal(err),
        (
            "invalid_grant".into(),
            "no client credentials user enabled".into()
        )
    );
}

#[tokio::test]
async fn paging_follows_next_records_url_until_done() {
    let standin = seeded().await;
    standin.set_page_size(2);
    let client = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap();
    let pull = client.pull(SfObject::Account, None).await.unwrap();
    assert_eq!(pull.batch.accounts, dataset().accounts);
    assert_eq!(pull.len(), 5);
    assert_eq!(pull.max_modstamp, Some(at(10, 4)));
    // Pages of 2, 2 and 1.
    assert_eq!(standin.query_requests(), 3);
    assert_eq!(
        standin.soql_received().len(),
        1,
        "further pages are fetched by locator, not by re-querying"
    );
}

#[tokio::test]
async fn incremental_pull_returns_only_what_changed_after_the_watermark() {
    let standin = seeded().await;
    standin.set_page_size(2);
    // Without the look-back overlap, to see the watermark itself at work.
    let mut config = standin.jwt_config();
    config.lookback = std::time::Duration::ZERO;
    let client = SalesforceClient::connect(config).await.unwrap();

    let pull = client
        .pull(SfObject::Account, Some(at(10, 1)))
        .await
        .unwrap();
    let ids: Vec<&str> = pull.batch.accounts.iter().map(|a| a.id.as_str()).collect();
    let expected: Vec<String> = (3..=5).map(|n| test_sf_id(SfObject::Account, n)).collect();
    assert_eq!(ids, expected);
    assert_eq!(pull.max_modstamp, Some(at(10, 4)));
    assert_eq!(
        standin.soql_received().last().unwrap(),
        "SELECT Id, Name, PAN__c, PMS_Client_Code__c, Client_Type__c, Risk_Profile__c, BillingCity, \
             BillingState, Phone, Email__c, OwnerId, Onboarding_Date__c, Status__c, Closure_Date__c, AUM__c, \
             SystemModstamp FROM Account WHERE SystemModstamp > 2026-11-20T10:01:00Z ORDER BY SystemModstamp"
    );

    // Nothing new after the newest: no records, no new watermark.
    let pull = client
        .pull(SfObject::Account, Some(at(10, 4)))
        .await
        .unwrap();
    assert!(pull.is_empty());
    assert_eq!(pull.max_modstamp, None);

    // A client edited later shows up in the next pull; the other objects keep their watermarks.
    standin.seed(&SfBatch {
        accounts: vec![account(6, at(13, 0))],
        ..SfBatch::default()
    });
    let watermarks = HashMap::from([
        (SfObject::User, at(9, 2)),
        (SfObject::Account, at(10, 4)),
        (SfObject::Contact, at(11, 2)),
        (SfObject::Task, at(12, 0)),
        (SfObject::Event, at(12, 5)),
    ]);
    let marks = SyncMarks {
        changed: watermarks.clone(),
        deleted: HashMap::new(),
    };
    let changes = client.pull_changes(&marks).await.unwrap();
    assert_eq!(
        changes.batch,
        SfBatch {
            accounts: vec![account(6, at(13, 0))],
            ..SfBatch::default()
        }
    );
    let mut expected = watermarks.clone();
    expected.insert(SfObject::Account, at(13, 0));
    assert_eq!(changes.marks.changed, expected);
}

#[tokio::test]
async fn expired_session_signs_in_again_and_retries() {
    let standin = seeded().await;
    let client = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap();
    standin.expire_tokens();
    let pull = client.pull(SfObject::Contact, None).await.unwrap();
    assert_eq!(pull.batch.contacts, dataset().contacts);
    assert_eq!(
        standin.token_requests(),
        2,
        "one sign-in at connect, one after the 401"
    );
    assert_eq!(
        standin.query_requests(),
        2,
        "the refused request and its repeat"
    );
}

#[tokio::test]
async fn expired_session_mid_paging_is_refreshed_too() {
    let standin = seeded().await;
    standin.set_page_size(2);
    let client = SalesforceClient::connect(standin.client_credentials_config())
        .await
        .unwrap();
    // The first page is served, the session expires before the second.
    standin.expire_tokens_after(1);
    let pull = client.pull(SfObject::Account, None).await.unwrap();
    assert_eq!(pull.batch.accounts, dataset().accounts);
    assert_eq!(standin.token_requests(), 2);
    assert_eq!(standin.query_requests(), 4, "pages 1, 2 (refused), 2, 3");
}

#[tokio::test]
async fn request_limit_exceeded_backs_off_then_succeeds() {
    let standin = seeded().await;
    let client = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap();
    standin.fail_with_request_limit(2);
    let pull = client.pull(SfObject::Account, None).await.unwrap();
    assert_eq!(pull.len(), 5);
    assert_eq!(standin.query_requests(), 3);
}

#[tokio::test]
async fn server_unavailable_backs_off_then_succeeds() {
    let standin = seeded().await;
    standin.set_page_size(2);
    let client = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap();
    // The budget is 4 attempts per request: 3 failures then success.
    standin.fail_with_unavailable(3);
    let pull = client.pull(SfObject::Account, None).await.unwrap();
    assert_eq!(pull.batch.accounts, dataset().accounts);
    assert_eq!(standin.query_requests(), 3 + 3);
}

#[tokio::test]
async fn request_limit_gives_up_clearly_after_max_attempts() {
    let standin = seeded().await;
    let client = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap();
    standin.fail_with_request_limit(100);
    let err = client.pull(SfObject::Account, None).await.unwrap_err();
    let message = err.to_string();
    match err {
        SfError::RetriesExhausted {
            attempts,
            limit_exceeded,
            ref last,
            ..
        } => {
            assert_eq!(attempts, 4);
            assert!(limit_exceeded);
            assert!(last.contains("REQUEST_LIMIT_EXCEEDED"), "{last}");
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert!(message.contains("the Account query"), "{message}");
    assert!(
        message.contains("API request allowance is used up"),
        "{message}"
    );
    assert_eq!(standin.query_requests(), 4);
}

#[tokio::test]
async fn server_unavailable_gives_up_clearly_after_max_attempts() {
    let standin = seeded().await;
    let mut config = standin.jwt_config();
    config.retry.max_attempts = 2;
    let client = SalesforceClient::connect(config).await.unwrap();
    standin.fail_with_unavailable(100);
    let err = client.pull(SfObject::User, None).await.unwrap_err();
    assert!(
        matches!(
            err,
            SfError::RetriesExhausted {
                attempts: 2,
                limit_exceeded: false,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("SERVER_UNAVAILABLE") && message.contains("try again later"),
        "{message}"
    );
    assert!(err.is_transient());
    assert_eq!(standin.query_requests(), 2);
}

#[tokio::test]
async fn api_usage_is_exposed() {
    let standin = seeded().await;
    let client = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap();
    assert_eq!(client.api_usage(), None);
    standin.set_api_usage(12_999, 15_000);
    client.pull(SfObject::User, None).await.unwrap();
    let usage = client.api_usage().unwrap();
    assert_eq!(
        usage,
        ApiUsage {
            used: 13_000,
            limit: 15_000
        }
    );
    assert!(usage.ratio() > 0.8);
}

#[tokio::test]
async fn salesforce_errors_other_than_limits_are_not_retried() {
    let standin = seeded().await;
    let mut config = standin.jwt_config();
    config.account_email_field = "PersonEmail".into();
    let client = SalesforceClient::connect(config).await.unwrap();
    let err = client.pull(SfObject::Account, None).await.unwrap_err();
    match &err {
        SfError::Api {
            error_code,
            status,
            message,
            ..
        } => {
            assert_eq!(error_code, "INVALID_FIELD");
            assert_eq!(*status, 400);
            assert!(message.contains("PersonEmail"), "{message}");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert!(
        err.to_string().contains("PMS_SF_ACCOUNT_EMAIL_FIELD"),
        "{err}"
    );
    assert_eq!(standin.query_requests(), 1);
}

#[tokio::test]
async fn an_unreadable_record_is_quarantined_with_its_id_and_field() {
    let standin = seeded().await;
    let id = test_sf_id(SfObject::Contact, 9);
    let record = json!({ "Id": id, "Name": "Broken", "SystemModstamp": "yesterday" });
    standin.seed_raw(SfObject::Contact, record.as_object().unwrap().clone());
    let client = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap();
    // The readable contacts arrive; the broken one is reported, not fatal.
    let pull = client.pull(SfObject::Contact, None).await.unwrap();
    assert_eq!(pull.batch.contacts, dataset().contacts);
    assert_eq!(pull.quarantined.len(), 1);
    let left_out = &pull.quarantined[0];
    assert_eq!(
        (
            left_out.object,
            left_out.id.as_deref(),
            left_out.field.as_str(),
            left_out.value.as_deref()
        ),
        (
            SfObject::Contact,
            Some(id.as_str()),
            "SystemModstamp",
            Some("yesterday")
        )
    );
    // Without a readable stamp the watermark cannot move past it: the previous one is kept.
    assert_eq!(pull.next_watermark(Some(at(8, 0))), Some(at(8, 0)));
}

#[tokio::test]
async fn an_account_breaking_the_csv_rules_is_quarantined_and_holds_the_watermark() {
    let standin = seeded().await;
    let mut bad = account(6, at(10, 2) + chrono::Duration::milliseconds(500));
    bad.pan = Some("NOT-A-PAN".into());
    let mut unknown_status = account(7, at(10, 3));
    unknown_status.status = Some("Dormant".into());
    standin.seed(&SfBatch {
        accounts: vec![bad.clone(), unknown_status.clone()],
        ..SfBatch::default()
    });
    let client = SalesforceClient::connect(standin.jwt_config())
        .await
        .unwrap();
    let pull = client.pull(SfObject::Account, None).await.unwrap();
    assert_eq!(pull.batch.accounts, dataset().accounts);
    let found: Vec<(&str, &str, Option<&str>)> = pull
        .quarantined
        .iter()
        .map(|q| {
            (
                q.id.as_deref().unwrap(),
                q.field.as_str(),
                q.value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (bad.id.as_str(), "PAN__c", Some("NOT-A-PAN")),
            (unknown_status.id.as_str(), "Status__c", Some("Dormant")),
        ]
    );
    // The same reason the CSV import gives.
    assert_eq!(
        Err(pull.quarantined[0].reason.clone()),
        pms_ingest::source::salesforce::values::parse_pan("NOT-A-PAN")
    );
    assert!(pull.quarantined[0]
        .to_row_error()
        .reason
        .contains(bad.id.as_str()));
    // The next sync starts before the first bad record, not after the newest one.
    assert_eq!(pull.max_modstamp, Some(at(10, 4)));
    assert_eq!(
        pull.next_watermark(None),
        Some(at(10, 2) - chrono::Duration::milliseconds(500))
    );
}

#[tokio::test]
async fn an_unreachable_login_url_fails_clearly() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let standin = seeded().await;
    let mut config = standin.jwt_config();
    config.login_url = format!("http://{addr}");
    config.retry.max_attempts = 2;
    let err = SalesforceClient::connect(config).await.unwrap_err();
    assert!(matches!(err, SfError::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string().contains("could not reach Salesforce"),
        "{err}"
    );
}
