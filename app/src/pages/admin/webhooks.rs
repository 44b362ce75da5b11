//! Webhooks: the systems that receive the Hub's events (a load finished or failed), each with
//! its own signing secret (shown once), pause/resume, a test event, and the delivery log.

use leptos::prelude::*;
use pms_domain::error::AppError;
use pms_domain::webhooks::{NewSubscriber, WebhooksData, EVENTS};

use super::when;
use crate::components::{blank_after_success, loading, outcome, succeeded, CopyField, Guarded};

#[server(endpoint = "admin/webhooks")]
pub async fn get_webhooks() -> Result<WebhooksData, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::webhooks::list(&cx, &caller).await
}

/// The form's event boxes (`EVENTS`, in order).
#[server(endpoint = "admin/webhooks/create")]
pub async fn create_webhook(
    name: String,
    url: String,
    load_completed: Option<String>,
    load_failed: Option<String>,
    compliance_breach: Option<String>,
) -> Result<NewSubscriber, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    let events: Vec<String> = [load_completed, load_failed, compliance_breach]
        .into_iter()
        .zip(EVENTS)
        .filter(|(ticked, _)| ticked.is_some())
        .map(|(_, (code, _))| code.to_owned())
        .collect();
    pms_service::admin::webhooks::create(&cx, &caller, &name, &url, &events).await
}

#[server(endpoint = "admin/webhooks/active")]
pub async fn set_webhook_active(subscriber_id: i64, active: bool) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::webhooks::set_active(&cx, &caller, subscriber_id, active).await
}

#[server(endpoint = "admin/webhooks/test")]
pub async fn test_webhook(subscriber_id: i64) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::webhooks::send_test(&cx, &caller, subscriber_id).await
}

#[server(endpoint = "admin/webhooks/delete")]
pub async fn delete_webhook(subscriber_id: i64) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::webhooks::delete(&cx, &caller, subscriber_id).await
}

fn created_view(s: NewSubscriber) -> AnyView {
    view! {
        <div class="alert alert--success stack issued-link" role="status" data-testid="new-webhook">
            <p>
                <strong>{format!("{} will receive the events you chose.", s.name)}</strong>
                " Give it this signing secret now: it is shown only this once."
            </p>
            <CopyField value=s.secret label="Signing secret" testid="webhook-secret"/>
        </div>
    }
    .into_any()
}

fn status_badge(status: &str) -> AnyView {
    let (class, label) = match status {
        "delivered" => ("badge badge--ok", "Delivered"),
        "failed" => ("badge badge--danger", "Failed"),
        _ => ("badge", "Waiting"),
    };
    view! { <span class=class>{label}</span> }.into_any()
}

