//! Client analytics: the client-wise AUM and performance table (search, sort, page, export),
//! within the signed-in user's data scope. Every filter lives in the URL, so a view can be
//! bookmarked and shared.

use crate::url::query_encode;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use pms_domain::clients::{ClientQuery, ClientSort, ClientSummary, Page};
use pms_domain::error::AppError;
use pms_metrics::format::{inr, inr_short};

use super::{pct, tone, PageHeader};
use crate::components::icons::{Icon, IconKind};
use crate::components::{EmptyState, FilterBar, Guarded};

const PAGE_SIZE: u32 = 25;

#[server(endpoint = "clients/list")]
pub async fn list_clients(query: ClientQuery) -> Result<Page<ClientSummary>, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::clients::list(&cx, &caller, &query).await
}

/// The query a URL describes (a URL that cannot be read shows the default view).
fn query_from(params: &leptos_router::params::ParamsMap) -> ClientQuery {
    ClientQuery::from_params(|name| params.get(name), PAGE_SIZE)
        .unwrap_or_else(|_| ClientQuery::defaults(PAGE_SIZE))
}

/// The URL of a query (the inverse of [`query_from`]).
fn href_for(q: &ClientQuery, base: &str) -> String {
    let parts: Vec<String> = q
        .to_params()
        .into_iter()
        .map(|(name, value)| format!("{name}={}", query_encode(&value)))
        .collect();
    format!("{base}?{}", parts.join("&"))
}

/// `href` (with a query) still in the saved view the URL has open, so sorting or paging a view
/// keeps its bar, which then offers to save the change. Call it while rendering.
fn in_open_view(href: String) -> String {
    match use_query_map()
        .read_untracked()
        .get("view")
        .filter(|v| v.parse::<i64>().is_ok())
    {
        Some(view) => format!("{href}&view={view}"),
        None => href,
    }
}

#[component]
fn SortHeader(
    label: &'static str,
    sort: ClientSort,
    query: Memo<ClientQuery>,
    numeric: bool,
) -> impl IntoView {
    let href = move || {
        let q = query.get();
        let descending = if q.sort == sort {
            !q.descending
        } else {
            !matches!(sort, ClientSort::Name)
        };
        in_open_view(href_for(
            &ClientQuery {
                sort,
                descending,
                page: 1,
                ..q
            },
            "/clients",
        ))
    };
    let marker = move || {
        let q = query.get();
        (q.sort == sort).then_some(if q.descending { " ▼" } else { " ▲" })
    };
    let aria = move || {
        let q = query.get();
        if q.sort != sort {
            "none"
        } else if q.descending {
            "descending"
        } else {
            "ascending"
        }
    };
    view! {
        <th class=if numeric { "num" } else { "" } aria-sort=aria>
            <a href=href>{label}{marker}</a>
        </th>
    }
}

