//! The drop folder: report files copied into `inbox/` are loaded automatically.
//!
//! ```text
//! <drop folder>/inbox/        put files here (CSV or Excel; Wealth Spectrum reports or Salesforce exports)
//!              /processing/   a file being loaded
//!              /done/         loaded
//!              /rejected/     not loaded, with <name>.errors.csv beside it saying why
//! ```
//!
//! A file counts as complete once its size and modification time are the same at two polls
//! in a row, so a file still being copied is left alone. A server claims a file by renaming it
//! into `processing/`: the rename is atomic, so when several servers watch one shared folder
//! exactly one of them gets each file (the others' rename finds nothing). Files whose names
//! start with `.` or `~$` (editor and Excel lock files) and partial downloads are ignored.
//! Jobs started here record the trigger `watch`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use pms_ingest::load::{self, LoadOutcome, LoadRequest, Trigger};
use pms_ingest::profile::Profile;
use pms_store::Db;

use crate::csv_export;

/// The folder layout under the drop folder.
#[derive(Clone, Debug)]
pub struct DropFolder {
    pub inbox: PathBuf,
    pub processing: PathBuf,
    pub done: PathBuf,
    pub rejected: PathBuf,
}

impl DropFolder {
    pub fn new(root: &Path) -> Self {
        Self {
            inbox: root.join("inbox"),
            processing: root.join("processing"),
            done: root.join("done"),
            rejected: root.join("rejected"),
        }
    }

    /// Creates the four folders (and the root) if missing.
    pub fn create(&self) -> std::io::Result<()> {
        for dir in [&self.inbox, &self.processing, &self.done, &self.rejected] {
            std::fs::create_dir_all(dir)?;
        }
        Ok(())
    }
}

/// The poll interval from `PMS_DROP_POLL_SECONDS` (default 5 seconds).
pub fn poll_interval(value: Option<&str>) -> Result<Duration, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Duration::from_secs(5)),
        Some(text) => match text.parse::<f64>() {
            Ok(s) if (0.1..=3600.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
            _ => Err(format!(
                "PMS_DROP_POLL_SECONDS={text:?} is not valid: write the seconds between looks at the drop folder, from 0.1 to 3600 (default 5)"
            )),
        },
    }
}

/// Watches the drop folder until the process ends.
pub fn spawn(db: Db, profile: Profile, root: PathBuf, every: Duration) -> std::io::Result<()> {
    let folder = DropFolder::new(&root);
    folder.create()?;
    tracing::info!(folder = %root.display(), seconds = every.as_secs_f64(), "watching the drop folder");
    tokio::spawn(async move {
        let mut seen: HashMap<PathBuf, (u64, SystemTime)> = HashMap::new();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let ready = match scan(&folder.inbox, &mut seen).await {
                Ok(ready) => ready,
                Err(e) => {
                    tracing::warn!(folder = %folder.inbox.display(), error = %e, "cannot read the drop folder");
                    continue;
                }
            };
            for path in ready {
                seen.remove(&path);
                process(&db, &profile, &folder, &path).await;
            }
        }
    });
    Ok(())
}

fn ignored(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || [".part", ".tmp", ".crdownload", ".partial", ".errors.csv"]
            .iter()
            .any(|s| lower.ends_with(s))
}

/// Files in the inbox that have not changed since the previous poll. `seen` remembers each
/// file's size and modification time; files that disappeared are forgotten.
async fn scan(
    inbox: &Path,
    seen: &mut HashMap<PathBuf, (u64, SystemTime)>,
) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = tokio::fs::read_dir(inbox).await?;
    let mut present = HashMap::new();
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name().to_string_lossy().into_owned();
        if ignored(&name) {
            continue;
        }
        let Ok(meta) = entry.metadata().await else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        present.insert(entry.path(), (meta.len(), modified));
    }
    let mut ready: Vec<PathBuf> = present
        .iter()
        .filter(|(path, state)| seen.get(*path) == Some(*state))
        .map(|(path, _)| path.clone())
        .collect();
    ready.sort();
    *seen = present;
    Ok(ready)
}

/// `dir/name`, or `dir/<stem>-<n>.<ext>` if that name is taken.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    for n in 1..10_000 {
        let candidate = dir.join(format!("{stem}-{stamp}-{n}{ext}"));
        if !candidate.exists() {
            return candidate;
        }
    }
    dir.join(format!("{stem}-{stamp}-{}{ext}", uuid::Uuid::new_v4()))
}

