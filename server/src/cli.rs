//! The command line: one binary for serving, operating and scripting the Hub.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "pms-hub",
    version,
    about = "PMS Intelligence Hub: server and operator tool"
)]
pub struct Cli {
    /// Log format: human-readable lines or JSON objects (one per line).
    #[arg(long, global = true, env = "PMS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application (migrates the database first). Without DATABASE_URL, starts a
    /// private PostgreSQL cluster in the data folder and loads demo data on first start.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage the private PostgreSQL cluster used when no DATABASE_URL is given.
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Load report files or pull from Salesforce / the Wealth Spectrum API.
    Ingest(IngestArgs),
    /// Generate the demo data set in the source formats and load it through the real pipeline.
    DemoData(DemoArgs),
    /// Create users (e.g. the first admin) from the command line.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Metric library tools.
    Metrics {
        #[command(subcommand)]
        action: MetricsAction,
    },
    /// Reports: client statements as PDFs.
    Report {
        #[command(subcommand)]
        action: ReportAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// Write client statements for a period into a folder, one PDF per client, with a
    /// progress bar; prints the time per statement and the peak memory. Each is audited.
    Statements(StatementArgs),
}

#[derive(Debug, Args)]
pub struct StatementArgs {
    /// A client by id (repeat for several); without it, every client with a portfolio.
    #[arg(long = "client")]
    pub clients: Vec<i32>,
    /// Only the clients of this relationship manager (by RM id).
    #[arg(long)]
    pub rm: Option<i32>,
    /// At most this many clients (lowest ids first).
    #[arg(long)]
    pub limit: Option<i64>,
    /// First day of the period (YYYY-MM-DD; with --to). Without both: the last quarter that
    /// had ended by the latest valuation.
    #[arg(long)]
    pub from: Option<chrono::NaiveDate>,
    /// Last day of the period (YYYY-MM-DD; with --from).
    #[arg(long)]
    pub to: Option<chrono::NaiveDate>,
    /// The folder to write the PDFs into (created if missing).
    #[arg(long, default_value = "statements")]
    pub out: PathBuf,
    /// No progress bar (for scripts and logs).
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum DbAction {
    /// Start (or reuse) the private cluster and print its DATABASE_URL.
    Start,
    /// Stop the private cluster.
    Stop,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files to load, in order (CSV or XLSX; Wealth Spectrum reports or Salesforce exports).
    pub files: Vec<PathBuf>,
    /// The Wealth Spectrum report, when it cannot be told from the file name or headers.
    #[arg(long)]
    pub report: Option<String>,
    /// A column-mapping profile (TOML) instead of the shipped default.
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Treat the files as Salesforce exports (Data Loader or report CSV).
    #[arg(long)]
    pub salesforce: bool,
    /// Pull changes from Salesforce through its REST API (PMS_SF_* settings).
    #[arg(long)]
    pub salesforce_sync: bool,
    /// Pull reports from the Wealth Spectrum API (PMS_WS_API_URL, PMS_WS_API_KEY).
    #[arg(long)]
    pub wealth_spectrum_sync: bool,
    /// No progress bar (for logs and scripts).
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// small = 500 clients, medium = 10,000, large = 100,000 clients and 10 million transactions.
    #[arg(long, default_value = "small")]
    pub size: String,
    /// Same seed, same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where to write the files (default: a folder in the data directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only write the files; do not load them.
    #[arg(long)]
    pub no_load: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a user and print a one-time link to choose a password.
    Add {
        email: String,
        #[arg(long)]
        name: String,
        /// rm, pm, compliance, admin or data_steward
        #[arg(long)]
        role: String,
        /// For a relationship manager: the RM id they are (their clients are what they see).
        #[arg(long)]
        rm_id: Option<i32>,
        /// For a portfolio manager: a strategy id they manage (repeat for several).
        #[arg(long = "strategy")]
        strategies: Vec<i32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Recompute the keyed chain and report the first row that does not fit; then check the
    /// trail still reaches the signed checkpoint (default: the one the server keeps in
    /// `$PMS_DATA_DIR/audit-checkpoint.json`, if there is one).
    Verify {
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
    },
    /// Write a signed checkpoint of the trail's head (to keep outside the database).
    Checkpoint {
        /// Where to write it (default: print it).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MetricsAction {
    /// Read a file in the format of golden/metrics.json and print it with every case's
    /// `expected` replaced by what the library computes (`null` where undefined).
    Eval {
        /// The JSON file to evaluate (`-` for standard input).
        file: PathBuf,
    },
}