#[component]
pub fn ClientAnalytics() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| query_from(&params.read()));
    let clients = Resource::new(
        move || (query.get(), crate::layout::live::data_epoch()),
        |(query, _)| list_clients(query),
    );
    let navigate = use_navigate();
    let export_href = move || {
        href_for(
            &ClientQuery {
                page: 1,
                ..query.get()
            },
            "/api/v1/exports/clients.csv",
        )
    };

    let search_box: NodeRef<leptos::html::Input> = NodeRef::new();
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        // With JavaScript, stay on the page (no full reload); without it the form's GET does the same.
        ev.prevent_default();
        let text = search_box
            .get()
            .map(|input| input.value())
            .unwrap_or_default();
        let q = ClientQuery {
            search: Some(text).filter(|t| !t.trim().is_empty()),
            page: 1,
            ..query.get_untracked()
        };
        navigate(&href_for(&q, "/clients"), NavigateOptions::default());
    };

    view! {
        <PageHeader
            title="Client analytics"
            subtitle="Client-wise AUM and performance, within the clients you may see."
        />
        <FilterBar path="/clients"/>
        <div class="toolbar">
            <form class="toolbar__search" method="get" action="/clients" on:submit=on_search role="search">
                <input type="search" name="q" node_ref=search_box placeholder="Search by name, client code or PAN" aria-label="Search clients"
                    prop:value=move || query.get().search.unwrap_or_default()/>
                <input type="hidden" name="sort" value=move || query.get().sort.code()/>
                <button type="submit" class="button">"Search"</button>
            </form>
            <a class="toolbar__toggle" href=move || {
                let q = query.get();
                href_for(&ClientQuery { include_closed: !q.include_closed, page: 1, ..q }, "/clients")
            }>
                {move || if query.get().include_closed { "Hide closed clients" } else { "Show closed clients" }}
            </a>
            <div class="topbar__spacer"></div>
            <a class="button" href=export_href download data-testid="export-csv">
                <Icon kind=IconKind::Download/>"Export CSV"
            </a>
        </div>
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            <Guarded>
                {move || Suspend::new(async move {
                    Ok::<_, AppError>(match clients.await? {
                        page if page.total == 0 && query.get_untracked().filter.narrows_portfolios() => view! {
                            <EmptyState title="No clients match these filters">
                                <p>"Remove a filter above, or clear them all, to see more of your book."</p>
                            </EmptyState>
                        }.into_any(),
                        page if page.total == 0 && query.get_untracked().search.is_none() => view! {
                            <EmptyState title="No clients to show yet">
                                <p>"Clients appear here once Salesforce and Wealth Spectrum data are loaded and clients are assigned to you."</p>
                            </EmptyState>
                        }.into_any(),
                        page => {
                            let q = query.get_untracked();
                            let pages = page.pages();
                            let current = page.page;
                            let summary = format!("{} client{}", page.total, if page.total == 1 { "" } else { "s" });
                            view! {
                                <div class="table-card">
                                    <p class="table-card__summary" data-testid="client-count">{summary}</p>
                                    <div class="table-scroll" tabindex="0">
                                        <table class="data-table" data-testid="client-table">
                                            <thead>
                                                <tr>
                                                    <SortHeader label="Client" sort=ClientSort::Name query numeric=false/>
                                                    <th>"City"</th>
                                                    <th>"RM"</th>
                                                    <th>"Risk profile"</th>
                                                    <SortHeader label="AUM" sort=ClientSort::Aum query numeric=true/>
                                                    <th class="num">"Portfolios"</th>
                                                    <SortHeader label="TWRR 1Y" sort=ClientSort::Twrr query numeric=true/>
                                                    <SortHeader label="XIRR SI" sort=ClientSort::Xirr query numeric=true/>
                                                    <SortHeader label="Onboarded" sort=ClientSort::Onboarding query numeric=false/>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {page.items.into_iter().map(|c| view! {
                                                    <tr>
                                                        <td>
                                                            <a href=format!("/clients/{}", c.client_id)>{c.name.clone()}</a>
                                                            <div class="muted small">{c.client_code.clone().unwrap_or_default()}
                                                                {(c.status != "Active").then(|| view! { " · " <span class="badge badge--muted">{c.status.clone()}</span> })}
                                                            </div>
                                                        </td>
                                                        <td>{c.city.clone().unwrap_or_default()}</td>
                                                        <td>{c.rm_name.clone().unwrap_or_else(|| "—".into())}</td>
                                                        <td>{c.risk_profile.clone().unwrap_or_else(|| "—".into())}</td>
                                                        <td class="num" title=inr(c.aum)>{inr_short(c.aum)}</td>
                                                        <td class="num">{c.portfolios}</td>
                                                        <td class=tone(c.twrr_1y)>{pct(c.twrr_1y)}</td>
                                                        <td class=tone(c.xirr_si)>{pct(c.xirr_si)}</td>
                                                        <td>{c.onboarding_date.map(|d| d.format("%d %b %Y").to_string()).unwrap_or_default()}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <nav class="pager" aria-label="Pages">
                                        {(current > 1).then(|| view! { <a class="button" href=in_open_view(href_for(&ClientQuery { page: current - 1, ..q.clone() }, "/clients"))>"‹ Previous"</a> })}
                                        <span>{format!("Page {current} of {pages}")}</span>
                                        {(current < pages).then(|| view! { <a class="button" href=in_open_view(href_for(&ClientQuery { page: current + 1, ..q.clone() }, "/clients"))>"Next ›"</a> })}
                                    </nav>
                                </div>
                            }.into_any()
                        }
                    })
                })}
            </Guarded>
        </Transition>
        <super::book::BookSections/>
    }
}
