//! The audit trail: who did what, when, from where. Append-only (a trigger refuses updates
//! and deletes) and chained: each row's seal covers its own fields and the previous row's
//! seal, so changing, inserting or deleting any row breaks the chain from there on, and
//! [`Db::verify_audit_chain`] finds the first broken row. Rows are numbered without gaps under
//! an advisory lock, so concurrent writers keep one chain.
//!
//! The seal is an HMAC-SHA256 under a key derived from the master key, which lives outside the
//! database: whoever can write the table (its owner, a DBA) cannot recompute the seals after an
//! edit. Rows written before keying began carry an unkeyed SHA-256 (`mac = 0`) and are checked
//! as such; an unkeyed row after a keyed one is a forgery. Cutting rows off the end leaves a
//! valid chain, so [`Db::audit_checkpoint`] signs the head for keeping outside the database
//! (the server writes one to its data folder; operators may export more), and verifying
//! against a checkpoint fails when the trail no longer reaches it.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::error::{StoreError, StoreResult};
use crate::Db;

/// The secret that seals the audit chain; never stored in the database.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

/// How a row is sealed.
const MAC_LEGACY_SHA256: i16 = 0;
const MAC_HMAC_SHA256: i16 = 1;

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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
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

/// A stored row with how it was sealed (for verification).
#[derive(sqlx::FromRow)]
struct SealedRow {
    #[sqlx(flatten)]
    record: AuditRecord,
    mac: i16,
}

/// The head of the chain at some moment, signed with the audit key: kept outside the database
/// so that cutting rows off the end of the trail is found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheckpoint {
    pub seq: i64,
    /// The head row's seal, hex.
    pub hash: String,
    pub taken_at: DateTime<Utc>,
    /// HMAC of the above under the audit key, hex.
    pub signature: String,
}

impl AuditCheckpoint {
    fn signed(key: &AuditKey, seq: i64, hash: &[u8], taken_at: DateTime<Utc>) -> Self {
        let hash = hex::encode(hash);
        let signature = hex::encode(Self::mac(key, seq, &hash, taken_at));
        Self {
            seq,
            hash,
            taken_at,
            signature,
        }
    }

    fn mac(key: &AuditKey, seq: i64, hash: &str, taken_at: DateTime<Utc>) -> Vec<u8> {
        key.mac(&[
            b"pms-audit-checkpoint\0",
            seq.to_string().as_bytes(),
            b"\0",
            hash.as_bytes(),
            b"\0",
            taken_at.timestamp_micros().to_string().as_bytes(),
        ])
    }

