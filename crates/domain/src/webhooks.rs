//! Webhooks as the admin console shows them: subscribers, the events they receive and the
//! delivery log. Delivery, signing and retries are the server's (`pms_server::jobs::webhooks`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a subscriber can receive. `webhook.test` is sent to one subscriber on request.
pub const EVENTS: [(&str, &str); 3] = [
    ("load.completed", "A data load finished and its data is in"),
    (
        "load.failed",
        "A data load was rejected or failed (nothing was written)",
    ),
    (
        "compliance.breach",
        "The data breaches a compliance rule (an alert was opened)",
    ),
];

/// The event an admin's "Send test" delivers.
pub const TEST_EVENT: &str = "webhook.test";

/// How many times a delivery is tried before it is marked failed.
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait before retry `attempt` (1-based: after the first failure, 30 s), doubling each time
/// up to an hour, with `base_seconds` for the first wait.
pub fn retry_delay_seconds(attempt: i32, base_seconds: u64) -> u64 {
    let doublings = u32::try_from(attempt.max(1) - 1).unwrap_or(0).min(16);
    base_seconds.saturating_mul(1 << doublings).min(3600)
}

/// A subscriber, with how its recent deliveries went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriberView {
    pub subscriber_id: i64,
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub delivered: i64,
    pub pending: i64,
    pub failed: i64,
    pub last_delivered_at: Option<DateTime<Utc>>,
}

/// One entry of the delivery log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub delivery_id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub subscriber: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status, if it answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
}

/// The Webhooks tab.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhooksData {
    pub subscribers: Vec<SubscriberView>,
    pub deliveries: Vec<DeliveryView>,
}

/// A subscriber just registered: the only time its signing secret is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewSubscriber {
    pub name: String,
    pub secret: String,
}

/// Reads a subscriber's URL: http or https with a host, at most 2,000 characters.
pub fn check_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("Give the address as http://… or https://….")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || host.contains('@')
        || url.len() > 2000
        || url.chars().any(char::is_whitespace)
    {
        return Err("Give the receiver's full address, e.g. https://erp.example.in/hooks/hub (no spaces, no user name).".into());
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let waits: Vec<u64> = (1..=9).map(|a| retry_delay_seconds(a, 30)).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay_seconds(i32::MAX, 30), 3600);
        assert_eq!(retry_delay_seconds(0, 1), 1);
    }

    #[test]
    fn a_receiver_address_is_a_plain_http_url() {
        assert_eq!(
            check_url(" https://erp.example.in/hooks ").as_deref(),
            Ok("https://erp.example.in/hooks")
        );
        assert!(check_url("http://127.0.0.1:9000/x").is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "https://user:pw@host/",
            "javascript:alert(1)",
            "https://a b",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
