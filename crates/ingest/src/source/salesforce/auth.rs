//! Signing in to Salesforce: OAuth 2.0 against `{login_url}/services/oauth2/token`.
//!
//! Two server-to-server flows, both without a person in the loop:
//! - **JWT bearer** (RFC 7523 as Salesforce documents it): we sign a short-lived JWT with the
//!   connected app's private key (RS256); Salesforce checks it against the certificate uploaded
//!   to the app. Nothing secret crosses the wire, so this is the preferred flow.
//! - **Client credentials**: the connected app's consumer key and secret, for an app set up
//!   with "Enable Client Credentials Flow" and a run-as user.
//!
//! Neither flow returns a refresh token: when an access token expires we simply sign in again
//! (see [`super::api`]).

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use super::error::SfError;

/// `grant_type` of the JWT bearer flow.
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// How long the JWT assertion is valid: Salesforce accepts at most three minutes.
pub const ASSERTION_LIFETIME_SECS: i64 = 180;

/// How the Hub signs in to Salesforce.
#[derive(Clone)]
pub enum SfAuth {
    /// OAuth 2.0 JWT bearer flow.
    JwtBearer {
        /// The connected app's consumer key (the JWT's `iss`).
        client_id: String,
        /// The Salesforce username to act as (the JWT's `sub`).
        username: String,
        /// The connected app's RSA private key, PEM (PKCS#8 or PKCS#1).
        private_key_pem: String,
    },
    /// OAuth 2.0 client-credentials flow.
    ClientCredentials {
        client_id: String,
        client_secret: String,
    },
}

impl SfAuth {
    /// A short name for logs and messages.
    pub fn flow_name(&self) -> &'static str {
        match self {
            SfAuth::JwtBearer { .. } => "JWT bearer",
            SfAuth::ClientCredentials { .. } => "client credentials",
        }
    }

    pub fn client_id(&self) -> &str {
        match self {
            SfAuth::JwtBearer { client_id, .. } | SfAuth::ClientCredentials { client_id, .. } => {
                client_id
            }
        }
    }

    /// Checks what can be checked without Salesforce: the private key parses as an RSA key.
    pub fn check(&self) -> Result<(), SfError> {
        if self.client_id().trim().is_empty() {
            return Err(SfError::Config(
                "the connected app's consumer key (PMS_SF_CLIENT_ID) is empty".into(),
            ));
        }
        match self {
            SfAuth::JwtBearer {
                username,
                private_key_pem,
                ..
            } => {
                if username.trim().is_empty() {
                    return Err(SfError::Config(
                        "the username to sign in as (PMS_SF_USERNAME) is empty".into(),
                    ));
                }
                signing_key(private_key_pem).map(|_| ())
            }
            SfAuth::ClientCredentials { client_secret, .. } => {
                if client_secret.is_empty() {
                    return Err(SfError::Config(
                        "the consumer secret (PMS_SF_CLIENT_SECRET) is empty".into(),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// Secrets stay out of logs.
impl std::fmt::Debug for SfAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SfAuth::JwtBearer {
                client_id,
                username,
                ..
            } => f
                .debug_struct("JwtBearer")
                .field("client_id", client_id)
                .field("username", username)
                .field("private_key_pem", &"<redacted>")
                .finish(),
            SfAuth::ClientCredentials { client_id, .. } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("client_secret", &"<redacted>")
                .finish(),
        }
    }
}

/// A successful token response.
#[derive(Clone, Deserialize, Serialize)]
pub struct SfToken {
    pub access_token: String,
    /// Where this org's REST API lives, e.g. `https://yourfirm.my.salesforce.com`.
    pub instance_url: String,
    /// The identity URL (`https://login.salesforce.com/id/<org id>/<user id>`).
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    /// Milliseconds since the epoch, as a string (client credentials only).
    #[serde(default)]
    pub issued_at: Option<String>,
}

impl std::fmt::Debug for SfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SfToken")
            .field("access_token", &"<redacted>")
            .field("instance_url", &self.instance_url)
            .field("id", &self.id)
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .finish()
    }
}

/// The OAuth error body Salesforce sends with a refused sign-in.
#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
}

