//! The one way a file is loaded, wherever it came from (an upload, the drop folder, the command
//! line): the file is recognised unless the caller said what it is, handed to the Wealth
//! Spectrum or the Salesforce loader, and loaded as one ingest job. Callers keep only what is
//! theirs (an upload's form and audit event, the drop folder's moves).

use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use pms_store::Db;

use crate::load::file::{load_report, Input, LoadOutcome, ReportLoad};
use crate::load::job::{FileDigest, Job, JobSpec, Source, Trigger};
use crate::load::recognise::FileKind;
use crate::load::{salesforce, LoadError};
use crate::profile::Profile;

/// A file to load.
#[derive(Clone, Debug)]
pub struct LoadRequest {
    /// Where the file is.
    pub path: PathBuf,
    /// The name to record (an upload's original name); defaults to the path's file name.
    pub display_name: Option<String>,
    /// The loader the caller chose; `None` recognises the file ([`FileKind::recognise`]).
    pub kind: Option<FileKind>,
    /// How the load was started.
    pub trigger: Trigger,
    /// Who asked for it (a signed-in user), if anyone.
    pub requested_by: Option<i64>,
    /// How the firm's Wealth Spectrum exports map onto the Hub's fields.
    pub profile: Profile,
    /// The file's SHA-256 and size when the caller already has them (an upload hashes the file
    /// as it arrives, so its job is queued without reading the file again).
    pub digest: Option<FileDigest>,
}

/// Today in India: a report dated today IST is not "in the future" just because UTC has not
/// reached that date yet.
pub fn today_ist() -> NaiveDate {
    Utc::now()
        .with_timezone(&pms_domain::time::IST)
        .date_naive()
}

/// Loads a file as one ingest job and returns how the load ended. An `Err` means the load could
/// not run at all (the database went away); its job is then recorded as failed if it can be.
pub async fn load(db: &Db, request: LoadRequest) -> Result<LoadOutcome, LoadError> {
    let kind = kind_of(&request).await;
    let job = Job::start(db.bulk_pool(), &job_spec(&request, kind).await).await?;
    run(db, &job, kind, request).await
}

/// Records the job of a load that runs later ([`QueuedLoad::run`]), so the caller can name the
/// job at once: an upload answers with its number and audits it before the load starts.
pub async fn queue(db: &Db, request: LoadRequest) -> Result<QueuedLoad, LoadError> {
    let kind = kind_of(&request).await;
    let job = Job::queue(db.bulk_pool(), &job_spec(&request, kind).await).await?;
    Ok(QueuedLoad { job, kind, request })
}

/// A load whose job is recorded as queued: run it, or cancel it.
#[derive(Debug)]
pub struct QueuedLoad {
    job: Job,
    kind: FileKind,
    request: LoadRequest,
}

impl QueuedLoad {
    pub fn job_id(&self) -> i64 {
        self.job.id
    }

    /// The loader the file goes to (the caller's choice, or what the file was recognised as).
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// Runs the load under its queued job; see [`load`].
    pub async fn run(self, db: &Db) -> Result<LoadOutcome, LoadError> {
        let job = Job::resume(db.bulk_pool(), self.job.id).await?;
        run(db, &job, self.kind, self.request).await
    }

    /// Ends the job without loading anything, recording `message` as the reason.
    pub async fn cancel(self, message: &str) -> Result<(), LoadError> {
        self.job.fail(message).await.map_err(LoadError::from)
    }
}

/// The caller's choice of loader, else what the file looks like (read on a blocking thread).
async fn kind_of(request: &LoadRequest) -> FileKind {
    if let Some(kind) = request.kind {
        return kind;
    }
    let path = request.path.clone();
    tokio::task::spawn_blocking(move || FileKind::recognise(&path))
        .await
        .unwrap_or(FileKind::WealthSpectrum(None))
}

/// What the job records before the load has read anything.
async fn job_spec(request: &LoadRequest, kind: FileKind) -> JobSpec {
    let spec = match kind {
        FileKind::Salesforce => JobSpec::salesforce_csv(request.trigger, request.requested_by),
        FileKind::WealthSpectrum(report) => JobSpec::wealth_spectrum(
            Source::WealthSpectrumFile,
            report,
            &request.profile,
            request.trigger,
            request.requested_by,
        ),
    };
    spec.with_file(
        &request.path,
        request.display_name.clone(),
        request.digest.clone(),
    )
    .await
}

/// Hands the file to its loader under `job`. A loader that could not record its own end has
/// its job failed here, so the job does not stay "running" until the sweep finds it silent.
async fn run(
    db: &Db,
    job: &Job,
    kind: FileKind,
    request: LoadRequest,
) -> Result<LoadOutcome, LoadError> {
    let pool = db.bulk_pool();
    let loaded = match kind {
        FileKind::Salesforce => salesforce::load_csv_as(pool, job, &request.path).await,
        FileKind::WealthSpectrum(report) => {
            let load = ReportLoad {
                input: Input::File(request.path),
                report,
                profile: request.profile,
                today: today_ist(),
            };
            load_report(pool, job, load).await
        }
    };
    if let Err(e) = &loaded {
        tracing::error!(job = job.id, error = %e, "the load could not run");
        let message = format!("failed: {e}. Nothing was loaded.");
        if let Err(again) = job.fail(&message).await {
            tracing::warn!(job = job.id, error = %again, "cannot record that the load failed");
        }
    }
    loaded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::file::{load_file, FileLoad};
    use crate::load::wealth_spectrum_api;
    use crate::source::wealth_spectrum::api::WsApiConfig;

    fn assert_send<T: Send>(_: &T) {}

    /// Background loads (uploads, the drop folder, schedules) are `tokio::spawn`ed, which needs
    /// `Send` futures: a non-`Send` value held across an await in any loader breaks this test
    /// at compile time. The futures are created, never polled.
    #[tokio::test]
    async fn load_futures_are_send() {
        let pool =
            sqlx::PgPool::connect_lazy("postgres://nobody@127.0.0.1:1/never").expect("a lazy pool");
        let db = Db::from_pool(pool.clone());
        let request = LoadRequest {
            path: PathBuf::from("holdings.csv"),
            display_name: None,
            kind: None,
            trigger: Trigger::Cli,
            requested_by: None,
            profile: Profile::default_profile(),
            digest: None,
        };
        assert_send(&load(&db, request.clone()));
        assert_send(&queue(&db, request));
        // A queued load needs a database; its type alone settles whether `run` is `Send`.
        let queued: Option<QueuedLoad> = None;
        if let Some(queued) = queued {
            assert_send(&queued.run(&db));
        }
        let file = FileLoad {
            input: Input::File(PathBuf::from("holdings.csv")),
            display_name: None,
            report: None,
            profile: Profile::default_profile(),
            trigger: Trigger::Cli,
            requested_by: None,
            today: today_ist(),
        };
        assert_send(&load_file(&pool, file));
        let config = WsApiConfig::new(
            url::Url::parse("http://127.0.0.1:1/").expect("a URL"),
            "unused".into(),
        );
        let profile = Profile::default_profile();
        assert_send(&wealth_spectrum_api::sync(
            &pool,
            &config,
            &profile,
            None,
            Trigger::Schedule,
            None,
            today_ist(),
        ));
    }
}
