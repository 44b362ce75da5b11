//! Loading: staging by `COPY`, set-based checks, the merge, and the ingest job around them.
//! [`load`] is the entry point for a file, whatever its kind and wherever it came from.
//! One transaction per file: a file with any problem is rejected whole and a crash or kill
//! mid-load leaves nothing behind (the staging tables are temporary and die with the
//! transaction). Loads run one at a time across every server (an advisory lock), so two loads
//! never interleave their merges.

pub mod checks;
pub mod copy;
pub mod direct;
pub mod dispatch;
pub mod file;
pub mod job;
pub mod merge;
pub mod recognise;
pub mod refs;
pub mod salesforce;
pub mod staging;
pub mod wealth_spectrum_api;

pub use dispatch::{load, queue, today_ist, LoadRequest, QueuedLoad};
pub use file::{load_file, FileLoad, Input, LoadOutcome};
pub use job::{FileDigest, Job, JobSpec, MergeCounts, Source, Trigger};
pub use recognise::{extension, is_accepted, FileKind, ACCEPTED_EXTENSIONS};

/// The advisory-lock key that serialises loads ("PMSLOAD" in ASCII).
pub const LOAD_LOCK: i64 = 0x0050_4D53_4C4F_4144;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Io(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Waits for any other load to finish, inside the caller's transaction.
pub async fn lock_loads(conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOAD_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}
