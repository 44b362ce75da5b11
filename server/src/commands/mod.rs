//! What each subcommand does. Every command that needs the database resolves it the same way:
//! `DATABASE_URL` if given, else the private cluster.

pub mod audit;
pub mod demo;
mod ingest;
pub mod report;
pub mod users;

use anyhow::Context;

use crate::cli::{AuditAction, Cli, Command, DbAction, MetricsAction, ReportAction, UserAction};
use crate::config::Config;
use crate::embedded_pg::PrivateCluster;
use crate::startup::Application;
use pms_store::Db;
use sqlx::postgres::PgConnectOptions;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command {
        Command::Serve => serve(config).await,
        Command::Migrate => with_database(&config, |_| async { Ok(()) }).await,
        Command::Db {
            action: DbAction::Start,
        } => {
            let cluster = PrivateCluster::start(&config.data_dir).await?;
            println!("DATABASE_URL={}", cluster.url());
            println!("PMS_MIGRATION_DATABASE_URL={}", cluster.owner_url());
            Ok(())
        }
        Command::Db {
            action: DbAction::Stop,
        } => {
            let stopped = PrivateCluster::stop_existing(&config.data_dir).await?;
            println!("{}", if stopped { "stopped" } else { "not running" });
            Ok(())
        }
        Command::Metrics {
            action: MetricsAction::Eval { file },
        } => metrics_eval(&file),
        Command::Report {
            action: ReportAction::Statements(args),
        } => with_database(&config, |db| report::statements(db, config.clone(), args)).await,
        Command::Ingest(args) => {
            with_database(&config, |db| ingest::run(db, config.clone(), args)).await
        }
        Command::DemoData(args) => {
            with_database(&config, |db| demo::run(db, config.clone(), args)).await
        }
        Command::User {
            action:
                UserAction::Add {
                    email,
                    name,
                    role,
                    rm_id,
                    strategies,
                },
        } => {
            with_database(&config, |db| {
                users::add(db, config.clone(), email, name, role, rm_id, strategies)
            })
            .await
        }
        Command::Audit {
            action: AuditAction::Verify { checkpoint },
        } => {
            let checkpoint = checkpoint
                .or_else(|| Some(audit::default_checkpoint(&config)).filter(|p| p.exists()));
            with_database(&config, |db| audit::verify(db, checkpoint)).await
        }
        Command::Audit {
            action: AuditAction::Checkpoint { out },
        } => with_database(&config, |db| audit::checkpoint(db, out)).await,
    }
}

/// The database for this run (with the owner's connection for migrations, when the owner is
/// another role), and the private cluster behind it when there is one.
struct Opened {
    db: Db,
    owner_url: Option<String>,
    cluster: Option<PrivateCluster>,
}

async fn open_database(config: &Config) -> anyhow::Result<Opened> {
    let (url, owner_url, cluster) = match &config.database_url {
        Some(url) => (url.clone(), config.migration_database_url.clone(), None),
        None => {
            let cluster = PrivateCluster::start(&config.data_dir).await?;
            (cluster.url(), Some(cluster.owner_url()), Some(cluster))
        }
    };
    let db = Db::connect(
        &url,
        config.db_max_connections,
        std::time::Duration::from_secs(10),
    )
    .await
    .with_context(|| format!("cannot connect to the database at {}", redact(&url)))?;
    let db = db.with_audit_key(crate::startup::master_key(config)?.audit_key());
    Ok(Opened {
        db,
        owner_url,
        cluster,
    })
}

/// Applies the migrations: as the owner when one is configured (handing the application's role
/// its tables), else through the application's own connection.
async fn migrate(opened: &Opened) -> anyhow::Result<()> {
    let Some(owner_url) = &opened.owner_url else {
        return opened.db.migrate().await.context("applying migrations");
    };
    let owner: PgConnectOptions = owner_url.parse().with_context(|| {
        format!(
            "PMS_MIGRATION_DATABASE_URL {} is not valid",
            redact(owner_url)
        )
    })?;
    let app_role = opened.db.pool().connect_options().get_username().to_owned();
    Db::migrate_as_owner(owner, Some(&app_role))
        .await
        .with_context(|| format!("applying migrations as {}", redact(owner_url)))
}

/// Runs `f` against a migrated database, then stops a private cluster this run started.
async fn with_database<F, Fut>(config: &Config, f: F) -> anyhow::Result<()>
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let opened = open_database(config).await?;
    let db = opened.db.clone();
    let result = async {
        migrate(&opened).await?;
        f(db.clone()).await
    }
    .await;
    db.close().await;
    if let Some(cluster) = opened.cluster {
        cluster.stop(false).await?;
    }
    result
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app_config = config.clone();
    with_database(&config, |db| async move {
        let config = app_config;
        if config.demo_on_empty {
            demo::load_if_empty(&db, &config).await?;
        }
        let app = Application::build(&config, db.clone()).await?;
        crate::jobs::spawn_all(app.state(), &config);
        println!();
        println!(
            "  PMS Intelligence Hub is running at http://{}",
            app.address()
        );
        demo::print_logins(&db).await?;
        println!();
        app.run_until(crate::shutdown::signal()).await
    })
    .await
}

fn metrics_eval(file: &std::path::Path) -> anyhow::Result<()> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?
    };
    let doc: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", file.display()))?;
    let out = pms_metrics::golden::evaluate(&doc)?;
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((creds, rest)) if creds.contains(':') && creds.matches(':').count() > 1 => {
            let user = creds.rsplit_once(':').map(|(u, _)| u).unwrap_or(creds);
            format!("{user}:***@{rest}")
        }
        _ => url.to_owned(),
    }
}
