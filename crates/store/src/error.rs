//! The store's error type.

/// Why a store operation failed. Callers at the HTTP edge map these to user-facing messages.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The data asked for is locked by a load in progress, or the query ran past the
    /// interactive time limit: a clear "try again shortly", never a queue that exhausts the pool.
    #[error("busy: {0}")]
    Busy(String),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid input: {0}")]
    Invalid(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // 55P03 lock_not_available (lock_timeout), 57014 query_canceled (statement_timeout),
        // 22021 character_not_in_repertoire (text with a NUL, which PostgreSQL cannot store).
        match e.as_database_error().and_then(|d| d.code()).as_deref() {
            Some("22021") => StoreError::Invalid(
                "the text contains a NUL character (\\0), which cannot be stored: remove it".into(),
            ),
            Some("55P03") => StoreError::Busy(
                "data is being loaded right now; this view is available again when the load \
                 finishes — try again in a minute"
                    .into(),
            ),
            Some("57014") => StoreError::Busy(
                "the database took too long to answer; narrow the filters or try again shortly"
                    .into(),
            ),
            _ => StoreError::Database(e),
        }
    }
}

/// Store errors at the edge: conflicts and invalid input are the user's to fix, a busy
/// database is a "try again shortly", the rest is ours (logged here, in full, under the
/// request's span; the user reads only that it was logged).
impl From<StoreError> for pms_domain::error::AppError {
    fn from(err: StoreError) -> Self {
        use pms_domain::error::AppError;
        match err {
            StoreError::Conflict(m) | StoreError::Invalid(m) => AppError::Unprocessable(m),
            StoreError::Busy(m) => AppError::Unavailable(sentence(&m)),
            StoreError::NotFound(m) => AppError::NotFound(format!("Not found: {m}")),
            other => {
                tracing::error!(error = %other, "store operation failed");
                AppError::internal()
            }
        }
    }
}

/// "data is being loaded" → "Data is being loaded." for a message shown on its own.
pub fn sentence(m: &str) -> String {
    let mut chars = m.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
