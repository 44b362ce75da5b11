//! The Hub's demo data: a realistic, deterministic data set written in the sources' own
//! formats — Salesforce Data Loader CSVs and Wealth Spectrum reports (XLSX masters, CSV facts) —
//! so that a demo loads through exactly the path real data takes (`pms-ingest`, run by the
//! server's `demo-data` command).
//!
//! Pure: no database, no network, no clock. Every date is relative to [`DemoOptions::as_of`]
//! (five years of history end on it) and every random number comes from ChaCha8 streams
//! derived from [`DemoOptions::seed`]; the same size, seed and date give byte-identical files.
//! Rows are streamed to buffered writers and the XLSX masters use rust_xlsxwriter's
//! constant-memory mode (rows go to disk as written, strings inline), so `large` (10 million
//! transactions, 1.4 GB of files) peaks at about 90 MB and takes well under a minute.
//!
//! | module | job |
//! | --- | --- |
//! | `calendar` | Indian business days |
//! | `names`, `geography` | Indian names by tradition, cities, states, desks |
//! | `identifiers` | ISIN check digits, PANs, Salesforce Ids |
//! | `strategies`, `securities` | strategies, investment approaches, benchmarks; the security universe |
//! | `market` | daily prices, benchmark levels, dividends and coupons |
//! | `book` | RMs and teams, clients, portfolios, demo sign-ins |
//! | `trading` | each portfolio's transactions, valuations and holdings |
//! | `masters`, `crm` | the master reports; the Salesforce objects |
//! | `writers` | CSV and XLSX output |
//!
//! `manifest.json` lists the files in load order with their row counts, a summary, and the
//! people the app can create demo sign-ins for. Holdings are month-end snapshots of the last
//! twelve months for `small` and `medium`, and of the latest month-end only for `large` (twelve
//! snapshots of 150,000 portfolios would add some 30 million rows that no demo needs).

mod book;
mod calendar;
mod crm;
mod geography;
mod identifiers;
mod market;
mod masters;
mod names;
mod random;
mod securities;
mod strategies;
mod trading;
mod writers;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use pms_domain::identity::Role;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use identifiers::{is_valid_isin, is_valid_pan, isin_check_digit, salesforce_suffix};

/// The manifest's file name inside the output directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// How big a data set to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoSize {
    /// 500 clients, 750 portfolios, all with daily valuations. About a second.
    Small,
    /// 10,000 clients, 15,000 portfolios, 2,000 with daily valuations.
    Medium,
    /// 100,000 clients, 150,000 portfolios, ~10 million transactions, 10,000 portfolios with
    /// daily valuations: the data set the performance budgets are measured on.
    Large,
}

impl DemoSize {
    pub const ALL: [DemoSize; 3] = [DemoSize::Small, DemoSize::Medium, DemoSize::Large];

    pub fn name(self) -> &'static str {
        match self {
            DemoSize::Small => "small",
            DemoSize::Medium => "medium",
            DemoSize::Large => "large",
        }
    }
}

impl fmt::Display for DemoSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DemoSize {
    type Err = DemoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DemoSize::ALL
            .into_iter()
            .find(|size| size.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                DemoError::InvalidOptions(format!(
                    "unknown demo size {s:?} (small, medium or large)"
                ))
            })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoOptions {
    pub size: DemoSize,
    pub seed: u64,
    /// The last day of the history (usually yesterday); a weekend or holiday falls back to the
    /// business day before.
    pub as_of: NaiveDate,
}

/// Which system a file imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoSource {
    Salesforce,
    WealthSpectrum,
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoFile {
    /// Relative to the output directory, `/`-separated (`wealth_spectrum/transactions.csv`).
    pub path: String,
    pub source: DemoSource,
    /// The Salesforce object (`User`, `Account` …) or the Wealth Spectrum report
    /// (`client_master`, `transactions` …).
    pub report: String,
    /// `csv` or `xlsx`.
    pub format: String,
    /// Data rows, the header not counted.
    pub rows: u64,
    pub bytes: u64,
}

