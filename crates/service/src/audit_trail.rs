//! The audit trail for compliance officers and admins: search it (newest first, filtered by
//! text, kind of action and IST dates, paged by sequence number) and recompute its hash chain.

use chrono::NaiveDate;
use pms_domain::admin::{AuditEntries, AuditEntry, AuditFilter, ChainCheck};
use pms_domain::identity::Capability;
use pms_store::audit::{AuditQuery, ChainStatus};
use serde_json::json;

use crate::audit::record;
use crate::{AppResult, Caller, Context};

/// Entries per page of the trail.
pub const PAGE_SIZE: i64 = 50;

/// One page of entries older than `before_seq` (the newest when `None`).
#[tracing::instrument(name = "audit.search", skip_all, fields(caller = %caller))]
pub async fn search(
    cx: &Context,
    caller: &Caller,
    filter: &AuditFilter,
    before_seq: Option<i64>,
) -> AppResult<AuditEntries> {
    caller.require(Capability::ViewAudit)?;
    let query = AuditQuery {
        text: filter.text.clone().filter(|t| !t.trim().is_empty()),
        action_prefix: filter.action.clone().filter(|a| !a.trim().is_empty()),
        actor_user_id: None,
        from: filter.from.and_then(ist_midnight_utc),
        to: filter
            .to
            .and_then(|d| d.succ_opt())
            .and_then(ist_midnight_utc),
        before_seq,
        limit: PAGE_SIZE + 1,
    };
    let mut rows = cx.db.audit_events(&query).await?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok(AuditEntries {
        entries: rows
            .into_iter()
            .map(|r| AuditEntry {
                seq: r.seq,
                at: r.at,
                actor: r.actor,
                ip: r.ip,
                action: r.action,
                object: match (r.object_type, r.object_id) {
                    (Some(t), Some(id)) => Some(format!("{t} {id}")),
                    (Some(t), None) => Some(t),
                    (None, Some(id)) => Some(id),
                    (None, None) => None,
                },
                details: r.details,
            })
            .collect(),
        has_more,
    })
}

/// Recomputes the hash chain from the first entry; the check itself is audited.
#[tracing::instrument(name = "audit.verify", skip_all, fields(caller = %caller))]
pub async fn verify(cx: &Context, caller: &Caller) -> AppResult<ChainCheck> {
    caller.require(Capability::ViewAudit)?;
    let status = cx.db.verify_audit_chain().await.map_err(crate::internal)?;
    let (check, details) = match status {
        ChainStatus::Intact { rows } => (
            ChainCheck::Intact { rows },
            json!({ "result": "intact", "rows": rows }),
        ),
        ChainStatus::Broken {
            seq,
            reason,
            rows_checked,
        } => (
            ChainCheck::Broken {
                seq,
                reason: reason.clone(),
            },
            json!({ "result": "broken", "seq": seq, "reason": reason, "rows_checked": rows_checked }),
        ),
    };
    record(cx, caller, "audit.verify", None, details).await?;
    Ok(check)
}

/// The start of a day in India Standard Time, as a UTC instant.
fn ist_midnight_utc(day: NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    pms_domain::time::IST
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}
