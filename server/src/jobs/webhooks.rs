//! Delivers webhook events from the outbox (`webhook_delivery`): every two seconds a server
//! claims the due deliveries (several instances share them: `FOR UPDATE SKIP LOCKED`, and a
//! lease so a crash loses nothing), POSTs each, signed (`pms_auth::webhook_signature`), and
//! records the outcome — delivered on a 2xx; otherwise tried again after 30 s, 1 min, 2 min …
//! (at most an hour apart), and marked failed after `MAX_ATTEMPTS`.

use std::time::Duration;

use chrono::Utc;
use pms_auth::MasterKey;
use pms_domain::webhooks::{retry_delay_seconds, MAX_ATTEMPTS};
use pms_store::webhooks::DueDelivery;
use pms_store::Db;
use serde_json::json;

/// Deliveries claimed at a time.
const BATCH: i64 = 20;
/// How long a claimed delivery is kept from other instances (longer than a send can take).
const LEASE_SECONDS: f64 = 60.0;
/// How long a receiver may take to answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// The wait before the first retry, unless `PMS_WEBHOOK_RETRY_SECONDS` says otherwise.
const DEFAULT_RETRY_SECONDS: u64 = 30;

/// How deliveries are sent.
#[derive(Clone)]
pub struct Sender {
    http: reqwest::Client,
    retry_base_seconds: u64,
}

impl Sender {
    pub fn new(retry_base_seconds: u64) -> Self {
        let http = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            // A receiver's address is the one an admin registered, not one it redirects to.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "PMS-Intelligence-Hub-Webhooks/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .unwrap_or_default();
        Self {
            http,
            retry_base_seconds,
        }
    }

    /// Sends every delivery due now; returns how many were attempted.
    pub async fn deliver_due(
        &self,
        db: &Db,
        keys: &MasterKey,
    ) -> Result<usize, pms_store::StoreError> {
        let mut attempted = 0;
        loop {
            let due = db.claim_webhook_deliveries(BATCH, LEASE_SECONDS).await?;
            if due.is_empty() {
                return Ok(attempted);
            }
            attempted += due.len();
            for delivery in due {
                let (delivered, status, error) = self.send(keys, &delivery).await;
                let retry = (!delivered && delivery.attempts < MAX_ATTEMPTS).then(|| {
                    retry_delay_seconds(delivery.attempts, self.retry_base_seconds) as f64
                });
                if !delivered {
                    tracing::warn!(delivery = delivery.delivery_id, url = %delivery.url, status, error = error.as_deref(),
                        attempts = delivery.attempts, "webhook delivery failed");
                }
                db.record_webhook_attempt(
                    delivery.delivery_id,
                    delivered,
                    status,
                    error.as_deref(),
                    retry,
                )
                .await?;
            }
        }
    }

    /// One attempt: (delivered, the receiver's status, what went wrong).
    async fn send(&self, keys: &MasterKey, d: &DueDelivery) -> (bool, Option<i32>, Option<String>) {
        let secret = match keys.open(&d.secret_sealed).map(String::from_utf8) {
            Ok(Ok(secret)) => secret,
            _ => {
                return (
                    false,
                    None,
                    Some("the signing secret cannot be read with this server's master key".into()),
                )
            }
        };
        let body = json!({
            "type": d.event_type,
            "timestamp": d.created_at,
            "data": d.payload,
        })
        .to_string();
        let id = format!("evt_{}", d.event_id);
        let timestamp = Utc::now().timestamp();
        let signature =
            match pms_auth::webhook_signature::sign(&secret, &id, timestamp, body.as_bytes()) {
                Ok(s) => s,
                Err(e) => return (false, None, Some(format!("cannot sign: {e}"))),
            };
        let sent = self
            .http
            .post(&d.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                (true, Some(i32::from(response.status().as_u16())), None)
            }
            Ok(response) => {
                let status = response.status();
                (
                    false,
                    Some(i32::from(status.as_u16())),
                    Some(format!("the receiver answered {status}")),
                )
            }
            Err(e) => (false, None, Some(short(&e.to_string()))),
        }
    }
}

fn short(text: &str) -> String {
    text.chars().take(300).collect()
}

/// The retry base from `PMS_WEBHOOK_RETRY_SECONDS` (whole seconds from 1), else 30 s.
pub fn retry_base(value: Option<&str>) -> Result<u64, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_RETRY_SECONDS),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=3600).contains(n))
            .ok_or_else(|| {
                format!("PMS_WEBHOOK_RETRY_SECONDS={v:?}: use whole seconds from 1 to 3600")
            }),
    }
}

/// Delivers every two seconds for as long as the process runs.
pub fn spawn(db: Db, keys: MasterKey, sender: Sender) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sender.deliver_due(&db, &keys).await {
                tracing::warn!(error = %e, "cannot deliver webhooks");
            }
        }
    });
}