#[component]
pub fn WebhooksTab() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let toggle = ServerAction::<SetWebhookActive>::new();
    let test = ServerAction::<TestWebhook>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let refresh = RwSignal::new(0u32);
    let reload = [
        succeeded(*create),
        succeeded(*toggle),
        succeeded(*test),
        succeeded(*delete),
    ];
    let data = Resource::new(
        move || (reload.map(|r| r.get()), refresh.get()),
        |_| get_webhooks(),
    );
    let create_form = blank_after_success(*create);

    view! {
        <Transition fallback=loading>
            <Guarded testid="admin-error">
                {move || Suspend::new(async move {
                    let WebhooksData { subscribers, deliveries } = data.await?;
                    let no_subscribers = subscribers.is_empty();
                    let no_deliveries = deliveries.is_empty();
                    Ok::<_, AppError>(view! {
                        <section class="stack section-block">
                            <h2>"Webhook receivers"</h2>
                            <p class="form-hint">
                                "The Hub POSTs each event as JSON to every receiver that asked for it, signed the Standard Webhooks way: "
                                <code>"webhook-id"</code>", "<code>"webhook-timestamp"</code>" and "<code>"webhook-signature"</code>
                                " (HMAC-SHA256 of id.timestamp.body under the receiver's secret). A receiver that does not answer 2xx is tried again after 30 s, 1, 2, 4 … minutes, eight times in all."
                            </p>
                            <details class="card invite" data-testid="webhook-create-card">
                                <summary class="invite__summary">"Add a receiver"</summary>
                                <ActionForm action=create node_ref=create_form attr:class="stack user-form invite__form" attr:data-testid="webhook-create-form">
                                    <div class="form-row">
                                        <label>"Name"<input type="text" name="name" required=true maxlength="80" placeholder="e.g. Back-office ERP" autocomplete="off"/></label>
                                        <label>"Address"<input type="url" name="url" required=true maxlength="2000" placeholder="https://erp.example.in/hooks/hub" autocomplete="off"/></label>
                                    </div>
                                    <fieldset class="checks">
                                        <legend>"Events"</legend>
                                        <label class="check"><input type="checkbox" name="load_completed" value="on" checked=true/>{format!("{} — {}", EVENTS[0].0, EVENTS[0].1)}</label>
                                        <label class="check"><input type="checkbox" name="load_failed" value="on"/>{format!("{} — {}", EVENTS[1].0, EVENTS[1].1)}</label>
                                        <label class="check"><input type="checkbox" name="compliance_breach" value="on"/>{format!("{} — {}", EVENTS[2].0, EVENTS[2].1)}</label>
                                    </fieldset>
                                    <div class="form-actions">
                                        <button type="submit" class="button button--primary" disabled=move || create.pending().get()>"Add receiver"</button>
                                    </div>
                                </ActionForm>
                            </details>
                            {move || create.value().get().map(|r| match r {
                                Ok(s) => created_view(s),
                                Err(e) => view! { <p class="alert alert--error" role="alert">{crate::components::error_text(&e)}</p> }.into_any(),
                            })}
                            {move || outcome(toggle.value().get())}
                            {move || outcome(test.value().get())}
                            {move || outcome(delete.value().get())}
                            <div class="table-card">
                                <div class="table-scroll" tabindex="0">
                                    <table class="data-table" data-testid="webhooks-table">
                                        <thead>
                                            <tr><th>"Receiver"</th><th>"Events"</th><th>"Deliveries"</th><th>"Last delivered"</th><th>"Status"</th><th></th></tr>
                                        </thead>
                                        <tbody>
                                            {subscribers.into_iter().map(|s| {
                                                let id = s.subscriber_id;
                                                view! {
                                                <tr>
                                                    <td><strong>{s.name.clone()}</strong><div class="muted small mono wrap-anywhere">{s.url.clone()}</div></td>
                                                    <td class="small">{s.events.join(", ")}</td>
                                                    <td class="small">{format!("{} delivered · {} waiting · {} failed", s.delivered, s.pending, s.failed)}</td>
                                                    <td>{when(s.last_delivered_at)}</td>
                                                    <td>{if s.active {
                                                        view! { <span class="badge badge--ok">"Active"</span> }.into_any()
                                                    } else {
                                                        view! { <span class="badge badge--muted">"Paused"</span> }.into_any()
                                                    }}</td>
                                                    <td>
                                                        <div class="button-row">
                                                            <ActionForm action=test>
                                                                <input type="hidden" name="subscriber_id" value=id.to_string()/>
                                                                <button type="submit" class="button button--small">"Send test"</button>
                                                            </ActionForm>
                                                            <ActionForm action=toggle>
                                                                <input type="hidden" name="subscriber_id" value=id.to_string()/>
                                                                <input type="hidden" name="active" value=(!s.active).to_string()/>
                                                                <button type="submit" class="button button--small">{if s.active { "Pause" } else { "Resume" }}</button>
                                                            </ActionForm>
                                                            <ActionForm action=delete>
                                                                <input type="hidden" name="subscriber_id" value=id.to_string()/>
                                                                <button type="submit" class="button button--small button--danger">"Remove"</button>
                                                            </ActionForm>
                                                        </div>
                                                    </td>
                                                </tr>
                                            }}).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {no_subscribers.then(|| view! { <p class="table-card__summary">"No receivers yet."</p> })}
                            </div>
                        </section>
                        <section class="stack section-block">
                            <div class="section-head">
                                <h2>"Delivery log"</h2>
                                <button type="button" class="button button--small" on:click=move |_| refresh.update(|n| *n += 1)>"Refresh"</button>
                            </div>
                            <div class="table-card">
                                <div class="table-scroll" tabindex="0">
                                    <table class="data-table" data-testid="webhook-log">
                                        <thead>
                                            <tr><th>"Event"</th><th>"Receiver"</th><th>"Status"</th><th>"Attempts"</th><th>"Last attempt"</th><th>"Answer"</th></tr>
                                        </thead>
                                        <tbody>
                                            {deliveries.into_iter().map(|d| view! {
                                                <tr>
                                                    <td><span class="mono">{d.event_type.clone()}</span><div class="muted small">{format!("evt_{} · {}", d.event_id, when(Some(d.created_at)))}</div></td>
                                                    <td>{d.subscriber.clone()}</td>
                                                    <td>{status_badge(&d.status)}{d.next_attempt_at.map(|at| view! { <div class="muted small">{format!("next {}", when(Some(at)))}</div> })}</td>
                                                    <td class="num">{d.attempts}</td>
                                                    <td>{when(d.last_attempt_at)}</td>
                                                    <td class="small wrap-anywhere">{match (d.last_status, d.last_error.clone()) {
                                                        (_, Some(error)) => error,
                                                        (Some(code), None) => format!("HTTP {code}"),
                                                        (None, None) => "—".to_owned(),
                                                    }}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {no_deliveries.then(|| view! { <p class="table-card__summary">"Nothing sent yet."</p> })}
                            </div>
                        </section>
                    }.into_any())
                })}
            </Guarded>
        </Transition>
    }
}
