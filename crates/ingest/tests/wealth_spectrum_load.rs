//! Loading Wealth Spectrum reports into a real PostgreSQL database (each test gets its own
//! fresh one): every report loads, reloading changes nothing, corrections are upserts, and every
//! class of bad input rejects the whole file with row-level reasons and leaves the store as it
//! was.

mod common;

use common::*;
use pms_ingest::load::{LoadOutcome, MergeCounts};
use sqlx::PgPool;

fn counts(outcome: &LoadOutcome) -> MergeCounts {
    match outcome {
        LoadOutcome::Succeeded { counts, .. } => *counts,
        other => panic!("expected success, got {other:?}"),
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_report_loads_and_feeds_the_aggregates(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    load_all(&pool, dir.path()).await;

    let portfolios: i64 = sqlx::query_scalar("SELECT count(*) FROM dim_portfolio")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(portfolios, 3);
    let clients: Vec<(String, String)> =
        sqlx::query_as("SELECT ws_client_code, name FROM dim_client ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        clients,
        vec![
            ("C001".into(), "Aarav Mehta".into()),
            ("C002".into(), "Isha Rao HUF".into())
        ]
    );
    // Signed amounts: inflow +, purchase −, fee −; Indian digit grouping understood.
    let amounts: Vec<(String, rust_decimal::Decimal)> =
        sqlx::query_as("SELECT txn_ref, amount FROM fact_transaction ORDER BY txn_ref")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(amounts[0].1.to_string(), "5000000.00");
    assert_eq!(amounts[1].1.to_string(), "-2500000.00");
    assert_eq!(amounts[3].1.to_string(), "-25000.00");
    // History recorded for each new client.
    let history: i64 =
        sqlx::query_scalar("SELECT count(*) FROM client_history WHERE valid_to IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(history, 2);

    // TWRR of P001 over its valuations: 5.00M → 5.01M → 4.99M → (6.05M with 1.00M in) → 6.11M.
    let (twrr, market_value): (f64, rust_decimal::Decimal) = sqlx::query_as(
        "SELECT pp.twrr_cumulative, a.market_value FROM agg_portfolio_period pp
         JOIN agg_portfolio a USING (portfolio_id) JOIN dim_portfolio p USING (portfolio_id)
         WHERE p.ws_portfolio_code = 'P001' AND pp.period = 'SI'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let expected = (5_010_000.0 / 5_000_000.0)
        * (4_990_000.0 / 5_010_000.0)
        * (5_050_000.0 / 4_990_000.0)
        * (6_110_000.0 / 6_050_000.0)
        - 1.0;
    assert!((twrr - expected).abs() < 1e-12, "{twrr} vs {expected}");
    assert_eq!(market_value.to_string(), "6110000.00");
    // P003 has no valuations: its value comes from holdings (none) and flows.
    let client_aum: rust_decimal::Decimal = sqlx::query_scalar(
        "SELECT aum FROM agg_client JOIN dim_client USING (client_id) WHERE ws_client_code = 'C001'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(client_aum.to_string(), "6110000.00");
    let totals: i64 = sqlx::query_scalar("SELECT count(*) FROM agg_rm_strategy")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(totals >= 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn loading_the_same_file_again_changes_nothing(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    load_all(&pool, dir.path()).await;
    let before = fingerprint(&pool).await;
    let again = load(&pool, &write(dir.path(), "transactions.csv", TRANSACTIONS)).await;
    assert_eq!(
        counts(&again),
        MergeCounts {
            inserted: 0,
            updated: 0,
            unchanged: 5
        }
    );
    let again = load(
        &pool,
        &write(dir.path(), "client_master.csv", CLIENT_MASTER),
    )
    .await;
    assert_eq!(
        counts(&again),
        MergeCounts {
            inserted: 0,
            updated: 0,
            unchanged: 3
        }
    );
    assert_eq!(fingerprint(&pool).await, before);
}

#[sqlx::test(migrations = "../../migrations")]
async fn corrections_are_upserts_keyed_by_the_source_ids(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    load_all(&pool, dir.path()).await;
    // T2 corrected (price and amount) and moved a day; T6 new.
    let corrected = "\
TRAN_ID,PORTFOLIO_CODE,TRAN_DATE,SETTLE_DATE,TRAN_TYPE,ISIN,QUANTITY,PRICE,AMOUNT,CHARGES
T2,P001,04-01-2023,06-01-2023,BUY,INE002A01018,1000,2510,\"25,10,000.00\",250.00
T6,P003,16-03-2022,16-03-2022,BUY,INE040A01034,100,1500,150000,
";
    let outcome = load(&pool, &write(dir.path(), "transactions_fix.csv", corrected)).await;
    assert_eq!(
        counts(&outcome),
        MergeCounts {
            inserted: 1,
            updated: 1,
            unchanged: 0
        }
    );
    let rows: Vec<(String, chrono::NaiveDate, rust_decimal::Decimal)> =
        sqlx::query_as("SELECT txn_ref, trade_date, amount FROM fact_transaction WHERE txn_ref IN ('T2', 'T6') ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2, "the moved transaction exists once: {rows:?}");
    assert_eq!(
        rows[0].1,
        chrono::NaiveDate::from_ymd_opt(2023, 1, 4).unwrap()
    );
    assert_eq!(rows[0].2.to_string(), "-2510000.00");

    // A client's risk profile changes: the history gets a new period.
    let changed = CLIENT_MASTER.replace(
        "Mumbai,Maharashtra,Aggressive",
        "Mumbai,Maharashtra,Moderate",
    );
    let outcome = load(&pool, &write(dir.path(), "client_master.csv", &changed)).await;
    assert!(
        matches!(outcome, LoadOutcome::Succeeded { .. }),
        "{outcome:?}"
    );
    let periods: Vec<(String, bool)> = sqlx::query_as(
        "SELECT h.risk_profile, h.valid_to IS NULL FROM client_history h JOIN dim_client c USING (client_id)
         WHERE c.ws_client_code = 'C001' ORDER BY h.valid_from",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        periods,
        vec![("Aggressive".into(), false), ("Moderate".into(), true)]
    );
}

/// Loads `text` as `name` after the masters, expects a rejection, and checks the store did not
/// change.
async fn rejected(
    pool: &PgPool,
    name: &str,
    text: &str,
) -> Vec<(Option<u64>, Option<String>, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    load_all(pool, dir.path()).await;
    let before = fingerprint(pool).await;
    let outcome = load(pool, &write(dir.path(), name, text)).await;
    let found = problems(&outcome);
    assert_eq!(
        fingerprint(pool).await,
        before,
        "a rejected file must change nothing"
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM ingest_error WHERE job_id = $1")
        .bind(outcome.job_id())
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        stored as usize,
        found.len().max(stored as usize),
        "errors are stored with the job"
    );
    found
}

fn has(
    found: &[(Option<u64>, Option<String>, String)],
    line: u64,
    column: &str,
    fragment: &str,
) -> bool {
    found
        .iter()
        .any(|(l, c, r)| *l == Some(line) && c.as_deref() == Some(column) && r.contains(fragment))
}

#[sqlx::test(migrations = "../../migrations")]
async fn bad_types_dates_and_missing_values_are_reported_by_line_and_column(pool: PgPool) {
    let text = "\
TRAN_ID,PORTFOLIO_CODE,TRAN_DATE,SETTLE_DATE,TRAN_TYPE,ISIN,QUANTITY,PRICE,AMOUNT,CHARGES
T10,P001,31-31-2024,,INFLOW,,,,1000,
T11,P001,01-02-2024,,INFLOW,,,,12.345,
T12,,01-02-2024,,INFLOW,,,,1000,
T13,P001,01-02-2024,,SWAP,,,,1000,
T14,P001,01-02-2099,,INFLOW,,,,1000,
";
    let found = rejected(&pool, "transactions_bad.csv", text).await;
    assert!(has(&found, 2, "TRAN_DATE", "not a date"), "{found:?}");
    assert!(
        has(&found, 3, "AMOUNT", "more than 2 decimal places"),
        "{found:?}"
    );
    assert!(has(&found, 4, "PORTFOLIO_CODE", "required"), "{found:?}");
    assert!(has(&found, 5, "TRAN_TYPE", "must be one of"), "{found:?}");
    assert!(has(&found, 6, "TRAN_DATE", "in the future"), "{found:?}");
}

#[sqlx::test(migrations = "../../migrations")]
async fn isin_check_digits_and_pan_formats_are_checked(pool: PgPool) {
    let securities = "ISIN,SECURITY_NAME,ASSET_CLASS\nINE002A01019,Typo Ltd,Equity\nINE09A01021,Short Ltd,Equity\n";
    let found = rejected(&pool, "security_master_bad.csv", securities).await;
    assert!(has(&found, 2, "ISIN", "check digit"), "{found:?}");
    assert!(has(&found, 3, "ISIN", "12 characters"), "{found:?}");

    let clients = CLIENT_MASTER
        .replace("ABCPM1234F", "ABCXM1234F")
        .replace("AAHHR5678K", "AAHHR56781");
    let found = rejected(&pool, "client_master_bad.csv", &clients).await;
    assert!(has(&found, 2, "PAN", "holder type"), "{found:?}");
    assert!(has(&found, 4, "PAN", "10 characters"), "{found:?}");
}

#[sqlx::test(migrations = "../../migrations")]
async fn unknown_portfolios_and_securities_are_referential_errors(pool: PgPool) {
    let text = "\
TRAN_ID,PORTFOLIO_CODE,TRAN_DATE,SETTLE_DATE,TRAN_TYPE,ISIN,QUANTITY,PRICE,AMOUNT,CHARGES
T20,P999,01-02-2024,,INFLOW,,,,1000,
T21,P001,01-02-2024,,BUY,INE467B01029,10,100,1000,
";
    let found = rejected(&pool, "transactions_refs.csv", text).await;
    assert!(
        has(&found, 2, "PORTFOLIO_CODE", "unknown portfolio"),
        "{found:?}"
    );
    assert!(has(&found, 3, "ISIN", "unknown security"), "{found:?}");
}

#[sqlx::test(migrations = "../../migrations")]
async fn duplicates_within_the_file_name_the_first_line(pool: PgPool) {
    let text = "\
VALUATION_DATE,PORTFOLIO_CODE,MARKET_VALUE,NET_FLOW
07-01-2023,P001,6100000.00,0
09-01-2023,P001,6120000.00,0
07-01-2023,P001,6100001.00,0
";
    let found = rejected(&pool, "valuations_dup.csv", text).await;
    assert!(
        has(
            &found,
            4,
            "PORTFOLIO_CODE + VALUATION_DATE",
            "duplicate: line 2"
        ),
        "{found:?}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn sign_rules_follow_the_transaction_type(pool: PgPool) {
    let text = "\
TRAN_ID,PORTFOLIO_CODE,TRAN_DATE,SETTLE_DATE,TRAN_TYPE,ISIN,QUANTITY,PRICE,AMOUNT,CHARGES
T30,P001,01-02-2024,,OUTFLOW,,,,-1000,
T31,P001,01-02-2024,,BUY,,10,100,1000,
T32,P001,01-02-2024,,INFLOW,INE002A01018,,,1000,
T33,P001,01-02-2024,,SELL,INE002A01018,0,100,1000,
T34,P001,05-02-2024,01-02-2024,DIVIDEND,INE002A01018,,,500,
";
    let found = rejected(&pool, "transactions_signs.csv", text).await;
    assert!(
        has(&found, 2, "AMOUNT", "amounts are positive"),
        "{found:?}"
    );
    assert!(has(&found, 3, "ISIN", "ISIN is required"), "{found:?}");
    assert!(has(&found, 4, "ISIN", "leave the ISIN empty"), "{found:?}");
    assert!(has(&found, 5, "QUANTITY", "above zero"), "{found:?}");
    assert!(
        has(&found, 6, "SETTLE_DATE", "is before TRAN_DATE"),
        "{found:?}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_missing_column_and_contradicting_rows_reject_the_file(pool: PgPool) {
    let found = rejected(
        &pool,
        "valuations_cols.csv",
        "VALUATION_DATE,PORTFOLIO_CODE\n07-01-2023,P001\n",
    )
    .await;
    assert!(
        found.iter().any(|(l, c, r)| *l == Some(1)
            && c.as_deref() == Some("MARKET_VALUE")
            && r.contains("required column")),
        "{found:?}"
    );

    let contradicting = CLIENT_MASTER.replacen(
        "C001,Aarav Mehta,ABCPM1234F,Individual,aarav@example.in,+91 98200 00001,Mumbai,Maharashtra,Aggressive,02-01-2023,Active,,P002",
        "C001,Aarav Mehta,ABCPM1234F,Individual,aarav@example.in,+91 98200 00001,Pune,Maharashtra,Aggressive,02-01-2023,Active,,P002",
        1,
    );
    let found = rejected(&pool, "client_master_contradiction.csv", &contradicting).await;
    assert!(
        has(&found, 3, "CLIENT_CODE", "described differently on line 2"),
        "{found:?}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn spreadsheets_load_like_csv_and_headers_pick_the_report(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    load_all(&pool, dir.path()).await;
    // An XLSX with typed dates and numbers, named so nothing in the name gives the report away.
    let path = dir.path().join("export-7.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd-mm-yyyy");
    for (col, header) in [
        "VALUATION_DATE",
        "PORTFOLIO_CODE",
        "MARKET_VALUE",
        "NET_FLOW",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2023, 1, 9).unwrap();
    sheet
        .write_datetime_with_format(1, 0, &day, &date_format)
        .unwrap();
    sheet.write_string(1, 1, "P001").unwrap();
    sheet.write_number(1, 2, 6_150_000.10).unwrap();
    sheet.write_number(1, 3, 0.0).unwrap();
    workbook.save(&path).unwrap();
    let outcome = load(&pool, &path).await;
    assert_eq!(
        counts(&outcome),
        MergeCounts {
            inserted: 1,
            updated: 0,
            unchanged: 0
        }
    );
    let value: rust_decimal::Decimal = sqlx::query_scalar(
        "SELECT market_value FROM fact_valuation WHERE valuation_date = '2023-01-09'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(value.to_string(), "6150000.10");
}

/// Every index on the fact tables and their partitions, with its definition and validity.
async fn fact_indexes(pool: &PgPool) -> Vec<(String, String, bool)> {
    sqlx::query_as(
        "SELECT c.relname::text, pg_get_indexdef(i.indexrelid), i.indisvalid
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
         WHERE t.relname LIKE 'fact\\_%' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn load_masters(pool: &PgPool, dir: &std::path::Path) {
    load_each(
        pool,
        dir,
        &[
            ("security_master.csv", SECURITY_MASTER),
            ("client_master.csv", CLIENT_MASTER),
        ],
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_first_load_goes_straight_into_the_fact_tables_and_keeps_their_indexes(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    load_masters(&pool, dir.path()).await;
    let indexes = fact_indexes(&pool).await;
    assert!(indexes.len() > 100, "every partition has its indexes");

    for (name, text, table, rows) in [
        ("transactions.csv", TRANSACTIONS, "fact_transaction", 5),
        ("valuations.csv", VALUATIONS, "fact_valuation", 5),
        ("holdings.csv", HOLDINGS, "fact_holding", 2),
    ] {
        let outcome = load(&pool, &write(dir.path(), name, text)).await;
        assert_eq!(
            counts(&outcome),
            MergeCounts {
                inserted: rows,
                updated: 0,
                unchanged: 0
            },
            "{name}"
        );
        let LoadOutcome::Succeeded { job_id, as_of, .. } = outcome else {
            unreachable!()
        };
        assert!(
            as_of.is_some(),
            "{name}: the load is dated by its latest row"
        );
        let written: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE job_id = $1"))
                .bind(job_id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(written, rows, "{table} rows carry the job that wrote them");
    }
    assert_eq!(
        fact_indexes(&pool).await,
        indexes,
        "the indexes dropped for the load are all back, on every partition"
    );
    // An empty optional amount is stored as 0, as the merge does.
    let charges: rust_decimal::Decimal =
        sqlx::query_scalar("SELECT charges FROM fact_transaction WHERE txn_ref = 'T1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(charges.is_zero());
    // The planner's statistics were refreshed in the same transaction.
    let analysed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_user_tables
         WHERE relname LIKE 'fact_transaction_20%' AND last_analyze IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(analysed > 0);
    // The aggregates see the loaded rows, as after a merge.
    let market_value: rust_decimal::Decimal = sqlx::query_scalar(
        "SELECT a.market_value FROM agg_portfolio a JOIN dim_portfolio p USING (portfolio_id)
         WHERE p.ws_portfolio_code = 'P001'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(market_value.to_string(), "6110000.00");

    // The second load of the same file takes the merge path and changes nothing.
    let again = load(&pool, &write(dir.path(), "transactions.csv", TRANSACTIONS)).await;
    assert_eq!(counts(&again).unchanged, 5);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_rejected_first_load_leaves_the_table_empty_and_its_indexes_in_place(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    load_masters(&pool, dir.path()).await;
    let indexes = fact_indexes(&pool).await;
    let before = fingerprint(&pool).await;
    // Five good rows are sent before the sixth, a duplicate, is found.
    let bad = format!("{TRANSACTIONS}T2,P001,04-01-2023,04-01-2023,INFLOW,,,,\"1,000.00\",\n");
    let outcome = load(&pool, &write(dir.path(), "transactions.csv", &bad)).await;
    let found = problems(&outcome);
    assert!(has(&found, 7, "TRAN_ID", "duplicate: line 3"), "{found:?}");
    assert_eq!(fingerprint(&pool).await, before, "nothing was written");
    assert_eq!(fact_indexes(&pool).await, indexes);
    let ok = load(&pool, &write(dir.path(), "transactions.csv", TRANSACTIONS)).await;
    assert_eq!(counts(&ok).inserted, 5);
}
