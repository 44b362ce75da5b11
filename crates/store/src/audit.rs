//! The audit trail: who did what, when, from where. Append-only (a trigger refuses updates
//! and deletes) and hash-chained: each row's SHA-256 covers its own fields and the previous
//! row's hash, so changing, inserting or deleting any row breaks the chain from there on, and
//! [`Db::verify_audit_chain`] finds the first broken row. Rows are numbered without gaps under
//! an advisory lock, so concurrent writers keep one chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::StoreResult;
use crate::Db;

/// "PMSAUDIT": the advisory-lock key that serialises appends.
const AUDIT_LOCK: i64 = 0x504D_5341_5544_4954;
const GENESIS: [u8; 32] = [0; 32];

/// What happened, as the caller describes it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AuditEvent {
    pub actor_user_id: Option<i64>,
    /// E-mail, `api:<client>` or `system`.
    pub actor: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Dotted verb: `auth.login`, `auth.login_failed`, `client.view`, `export.csv`, …
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub details: serde_json::Value,
}

/// A stored audit row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub details: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// The outcome of recomputing the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainStatus {
    Intact {
        rows: i64,
    },
    /// The first row whose number, link or content does not match.
    Broken {
        seq: i64,
        reason: String,
        rows_checked: i64,
    },
}

/// The bytes a row's hash covers: every field, length-prefixed (so no two different rows
/// encode alike), then the previous hash.
fn canonical(r: &AuditRecord) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, value: Option<&[u8]>) {
        match value {
            None => out.push(0),
            Some(bytes) => {
                out.push(1);
                out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
                out.extend_from_slice(bytes);
            }
        }
    }
    let mut out = Vec::with_capacity(256 + r.details.len());
    field(&mut out, Some(r.seq.to_string().as_bytes()));
    field(
        &mut out,
        Some(r.at.timestamp_micros().to_string().as_bytes()),
    );
    field(
        &mut out,
        r.actor_user_id
            .map(|u| u.to_string())
            .as_deref()
            .map(str::as_bytes),
    );
    field(&mut out, Some(r.actor.as_bytes()));
    field(&mut out, r.ip.as_deref().map(str::as_bytes));
    field(&mut out, r.user_agent.as_deref().map(str::as_bytes));
    field(&mut out, Some(r.action.as_bytes()));
    field(&mut out, r.object_type.as_deref().map(str::as_bytes));
    field(&mut out, r.object_id.as_deref().map(str::as_bytes));
    field(&mut out, Some(r.details.as_bytes()));
    field(&mut out, Some(&r.prev_hash));
    out
}

fn hash_of(r: &AuditRecord) -> Vec<u8> {
    Sha256::digest(canonical(r)).to_vec()
}

/// Filters for the Audit page.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Matches actor, action, object or details (case-insensitive substring).
    pub text: Option<String>,
    pub action_prefix: Option<String>,
    pub actor_user_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