/// Counts of what the data set holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoSummary {
    pub teams: u64,
    pub relationship_managers: u64,
    pub inactive_users: u64,
    pub clients: u64,
    pub closed_clients: u64,
    pub portfolios: u64,
    pub closed_portfolios: u64,
    pub valued_portfolios: u64,
    pub strategies: u64,
    pub investment_approaches: u64,
    pub benchmarks: u64,
    pub securities: u64,
    pub business_days: u64,
    pub transactions: u64,
    pub valuations: u64,
    pub holdings: u64,
    pub security_prices: u64,
    pub benchmark_levels: u64,
    pub contacts: u64,
    pub tasks: u64,
    pub events: u64,
    /// Sum of the open portfolios' values on the last business day, rupees.
    pub aum: Decimal,
}

/// Someone the app can create a demo sign-in for. RMs are Salesforce Users (link the sign-in
/// to the RM through `sf_user_id`); the others are not in Salesforce.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLogin {
    pub role: Role,
    pub display_name: String,
    pub email: String,
    pub sf_user_id: Option<String>,
    pub employee_number: Option<String>,
    /// The RM's team (Salesforce `User.Department`).
    pub team: Option<String>,
    /// Whether this RM leads `team` (and so sees the whole team's clients).
    pub leads_team: bool,
    /// Strategy codes (client master `STRATEGY_CODE`) a portfolio manager runs.
    pub strategy_codes: Vec<String>,
    /// Clients the RM owns (0 for other roles).
    pub clients: u64,
    /// What this sign-in is good for in a demo.
    pub note: String,
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoManifest {
    pub generator: String,
    pub size: DemoSize,
    pub seed: u64,
    pub as_of: NaiveDate,
    /// First and last business day of the history.
    pub history_start: NaiveDate,
    pub history_end: NaiveDate,
    /// Dates of the holdings snapshots.
    pub holdings_dates: Vec<NaiveDate>,
    /// In load order: Salesforce User, Account, Contact, Task, Event; then Wealth Spectrum
    /// security_master, client_master, benchmark_levels, security_prices, transactions,
    /// holdings, valuations.
    pub files: Vec<DemoFile>,
    pub summary: DemoSummary,
    pub demo_logins: Vec<DemoLogin>,
    /// Conventions a loader or an auditor needs to read the files right.
    pub conventions: Vec<String>,
}

impl DemoManifest {
    /// Reads `manifest.json` from a generated directory.
    pub fn read(dir: &Path) -> Result<Self, DemoError> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(writers::io_error(&path))?;
        serde_json::from_str(&text).map_err(|e| DemoError::Manifest(e.to_string()))
    }

    /// The absolute path of `file` under `dir`.
    pub fn path_of(dir: &Path, file: &DemoFile) -> PathBuf {
        file.path
            .split('/')
            .fold(dir.to_path_buf(), |p, part| p.join(part))
    }
}

/// A stage of the generation, for progress reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoStage {
    Market,
    Book,
    Trading,
    ClientMaster,
    Salesforce,
    Manifest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoProgress {
    pub stage: DemoStage,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {message}", path.display())]
    Xlsx { path: PathBuf, message: String },
    #[error("manifest: {0}")]
    Manifest(String),
    #[error("invalid demo options: {0}")]
    InvalidOptions(String),
}

/// Writes the data set into `dir` (created if missing; existing files are replaced).
pub fn generate(dir: &Path, options: &DemoOptions) -> Result<DemoManifest, DemoError> {
    generate_with_progress(dir, options, &mut |_| {})
}

