//! Times [`pms_metrics::xirr`] on cash-flow files, for `bench/compare_pyxirr.sh`.
//!
//! `xirr_timing REPEATS FILE.csv…` — each file holds `YYYY-MM-DD,amount` lines. For each file it
//! times `REPEATS` calls one by one and prints one JSON object per line:
//! `{"file": …, "flows": n, "median_ns": …, "min_ns": …, "xirr": …}`. Every call parses nothing:
//! like pyxirr's timing (which converts Python objects on every call), each call starts from
//! the caller's own records (`&[CashFlow]`) and includes sorting, merging and solving.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use pms_metrics::{xirr, CashFlow};

fn read_flows(path: &str) -> Result<Vec<CashFlow>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (date, amount) = line
                .split_once(',')
                .ok_or_else(|| format!("{path}: bad line `{line}`"))?;
            let date: NaiveDate = date.trim().parse().map_err(|e| format!("{path}: {e}"))?;
            let amount: f64 = amount.trim().parse().map_err(|e| format!("{path}: {e}"))?;
            Ok(CashFlow::new(date, amount))
        })
        .collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((repeats, files)) = args.split_first() else {
        eprintln!("usage: xirr_timing REPEATS FILE.csv…");
        return ExitCode::from(2);
    };
    let Ok(repeats) = repeats.parse::<usize>() else {
        eprintln!("REPEATS must be a number");
        return ExitCode::from(2);
    };
    for path in files {
        let flows = match read_flows(path) {
            Ok(flows) => flows,
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::FAILURE;
            }
        };
        // Warm up caches and the branch predictor as timeit's first loops do.
        for _ in 0..repeats.min(100) {
            let _ = black_box(xirr(black_box(&flows)));
        }
        let mut times = Vec::with_capacity(repeats);
        let mut rate = None;
        for _ in 0..repeats.max(1) {
            let start = Instant::now();
            let result = black_box(xirr(black_box(&flows)));
            times.push(start.elapsed().as_nanos());
            rate = result.ok();
        }
        times.sort_unstable();
        let median = times[times.len() / 2];
        let min = times[0];
        let rate = rate.map_or("null".to_owned(), |r| format!("{r:.17e}"));
        println!(
            "{{\"file\": \"{path}\", \"flows\": {}, \"median_ns\": {median}, \"min_ns\": {min}, \"xirr\": {rate}}}",
            flows.len()
        );
    }
    ExitCode::SUCCESS
}
