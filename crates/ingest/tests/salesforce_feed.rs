//! The Salesforce sync as a feed, against the local stand-in and real PostgreSQL: a bad record
//! is quarantined instead of stopping the feed, every job ends in a final state, records that
//! become visible late are not lost, and deletions reach the store.

mod common;

use chrono::Duration;
use pms_ingest::load::job::{fail_abandoned_jobs, Job, JobSpec, Source, Trigger};
use pms_ingest::load::salesforce::sync;
use pms_ingest::load::LoadOutcome;
use pms_ingest::source::salesforce::records::{SfBatch, SfObject};
use pms_ingest::testing::salesforce_fixtures::{
    sf_account, sf_contact, sf_time, sf_user, sync_request,
};
use pms_ingest::testing::{test_sf_id, SalesforceStandIn};
use sqlx::PgPool;

async fn synced(pool: &PgPool, standin: &SalesforceStandIn) -> LoadOutcome {
    sync(pool, standin.client_credentials_config(), &sync_request())
        .await
        .expect("the sync returns an outcome")
}

fn assert_succeeded(outcome: &LoadOutcome) {
    assert!(
        matches!(outcome, LoadOutcome::Succeeded { .. }),
        "{outcome:?}"
    );
}

/// `(status, error_count, finished)` of a job.
async fn job_state(pool: &PgPool, job_id: i64) -> (String, i64, bool) {
    sqlx::query_as(
        "SELECT status, error_count, finished_at IS NOT NULL FROM ingest_job WHERE job_id = $1",
    )
    .bind(job_id)
    .fetch_one(pool)
    .await
    .expect("job")
}

