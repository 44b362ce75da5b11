//! The audit trail (`/audit`, compliance officers and admins): every sign-in, view, export,
//! upload and change, newest first, searchable and filterable by kind of action and date
//! (India Standard Time), with "Load older" paging; and a check that recomputes the trail's
//! hash chain. Filters live in the URL (`?q=…&action=ingest.&from=2026-11-01&to=2026-11-30`).

use crate::url::query_encode;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use pms_domain::admin::{AuditEntries, AuditEntry, AuditFilter, ChainCheck};
use pms_domain::error::AppError;

use super::PageHeader;
use crate::components::{error_text, Guarded};

/// The kinds of action the filter offers: (prefix, label).
const ACTION_FILTERS: [(&str, &str); 11] = [
    ("auth.", "Sign-in and sign-out"),
    ("client.", "Client views"),
    ("portfolio.", "Portfolio views"),
    ("export.", "Exports and downloads"),
    ("ingest.", "Data loads"),
    ("admin.", "Administration"),
    ("account.", "Account security"),
    ("api.", "API access"),
    ("audit.", "Audit checks"),
    ("alert.", "Compliance alerts"),
    ("report.", "Reports"),
];

#[server(endpoint = "audit/list")]
pub async fn list_audit_entries(
    #[server(default)] filter: AuditFilter,
    before_seq: Option<i64>,
) -> Result<AuditEntries, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::audit_trail::search(&cx, &caller, &filter, before_seq).await
}

#[server(endpoint = "audit/verify")]
pub async fn verify_audit_chain() -> Result<ChainCheck, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::audit_trail::verify(&cx, &caller).await
}

fn filter_from(params: &leptos_router::params::ParamsMap) -> AuditFilter {
    let date = |name: &str| {
        params
            .get(name)
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    };
    AuditFilter {
        text: params.get("q").filter(|q| !q.trim().is_empty()),
        action: params.get("action").filter(|a| !a.is_empty()),
        from: date("from"),
        to: date("to"),
    }
}

fn href_for(f: &AuditFilter, before: Option<i64>) -> String {
    let mut parts = Vec::new();
    if let Some(q) = &f.text {
        parts.push(format!("q={}", query_encode(q)));
    }
    if let Some(a) = &f.action {
        parts.push(format!("action={}", query_encode(a)));
    }
    if let Some(d) = f.from {
        parts.push(format!("from={d}"));
    }
    if let Some(d) = f.to {
        parts.push(format!("to={d}"));
    }
    if let Some(b) = before {
        parts.push(format!("before={b}"));
    }
    if parts.is_empty() {
        "/audit".into()
    } else {
        format!("/audit?{}", parts.join("&"))
    }
}

/// A long hexadecimal value (a SHA-256) shortened for reading; the full text is in the tooltip.
fn shorten(value: &str) -> String {
    if value.len() > 24 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{}…", &value[..12])
    } else {
        value.to_owned()
    }
}

/// `file: holdings.csv · bytes: 2048` from the stored JSON; `—` when there is nothing.
fn details_text(details: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(details) {
        Ok(serde_json::Value::Object(map)) if map.is_empty() => "—".into(),
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {}", shorten(s)),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(" · "),
        Ok(serde_json::Value::Null) => "—".into(),
        _ => details.to_owned(),
    }
}

/// `21 Nov 2026` in IST (the column header says IST).
fn format_day(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&pms_domain::time::IST)
        .format("%d %b %Y")
        .to_string()
}

/// `14:05:09` in IST.
fn format_time(at: chrono::DateTime<chrono::Utc>) -> String {
    pms_domain::time::format_ist_time(at)
}

/// An e-mail address that may wrap after its `@` in a narrow column.
fn breakable_email(text: &str) -> impl IntoView {
    match text.split_once('@') {
        Some((user, domain)) => view! { {format!("{user}@")}<wbr/>{domain.to_owned()} }.into_any(),
        None => text.to_owned().into_any(),
    }
}

fn action_class(action: &str) -> &'static str {
    if action.ends_with("_failed") || action.contains("denied") || action.contains("refused") {
        "audit-action audit-action--warn"
    } else {
        "audit-action"
    }
}