fn signing_key(private_key_pem: &str) -> Result<EncodingKey, SfError> {
    EncodingKey::from_rsa_pem(private_key_pem.as_bytes()).map_err(|e| SfError::PrivateKey {
        reason: e.to_string(),
    })
}

/// The signed JWT assertion of the bearer flow: `iss` = consumer key, `sub` = username,
/// `aud` = the login URL (`https://login.salesforce.com`, `https://test.salesforce.com` or a
/// My Domain / Experience Cloud URL), `exp` = `now` + 3 minutes; RS256.
pub fn jwt_assertion(
    client_id: &str,
    username: &str,
    audience: &str,
    private_key_pem: &str,
    now: DateTime<Utc>,
) -> Result<String, SfError> {
    let key = signing_key(private_key_pem)?;
    let exp = (now + ChronoDuration::seconds(ASSERTION_LIFETIME_SECS)).timestamp();
    let claims = AssertionClaims {
        iss: client_id,
        sub: username,
        aud: audience,
        exp,
    };
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key).map_err(|e| {
        SfError::PrivateKey {
            reason: e.to_string(),
        }
    })
}

/// The token endpoint under a login URL.
pub fn token_url(login_url: &str) -> String {
    format!("{}/services/oauth2/token", login_url.trim_end_matches('/'))
}

/// One sign-in attempt (no retries: see [`super::api::SalesforceClient`] for those).
///
/// `audience` is the JWT's `aud`, normally the login URL itself.
pub async fn request_token(
    http: &reqwest::Client,
    login_url: &str,
    audience: &str,
    auth: &SfAuth,
) -> Result<SfToken, SfError> {
    let url = token_url(login_url);
    let form: Vec<(&str, String)> = match auth {
        SfAuth::JwtBearer {
            client_id,
            username,
            private_key_pem,
        } => {
            let assertion =
                jwt_assertion(client_id, username, audience, private_key_pem, Utc::now())?;
            vec![
                ("grant_type", JWT_BEARER_GRANT_TYPE.to_string()),
                ("assertion", assertion),
            ]
        }
        SfAuth::ClientCredentials {
            client_id,
            client_secret,
        } => vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.clone()),
        ],
    };
    let what = format!("the {} sign-in at {url}", auth.flow_name());
    let response = http
        .post(&url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form)
        .send()
        .await
        .map_err(|e| SfError::Unreachable {
            what: what.clone(),
            reason: describe_reqwest_error(&e),
        })?;
    let status = response.status();
    let body = response.text().await.map_err(|e| SfError::Unreachable {
        what: what.clone(),
        reason: describe_reqwest_error(&e),
    })?;

    if status.is_success() {
        let token: SfToken =
            serde_json::from_str(&body).map_err(|e| SfError::UnexpectedResponse {
                what: what.clone(),
                status: status.as_u16(),
                detail: format!("{e}; body: {}", snippet(&body)),
            })?;
        if token.access_token.is_empty() {
            return Err(SfError::UnexpectedResponse {
                what,
                status: status.as_u16(),
                detail: "the token response has an empty access_token".into(),
            });
        }
        match url::Url::parse(&token.instance_url) {
            Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(token),
            _ => Err(SfError::UnexpectedResponse {
                what,
                status: status.as_u16(),
                detail: format!(
                    "the token response's instance_url {:?} is not a web address",
                    token.instance_url
                ),
            }),
        }
    } else if let Ok(err) = serde_json::from_str::<OAuthError>(&body) {
        Err(SfError::SignInRefused {
            status: status.as_u16(),
            error: err.error,
            description: err.error_description.unwrap_or_default(),
        })
    } else {
        Err(SfError::UnexpectedResponse {
            what,
            status: status.as_u16(),
            detail: snippet(&body),
        })
    }
}

/// The first few hundred characters of a response body, for messages.
pub(crate) fn snippet(body: &str) -> String {
    const MAX: usize = 300;
    let body = body.trim();
    if body.is_empty() {
        return "(empty body)".into();
    }
    match body.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &body[..cut]),
        None => body.to_string(),
    }
}

/// reqwest's error with its causes (the top-level message alone is often just "error sending
/// request").
pub(crate) fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
