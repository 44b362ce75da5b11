//! Server-side sessions in PostgreSQL (`tower_sessions.session`), so any server instance can
//! serve any request and a restart signs nobody out. The record is stored as JSON; expired
//! sessions are never loaded and are swept periodically.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

use crate::Db;

#[derive(Clone, Debug)]
pub struct PgSessionStore {
    db: Db,
}

impl PgSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Removes expired sessions; returns how many.
    pub async fn delete_expired(&self) -> std::result::Result<u64, sqlx::Error> {
        let res = sqlx::query!("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
            .execute(self.db.pool())
            .await?;
        Ok(res.rows_affected())
    }
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

fn expiry(record: &Record) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(record.expiry_date.unix_timestamp(), 0).unwrap_or_else(Utc::now)
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A random 128-bit id colliding is astronomically unlikely; draw again if it happens.
        loop {
            let data = serde_json::to_vec(&record).map_err(|e| Error::Encode(e.to_string()))?;
            let inserted = sqlx::query!(
                "INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                record.id.to_string(),
                data,
                expiry(record)
            )
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
        sqlx::query!(
            "INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expiry_date = EXCLUDED.expiry_date",
            record.id.to_string(),
            data,
            expiry(record)
        )
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let data = sqlx::query_scalar!(
            "SELECT data FROM tower_sessions.session WHERE id = $1 AND expiry_date > now()",
            id.to_string()
        )
        .fetch_optional(self.db.pool())
        .await
        .map_err(backend)?;
        data.map(|bytes| serde_json::from_slice(&bytes).map_err(|e| Error::Decode(e.to_string())))
            .transpose()
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query!(
            "DELETE FROM tower_sessions.session WHERE id = $1",
            id.to_string()
        )
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }
}
