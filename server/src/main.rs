//! `pms-hub`: the PMS Intelligence Hub's server and command-line tool.
//!
//! `serve` runs the web application; the other subcommands (`migrate`, `ingest`, `demo-data`,
//! `user add`, `audit verify`, `metrics eval`, …) are the same code paths for operators and
//! scripts. See `cli.rs` for the list.

use clap::Parser;
use pms_server::{cli, commands, telemetry};

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    telemetry::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