/// Claims, loads and files away one complete file.
async fn process(db: &Db, profile: &Profile, folder: &DropFolder, path: &Path) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let claimed = free_name(&folder.processing, &name);
    match tokio::fs::rename(path, &claimed).await {
        Ok(()) => {}
        // Another server took it first (or it was removed): nothing to do.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "cannot claim a dropped file");
            return;
        }
    }
    tracing::info!(file = %name, "loading a dropped file");
    let outcome = if load::is_accepted(&name) {
        let request = LoadRequest {
            path: claimed.clone(),
            display_name: Some(name.clone()),
            kind: None,
            trigger: Trigger::Watch,
            requested_by: None,
            profile: profile.clone(),
            digest: None,
        };
        load::load(db, request)
            .await
            .map_err(|e| format!("the load could not run: {e}"))
    } else {
        Err(format!(
            "{name} is not a file the Hub can load: drop CSV or Excel files (.{})",
            load::ACCEPTED_EXTENSIONS.join(", .")
        ))
    };
    match outcome {
        Ok(outcome @ LoadOutcome::Succeeded { .. }) => {
            let target = free_name(&folder.done, &name);
            if let Err(e) = tokio::fs::rename(&claimed, &target).await {
                tracing::warn!(file = %name, error = %e, "loaded, but cannot move the file to done/");
            }
            tracing::info!(file = %name, job = outcome.job_id(), "dropped file loaded");
        }
        Ok(outcome) => {
            let problems = csv_export::problems(db, &outcome).await;
            reject(folder, &claimed, &name, &problems).await;
            tracing::warn!(file = %name, job = outcome.job_id(), "dropped file rejected");
        }
        Err(message) => {
            tracing::warn!(file = %name, reason = %message, "dropped file not loaded");
            let problem = pms_domain::ingest::IngestErrorView {
                seq: 1,
                line: None,
                column: None,
                value: None,
                reason: message,
            };
            reject(folder, &claimed, &name, &[problem]).await;
        }
    }
}

/// Moves a file to `rejected/` and writes `<name>.errors.csv` beside it.
async fn reject(
    folder: &DropFolder,
    claimed: &Path,
    name: &str,
    problems: &[pms_domain::ingest::IngestErrorView],
) {
    let target = free_name(&folder.rejected, name);
    if let Err(e) = tokio::fs::rename(claimed, &target).await {
        tracing::warn!(file = %name, error = %e, "cannot move the file to rejected/");
    }
    let target_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_owned());
    // Written aside and renamed into place, so whoever watches rejected/ never reads half a file.
    let errors = folder.rejected.join(format!("{target_name}.errors.csv"));
    let partial = folder
        .rejected
        .join(format!(".{target_name}.errors.csv.part"));
    let written = match tokio::fs::write(&partial, csv_export::errors_csv(problems)).await {
        Ok(()) => tokio::fs::rename(&partial, &errors).await,
        Err(e) => Err(e),
    };
    if let Err(e) = written {
        tracing::warn!(file = %errors.display(), error = %e, "cannot write the errors CSV");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_files_and_partial_copies_are_ignored() {
        assert!(ignored(".~lock.holdings.csv#"));
        assert!(ignored("~$clients.xlsx"));
        assert!(ignored("transactions.csv.part"));
        assert!(ignored("x.csv.errors.csv"));
        assert!(!ignored("transactions.csv"));
    }

    #[test]
    fn poll_interval_defaults_to_five_seconds() {
        assert_eq!(poll_interval(None), Ok(Duration::from_secs(5)));
        assert_eq!(poll_interval(Some("0.5")), Ok(Duration::from_millis(500)));
        assert!(poll_interval(Some("0")).is_err());
        assert!(poll_interval(Some("soon")).is_err());
    }

    #[test]
    fn taken_names_get_a_suffix() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(free_name(dir.path(), "a.csv"), dir.path().join("a.csv"));
        std::fs::write(dir.path().join("a.csv"), "x").expect("write");
        let other = free_name(dir.path(), "a.csv");
        assert_ne!(other, dir.path().join("a.csv"));
        assert!(other.to_string_lossy().ends_with("-1.csv"));
    }
}
