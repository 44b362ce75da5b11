//! Uploads and downloads of the Ingest page.
//!
//! - `POST /ingest/upload` (multipart: `file`, optional `report` — a report code, `salesforce`,
//!   or empty to recognise it —, optional `salesforce`): streams the file to the upload folder
//!   (never held in memory), queues an ingest job, starts the load in the background and
//!   answers `{ "job_id": N }` at once; the page follows the job's progress. A plain form post
//!   (no JavaScript) is answered with a redirect to the job instead.
//! - `GET /ingest/jobs/{id}/errors.csv`: a rejected load's problems as CSV.
//!
//! Both need the `RunIngest` capability (data stewards and admins) and are audited. The REST
//! API reaches them as `POST /api/v1/ingest/jobs` and `GET /api/v1/ingest/jobs/{id}/errors.csv`.

use std::path::{Path, PathBuf};

use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use pms_domain::ingest::format_bytes;
use pms_ingest::load;
use pms_service::ingest_jobs::{self, Upload};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::api::ApiCaller;
use super::error::AppError;
use super::AppState;
use crate::csv_export;

/// The upload size limit, from `PMS_MAX_UPLOAD_MB`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UploadLimit {
    bytes: u64,
}

pub fn router() -> Router<AppState> {
    // A bad value stops the server at start-up (`jobs::try_spawn_all`); here it falls back.
    let mb =
        pms_domain::ingest::parse_max_upload_mb(std::env::var("PMS_MAX_UPLOAD_MB").ok().as_deref())
            .unwrap_or(pms_domain::ingest::DEFAULT_MAX_UPLOAD_MB);
    let limit = UploadLimit {
        bytes: mb * 1024 * 1024,
    };
    Router::new()
        .route("/ingest/upload", post(upload))
        .route("/api/v1/ingest/jobs", post(upload))
        .route("/ingest/jobs/{id}/errors.csv", get(errors_csv))
        .route("/api/v1/ingest/jobs/{id}/errors.csv", get(errors_csv))
        // The upload is streamed to disk and counted against our own limit (a clear 413), so
        // axum's 2 MB default must not apply.
        .layer(DefaultBodyLimit::disable())
        .layer(Extension(limit))
}

/// Why an upload was refused, with a code the page can show without JavaScript.
struct UploadError {
    error: AppError,
    code: &'static str,
}

impl UploadError {
    fn new(code: &'static str, error: AppError) -> Self {
        Self { error, code }
    }
}

impl From<AppError> for UploadError {
    fn from(error: AppError) -> Self {
        let code = match &error {
            AppError::Forbidden(_) => "forbidden",
            AppError::TooLarge(_) => "too_large",
            AppError::Unprocessable(_) => "bad_type",
            AppError::BadRequest(_) => "bad_request",
            _ => "failed",
        };
        Self { error, code }
    }
}

/// A plain HTML form post (no JavaScript) wants a page back, not JSON.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The upload form: a file and, optionally, which loader reads it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the multipart body for the OpenAPI document
pub(crate) struct UploadForm {
    /// A Wealth Spectrum report (CSV or XLSX) or a Salesforce export (CSV).
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// A Wealth Spectrum report code (`transactions`, `holdings`, …), `salesforce`, or empty to
    /// recognise the file from its header.
    report: Option<String>,
    /// The file is a Salesforce export.
    salesforce: Option<bool>,
}

/// A queued load: follow it at `/api/v1/ingest/jobs/{job_id}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct QueuedJob {
    job_id: i64,
}

