//! Who decides a client's RM: an assignment made in the app stands against later Salesforce
//! syncs (the differing Account owner is recorded for admins), while clients never reassigned
//! in the app keep following Salesforce.

use pms_ingest::load::salesforce::sync;
use pms_ingest::load::LoadOutcome;
use pms_ingest::source::salesforce::records::{SfBatch, SfObject};
use pms_ingest::testing::salesforce_fixtures::{sf_account, sf_time, sf_user, sync_request};
use pms_ingest::testing::{test_sf_id, SalesforceStandIn};
use pms_store::Db;
use sqlx::PgPool;

async fn synced(pool: &PgPool, standin: &SalesforceStandIn) {
    let outcome = sync(pool, standin.client_credentials_config(), &sync_request())
        .await
        .expect("the sync returns an outcome");
    assert!(
        matches!(outcome, LoadOutcome::Succeeded { .. }),
        "{outcome:?}"
    );
}

async fn rm_of_user(pool: &PgPool, user: u64) -> i32 {
    sqlx::query_scalar("SELECT rm_id FROM dim_rm WHERE sf_user_id = $1")
        .bind(test_sf_id(SfObject::User, user))
        .fetch_one(pool)
        .await
        .expect("rm")
}

/// `(client_id, rm_id, sf_owner_rm_id, rm_conflict, assigned in the app)` of an account's client.
async fn assignment(pool: &PgPool, account: u64) -> (i32, Option<i32>, Option<i32>, bool, bool) {
    sqlx::query_as(
        "SELECT client_id, rm_id, sf_owner_rm_id, rm_conflict, rm_assigned_in_app_at IS NOT NULL
         FROM dim_client WHERE sf_account_id = $1",
    )
    .bind(test_sf_id(SfObject::Account, account))
    .fetch_one(pool)
    .await
    .expect("client")
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_rm_assigned_in_the_app_stands_against_salesforce(pool: PgPool) {
    let standin = SalesforceStandIn::start_default().await.unwrap();
    standin.seed(&SfBatch {
        users: vec![sf_user(1), sf_user(2), sf_user(3)],
        accounts: vec![
            sf_account(1, 1, None, sf_time(10, 0, 0)),
            sf_account(2, 1, None, sf_time(10, 1, 0)),
        ],
        ..SfBatch::default()
    });
    synced(&pool, &standin).await;
    let (rm1, rm2, rm3) = (
        rm_of_user(&pool, 1).await,
        rm_of_user(&pool, 2).await,
        rm_of_user(&pool, 3).await,
    );
    let (client1, ..) = assignment(&pool, 1).await;
    assert_eq!(
        assignment(&pool, 1).await,
        (client1, Some(rm1), Some(rm1), false, false)
    );

    // An admin moves client 1 to RM 3, the way the Assignments page does.
    let mut conn = pool.acquire().await.unwrap();
    let previous = Db::assign_client(&mut conn, client1, Some(rm3))
        .await
        .unwrap();
    assert_eq!(previous, Some(rm1));

    // Salesforce then gives both accounts to RM 2.
    standin.seed(&SfBatch {
        accounts: vec![
            sf_account(1, 2, None, sf_time(14, 0, 0)),
            sf_account(2, 2, None, sf_time(14, 1, 0)),
        ],
        ..SfBatch::default()
    });
    synced(&pool, &standin).await;

    // The app's assignment stands; Salesforce's owner is recorded and the conflict is visible.
    assert_eq!(
        assignment(&pool, 1).await,
        (client1, Some(rm3), Some(rm2), true, true)
    );
    // A client never reassigned in the app follows Salesforce.
    let (client2, ..) = assignment(&pool, 2).await;
    assert_eq!(
        assignment(&pool, 2).await,
        (client2, Some(rm2), Some(rm2), false, false)
    );
    // Only the app's change and Salesforce's change of client 2 are in the history.
    let current: Vec<(i32, Option<i32>)> = sqlx::query_as(
        "SELECT client_id, rm_id FROM client_history WHERE valid_to IS NULL ORDER BY client_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut expected = vec![(client1, Some(rm3)), (client2, Some(rm2))];
    expected.sort();
    assert_eq!(current, expected);
}
