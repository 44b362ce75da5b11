//! Webhooks: subscribers, the outbox of events (written by `webhook_emit` in the transaction of
//! the change, see migration 0022) and the deliveries, which any server instance may claim.

use chrono::{DateTime, Utc};
use pms_domain::webhooks::{DeliveryView, SubscriberView};
use sqlx::PgConnection;

use crate::error::StoreResult;
use crate::Db;

/// A delivery claimed for sending: where, what, and the sealed secret to sign it with.
#[derive(Debug, sqlx::FromRow)]
pub struct DueDelivery {
    pub delivery_id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub url: String,
    pub secret_sealed: Vec<u8>,
    /// Including this one.
    pub attempts: i32,
}

#[derive(sqlx::FromRow)]
struct SubscriberRow {
    subscriber_id: i64,
    name: String,
    url: String,
    events: Vec<String>,
    active: bool,
    created_at: DateTime<Utc>,
    delivered: i64,
    pending: i64,
    failed: i64,
    last_delivered_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    delivery_id: i64,
    event_id: i64,
    event_type: String,
    subscriber: String,
    status: String,
    attempts: i32,
    created_at: DateTime<Utc>,
    last_attempt_at: Option<DateTime<Utc>>,
    next_attempt_at: DateTime<Utc>,
    last_status: Option<i32>,
    last_error: Option<String>,
}