/// Uploads a file and queues its load; answers at once with the job's number. The file is
/// checked whole: a file with any bad row is rejected with row-level reasons and loads
/// nothing (see the job's `errors`).
#[utoipa::path(post, path = "/api/v1/ingest/jobs", tag = "Data loads",
    request_body(content_type = "multipart/form-data", content = UploadForm),
    responses(
        (status = 200, description = "Queued", body = QueuedJob),
        (status = 413, description = "Over the upload size limit (PMS_MAX_UPLOAD_MB)", body = pms_domain::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a file the Hub can load", body = pms_domain::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    Extension(limit): Extension<UploadLimit>,
    ApiCaller(caller): ApiCaller,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let html = wants_html(&headers);
    match receive(&state, limit, &caller, &headers, multipart).await {
        Ok(job_id) if html => Redirect::to(&format!("/ingest?job={job_id}")).into_response(),
        Ok(job_id) => Json(QueuedJob { job_id }).into_response(),
        // An internal failure was logged where it happened.
        Err(e) if html => Redirect::to(&format!("/ingest?upload_error={}", e.code)).into_response(),
        Err(e) => e.error.into_response(),
    }
}

/// An uploaded file on disk, removed when dropped unless the load took it over.
struct Spooled {
    path: PathBuf,
    keep: bool,
}

impl Drop for Spooled {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// What the form sent.
struct Received {
    file: Spooled,
    original_name: String,
    bytes: u64,
    sha256: String,
    report: Option<String>,
    salesforce: bool,
}

async fn receive(
    state: &AppState,
    limit: UploadLimit,
    caller: &pms_service::Caller,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<i64, UploadError> {
    // Refused before a byte of the file is read.
    ingest_jobs::require_ingest(caller)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The form's other fields and multipart framing add a little to the file itself.
    if declared.is_some_and(|n| n > limit.bytes + 64 * 1024) {
        return Err(too_large(limit).into());
    }
    let multipart = multipart.map_err(|e| {
        UploadError::new(
            "bad_request",
            AppError::BadRequest(format!("send the file as multipart/form-data: {e}")),
        )
    })?;
    let mut received = read_form(&state.ingest.upload_dir, limit, multipart).await?;
    let upload = Upload {
        path: received.file.path.clone(),
        original_name: received.original_name,
        bytes: received.bytes,
        sha256: received.sha256,
        report: received.report,
        salesforce: received.salesforce,
    };
    let job_id = ingest_jobs::upload(state, caller, upload).await?;
    // The load deletes the file when it is done.
    received.file.keep = true;
    Ok(job_id)
}

fn too_large(limit: UploadLimit) -> AppError {
    AppError::TooLarge(format!(
        "the file is larger than the upload limit of {} (PMS_MAX_UPLOAD_MB); split it, or copy it into the drop folder instead",
        format_bytes(limit.bytes as i64)
    ))
}

/// Reads the form, streaming the file to `upload_dir/<uuid>-<sanitised name>`.
async fn read_form(
    upload_dir: &Path,
    limit: UploadLimit,
    mut multipart: Multipart,
) -> Result<Received, UploadError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        UploadError::new(
            "bad_request",
            AppError::BadRequest(format!("the upload was interrupted or malformed: {e}")),
        )
    };
    let mut file: Option<(Spooled, String, u64, String)> = None;
    let mut report = None;
    let mut salesforce = false;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("file") => {
                let original = field
                    .file_name()
                    .map(display_name)
                    .filter(|n| !n.is_empty());
                let Some(original) = original else {
                    // An empty file input still sends a part; skip it.
                    while field.chunk().await.map_err(bad)?.is_some() {}
                    continue;
                };
                if file.is_some() {
                    return Err(UploadError::new(
                        "bad_request",
                        AppError::BadRequest("send one file per upload".into()),
                    ));
                }
                if !load::is_accepted(&original) {
                    return Err(UploadError::new(
                        "bad_type",
                        AppError::BadRequest(format!(
                            "{original} cannot be loaded: choose a CSV or Excel file (.csv, .xlsx, .xls)"
                        )),
                    ));
                }
                let (spooled, bytes, sha) = spool(upload_dir, &original, limit, &mut field).await?;
                file = Some((spooled, original, bytes, sha));
            }
            Some("report") => report = Some(small_text(&mut field).await.map_err(bad)?),
            Some("salesforce") => {
                let value = small_text(&mut field).await.map_err(bad)?;
                salesforce = matches!(value.trim(), "1" | "true" | "on" | "yes");
            }
            _ => while field.chunk().await.map_err(bad)?.is_some() {},
        }
    }
    let Some((file, original_name, bytes, sha256)) = file else {
        return Err(UploadError::new(
            "no_file",
            AppError::BadRequest("choose a file to upload (field \"file\")".into()),
        ));
    };
    if bytes == 0 {
        return Err(UploadError::new(
            "empty",
            AppError::BadRequest(format!("{original_name} is empty")),
        ));
    }
    Ok(Received {
        file,
        original_name,
        bytes,
        sha256,
        report: report
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
        salesforce,
    })
}