impl Db {
    /// Appends an event to the chain and returns its number.
    pub async fn audit(&self, event: &AuditEvent) -> StoreResult<i64> {
        let mut tx = self.pool().begin().await?;
        sqlx::query!("SELECT pg_advisory_xact_lock($1)", AUDIT_LOCK)
            .execute(&mut *tx)
            .await?;
        let last = sqlx::query!("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (seq, prev_hash) = match last {
            Some(row) => (row.seq + 1, row.hash),
            None => (1, GENESIS.to_vec()),
        };
        // Microsecond precision: what PostgreSQL stores, so the hash recomputes exactly.
        let now = Utc::now();
        let at = DateTime::<Utc>::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
        let mut record = AuditRecord {
            seq,
            at,
            actor_user_id: event.actor_user_id,
            actor: event.actor.clone(),
            ip: event.ip.clone(),
            user_agent: event
                .user_agent
                .as_ref()
                .map(|ua| ua.chars().take(300).collect()),
            action: event.action.clone(),
            object_type: event.object_type.clone(),
            object_id: event.object_id.clone(),
            details: if event.details.is_null() {
                "{}".into()
            } else {
                event.details.to_string()
            },
            prev_hash,
            hash: Vec::new(),
        };
        record.hash = hash_of(&record);
        sqlx::query!(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor, ip, user_agent, action, object_type, object_id, details, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            record.seq,
            record.at,
            record.actor_user_id,
            record.actor,
            record.ip,
            record.user_agent,
            record.action,
            record.object_type,
            record.object_id,
            record.details,
            record.prev_hash,
            record.hash
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Recomputes the whole chain in order and reports the first row that does not fit.
    pub async fn verify_audit_chain(&self) -> StoreResult<ChainStatus> {
        use futures::TryStreamExt;
        let mut rows = sqlx::query_as!(
            AuditRecord,
            "SELECT seq, at, actor_user_id, actor, ip, user_agent, action, object_type, object_id, details, prev_hash, hash
             FROM audit_log ORDER BY seq"
        )
        .fetch(self.pool());
        let mut expected_seq = 1i64;
        let mut prev = GENESIS.to_vec();
        let mut checked = 0i64;
        while let Some(row) = rows.try_next().await? {
            let broken = |reason: String| ChainStatus::Broken {
                seq: row.seq,
                reason,
                rows_checked: checked,
            };
            if row.seq != expected_seq {
                return Ok(ChainStatus::Broken {
                    seq: expected_seq,
                    reason: format!("row {expected_seq} is missing (next row is {})", row.seq),
                    rows_checked: checked,
                });
            }
            if row.prev_hash != prev {
                return Ok(broken("its link to the previous row does not match (a row before it was changed or removed)".into()));
            }
            if hash_of(&row) != row.hash {
                return Ok(broken(
                    "its content does not match its hash (the row was changed)".into(),
                ));
            }
            prev = row.hash;
            expected_seq += 1;
            checked += 1;
        }
        Ok(ChainStatus::Intact { rows: checked })
    }

    /// Newest first, filtered.
    pub async fn audit_events(&self, q: &AuditQuery) -> StoreResult<Vec<AuditRecord>> {
        let pattern = q
            .text
            .as_ref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| format!("%{}%", t.trim().replace('%', "\\%")));
        let prefix = q
            .action_prefix
            .as_ref()
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}%"));
        Ok(sqlx::query_as!(
            AuditRecord,
            "SELECT seq, at, actor_user_id, actor, ip, user_agent, action, object_type, object_id, details, prev_hash, hash
             FROM audit_log
             WHERE ($1::text IS NULL OR actor ILIKE $1 OR action ILIKE $1 OR object_id ILIKE $1 OR object_type ILIKE $1 OR details ILIKE $1)
               AND ($2::text IS NULL OR action LIKE $2)
               AND ($3::bigint IS NULL OR actor_user_id = $3)
               AND ($4::timestamptz IS NULL OR at >= $4)
               AND ($5::timestamptz IS NULL OR at < $5)
               AND ($6::bigint IS NULL OR seq < $6)
             ORDER BY seq DESC LIMIT $7",
            pattern,
            prefix,
            q.actor_user_id,
            q.from,
            q.to,
            q.before_seq,
            q.limit.clamp(1, 500)
        )
        .fetch_all(self.pool())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AuditRecord {
        AuditRecord {
            seq: 1,
            at: DateTime::<Utc>::from_timestamp_micros(1_790_000_000_123_456).unwrap_or_default(),
            actor_user_id: Some(7),
            actor: "priya@firm.in".into(),
            ip: Some("10.0.0.7".into()),
            user_agent: None,
            action: "client.view".into(),
            object_type: Some("client".into()),
            object_id: Some("42".into()),
            details: "{}".into(),
            prev_hash: GENESIS.to_vec(),
            hash: Vec::new(),
        }
    }

    #[test]
    fn every_field_changes_the_hash_and_fields_cannot_be_shifted() {
        let base = hash_of(&record());
        let mut other = record();
        other.object_id = Some("43".into());
        assert_ne!(hash_of(&other), base);
        // Moving text from one field to the next must not give the same encoding.
        let mut a = record();
        a.object_type = Some("clien".into());
        a.object_id = Some("t42".into());
        assert_ne!(hash_of(&a), base);
        let mut none = record();
        none.ip = None;
        assert_ne!(hash_of(&none), base);
    }
}
