//! A private PostgreSQL cluster for running the Hub with no `DATABASE_URL`: created with the
//! system's `initdb` in the project's data folder, started with `pg_ctl` on a free loopback
//! port, and stopped again when the server exits. A cluster left running by a killed process
//! is found through its `postmaster.pid` and reused.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use tokio::process::Command;

/// The database the Hub uses inside the private cluster.
const DATABASE: &str = "pms_hub";
/// The application's role inside the private cluster; the superuser `postgres` runs the
/// migrations and owns the audit trail.
const APP_ROLE: &str = "pms_app";

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them \
         (Debian/Ubuntu: `sudo apt-get install postgresql`) or set DATABASE_URL to an existing database."
    )]
    BinariesMissing,
    #[error("cannot prepare {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{command}` failed: {output}")]
    Command { command: String, output: String },
    #[error("the private cluster does not accept connections: {0}")]
    Connect(#[from] sqlx::Error),
}

pub struct PrivateCluster {
    data: PathBuf,
    bin: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
    started_here: bool,
}

impl PrivateCluster {
    /// Initialises (first time) and starts the cluster under `data_dir/pg`, or reuses it if it
    /// is already running; creates the Hub's database.
    pub async fn start(data_dir: &Path) -> Result<Self, ClusterError> {
        let bin = find_binaries().ok_or(ClusterError::BinariesMissing)?;
        std::fs::create_dir_all(data_dir).map_err(|source| io(data_dir, source))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(|source| io(data_dir, source))?;
        let data = data_dir.join("pg");
        // PostgreSQL refuses to run as root; use its own system account then.
        let run_as = is_root().then_some("postgres");
        let mut cluster = Self {
            data,
            bin,
            port: 0,
            run_as,
            started_here: false,
        };

        if !cluster.data.join("PG_VERSION").exists() {
            cluster.init().await?;
        }
        match cluster.running_port() {
            Some(port) if cluster.pg_ctl(&["status"]).await.is_ok() => {
                cluster.port = port;
                // A cluster whose owner died (killed server) is adopted, so this run stops it;
                // one another live process uses is left to that process.
                cluster.started_here = !owner_alive(&data_dir);
                tracing::info!(
                    port,
                    adopted = cluster.started_here,
                    "reusing the private PostgreSQL cluster that is already running"
                );
            }
            _ => {
                cluster.port = free_port().map_err(|source| io(&cluster.data, source))?;
                let options = format!(
                    "-p {} -c listen_addresses=127.0.0.1 -k {} -c max_connections=200",
                    cluster.port,
                    cluster.data.display()
                );
                // Inside the data folder: the only place the cluster's owner may surely write.
                let log = cluster.data.join("server.log");
                cluster
                    .pg_ctl(&[
                        "-w",
                        "-t",
                        "60",
                        "-l",
                        &log.to_string_lossy(),
                        "-o",
                        &options,
                        "start",
                    ])
                    .await?;
                cluster.started_here = true;
                tracing::info!(port = cluster.port, dir = %cluster.data.display(), "private PostgreSQL cluster started");
            }
        }
        if cluster.started_here {
            let owner = data_dir.join("pg-owner.pid");
            std::fs::write(&owner, std::process::id().to_string())
                .map_err(|source| io(&owner, source))?;
        }
        cluster.create_database().await?;
        Ok(cluster)
    }

    /// The application's connection (its own role, which cannot alter the audit trail).
    pub fn url(&self) -> String {
        format!("postgres://{APP_ROLE}@127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// The owner's connection: migrations, and anything that creates databases (tests).
    pub fn owner_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// Stops the cluster if this process started it (`force` stops it regardless).
    pub async fn stop(&self, force: bool) -> Result<(), ClusterError> {
        if self.started_here || force {
            self.pg_ctl(&["-w", "-m", "fast", "stop"]).await?;
            tracing::info!("private PostgreSQL cluster stopped");
        }
        Ok(())
    }

    /// Stops a cluster found in `data_dir`, if one is running.
    pub async fn stop_existing(data_dir: &Path) -> Result<bool, ClusterError> {
        let bin = find_binaries().ok_or(ClusterError::BinariesMissing)?;
        let data = data_dir.join("pg");
        let cluster = Self {
            data,
            bin,
            port: 0,
            run_as: is_root().then_some("postgres"),
            started_here: false,
        };
        if cluster.running_port().is_none() || cluster.pg_ctl(&["status"]).await.is_err() {
            return Ok(false);
        }
        cluster.stop(true).await?;
        Ok(true)
    }

    async fn init(&self) -> Result<(), ClusterError> {
        std::fs::create_dir_all(&self.data).map_err(|source| io(&self.data, source))?;
        if let Some(user) = self.run_as {
            run(Command::new("chown").args(["-R", user, &self.data.to_string_lossy()])).await?;
        }
        let initdb = self.bin.join("initdb");
        let mut cmd = self.as_owner(&initdb);
        cmd.args([
            "-D",
            &self.data.to_string_lossy(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        ]);
        run(&mut cmd).await?;
        tracing::info!(dir = %self.data.display(), "private PostgreSQL cluster initialised");
        Ok(())
    }

    async fn create_database(&self) -> Result<(), ClusterError> {
        use sqlx::Connection;
        let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(DATABASE)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            sqlx::query(&format!("CREATE DATABASE {DATABASE}"))
                .execute(&mut conn)
                .await?;
        }
        let role_exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(APP_ROLE)
                .fetch_one(&mut conn)
                .await?;
        if !role_exists {
            sqlx::query(&format!("CREATE ROLE {APP_ROLE} LOGIN"))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    /// The port recorded in `postmaster.pid` (line 4), if the file exists.
    fn running_port(&self) -> Option<u16> {
        let pid_file = std::fs::read_to_string(self.data.join("postmaster.pid")).ok()?;
        pid_file.lines().nth(3)?.trim().parse().ok()
    }

    async fn pg_ctl(&self, args: &[&str]) -> Result<String, ClusterError> {
        let mut cmd = self.as_owner(&self.bin.join("pg_ctl"));
        cmd.arg("-D").arg(&self.data).args(args);
        run(&mut cmd).await
    }

    fn as_owner(&self, program: &Path) -> Command {
        match self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(program);
                cmd
            }
            None => Command::new(program),
        }
    }
}

async fn run(cmd: &mut Command) -> Result<String, ClusterError> {
    let command = format!("{:?}", cmd.as_std());
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| ClusterError::Command {
            command: command.clone(),
            output: e.to_string(),
        })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(ClusterError::Command {
            command,
            output: text.trim().to_owned(),
        })
    }
}

/// Whether the process recorded as the cluster's owner is still running.
fn owner_alive(data_dir: &Path) -> bool {
    std::fs::read_to_string(data_dir.join("pg-owner.pid"))
        .ok()
        .and_then(|pid| pid.trim().parse::<u32>().ok())
        .is_some_and(|pid| pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists())
}

/// The newest PostgreSQL installation's `bin` folder (Debian keeps them versioned), or the one
/// on `PATH`.
fn find_binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
    })
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // The owner of /proc/self is the process's effective user.
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

fn io(path: &Path, source: std::io::Error) -> ClusterError {
    ClusterError::Io {
        path: path.to_owned(),
        source,
    }
}
