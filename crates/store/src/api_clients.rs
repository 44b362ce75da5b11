//! API clients, their tokens and the keys that sign them.

use chrono::{DateTime, Utc};
use pms_domain::identity::Role;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::Db;

#[derive(Clone, Debug)]
pub struct ApiClientRecord {
    pub client_id: Uuid,
    pub name: String,
    pub role: Role,
    pub subject_user_id: Option<i64>,
    pub secret_hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_issued_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct SigningKey {
    pub kid: String,
    pub salt: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// Whether a token may still be honoured.
#[derive(Clone, Debug)]
pub struct TokenStatus {
    pub client_id: Uuid,
    pub token_revoked: bool,
    pub client_revoked: bool,
}

struct ClientRow {
    client_id: Uuid,
    name: String,
    role: String,
    subject_user_id: Option<i64>,
    secret_hash: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    last_issued_at: Option<DateTime<Utc>>,
}

impl TryFrom<ClientRow> for ApiClientRecord {
    type Error = StoreError;
    fn try_from(r: ClientRow) -> Result<Self, StoreError> {
        Ok(ApiClientRecord {
            role: Role::from_code(&r.role)
                .ok_or_else(|| StoreError::Invalid(format!("unknown role {:?}", r.role)))?,
            client_id: r.client_id,
            name: r.name,
            subject_user_id: r.subject_user_id,
            secret_hash: r.secret_hash,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            last_issued_at: r.last_issued_at,
        })
    }
}

impl Db {
    pub async fn create_api_client(
        conn: &mut sqlx::PgConnection,
        name: &str,
        role: Role,
        subject_user_id: Option<i64>,
        secret_hash: &str,
        created_by: Option<i64>,
    ) -> StoreResult<Uuid> {
        let client_id = Uuid::new_v4();
        let res = sqlx::query!(
            "INSERT INTO api_client (client_id, name, role, subject_user_id, secret_hash, created_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
            client_id,
            name.trim(),
            role.code(),
            subject_user_id,
            secret_hash,
            created_by
        )
        .execute(&mut *conn)
        .await;
        match res {
            Ok(_) => Ok(client_id),
            Err(sqlx::Error::Database(e)) if e.constraint() == Some("api_client_name_key") => {
                Err(StoreError::Conflict(format!("an API client named {:?} already exists", name.trim())))
            }
            Err(sqlx::Error::Database(e)) if e.constraint() == Some("api_client_check") => Err(StoreError::Invalid(
                "a relationship-manager or portfolio-manager API client must act for a specific user".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn api_client(&self, client_id: Uuid) -> StoreResult<Option<ApiClientRecord>> {
        sqlx::query_as!(
            ClientRow,
            "SELECT c.client_id, c.name, c.role, c.subject_user_id, c.secret_hash, c.created_at, c.revoked_at,
                    (SELECT max(issued_at) FROM api_token t WHERE t.client_id = c.client_id) AS last_issued_at
             FROM api_client c WHERE c.client_id = $1",
            client_id
        )
        .fetch_optional(self.pool())
        .await?
        .map(ApiClientRecord::try_from)
        .transpose()
    }

    pub async fn list_api_clients(&self) -> StoreResult<Vec<ApiClientRecord>> {
        sqlx::query_as!(
            ClientRow,
            "SELECT c.client_id, c.name, c.role, c.subject_user_id, c.secret_hash, c.created_at, c.revoked_at,
                    (SELECT max(issued_at) FROM api_token t WHERE t.client_id = c.client_id) AS last_issued_at
             FROM api_client c ORDER BY c.revoked_at IS NOT NULL, c.name"
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(ApiClientRecord::try_from)
        .collect()
    }

    /// Revokes a client and, with it, every token it holds. True if it was active.
    pub async fn revoke_api_client(
        conn: &mut sqlx::PgConnection,
        client_id: Uuid,
    ) -> StoreResult<bool> {
        let res = sqlx::query!(
            "UPDATE api_client SET revoked_at = now() WHERE client_id = $1 AND revoked_at IS NULL",
            client_id
        )
        .execute(&mut *conn)
        .await?;
        Ok(res.rows_affected() == 1)
    }

    pub async fn revoke_api_token(&self, jti: Uuid) -> StoreResult<bool> {
        let res = sqlx::query!(
            "UPDATE api_token SET revoked_at = now() WHERE jti = $1 AND revoked_at IS NULL",
            jti
        )
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    pub async fn record_api_token(
        &self,
        jti: Uuid,
        client_id: Uuid,
        kid: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query!(
            "INSERT INTO api_token (jti, client_id, kid, expires_at) VALUES ($1, $2, $3, $4)",
            jti,
            client_id,
            kid,
            expires_at
        )
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn api_token_status(&self, jti: Uuid) -> StoreResult<Option<TokenStatus>> {
        let row = sqlx::query!(
            r#"SELECT t.client_id, t.revoked_at IS NOT NULL AS "token_revoked!", c.revoked_at IS NOT NULL AS "client_revoked!"
               FROM api_token t JOIN api_client c USING (client_id) WHERE t.jti = $1"#,
            jti
        )
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| TokenStatus {
            client_id: r.client_id,
            token_revoked: r.token_revoked,
            client_revoked: r.client_revoked,
        }))
    }

    // ----- signing keys -----------------------------------------------------------------------

    /// The newest key that is not retired: the one new tokens are signed with.
    pub async fn current_signing_key(&self) -> StoreResult<Option<SigningKey>> {
        Ok(sqlx::query_as!(
            SigningKey,
            "SELECT kid, salt, created_at, retired_at FROM api_signing_key
             WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1"
        )
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn signing_key(&self, kid: &str) -> StoreResult<Option<SigningKey>> {
        Ok(sqlx::query_as!(
            SigningKey,
            "SELECT kid, salt, created_at, retired_at FROM api_signing_key WHERE kid = $1",
            kid
        )
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn list_signing_keys(&self) -> StoreResult<Vec<SigningKey>> {
        Ok(sqlx::query_as!(SigningKey, "SELECT kid, salt, created_at, retired_at FROM api_signing_key ORDER BY created_at DESC")
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn add_signing_key(
        conn: &mut sqlx::PgConnection,
        kid: &str,
        salt: &[u8],
    ) -> StoreResult<()> {
        sqlx::query!(
            "INSERT INTO api_signing_key (kid, salt) VALUES ($1, $2)",
            kid,
            salt
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Retires every key but `keep`: tokens they signed stop verifying at once.
    pub async fn retire_signing_keys_except(
        conn: &mut sqlx::PgConnection,
        keep: &str,
    ) -> StoreResult<u64> {
        let res = sqlx::query!(
            "UPDATE api_signing_key SET retired_at = now() WHERE kid <> $1 AND retired_at IS NULL",
            keep
        )
        .execute(&mut *conn)
        .await?;
        Ok(res.rows_affected())
    }
}
