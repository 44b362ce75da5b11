//! `pms-hub demo-data`: writes the demo data set in the source formats (Salesforce Data Loader
//! CSV, Wealth Spectrum CSV/XLSX), loads every file through the real ingestion path (one job
//! each, masters first), and creates demo logins for every role. `serve` does the same with the
//! small set on an empty database.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Duration, NaiveDate, Utc};
use pms_demo::{generate, DemoLogin, DemoManifest, DemoOptions, DemoSize, DemoSource};
use pms_domain::identity::Role;
use pms_ingest::load::{FileKind, LoadOutcome, LoadRequest, Trigger};
use pms_ingest::report::ReportKind;
use pms_store::identity::NewUser;
use pms_store::Db;

use crate::cli::DemoArgs;
use crate::config::Config;

/// Every demo login signs in with this password (demo data only; printed at start-up).
pub const DEMO_PASSWORD: &str = "Hub-Demo-2026!";
/// Where the list of demo logins is kept (`app_setting`).
const DEMO_LOGINS_KEY: &str = "demo_logins";

pub async fn run(db: Db, config: Config, args: DemoArgs) -> anyhow::Result<()> {
    let size: DemoSize = args.size.parse()?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| config.data_dir.join(format!("demo-{size}-{}", args.seed)));
    let manifest = write_files(&dir, size, args.seed).await?;
    println!(
        "wrote the {size} demo data set to {} ({} files)",
        dir.display(),
        manifest.files.len()
    );
    if args.no_load {
        return Ok(());
    }
    load(&db, &dir, &manifest, Trigger::Cli).await?;
    create_logins(&db, &manifest).await?;
    print_logins(&db).await?;
    Ok(())
}

/// The small demo set on a database that has never had a successful load.
pub async fn load_if_empty(db: &Db, config: &Config) -> anyhow::Result<()> {
    if db.has_loaded_data().await? {
        return Ok(());
    }
    let size: DemoSize = config.demo_size.parse()?;
    tracing::info!(%size, "empty database: generating and loading the demo data set");
    let dir = config.data_dir.join(format!("demo-{size}-42"));
    let manifest = write_files(&dir, size, 42).await?;
    load(db, &dir, &manifest, Trigger::Startup).await?;
    create_logins(db, &manifest).await?;
    Ok(())
}

/// Yesterday in India: the last complete business day's data.
fn as_of() -> NaiveDate {
    (Utc::now() + Duration::minutes(330)).date_naive() - Duration::days(1)
}

async fn write_files(dir: &Path, size: DemoSize, seed: u64) -> anyhow::Result<DemoManifest> {
    let dir = dir.to_owned();
    let options = DemoOptions {
        size,
        seed,
        as_of: as_of(),
    };
    tokio::task::spawn_blocking(move || generate(&dir, &options))
        .await
        .context("the demo generator stopped")?
        .context("generating the demo data")
}

/// Loads the files in the manifest's order; any rejection is an error (the demo data is valid).
async fn load(
    db: &Db,
    dir: &Path,
    manifest: &DemoManifest,
    trigger: Trigger,
) -> anyhow::Result<()> {
    for file in &manifest.files {
        let path: PathBuf = DemoManifest::path_of(dir, file);
        let started = std::time::Instant::now();
        let kind = match file.source {
            DemoSource::Salesforce => FileKind::Salesforce,
            DemoSource::WealthSpectrum => {
                let report = ReportKind::from_code(&file.report).ok_or_else(|| {
                    anyhow::anyhow!("the manifest names an unknown report {:?}", file.report)
                })?;
                FileKind::WealthSpectrum(Some(report))
            }
        };
        let request = LoadRequest {
            path,
            display_name: None,
            kind: Some(kind),
            trigger,
            requested_by: None,
            profile: pms_ingest::profile::Profile::default_profile(),
            digest: None,
        };
        let outcome = pms_ingest::load::load(db, request).await?;
        match outcome {
            LoadOutcome::Succeeded { rows, .. } => {
                let secs = started.elapsed().as_secs_f64();
                tracing::info!(file = %file.path, rows, seconds = format!("{secs:.1}"), rows_per_second = format!("{:.0}", rows as f64 / secs.max(1e-9)), "demo file loaded");
            }
            LoadOutcome::Rejected {
                first_errors,
                error_count,
                ..
            } => {
                let shown: Vec<String> = first_errors
                    .iter()
                    .take(5)
                    .map(ToString::to_string)
                    .collect();
                anyhow::bail!(
                    "the demo file {} was rejected ({error_count} problems): {}",
                    file.path,
                    shown.join("; ")
                );
            }
            LoadOutcome::Failed { message, .. } => {
                anyhow::bail!("loading the demo file {} failed: {message}", file.path)
            }
        }
    }
    Ok(())
}

