//! Writing the audit trail from a use case: an event that changes nothing in a transaction of
//! its own, a change's event inside the transaction that makes the change.

use sqlx::{PgConnection, Postgres, Transaction};

use crate::{AppResult, Caller, Context};

/// Records an event that changes nothing (a view, an export, a refusal) in a transaction of
/// its own. Failing to record fails the use case: the trail must be whole.
pub async fn record(
    cx: &Context,
    caller: &Caller,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> AppResult<()> {
    cx.db.audit(&caller.event(action, object, details)).await?;
    Ok(())
}

/// Records a change inside the transaction that makes it: the change and its audit row
/// commit together or not at all.
pub async fn record_in(
    cx: &Context,
    tx: &mut PgConnection,
    caller: &Caller,
    action: &str,
    object: Option<(&str, String)>,
    details: serde_json::Value,
) -> AppResult<()> {
    cx.db
        .audit_in(tx, &caller.event(action, object, details))
        .await?;
    Ok(())
}

/// A transaction for a use case's change and its audit row ([`record_in`]).
pub async fn begin(cx: &Context) -> AppResult<Transaction<'static, Postgres>> {
    Ok(cx.db.begin().await?)
}

/// Commits a use case's transaction.
pub async fn commit(tx: Transaction<'static, Postgres>) -> AppResult<()> {
    tx.commit().await.map_err(crate::internal)
}