async fn client_exists(pool: &PgPool, account: u64) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM dim_client WHERE sf_account_id = $1)")
        .bind(test_sf_id(SfObject::Account, account))
        .fetch_one(pool)
        .await
        .expect("client")
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_invalid_pan_is_quarantined_and_the_rest_of_the_feed_loads(pool: PgPool) {
    let standin = SalesforceStandIn::start_default().await.unwrap();
    let mut bad = sf_account(2, 1, None, sf_time(10, 1, 0));
    bad.pan = Some("NOT-A-PAN".into());
    standin.seed(&SfBatch {
        users: vec![sf_user(1)],
        accounts: vec![
            sf_account(1, 1, None, sf_time(10, 0, 0)),
            bad.clone(),
            sf_account(3, 1, None, sf_time(10, 2, 0)),
        ],
        // The bad account's contact cannot load without it.
        contacts: vec![sf_contact(1, 2, sf_time(11, 0, 0))],
        activities: vec![],
    });

    let outcome = synced(&pool, &standin).await;
    assert_succeeded(&outcome);
    assert_eq!(
        job_state(&pool, outcome.job_id()).await,
        ("succeeded".into(), 2, true)
    );
    let problems: Vec<(Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT column_name, value, reason FROM ingest_error WHERE job_id = $1 ORDER BY seq",
    )
    .bind(outcome.job_id())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].0.as_deref(), Some("PAN__c"));
    assert_eq!(problems[0].1.as_deref(), Some("NOT-A-PAN"));
    assert!(problems[0].2.contains(&bad.id), "{problems:?}");
    assert_eq!(problems[1].0.as_deref(), Some("AccountId"));
    assert!(
        problems[1].2.contains(&test_sf_id(SfObject::Contact, 1)),
        "{problems:?}"
    );
    assert!(client_exists(&pool, 1).await && client_exists(&pool, 3).await);
    assert!(!client_exists(&pool, 2).await);

    // Corrected in Salesforce, the account and its contact arrive with the next sync.
    bad.pan = Some("ABCPE0002F".into());
    bad.system_modstamp = sf_time(10, 5, 0);
    standin.seed(&SfBatch {
        accounts: vec![bad],
        ..SfBatch::default()
    });
    let outcome = synced(&pool, &standin).await;
    assert_succeeded(&outcome);
    assert_eq!(
        job_state(&pool, outcome.job_id()).await,
        ("succeeded".into(), 0, true)
    );
    assert!(client_exists(&pool, 2).await);
    let contacts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM dim_contact WHERE client_id IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(contacts, 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_sync_that_fails_in_the_database_ends_its_job_as_failed(pool: PgPool) {
    let standin = SalesforceStandIn::start_default().await.unwrap();
    standin.seed(&SfBatch {
        users: vec![sf_user(1)],
        accounts: vec![sf_account(1, 1, None, sf_time(10, 0, 0))],
        ..SfBatch::default()
    });
    common::refuse_inserts(&pool, "dim_client", "the store refuses this row").await;
    let outcome = synced(&pool, &standin).await;
    match &outcome {
        LoadOutcome::Failed { message, .. } => {
            assert!(message.contains("the store refuses this row"), "{message}");
            assert!(message.contains("the next sync starts from the same point"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        job_state(&pool, outcome.job_id()).await,
        ("failed".into(), 0, true)
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn jobs_left_running_by_a_dead_process_are_ended(pool: PgPool) {
    let spec = |source| JobSpec {
        source,
        report: "salesforce".into(),
        trigger: Trigger::Schedule,
        file_name: None,
        file_sha256: None,
        file_bytes: None,
        profile: None,
        requested_by: None,
    };
    let dead_sync = Job::start(&pool, &spec(Source::SalesforceApi))
        .await
        .unwrap();
    let dead_file = Job::start(&pool, &spec(Source::WealthSpectrumFile))
        .await
        .unwrap();
    let alive = Job::start(&pool, &spec(Source::SalesforceApi))
        .await
        .unwrap();
    sqlx::query(
        "UPDATE ingest_job SET heartbeat_at = now() - interval '10 minutes' WHERE job_id = ANY($1)",
    )
    .bind(vec![dead_sync.id, dead_file.id])
    .execute(&pool)
    .await
    .unwrap();

    assert_eq!(fail_abandoned_jobs(&pool).await.unwrap(), 2);
    let (status, _, finished) = job_state(&pool, dead_sync.id).await;
    assert_eq!((status.as_str(), finished), ("failed", true));
    let message: String = sqlx::query_scalar("SELECT message FROM ingest_job WHERE job_id = $1")
        .bind(dead_sync.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        message.contains("next sync starts from the same point"),
        "{message}"
    );
    assert_eq!(job_state(&pool, dead_file.id).await.0, "failed");
    assert_eq!(
        job_state(&pool, alive.id).await,
        ("running".into(), 0, false)
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn records_committed_late_in_the_same_second_or_earlier_reach_the_store(pool: PgPool) {
    let standin = SalesforceStandIn::start_default().await.unwrap();
    let newest = sf_time(10, 0, 5) + Duration::milliseconds(300);
    standin.seed(&SfBatch {
        users: vec![sf_user(1)],
        accounts: vec![sf_account(1, 1, None, newest)],
        ..SfBatch::default()
    });
    assert_succeeded(&synced(&pool, &standin).await);

    // Committed just after that sync's query: one stamped in the same second as the newest
    // record read, one stamped seconds earlier (a long transaction).
    standin.seed(&SfBatch {
        accounts: vec![
            sf_account(2, 1, None, sf_time(10, 0, 5) + Duration::milliseconds(100)),
            sf_account(3, 1, None, sf_time(10, 0, 2)),
        ],
        ..SfBatch::default()
    });
    assert_succeeded(&synced(&pool, &standin).await);
    assert!(client_exists(&pool, 2).await, "same second");
    assert!(client_exists(&pool, 3).await, "stamped earlier");
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleted_records_close_the_client_and_remove_contacts(pool: PgPool) {
    let standin = SalesforceStandIn::start_default().await.unwrap();
    standin.seed(&SfBatch {
        users: vec![sf_user(1)],
        accounts: vec![
            sf_account(1, 1, None, sf_time(10, 0, 0)),
            sf_account(2, 1, None, sf_time(10, 1, 0)),
        ],
        contacts: vec![sf_contact(1, 2, sf_time(11, 0, 0))],
        activities: vec![],
    });
    assert_succeeded(&synced(&pool, &standin).await);

    standin.delete(SfObject::Account, &test_sf_id(SfObject::Account, 2));
    standin.delete(SfObject::Contact, &test_sf_id(SfObject::Contact, 1));
    let outcome = synced(&pool, &standin).await;
    assert_succeeded(&outcome);
    let (status, closed_on, deleted): (String, bool, bool) = sqlx::query_as(
        "SELECT status, closure_date IS NOT NULL, sf_deleted_at IS NOT NULL FROM dim_client WHERE sf_account_id = $1",
    )
    .bind(test_sf_id(SfObject::Account, 2))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), closed_on, deleted),
        ("Closed", true, true)
    );
    let contacts: i64 = sqlx::query_scalar("SELECT count(*) FROM dim_contact")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(contacts, 0);
    let active: String =
        sqlx::query_scalar("SELECT status FROM dim_client WHERE sf_account_id = $1")
            .bind(test_sf_id(SfObject::Account, 1))
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(active, "Active");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_merge_moves_the_client_to_the_surviving_account(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    common::load_all(&pool, dir.path()).await;
    let standin = SalesforceStandIn::start_default().await.unwrap();
    standin.seed(&SfBatch {
        users: vec![sf_user(1)],
        accounts: vec![sf_account(1, 1, Some("C001"), sf_time(10, 0, 0))],
        ..SfBatch::default()
    });
    assert_succeeded(&synced(&pool, &standin).await);

    // Account 9 absorbs account 1: the loser is deleted, the survivor carries the client code.
    standin.delete(SfObject::Account, &test_sf_id(SfObject::Account, 1));
    standin.seed(&SfBatch {
        accounts: vec![sf_account(9, 1, Some("C001"), sf_time(12, 0, 0))],
        ..SfBatch::default()
    });
    assert_succeeded(&synced(&pool, &standin).await);
    let (account, status, deleted): (Option<String>, String, bool) = sqlx::query_as(
        "SELECT sf_account_id, status, sf_deleted_at IS NOT NULL FROM dim_client WHERE ws_client_code = 'C001'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (account, status.as_str(), deleted),
        (Some(test_sf_id(SfObject::Account, 9)), "Active", false)
    );
}
