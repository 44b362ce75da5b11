//! Users, sign-in throttling, second factor, invitations, strategy assignments and role policy.

use chrono::{DateTime, Utc};
use pms_domain::identity::Role;

use crate::error::{StoreError, StoreResult};
use crate::Db;

/// A user as stored (the password hash and TOTP secret never leave the server).
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub rm_id: Option<i32>,
    pub password_hash: Option<String>,
    pub is_active: bool,
    pub totp_secret: Option<Vec<u8>>,
    pub totp_enabled_at: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// When the password was last set: sessions that began before it have ended.
    pub password_changed_at: Option<DateTime<Utc>>,
}

impl UserRecord {
    pub fn mfa_enabled(&self) -> bool {
        self.totp_enabled_at.is_some()
    }
}

/// Sign-in failures counted for an e-mail address from one source address.
#[derive(Clone, Debug, Default)]
pub struct Throttle {
    pub failures: i32,
    /// Sign-in from this source is refused until then.
    pub locked_until: Option<DateTime<Utc>>,
}

impl Throttle {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

/// How sign-in failures from one source slow that source down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before the first lock.
    pub free: i32,
    /// The first lock's length; each further failure doubles it.
    pub base_lock: std::time::Duration,
    /// The longest lock.
    pub max_lock: std::time::Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free: 5,
            base_lock: std::time::Duration::from_secs(60),
            max_lock: std::time::Duration::from_secs(3600),
        }
    }
}

impl ThrottlePolicy {
    /// The lock that the `failures`-th failure starts, if any.
    pub fn lock_after(&self, failures: i32) -> Option<std::time::Duration> {
        let over = failures.checked_sub(self.free)?;
        if over < 0 {
            return None;
        }
        let factor = 1u32.checked_shl(over.min(31) as u32).unwrap_or(u32::MAX);
        Some(self.base_lock.saturating_mul(factor).min(self.max_lock))
    }
}

/// What an admin sets when creating a user.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub rm_id: Option<i32>,
    pub password_hash: Option<String>,
    pub created_by: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    user_id: i64,
    email: String,
    display_name: String,
    role: String,
    rm_id: Option<i32>,
    password_hash: Option<String>,
    is_active: bool,
    totp_secret: Option<Vec<u8>>,
    totp_enabled_at: Option<DateTime<Utc>>,
    last_login_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    password_changed_at: Option<DateTime<Utc>>,
}

impl TryFrom<UserRow> for UserRecord {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        let role = Role::from_code(&r.role).ok_or_else(|| {
            StoreError::Invalid(format!("user {} has unknown role {:?}", r.user_id, r.role))
        })?;
        Ok(UserRecord {
            user_id: r.user_id,
            email: r.email,
            display_name: r.display_name,
            role,
            rm_id: r.rm_id,
            password_hash: r.password_hash,
            is_active: r.is_active,
            totp_secret: r.totp_secret,
            totp_enabled_at: r.totp_enabled_at,
            last_login_at: r.last_login_at,
            created_at: r.created_at,
            password_changed_at: r.password_changed_at,
        })
    }
}

