//! The signed-in connection: the HTTP client, sign-in and session refresh, every GET with its
//! retries and backoff, and the API usage the responses report.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde_json::Value;

use super::config::SalesforceConfig;
use super::usage::{ApiUsage, API_USAGE_WARNING_RATIO};
use crate::source::salesforce::auth::{describe_reqwest_error, request_token, snippet, SfToken};
use crate::source::salesforce::error::SfError;

/// A signed-in connection to the org. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct SalesforceClient {
    http: reqwest::Client,
    pub(super) config: SalesforceConfig,
    session: RwLock<Arc<SfToken>>,
    usage: Mutex<Option<ApiUsage>>,
    usage_warned: AtomicBool,
}

impl std::fmt::Debug for SalesforceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesforceClient")
            .field("config", &self.config)
            .field("instance_url", &self.instance_url())
            .field("api_usage", &self.api_usage())
            .finish()
    }
}

/// One failed attempt that is worth repeating.
struct Transient {
    reason: String,
    limit_exceeded: bool,
    network: bool,
    retry_after: Option<Duration>,
}

impl SalesforceClient {
    /// Checks the configuration and signs in.
    pub async fn connect(config: SalesforceConfig) -> Result<Self, SfError> {
        config.validate()?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(Duration::from_secs(30))
            .user_agent(concat!("pms-intelligence-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                SfError::Config(format!(
                    "the HTTP client could not be set up: {}",
                    describe_reqwest_error(&e)
                ))
            })?;
        let token = sign_in_with_retries(&http, &config).await?;
        tracing::info!(
            flow = config.auth.flow_name(),
            instance_url = %token.instance_url,
            "signed in to Salesforce"
        );
        Ok(Self {
            http,
            config,
            session: RwLock::new(Arc::new(token)),
            usage: Mutex::new(None),
            usage_warned: AtomicBool::new(false),
        })
    }

    pub fn config(&self) -> &SalesforceConfig {
        &self.config
    }

    /// The org's REST endpoint, as the latest sign-in reported it.
    pub fn instance_url(&self) -> String {
        self.token().instance_url.clone()
    }

    /// The org's API consumption as of the latest response, if Salesforce reported it.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        *self
            .usage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn token(&self) -> Arc<SfToken> {
        Arc::clone(
            &self
                .session
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Signs in again with the configured flow and uses the new access token from now on.
    pub async fn reauthenticate(&self) -> Result<(), SfError> {
        let token = sign_in_with_retries(&self.http, &self.config).await?;
        *self
            .session
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(token);
        Ok(())
    }

    /// One GET against the org with the session-refresh and backoff rules of the `api` module.
    /// `path` is relative to the instance URL; `params` become its query string.
    pub(super) async fn get_json(
        &self,
        what: &str,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, SfError> {
        let mut failures = 0u32;
        let mut refreshed = false;
        loop {
            let token = self.token();
            let url = format!("{}{}", token.instance_url.trim_end_matches('/'), path);
            let mut request = self
                .http
                .get(&url)
                .bearer_auth(&token.access_token)
                .header(reqwest::header::ACCEPT, "application/json");
            if !params.is_empty() {
                request = request.query(params);
            }
            if let Some(size) = self.config.page_size {
                request = request.header("Sforce-Query-Options", format!("batchSize={size}"));
            }
            let transient = match request.send().await {
                Err(e) => Transient {
                    reason: describe_reqwest_error(&e),
                    limit_exceeded: false,
                    network: true,
                    retry_after: None,
                },
                Ok(response) => {
                    self.note_usage(response.headers());
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    match response.text().await {
                        Err(e) => Transient {
                            reason: describe_reqwest_error(&e),
                            limit_exceeded: false,
                            network: true,
                            retry_after: None,
                        },
                        Ok(body) if status.is_success() => {
                            return serde_json::from_str(&body).map_err(|e| {
                                SfError::UnexpectedResponse {
                                    what: what.to_string(),
                                    status: status.as_u16(),
                                    detail: format!("{e}; body: {}", snippet(&body)),
                                }
                            })
                        }
                        Ok(body) => {
                            let (code, message) = api_error(&body);
                            if status == reqwest::StatusCode::UNAUTHORIZED
                                || code == "INVALID_SESSION_ID"
                            {
                                if refreshed {
                                    return Err(SfError::SessionRejected {
                                        what: what.to_string(),
                                        message,
                                    });
                                }
                                tracing::info!(
                                    what,
                                    "Salesforce session expired; signing in again"
                                );
                                refreshed = true;
                                self.reauthenticate().await?;
                                continue;
                            }
                            let limit_exceeded = code == "REQUEST_LIMIT_EXCEEDED";
                            if limit_exceeded
                                || status.is_server_error()
                                || status == reqwest::StatusCode::TOO_MANY_REQUESTS
                            {
                                let shown = if code.is_empty() {
                                    format!("HTTP {status}")
                                } else {
                                    format!("HTTP {status} {code}")
                                };
                                Transient {
                                    reason: format!("{shown}: {message}"),
                                    limit_exceeded,
                                    network: false,
                                    retry_after,
                                }
                            } else {
                                return Err(SfError::Api {
                                    what: what.to_string(),
                                    status: status.as_u16(),
                                    error_code: if code.is_empty() {
                                        format!("HTTP {}", status.as_u16())
                                    } else {
                                        code
                                    },
                                    message,
                                });
                            }
                        }
                    }
                }
            };
            failures += 1;
            if failures >= self.config.retry.max_attempts {
                return Err(if transient.network {
                    SfError::Unreachable {
                        what: what.to_string(),
                        reason: format!("{} (after {failures} attempts)", transient.reason),
                    }
                } else {
                    SfError::RetriesExhausted {
                        what: what.to_string(),
                        attempts: failures,
                        last: transient.reason,
                        limit_exceeded: transient.limit_exceeded,
                    }
                });
            }
            let delay = self.config.retry.delay(failures, transient.retry_after);
            tracing::warn!(
                what,
                attempt = failures,
                max_attempts = self.config.retry.max_attempts,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                reason = %transient.reason,
                "Salesforce request failed; retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    fn note_usage(&self, headers: &reqwest::header::HeaderMap) {
        let Some(usage) = headers
            .get("Sforce-Limit-Info")
            .and_then(|v| v.to_str().ok())
            .and_then(ApiUsage::from_header)
        else {
            return;
        };
        *self
            .usage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(usage);
        if usage.ratio() > API_USAGE_WARNING_RATIO {
            // Once per crossing, not once per page.
            if !self.usage_warned.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    used = usage.used,
                    limit = usage.limit,
                    "the Salesforce org has used {:.0}% of its daily API allowance; the Hub's pulls compete \
                     with every other integration for the rest",
                    usage.ratio() * 100.0
                );
            }
        } else {
            self.usage_warned.store(false, Ordering::Relaxed);
        }
    }
}

/// Signs in, retrying what is worth retrying (network errors, Salesforce 5xx).
async fn sign_in_with_retries(
    http: &reqwest::Client,
    config: &SalesforceConfig,
) -> Result<SfToken, SfError> {
    let mut failures = 0u32;
    loop {
        match request_token(http, &config.login_url, config.audience(), &config.auth).await {
            Ok(token) => return Ok(token),
            Err(e) => {
                let transient = match &e {
                    SfError::Unreachable { .. } => true,
                    SfError::UnexpectedResponse { status, .. } => *status >= 500,
                    _ => false,
                };
                failures += 1;
                if !transient || failures >= config.retry.max_attempts {
                    return Err(e);
                }
                let delay = config.retry.delay(failures, None);
                tracing::warn!(attempt = failures, error = %e, "Salesforce sign-in failed; retrying");
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// The first `errorCode` and `message` of a REST error body (`[{"message":…,"errorCode":…}]`).
fn api_error(body: &str) -> (String, String) {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let first = match &parsed {
        Some(Value::Array(items)) => items.first(),
        Some(obj @ Value::Object(_)) => Some(obj),
        _ => None,
    };
    match first {
        Some(item) => (
            item.get("errorCode")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            item.get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| snippet(body)),
        ),
        None => (String::new(), snippet(body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_errors() {
        assert_eq!(
            api_error(
                r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#
            ),
            (
                "INVALID_SESSION_ID".to_string(),
                "Session expired or invalid".to_string()
            )
        );
        assert_eq!(
            api_error("<html>down</html>"),
            (String::new(), "<html>down</html>".to_string())
        );
    }
}
