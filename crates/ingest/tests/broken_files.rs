//! A corpus of broken files, generated here from the fixture set: every Wealth Spectrum report
//! (CSV and XLSX) and every Salesforce export the CSV importer accepts, broken the ways real
//! exports break — structure, encoding, values, references, size. Each file must be refused
//! whole, with a reason naming its line and column, and leave every table of the store as it
//! was. Unusual but valid files (byte-order mark, CRLF, quoted line breaks, trailing blank
//! lines) must load, and a header without rows is a successful load that changes nothing.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use pms_ingest::error::RowError;
use pms_ingest::load::salesforce::{load_csv, SfLoadRequest};
use pms_ingest::load::{LoadOutcome, Trigger};
use pms_ingest::source::salesforce::records::SfObject;
use pms_ingest::testing::test_sf_id;
use sqlx::PgPool;

/// A file as rows of fields, the header first.
type Grid = Vec<Vec<String>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    WealthSpectrum,
    Salesforce,
}

/// A cell to change and how the loader must answer: `(column, value, reason fragment)`.
type Edit = (&'static str, &'static str, &'static str);

/// One export of the fixture set and what breaks it.
struct Export {
    /// The file name, which tells the loader the report.
    file: &'static str,
    source: Source,
    grid: Grid,
    /// A value its column refuses, written on line 3.
    bad_value: Edit,
    /// A reference the store cannot resolve, written on line 3, where the export has one.
    unknown_reference: Option<Edit>,
}

/// How each source words the structural problems (fragments of the reason).
struct Wording {
    value_beyond_header: &'static str,
    row_cut_short: &'static str,
    duplicate_header: &'static str,
    missing_header: &'static str,
    not_utf8: &'static str,
}

impl Source {
    fn wording(self) -> Wording {
        match self {
            Source::WealthSpectrum => Wording {
                value_beyond_header: "values beyond the last header",
                row_cut_short: "ends after 2 of the header's",
                duplicate_header: "both hold",
                missing_header: "required column missing",
                not_utf8: "not UTF-8",
            },
            Source::Salesforce => Wording {
                value_beyond_header: "values but the header has",
                row_cut_short: "this row has 2 values but the header has",
                duplicate_header: "holds the same field as column",
                missing_header: "is missing",
                not_utf8: "not valid UTF-8",
            },
        }
    }
}

fn grid(csv_text: &str) -> Grid {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.expect("fixture").iter().map(str::to_owned).collect())
        .collect()
}

fn wealth_spectrum_exports() -> Vec<Export> {
    let export = |file, text, bad_value, unknown_reference| Export {
        file,
        source: Source::WealthSpectrum,
        grid: grid(text),
        bad_value,
        unknown_reference,
    };
    const UNKNOWN_PORTFOLIO: Edit = ("PORTFOLIO_CODE", "P999", "unknown portfolio");
    const UNKNOWN_SECURITY: Edit = ("ISIN", "INE467B01029", "unknown security");
    vec![
        export(
            "client_master",
            CLIENT_MASTER,
            ("PAN", "ABCXM1234F", "holder type"),
            None,
        ),
        export(
            "security_master",
            SECURITY_MASTER,
            ("ISIN", "INE002A01019", "check digit"),
            None,
        ),
        export(
            "holdings",
            HOLDINGS,
            ("QUANTITY", "-5", "must not be negative"),
            Some(UNKNOWN_SECURITY),
        ),
        export(
            "transactions",
            TRANSACTIONS,
            ("AMOUNT", "12.345", "more than 2 decimal places"),
            Some(UNKNOWN_PORTFOLIO),
        ),
        export(
            "valuations",
            VALUATIONS,
            ("VALUATION_DATE", "31-31-2024", "not a date"),
            Some(UNKNOWN_PORTFOLIO),
        ),
        export(
            "benchmark_levels",
            BENCHMARK_LEVELS,
            ("LEVEL", "1.1234567", "more than 6 decimal places"),
            Some(("BENCHMARK_CODE", "NO_SUCH_INDEX", "unknown benchmark")),
        ),
        export(
            "security_prices",
            SECURITY_PRICES,
            ("PRICE_DATE", "01-02-2099", "in the future"),
            Some(UNKNOWN_SECURITY),
        ),
    ]
}

