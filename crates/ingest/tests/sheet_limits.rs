//! A crafted spreadsheet cannot take the server down: a sheet is streamed row by row, and one
//! that declares, or holds, cells beyond the accepted extent is refused before anything is
//! allocated for it, with the reason, and nothing is stored.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use pms_ingest::load::LoadOutcome;
use sqlx::PgPool;

/// The process's peak resident memory so far, in KiB (`VmHWM`).
fn peak_memory_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Loads `path` after the fixture set and checks that it is refused quickly, without a burst of
/// memory, with `expected` among its problems, and that the store did not change.
async fn refused_quickly(pool: &PgPool, path: &Path, expected: (Option<u64>, Option<&str>, &str)) {
    let size = std::fs::metadata(path).expect("workbook").len();
    assert!(
        size < 16 * 1024,
        "the crafted workbook is small: {size} bytes"
    );
    let before = store_fingerprint(pool).await;
    let memory_before = peak_memory_kib();
    let started = Instant::now();
    let outcome = load(pool, path).await;
    let took = started.elapsed();
    let grew_mib = peak_memory_kib().saturating_sub(memory_before) / 1024;
    let found = problems(&outcome);
    let (line, column, fragment) = expected;
    assert!(
        found
            .iter()
            .any(|(l, c, r)| *l == line && c.as_deref() == column && r.contains(fragment)),
        "{found:?}"
    );
    let after = store_fingerprint(pool).await;
    assert_eq!(
        changed_tables(&before, &after),
        Vec::<String>::new(),
        "nothing is stored"
    );
    assert!(took < Duration::from_secs(10), "refused in {took:?}");
    assert!(grew_mib < 256, "the peak memory grew by {grew_mib} MiB");
    let LoadOutcome::Rejected { job_id, .. } = outcome else {
        unreachable!("problems() accepts only rejections")
    };
    let status: String = sqlx::query_scalar("SELECT status FROM ingest_job WHERE job_id = $1")
        .bind(job_id)
        .fetch_one(pool)
        .await
        .expect("job");
    assert_eq!(status, "rejected");
}

const VALUATION_HEADERS: [&str; 4] = [
    "VALUATION_DATE",
    "PORTFOLIO_CODE",
    "MARKET_VALUE",
    "NET_FLOW",
];

/// A worksheet row of text cells from column A, as `<row>` XML.
fn text_row(line: u32, texts: &[&str]) -> String {
    let cells: String = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let column = char::from(b'A' + i as u8);
            format!("<c r=\"{column}{line}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
        })
        .collect();
    format!("<row r=\"{line}\">{cells}</row>")
}

/// A worksheet declaring `dimension` and holding `rows`.
fn worksheet(dimension: &str, rows: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <dimension ref=\"{dimension}\"/><sheetData>{rows}</sheetData></worksheet>"
    )
}

/// A valuations header in row 1 and one number in XFD1048576, the last cell Excel has, in a
/// sheet declaring `dimension`: refused as `expected` says.
async fn far_cell_is_refused(
    pool: &PgPool,
    dimension: &str,
    expected: (Option<u64>, Option<&str>, &str),
) {
    let dir = tempfile::tempdir().expect("tempdir");
    load_all(pool, dir.path()).await;
    let rows = format!(
        "{}<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>",
        text_row(1, &VALUATION_HEADERS)
    );
    let path = dir.path().join("valuations.xlsx");
    handmade_xlsx(&path, &worksheet(dimension, &rows));
    refused_quickly(pool, &path, expected).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_sheet_declaring_the_whole_grid_is_refused_before_it_is_read(pool: PgPool) {
    // Declared as Excel would: read as a range, that is 17 billion cells.
    let reason = "sheet \"Sheet1\" declares 1,048,576 rows × 16,384 columns; the largest accepted \
                  is 1,048,576 rows × 256 columns";
    far_cell_is_refused(&pool, "A1:XFD1048576", (None, None, reason)).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_cell_far_outside_a_modest_declared_range_is_refused_as_it_is_met(pool: PgPool) {
    // The declaration cannot be trusted: every cell's position is checked before it is stored.
    let reason =
        "cell XFD1048576 lies outside the largest sheet accepted (1,048,576 rows × 256 columns";
    far_cell_is_refused(&pool, "A1:D2", (Some(1_048_576), Some("XFD"), reason)).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_handmade_sheet_within_the_limits_loads(pool: PgPool) {
    // The hand-made workbook itself is sound: the same sheet without the far cell loads.
    let dir = tempfile::tempdir().expect("tempdir");
    load_all(&pool, dir.path()).await;
    let rows =
        text_row(1, &VALUATION_HEADERS) + &text_row(2, &["09-01-2023", "P001", "6150000.10", "0"]);
    let path = dir.path().join("valuations.xlsx");
    handmade_xlsx(&path, &worksheet("A1:D2", &rows));
    let outcome = load(&pool, &path).await;
    assert!(
        matches!(outcome, LoadOutcome::Succeeded { rows: 1, .. }),
        "{outcome:?}"
    );
}
