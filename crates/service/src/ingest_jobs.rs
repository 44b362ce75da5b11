//! The data-load history for data stewards and admins: the job list, one job with a page of
//! its problems, and what the upload panel needs to know about the server.

use pms_auth::Principal;
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_domain::ingest::{IngestJobDetail, IngestJobList, UploadSettings};

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