/// Data Loader exports of two records per object, in the order they must be loaded.
fn salesforce_exports() -> Vec<Export> {
    let id = |object, n| test_sf_id(object, n);
    let (u1, u2) = (id(SfObject::User, 1), id(SfObject::User, 2));
    let (a1, a2) = (id(SfObject::Account, 1), id(SfObject::Account, 2));
    let stamp = "2026-11-20T10:00:00.000Z";
    let rows = |header: &str, records: Vec<String>| {
        let mut text = format!("{header}\n");
        for record in records {
            text.push_str(&record);
            text.push('\n');
        }
        grid(&text)
    };
    let export = |file, grid, bad_value, unknown_reference| Export {
        file,
        source: Source::Salesforce,
        grid,
        bad_value,
        unknown_reference,
    };
    let activity = |object, n: u64, extra: &str| {
        format!(
            "{},{},{},Review {n},Call,2026-11-1{n},{extra}{stamp}",
            id(object, n),
            if n == 1 { &a1 } else { &a2 },
            if n == 1 { &u1 } else { &u2 }
        )
    };
    // Task and Event exports differ by Task's Status column.
    let activity_export = |object, file| {
        let status = |value| if object == SfObject::Task { value } else { "" };
        let header = format!(
            "Id,WhatId,OwnerId,Subject,Type,ActivityDate,{}SystemModstamp",
            status("Status,")
        );
        let records = vec![
            activity(object, 1, status("Completed,")),
            activity(object, 2, status("Open,")),
        ];
        let bad_date = ("ActivityDate", "31/31/2026", "not a date");
        export(file, rows(&header, records), bad_date, None)
    };
    vec![
        export(
            "User",
            rows(
                "Id,Name,Email,Phone,EmployeeNumber,Department,IsActive,SystemModstamp",
                vec![
                    format!("{u1},Priya Sharma,priya@firm.in,,E001,Wealth West,true,{stamp}"),
                    format!("{u2},Arjun Rao,arjun@firm.in,,E002,Wealth South,true,{stamp}"),
                ],
            ),
            ("IsActive", "maybe", "write true or false"),
            None,
        ),
        export(
            "Account",
            rows(
                "Id,Name,PAN__c,PMS_Client_Code__c,Client_Type__c,Risk_Profile__c,BillingCity,BillingState,Phone,Email__c,OwnerId,Onboarding_Date__c,Status__c,Closure_Date__c,AUM__c,SystemModstamp",
                vec![
                    format!("{a1},Kavya Iyer,ABCPI1234K,,Individual,Moderate,Chennai,Tamil Nadu,,kavya@example.in,{u1},2025-01-10,Active,,7500000,{stamp}"),
                    format!("{a2},Rohan Das,ABCPD1234K,,Individual,Aggressive,Kolkata,West Bengal,,rohan@example.in,{u2},2025-02-11,Active,,,{stamp}"),
                ],
            ),
            ("PAN__c", "ABCD1234F", "a PAN is 10 characters"),
            Some(("OwnerId", "005000000000009", "user the Hub does not know")),
        ),
        export(
            "Contact",
            rows(
                "Id,AccountId,FirstName,LastName,Email,Phone,Title,SystemModstamp",
                vec![
                    format!("{},{a1},Neha,Iyer,neha@example.in,,Spouse,{stamp}", id(SfObject::Contact, 1)),
                    format!("{},{a2},Amit,Das,amit@example.in,,Son,{stamp}", id(SfObject::Contact, 2)),
                ],
            ),
            ("SystemModstamp", "yesterday", "not a date-time"),
            Some(("AccountId", "001000000000009", "account the Hub does not know")),
        ),
        activity_export(SfObject::Task, "Task"),
        activity_export(SfObject::Event, "Event"),
    ]
}

