//! Compliance alerts (`/alerts`): the breaches of the firm's rules that the latest data shows,
//! within the viewer's scope — open, acknowledged or resolved — with acknowledge (anyone whose
//! book it is) and resolve with a note (compliance officers and admins), and the rules
//! themselves, which compliance officers and admins set.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use pms_domain::alerts::{Alert, AlertList, AlertRule, AlertStatus, RuleKind, Unit};
use pms_domain::error::AppError;

use super::admin::when;
use super::PageHeader;
use crate::components::{failure, loading, succeeded, EmptyState, Guarded};

#[server(endpoint = "alerts/list")]
pub async fn get_alerts(
    status: String,
    kind: Option<String>,
    page: Option<u32>,
) -> Result<AlertList, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    let status = AlertStatus::from_code(&status).unwrap_or(AlertStatus::Open);
    let kind = kind.as_deref().and_then(RuleKind::from_code);
    pms_service::alerts::list(&cx, &caller, status, kind, page.unwrap_or(1)).await
}

#[server(endpoint = "alerts/acknowledge")]
pub async fn acknowledge_alert(alert_id: i64, note: Option<String>) -> Result<Alert, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::alerts::acknowledge(&cx, &caller, alert_id, note.as_deref()).await
}

#[server(endpoint = "alerts/resolve")]
pub async fn resolve_alert(alert_id: i64, note: Option<String>) -> Result<Alert, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::alerts::resolve(&cx, &caller, alert_id, note.as_deref()).await
}

/// `threshold` as people type it (percent or days); `active` is the checkbox (present = on).
#[server(endpoint = "alerts/rule")]
pub async fn set_alert_rule(
    kind: String,
    threshold: String,
    active: Option<String>,
) -> Result<AlertRule, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    let kind = RuleKind::from_code(&kind)
        .ok_or_else(|| AppError::bad_request(format!("There is no alert rule {kind:?}.")))?;
    let threshold: f64 = threshold.trim().parse().map_err(|_| {
        AppError::invalid(format!(
            "{}: write the threshold as a number, e.g. 10.",
            kind.label()
        ))
    })?;
    pms_service::alerts::set_rule(&cx, &caller, kind, threshold, active.is_some()).await
}

/// The page's address for a status, kind and page.
fn href(status: AlertStatus, kind: Option<RuleKind>, page: u32) -> String {
    let mut href = format!("/alerts?status={}", status.code());
    if let Some(kind) = kind {
        href.push_str(&format!("&kind={}", kind.code()));
    }
    if page > 1 {
        href.push_str(&format!("&page={page}"));
    }
    href
}

fn status_badge(status: AlertStatus) -> AnyView {
    let class = match status {
        AlertStatus::Open => "badge badge--danger",
        AlertStatus::Acknowledged => "badge",
        AlertStatus::Resolved => "badge badge--ok",
    };
    view! { <span class=class>{status.label()}</span> }.into_any()
}

/// Who did what to the alert, and its note.
fn history(a: &Alert) -> AnyView {
    let acknowledged = a.acknowledged_at.map(|at| {
        format!(
            "Acknowledged by {} on {}",
            a.acknowledged_by.clone().unwrap_or_else(|| "—".into()),
            when(Some(at))
        )
    });
    let resolved = a.resolved_at.map(|at| match &a.resolved_by {
        Some(who) => format!("Resolved by {who} on {}", when(Some(at))),
        None => format!("Cleared by a later load on {}", when(Some(at))),
    });
    view! {
        <div class="muted small">{format!("Opened {}", when(Some(a.opened_at)))}</div>
        {acknowledged.map(|t| view! { <div class="muted small">{t}</div> })}
        {resolved.map(|t| view! { <div class="muted small">{t}</div> })}
        {a.note.clone().map(|n| view! { <div class="small alert-note">{n}</div> })}
    }
    .into_any()
}

