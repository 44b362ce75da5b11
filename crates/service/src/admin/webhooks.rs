//! Webhooks: admins register the systems that receive the Hub's events, pause, resume or remove
//! them, send a test, and read the delivery log. A subscriber's signing secret is returned
//! once, when it is registered; it is kept sealed with the master key (it signs every delivery).

use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_domain::webhooks::{check_url, NewSubscriber, WebhooksData, EVENTS, TEST_EVENT};
use pms_store::Db;
use serde_json::json;

use super::{admin, invalid};
use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// Entries of the delivery log shown.
const LOG_ENTRIES: i64 = 50;

#[tracing::instrument(name = "admin.webhooks", skip_all, fields(caller = %caller))]
pub async fn list(cx: &Context, caller: &Caller) -> AppResult<WebhooksData> {
    admin(caller, Capability::ManageApiTokens)?;
    Ok(WebhooksData {
        subscribers: cx.db.webhook_subscribers().await?,
        deliveries: cx.db.webhook_deliveries(LOG_ENTRIES).await?,
    })
}

/// Registers a receiver of `events`; the answer carries its signing secret.
#[tracing::instrument(name = "admin.webhooks.create", skip_all, fields(caller = %caller))]
pub async fn create(
    cx: &Context,
    caller: &Caller,
    name: &str,
    url: &str,
    events: &[String],
) -> AppResult<NewSubscriber> {
    let (_, me_id) = admin(caller, Capability::ManageApiTokens)?;
    let name = super::squeezed(name);
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(invalid(
            "Name the receiver after its system (at most 80 characters).",
        ));
    }
    let url = check_url(url).map_err(invalid)?;
    let mut chosen: Vec<String> = Vec::new();
    for event in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if !EVENTS.iter().any(|(code, _)| *code == event) {
            return Err(invalid(format!(
                "There is no event {event:?}; choose from {}.",
                EVENTS.map(|(c, _)| c).join(", ")
            )));
        }
        if !chosen.iter().any(|c| c == event) {
            chosen.push(event.to_owned());
        }
    }
    if chosen.is_empty() {
        return Err(invalid("Choose at least one event to send."));
    }
    let secret = pms_auth::webhook_signature::new_secret();
    let sealed = cx.keys.seal(secret.as_bytes());
    let mut tx = begin(cx).await?;
    let id = Db::add_webhook_subscriber(&mut tx, &name, &url, &chosen, &sealed, me_id).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.webhook_added",
        Some(("webhook_subscriber", id.to_string())),
        json!({ "name": name, "url": url, "events": chosen }),
    )
    .await?;
    commit(tx).await?;
    Ok(NewSubscriber { name, secret })
}

/// Pauses (`active = false`) or resumes a subscriber.
#[tracing::instrument(name = "admin.webhooks.set_active", skip_all, fields(caller = %caller))]
pub async fn set_active(
    cx: &Context,
    caller: &Caller,
    subscriber_id: i64,
    active: bool,
) -> AppResult<String> {
    admin(caller, Capability::ManageApiTokens)?;
    let mut tx = begin(cx).await?;
    let name = Db::set_webhook_subscriber_active(&mut tx, subscriber_id, active)
        .await?
        .ok_or_else(|| AppError::not_found("webhook receiver"))?;
    record_in(
        cx,
        &mut tx,
        caller,
        if active {
            "admin.webhook_resumed"
        } else {
            "admin.webhook_paused"
        },
        Some(("webhook_subscriber", subscriber_id.to_string())),
        json!({ "name": name }),
    )
    .await?;
    commit(tx).await?;
    Ok(if active {
        format!("{name} resumed: waiting deliveries go out now.")
    } else {
        format!("{name} paused: it receives nothing until it is resumed.")
    })
}

#[tracing::instrument(name = "admin.webhooks.delete", skip_all, fields(caller = %caller))]
pub async fn delete(cx: &Context, caller: &Caller, subscriber_id: i64) -> AppResult<String> {
    admin(caller, Capability::ManageApiTokens)?;
    let mut tx = begin(cx).await?;
    let name = Db::delete_webhook_subscriber(&mut tx, subscriber_id)
        .await?
        .ok_or_else(|| AppError::not_found("webhook receiver"))?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.webhook_removed",
        Some(("webhook_subscriber", subscriber_id.to_string())),
        json!({ "name": name }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!("{name} removed with its delivery log."))
}

/// Queues a `webhook.test` event for one subscriber (delivered within seconds).
#[tracing::instrument(name = "admin.webhooks.test", skip_all, fields(caller = %caller))]
pub async fn send_test(cx: &Context, caller: &Caller, subscriber_id: i64) -> AppResult<String> {
    let (me, _) = admin(caller, Capability::ManageApiTokens)?;
    let payload =
        json!({ "message": "A test from the PMS Intelligence Hub", "sent_by": me.user.email });
    let mut tx = begin(cx).await?;
    let known = cx
        .db
        .webhook_subscribers()
        .await?
        .into_iter()
        .find(|s| s.subscriber_id == subscriber_id)
        .ok_or_else(|| AppError::not_found("webhook receiver"))?;
    let event = Db::queue_webhook_event_for(&mut tx, subscriber_id, TEST_EVENT, &payload).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.webhook_tested",
        Some(("webhook_subscriber", subscriber_id.to_string())),
        json!({ "name": known.name, "event_id": event }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Test event {event} queued for {}: see the delivery log.",
        known.name
    ))
}