/// The problem a broken file must be refused with.
#[derive(Debug)]
struct Expected {
    line: Option<u64>,
    column: Option<String>,
    reason: String,
}

fn at(line: u64, column: impl Into<String>, reason: impl Into<String>) -> Expected {
    Expected {
        line: Some(line),
        column: Some(column.into()),
        reason: reason.into(),
    }
}

impl Expected {
    fn found_in(&self, errors: &[RowError]) -> bool {
        errors.iter().any(|e| {
            e.line == self.line && e.column == self.column && e.reason.contains(&self.reason)
        })
    }
}

/// How a breakage changes an export: its grid (before it is written), or the written bytes.
enum Change {
    Grid(fn(&mut Grid, &Export, Format) -> Option<Expected>),
    Bytes(fn(&mut Vec<u8>, &Export) -> Expected),
}

struct Breakage {
    what: &'static str,
    formats: &'static [Format],
    sources: &'static [Source],
    change: Change,
}

const CSV: &[Format] = &[Format::Csv];
const BOTH_FORMATS: &[Format] = &[Format::Csv, Format::Xlsx];
const XLSX: &[Format] = &[Format::Xlsx];
const BOTH_SOURCES: &[Source] = &[Source::WealthSpectrum, Source::Salesforce];
const WEALTH_SPECTRUM: &[Source] = &[Source::WealthSpectrum];

fn column_of(grid: &Grid, header: &str) -> usize {
    grid[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}"))
}

/// Writes `value` into `column` of the record on `line` (header = line 1).
fn set(grid: &mut Grid, line: usize, column: &str, value: &str) {
    let index = column_of(grid, column);
    grid[line - 1][index] = value.to_owned();
}

/// The number of the last line of a CSV export written from `grid`.
fn last_line(grid: &Grid) -> u64 {
    grid.len() as u64
}

/// Where the first comma of line `line` (1-based, no quoted line breaks before it) of `bytes`
/// is.
fn first_comma_of_line(bytes: &[u8], line: usize) -> usize {
    let start = match line {
        1 => 0,
        _ => bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(bytes.len(), |(i, _)| i + 1),
    };
    start
        + bytes[start..]
            .iter()
            .position(|b| *b == b',')
            .expect("a comma")
}