/// The generator's roster plus a data steward (the generator knows the four dashboard roles).
fn roster(manifest: &DemoManifest) -> Vec<DemoLogin> {
    let mut logins = manifest.demo_logins.clone();
    let domain = logins
        .iter()
        .find_map(|l| l.email.split_once('@').map(|(_, d)| d.to_owned()))
        .unwrap_or_else(|| "example.in".into());
    if !logins.iter().any(|l| l.role == Role::DataSteward) {
        logins.push(DemoLogin {
            role: Role::DataSteward,
            display_name: "Farah Qureshi".into(),
            email: format!("farah.qureshi@{domain}"),
            sf_user_id: None,
            employee_number: None,
            team: None,
            leads_team: false,
            strategy_codes: Vec::new(),
            clients: 0,
            note: "Data steward: loads and checks data".into(),
        });
    }
    logins
}

/// A login per role from the generator's roster, linked to its RM or strategies.
async fn create_logins(db: &Db, manifest: &DemoManifest) -> anyhow::Result<()> {
    let hash = pms_auth::password::hash(DEMO_PASSWORD.to_owned()).await?;
    let logins = roster(manifest);
    let listed: Vec<serde_json::Value> = logins
        .iter()
        .map(|l| serde_json::json!({ "email": l.email, "name": l.display_name, "role": l.role.label(), "note": l.note }))
        .collect();
    sqlx::query(
        "INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
    )
    .bind(DEMO_LOGINS_KEY)
    .bind(serde_json::Value::Array(listed))
    .execute(db.pool())
    .await?;
    for login in &logins {
        if db.user_by_email(&login.email).await?.is_some() {
            continue;
        }
        let rm_id = rm_of(db, login).await?;
        // Each login is made whole (user, strategies, team lead) or not at all.
        let mut tx = db.begin().await?;
        let user_id = Db::create_user(
            &mut tx,
            &NewUser {
                email: login.email.clone(),
                display_name: login.display_name.clone(),
                role: login.role,
                rm_id,
                password_hash: Some(hash.clone()),
                created_by: None,
            },
        )
        .await?;
        if login.role == Role::Pm && !login.strategy_codes.is_empty() {
            let ids: Vec<i32> =
                sqlx::query_scalar("SELECT strategy_id FROM dim_strategy WHERE code = ANY($1)")
                    .bind(&login.strategy_codes)
                    .fetch_all(&mut *tx)
                    .await?;
            Db::set_user_strategies(&mut tx, user_id, &ids).await?;
        }
        if let (true, Some(rm), Some(team)) = (login.leads_team, rm_id, &login.team) {
            let team_id: Option<i32> =
                sqlx::query_scalar("SELECT team_id FROM rm_team WHERE name = $1")
                    .bind(team)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(team_id) = team_id {
                Db::set_team_lead(&mut tx, team_id, Some(rm)).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

async fn rm_of(db: &Db, login: &DemoLogin) -> anyhow::Result<Option<i32>> {
    match &login.sf_user_id {
        Some(id) => Ok(
            sqlx::query_scalar("SELECT rm_id FROM dim_rm WHERE sf_user_id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await?,
        ),
        None => Ok(None),
    }
}

/// The demo logins recorded when the demo data was loaded: (role, e-mail, name, note).
pub async fn demo_logins(db: &Db) -> anyhow::Result<Vec<(String, String, String, String)>> {
    let value: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT value FROM app_setting WHERE key = $1")
            .bind(DEMO_LOGINS_KEY)
            .fetch_optional(db.pool())
            .await?;
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    Ok(value
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|l| {
            (
                text(l, "role"),
                text(l, "email"),
                text(l, "name"),
                text(l, "note"),
            )
        })
        .collect())
}

pub async fn print_logins(db: &Db) -> anyhow::Result<()> {
    let logins = demo_logins(db).await?;
    if logins.is_empty() {
        return Ok(());
    }
    println!();
    println!("  Demo logins (password for all: {DEMO_PASSWORD}):");
    for (role, email, name, note) in logins {
        println!("    {role:<21} {email:<44} {name} — {note}");
    }
    Ok(())
}
