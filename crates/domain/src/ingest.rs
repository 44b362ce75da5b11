//! Data loads as the Ingest page shows them: ingest jobs (where the data came from, how far a
//! load has got, what it changed) and the row-level problems of a rejected load.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::clients::Page;

/// The upload size limit when `PMS_MAX_UPLOAD_MB` is not set.
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 2048;

/// The Wealth Spectrum reports an upload may name (code, label), in the order a firm loads
/// them: masters first. The server checks the code against the ingest crate's report list.
pub const UPLOAD_REPORTS: [(&str, &str); 7] = [
    ("client_master", "Client master"),
    ("security_master", "Security master"),
    ("benchmark_levels", "Benchmark levels"),
    ("security_prices", "Security prices"),
    ("transactions", "Transactions"),
    ("holdings", "Holdings"),
    ("valuations", "Daily valuations"),
];

/// The `report` value of an upload that is a Salesforce export.
pub const SALESFORCE_UPLOAD: &str = "salesforce";

/// Reads `PMS_MAX_UPLOAD_MB` (unset or empty = the default).
pub fn parse_max_upload_mb(value: Option<&str>) -> Result<u64, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_MAX_UPLOAD_MB),
        Some(text) => match text.parse::<u64>() {
            Ok(mb) if (1..=1_048_576).contains(&mb) => Ok(mb),
            _ => Err(format!(
                "PMS_MAX_UPLOAD_MB={text:?} is not valid: write a whole number of megabytes between 1 and 1048576 (default {DEFAULT_MAX_UPLOAD_MB})"
            )),
        },
    }
}

/// A job's state. `Queued` and `Running` are "active": the page follows them live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Rejected,
    Failed,
}

impl JobStatus {
    pub fn from_code(code: &str) -> JobStatus {
        match code {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "rejected" => JobStatus::Rejected,
            _ => JobStatus::Failed,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            JobStatus::Queued => "Queued",
            JobStatus::Running => "Running",
            JobStatus::Succeeded => "Succeeded",
            JobStatus::Rejected => "Rejected",
            JobStatus::Failed => "Failed",
        }
    }

    pub fn is_active(self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Running)
    }

    /// The badge modifier the page styles the status with.
    pub fn badge_class(self) -> &'static str {
        match self {
            JobStatus::Queued => "badge badge--muted",
            JobStatus::Running => "badge",
            JobStatus::Succeeded => "badge badge--ok",
            JobStatus::Rejected | JobStatus::Failed => "badge badge--danger",
        }
    }
}

/// One ingest job, with the e-mail of whoever started it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestJobView {
    pub job_id: i64,
    /// `salesforce_api`, `salesforce_csv`, `wealth_spectrum_file`, `wealth_spectrum_api`, `demo`.
    pub source: String,
    /// A report code (`transactions`, …), `salesforce`, or `unknown` until recognised.
    pub report: String,
    /// `upload`, `cli`, `watch`, `schedule`, `startup`, `api`.
    pub trigger: String,
    pub file_name: Option<String>,
    pub file_bytes: Option<i64>,
    pub requested_by: Option<String>,
    pub status: JobStatus,
    pub phase: Option<String>,
    pub rows_read: i64,
    pub rows_total: Option<i64>,
    pub rows_inserted: i64,
    pub rows_updated: i64,
    pub rows_unchanged: i64,
    pub error_count: i64,
    pub as_of: Option<NaiveDate>,
    pub data_version: Option<i64>,
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// How long the load took, or has taken so far (by the database's clock).
    pub seconds: Option<f64>,
}

impl IngestJobView {
    pub fn source_label(&self) -> &'static str {
        match self.source.as_str() {
            "salesforce_api" => "Salesforce API",
            "salesforce_csv" => "Salesforce export",
            "wealth_spectrum_file" => "Wealth Spectrum file",
            "wealth_spectrum_api" => "Wealth Spectrum API",
            "demo" => "Demo data",
            _ => "Other",
        }
    }

    pub fn report_label(&self) -> String {
        match self.report.as_str() {
            "salesforce" => "CRM records".into(),
            "unknown" => "not yet recognised".into(),
            code => UPLOAD_REPORTS
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, label)| (*label).to_owned())
                .unwrap_or_else(|| code.replace('_', " ")),
        }
    }

    pub fn trigger_label(&self) -> &'static str {
        match self.trigger.as_str() {
            "upload" => "Upload",
            "cli" => "Command line",
            "watch" => "Drop folder",
            "schedule" => "Schedule",
            "startup" => "Start-up",
            "api" => "API",
            _ => "Other",
        }
    }

    pub fn duration(&self) -> Option<chrono::Duration> {
        self.seconds
            .map(|s| chrono::Duration::milliseconds((s * 1000.0).round() as i64))
    }
}

/// `0.4 s`, `12 s`, `3 min 05 s`, `1 h 02 min`.
pub fn format_duration(d: chrono::Duration) -> String {
    let ms = d.num_milliseconds().max(0);
    if ms < 10_000 {
        return format!("{:.1} s", ms as f64 / 1000.0);
    }
    let s = ms / 1000;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

/// `512 B`, `48.2 KB`, `1.5 MB`, `2.10 GB` (powers of 1024).
pub fn format_bytes(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    const KB: f64 = 1024.0;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else if b < KB * KB * KB {
        format!("{:.1} MB", b / (KB * KB))
    } else {
        format!("{:.2} GB", b / (KB * KB * KB))
    }
}

/// One problem of a rejected load: where (line, column), what (value) and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestErrorView {
    pub seq: i32,
    /// 1-based line in the file (the header is line 1); `None` for a problem with the file.
    pub line: Option<i64>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

/// The job list: one page of jobs, newest first, and whether any job anywhere is still active
/// (the page then follows progress every second).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestJobList {
    pub jobs: Page<IngestJobView>,
    pub any_active: bool,
}

/// One job with a page of its stored row errors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestJobDetail {
    pub job: IngestJobView,
    pub errors: Page<IngestErrorView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_limit_defaults_and_refuses_nonsense() {
        assert_eq!(parse_max_upload_mb(None), Ok(DEFAULT_MAX_UPLOAD_MB));
        assert_eq!(parse_max_upload_mb(Some(" ")), Ok(DEFAULT_MAX_UPLOAD_MB));
        assert_eq!(parse_max_upload_mb(Some("64")), Ok(64));
        assert!(parse_max_upload_mb(Some("0")).is_err());
        assert!(parse_max_upload_mb(Some("2GB")).is_err());
    }

    #[test]
    fn durations_and_sizes_read_naturally() {
        assert_eq!(
            format_duration(chrono::Duration::milliseconds(420)),
            "0.4 s"
        );
        assert_eq!(format_duration(chrono::Duration::seconds(42)), "42 s");
        assert_eq!(
            format_duration(chrono::Duration::seconds(185)),
            "3 min 05 s"
        );
        assert_eq!(
            format_duration(chrono::Duration::seconds(3720)),
            "1 h 02 min"
        );
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1536), "1.5 KB");
        assert_eq!(format_bytes(3 * 1024 * 1024), "3.0 MB");
    }
}

/// What the upload panel needs to know about the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadSettings {
    pub max_upload_mb: u64,
    /// The drop folder's inbox, when the server watches one.
    pub drop_folder: Option<String>,
}
