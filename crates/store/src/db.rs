//! The connection pool, the migrations and readiness.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::ConnectOptions;
use sqlx::PgPool;

use crate::error::StoreResult;

/// The migrations in the workspace's `migrations/` folder, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// A handle to the Hub's database; cheap to clone (it wraps a pool).
#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
}

impl Db {
    /// Connects lazily-checked: fails fast if the server cannot be reached within `timeout`.
    pub async fn connect(url: &str, max_connections: u32, timeout: Duration) -> StoreResult<Self> {
        let options: PgConnectOptions = url.parse()?;
        // Bulk loads run long statements by design: only note ones slower than a minute, briefly.
        let options = options
            .application_name("pms-hub")
            // Loads stage millions of rows in temporary tables: give them room in memory.
            .options([("temp_buffers", "256MB")])
            .log_slow_statements(log::LevelFilter::Info, Duration::from_secs(60));
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(timeout)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// Wraps an existing pool (tests get one per fresh database from `#[sqlx::test]`).
    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies every migration not yet applied; safe to run at every start-up.
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// True when the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