#[component]
fn AlertRow(
    alert: Alert,
    can_manage: bool,
    acknowledge: ServerAction<AcknowledgeAlert>,
    resolve: ServerAction<ResolveAlert>,
) -> impl IntoView {
    let id = alert.alert_id.to_string();
    let (id_for_row, id_for_resolve) = (id.clone(), id.clone());
    let live = alert.status != AlertStatus::Resolved;
    let subject = (!alert.subject.is_empty()).then(|| alert.subject.clone());
    view! {
        <tr data-testid="alert-row" data-alert=id_for_row>
            <td><span class="breach">{alert.kind.label()}</span><div>{status_badge(alert.status)}</div></td>
            <td>
                <a href=format!("/portfolios?group=portfolio-{}", alert.portfolio_id)>{alert.portfolio_code.clone()}</a>
                <div class="muted small"><a href=format!("/clients/{}", alert.client_id)>{alert.client_name.clone()}</a></div>
                {alert.rm_name.clone().map(|rm| view! { <div class="muted small">{format!("RM: {rm}")}</div> })}
            </td>
            <td class="wrap">
                {subject.map(|s| view! { <div>{s}</div> })}
                <div class="muted small">{alert.detail.clone().unwrap_or_default()}</div>
                {alert.as_of.map(|d| view! { <div class="muted small">{format!("Data of {}", d.format("%d %b %Y"))}</div> })}
            </td>
            <td class="num" data-testid="alert-value">{alert.kind.format_value(alert.value)}
                <div class="muted small">{format!("limit {}", alert.kind.format_value(Some(alert.threshold)))}</div></td>
            <td class="wrap">{history(&alert)}</td>
            <td class="alert-actions">
                {(alert.status == AlertStatus::Open).then(|| view! {
                    <ActionForm action=acknowledge attr:class="inline-form">
                        <input type="hidden" name="alert_id" value=id/>
                        <button type="submit" class="button" data-testid="alert-acknowledge">"Acknowledge"</button>
                    </ActionForm>
                })}
                {(live && can_manage).then(|| view! {
                    <details class="alert-resolve">
                        <summary class="button">"Resolve…"</summary>
                        <ActionForm action=resolve attr:class="stack">
                            <input type="hidden" name="alert_id" value=id_for_resolve.clone()/>
                            <label>"What was done"
                                <textarea name="note" rows="2" required=true maxlength="1000" data-testid="alert-note"
                                    placeholder="e.g. Trimmed the position to 8% on 3 Dec"></textarea>
                            </label>
                            <button type="submit" class="button button--primary" data-testid="alert-resolve">"Resolve"</button>
                        </ActionForm>
                    </details>
                })}
            </td>
        </tr>
    }
}

