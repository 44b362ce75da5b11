//! Shared fixtures for the ingestion tests: small report files in the Wealth Spectrum formats
//! and a fingerprint of the store to prove a rejected load changed nothing.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use pms_ingest::load::{load_file, FileLoad, LoadOutcome, Trigger};
use pms_ingest::profile::Profile;
use sqlx::PgPool;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("date")
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path
}

pub const CLIENT_MASTER: &str = "\
CLIENT_CODE,CLIENT_NAME,PAN,CLIENT_TYPE,EMAIL,MOBILE,CITY,STATE,RISK_PROFILE,ONBOARDING_DATE,CLIENT_STATUS,CLOSURE_DATE,PORTFOLIO_CODE,STRATEGY_CODE,STRATEGY_NAME,STRATEGY_CATEGORY,IA_CODE,IA_NAME,BENCHMARK_CODE,BENCHMARK_NAME,INCEPTION_DATE,PORTFOLIO_STATUS,PORTFOLIO_CLOSURE_DATE,MGMT_FEE_PCT,PERF_FEE_PCT,HURDLE_PCT,HIGH_WATER_MARK,FEE_CRYSTALLISATION
C001,Aarav Mehta,ABCPM1234F,Individual,aarav@example.in,+91 98200 00001,Mumbai,Maharashtra,Aggressive,02-01-2023,Active,,P001,EQ,Equity,Equity,EQ-FLEXI,Flexicap Growth,NIFTY500_TRI,NIFTY 500 TRI,02-01-2023,Active,,2.00,20.00,10.00,,anniversary
C001,Aarav Mehta,ABCPM1234F,Individual,aarav@example.in,+91 98200 00001,Mumbai,Maharashtra,Aggressive,02-01-2023,Active,,P002,DEBT,Debt,Debt,DEBT-CB,Corporate Bond Plus,CRISIL_CB,CRISIL Composite Bond Index,01-06-2023,Active,,1.00,0,0,,fy_end
C002,Isha Rao HUF,AAHHR5678K,HUF,isha@example.in,,Bengaluru,Karnataka,Moderate,15-03-2022,Active,,P003,EQ,Equity,Equity,EQ-FLEXI,Flexicap Growth,NIFTY500_TRI,NIFTY 500 TRI,15-03-2022,Active,,1.50,15.00,8.00,5000000.00,anniversary
";

pub const SECURITY_MASTER: &str = "\
ISIN,SECURITY_NAME,ASSET_CLASS,SECTOR,MARKET_CAP,RATING,SECURITY_TYPE
INE002A01018,Reliance Industries Ltd,Equity,Oil & Gas,Large Cap,,Equity Share
INE009A01021,Infosys Ltd,Equity,Information Technology,Large Cap,,Equity Share
INE040A01034,HDFC Bank Ltd,Equity,Financial Services,Large Cap,,Equity Share
";

pub const TRANSACTIONS: &str = "\
TRAN_ID,PORTFOLIO_CODE,TRAN_DATE,SETTLE_DATE,TRAN_TYPE,ISIN,QUANTITY,PRICE,AMOUNT,CHARGES
T1,P001,02-01-2023,02-01-2023,INFLOW,,,,\"50,00,000.00\",
T2,P001,03-01-2023,05-01-2023,BUY,INE002A01018,1000,2500,\"25,00,000.00\",250.00
T3,P001,03-01-2023,05-01-2023,BUY,INE009A01021,1500,1500,\"22,50,000.00\",225.00
T4,P001,01-04-2024,01-04-2024,MGMT_FEE,,,,\"25,000.00\",
T5,P003,15-03-2022,15-03-2022,INFLOW,,,,\"1,00,00,000.00\",
";

pub const VALUATIONS: &str = "\
VALUATION_DATE,PORTFOLIO_CODE,MARKET_VALUE,NET_FLOW
02-01-2023,P001,5000000.00,5000000.00
03-01-2023,P001,5010000.00,0
04-01-2023,P001,4990000.00,0
05-01-2023,P001,6050000.00,1000000.00
06-01-2023,P001,6110000.00,0
";

