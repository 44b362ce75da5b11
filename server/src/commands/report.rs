//! `pms-hub report statements`: client statements for a period written into a folder, through
//! the same use case as the client page and the REST API (audited, as the console operator).
//! Statements are made one per core at a time. It doubles as the statements benchmark: it
//! prints the time per statement and the peak memory of the process.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use pms_service::Caller;
use pms_store::Db;

use crate::cli::StatementArgs;
use crate::config::Config;

pub async fn statements(db: Db, config: Config, args: StatementArgs) -> anyhow::Result<()> {
    let clients = if args.clients.is_empty() {
        db.clients_with_portfolios(args.rm, args.limit.unwrap_or(i64::MAX))
            .await?
    } else {
        args.clients.clone()
    };
    anyhow::ensure!(!clients.is_empty(), "no client to write a statement for");
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let cx = crate::startup::context(&config, db)?;
    let caller = Caller::console("report statements");
    let bar = progress_bar(&args, clients.len());
    let started = Instant::now();
    // One statement per core at a time: the store reads of one overlap the layout of another.
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    let (cx, caller, args_ref, bar_ref) = (&cx, &caller, &args, &bar);
    let outcomes: Vec<(Duration, Result<(), String>)> = stream::iter(clients.iter().copied())
        .map(|id| async move {
            let one = Instant::now();
            let written = match pms_service::reports::client_statement(
                cx,
                caller,
                id,
                args_ref.from,
                args_ref.to,
            )
            .await
            {
                Ok(pdf) => std::fs::write(args_ref.out.join(&pdf.file_name), &pdf.bytes)
                    .map_err(|e| format!("client {id}: writing {}: {e}", pdf.file_name)),
                Err(e) => Err(format!("client {id}: {}", e.message())),
            };
            bar_ref.inc(1);
            (one.elapsed(), written)
        })
        .buffer_unordered(workers)
        .collect()
        .await;
    let slowest = outcomes.iter().map(|(t, _)| *t).max().unwrap_or_default();
    let failed: Vec<String> = outcomes
        .into_iter()
        .filter_map(|(_, outcome)| outcome.err())
        .collect();
    bar.finish_and_clear();
    let total = started.elapsed();
    let written = clients.len() - failed.len();
    println!(
        "{written} statements in {:.1} s ({:.0} ms each on average, {workers} at a time; slowest {:.0} ms) into {}; peak memory {}",
        total.as_secs_f64(),
        total.as_secs_f64() * 1000.0 / clients.len() as f64,
        slowest.as_secs_f64() * 1000.0,
        args.out.display(),
        peak_memory().unwrap_or_else(|| "unknown".into())
    );
    for failure in &failed {
        eprintln!("not written: {failure}");
    }
    anyhow::ensure!(
        failed.is_empty(),
        "{} statements could not be written",
        failed.len()
    );
    Ok(())
}

fn progress_bar(args: &StatementArgs, clients: usize) -> ProgressBar {
    if args.quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(clients as u64);
    bar.set_style(
        ProgressStyle::with_template("statements {bar:40} {pos}/{len}  {per_sec}  {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The process's peak resident memory (`VmHWM`), where the system reports it.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.0} MiB", kib / 1024.0))
}
