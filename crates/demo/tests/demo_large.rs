//! The `large` demo data set (100,000 clients, 150,000 portfolios, ~10 million transactions):
//! generated once on demand, timed, measured and deleted. Ignored by default because it writes
//! about 1.5 GB; run it with
//!
//! ```text
//! cargo test --release -p pms-demo --test demo_large -- --ignored --nocapture
//! ```
//!
//! `PMS_DEMO_LARGE_DIR` chooses where it goes (default: the system temp directory).

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use pms_demo::{generate_with_progress, DemoManifest, DemoOptions, DemoSize};

#[test]
#[ignore = "writes ~1.5 GB; run explicitly"]
fn large_generates_in_minutes_with_the_promised_counts() {
    let dir = std::env::var_os("PMS_DEMO_LARGE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join("pms-demo-large");
    let _ = std::fs::remove_dir_all(&dir);
    let options = DemoOptions {
        size: DemoSize::Large,
        seed: 42,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
    };
    let started = Instant::now();
    let mut last_stage = None;
    let manifest = generate_with_progress(&dir, &options, &mut |p| {
        if last_stage != Some(p.stage) {
            println!("{:>8.1?}  {:?}", started.elapsed(), p.stage);
            last_stage = Some(p.stage);
        }
    })
    .expect("large demo data");
    let elapsed = started.elapsed();
    println!("large generated in {elapsed:.1?}");
    let mut total = 0;
    for f in &manifest.files {
        let bytes = std::fs::metadata(DemoManifest::path_of(&dir, f))
            .expect("file")
            .len();
        assert_eq!(bytes, f.bytes);
        total += bytes;
        println!(
            "{:40} {:>11} rows {:>9.1} MB",
            f.path,
            f.rows,
            bytes as f64 / 1e6
        );
    }
    println!(
        "{:40} {:>11}      {:>9.1} MB",
        "total",
        "",
        total as f64 / 1e6
    );
    let _ = std::fs::remove_dir_all(&dir);

    let s = &manifest.summary;
    assert_eq!(
        (s.clients, s.portfolios, s.valued_portfolios),
        (100_000, 150_000, 10_000)
    );
    assert!(
        (9_500_000..=10_500_000).contains(&s.transactions),
        "{} transactions",
        s.transactions
    );
    assert_eq!(
        manifest.holdings_dates.len(),
        1,
        "large keeps only the latest month-end"
    );
    if !cfg!(debug_assertions) {
        assert!(elapsed.as_secs() < 300, "large took {elapsed:?}");
    }
}