#[component]
fn RuleRow(rule: AlertRule, can_manage: bool, save: ServerAction<SetAlertRule>) -> impl IntoView {
    let kind = rule.kind;
    let (unit, step) = match kind.unit() {
        Unit::Share => ("%", "0.1"),
        Unit::Days => ("days", "1"),
    };
    let (low, high) = kind.bounds();
    let changed = rule
        .updated_by
        .clone()
        .map(|who| format!("Changed by {who} on {}", when(Some(rule.updated_at))));
    view! {
        <tr data-testid="alert-rule" data-kind=kind.code()>
            <td>
                <strong>{kind.label()}</strong>
                <div class="muted small">{rule.description.clone()}</div>
                {changed.map(|c| view! { <div class="muted small">{c}</div> })}
            </td>
            <td>
                {if can_manage {
                    view! {
                        <ActionForm action=save attr:class="inline-form rule-form">
                            <input type="hidden" name="kind" value=kind.code()/>
                            <label class="rule-form__threshold">
                                <span class="visually-hidden">{format!("{} threshold", kind.label())}</span>
                                <input type="number" name="threshold" required=true step=step min=low.to_string() max=high.to_string()
                                    value=kind.threshold_for_input(rule.threshold).to_string() data-testid="rule-threshold"/>
                                <span class="muted small">{unit}</span>
                            </label>
                            <label class="check"><input type="checkbox" name="active" value="on" checked=rule.active data-testid="rule-active"/>"On"</label>
                            <button type="submit" class="button" data-testid="rule-save">"Save"</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! {
                        <span>{if rule.active { "On" } else { "Off" }}</span>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let params = use_query_map();
    let status = Memo::new(move |_| {
        params
            .read()
            .get("status")
            .and_then(|s| AlertStatus::from_code(&s))
            .unwrap_or(AlertStatus::Open)
    });
    let kind = Memo::new(move |_| {
        params
            .read()
            .get("kind")
            .and_then(|k| RuleKind::from_code(&k))
    });
    let page = Memo::new(move |_| {
        params
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    });
    let acknowledge = ServerAction::<AcknowledgeAlert>::new();
    let resolve = ServerAction::<ResolveAlert>::new();
    let save_rule = ServerAction::<SetAlertRule>::new();
    let reload = [
        succeeded(*acknowledge),
        succeeded(*resolve),
        succeeded(*save_rule),
    ];
    let data = Resource::new(
        move || {
            (
                status.get(),
                kind.get(),
                page.get(),
                reload.map(|r| r.get()),
                crate::layout::live::data_epoch(),
            )
        },
        |(status, kind, page, _, _)| {
            get_alerts(
                status.code().to_owned(),
                kind.map(|k| k.code().to_owned()),
                Some(page),
            )
        },
    );

    view! {
        <PageHeader
            title="Compliance alerts"
            subtitle="Breaches of the firm's rules in the latest data, until they are resolved or a later load clears them."
        />
        {move || failure(acknowledge.value().get())}
        {move || failure(resolve.value().get())}
        {move || failure(save_rule.value().get())}
        <Transition fallback=loading>
            <Guarded>
                {move || Suspend::new(async move {
                    let list = data.await?;
                    Ok::<_, AppError>(view! { <AlertsView list acknowledge resolve save_rule/> })
                })}
            </Guarded>
        </Transition>
    }
}

#[component]
fn AlertsView(
    list: AlertList,
    acknowledge: ServerAction<AcknowledgeAlert>,
    resolve: ServerAction<ResolveAlert>,
    save_rule: ServerAction<SetAlertRule>,
) -> impl IntoView {
    let AlertList {
        status,
        kind,
        alerts,
        total,
        page,
        page_size,
        counts,
        rules,
        can_manage,
        evaluated_at,
    } = list;
    let pages = ((total.max(0) as u64).div_ceil(u64::from(page_size.max(1)))).max(1) as u32;
    let tabs = counts
        .iter()
        .map(|(s, n)| {
            let current = *s == status;
            view! {
                <a class="admin-tabs__tab" href=href(*s, kind, 1)
                    aria-current=current.then_some("page") data-testid=format!("alerts-tab-{}", s.code())>
                    {format!("{} ({n})", s.label())}
                </a>
            }
        })
        .collect_view();
    let kind_links = std::iter::once((None, "All rules"))
        .chain(RuleKind::ALL.into_iter().map(|k| (Some(k), k.label())))
        .map(|(k, label)| {
            let current = k == kind;
            view! {
                <a class=if current { "chip" } else { "chip chip--clear" } href=href(status, k, 1)
                    aria-current=current.then_some("page")>{label}</a>
            }
        })
        .collect_view();
    let empty = alerts.is_empty();
    let empty_text = match status {
        AlertStatus::Open => {
            "No open alerts: the latest data breaches none of the active rules in the book you see."
        }
        AlertStatus::Acknowledged => "No acknowledged alerts waiting to be resolved.",
        AlertStatus::Resolved => "Nothing resolved yet.",
    };
    view! {
        <p class="muted small" data-testid="alerts-evaluated">
            {match evaluated_at {
                Some(_) => format!("Rules last evaluated {} (after every load and every change of rule).", when(evaluated_at)),
                None => "The rules are evaluated after the first load.".to_string(),
            }}
        </p>
        <nav class="admin-tabs" aria-label="Alert status">{tabs}</nav>
        <div class="chips alert-kinds" aria-label="Rule">{kind_links}</div>
        {if empty {
            view! { <EmptyState title="Nothing here"><p>{empty_text}</p></EmptyState> }.into_any()
        } else {
            view! {
                <section class="card stack">
                    <p class="small" data-testid="alerts-total">{format!("{total} {} alert{}{}.", status.label().to_lowercase(), if total == 1 { "" } else { "s" },
                        if pages > 1 { format!(", page {page} of {pages}") } else { String::new() })}</p>
                    <div class="table-scroll table-scroll--tall" tabindex="0">
                        <table class="data-table data-table--compact" data-testid="alerts-table">
                            <thead><tr><th>"Rule"</th><th>"Portfolio · client"</th><th>"Breach"</th><th class="num">"Value"</th><th>"History"</th><th>"Action"</th></tr></thead>
                            <tbody>
                                {alerts.into_iter().map(|alert| view! { <AlertRow alert can_manage acknowledge resolve/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(pages > 1).then(|| view! {
                        <div class="toolbar">
                            {(page > 1).then(|| view! { <a class="button" href=href(status, kind, page - 1)>"Previous"</a> })}
                            {(page < pages).then(|| view! { <a class="button" href=href(status, kind, page + 1) data-testid="alerts-next">"Next"</a> })}
                        </div>
                    })}
                </section>
            }.into_any()
        }}
        <section class="card stack" data-testid="alert-rules">
            <h2>"Rules"</h2>
            <p class="muted small">{if can_manage {
                "Changing a rule evaluates every portfolio again within seconds; alerts the new threshold no longer covers are cleared. Each change is in the audit trail."
            } else {
                "Compliance officers and admins set these rules."
            }}</p>
            <div class="table-scroll" tabindex="0">
                <table class="data-table data-table--compact">
                    <thead><tr><th>"Rule"</th><th>"Threshold"</th></tr></thead>
                    <tbody>
                        {rules.into_iter().map(|rule| view! { <RuleRow rule can_manage save=save_rule/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
