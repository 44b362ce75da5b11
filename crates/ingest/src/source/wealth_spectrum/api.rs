//! The Wealth Spectrum HTTP JSON adapter, for firms whose Wealth Spectrum exposes its reports
//! over HTTP. `GET {base}/v1/reports/{report}?since=YYYY-MM-DD&page_size=N` with the header
//! `X-API-Key`, answering `{"data": [{"COLUMN": value, …}, …], "next": "<url or null>"}`; the
//! columns are the report's export columns, so the same mapping profile, validation and merge
//! apply. Amounts should be JSON strings (or numbers of at most 15 significant digits) so no
//! paisa is lost on the way.

use std::time::Duration;

use chrono::NaiveDate;
use serde::Deserialize;
use url::Url;

use crate::report::ReportKind;
use crate::source::wealth_spectrum::table::Table;

#[derive(Clone)]
pub struct WsApiConfig {
    pub base_url: Url,
    pub api_key: String,
    pub page_size: u32,
    pub max_attempts: u32,
    pub retry_base: Duration,
}

impl std::fmt::Debug for WsApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsApiConfig")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &"…")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WsApiError {
    #[error("Wealth Spectrum API settings: {0}")]
    Config(String),
    #[error("Wealth Spectrum API unreachable at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("Wealth Spectrum API refused the API key (HTTP {0}): check PMS_WS_API_KEY")]
    Unauthorized(u16),
    #[error("Wealth Spectrum API answered HTTP {status} for {report} after {attempts} attempt(s): {body}")]
    Http {
        report: &'static str,
        status: u16,
        attempts: u32,
        body: String,
    },
    #[error("Wealth Spectrum API sent something other than report pages for {report}: {reason}")]
    Malformed {
        report: &'static str,
        reason: String,
    },
}

impl WsApiConfig {
    /// From `PMS_WS_API_URL` and `PMS_WS_API_KEY`; `Ok(None)` when the URL is unset.
    pub fn from_env() -> Result<Option<Self>, WsApiError> {
        let Some(url) = std::env::var("PMS_WS_API_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
        else {
            return Ok(None);
        };
        let base_url = Url::parse(url.trim())
            .map_err(|e| WsApiError::Config(format!("PMS_WS_API_URL {url:?}: {e}")))?;
        let api_key = std::env::var("PMS_WS_API_KEY")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                WsApiError::Config("PMS_WS_API_URL is set but PMS_WS_API_KEY is not".into())
            })?;
        Ok(Some(Self::new(base_url, api_key)))
    }

    pub fn new(base_url: Url, api_key: String) -> Self {
        Self {
            base_url,
            api_key,
            page_size: 5000,
            max_attempts: 4,
            retry_base: Duration::from_millis(500),
        }
    }
}

#[derive(Deserialize)]
struct Page {
    data: Vec<serde_json::Map<String, serde_json::Value>>,
    next: Option<String>,
}

/// Fetches every page of `report` (changed since `since`, if given) as a table.
pub async fn fetch_report(
    config: &WsApiConfig,
    report: ReportKind,
    since: Option<NaiveDate>,
) -> Result<Table, WsApiError> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| WsApiError::Config(e.to_string()))?;
    let mut url = config
        .base_url
        .join(&format!("v1/reports/{}", report.code()))
        .map_err(|e| WsApiError::Config(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("page_size", &config.page_size.to_string());
    if let Some(since) = since {
        url.query_pairs_mut()
            .append_pair("since", &since.format("%Y-%m-%d").to_string());
    }
    let mut records = Vec::new();
    let mut next = Some(url);
    while let Some(page_url) = next.take() {
        let page = fetch_page(&http, config, report, &page_url).await?;
        records.extend(page.data);
        next = match page.next.filter(|n| !n.is_empty()) {
            // Follow only links on the configured host, so the key never leaves it.
            Some(link) => {
                let joined = config
                    .base_url
                    .join(&link)
                    .map_err(|e| WsApiError::Malformed {
                        report: report.code(),
                        reason: e.to_string(),
                    })?;
                if joined.host_str() != config.base_url.host_str()
                    || joined.port_or_known_default() != config.base_url.port_or_known_default()
                {
                    return Err(WsApiError::Malformed {
                        report: report.code(),
                        reason: format!("next link {link:?} points to another host"),
                    });
                }
                Some(joined)
            }
            None => None,
        };
    }
    Ok(Table::from_records(records))
}

async fn fetch_page(
    http: &reqwest::Client,
    config: &WsApiConfig,
    report: ReportKind,
    url: &Url,
) -> Result<Page, WsApiError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let response = http
            .get(url.clone())
            .header("X-API-Key", &config.api_key)
            .header("Accept", "application/json")
            .send()
            .await;
        let retry = match response {
            Err(e) if attempt >= config.max_attempts => {
                return Err(WsApiError::Unreachable {
                    url: url.to_string(),
                    reason: e.to_string(),
                });
            }
            Err(_) => true,
            Ok(r) => {
                let status = r.status().as_u16();
                if status == 401 || status == 403 {
                    return Err(WsApiError::Unauthorized(status));
                }
                if r.status().is_success() {
                    return r.json::<Page>().await.map_err(|e| WsApiError::Malformed {
                        report: report.code(),
                        reason: e.to_string(),
                    });
                }
                let transient = status == 429 || r.status().is_server_error();
                if !transient || attempt >= config.max_attempts {
                    let body = r
                        .text()
                        .await
                        .unwrap_or_default()
                        .chars()
                        .take(300)
                        .collect();
                    return Err(WsApiError::Http {
                        report: report.code(),
                        status,
                        attempts: attempt,
                        body,
                    });
                }
                true
            }
        };
        if retry {
            tokio::time::sleep(config.retry_base * 2u32.saturating_pow(attempt - 1)).await;
        }
    }
}