/// Normalises an e-mail address the one way it is stored and compared.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Db {
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        self.user_where("email = $1", normalise_email(email)).await
    }

    pub async fn user_by_id(&self, user_id: i64) -> StoreResult<Option<UserRecord>> {
        self.user_where("user_id = $1", user_id).await
    }

    async fn user_where<T>(&self, condition: &str, key: T) -> StoreResult<Option<UserRecord>>
    where
        T: 'static + Send + for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        let sql = format!(
            "SELECT user_id, email, display_name, role, rm_id, password_hash, is_active, totp_secret,
                    totp_enabled_at, last_login_at, created_at, password_changed_at
             FROM app_user WHERE {condition}"
        );
        let row = sqlx::query_as::<_, UserRow>(&sql)
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        row.map(UserRecord::try_from).transpose()
    }

    pub async fn create_user(conn: &mut sqlx::PgConnection, new: &NewUser) -> StoreResult<i64> {
        let result = sqlx::query_scalar!(
            "INSERT INTO app_user (email, display_name, role, rm_id, password_hash, password_changed_at, created_by)
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $5::text IS NULL THEN NULL ELSE now() END, $6)
             RETURNING user_id",
            normalise_email(&new.email),
            new.display_name.trim(),
            new.role.code(),
            new.rm_id,
            new.password_hash,
            new.created_by
        )
        .fetch_one(&mut *conn)
        .await;
        match result {
            Ok(id) => Ok(id),
            Err(sqlx::Error::Database(e)) if e.constraint() == Some("app_user_email") => {
                Err(StoreError::Conflict(format!(
                    "a user with e-mail {} already exists",
                    normalise_email(&new.email)
                )))
            }
            Err(sqlx::Error::Database(e)) if e.constraint() == Some("app_user_rm_id_key") => {
                Err(StoreError::Conflict(
                    "that relationship manager is already linked to another user".into(),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Sets a new password hash; returns when it took effect (the cut-off for older sessions).
    pub async fn set_password_hash(
        conn: &mut sqlx::PgConnection,
        user_id: i64,
        hash: &str,
    ) -> StoreResult<DateTime<Utc>> {
        let changed_at = sqlx::query_scalar::<_, DateTime<Utc>>(
            "UPDATE app_user SET password_hash = $2, password_changed_at = clock_timestamp(),
                                 updated_at = now()
             WHERE user_id = $1 RETURNING password_changed_at",
        )
        .bind(user_id)
        .bind(hash)
        .fetch_optional(&mut *conn)
        .await?;
        changed_at.ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))
    }

    /// A successful sign-in: clears the failures counted against this address from `source`
    /// (other sources' counters stand: the right password from here says nothing about them).
    pub async fn record_login(
        conn: &mut sqlx::PgConnection,
        user_id: i64,
        email: &str,
        source: &str,
    ) -> StoreResult<()> {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::query("UPDATE app_user SET last_login_at = now() WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM login_failure WHERE email = $1 AND source = $2")
            .bind(normalise_email(email))
            .bind(source)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- throttling -----------------------------------------------------------------------

    /// The failures counted against `email` from `source`.
    pub async fn login_throttle(&self, email: &str, source: &str) -> StoreResult<Throttle> {
        let row = sqlx::query_as::<_, (i32, Option<DateTime<Utc>>)>(
            "SELECT failures, locked_until FROM login_failure WHERE email = $1 AND source = $2",
        )
        .bind(normalise_email(email))
        .bind(source)
        .fetch_optional(self.pool())
        .await?;
        Ok(row
            .map(|(failures, locked_until)| Throttle {
                failures,
                locked_until,
            })
            .unwrap_or_default())
    }

    /// Counts a failed sign-in from `source`. From the `free`-th failure on, that source is
    /// locked out of the address for `base_lock` × 2^(failures − free), at most `max_lock`.
    pub async fn record_login_failure(
        &self,
        email: &str,
        source: &str,
        policy: &ThrottlePolicy,
    ) -> StoreResult<Throttle> {
        let (failures, locked_until) = sqlx::query_as::<_, (i32, Option<DateTime<Utc>>)>(
            "INSERT INTO login_failure AS f (email, source, failures, last_failure_at)
             VALUES ($1, $2, 1, now())
             ON CONFLICT (email, source) DO UPDATE SET
                 failures = f.failures + 1, last_failure_at = now()
             RETURNING failures, locked_until",
        )
        .bind(normalise_email(email))
        .bind(source)
        .fetch_one(self.pool())
        .await?;
        let Some(lock) = policy.lock_after(failures) else {
            return Ok(Throttle {
                failures,
                locked_until,
            });
        };
        let locked_until = sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
            "UPDATE login_failure SET locked_until = now() + make_interval(secs => $3)
             WHERE email = $1 AND source = $2 RETURNING locked_until",
        )
        .bind(normalise_email(email))
        .bind(source)
        .bind(lock.as_secs_f64())
        .fetch_one(self.pool())
        .await?;
        Ok(Throttle {
            failures,
            locked_until,
        })
    }

    /// Admin unlock: clears every source's failures for a user's address. True if any source
    /// was locked out at the time.
    pub async fn unlock_login(conn: &mut sqlx::PgConnection, email: &str) -> StoreResult<bool> {
        let was_locked = sqlx::query_scalar::<_, bool>(
            "WITH gone AS (DELETE FROM login_failure WHERE email = $1 RETURNING locked_until)
             SELECT coalesce(bool_or(locked_until > now()), false) FROM gone",
        )
        .bind(normalise_email(email))
        .fetch_one(&mut *conn)
        .await?;
        Ok(was_locked)
    }

    // ----- second factor ----------------------------------------------------------------------

    /// Turns on the second factor with its (encrypted) secret and replaces the recovery codes
    /// (stored hashed), in one step.
    pub async fn enable_totp(
        conn: &mut sqlx::PgConnection,
        user_id: i64,
        sealed_secret: &[u8],
        recovery_code_hashes: &[String],
    ) -> StoreResult<()> {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::query!(
            "UPDATE app_user SET totp_secret = $2, totp_enabled_at = now(), totp_last_step = NULL, updated_at = now()
             WHERE user_id = $1",
            user_id,
            sealed_secret
        )
        .execute(&mut *tx)
        .await?;
        Self::replace_recovery_codes(&mut tx, user_id, recovery_code_hashes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a user's recovery codes (stored hashed) with `recovery_code_hashes`.
    pub async fn replace_recovery_codes(
        conn: &mut sqlx::PgConnection,
        user_id: i64,
        recovery_code_hashes: &[String],
    ) -> StoreResult<()> {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::query!("DELETE FROM user_recovery_code WHERE user_id = $1", user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT INTO user_recovery_code (user_id, code_hash) SELECT $1, unnest($2::text[])",
            user_id,
            recovery_code_hashes
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Admin "reset MFA": removes the second factor and the recovery codes.
    pub async fn reset_totp(conn: &mut sqlx::PgConnection, user_id: i64) -> StoreResult<()> {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::query!(
            "UPDATE app_user SET totp_secret = NULL, totp_enabled_at = NULL, updated_at = now() WHERE user_id = $1",
            user_id
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!("DELETE FROM user_recovery_code WHERE user_id = $1", user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses up a recovery code; true if it was valid and unused.
    pub async fn use_recovery_code(&self, user_id: i64, code_hash: &str) -> StoreResult<bool> {
        let res = sqlx::query!(
            "UPDATE user_recovery_code SET used_at = now()
             WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            user_id,
            code_hash
        )
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    pub async fn remaining_recovery_codes(&self, user_id: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM user_recovery_code WHERE user_id = $1 AND used_at IS NULL"#,
            user_id
        )
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn mfa_required(&self, role: Role) -> StoreResult<bool> {
        Ok(sqlx::query_scalar!(
            "SELECT mfa_required FROM role_policy WHERE role = $1",
            role.code()
        )
        .fetch_optional(self.pool())
        .await?
        .unwrap_or(false))
    }
}

impl Db {
    /// Accepts a TOTP time step only if it is later than the last one used (no replay).
    pub async fn claim_totp_step(&self, user_id: i64, step: i64) -> StoreResult<bool> {
        let res = sqlx::query!(
            "UPDATE app_user SET totp_last_step = $2
             WHERE user_id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            user_id,
            step
        )
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }
}
