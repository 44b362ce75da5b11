//! REST API access for other systems.
//!
//! An admin registers an API client (a name, a role, and for RM/PM roles the user whose data
//! scope it carries) and hands its secret to the other system once. The system exchanges
//! `client_id` + secret for a short-lived token (a JWT, HS256) and sends it as
//! `Authorization: Bearer …`. Tokens name their signing key (`kid`); keys rotate without
//! breaking tokens in flight, retiring a key invalidates what it signed, and revoking a token
//! or a whole client takes effect at the next request.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use pms_domain::identity::Role;
use pms_store::api_clients::ApiClientRecord;
use pms_store::Db;

use crate::{AuthError, MasterKey};

const ISSUER: &str = "pms-hub";
const AUDIENCE: &str = "pms-hub-api";
const KEY_PURPOSE: &str = "api-token-signing";
/// Tokens live at most this long; clients come back for a new one.
pub const MAX_TTL: Duration = Duration::hours(1);
pub const DEFAULT_TTL: Duration = Duration::minutes(15);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    /// The API client.
    sub: String,
    jti: String,
    iat: i64,
    exp: i64,
    role: String,
}

/// A freshly issued token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub jti: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// A client created by an admin; `secret` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub client_id: Uuid,
    pub secret: String,
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Registers an API client in the caller's transaction (the use case audits it in the same
/// one); returns its id and its secret, which exists only in this answer.
pub async fn create_client(
    conn: &mut sqlx::PgConnection,
    name: &str,
    role: Role,
    subject_user_id: Option<i64>,
    created_by: Option<i64>,
) -> Result<NewClient, AuthError> {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let secret = format!("pmss_{}", hex::encode(raw));
    let client_id = Db::create_api_client(
        conn,
        name,
        role,
        subject_user_id,
        &hash_secret(&secret),
        created_by,
    )
    .await?;
    Ok(NewClient { client_id, secret })
}

/// Creates a new signing key and makes it current. Older keys keep verifying the tokens they
/// signed (at most [`MAX_TTL`] old) until retired.
pub async fn rotate_signing_key(conn: &mut sqlx::PgConnection) -> Result<String, AuthError> {
    let mut salt = [0u8; 32];
    rand::rng().fill_bytes(&mut salt);
    let kid = format!("k{}", Utc::now().format("%Y%m%d%H%M%S%3f"));
    Db::add_signing_key(conn, &kid, &salt).await?;
    Ok(kid)
}

/// Exchanges a client's credentials for a token.
pub async fn issue(
    db: &Db,
    key: &MasterKey,
    client_id: Uuid,
    secret: &str,
    ttl: Duration,
) -> Result<(IssuedToken, ApiClientRecord), AuthError> {
    let refused = || AuthError::InvalidToken("unknown client or wrong secret".into());
    let client = db.api_client(client_id).await?.ok_or_else(refused)?;
    let matches: bool = hash_secret(secret)
        .as_bytes()
        .ct_eq(client.secret_hash.as_bytes())
        .into();
    if !matches {
        return Err(refused());
    }
    if client.revoked_at.is_some() {
        return Err(AuthError::InvalidToken(
            "this API client has been revoked".into(),
        ));
    }
    let signing = match db.current_signing_key().await? {
        Some(k) => k,
        None => {
            // The first token ever issued makes the first key.
            let mut conn = db
                .pool()
                .acquire()
                .await
                .map_err(pms_store::StoreError::from)?;
            let kid = rotate_signing_key(&mut conn).await?;
            db.signing_key(&kid)
                .await?
                .ok_or_else(|| AuthError::InvalidToken("signing key vanished".into()))?
        }
    };
    let ttl = ttl.clamp(Duration::minutes(1), MAX_TTL);
    let now = Utc::now();
    let expires_at = now + ttl;
    let jti = Uuid::new_v4();
    let claims = Claims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: client.client_id.to_string(),
        jti: jti.to_string(),
        iat: now.timestamp(),
        exp: expires_at.timestamp(),
        role: client.role.code().into(),
    };
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(signing.kid.clone());
    let secret_key = key.derive(KEY_PURPOSE, &signing.salt);
    let token = encode(&header, &claims, &EncodingKey::from_secret(&secret_key))
        .map_err(|e| AuthError::InvalidToken(format!("cannot sign: {e}")))?;
    db.record_api_token(jti, client.client_id, &signing.kid, expires_at)
        .await?;
    Ok((
        IssuedToken {
            token,
            jti,
            expires_at,
        },
        client,
    ))
}

/// The client and token id a bearer token stands for, if it is genuine, current and not
/// revoked.
pub async fn verify(
    db: &Db,
    key: &MasterKey,
    token: &str,
) -> Result<(ApiClientRecord, Uuid), AuthError> {
    let invalid = |why: &str| AuthError::InvalidToken(why.to_owned());
    let header = decode_header(token).map_err(|_| invalid("malformed token"))?;
    if header.alg != Algorithm::HS256 {
        return Err(invalid("unexpected signing algorithm"));
    }
    let kid = header
        .kid
        .ok_or_else(|| invalid("token names no signing key"))?;
    let signing = db
        .signing_key(&kid)
        .await?
        .ok_or_else(|| invalid("unknown signing key"))?;
    if signing.retired_at.is_some() {
        return Err(invalid("the key that signed this token has been retired"));
    }
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.leeway = 30;
    let secret_key = key.derive(KEY_PURPOSE, &signing.salt);
    let claims = decode::<Claims>(token, &DecodingKey::from_secret(&secret_key), &validation)
        .map_err(|e| AuthError::InvalidToken(e.to_string()))?
        .claims;
    let jti: Uuid = claims.jti.parse().map_err(|_| invalid("bad token id"))?;
    let status = db
        .api_token_status(jti)
        .await?
        .ok_or_else(|| invalid("unknown token"))?;
    if status.token_revoked {
        return Err(invalid("this token has been revoked"));
    }
    if status.client_revoked {
        return Err(invalid("this API client has been revoked"));
    }
    if status.client_id.to_string() != claims.sub {
        return Err(invalid("token does not belong to its client"));
    }
    let client = db
        .api_client(status.client_id)
        .await?
        .ok_or_else(|| invalid("unknown client"))?;
    Ok((client, jti))
}