/// A short text field (at most 200 bytes are kept).
async fn small_text(
    field: &mut Field<'_>,
) -> Result<String, axum::extract::multipart::MultipartError> {
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        if out.len() < 200 {
            out.extend_from_slice(&chunk[..chunk.len().min(200 - out.len())]);
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The name as the user knows it: no folders (old browsers send a full path), no control
/// characters, at most 200 characters.
fn display_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    base.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A name safe on any file system: letters, digits, `.`, `-` and `_` only.
fn sanitise(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    let mut out: String = cleaned.chars().rev().take(120).collect();
    out = out.chars().rev().collect();
    if out.is_empty() {
        "upload".into()
    } else {
        out
    }
}

/// Streams a file field to disk, counting and hashing as it goes.
async fn spool(
    upload_dir: &Path,
    original: &str,
    limit: UploadLimit,
    field: &mut Field<'_>,
) -> Result<(Spooled, u64, String), UploadError> {
    let internal = |what: &str, e: std::io::Error| {
        UploadError::from(super::error::internal(format!(
            "{what} in {}: {e}",
            upload_dir.display()
        )))
    };
    tokio::fs::create_dir_all(upload_dir)
        .await
        .map_err(|e| internal("cannot create the upload folder", e))?;
    let path = upload_dir.join(format!("{}-{}", uuid::Uuid::new_v4(), sanitise(original)));
    let mut out = tokio::fs::File::create(&path)
        .await
        .map_err(|e| internal("cannot create an upload file", e))?;
    let spooled = Spooled { path, keep: false };
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    loop {
        let chunk = field.chunk().await.map_err(|e| {
            UploadError::new(
                "bad_request",
                AppError::BadRequest(format!("the upload was interrupted: {e}")),
            )
        })?;
        let Some(chunk) = chunk else { break };
        bytes += chunk.len() as u64;
        if bytes > limit.bytes {
            return Err(too_large(limit).into());
        }
        hasher.update(&chunk);
        out.write_all(&chunk)
            .await
            .map_err(|e| internal("cannot write an upload file", e))?;
    }
    out.flush()
        .await
        .map_err(|e| internal("cannot write an upload file", e))?;
    Ok((spooled, bytes, hex::encode(hasher.finalize())))
}

/// A rejected load's problems (line, column, value, reason) as CSV.
#[utoipa::path(get, path = "/api/v1/ingest/jobs/{id}/errors.csv", tag = "Data loads",
    params(("id" = i64, Path, description = "The job's number")),
    responses((status = 200, description = "The problems as CSV", content_type = "text/csv", body = String)))]
pub(crate) async fn errors_csv(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    super::api::ApiPath(job_id): super::api::ApiPath<i64>,
) -> Result<Response, AppError> {
    let errors = ingest_jobs::errors_export(&state, &caller, job_id).await?;
    let body = csv_export::errors_csv(&errors);
    let disposition = format!("attachment; filename=\"job-{job_id}-errors.csv\"");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_for_display_and_for_disk() {
        assert_eq!(
            display_name("C:\\Users\\farah\\Holdings Oct.csv"),
            "Holdings Oct.csv"
        );
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(
            sanitise("Holdings Oct (final).csv"),
            "Holdings_Oct__final_.csv"
        );
        assert_eq!(sanitise("..hidden.csv"), "hidden.csv");
        assert_eq!(sanitise("रिपोर्ट.csv"), "_______.csv");
        assert_eq!(sanitise(""), "upload");
    }
}
