//! What the admin console changes: users and their roles, RM links and strategies, teams,
//! client-to-RM assignments, branding, role policy and invitations.

use chrono::{DateTime, Utc};
use pms_domain::admin::{Branding, RmView, RolePolicyView, StrategyView, TeamView, UserAdminView};
use pms_domain::identity::Role;

use crate::error::{StoreError, StoreResult};
use crate::Db;

fn role(code: &str) -> StoreResult<Role> {
    Role::from_code(code).ok_or_else(|| StoreError::Invalid(format!("unknown role {code:?}")))
}

fn conflict_on(e: sqlx::Error, constraint: &str, message: &str) -> StoreError {
    match e {
        sqlx::Error::Database(db) if db.constraint() == Some(constraint) => {
            StoreError::Conflict(message.into())
        }
        other => other.into(),
    }
}

impl Db {
    pub async fn admin_users(&self) -> StoreResult<Vec<UserAdminView>> {
        let rows = sqlx::query!(
            r#"SELECT u.user_id, u.email, u.display_name, u.role, u.rm_id, r.name AS "rm_name?", u.is_active,
                      u.totp_enabled_at IS NOT NULL AS "mfa!", t.locked_at IS NOT NULL AS "locked!",
                      u.password_hash IS NOT NULL AS "password_set!", u.last_login_at,
                      coalesce((SELECT array_agg(strategy_id ORDER BY strategy_id) FROM user_strategy s WHERE s.user_id = u.user_id), '{}') AS "strategies!"
               FROM app_user u
               LEFT JOIN dim_rm r ON r.rm_id = u.rm_id
               LEFT JOIN login_throttle t ON t.email = u.email
               ORDER BY u.is_active DESC, u.display_name"#
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(UserAdminView {
                    user_id: r.user_id,
                    email: r.email,
                    display_name: r.display_name,
                    role: role(&r.role)?,
                    rm_id: r.rm_id,
                    rm_name: r.rm_name,
                    strategy_ids: r.strategies,
                    is_active: r.is_active,
                    mfa_enabled: r.mfa,
                    locked: r.locked,
                    password_set: r.password_set,
                    last_login_at: r.last_login_at,
                })
            })
            .collect()
    }

    pub async fn update_user(
        conn: &mut sqlx::PgConnection,
        user_id: i64,
        display_name: &str,
        role: Role,
        rm_id: Option<i32>,
    ) -> StoreResult<()> {
        sqlx::query!(
            "UPDATE app_user SET display_name = $2, role = $3, rm_id = $4, updated_at = now() WHERE user_id = $1",
            user_id,
            display_name.trim(),
            role.code(),
            rm_id
        )
        .execute(&mut *conn)
        .await
        .map_err(|e| conflict_on(e, "app_user_rm_id_key", "that relationship manager is already linked to another user"))?;
        Ok(())
    }

    pub async fn set_user_active(
        conn: &mut sqlx::PgConnection,
        user_id: i64,
        active: bool,
    ) -> StoreResult<()> {
        sqlx::query!(
            "UPDATE app_user SET is_active = $2, updated_at = now() WHERE user_id = $1",
            user_id,
            active
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub async fn set_user_strategies(
        conn: &mut sqlx::PgConnection,
        user_id: i64,
        strategy_ids: &[i32],
    ) -> StoreResult<()> {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::query!("DELETE FROM user_strategy WHERE user_id = $1", user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT INTO user_strategy (user_id, strategy_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING",
            user_id,
            strategy_ids
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn strategies(&self) -> StoreResult<Vec<StrategyView>> {
        Ok(sqlx::query_as!(
            StrategyView,
            "SELECT strategy_id, code, name, category FROM dim_strategy ORDER BY name"
        )
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn rms(&self) -> StoreResult<Vec<RmView>> {
        Ok(sqlx::query_as!(
            RmView,
            r#"SELECT r.rm_id, r.name, r.email, r.team_id, t.name AS "team_name?", r.is_active,
                      (SELECT count(*) FROM dim_client c WHERE c.rm_id = r.rm_id AND c.status = 'Active') AS "clients!",
                      u.email AS "linked_user?"
               FROM dim_rm r LEFT JOIN rm_team t ON t.team_id = r.team_id LEFT JOIN app_user u ON u.rm_id = r.rm_id
               ORDER BY r.is_active DESC, r.name"#
        )
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn teams(&self) -> StoreResult<Vec<TeamView>> {
        Ok(sqlx::query_as!(
            TeamView,
            r#"SELECT t.team_id, t.name, t.lead_rm_id, l.name AS "lead_name?",
                      (SELECT count(*) FROM dim_rm m WHERE m.team_id = t.team_id) AS "members!"
               FROM rm_team t LEFT JOIN dim_rm l ON l.rm_id = t.lead_rm_id ORDER BY t.name"#
        )
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn create_team(conn: &mut sqlx::PgConnection, name: &str) -> StoreResult<i32> {
        sqlx::query_scalar!(
            "INSERT INTO rm_team (name) VALUES ($1) RETURNING team_id",
            name.trim()
        )
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| {
            conflict_on(
                e,
                "rm_team_name_key",
                "a team with that name already exists",
            )
        })
    }

    /// Makes `lead` the team's lead (they join the team if not already in it).
    pub async fn set_team_lead(
        conn: &mut sqlx::PgConnection,
        team_id: i32,
        lead: Option<i32>,
    ) -> StoreResult<()> {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::query!(
            "UPDATE rm_team SET lead_rm_id = $2 WHERE team_id = $1",
            team_id,
            lead
        )
        .execute(&mut *tx)
        .await?;
        if let Some(rm) = lead {
            sqlx::query!(
                "UPDATE dim_rm SET team_id = $1, updated_at = now() WHERE rm_id = $2",
                team_id,
                rm
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_rm_team(
        conn: &mut sqlx::PgConnection,
        rm_id: i32,
        team_id: Option<i32>,
    ) -> StoreResult<()> {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        // An RM who leaves a team stops leading it.
        sqlx::query!(
            "UPDATE rm_team SET lead_rm_id = NULL WHERE lead_rm_id = $1 AND team_id IS DISTINCT FROM $2",
            rm_id,
            team_id
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE dim_rm SET team_id = $2, updated_at = now() WHERE rm_id = $1",
            rm_id,
            team_id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Assigns a client to an RM (recorded in the client's history). Returns the previous RM.
    pub async fn assign_client(
        conn: &mut sqlx::PgConnection,
        client_id: i32,
        rm_id: Option<i32>,
    ) -> StoreResult<Option<i32>> {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let previous = sqlx::query_scalar!(
            "SELECT rm_id FROM dim_client WHERE client_id = $1 FOR UPDATE",
            client_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("client {client_id}")))?;
        sqlx::query!(
            "UPDATE dim_client SET rm_id = $2, updated_at = now() WHERE client_id = $1",
            client_id,
            rm_id
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!("SELECT record_client_history($1, NULL)", &[client_id])
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(previous)
    }

    pub async fn branding(&self) -> StoreResult<Branding> {
        Ok(sqlx::query_as!(
            Branding,
            r#"SELECT firm_name, primary_colour, accent_colour, disclaimer, logo IS NOT NULL AS "has_logo!", updated_at
               FROM firm_branding"#
        )
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn set_branding(
        conn: &mut sqlx::PgConnection,
        b: &Branding,
        updated_by: i64,
    ) -> StoreResult<()> {
        sqlx::query!(
            "UPDATE firm_branding SET firm_name = $1, primary_colour = lower($2), accent_colour = lower($3), disclaimer = $4,
                    updated_by = $5, updated_at = now()",
            b.firm_name.trim(),
            b.primary_colour,
            b.accent_colour,
            b.disclaimer.trim(),
            updated_by
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub async fn set_logo(
        conn: &mut sqlx::PgConnection,
        logo: Option<(&[u8], &str)>,
        updated_by: i64,
    ) -> StoreResult<()> {
        sqlx::query!(
            "UPDATE firm_branding SET logo = $1, logo_mime = $2, updated_by = $3, updated_at = now()",
            logo.map(|l| l.0),
            logo.map(|l| l.1),
            updated_by
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub async fn logo(&self) -> StoreResult<Option<(Vec<u8>, String)>> {
        let row = sqlx::query!("SELECT logo, logo_mime FROM firm_branding")
            .fetch_one(self.pool())
            .await?;
        Ok(row.logo.zip(row.logo_mime))
    }

    pub async fn role_policies(&self) -> StoreResult<Vec<RolePolicyView>> {
        let rows = sqlx::query!("SELECT role, mfa_required FROM role_policy")
            .fetch_all(self.pool())
            .await?;
        let mut out: Vec<RolePolicyView> = rows
            .into_iter()
            .filter_map(|r| {
                Some(RolePolicyView {
                    role: Role::from_code(&r.role)?,
                    mfa_required: r.mfa_required,
                })
            })
            .collect();
        out.sort_by_key(|p| p.role);
        Ok(out)
    }

    pub async fn set_mfa_required(
        conn: &mut sqlx::PgConnection,
        role: Role,
        required: bool,
    ) -> StoreResult<()> {
        sqlx::query!(
            "UPDATE role_policy SET mfa_required = $2, updated_at = now() WHERE role = $1",
            role.code(),
            required
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    // ----- invitations and resets ---------------------------------------------------------------

    pub async fn create_invitation(
        conn: &mut sqlx::PgConnection,
        user_id: i64,
        purpose: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query!(
            "INSERT INTO user_invitation (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)",
            token_hash,
            user_id,
            purpose,
            expires_at
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The user an unused, unexpired invitation is for.
    pub async fn invitation(&self, token_hash: &str) -> StoreResult<Option<(i64, String)>> {
        let row = sqlx::query!(
            "SELECT user_id, purpose FROM user_invitation WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()",
            token_hash
        )
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| (r.user_id, r.purpose)))
    }

    /// Uses up an invitation and sets the password in one step; false if it was no longer valid.
    pub async fn accept_invitation(
        conn: &mut sqlx::PgConnection,
        token_hash: &str,
        password_hash: &str,
    ) -> StoreResult<Option<i64>> {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let user = sqlx::query_scalar!(
            "UPDATE user_invitation SET used_at = now()
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id",
            token_hash
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user_id) = user else { return Ok(None) };
        sqlx::query!(
            "UPDATE app_user SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE user_id = $1",
            user_id,
            password_hash
        )
        .execute(&mut *tx)
        .await?;
        // Any other open link for this user is void now.
        sqlx::query!(
            "UPDATE user_invitation SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
            user_id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }
}

impl Db {
    /// A client's current RM and its RM history (newest first); `None` if there is no such
    /// client. Admin only: no scope applies.
    pub async fn client_assignment(
        &self,
        client_id: i32,
    ) -> StoreResult<Option<pms_domain::admin::ClientAssignment>> {
        let Some(client) = sqlx::query!(
            r#"SELECT c.client_id, c.name, c.ws_client_code, c.status, c.rm_id, r.name AS "rm_name?"
               FROM dim_client c LEFT JOIN dim_rm r ON r.rm_id = c.rm_id WHERE c.client_id = $1"#,
            client_id
        )
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let history = sqlx::query!(
            r#"SELECT h.valid_from, h.valid_to, h.rm_id, r.name AS "rm_name?"
               FROM client_history h LEFT JOIN dim_rm r ON r.rm_id = h.rm_id
               WHERE h.client_id = $1 ORDER BY h.valid_from DESC LIMIT 50"#,
            client_id
        )
        .fetch_all(self.pool())
        .await?;
        // The history also records risk-profile changes; keep only the rows where the RM changed.
        let mut periods: Vec<(Option<i32>, pms_domain::admin::AssignmentPeriod)> = Vec::new();
        for row in history.into_iter().rev() {
            match periods.last_mut() {
                Some((rm, last)) if *rm == row.rm_id => last.valid_to = row.valid_to,
                _ => periods.push((
                    row.rm_id,
                    pms_domain::admin::AssignmentPeriod {
                        valid_from: row.valid_from,
                        valid_to: row.valid_to,
                        rm_name: row.rm_name,
                    },
                )),
            }
        }
        let periods = periods.into_iter().rev().map(|(_, p)| p).collect();
        let (assigned_in_app_at, salesforce_owner_differs) =
            sqlx::query_as::<_, (Option<DateTime<Utc>>, Option<String>)>(
                "SELECT c.rm_assigned_in_app_at, o.name
                 FROM dim_client c LEFT JOIN dim_rm o ON o.rm_id = c.sf_owner_rm_id AND c.rm_conflict
                 WHERE c.client_id = $1",
            )
            .bind(client_id)
            .fetch_one(self.pool())
            .await?;
        Ok(Some(pms_domain::admin::ClientAssignment {
            client_id: client.client_id,
            name: client.name,
            client_code: client.ws_client_code,
            status: client.status,
            rm_id: client.rm_id,
            rm_name: client.rm_name,
            assigned_in_app_at,
            salesforce_owner_differs,
            history: periods,
        }))
    }

    /// Clients whose RM was assigned in the Hub while Salesforce names another Account owner
    /// (the Hub's assignment stands; admins see the disagreement). Admin only: no scope.
    pub async fn rm_conflicts(
        &self,
        limit: i64,
    ) -> StoreResult<Vec<pms_domain::admin::RmConflict>> {
        let rows = sqlx::query_as::<_, (i32, String, Option<String>, Option<String>)>(
            "SELECT c.client_id, c.name, r.name, o.name
             FROM dim_client c
             LEFT JOIN dim_rm r ON r.rm_id = c.rm_id
             LEFT JOIN dim_rm o ON o.rm_id = c.sf_owner_rm_id
             WHERE c.rm_conflict
             ORDER BY c.name LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(client_id, name, rm_name, salesforce_owner)| pms_domain::admin::RmConflict {
                    client_id,
                    name,
                    rm_name,
                    salesforce_owner,
                },
            )
            .collect())
    }
}
