//! Loading one file, wherever it came from (an upload, the drop folder, the command line):
//! which loader it needs — a Salesforce export is told by its header row, everything else is a
//! Wealth Spectrum report recognised by the profile's file patterns or its headers — and the
//! load itself, as one ingest job. Also the CSV of a rejected load's problems, which the
//! download and the drop folder's `rejected/` both write.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use pms_domain::ingest::IngestErrorView;
use pms_ingest::load::salesforce::{self, SfLoadRequest};
use pms_ingest::load::{load_file, FileLoad, Input, LoadError, LoadOutcome, Trigger};
use pms_ingest::profile::Profile;
use pms_ingest::report::ReportKind;
use pms_ingest::source::salesforce::csv_import::detect_object_from_headers;
use pms_store::Db;

/// File extensions the loaders read: CSV (and text exports) and spreadsheets.
pub const ACCEPTED_EXTENSIONS: [&str; 6] = ["csv", "txt", "xlsx", "xlsm", "xls", "ods"];

/// Which loader a file goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A Wealth Spectrum report; `None` = recognise it by file name or headers.
    WealthSpectrum(Option<ReportKind>),
    /// A Salesforce Data Loader or report export.
    Salesforce,
}

/// The lower-case extension of a file name, if any.
pub fn extension(name: &str) -> Option<String> {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Whether the loaders can read a file of this name.
pub fn is_accepted(name: &str) -> bool {
    extension(name).is_some_and(|e| ACCEPTED_EXTENSIONS.contains(&e.as_str()))
}

/// Whether a file is a Salesforce export: a CSV whose header row names the fields of a
/// Salesforce object (API names such as `Id`, `OwnerId`, `SystemModstamp`, or report labels).
/// Reads at most the first 64 KiB.
pub fn looks_like_salesforce(path: &Path) -> bool {
    if matches!(
        extension(&path.to_string_lossy()).as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "ods")
    ) {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut start = Vec::with_capacity(64 * 1024);
    if file.take(64 * 1024).read_to_end(&mut start).is_err() {
        return false;
    }
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&start);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(start);
    let Some(Ok(record)) = reader.byte_records().next() else {
        return false;
    };
    let headers: Vec<String> = record
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    detect_object_from_headers(&refs).is_some()
        || headers.iter().any(|h| {
            let h = h.to_ascii_lowercase();
            h == "systemmodstamp" || h == "system modstamp"
        })
}

/// Today in India: a report dated today IST is not "in the future" just because UTC has not
/// reached that date yet.
pub fn today_ist() -> NaiveDate {
    Utc::now()
        .with_timezone(&pms_domain::time::IST)
        .date_naive()
}

/// One file to load.
#[derive(Clone, Debug)]
pub struct FileJob {
    pub path: PathBuf,
    /// The name to record (an upload's original name, a dropped file's name).
    pub display_name: String,
    pub kind: FileKind,
    pub trigger: Trigger,
    pub requested_by: Option<i64>,
    /// A job already queued for this load (uploads of Wealth Spectrum reports).
    pub queued_job: Option<i64>,
}

/// Loads the file as one ingest job and returns what happened.
pub async fn run(db: &Db, profile: &Profile, job: FileJob) -> Result<LoadOutcome, LoadError> {
    let db = db.clone();
    let profile = profile.clone();
    off_runtime(move || async move {
        match job.kind {
            FileKind::Salesforce => {
                let request = SfLoadRequest {
                    trigger: job.trigger,
                    requested_by: job.requested_by,
                };
                salesforce::load_csv(db.bulk_pool(), &job.path, Some(job.display_name), &request)
                    .await
            }
            FileKind::WealthSpectrum(report) => {
                load_file(
                    db.bulk_pool(),
                    FileLoad {
                        input: Input::File(job.path),
                        display_name: Some(job.display_name),
                        report,
                        profile,
                        trigger: job.trigger,
                        requested_by: job.requested_by,
                        today: today_ist(),
                        queued_job: job.queued_job,
                    },
                )
                .await
            }
        }
    })
    .await
}

/// Runs a load whose future is not `Send` on a thread of the blocking pool, driven by the
/// runtime's handle. The loader's futures hold a `&FileLoad` (whose reader is `Send` but not
/// `Sync`) across awaits, so they cannot be `tokio::spawn`ed directly; this keeps background
/// loads off the request threads either way.
pub async fn off_runtime<F, Fut, T>(make: F) -> Result<T, LoadError>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, LoadError>>,
    T: Send + 'static,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(make()))
        .await
        .map_err(|e| LoadError::Internal(format!("the load stopped unexpectedly: {e}")))?
}

