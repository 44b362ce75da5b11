//! Which loader a file needs: a Salesforce export is told by its header row, everything else is
//! a Wealth Spectrum report (recognised later by the profile's file patterns or its headers).

use std::io::Read;
use std::path::Path;

use pms_domain::ingest::SALESFORCE_UPLOAD;

use crate::report::ReportKind;
use crate::source::salesforce::csv_import::detect_object_from_headers;

/// File extensions the loaders read: CSV (and text exports) and spreadsheets.
pub const ACCEPTED_EXTENSIONS: [&str; 6] = ["csv", "txt", "xlsx", "xlsm", "xls", "ods"];

/// How much of a file [`FileKind::recognise`] reads: the header row is near the start.
const SNIFF_BYTES: u64 = 64 * 1024;

/// Which loader a file goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A Wealth Spectrum report; `None` = recognise it by file name or headers.
    WealthSpectrum(Option<ReportKind>),
    /// A Salesforce Data Loader or report export.
    Salesforce,
}

impl FileKind {
    /// Tells a file's loader by its content: Salesforce by its header row, else a Wealth
    /// Spectrum report still to recognise. Reads at most the first 64 KiB (blocking I/O).
    pub fn recognise(path: &Path) -> FileKind {
        if looks_like_salesforce(path) {
            FileKind::Salesforce
        } else {
            FileKind::WealthSpectrum(None)
        }
    }

    /// What the kind is called where a person reads it (the audit trail, the upload form):
    /// `salesforce`, a report's code, or `auto` for a report still to recognise.
    pub fn code(self) -> &'static str {
        match self {
            FileKind::Salesforce => SALESFORCE_UPLOAD,
            FileKind::WealthSpectrum(Some(report)) => report.code(),
            FileKind::WealthSpectrum(None) => "auto",
        }
    }
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
fn looks_like_salesforce(path: &Path) -> bool {
    if matches!(
        extension(&path.to_string_lossy()).as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "ods")
    ) {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut start = Vec::with_capacity(SNIFF_BYTES as usize);
    if file.take(SNIFF_BYTES).read_to_end(&mut start).is_err() {
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
        assert_eq!(FileKind::recognise(&sf), FileKind::Salesforce);
        let ws = dir.path().join("transactions.csv");
        std::fs::write(
            &ws,
            "TRAN_ID,PORTFOLIO_CODE,TRAN_DATE,SETTLE_DATE,TRAN_TYPE,ISIN,QUANTITY,PRICE,AMOUNT,CHARGES\n",
        )
        .expect("write");
        assert_eq!(FileKind::recognise(&ws), FileKind::WealthSpectrum(None));
        assert_eq!(
            FileKind::recognise(&dir.path().join("missing.csv")),
            FileKind::WealthSpectrum(None)
        );
    }

    #[test]
    fn only_csv_and_spreadsheets_are_accepted() {
        assert!(is_accepted("Holdings 31-10-2026.CSV"));
        assert!(is_accepted("clients.xlsx"));
        assert!(!is_accepted("statement.pdf"));
        assert!(!is_accepted("no-extension"));
    }

    #[test]
    fn kinds_are_named_as_the_upload_form_names_them() {
        assert_eq!(FileKind::Salesforce.code(), "salesforce");
        assert_eq!(
            FileKind::WealthSpectrum(Some(ReportKind::Holdings)).code(),
            "holdings"
        );
        assert_eq!(FileKind::WealthSpectrum(None).code(), "auto");
    }
}