    fn is_genuine(&self, key: &AuditKey) -> bool {
        hex::decode(&self.signature)
            .is_ok_and(|sig| sig == Self::mac(key, self.seq, &self.hash, self.taken_at))
    }
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

/// The unkeyed seal of rows written before keying began.
fn hash_of(r: &AuditRecord) -> Vec<u8> {
    Sha256::digest(canonical(r)).to_vec()
}

fn seal_of(key: &AuditKey, r: &AuditRecord) -> Vec<u8> {
    key.mac(&[&canonical(r)])
}

/// A row's seal as the Hub computes it: keyed, or (with no key) the legacy unkeyed SHA-256.
/// Public so tests can play a forger who recomputes seals without the Hub's key.
pub fn seal_record(key: Option<&AuditKey>, r: &AuditRecord) -> Vec<u8> {
    match key {
        Some(key) => seal_of(key, r),
        None => hash_of(r),
    }
}

const AUDIT_COLUMNS: &str = "seq, at, actor_user_id, actor, ip, user_agent, action, object_type,
                             object_id, details, prev_hash, hash";

fn no_key() -> StoreError {
    StoreError::Invalid(
        "the audit trail's key is not configured (it is derived from the master key)".into(),
    )
}

/// Appends `event` to the chain inside the caller's transaction, so the change it records and
/// its audit row commit or roll back together. Takes the chain's advisory lock until that
/// transaction ends.
pub async fn append(
    conn: &mut PgConnection,
    key: &AuditKey,
    event: &AuditEvent,
) -> StoreResult<i64> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(AUDIT_LOCK)
        .execute(&mut *conn)
        .await?;
    let last = sqlx::query_as::<_, (i64, Vec<u8>)>(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_vec()),
    };
    // Microsecond precision: what PostgreSQL stores, so the seal recomputes exactly.
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
    record.hash = seal_of(key, &record);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_user_id, actor, ip, user_agent, action, object_type,
                                object_id, details, prev_hash, hash, mac)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(record.seq)
    .bind(record.at)
    .bind(record.actor_user_id)
    .bind(&record.actor)
    .bind(&record.ip)
    .bind(&record.user_agent)
    .bind(&record.action)
    .bind(&record.object_type)
    .bind(&record.object_id)
    .bind(&record.details)
    .bind(&record.prev_hash)
    .bind(&record.hash)
    .bind(MAC_HMAC_SHA256)
    .execute(&mut *conn)
    .await?;
    Ok(seq)
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
    /// Appends an event to the chain in a transaction of its own and returns its number.
    pub async fn audit(&self, event: &AuditEvent) -> StoreResult<i64> {
        let key = self.audit_key().ok_or_else(no_key)?;
        let mut tx = self.pool().begin().await?;
        let seq = append(&mut tx, key, event).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// [`append`] with this handle's key, in the caller's transaction.
    pub async fn audit_in(&self, conn: &mut PgConnection, event: &AuditEvent) -> StoreResult<i64> {
        let key = self.audit_key().ok_or_else(no_key)?;
        append(conn, key, event).await
    }

    /// The current head of the chain, signed (none while the trail is empty).
    pub async fn audit_checkpoint(&self) -> StoreResult<Option<AuditCheckpoint>> {
        let key = self.audit_key().ok_or_else(no_key)?;
        let head = sqlx::query_as::<_, (i64, Vec<u8>)>(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        Ok(head.map(|(seq, hash)| AuditCheckpoint::signed(key, seq, &hash, Utc::now())))
    }

    /// Recomputes the whole chain in order and reports the first row that does not fit.
    pub async fn verify_audit_chain(&self) -> StoreResult<ChainStatus> {
        self.verify_audit_chain_against(None).await
    }

    /// [`Db::verify_audit_chain`], and then that the trail still reaches `checkpoint`'s head
    /// with the same seal (rows cut off the end are found here).
    pub async fn verify_audit_chain_against(
        &self,
        checkpoint: Option<&AuditCheckpoint>,
    ) -> StoreResult<ChainStatus> {
        use futures::TryStreamExt;
        let key = self.audit_key().ok_or_else(no_key)?;
        if let Some(cp) = checkpoint.filter(|cp| !cp.is_genuine(key)) {
            return Ok(ChainStatus::Broken {
                seq: cp.seq,
                reason: "the checkpoint's signature does not match: it was altered, or written \
                         with another key"
                    .into(),
                rows_checked: 0,
            });
        }
        let sql = format!("SELECT {AUDIT_COLUMNS}, mac FROM audit_log ORDER BY seq");
        let mut rows = sqlx::query_as::<_, SealedRow>(&sql).fetch(self.pool());
        let mut expected_seq = 1i64;
        let mut prev = GENESIS.to_vec();
        let mut checked = 0i64;
        let mut keyed_seen = false;
        let mut reached_checkpoint = false;
        while let Some(SealedRow { record: row, mac }) = rows.try_next().await? {
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
            let expected = match mac {
                MAC_HMAC_SHA256 => {
                    keyed_seen = true;
                    seal_of(key, &row)
                }
                MAC_LEGACY_SHA256 if !keyed_seen => hash_of(&row),
                MAC_LEGACY_SHA256 => {
                    return Ok(broken(
                        "it carries an unkeyed hash after keyed rows (it was forged)".into(),
                    ))
                }
                other => return Ok(broken(format!("it names an unknown seal ({other})"))),
            };
            if expected != row.hash {
                return Ok(broken(
                    "its content does not match its hash (the row was changed)".into(),
                ));
            }
            if let Some(cp) = checkpoint.filter(|cp| cp.seq == row.seq) {
                if cp.hash != hex::encode(&row.hash) {
                    return Ok(broken(
                        "it differs from the row the checkpoint recorded (the trail was rewritten)"
                            .into(),
                    ));
                }
                reached_checkpoint = true;
            }
            prev = row.hash;
            expected_seq += 1;
            checked += 1;
        }
        match checkpoint {
            Some(cp) if !reached_checkpoint => Ok(ChainStatus::Broken {
                seq: checked + 1,
                reason: format!(
                    "the trail ends at row {checked} but the checkpoint of {} recorded row {}: \
                     rows were cut off the end",
                    cp.taken_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    cp.seq
                ),
                rows_checked: checked,
            }),
            _ => Ok(ChainStatus::Intact { rows: checked }),
        }
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
