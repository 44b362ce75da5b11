//! The data-access scope: which clients and portfolios the current caller may see.
//!
//! A [`Scope`] can only be built from a user's role and assignments ([`Scope::resolve`]) or as
//! the system's own unrestricted scope for background work ([`Scope::system`]); every store
//! function that reads client or portfolio data takes one and passes it to the SQL functions
//! `scope_sees_client` / `scope_sees_portfolio` (migration 0008). That is the one place the
//! restriction lives.

use pms_domain::identity::Role;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{Postgres, Row};

use crate::{error::StoreResult, Db};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    all: bool,
    rm_ids: Vec<i32>,
    strategy_ids: Vec<i32>,
}

impl Scope {
    /// Unrestricted: for ingestion, aggregates and other work done by the system itself.
    pub fn system() -> Self {
        Self {
            all: true,
            rm_ids: Vec::new(),
            strategy_ids: Vec::new(),
        }
    }

    /// The scope of a user with `role`, who is RM `rm_id` (if any): everything for roles that
    /// see all data; an RM's own clients plus those of every RM in the teams they lead; a
    /// portfolio manager's strategies. A user with neither sees nothing.
    pub async fn resolve(
        db: &Db,
        user_id: i64,
        role: Role,
        rm_id: Option<i32>,
    ) -> StoreResult<Self> {
        if role.sees_all_data() {
            return Ok(Self::system());
        }
        let mut scope = Self {
            all: false,
            rm_ids: Vec::new(),
            strategy_ids: Vec::new(),
        };
        match role {
            Role::Rm => {
                if let Some(rm_id) = rm_id {
                    scope.rm_ids = sqlx::query_scalar!(
                        r#"SELECT $1::int AS "rm_id!"
                           UNION
                           SELECT member.rm_id FROM rm_team t
                           JOIN dim_rm member ON member.team_id = t.team_id
                           WHERE t.lead_rm_id = $1"#,
                        rm_id
                    )
                    .fetch_all(db.pool())
                    .await?;
                    scope.rm_ids.sort_unstable();
                }
            }
            Role::Pm => {
                scope.strategy_ids = sqlx::query_scalar!(
                    "SELECT strategy_id FROM user_strategy WHERE user_id = $1 ORDER BY strategy_id",
                    user_id
                )
                .fetch_all(db.pool())
                .await?;
            }
            Role::Compliance | Role::Admin | Role::DataSteward => {}
        }
        Ok(scope)
    }

    pub fn sees_all(&self) -> bool {
        self.all
    }

    pub fn rm_ids(&self) -> &[i32] {
        &self.rm_ids
    }

    pub fn strategy_ids(&self) -> &[i32] {
        &self.strategy_ids
    }

    /// `sql` with `$1..$3` bound to this scope, as `scope_sees_client` and
    /// `scope_sees_portfolio` take it; the query's own parameters start at `$4`.
    pub(crate) fn query<'q>(&'q self, sql: &'q str) -> Query<'q, Postgres, PgArguments> {
        sqlx::query(sql)
            .bind(self.all)
            .bind(self.rm_ids.as_slice())
            .bind(self.strategy_ids.as_slice())
    }
}

/// The `total` column of a capped list's first row (`count(*) OVER ()`), 0 for no rows.
pub(crate) fn total(rows: &[PgRow]) -> Result<i64, sqlx::Error> {
    rows.first().map_or(Ok(0), |row| row.try_get("total"))
}