fn breakages() -> Vec<Breakage> {
    vec![
        Breakage {
            what: "a row with a value beyond the last header",
            formats: BOTH_FORMATS,
            sources: BOTH_SOURCES,
            change: Change::Grid(|grid, export, _| {
                let width = grid[0].len();
                grid[1].push("EXTRA".into());
                Some(at(
                    2,
                    format!("column {}", width + 1),
                    export.source.wording().value_beyond_header,
                ))
            }),
        },
        Breakage {
            what: "a row cut short",
            formats: CSV,
            sources: BOTH_SOURCES,
            change: Change::Grid(|grid, export, _| {
                grid[2].truncate(2);
                Some(at(
                    3,
                    grid[0][2].clone(),
                    export.source.wording().row_cut_short,
                ))
            }),
        },
        Breakage {
            what: "a file that ends in the middle of its last line",
            formats: CSV,
            sources: BOTH_SOURCES,
            change: Change::Bytes(|bytes, export| {
                // Keep the last line's first field and one character of its second.
                let last = last_line(&export.grid);
                bytes.truncate(first_comma_of_line(bytes, last as usize) + 2);
                at(
                    last,
                    export.grid[0][2].clone(),
                    export.source.wording().row_cut_short,
                )
            }),
        },
        Breakage {
            what: "two columns with the same header",
            formats: BOTH_FORMATS,
            sources: BOTH_SOURCES,
            change: Change::Grid(|grid, export, _| {
                let first = grid[0][0].clone();
                if let Some(last) = grid[0].last_mut() {
                    *last = first.clone();
                }
                Some(at(1, first, export.source.wording().duplicate_header))
            }),
        },
        Breakage {
            what: "a required column's header missing",
            formats: BOTH_FORMATS,
            sources: BOTH_SOURCES,
            change: Change::Grid(|grid, export, _| {
                // A required column: the first of a report, System Modstamp (the last) of a
                // Salesforce export.
                let index = match export.source {
                    Source::WealthSpectrum => 0,
                    Source::Salesforce => grid[0].len() - 1,
                };
                let header = std::mem::replace(&mut grid[0][index], "SOMETHING_ELSE".into());
                Some(at(1, header, export.source.wording().missing_header))
            }),
        },
        Breakage {
            what: "a column without a header",
            formats: BOTH_FORMATS,
            sources: WEALTH_SPECTRUM,
            change: Change::Grid(|grid, _, _| {
                grid[0][1].clear();
                Some(at(1, "column 2", "this column has no header"))
            }),
        },
        Breakage {
            what: "a value that is not UTF-8",
            formats: CSV,
            sources: BOTH_SOURCES,
            change: Change::Bytes(|bytes, export| {
                bytes.insert(first_comma_of_line(bytes, 2) + 1, 0xFF);
                at(
                    2,
                    export.grid[0][1].clone(),
                    export.source.wording().not_utf8,
                )
            }),
        },
        Breakage {
            what: "a header that is not UTF-8",
            formats: CSV,
            sources: WEALTH_SPECTRUM,
            change: Change::Bytes(|bytes, export| {
                bytes.insert(0, 0xFF);
                at(1, "column 1", export.source.wording().not_utf8)
            }),
        },
        Breakage {
            what: "a value its column refuses",
            formats: BOTH_FORMATS,
            sources: BOTH_SOURCES,
            change: Change::Grid(|grid, export, _| {
                let (column, value, reason) = export.bad_value;
                set(grid, 3, column, value);
                Some(at(3, column, reason))
            }),
        },
        Breakage {
            what: "a reference the store does not know",
            formats: BOTH_FORMATS,
            sources: BOTH_SOURCES,
            change: Change::Grid(|grid, export, _| {
                let (column, value, reason) = export.unknown_reference?;
                set(grid, 3, column, value);
                Some(at(3, column, reason))
            }),
        },
        Breakage {
            what: "a quoted line break, then a bad value (line numbers stay the file's own)",
            formats: BOTH_FORMATS,
            sources: BOTH_SOURCES,
            change: Change::Grid(|grid, export, format| {
                add_remarks(grid);
                let (column, value, reason) = export.bad_value;
                set(grid, 3, column, value);
                // In CSV the remark on record 1 spans two lines; a sheet row is a row.
                let line = if format == Format::Csv { 4 } else { 3 };
                Some(at(line, column, reason))
            }),
        },
        Breakage {
            what: "a line longer than 1 MiB",
            formats: CSV,
            sources: WEALTH_SPECTRUM,
            change: Change::Grid(|grid, _, _| {
                grid[1][1] = "x".repeat(2 << 20);
                Some(Expected {
                    line: Some(2),
                    column: None,
                    reason: "this line is longer than 1,048,576 bytes".into(),
                })
            }),
        },
        Breakage {
            what: "a header wider than accepted",
            formats: BOTH_FORMATS,
            sources: WEALTH_SPECTRUM,
            change: Change::Grid(|grid, _, format| {
                let extra = 300 - grid[0].len();
                grid[0].extend((0..extra).map(|i| format!("EXTRA_{i}")));
                Some(match format {
                    Format::Csv => at(
                        1,
                        "column 257",
                        "the header has 300 columns; the largest accepted is 256",
                    ),
                    Format::Xlsx => Expected {
                        line: None,
                        column: None,
                        reason: format!(
                            "declares {} rows × 300 columns; the largest accepted is 1,048,576 rows × 256 columns",
                            grid.len()
                        ),
                    },
                })
            }),
        },
        Breakage {
            what: "a workbook cut short",
            formats: XLSX,
            sources: WEALTH_SPECTRUM,
            change: Change::Bytes(|bytes, _| {
                bytes.truncate(bytes.len() / 2);
                // A damaged zip has no lines: the problem is the file's.
                Expected {
                    line: None,
                    column: None,
                    reason: "as a spreadsheet".into(),
                }
            }),
        },
    ]
}

