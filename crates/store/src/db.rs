//! The connection pool, the migrations and readiness.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::ConnectOptions;
use sqlx::PgPool;

use crate::audit::AuditKey;
use crate::error::StoreResult;

/// The migrations in the workspace's `migrations/` folder, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Limits on every interactive connection: a statement may run 30 s, and waits at most 5 s for
/// a lock (a first bulk load holds its table until it commits).
pub const INTERACTIVE_LIMITS: [(&str, &str); 2] =
    [("statement_timeout", "30s"), ("lock_timeout", "5s")];

/// Connections for loads and aggregate refreshes (they serialise on their own locks anyway).
const BULK_CONNECTIONS: u32 = 4;

/// A handle to the Hub's database; cheap to clone (it wraps a pool).
#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
    /// For loads and refreshes: no statement or lock time limit.
    bulk: PgPool,
    /// Keys the audit chain; without it nothing can be audited (see [`crate::audit`]).
    audit_key: Option<AuditKey>,
}

impl Db {
    /// Connects lazily-checked: fails fast if the server cannot be reached within `timeout`.
    ///
    /// Two pools: interactive requests get [`INTERACTIVE_LIMITS`] (a query never holds a
    /// connection for long, and one that would wait on a table a bulk load holds gives up in
    /// seconds with [`crate::StoreError::Busy`]); loads and aggregate refreshes, which run long
    /// statements and take table locks by design, use [`Db::bulk_pool`] without those limits.
    pub async fn connect(url: &str, max_connections: u32, timeout: Duration) -> StoreResult<Self> {
        Self::connect_with(url.parse()?, max_connections, timeout).await
    }

    /// [`Db::connect`] with parsed options (tests reuse their fresh database's).
    pub async fn connect_with(
        options: PgConnectOptions,
        max_connections: u32,
        timeout: Duration,
    ) -> StoreResult<Self> {
        // Bulk loads run long statements by design: only note ones slower than a minute, briefly.
        let options = options
            .application_name("pms-hub")
            .log_slow_statements(log::LevelFilter::Info, Duration::from_secs(60));
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(timeout)
            .connect_with(options.clone().options(INTERACTIVE_LIMITS))
            .await?;
        let bulk = PgPoolOptions::new()
            .max_connections(BULK_CONNECTIONS)
            .acquire_timeout(timeout)
            // Loads stage millions of rows in temporary tables: give them room in memory.
            .connect_with(options.options([("temp_buffers", "256MB")]))
            .await?;
        Ok(Self {
            pool,
            bulk,
            audit_key: None,
        })
    }

    /// Wraps an existing pool (tests get one per fresh database from `#[sqlx::test]`).
    pub fn from_pool(pool: PgPool) -> Self {
        Self {
            bulk: pool.clone(),
            pool,
            audit_key: None,
        }
    }

    /// The key the audit chain is sealed with (derived from the master key, which lives
    /// outside the database).
    pub fn with_audit_key(mut self, key: AuditKey) -> Self {
        self.audit_key = Some(key);
        self
    }

    pub(crate) fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_ref()
    }

    /// A transaction on the interactive pool: a use case makes its change and writes its audit
    /// row ([`crate::audit::append`]) in it, so both commit or neither does.
    pub async fn begin(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// The interactive pool (time-limited; see [`INTERACTIVE_LIMITS`]).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The pool for bulk loads, aggregate refreshes and migrations: no time limits.
    pub fn bulk_pool(&self) -> &PgPool {
        &self.bulk
    }

    /// Applies the migrations through a connection as the schema's owner (`owner`), then, when
    /// the application connects as another role (`app_role`), hands that role the data tables
    /// and leaves it only read-and-append rights on the audit trail (migration 0017). Safe to
    /// run at every start-up.
    pub async fn migrate_as_owner(
        owner: PgConnectOptions,
        app_role: Option<&str>,
    ) -> StoreResult<()> {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect_with(&owner).await?;
        MIGRATOR.run(&mut conn).await?;
        if let Some(app) = app_role {
            sqlx::query("SELECT pms_grant_app_role($1)")
                .bind(app)
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    /// Applies every migration not yet applied; safe to run at every start-up.
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.bulk).await?;
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
        self.bulk.close().await;
    }
}
