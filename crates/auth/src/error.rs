//! The identity layer's errors.

use pms_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the master key is unusable: {0}")]
    MasterKey(String),
    #[error("a stored secret could not be decrypted (was the master key changed?)")]
    Unseal,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("the API token is invalid: {0}")]
    InvalidToken(String),
    #[error("{0}")]
    Rejected(String),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Store(StoreError::Database(e))
    }
}