/// [`generate`], reporting progress to `progress` (and as `tracing` events).
pub fn generate_with_progress(
    dir: &Path,
    options: &DemoOptions,
    progress: &mut dyn FnMut(&DemoProgress),
) -> Result<DemoManifest, DemoError> {
    let DemoOptions { size, seed, as_of } = *options;
    if !(2000..=2200).contains(&as_of.year()) {
        return Err(DemoError::InvalidOptions(format!(
            "as_of {as_of} is out of range"
        )));
    }
    let start = as_of
        .checked_sub_months(Months::new(60))
        .ok_or_else(|| DemoError::InvalidOptions(format!("as_of {as_of} is out of range")))?;
    let cal = calendar::Calendar::new(start, as_of);
    let spec = book::spec(size);
    let sf_dir = dir.join("salesforce");
    let ws_dir = dir.join("wealth_spectrum");
    for d in [&sf_dir, &ws_dir] {
        std::fs::create_dir_all(d).map_err(writers::io_error(d))?;
    }
    let mut report = |stage, done, total| {
        tracing::debug!(?stage, done, total, "demo data");
        progress(&DemoProgress { stage, done, total });
    };

    // Market.
    report(DemoStage::Market, 0, 1);
    tracing::info!(%size, seed, %as_of, "generating demo data");
    let universe = securities::universe(&mut random::stream(seed, random::Purpose::Securities, 0));
    let market = market::simulate(
        &mut random::stream(seed, random::Purpose::Market, 0),
        &cal,
        universe,
    );
    let security_master =
        masters::write_security_master(&ws_dir.join("security_master.xlsx"), &market, as_of)?;
    let benchmark_levels =
        masters::write_benchmark_levels(&ws_dir.join("benchmark_levels.csv"), &market, &cal)?;
    let security_prices =
        masters::write_security_prices(&ws_dir.join("security_prices.csv"), &market, &cal)?;
    report(DemoStage::Market, 1, 1);

    // Book.
    report(DemoStage::Book, 0, 1);
    let book = book::build(seed, &spec, &cal);
    report(DemoStage::Book, 1, 1);

    // Trading.
    let models = trading::ia_models(seed, &market);
    let snapshot_days = cal.last_month_ends(spec.snapshot_months);
    let mut snapshot = vec![false; cal.len()];
    for d in &snapshot_days {
        snapshot[*d] = true;
    }
    let ctx = trading::Context {
        seed,
        calendar: &cal,
        market: &market,
        models: &models,
        snapshot,
        last_month_end: snapshot_days.last().copied(),
    };
    let mut sinks = trading::Sinks {
        transactions: writers::CsvSink::create(
            &ws_dir.join("transactions.csv"),
            trading::TRANSACTION_HEADER,
        )?,
        valuations: writers::CsvSink::create(
            &ws_dir.join("valuations.csv"),
            trading::VALUATION_HEADER,
        )?,
        holdings: writers::CsvSink::create(&ws_dir.join("holdings.csv"), trading::HOLDING_HEADER)?,
        next_tran_id: 1,
    };
    let total = book.portfolios.len() as u64;
    let mut outcomes = Vec::with_capacity(book.portfolios.len());
    for (i, p) in book.portfolios.iter().enumerate() {
        outcomes.push(trading::run(&ctx, i, p, &mut sinks)?);
        if i % 5_000 == 0 {
            report(DemoStage::Trading, i as u64, total);
        }
    }
    let transactions = sinks.transactions.finish()?;
    let valuations = sinks.valuations.finish()?;
    let holdings = sinks.holdings.finish()?;
    report(DemoStage::Trading, total, total);
    tracing::info!(transactions, valuations, holdings, "demo trading done");

    report(DemoStage::ClientMaster, 0, 1);
    let client_master = masters::write_client_master(
        &ws_dir.join("client_master.xlsx"),
        &book,
        &cal,
        &outcomes,
        as_of,
    )?;
    report(DemoStage::ClientMaster, 1, 1);

    // Salesforce: AUM as of the latest month-end, as the monthly sync would have written it.
    report(DemoStage::Salesforce, 0, 1);
    let mut client_aum = vec![0i64; book.clients.len()];
    for (p, o) in book.portfolios.iter().zip(&outcomes) {
        if book.clients[p.client].closure.is_none() {
            client_aum[p.client] += o.month_end_value;
        }
    }
    let users = crm::write_users(&sf_dir.join("User.csv"), &book, seed, as_of)?;
    let accounts =
        crm::write_accounts(&sf_dir.join("Account.csv"), &book, &client_aum, seed, as_of)?;
    let contacts = crm::write_contacts(&sf_dir.join("Contact.csv"), &book, seed, as_of)?;
    let (tasks, events) = crm::write_activities(
        &sf_dir.join("Task.csv"),
        &sf_dir.join("Event.csv"),
        &book,
        &client_aum,
        seed,
        as_of,
    )?;
    report(DemoStage::Salesforce, 1, 1);

    report(DemoStage::Manifest, 0, 1);
    let entries: [(&str, DemoSource, &str, u64); 12] = [
        ("salesforce/User.csv", DemoSource::Salesforce, "User", users),
        (
            "salesforce/Account.csv",
            DemoSource::Salesforce,
            "Account",
            accounts,
        ),
        (
            "salesforce/Contact.csv",
            DemoSource::Salesforce,
            "Contact",
            contacts,
        ),
        ("salesforce/Task.csv", DemoSource::Salesforce, "Task", tasks),
        (
            "salesforce/Event.csv",
            DemoSource::Salesforce,
            "Event",
            events,
        ),
        (
            "wealth_spectrum/security_master.xlsx",
            DemoSource::WealthSpectrum,
            "security_master",
            security_master,
        ),
        (
            "wealth_spectrum/client_master.xlsx",
            DemoSource::WealthSpectrum,
            "client_master",
            client_master,
        ),
        (
            "wealth_spectrum/benchmark_levels.csv",
            DemoSource::WealthSpectrum,
            "benchmark_levels",
            benchmark_levels,
        ),
        (
            "wealth_spectrum/security_prices.csv",
            DemoSource::WealthSpectrum,
            "security_prices",
            security_prices,
        ),
        (
            "wealth_spectrum/transactions.csv",
            DemoSource::WealthSpectrum,
            "transactions",
            transactions,
        ),
        (
            "wealth_spectrum/holdings.csv",
            DemoSource::WealthSpectrum,
            "holdings",
            holdings,
        ),
        (
            "wealth_spectrum/valuations.csv",
            DemoSource::WealthSpectrum,
            "valuations",
            valuations,
        ),
    ];
    let mut files = Vec::with_capacity(entries.len());
    for (path, source, report_name, rows) in entries {
        let file = DemoFile {
            path: path.to_string(),
            source,
            report: report_name.to_string(),
            format: if path.ends_with(".xlsx") {
                "xlsx"
            } else {
                "csv"
            }
            .to_string(),
            rows,
            bytes: 0,
        };
        let full = DemoManifest::path_of(dir, &file);
        let bytes = std::fs::metadata(&full)
            .map_err(writers::io_error(&full))?
            .len();
        files.push(DemoFile { bytes, ..file });
    }

    let aum_paise: i64 = book
        .portfolios
        .iter()
        .zip(&outcomes)
        .filter(|(p, _)| p.closure.is_none())
        .map(|(_, o)| o.value)
        .sum();
    let summary = DemoSummary {
        teams: book.teams.len() as u64,
        relationship_managers: book.rms.iter().filter(|r| r.active).count() as u64,
        inactive_users: book.rms.iter().filter(|r| !r.active).count() as u64,
        clients: book.clients.len() as u64,
        closed_clients: book.clients.iter().filter(|c| c.closure.is_some()).count() as u64,
        portfolios: book.portfolios.len() as u64,
        closed_portfolios: book
            .portfolios
            .iter()
            .filter(|p| p.closure.is_some())
            .count() as u64,
        valued_portfolios: book.portfolios.iter().filter(|p| p.valued).count() as u64,
        strategies: strategies::STRATEGIES.len() as u64,
        investment_approaches: strategies::IAS.len() as u64,
        benchmarks: strategies::BENCHMARKS.len() as u64,
        securities: market.securities.len() as u64,
        business_days: cal.len() as u64,
        transactions,
        valuations,
        holdings,
        security_prices,
        benchmark_levels,
        contacts,
        tasks,
        events,
        aum: Decimal::new(aum_paise, 2),
    };
    let manifest = DemoManifest {
        generator: format!("pms-demo {}", env!("CARGO_PKG_VERSION")),
        size,
        seed,
        as_of,
        history_start: cal.days[0],
        history_end: cal.days[cal.last()],
        holdings_dates: snapshot_days.iter().map(|d| cal.days[*d]).collect(),
        files,
        summary,
        demo_logins: demo_logins(&book),
        conventions: conventions(),
    };
    let path = dir.join(MANIFEST_FILE);
    let json =
        serde_json::to_string_pretty(&manifest).map_err(|e| DemoError::Manifest(e.to_string()))?;
    std::fs::write(&path, json + "\n").map_err(writers::io_error(&path))?;
    report(DemoStage::Manifest, 1, 1);
    tracing::info!(%size, transactions, valuations, "demo data written");
    Ok(manifest)
}