pub const HOLDINGS: &str = "\
AS_OF_DATE,PORTFOLIO_CODE,ISIN,QUANTITY,COST_VALUE,MARKET_VALUE
31-10-2026,P001,INE002A01018,1000,2500000.00,2900000.00
31-10-2026,P001,INE009A01021,1500,2250000.00,2700000.00
";

pub const BENCHMARK_LEVELS: &str = "\
BENCHMARK_CODE,LEVEL_DATE,LEVEL
NIFTY500_TRI,02-01-2023,23000.50
NIFTY500_TRI,03-01-2023,23100.25
NIFTY500_TRI,04-01-2023,22950.00
NIFTY500_TRI,05-01-2023,23010.10
NIFTY500_TRI,06-01-2023,23200.00
";

pub const SECURITY_PRICES: &str = "\
ISIN,PRICE_DATE,CLOSE_PRICE
INE002A01018,31-10-2026,2900.00
INE009A01021,31-10-2026,1800.00
";

pub async fn load(pool: &PgPool, path: &Path) -> LoadOutcome {
    load_file(
        pool,
        FileLoad {
            input: pms_ingest::load::Input::File(path.to_owned()),
            display_name: None,
            report: None,
            profile: Profile::default_profile(),
            trigger: Trigger::Cli,
            requested_by: None,
            today: today(),
        },
    )
    .await
    .expect("load runs")
}

/// Loads the masters and every fact report of the fixture set.
pub async fn load_all(pool: &PgPool, dir: &Path) {
    load_each(
        pool,
        dir,
        &[
            ("security_master.csv", SECURITY_MASTER),
            ("client_master.csv", CLIENT_MASTER),
            ("benchmark_levels.csv", BENCHMARK_LEVELS),
            ("security_prices.csv", SECURITY_PRICES),
            ("transactions.csv", TRANSACTIONS),
            ("holdings.csv", HOLDINGS),
            ("valuations.csv", VALUATIONS),
        ],
    )
    .await;
}

/// Writes and loads each `(file name, text)` in order; every load must succeed.
pub async fn load_each(pool: &PgPool, dir: &Path, files: &[(&str, &str)]) {
    for &(name, text) in files {
        let outcome = load(pool, &write(dir, name, text)).await;
        assert!(
            matches!(outcome, LoadOutcome::Succeeded { .. }),
            "{name}: {outcome:?}"
        );
    }
}

/// A digest of every table a load may write (not the job log), to prove nothing changed.
pub async fn fingerprint(pool: &PgPool) -> String {
    let mut parts = Vec::new();
    for table in [
        "dim_benchmark",
        "dim_strategy",
        "dim_investment_approach",
        "dim_security",
        "dim_client",
        "client_history",
        "dim_portfolio",
        "fact_transaction",
        "fact_valuation",
        "fact_holding",
        "fact_benchmark_level",
        "fact_security_price",
        "agg_portfolio",
        "agg_client",
    ] {
        let digest: Option<String> = sqlx::query_scalar(&format!(
            "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t"
        ))
        .fetch_one(pool)
        .await
        .expect("fingerprint");
        parts.push(format!("{table}={}", digest.unwrap_or_default()));
    }
    parts.join(";")
}

