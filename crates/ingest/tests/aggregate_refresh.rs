//! The aggregate refresh under concurrency, against real PostgreSQL. A second connection holds
//! a row lock on a portfolio's aggregate, which stops a refresh after it computed the figures
//! and before it writes them; meanwhile a load or a second refresh runs. Afterwards the figures
//! must be current, no mark lost, and a refresh that fails after a load committed must leave the
//! job saying "loaded, refresh pending" and be retried.

mod common;

use std::time::{Duration, Instant};

use pms_ingest::aggregate::{refresh_dirty, refresh_pending};
use pms_ingest::load::job::{
    fail_silent_for, Job, JobSpec, Source, Trigger, PHASE_REFRESHING, PHASE_REFRESH_PENDING,
};
use pms_ingest::load::salesforce::sync;
use pms_ingest::load::LoadOutcome;
use pms_ingest::source::salesforce::records::SfBatch;
use pms_ingest::testing::salesforce_fixtures::{sf_account, sf_time, sf_user, sync_request};
use pms_ingest::testing::SalesforceStandIn;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sqlx::{PgPool, Postgres, Transaction};

async fn portfolio_id(pool: &PgPool, code: &str) -> i32 {
    sqlx::query_scalar("SELECT portfolio_id FROM dim_portfolio WHERE ws_portfolio_code = $1")
        .bind(code)
        .fetch_one(pool)
        .await
        .expect("portfolio")
}

/// Marks the portfolio dirty, as a load whose refresh has not run yet leaves it.
async fn mark(pool: &PgPool, portfolio: i32) {
    sqlx::query(
        "INSERT INTO agg_dirty_portfolio (portfolio_id) VALUES ($1) ON CONFLICT DO NOTHING",
    )
    .bind(portfolio)
    .execute(pool)
    .await
    .expect("mark");
}

/// Holds the portfolio's aggregate row locked until the transaction ends: a refresh of it
/// computes its figures, then waits to write them.
async fn hold_aggregate(pool: &PgPool, portfolio: i32) -> Transaction<'static, Postgres> {
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("SELECT 1 FROM agg_portfolio WHERE portfolio_id = $1 FOR UPDATE")
        .bind(portfolio)
        .execute(&mut *tx)
        .await
        .expect("lock");
    tx
}

/// Waits until `n` sessions of this test's database wait for a lock.
async fn wait_for_lock_waiters(pool: &PgPool, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(pool)
        .await
        .expect("pg_stat_activity");
        if waiting >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {waiting} of {n} sessions wait for a lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The load succeeded, its data is in, and its job says the figures are still to be refreshed;
/// returns the job's message.
async fn assert_loaded_with_refresh_pending(pool: &PgPool, outcome: &LoadOutcome) -> String {
    assert!(
        matches!(outcome, LoadOutcome::Succeeded { .. }),
        "{outcome:?}"
    );
    let (status, phase, message) = job_state(pool, outcome.job_id()).await;
    assert_eq!(
        (status.as_str(), phase.as_str()),
        ("succeeded", PHASE_REFRESH_PENDING)
    );
    assert!(message.contains("not refreshed yet"), "{message}");
    message
}

async fn scalar_i64(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_load_during_a_refresh_keeps_its_mark_and_the_figures_end_current(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    common::load_all(&pool, dir.path()).await;
    let p001 = portfolio_id(&pool, "P001").await;
    mark(&pool, p001).await;

    let blocker = hold_aggregate(&pool, p001).await;
    let refresh = tokio::spawn({
        let pool = pool.clone();
        async move { refresh_dirty(&pool).await }
    });
    wait_for_lock_waiters(&pool, 1).await;

    // A load commits a new valuation of P001 with its mark, exactly as a merge writes them,
    // while the refresh holds figures computed without it. (A whole load would also run its
    // own refresh afterwards, which could hide a lost mark; this is the interleaving that
    // matters.)
    let mut load = pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO fact_valuation (portfolio_id, valuation_date, market_value, net_flow) VALUES ($1, '2023-01-09', 6200000, 0)",
    )
    .bind(p001)
    .execute(&mut *load)
    .await
    .unwrap();
    sqlx::query("INSERT INTO agg_dirty_portfolio (portfolio_id) SELECT $1 ON CONFLICT DO NOTHING")
        .bind(p001)
        .execute(&mut *load)
        .await
        .unwrap();
    load.commit().await.unwrap();
    blocker.commit().await.unwrap();
    refresh.await.unwrap().expect("the refresh");

    // The refresh saw the mark it had not read, and recomputed P001 with the new valuation.
    let (market_value, as_of): (Decimal, Option<chrono::NaiveDate>) =
        sqlx::query_as("SELECT market_value, as_of FROM agg_portfolio WHERE portfolio_id = $1")
            .bind(p001)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(market_value, dec!(6200000.00));
    assert_eq!(as_of, chrono::NaiveDate::from_ymd_opt(2023, 1, 9));
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM agg_dirty_portfolio").await,
        0
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_whole_load_during_a_refresh_succeeds_with_current_figures(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    common::load_all(&pool, dir.path()).await;
    let p001 = portfolio_id(&pool, "P001").await;
    mark(&pool, p001).await;

    let blocker = hold_aggregate(&pool, p001).await;
    let first_refresh = tokio::spawn({
        let pool = pool.clone();
        async move { refresh_dirty(&pool).await }
    });
    wait_for_lock_waiters(&pool, 1).await;

    // The load commits while the refresh waits; the load's own refresh then runs into it.
    let newer = common::write(
        dir.path(),
        "valuations_more.csv",
        "VALUATION_DATE,PORTFOLIO_CODE,MARKET_VALUE,NET_FLOW\n09-01-2023,P001,6200000.00,0\n",
    );
    let release_once_committed = async {
        let deadline = Instant::now() + Duration::from_secs(60);
        while scalar_i64(
            &pool,
            "SELECT count(*) FROM fact_valuation WHERE valuation_date = '2023-01-09'",
        )
        .await
            == 0
        {
            assert!(Instant::now() < deadline, "the load never committed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        blocker.commit().await.expect("release");
    };
    let (outcome, ()) = tokio::join!(common::load(&pool, &newer), release_once_committed);
    assert!(
        matches!(outcome, LoadOutcome::Succeeded { .. }),
        "{outcome:?}"
    );
    first_refresh.await.unwrap().expect("the first refresh");
    let market_value: Decimal =
        sqlx::query_scalar("SELECT market_value FROM agg_portfolio WHERE portfolio_id = $1")
            .bind(p001)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(market_value, dec!(6200000.00));
}

#[sqlx::test(migrations = "../../migrations")]
async fn two_refreshes_of_the_same_portfolio_do_not_collide(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    common::load_all(&pool, dir.path()).await;
    let p001 = portfolio_id(&pool, "P001").await;
    mark(&pool, p001).await;

    let blocker = hold_aggregate(&pool, p001).await;
    let refreshes: Vec<_> = (0..2)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move { refresh_dirty(&pool).await })
        })
        .collect();
    wait_for_lock_waiters(&pool, 2).await;
    blocker.commit().await.unwrap();
    for refresh in refreshes {
        refresh.await.unwrap().expect("both refreshes succeed");
    }
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM agg_portfolio_period p JOIN dim_portfolio d USING (portfolio_id)
             WHERE d.ws_portfolio_code = 'P001' AND period = 'SI'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM agg_dirty_portfolio").await,
        0
    );
}

