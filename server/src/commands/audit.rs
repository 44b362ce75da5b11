//! `pms-hub audit verify` and `audit checkpoint`: recompute the audit trail's keyed chain, and
//! keep signed checkpoints of its head outside the database so truncation is found too.

use std::path::{Path, PathBuf};

use anyhow::Context;
use pms_store::audit::{AuditCheckpoint, ChainStatus};
use pms_store::Db;

use crate::config::Config;

/// Where the server keeps the latest checkpoint.
pub fn default_checkpoint(config: &Config) -> PathBuf {
    config.data_dir.join("audit-checkpoint.json")
}

pub async fn verify(db: Db, checkpoint: Option<PathBuf>) -> anyhow::Result<()> {
    let checkpoint = checkpoint.as_deref().map(read_checkpoint).transpose()?;
    match db.verify_audit_chain_against(checkpoint.as_ref()).await? {
        ChainStatus::Intact { rows } => {
            let reach = checkpoint
                .map(|cp| format!("; it reaches the checkpoint of row {}", cp.seq))
                .unwrap_or_default();
            println!("audit trail intact: {rows} rows, every seal and link recomputed{reach}");
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

pub async fn checkpoint(db: Db, out: Option<PathBuf>) -> anyhow::Result<()> {
    let Some(cp) = db.audit_checkpoint().await? else {
        println!("the audit trail is empty: nothing to checkpoint");
        return Ok(());
    };
    match out {
        Some(path) => {
            write_checkpoint(&path, &cp)?;
            println!("checkpoint of row {} written to {}", cp.seq, path.display());
        }
        None => println!("{}", serde_json::to_string_pretty(&cp)?),
    }
    Ok(())
}

/// Writes the current head to `path` (atomically: a reader never sees half a file).
pub async fn refresh_checkpoint(db: &Db, path: &Path) -> anyhow::Result<()> {
    if let Some(cp) = db.audit_checkpoint().await? {
        write_checkpoint(path, &cp)?;
    }
    Ok(())
}

fn write_checkpoint(path: &Path, cp: &AuditCheckpoint) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&tmp, serde_json::to_vec_pretty(cp)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn read_checkpoint(path: &Path) -> anyhow::Result<AuditCheckpoint> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the checkpoint {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not an audit checkpoint", path.display()))
}