/// The rejection's problems as `(line, column, reason-fragment)` for compact assertions.
pub fn problems(outcome: &LoadOutcome) -> Vec<(Option<u64>, Option<String>, String)> {
    match outcome {
        LoadOutcome::Rejected { first_errors, .. } => first_errors
            .iter()
            .map(|e| (e.line, e.column.clone(), e.reason.clone()))
            .collect(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// A digest of every table of the public schema but the job log (`ingest_job`,
/// `ingest_error`): a refused or empty load must leave every one of them as it was.
pub async fn store_fingerprint(pool: &PgPool) -> String {
    fingerprint_without(pool, &[]).await
}

/// [`store_fingerprint`] blind to the `ignored` columns of every table (say, the time the
/// aggregates were last refreshed, which a reload that changes nothing still moves).
pub async fn fingerprint_without(pool: &PgPool, ignored: &[&str]) -> String {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
           AND table_name NOT IN ('ingest_job', 'ingest_error')
         ORDER BY table_name",
    )
    .fetch_all(pool)
    .await
    .expect("the store's tables");
    let mut parts = Vec::with_capacity(tables.len());
    for table in tables {
        let digest: Option<String> = sqlx::query_scalar(&format!(
            "SELECT md5(string_agg(r, '|' ORDER BY r))
             FROM (SELECT (to_jsonb(t) - $1::text[])::text AS r FROM public.\"{table}\" t) rows"
        ))
        .bind(ignored)
        .fetch_one(pool)
        .await
        .expect("fingerprint");
        parts.push(format!("{table}={}", digest.unwrap_or_default()));
    }
    parts.join(";")
}

/// The tables whose digests differ between two [`store_fingerprint`]s.
pub fn changed_tables(before: &str, after: &str) -> Vec<String> {
    let before: std::collections::HashSet<&str> = before.split(';').collect();
    after
        .split(';')
        .filter(|part| !before.contains(part))
        .map(|part| part.split('=').next().unwrap_or_default().to_owned())
        .collect()
}

/// A minimal XLSX written by hand, for sheets no spreadsheet program writes: `sheet_xml` is the
/// only worksheet's XML, as is. The parts are stored uncompressed.
pub fn handmade_xlsx(path: &Path, sheet_xml: &str) {
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const OOXML: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
    let parts = [
        (
            "[Content_Types].xml".to_owned(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/xl/workbook.xml\" ContentType=\"{OOXML}.sheet.main+xml\"/>\
                 <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"{OOXML}.worksheet+xml\"/></Types>"
            ),
        ),
        (
            "_rels/.rels".to_owned(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\">\
                 <Relationship Id=\"rId1\" Type=\"{DOC}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml".to_owned(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC}\">\
                 <sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_owned(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\">\
                 <Relationship Id=\"rId1\" Type=\"{DOC}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
            ),
        ),
        ("xl/worksheets/sheet1.xml".to_owned(), sheet_xml.to_owned()),
    ];
    std::fs::write(path, stored_zip(&parts)).expect("write the workbook");
}

/// A zip archive of `(name, content)` entries, stored without compression.
fn stored_zip(entries: &[(String, String)]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    // Version 2.0, no flags, stored, 1980-01-01 00:00.
    let common = |out: &mut Vec<u8>, crc: u32, size: u32, name_len: u16| {
        for v in [20u16, 0, 0, 0, 0x21] {
            out.extend(v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend(v.to_le_bytes());
        }
        out.extend(name_len.to_le_bytes());
        out.extend(0u16.to_le_bytes());
    };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in entries {
        let (crc, size, name_len) = (
            crc32(content.as_bytes()),
            content.len() as u32,
            name.len() as u16,
        );
        let offset = out.len() as u32;
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out, crc, size, name_len);
        out.extend(name.as_bytes());
        out.extend(content.as_bytes());
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        common(&mut central, crc, size, name_len);
        // Comment length, disk, internal and external attributes, then the entry's offset.
        central.extend([0u8; 10]);
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let count = entries.len() as u16;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, count, count] {
        out.extend(v.to_le_bytes());
    }
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(central_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// Makes the store refuse every row inserted into `table` with `message` (to fail a step on
/// purpose, after what came before it has committed).
pub async fn refuse_inserts(pool: &PgPool, table: &str, message: &str) {
    sqlx::raw_sql(&format!(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION '{message}'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse();"
    ))
    .execute(pool)
    .await
    .expect("trigger");
}