/// `(status, phase, message)` of a job.
async fn job_state(pool: &PgPool, job_id: i64) -> (String, String, String) {
    sqlx::query_as("SELECT status, phase, message FROM ingest_job WHERE job_id = $1")
        .bind(job_id)
        .fetch_one(pool)
        .await
        .expect("job")
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_refresh_that_fails_after_the_load_committed_says_so_and_is_retried(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    common::load_all(&pool, dir.path()).await;
    common::refuse_inserts(&pool, "agg_rm_strategy", "totals unavailable").await;
    let standin = SalesforceStandIn::start_default().await.unwrap();
    standin.seed(&SfBatch {
        users: vec![sf_user(1)],
        accounts: vec![sf_account(1, 1, Some("C001"), sf_time(10, 0, 0))],
        ..SfBatch::default()
    });
    let outcome = sync(&pool, standin.client_credentials_config(), &sync_request())
        .await
        .expect("the sync returns an outcome");
    let message = assert_loaded_with_refresh_pending(&pool, &outcome).await;
    assert!(message.contains("totals unavailable"), "{message}");
    // The data is in.
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM dim_client WHERE sf_account_id IS NOT NULL"
        )
        .await,
        1
    );

    // Once the cause is gone, the next refresh (the server's sweep, or the next load) settles it.
    sqlx::raw_sql("DROP TRIGGER refuse ON agg_rm_strategy")
        .execute(&pool)
        .await
        .unwrap();
    refresh_pending(&pool).await.unwrap();
    let (_, phase, message) = job_state(&pool, outcome.job_id()).await;
    assert_eq!(phase, "done");
    assert!(message.contains("Figures refreshed at"), "{message}");
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM agg_rm_strategy WHERE rm_id IS NOT NULL"
        )
        .await,
        2,
        "C001's two strategies, now with its RM"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_load_whose_process_died_while_refreshing_is_recorded_as_loaded(pool: PgPool) {
    let job = Job::start(
        &pool,
        &JobSpec {
            source: Source::WealthSpectrumFile,
            report: "valuations".into(),
            trigger: Trigger::Cli,
            file_name: Some("valuations.csv".into()),
            file_sha256: None,
            file_bytes: None,
            profile: None,
            requested_by: None,
        },
    )
    .await
    .unwrap();
    job.progress(PHASE_REFRESHING, 5, Some(5)).await.unwrap();
    assert_eq!(fail_silent_for(&pool, Duration::ZERO).await.unwrap(), 1);
    let (status, phase, message) = job_state(&pool, job.id).await;
    assert_eq!(
        (status.as_str(), phase.as_str()),
        ("succeeded", PHASE_REFRESH_PENDING)
    );
    assert!(message.starts_with("loaded"), "{message}");
    refresh_pending(&pool).await.unwrap();
    assert_eq!(job_state(&pool, job.id).await.1, "done");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_file_whose_refresh_fails_after_it_committed_is_recorded_as_loaded(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    common::load_all(&pool, dir.path()).await;
    common::refuse_inserts(&pool, "agg_rm_strategy", "totals unavailable").await;
    let corrected = common::VALUATIONS.replace("6110000.00", "6120000.00");
    let outcome = common::load(
        &pool,
        &common::write(dir.path(), "valuations.csv", &corrected),
    )
    .await;
    assert_loaded_with_refresh_pending(&pool, &outcome).await;
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM fact_valuation WHERE market_value = 6120000.00"
        )
        .await,
        1,
        "the corrected value is in"
    );
}