/// A `REMARKS` column whose first value spans two lines (exports carry such free-text
/// columns; the loaders ignore columns they do not know).
fn add_remarks(grid: &mut Grid) {
    for (i, row) in grid.iter_mut().enumerate() {
        row.push(match i {
            0 => "REMARKS".into(),
            1 => "called the client;\nasked for the statement".into(),
            _ => String::new(),
        });
    }
}

/// Remarks, and Wealth Spectrum names wrapped inside their cell: the loader folds them to one
/// line, so they stay what the store holds.
fn add_remarks_and_wrap_names(grid: &mut Grid) {
    add_remarks(grid);
    for header in ["CLIENT_NAME", "SECURITY_NAME"] {
        if let Some(index) = grid[0].iter().position(|h| h == header) {
            for row in grid.iter_mut().skip(1) {
                row[index] = row[index].replacen(' ', "\r\n", 1);
            }
        }
    }
}

fn csv_bytes(grid: &Grid) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in grid {
        writer.write_record(row).expect("csv row");
    }
    writer.into_inner().expect("csv bytes")
}

/// A workbook of text cells (empty fields are absent cells, as spreadsheets keep them).
fn xlsx_bytes(grid: &Grid) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in grid.iter().enumerate() {
        for (c, value) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            sheet.write_string(r as u32, c as u16, value).expect("cell");
        }
    }
    workbook.save_to_buffer().expect("xlsx bytes")
}

fn write_export(dir: &Path, export: &Export, format: Format, bytes: &[u8]) -> PathBuf {
    let extension = match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    };
    let path = dir.join(format!("{}.{extension}", export.file));
    std::fs::write(&path, bytes).expect("write the export");
    path
}

fn bytes_of(grid: &Grid, format: Format) -> Vec<u8> {
    match format {
        Format::Csv => csv_bytes(grid),
        Format::Xlsx => xlsx_bytes(grid),
    }
}

async fn load_export(pool: &PgPool, source: Source, path: &Path) -> LoadOutcome {
    match source {
        Source::WealthSpectrum => load(pool, path).await,
        Source::Salesforce => load_csv(
            pool,
            path,
            None,
            &SfLoadRequest {
                trigger: Trigger::Cli,
                requested_by: None,
            },
        )
        .await
        .expect("the load runs"),
    }
}

/// Loads every export unchanged (they must all succeed): the store the corpus must not touch.
async fn load_fixtures(pool: &PgPool, dir: &Path, exports: &[Export]) {
    for export in exports {
        let path = write_export(dir, export, Format::Csv, &csv_bytes(&export.grid));
        let outcome = load_export(pool, export.source, &path).await;
        assert!(
            matches!(outcome, LoadOutcome::Succeeded { .. }),
            "{}: {outcome:?}",
            export.file
        );
    }
}

/// The job's recorded status, rows read and problems stored.
async fn job_record(pool: &PgPool, job_id: i64) -> (String, i64, i64) {
    sqlx::query_as(
        "SELECT status, coalesce(rows_read, 0),
                (SELECT count(*) FROM ingest_error e WHERE e.job_id = j.job_id)
         FROM ingest_job j WHERE job_id = $1",
    )
    .bind(job_id)
    .fetch_one(pool)
    .await
    .expect("the job")
}

