//! `pms-hub audit verify`: recomputes the audit trail's hash chain.

use pms_store::audit::ChainStatus;
use pms_store::Db;

pub async fn verify(db: Db) -> anyhow::Result<()> {
    match db.verify_audit_chain().await? {
        ChainStatus::Intact { rows } => {
            println!("audit trail intact: {rows} rows, every hash and link recomputed");
            Ok(())
        }
        ChainStatus::Broken {
            seq,
            reason,
            rows_checked,
        } => {
            println!("audit trail BROKEN at row {seq}: {reason} ({rows_checked} rows before it are intact)");
            anyhow::bail!("the audit trail has been tampered with at row {seq}")
        }
    }
}