impl Db {
    /// Every subscriber with the counts of its deliveries, newest first.
    pub async fn webhook_subscribers(&self) -> StoreResult<Vec<SubscriberView>> {
        let rows: Vec<SubscriberRow> = sqlx::query_as(
            "SELECT s.subscriber_id, s.name, s.url, s.events, s.active, s.created_at,
                    count(*) FILTER (WHERE d.status = 'delivered') AS delivered,
                    count(*) FILTER (WHERE d.status = 'pending') AS pending,
                    count(*) FILTER (WHERE d.status = 'failed') AS failed,
                    max(d.delivered_at) AS last_delivered_at
             FROM webhook_subscriber s LEFT JOIN webhook_delivery d USING (subscriber_id)
             GROUP BY s.subscriber_id ORDER BY s.subscriber_id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| SubscriberView {
                subscriber_id: r.subscriber_id,
                name: r.name,
                url: r.url,
                events: r.events,
                active: r.active,
                created_at: r.created_at,
                delivered: r.delivered,
                pending: r.pending,
                failed: r.failed,
                last_delivered_at: r.last_delivered_at,
            })
            .collect())
    }

    /// The latest `limit` deliveries, newest first.
    pub async fn webhook_deliveries(&self, limit: i64) -> StoreResult<Vec<DeliveryView>> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(
            "SELECT d.delivery_id, d.event_id, e.event_type, s.name AS subscriber, d.status, d.attempts,
                    e.created_at, d.last_attempt_at, d.next_attempt_at, d.last_status, d.last_error
             FROM webhook_delivery d JOIN webhook_event e USING (event_id)
             JOIN webhook_subscriber s USING (subscriber_id)
             ORDER BY d.delivery_id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| DeliveryView {
                next_attempt_at: (r.status == "pending").then_some(r.next_attempt_at),
                delivery_id: r.delivery_id,
                event_id: r.event_id,
                event_type: r.event_type,
                subscriber: r.subscriber,
                status: r.status,
                attempts: r.attempts,
                created_at: r.created_at,
                last_attempt_at: r.last_attempt_at,
                last_status: r.last_status,
                last_error: r.last_error,
            })
            .collect())
    }

    pub async fn add_webhook_subscriber(
        conn: &mut PgConnection,
        name: &str,
        url: &str,
        events: &[String],
        secret_sealed: &[u8],
        created_by: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO webhook_subscriber (name, url, events, secret_sealed, created_by)
             VALUES ($1, $2, $3, $4, $5) RETURNING subscriber_id",
        )
        .bind(name)
        .bind(url)
        .bind(events)
        .bind(secret_sealed)
        .bind(created_by)
        .fetch_one(conn)
        .await?)
    }

    /// Pauses or resumes a subscriber; its name, if it exists. A paused subscriber's pending
    /// deliveries wait; it receives no new events.
    pub async fn set_webhook_subscriber_active(
        conn: &mut PgConnection,
        subscriber_id: i64,
        active: bool,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "UPDATE webhook_subscriber SET active = $2 WHERE subscriber_id = $1 RETURNING name",
        )
        .bind(subscriber_id)
        .bind(active)
        .fetch_optional(conn)
        .await?)
    }

    /// Removes a subscriber and its deliveries; its name, if it existed.
    pub async fn delete_webhook_subscriber(
        conn: &mut PgConnection,
        subscriber_id: i64,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "DELETE FROM webhook_subscriber WHERE subscriber_id = $1 RETURNING name",
        )
        .bind(subscriber_id)
        .fetch_optional(conn)
        .await?)
    }

    /// Queues `event_type` with `payload` for one subscriber (the console's "Send test").
    pub async fn queue_webhook_event_for(
        conn: &mut PgConnection,
        subscriber_id: i64,
        event_type: &str,
        payload: &serde_json::Value,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "WITH e AS (INSERT INTO webhook_event (event_type, payload) VALUES ($2, $3) RETURNING event_id)
             INSERT INTO webhook_delivery (event_id, subscriber_id) SELECT event_id, $1 FROM e
             RETURNING event_id",
        )
        .bind(subscriber_id)
        .bind(event_type)
        .bind(payload)
        .fetch_one(conn)
        .await?)
    }

    /// Claims up to `limit` due deliveries of active subscribers, oldest first, leasing each for
    /// `lease_seconds` (counted as an attempt): another instance skips them, and a worker that
    /// dies leaves them to be tried again when the lease ends.
    pub async fn claim_webhook_deliveries(
        &self,
        limit: i64,
        lease_seconds: f64,
    ) -> StoreResult<Vec<DueDelivery>> {
        Ok(sqlx::query_as(
            "WITH due AS (
                 SELECT d.delivery_id FROM webhook_delivery d
                 JOIN webhook_subscriber s USING (subscriber_id)
                 WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND s.active
                 ORDER BY d.next_attempt_at, d.delivery_id LIMIT $1
                 FOR UPDATE OF d SKIP LOCKED)
             UPDATE webhook_delivery d
             SET attempts = d.attempts + 1, last_attempt_at = now(),
                 next_attempt_at = now() + make_interval(secs => $2)
             FROM due, webhook_event e, webhook_subscriber s
             WHERE d.delivery_id = due.delivery_id AND e.event_id = d.event_id
               AND s.subscriber_id = d.subscriber_id
             RETURNING d.delivery_id, d.event_id, e.event_type, e.payload, e.created_at, s.url,
                       s.secret_sealed, d.attempts",
        )
        .bind(limit)
        .bind(lease_seconds)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records the outcome of an attempt: delivered; or failed with the receiver's status or
    /// the error, to be tried again after `retry_in_seconds` (none: given up).
    pub async fn record_webhook_attempt(
        &self,
        delivery_id: i64,
        delivered: bool,
        status: Option<i32>,
        error: Option<&str>,
        retry_in_seconds: Option<f64>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE webhook_delivery
             SET status = CASE WHEN $2 THEN 'delivered' WHEN $5::float8 IS NULL THEN 'failed' ELSE 'pending' END,
                 delivered_at = CASE WHEN $2 THEN now() END,
                 last_status = $3, last_error = $4,
                 next_attempt_at = CASE WHEN $5::float8 IS NULL THEN next_attempt_at
                                        ELSE now() + make_interval(secs => $5) END
             WHERE delivery_id = $1",
        )
        .bind(delivery_id)
        .bind(delivered)
        .bind(status)
        .bind(error)
        .bind(retry_in_seconds)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