/// Tells a file's loader when the caller has not: Salesforce by its headers (read on a
/// blocking thread), else a Wealth Spectrum report to recognise.
pub async fn detect_kind(path: &Path) -> FileKind {
    let path = path.to_owned();
    let salesforce = tokio::task::spawn_blocking(move || looks_like_salesforce(&path))
        .await
        .unwrap_or(false);
    if salesforce {
        FileKind::Salesforce
    } else {
        FileKind::WealthSpectrum(None)
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `@`, or `-` not starting a number)
/// gets a leading apostrophe, so opening the download in Excel cannot execute anything. Every
/// CSV download writes its text cells through this one function.
pub(crate) fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => cell.parse::<f64>().is_err(),
        _ => false,
    };
    if risky {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The problems of a rejected load as CSV: `line,column,value,reason`.
pub fn errors_csv(errors: &[IngestErrorView]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(64 + errors.len() * 96));
    let mut write = |fields: [&str; 4]| {
        // Writing to a Vec cannot fail for I/O reasons; a failure would only drop that row.
        if let Err(e) = out.write_record(fields.iter().map(|f| neutralise(f).into_owned())) {
            tracing::warn!(error = %e, "cannot write a row of the errors CSV");
        }
    };
    write(["line", "column", "value", "reason"]);
    for e in errors {
        let line = e.line.map(|l| l.to_string()).unwrap_or_default();
        write([
            &line,
            e.column.as_deref().unwrap_or_default(),
            e.value.as_deref().unwrap_or_default(),
            &e.reason,
        ]);
    }
    out.into_inner().unwrap_or_default()
}

/// The problems of a load that did not succeed, for a CSV: the stored row errors of a rejected
/// load, or the failure message of a failed one.
pub async fn problems(db: &Db, outcome: &LoadOutcome) -> Vec<IngestErrorView> {
    match outcome {
        LoadOutcome::Succeeded { .. } => Vec::new(),
        LoadOutcome::Rejected {
            job_id,
            first_errors,
            ..
        } => match db.all_ingest_errors(*job_id).await {
            Ok(errors) => errors,
            Err(e) => {
                tracing::warn!(job = job_id, error = %e, "cannot read the stored row errors; writing the first ones");
                first_errors
                    .iter()
                    .enumerate()
                    .map(|(i, e)| IngestErrorView {
                        seq: i as i32 + 1,
                        line: e.line.map(|l| l as i64),
                        column: e.column.clone(),
                        value: e.value.clone(),
                        reason: e.reason.clone(),
                    })
                    .collect()
            }
        },
        LoadOutcome::Failed { message, .. } => vec![IngestErrorView {
            seq: 1,
            line: None,
            column: None,
            value: None,
            reason: message.clone(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_exports_are_told_by_their_headers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sf = dir.path().join("accounts.csv");
        std::fs::write(
            &sf,
            "\u{feff}\"Id\",\"Name\",\"PAN__c\",\"OwnerId\",\"SystemModstamp\"\n\"001\",\"A\",\"\",\"005\",\"2026-11-20T10:00:00.000Z\"\n",
        )
        .expect("write");
        assert!(looks_like_salesforce(&sf));
        let ws = dir.path().join("transactions.csv");
        std::fs::write(
            &ws,
            "TRAN_ID,PORTFOLIO_CODE,TRAN_DATE,SETTLE_DATE,TRAN_TYPE,ISIN,QUANTITY,PRICE,AMOUNT,CHARGES\n",
        )
        .expect("write");
        assert!(!looks_like_salesforce(&ws));
        assert!(!looks_like_salesforce(&dir.path().join("missing.csv")));
    }

    #[test]
    fn the_errors_csv_quotes_and_defuses_formulas() {
        let csv = errors_csv(&[
            IngestErrorView {
                seq: 1,
                line: Some(3),
                column: Some("AMOUNT".into()),
                value: Some("=HYPERLINK(\"x\")".into()),
                reason: "not a number, e.g. 1,234.50".into(),
            },
            IngestErrorView {
                seq: 2,
                line: None,
                column: None,
                value: Some("-12.5".into()),
                reason: "file".into(),
            },
        ]);
        let text = String::from_utf8(csv).expect("utf-8");
        assert_eq!(
            text,
            "line,column,value,reason\n3,AMOUNT,\"'=HYPERLINK(\"\"x\"\")\",\"not a number, e.g. 1,234.50\"\n,,-12.5,file\n"
        );
    }

    #[test]
    fn only_csv_and_spreadsheets_are_accepted() {
        assert!(is_accepted("Holdings 31-10-2026.CSV"));
        assert!(is_accepted("clients.xlsx"));
        assert!(!is_accepted("statement.pdf"));
        assert!(!is_accepted("no-extension"));
    }
}
