//! Salesforce into the store, against the local stand-in and real PostgreSQL: a full sync,
//! an incremental one that reassigns a client, a failed sync that changes nothing, and CSV
//! exports with and without problems.

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pms_ingest::load::salesforce::{load_csv, sync, SfLoadRequest};
use pms_ingest::load::{LoadOutcome, Trigger};
use pms_ingest::source::salesforce::records::{
    SfAccount, SfActivity, SfBatch, SfContact, SfObject, SfUser,
};
use pms_ingest::testing::{test_sf_id, SalesforceStandIn};
use sqlx::PgPool;

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, hour, minute, 0).unwrap()
}

fn request() -> SfLoadRequest {
    SfLoadRequest {
        trigger: Trigger::Schedule,
        requested_by: None,
    }
}

fn user(n: u64, department: &str) -> SfUser {
    SfUser {
        id: test_sf_id(SfObject::User, n),
        name: format!("Relationship Manager {n}"),
        email: Some(format!("rm{n}@firm.in")),
        phone: None,
        employee_number: Some(format!("E{n:03}")),
        department: Some(department.into()),
        is_active: true,
        system_modstamp: at(9, n as u32),
    }
}

fn account(n: u64, owner: u64, code: Option<&str>, modstamp: DateTime<Utc>) -> SfAccount {
    SfAccount {
        id: test_sf_id(SfObject::Account, n),
        name: format!("Client {n}"),
        pan: Some(format!("ABCPE{:04}F", n)),
        pms_client_code: code.map(str::to_owned),
        client_type: Some("Individual".into()),
        risk_profile: Some("Moderate".into()),
        billing_city: Some("Pune".into()),
        billing_state: Some("Maharashtra".into()),
        phone: None,
        email: Some(format!("client{n}@example.in")),
        owner_id: test_sf_id(SfObject::User, owner),
        onboarding_date: NaiveDate::from_ymd_opt(2024, 4, 1),
        status: Some("Active".into()),
        closure_date: None,
        aum: None,
        system_modstamp: modstamp,
    }
}

fn dataset() -> SfBatch {
    SfBatch {
        users: vec![user(1, "Wealth – Mumbai West"), user(2, "Wealth – Pune")],
        // Account 1 is the Wealth Spectrum client C001 of the fixtures; account 2 is new.
        accounts: vec![
            account(1, 1, Some("C001"), at(10, 0)),
            account(2, 2, None, at(10, 1)),
        ],
        contacts: vec![SfContact {
            id: test_sf_id(SfObject::Contact, 1),
            account_id: Some(test_sf_id(SfObject::Account, 1)),
            name: "Neha Mehta".into(),
            email: Some("neha@example.in".into()),
            phone: None,
            title: Some("Spouse".into()),
            system_modstamp: at(11, 0),
        }],
        activities: vec![SfActivity {
            id: test_sf_id(SfObject::Task, 1),
            kind: SfObject::Task,
            what_id: Some(test_sf_id(SfObject::Account, 1)),
            owner_id: Some(test_sf_id(SfObject::User, 1)),
            subject: Some("Quarterly review call".into()),
            activity_type: Some("Call".into()),
            activity_date: NaiveDate::from_ymd_opt(2026, 11, 19),
            status: Some("Completed".into()),
            system_modstamp: at(12, 0),
        }],
    }
}