/// Loads each broken file of `exports` × `breakages` in `format` and returns what went wrong:
/// a file accepted, refused without the expected problem, or a store that changed.
async fn run_corpus(pool: &PgPool, exports: &[Export], format: Format) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut cases = 0;
    for breakage in breakages() {
        if !breakage.formats.contains(&format) {
            continue;
        }
        for export in exports
            .iter()
            .filter(|e| breakage.sources.contains(&e.source))
        {
            let mut grid = export.grid.clone();
            let (bytes, expected) = match breakage.change {
                Change::Grid(change) => match change(&mut grid, export, format) {
                    Some(expected) => (bytes_of(&grid, format), expected),
                    None => continue,
                },
                Change::Bytes(change) => {
                    let mut bytes = bytes_of(&grid, format);
                    let expected = change(&mut bytes, export);
                    (bytes, expected)
                }
            };
            cases += 1;
            let case = format!("{} ({format:?}) with {}", export.file, breakage.what);
            let before = store_fingerprint(pool).await;
            let path = write_export(dir.path(), export, format, &bytes);
            let outcome = load_export(pool, export.source, &path).await;
            match &outcome {
                LoadOutcome::Rejected { first_errors, .. } if expected.found_in(first_errors) => {}
                other => failures.push(format!("{case}: expected {expected:?}, got {other:?}")),
            }
            let changed = changed_tables(&before, &store_fingerprint(pool).await);
            if !changed.is_empty() {
                failures.push(format!("{case}: the store changed: {changed:?}"));
            }
            let (status, _, stored_problems) = job_record(pool, outcome.job_id()).await;
            if status != "rejected" || stored_problems == 0 {
                failures.push(format!(
                    "{case}: the job is {status} with {stored_problems} problems stored"
                ));
            }
        }
    }
    assert!(cases >= exports.len() * 5, "only {cases} cases ran");
    failures
}

