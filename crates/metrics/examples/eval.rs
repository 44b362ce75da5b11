//! `cargo run -p pms-metrics --example eval -- CASES.json` prints the document with every
//! `expected` recomputed by [`pms_metrics::evaluate`] (what `pms-hub metrics eval` does).

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: eval CASES.json");
        return ExitCode::from(2);
    };
    let result = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {path}: {e}"))
        .and_then(|text| {
            serde_json::from_str(&text).map_err(|e| format!("{path} is not JSON: {e}"))
        })
        .and_then(|doc| pms_metrics::evaluate(&doc).map_err(|e| e.to_string()))
        .and_then(|out| serde_json::to_string(&out).map_err(|e| e.to_string()));
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
