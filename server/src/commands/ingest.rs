//! `pms-hub ingest`: loads report files (Wealth Spectrum CSV/XLSX, Salesforce exports) or pulls
//! from Salesforce / the Wealth Spectrum API, with a progress bar, one ingest job per load.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use pms_ingest::load::salesforce::{self, SfLoadRequest};
use pms_ingest::load::{load, today_ist, FileKind, LoadOutcome, LoadRequest, Trigger};
use pms_ingest::report::ReportKind;
use pms_ingest::source::salesforce::SalesforceConfig;
use pms_ingest::source::wealth_spectrum::api::WsApiConfig;
use pms_store::Db;

use crate::cli::IngestArgs;
use crate::config::Config;

pub async fn run(db: Db, config: Config, args: IngestArgs) -> anyhow::Result<()> {
    let profile = match &args.profile {
        Some(path) => pms_ingest::profile::Profile::from_toml(&std::fs::read_to_string(path)?)?,
        None => crate::startup::profile(&config)?,
    };
    let report = match &args.report {
        Some(code) => Some(ReportKind::from_code(code).ok_or_else(|| {
            anyhow::anyhow!("unknown report {code:?}: use client_master, security_master, holdings, transactions, valuations, benchmark_levels or security_prices")
        })?),
        None => None,
    };
    let mut outcomes = Vec::new();
    let request = SfLoadRequest {
        trigger: Trigger::Cli,
        requested_by: None,
    };
    if args.salesforce_sync {
        let sf = SalesforceConfig::from_env()?.ok_or_else(|| {
            anyhow::anyhow!(
                "Salesforce is not configured: set PMS_SF_CLIENT_ID and its sign-in settings"
            )
        })?;
        outcomes.push(salesforce::sync(db.bulk_pool(), sf, &request).await?);
    }
    if args.wealth_spectrum_sync {
        let ws = WsApiConfig::from_env()?.ok_or_else(|| {
            anyhow::anyhow!(
                "the Wealth Spectrum API is not configured: set PMS_WS_API_URL and PMS_WS_API_KEY"
            )
        })?;
        outcomes.extend(
            pms_ingest::load::wealth_spectrum_api::sync(
                db.bulk_pool(),
                &ws,
                &profile,
                None,
                Trigger::Cli,
                None,
                today_ist(),
            )
            .await?,
        );
    }
    // What the options say the files are; without any, each file is recognised.
    let forced = if args.salesforce {
        Some(FileKind::Salesforce)
    } else {
        report.map(|r| FileKind::WealthSpectrum(Some(r)))
    };
    for file in &args.files {
        let progress = progress_bar(&args, file);
        let watcher = watch_progress(db.clone(), progress.clone());
        let request = LoadRequest {
            path: file.clone(),
            display_name: None,
            kind: forced,
            trigger: Trigger::Cli,
            requested_by: None,
            profile: profile.clone(),
            digest: None,
        };
        let outcome = load(&db, request).await?;
        watcher.abort();
        progress.finish_and_clear();
        outcomes.push(outcome);
    }
    let mut failed = 0;
    for outcome in &outcomes {
        match outcome {
            LoadOutcome::Succeeded { job_id, report, rows, counts, seconds, .. } => println!(
                "job {job_id} {report}: {rows} rows in {seconds:.1}s ({:.0} rows/s): {} new, {} changed, {} unchanged",
                *rows as f64 / seconds.max(1e-9),
                counts.inserted,
                counts.updated,
                counts.unchanged
            ),
            LoadOutcome::Rejected { job_id, error_count, first_errors, .. } => {
                failed += 1;
                println!("job {job_id} REJECTED: {error_count} problems, nothing loaded; the first ones:");
                for e in first_errors.iter().take(10) {
                    println!("  {e}");
                }
            }
            LoadOutcome::Failed { job_id, message } => {
                failed += 1;
                println!("job {job_id} FAILED: {message}");
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} load(s) did not succeed");
    }
    Ok(())
}

fn progress_bar(args: &IngestArgs, file: &std::path::Path) -> ProgressBar {
    if args.quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos:>12} rows  {per_sec:>14}  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(file.display().to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Follows the newest running job's progress (the loader records it every second).
fn watch_progress(db: Db, bar: ProgressBar) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let row: Option<(i64, Option<String>)> =
                sqlx::query_as("SELECT rows_read, phase FROM ingest_job WHERE status = 'running' ORDER BY job_id DESC LIMIT 1")
                    .fetch_optional(db.pool())
                    .await
                    .ok()
                    .flatten();
            if let Some((rows, phase)) = row {
                bar.set_position(rows.max(0) as u64);
                if let Some(phase) = phase {
                    bar.set_prefix(phase);
                }
            }
        }
    })
}