#[component]
fn AuditRows(entries: Vec<AuditEntry>) -> impl IntoView {
    entries
        .into_iter()
        .map(|e| {
            let ip = e.ip.clone().unwrap_or_else(|| "—".into());
            view! {
                <tr data-testid="audit-row" data-seq=e.seq.to_string()>
                    <td class="num audit-seq">{e.seq}</td>
                    <td class="audit-time">
                        {format_day(e.at)}
                        <div class="muted small num">{format_time(e.at)}</div>
                    </td>
                    <td class="audit-who">
                        {breakable_email(&e.actor)}
                        <div class="muted small only-narrow">{ip.clone()}</div>
                    </td>
                    <td class="col-ip">{ip}</td>
                    <td><code class=action_class(&e.action)>{e.action.clone()}</code></td>
                    <td>{e.object.clone().unwrap_or_else(|| "—".into())}</td>
                    <td class="wrap small">
                        <div class="audit-details" title=e.details.clone()>{details_text(&e.details)}</div>
                    </td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_query_map();
    let filter = Memo::new(move |_| filter_from(&params.read()));
    let before = Memo::new(move |_| {
        params
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    });
    let first = Resource::new(
        move || (filter.get(), before.get()),
        |(f, b)| list_audit_entries(f, b),
    );
    // "Load older" (after hydration) appends here instead of leaving the page.
    let older = RwSignal::new(Vec::<AuditEntry>::new());
    let more = RwSignal::new(None::<bool>);
    let load_older = ServerAction::<ListAuditEntries>::new();
    Effect::new(move |_| {
        filter.track();
        before.track();
        older.set(Vec::new());
        more.set(None);
    });
    Effect::new(move |_| {
        if let Some(Ok(page)) = load_older.value().get() {
            older.update(|o| o.extend(page.entries));
            more.set(Some(page.has_more));
        }
    });
    let verify = ServerAction::<VerifyAuditChain>::new();
    let navigate = use_navigate();

    let text_ref: NodeRef<leptos::html::Input> = NodeRef::new();
    let action_ref: NodeRef<leptos::html::Select> = NodeRef::new();
    let from_ref: NodeRef<leptos::html::Input> = NodeRef::new();
    let to_ref: NodeRef<leptos::html::Input> = NodeRef::new();
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value =
            |r: NodeRef<leptos::html::Input>| r.get().map(|i| i.value()).unwrap_or_default();
        let date = |r| NaiveDate::parse_from_str(&value(r), "%Y-%m-%d").ok();
        let f = AuditFilter {
            text: Some(value(text_ref)).filter(|t| !t.trim().is_empty()),
            action: action_ref
                .get()
                .map(|s| s.value())
                .filter(|a| !a.is_empty()),
            from: date(from_ref),
            to: date(to_ref),
        };
        navigate(&href_for(&f, None), NavigateOptions::default());
    };

    let verify_card = move || {
        view! {
            <section class="card audit-verify" data-testid="audit-verify">
                <div class="audit-verify__text">
                    <h2>"Integrity"</h2>
                    <p class="muted small">"Recomputes every entry's hash and its link to the previous one. The check itself is recorded in the trail."</p>
                </div>
                <ActionForm action=verify>
                    <button type="submit" class="button" data-testid="verify-chain" disabled=move || verify.pending().get()>
                        {move || if verify.pending().get() { "Verifying…" } else { "Verify the chain" }}
                    </button>
                </ActionForm>
                {move || verify.value().get().map(|r| match r {
                    Ok(ChainCheck::Intact { rows }) => view! {
                        <p class="alert alert--success audit-verify__result" role="status" data-testid="chain-result">
                            {format!("Intact: {rows} rows. Every hash and link recomputed.")}
                        </p>
                    }.into_any(),
                    Ok(ChainCheck::Broken { seq, reason }) => view! {
                        <p class="alert alert--error audit-verify__result" role="alert" data-testid="chain-result">
                            {format!("Broken at row {seq}: {reason}")}
                        </p>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert--error audit-verify__result" role="alert" data-testid="chain-result">{error_text(&e)}</p> }.into_any(),
                })}
            </section>
        }
    };
    let filters = move || {
        let on_search = on_search.clone();
        view! {
            <form class="toolbar audit-filters" method="get" action="/audit" on:submit=on_search role="search">
                <input type="search" name="q" node_ref=text_ref class="audit-filters__text"
                    placeholder="Search who, action, object or details" aria-label="Search the audit trail"
                    prop:value=move || filter.get().text.unwrap_or_default()/>
                <select name="action" node_ref=action_ref aria-label="Action" data-testid="action-filter"
                    prop:value=move || filter.get().action.unwrap_or_default()>
                    <option value="">"All actions"</option>
                    {ACTION_FILTERS.iter().map(|(prefix, label)| view! {
                        <option value=*prefix selected=move || filter.get().action.as_deref() == Some(*prefix)>
                            {format!("{label} ({prefix}…)")}
                        </option>
                    }).collect_view()}
                </select>
                <label class="audit-filters__field">
                    <span class="audit-filters__label">"From"</span>
                    <input type="date" name="from" node_ref=from_ref aria-label="From date"
                        prop:value=move || filter.get().from.map(|d| d.to_string()).unwrap_or_default()/>
                </label>
                <label class="audit-filters__field">
                    <span class="audit-filters__label">"To"</span>
                    <input type="date" name="to" node_ref=to_ref aria-label="To date"
                        prop:value=move || filter.get().to.map(|d| d.to_string()).unwrap_or_default()/>
                </label>
                <button type="submit" class="button button--primary" data-testid="apply-filters">"Apply"</button>
                <a class="button button--link" href="/audit">"Clear"</a>
            </form>
        }
    };

    view! {
        <PageHeader
            title="Audit trail"
            subtitle="Who did what, when, and from where. Append-only and hash-chained: any change to a past entry is detectable."
        />
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            // An RM's refusal shows here too (the trail is not theirs to read).
            <Guarded testid="audit-forbidden">
                {move || {
                    let filters = filters.clone();
                    Suspend::new(async move {
                    Ok::<_, AppError>(match first.await? {
                        page if page.entries.is_empty() => view! {
                            {verify_card()}
                            {filters()}
                            <p class="card muted" data-testid="audit-empty">"No entries match these filters."</p>
                        }.into_any(),
                        page => {
                            let f = filter.get_untracked();
                            let count = page.entries.len();
                            let first_more = page.has_more;
                            let first_last = page.entries.last().map(|e| e.seq);
                            let last_seq = move || older.with(|o| o.last().map(|e| e.seq)).or(first_last);
                            let has_more = move || more.get().unwrap_or(first_more);
                            let older_href = {
                                let f = f.clone();
                                move || href_for(&f, last_seq())
                            };
                            let on_older = {
                                let f = f.clone();
                                move |ev: leptos::ev::MouseEvent| {
                                    ev.prevent_default();
                                    if let Some(seq) = last_seq() {
                                        load_older.dispatch(ListAuditEntries { filter: f.clone(), before_seq: Some(seq) });
                                    }
                                }
                            };
                            view! {
                                {verify_card()}
                                {filters()}
                                <div class="table-card">
                                    <p class="table-card__summary" data-testid="audit-summary">
                                        {move || {
                                            let shown = count + older.with(Vec::len);
                                            format!("Showing the newest {shown} entr{}{}", if shown == 1 { "y" } else { "ies" }, if has_more() { "" } else { " (all that match)" })
                                        }}
                                    </p>
                                    <div class="table-scroll" tabindex="0">
                                        <table class="data-table audit-table" data-testid="audit-table">
                                            <thead>
                                                <tr>
                                                    <th class="num">"#"</th>
                                                    <th>"Time (IST)"</th>
                                                    <th>"Who"</th>
                                                    <th class="col-ip">"From (IP)"</th>
                                                    <th>"Action"</th>
                                                    <th>"Object"</th>
                                                    <th>"Details"</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                <AuditRows entries=page.entries/>
                                                {move || view! { <AuditRows entries=older.get()/> }}
                                            </tbody>
                                        </table>
                                    </div>
                                    <Show when=has_more>
                                        <nav class="pager" aria-label="Older entries">
                                            <a class="button" href=older_href.clone() on:click=on_older.clone() data-testid="load-older">
                                                {move || if load_older.pending().get() { "Loading…" } else { "Load older" }}
                                            </a>
                                        </nav>
                                    </Show>
                                </div>
                            }.into_any()
                        }
                    })
                })}}
            </Guarded>
        </Transition>
    }
}
