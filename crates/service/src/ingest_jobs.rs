//! Data loads for data stewards and admins: the job history, one job with a page of its
//! problems and the download of all of them, what the upload panel needs to know about the
//! server, and an uploaded file becoming a load.

use std::path::PathBuf;

use pms_auth::Principal;
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_domain::ingest::{
    IngestErrorView, IngestJobDetail, IngestJobList, UploadSettings, SALESFORCE_UPLOAD,
};
use pms_ingest::load::{self, FileDigest, FileKind, LoadRequest, Trigger};
use pms_ingest::report::ReportKind;
use serde_json::json;
use tracing::Instrument;

use crate::audit::record;
use crate::{AppResult, Caller, Context};

/// Jobs per page of the history.
pub const JOBS_PER_PAGE: u32 = 20;
/// Problems per page of a rejected job.
pub const ERRORS_PER_PAGE: u32 = 50;

/// The caller, if they may load data; a 403 that says what to do otherwise.
pub fn require_ingest(caller: &Caller) -> AppResult<&Principal> {
    let me = caller.signed_in()?;
    if me.can(Capability::RunIngest) {
        return Ok(me);
    }
    Err(AppError::Forbidden(format!(
        "Data loads are for data stewards and admins. Your role ({}) cannot load data or see the load history; ask an administrator if you need to.",
        me.user.role.label()
    )))
}

/// The upload size limit and the drop folder's inbox, if the server watches one.
#[tracing::instrument(name = "ingest.settings", skip_all, fields(caller = %caller))]
pub fn upload_settings(cx: &Context, caller: &Caller) -> AppResult<UploadSettings> {
    require_ingest(caller)?;
    let inbox = cx.ingest.drop_dir.join("inbox");
    Ok(UploadSettings {
        max_upload_mb: pms_domain::ingest::parse_max_upload_mb(
            std::env::var("PMS_MAX_UPLOAD_MB").ok().as_deref(),
        )
        .unwrap_or(pms_domain::ingest::DEFAULT_MAX_UPLOAD_MB),
        drop_folder: inbox.is_dir().then(|| inbox.display().to_string()),
    })
}

/// One page of the job history, newest first.
#[tracing::instrument(name = "ingest.jobs", skip_all, fields(caller = %caller, page = page))]
pub async fn list(cx: &Context, caller: &Caller, page: u32) -> AppResult<IngestJobList> {
    require_ingest(caller)?;
    Ok(cx.db.ingest_jobs(page, JOBS_PER_PAGE).await?)
}

/// One job and one page of its problems.
#[tracing::instrument(name = "ingest.job", skip_all, fields(caller = %caller, job_id = job_id))]
pub async fn detail(
    cx: &Context,
    caller: &Caller,
    job_id: i64,
    errors_page: u32,
) -> AppResult<IngestJobDetail> {
    require_ingest(caller)?;
    let job = cx
        .db
        .ingest_job(job_id)
        .await?
        .ok_or_else(|| AppError::not_found("ingest job"))?;
    let errors = cx
        .db
        .ingest_errors(job_id, errors_page, ERRORS_PER_PAGE)
        .await?;
    Ok(IngestJobDetail { job, errors })
}

/// A file a person has uploaded, already on disk in the upload folder (the HTTP edge streams
/// it there, counting and hashing as it goes).
pub struct Upload {
    pub path: PathBuf,
    /// The name as the user knows it.
    pub original_name: String,
    pub bytes: u64,
    pub sha256: String,
    /// A Wealth Spectrum report code, `salesforce`, `auto` or none: which loader to use.
    pub report: Option<String>,
    /// The form's "this is a Salesforce export" box.
    pub salesforce: bool,
}

