//! A load killed with SIGKILL in the middle leaves nothing behind: the file's rows are all in
//! one transaction, the staging tables are temporary, and the job is later marked as
//! interrupted. Runs the real `pms-hub ingest` binary against a fresh database.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

const CLIENT_MASTER: &str = "\
CLIENT_CODE,CLIENT_NAME,PAN,ONBOARDING_DATE,PORTFOLIO_CODE,STRATEGY_CODE,STRATEGY_NAME,STRATEGY_CATEGORY,IA_CODE,IA_NAME,BENCHMARK_CODE,INCEPTION_DATE
C001,Aarav Mehta,ABCPM1234F,02-01-2023,P001,EQ,Equity,Equity,EQ-FLEXI,Flexicap Growth,NIFTY500_TRI,02-01-2023
";

fn database_url(base: &str, name: &str) -> String {
    match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => format!("postgres://postgres@127.0.0.1:5432/{name}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn sigkill_mid_load_leaves_no_partial_batch(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client_master.csv"), CLIENT_MASTER).unwrap();
    // 600,000 inflows: long enough to be caught in the middle.
    let big = dir.path().join("transactions.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
    writeln!(out, "TRAN_ID,PORTFOLIO_CODE,TRAN_DATE,TRAN_TYPE,AMOUNT").unwrap();
    for i in 0..600_000u32 {
        writeln!(
            out,
            "K{i},P001,{:02}-0{}-2024,INFLOW,{}.00",
            1 + i % 28,
            1 + i % 9,
            1000 + i % 5000
        )
        .unwrap();
    }
    out.flush().unwrap();
    drop(out);

    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let url = database_url(&std::env::var("DATABASE_URL").unwrap_or_default(), &name);
    let bin = env!("CARGO_BIN_EXE_pms-hub");
    let masters = Command::new(bin)
        .args(["ingest", "--quiet"])
        .arg(dir.path().join("client_master.csv"))
        .env("DATABASE_URL", &url)
        .env("PMS_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(
        masters.status.success(),
        "{}",
        String::from_utf8_lossy(&masters.stderr)
    );

    let mut child = Command::new(bin)
        .args(["ingest", "--quiet", "--report", "transactions"])
        .arg(&big)
        .env("DATABASE_URL", &url)
        .env("PMS_DATA_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the load is well under way (rows read and sent to PostgreSQL), then kill it.
    let started = Instant::now();
    loop {
        let progress: Option<i64> = sqlx::query_scalar(
            "SELECT rows_read FROM ingest_job WHERE report = 'transactions' AND status = 'running'",
        )
        .fetch_optional(&pool)
        .await
        .unwrap();
        if progress.unwrap_or(0) >= 100_000 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the load never got going"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the load finished before it could be killed; make the file bigger"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // PostgreSQL notices the dead connection and rolls its transaction back.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let open: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pms-hub'")
            .fetch_one(&pool)
            .await
            .unwrap();
        if open == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let written: i64 = sqlx::query_scalar("SELECT count(*) FROM fact_transaction")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(written, 0, "no partial batch");
    let dirty: i64 = sqlx::query_scalar("SELECT count(*) FROM agg_dirty_portfolio")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(dirty, 0);

    // The silent job is recognised as interrupted, and loading again succeeds in full.
    let marked = pms_ingest::load::job::fail_silent_for(&pool, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(marked, 1);
    let status: String = sqlx::query_scalar(
        "SELECT status FROM ingest_job WHERE report = 'transactions' ORDER BY job_id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(status, "failed");
    let again = Command::new(bin)
        .args(["ingest", "--quiet", "--report", "transactions"])
        .arg(&big)
        .env("DATABASE_URL", &url)
        .env("PMS_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let written: i64 = sqlx::query_scalar("SELECT count(*) FROM fact_transaction")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(written, 600_000);
}