async fn scalar_i64(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_sync_links_clients_and_an_incremental_one_reassigns_the_rm(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    common::load_all(&pool, dir.path()).await;
    let standin = SalesforceStandIn::start_default().await.unwrap();
    standin.seed(&dataset());

    let first = sync(&pool, standin.client_credentials_config(), &request())
        .await
        .unwrap();
    assert!(matches!(first, LoadOutcome::Succeeded { .. }), "{first:?}");
    // The Wealth Spectrum client C001 is now also Salesforce account 1 with its RM; account 2
    // is a new client; teams come from departments.
    let linked: (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT c.sf_account_id, r.name FROM dim_client c LEFT JOIN dim_rm r USING (rm_id) WHERE c.ws_client_code = 'C001'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        linked.0.as_deref(),
        Some(test_sf_id(SfObject::Account, 1).as_str())
    );
    assert_eq!(linked.1.as_deref(), Some("Relationship Manager 1"));
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM dim_client").await,
        3
    );
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM rm_team").await, 2);
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM dim_contact WHERE client_id IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM fact_crm_activity WHERE client_id IS NOT NULL"
        )
        .await,
        1
    );
    // One watermark per object that had records (no Events were seeded).
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM sf_watermark").await,
        4
    );
    // The RM-and-strategy totals now carry the RM.
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM agg_rm_strategy WHERE rm_id IS NOT NULL"
        )
        .await,
        2
    );

    // Nothing changed in Salesforce: the next sync pulls nothing new.
    let queries_before = standin.query_requests();
    let again = sync(&pool, standin.client_credentials_config(), &request())
        .await
        .unwrap();
    match again {
        LoadOutcome::Succeeded { counts, .. } => {
            assert_eq!((counts.inserted, counts.updated), (0, 0))
        }
        other => panic!("{other:?}"),
    }
    // Objects with a watermark are pulled incrementally (Event has none yet: it had no records).
    let incremental = standin
        .soql_received()
        .iter()
        .rev()
        .take(5)
        .filter(|q| q.contains("SystemModstamp >"))
        .count();
    assert_eq!(incremental, 4, "{:?}", standin.soql_received());
    assert!(standin.query_requests() > queries_before);

    // Account 1 moves to RM 2: the incremental sync picks it up and the history records it.
    standin.seed(&SfBatch {
        accounts: vec![account(1, 2, Some("C001"), at(15, 0))],
        ..SfBatch::default()
    });
    let moved = sync(&pool, standin.client_credentials_config(), &request())
        .await
        .unwrap();
    match moved {
        LoadOutcome::Succeeded { counts, .. } => assert_eq!(counts.updated, 1, "{counts:?}"),
        other => panic!("{other:?}"),
    }
    let history: Vec<(String, bool)> = sqlx::query_as(
        "SELECT r.name, h.valid_to IS NULL FROM client_history h JOIN dim_client c USING (client_id)
         JOIN dim_rm r ON r.rm_id = h.rm_id WHERE c.ws_client_code = 'C001' ORDER BY h.valid_from",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        history.last(),
        Some(&("Relationship Manager 2".to_string(), true))
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_failed_sync_changes_nothing_and_keeps_the_watermarks(pool: PgPool) {
    let standin = SalesforceStandIn::start_default().await.unwrap();
    standin.seed(&dataset());
    standin.fail_with_unavailable(50);
    let before = common::fingerprint(&pool).await;
    let outcome = sync(&pool, standin.client_credentials_config(), &request())
        .await
        .unwrap();
    match &outcome {
        LoadOutcome::Failed { message, .. } => {
            assert!(message.contains("Nothing was loaded"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(common::fingerprint(&pool).await, before);
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM sf_watermark").await,
        0
    );
    let status: String = sqlx::query_scalar("SELECT status FROM ingest_job WHERE job_id = $1")
        .bind(outcome.job_id())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "failed");
}

#[sqlx::test(migrations = "../../migrations")]
async fn csv_exports_load_and_an_unknown_owner_rejects_the_file(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let users = format!(
        "Id,Name,Email,Phone,EmployeeNumber,Department,IsActive,SystemModstamp\n{},Priya Sharma,priya@firm.in,,E001,Wealth,true,2026-11-20T09:00:00.000Z\n",
        test_sf_id(SfObject::User, 1)
    );
    let header = "Id,Name,PAN__c,PMS_Client_Code__c,Client_Type__c,Risk_Profile__c,BillingCity,BillingState,Phone,Email__c,OwnerId,Onboarding_Date__c,Status__c,Closure_Date__c,AUM__c,SystemModstamp";
    let good = format!(
        "{header}\n{},Kavya Iyer,ABCPI1234K,,Individual,Moderate,Chennai,Tamil Nadu,,kavya@example.in,{},2025-01-10,Active,,7500000,2026-11-20T10:00:00.000Z\n",
        test_sf_id(SfObject::Account, 7),
        test_sf_id(SfObject::User, 1)
    );
    let orphan = format!(
        "{header}\n{},Rohan Das,ABCPD1234K,,Individual,Moderate,Kolkata,West Bengal,,rohan@example.in,{},2025-01-10,Active,,,2026-11-20T10:00:00.000Z\n",
        test_sf_id(SfObject::Account, 8),
        test_sf_id(SfObject::User, 9)
    );
    let load = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let outcome = load_csv(&pool, &load("User.csv", users), None, &request())
        .await
        .unwrap();
    assert!(
        matches!(outcome, LoadOutcome::Succeeded { .. }),
        "{outcome:?}"
    );
    let outcome = load_csv(&pool, &load("Account.csv", good), None, &request())
        .await
        .unwrap();
    assert!(
        matches!(outcome, LoadOutcome::Succeeded { .. }),
        "{outcome:?}"
    );

    let before = common::fingerprint(&pool).await;
    let outcome = load_csv(&pool, &load("Account2.csv", orphan), None, &request())
        .await
        .unwrap();
    let found = common::problems(&outcome);
    assert!(
        found
            .iter()
            .any(|(_, c, r)| c.as_deref() == Some("OwnerId")
                && r.contains("user the Hub does not know")),
        "{found:?}"
    );
    assert_eq!(common::fingerprint(&pool).await, before);

    // A malformed export is rejected with the reader's row-level reasons.
    let broken = format!("{header}\nnot-an-id,,,,,,,,,,,,,,,\n");
    let outcome = load_csv(&pool, &load("Account3.csv", broken), None, &request())
        .await
        .unwrap();
    assert!(!common::problems(&outcome).is_empty());
    assert_eq!(common::fingerprint(&pool).await, before);
}
