//! SOQL queries over the REST API: the first page, then `nextRecordsUrl` until `done`.

use serde_json::{Map, Value};

use super::client::SalesforceClient;
use crate::source::salesforce::auth::snippet;
use crate::source::salesforce::error::SfError;

impl SalesforceClient {
    /// Runs a SOQL query and returns every record of every page, as Salesforce sent them.
    pub async fn query(&self, soql: &str) -> Result<Vec<Map<String, Value>>, SfError> {
        self.query_as("the SOQL query", soql).await
    }

    pub(super) async fn query_as(
        &self,
        what: &str,
        soql: &str,
    ) -> Result<Vec<Map<String, Value>>, SfError> {
        let first_path = format!("/services/data/{}/query", self.config.api_version);
        let mut page = self.get_json(what, &first_path, &[("q", soql)]).await?;
        let mut records = Vec::new();
        let mut pages = 1usize;
        loop {
            let done = page.get("done").and_then(Value::as_bool).ok_or_else(|| {
                SfError::UnexpectedResponse {
                    what: what.to_string(),
                    status: 200,
                    detail: "the query result has no \"done\" flag".into(),
                }
            })?;
            match page.get_mut("records").map(Value::take) {
                Some(Value::Array(batch)) => {
                    for record in batch {
                        match record {
                            Value::Object(map) => records.push(map),
                            other => {
                                return Err(SfError::UnexpectedResponse {
                                    what: what.to_string(),
                                    status: 200,
                                    detail: format!(
                                        "a record is not a JSON object: {}",
                                        snippet(&other.to_string())
                                    ),
                                })
                            }
                        }
                    }
                }
                _ => {
                    return Err(SfError::UnexpectedResponse {
                        what: what.to_string(),
                        status: 200,
                        detail: "the query result has no \"records\" list".into(),
                    })
                }
            }
            if done {
                break;
            }
            let next = page
                .get("nextRecordsUrl")
                .and_then(Value::as_str)
                .ok_or_else(|| SfError::UnexpectedResponse {
                    what: what.to_string(),
                    status: 200,
                    detail: "the query result says it is not done but has no nextRecordsUrl".into(),
                })?;
            // Only ever follow a path on the same org: the request carries our access token.
            if !next.starts_with("/services/data/") {
                return Err(SfError::UnexpectedResponse {
                    what: what.to_string(),
                    status: 200,
                    detail: format!("nextRecordsUrl {next:?} is not a /services/data/ path; refusing to follow it"),
                });
            }
            let next = next.to_string();
            pages += 1;
            page = self.get_json(what, &next, &[]).await?;
        }
        tracing::debug!(
            what,
            pages,
            records = records.len(),
            "Salesforce query done"
        );
        Ok(records)
    }
}