/// Loads `exports` as they are, then every broken file made of them in `format`.
async fn assert_corpus_refused(pool: &PgPool, exports: Vec<Export>, format: Format) {
    load_fixtures(pool, tempfile::tempdir().expect("dir").path(), &exports).await;
    let failures = run_corpus(pool, &exports, format).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_wealth_spectrum_csv_breakage_is_refused_whole_and_changes_nothing(pool: PgPool) {
    assert_corpus_refused(&pool, wealth_spectrum_exports(), Format::Csv).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_wealth_spectrum_xlsx_breakage_is_refused_whole_and_changes_nothing(pool: PgPool) {
    assert_corpus_refused(&pool, wealth_spectrum_exports(), Format::Xlsx).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_salesforce_export_breakage_is_refused_whole_and_changes_nothing(pool: PgPool) {
    assert_corpus_refused(&pool, salesforce_exports(), Format::Csv).await;
}

/// A valid variation of an export: a change to its grid, then to its bytes.
struct Variant {
    what: &'static str,
    format: Format,
    grid: fn(&mut Grid),
    bytes: fn(&mut Vec<u8>),
}

fn variants() -> Vec<Variant> {
    fn keep_grid(_: &mut Grid) {}
    fn keep_bytes(_: &mut Vec<u8>) {}
    vec![
        Variant {
            what: "a UTF-8 byte-order mark",
            format: Format::Csv,
            grid: keep_grid,
            bytes: |b| {
                b.splice(0..0, *b"\xEF\xBB\xBF");
            },
        },
        Variant {
            what: "CRLF line endings",
            format: Format::Csv,
            grid: keep_grid,
            bytes: |b| {
                *b = String::from_utf8_lossy(b)
                    .replace('\n', "\r\n")
                    .into_bytes();
            },
        },
        Variant {
            what: "quoted line breaks inside fields",
            format: Format::Csv,
            grid: add_remarks_and_wrap_names,
            bytes: keep_bytes,
        },
        Variant {
            what: "trailing blank lines",
            format: Format::Csv,
            grid: keep_grid,
            bytes: |b| b.extend_from_slice(b"\n\r\n\n"),
        },
        Variant {
            what: "a workbook with line breaks inside cells",
            format: Format::Xlsx,
            grid: add_remarks_and_wrap_names,
            bytes: keep_bytes,
        },
    ]
}

/// Loads every valid variant of every export (already loaded as is): each must succeed with
/// all its rows and change nothing, since it holds the same data (the aggregates' refresh
/// time moves: a successful load refreshes them).
async fn run_variants(pool: &PgPool, exports: &[Export]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for variant in variants() {
        for export in exports {
            if variant.format == Format::Xlsx && export.source == Source::Salesforce {
                continue;
            }
            let case = format!("{} with {}", export.file, variant.what);
            let mut grid = export.grid.clone();
            (variant.grid)(&mut grid);
            let mut bytes = bytes_of(&grid, variant.format);
            (variant.bytes)(&mut bytes);
            let before = fingerprint_without(pool, &["refreshed_at"]).await;
            let path = write_export(dir.path(), export, variant.format, &bytes);
            let outcome = load_export(pool, export.source, &path).await;
            let records = (export.grid.len() - 1) as u64;
            match &outcome {
                LoadOutcome::Succeeded { rows, counts, .. }
                    if *rows == records && counts.inserted == 0 && counts.updated == 0 => {}
                other => failures.push(format!("{case}: {other:?}")),
            }
            let after = fingerprint_without(pool, &["refreshed_at"]).await;
            let changed = changed_tables(&before, &after);
            if !changed.is_empty() {
                failures.push(format!("{case}: the store changed: {changed:?}"));
            }
        }
    }
    failures
}

#[sqlx::test(migrations = "../../migrations")]
async fn unusual_but_valid_exports_load(pool: PgPool) {
    let exports: Vec<Export> = wealth_spectrum_exports()
        .into_iter()
        .chain(salesforce_exports())
        .collect();
    load_fixtures(&pool, tempfile::tempdir().expect("dir").path(), &exports).await;
    let failures = run_variants(&pool, &exports).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_header_without_rows_is_a_successful_load_that_changes_nothing(pool: PgPool) {
    let exports: Vec<Export> = wealth_spectrum_exports()
        .into_iter()
        .chain(salesforce_exports())
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    load_fixtures(&pool, dir.path(), &exports).await;
    let mut failures = Vec::new();
    for export in &exports {
        let formats: &[Format] = match export.source {
            Source::WealthSpectrum => BOTH_FORMATS,
            Source::Salesforce => CSV,
        };
        for &format in formats {
            let case = format!("{} ({format:?}) with a header and no rows", export.file);
            let header_only = vec![export.grid[0].clone()];
            let before = store_fingerprint(&pool).await;
            let path = write_export(dir.path(), export, format, &bytes_of(&header_only, format));
            let outcome = load_export(&pool, export.source, &path).await;
            if !matches!(outcome, LoadOutcome::Succeeded { rows: 0, counts, .. } if counts == Default::default())
            {
                failures.push(format!("{case}: {outcome:?}"));
            }
            let changed = changed_tables(&before, &store_fingerprint(&pool).await);
            if !changed.is_empty() {
                failures.push(format!("{case}: the store changed: {changed:?}"));
            }
            let (status, rows, _) = job_record(&pool, outcome.job_id()).await;
            let (message, version): (String, Option<i64>) = sqlx::query_as(
                "SELECT coalesce(message, ''), data_version FROM ingest_job WHERE job_id = $1",
            )
            .bind(outcome.job_id())
            .fetch_one(&pool)
            .await
            .expect("the job");
            if status != "succeeded"
                || rows != 0
                || version.is_some()
                || !message.contains("a header and no rows")
            {
                failures.push(format!(
                    "{case}: recorded as {status}, {rows} rows, version {version:?}: {message}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