fn demo_logins(book: &book::Book) -> Vec<DemoLogin> {
    let team = book.demo_team;
    let department = book.teams[team].department.clone();
    let client_count = |rm: usize| book.clients.iter().filter(|c| c.rm == rm).count() as u64;
    let mut logins = Vec::new();
    for (n, rm_index) in book::demo_rms(&book.rms, &book.teams, team)
        .into_iter()
        .enumerate()
    {
        let rm = &book.rms[rm_index];
        let lead = book.teams[team].lead == rm_index;
        let note = if lead {
            format!("Team lead of {department}: sees the whole team's clients")
        } else {
            format!("RM #{} of {department}: sees only their own clients", n + 1)
        };
        logins.push(DemoLogin {
            role: Role::Rm,
            display_name: rm.name.clone(),
            email: rm.email.clone(),
            sf_user_id: Some(rm.sf_id.clone()),
            employee_number: Some(rm.employee_number.clone()),
            team: Some(department.clone()),
            leads_team: lead,
            strategy_codes: Vec::new(),
            clients: client_count(rm_index),
            note,
        });
    }
    let pm_strategies: [(&[usize], &str); 2] = [
        (
            &[strategies::EQUITY],
            "Portfolio manager of the Equity strategy",
        ),
        (
            &[
                strategies::DEBT,
                strategies::HYBRID,
                strategies::MULTI_ASSET,
            ],
            "Portfolio manager of the Debt, Hybrid and Multi Asset strategies",
        ),
    ];
    for (staff, (codes, note)) in book.pms.iter().zip(pm_strategies) {
        logins.push(DemoLogin {
            role: Role::Pm,
            display_name: staff.name.clone(),
            email: staff.email.clone(),
            sf_user_id: None,
            employee_number: None,
            team: None,
            leads_team: false,
            strategy_codes: codes
                .iter()
                .map(|s| strategies::STRATEGIES[*s].code.to_string())
                .collect(),
            clients: 0,
            note: note.to_string(),
        });
    }
    for (role, staff, note) in [
        (
            Role::Compliance,
            &book.compliance,
            "Compliance officer: everything read-only, audit trail, SEBI reports",
        ),
        (
            Role::Admin,
            &book.admin,
            "Administrator: users, roles, RM assignments, data sources, branding",
        ),
    ] {
        logins.push(DemoLogin {
            role,
            display_name: staff.name.clone(),
            email: staff.email.clone(),
            sf_user_id: None,
            employee_number: None,
            team: None,
            leads_team: false,
            strategy_codes: Vec::new(),
            clients: 0,
            note: note.to_string(),
        });
    }
    logins
}