/// The loader the form chose, if any (`None`: the load recognises the file).
fn kind_of(upload: &Upload) -> AppResult<Option<FileKind>> {
    if upload.salesforce || upload.report.as_deref() == Some(SALESFORCE_UPLOAD) {
        return match load::extension(&upload.original_name).as_deref() {
            Some("csv" | "txt") => Ok(Some(FileKind::Salesforce)),
            _ => Err(AppError::Unprocessable(
                "Salesforce exports are loaded as CSV: export from Data Loader or the report as CSV"
                    .into(),
            )),
        };
    }
    match upload.report.as_deref() {
        None | Some("auto") => Ok(None),
        Some(code) => ReportKind::from_code(code)
            .map(|r| Some(FileKind::WealthSpectrum(Some(r))))
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "unknown report {code:?}: leave it empty to recognise the file, or use one of {}",
                    ReportKind::ALL.map(|r| r.code()).join(", ")
                ))
            }),
    }
}

/// Queues the upload's job, records it in the audit trail and starts the load in the
/// background; returns the job's number at once. On success the load owns the file (and
/// deletes it when done); on an error the caller still does.
#[tracing::instrument(name = "ingest.upload", skip_all, fields(caller = %caller, file = %upload.original_name, bytes = upload.bytes))]
pub async fn upload(cx: &Context, caller: &Caller, upload: Upload) -> AppResult<i64> {
    let me = require_ingest(caller)?;
    let request = LoadRequest {
        path: upload.path.clone(),
        display_name: Some(upload.original_name.clone()),
        kind: kind_of(&upload)?,
        trigger: Trigger::Upload,
        requested_by: me.actor_user_id(),
        profile: cx.ingest.profile.clone(),
        digest: Some(FileDigest {
            sha256: upload.sha256.clone(),
            bytes: upload.bytes as i64,
        }),
    };
    let queued = load::queue(&cx.db, request)
        .await
        .map_err(|e| crate::internal(format!("cannot queue the upload's job: {e}")))?;
    let job_id = queued.job_id();
    let details = json!({
        "file": upload.original_name,
        "bytes": upload.bytes,
        "sha256": upload.sha256,
        "report": queued.kind().code(),
    });
    let recorded = record(
        cx,
        caller,
        "ingest.upload",
        Some(("ingest_job", job_id.to_string())),
        details,
    )
    .await;
    if let Err(e) = recorded {
        // Nothing may be loaded that the audit trail does not show.
        let cancelled = queued
            .cancel(
                "failed: the upload could not be recorded in the audit trail. Nothing was loaded.",
            )
            .await;
        if let Err(cancel) = cancelled {
            tracing::warn!(job = job_id, error = %cancel, "cannot end the job of an upload that was not audited");
        }
        return Err(e);
    }
    let db = cx.db.clone();
    tokio::spawn(
        async move {
            let outcome = queued.run(&db).await;
            if let Err(e) = tokio::fs::remove_file(&upload.path).await {
                tracing::warn!(file = %upload.path.display(), error = %e, "cannot remove an uploaded file");
            }
            match outcome {
                Ok(outcome) => tracing::info!(job = outcome.job_id(), "upload processed"),
                Err(e) => tracing::error!(error = %e, "upload could not be loaded"),
            }
        }
        .in_current_span(),
    );
    Ok(job_id)
}

/// Every problem of a rejected load, for the errors download (recorded as an export).
#[tracing::instrument(name = "ingest.errors_export", skip_all, fields(caller = %caller, job_id = job_id))]
pub async fn errors_export(
    cx: &Context,
    caller: &Caller,
    job_id: i64,
) -> AppResult<Vec<IngestErrorView>> {
    require_ingest(caller)?;
    if cx.db.ingest_job(job_id).await?.is_none() {
        return Err(AppError::not_found("ingest job"));
    }
    let errors = cx.db.all_ingest_errors(job_id).await?;
    record(
        cx,
        caller,
        "export.ingest_errors",
        Some(("ingest_job", job_id.to_string())),
        json!({ "rows": errors.len() }),
    )
    .await?;
    Ok(errors)
}