fn conventions() -> Vec<String> {
    [
        "Wealth Spectrum CSV dates are dd-mm-yyyy; XLSX dates are typed date cells; Salesforce dates are yyyy-mm-dd and datetimes yyyy-mm-ddThh:mm:ss.000Z (UTC).",
        "transactions.AMOUNT is positive, with Indian digit grouping (quoted when grouped); TRAN_TYPE gives the direction. It is the net cash effect: a BUY's consideration plus CHARGES, a SELL's less CHARGES.",
        "QUANTITY is whole units for shares, bonds and ETFs and three decimals for mutual fund units; PRICE is the close price of the trade date.",
        "valuations.MARKET_VALUE = sum over holdings of QUANTITY x CLOSE_PRICE (each rounded to the paisa) + cash, at the end of the day; NET_FLOW = INFLOW - OUTFLOW of that day, included in MARKET_VALUE.",
        "Management fees accrue daily on the last valuation at rate/365 and are debited on the first business day after each calendar quarter; performance fees follow pms_metrics::fees (flow-adjusted high water mark, pro-rata hurdle) and are debited on the business day after the crystallisation date.",
        "Holdings are snapshots on month-end business days; cash is not a holding (it is MARKET_VALUE less the holdings).",
        "client_master.HIGH_WATER_MARK is the current mark in rupees of open portfolios with a performance fee; FEE_CRYSTALLISATION is Anniversary or FY End.",
        "Account.AUM__c is the client's value at the latest month-end (what the monthly sync wrote), 0 for closed clients.",
        "Names, companies and e-mail addresses (example.com/.net/.org, sahyadricapital.example) are invented.",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}
