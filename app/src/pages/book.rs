//! The book's analytics under the client table: the RM league table, clients joining and
//! leaving per financial year with retention, and geography by state and city — within the
//! viewer's scope.

use leptos::prelude::*;
use pms_domain::clients::{BookAnalytics, GeoRow};
use pms_domain::error::AppError;
use pms_metrics::format::{inr, inr_short};

use super::{pct, tone};
use crate::components::chart::BarChart;
use crate::components::filter_bar::{narrowed_href, use_filter};
use crate::components::Guarded;
use pms_domain::filter::Filter;

#[server(endpoint = "clients/analytics")]
pub async fn get_book_analytics(
    #[server(default)] filter: Filter,
) -> Result<BookAnalytics, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::clients::analytics(&cx, &caller, &filter).await
}

fn count_tick(v: f64) -> String {
    format!("{v:.0}")
}

#[component]
fn Geography(title: &'static str, rows: Vec<GeoRow>, testid: &'static str) -> impl IntoView {
    let total: rust_decimal::Decimal = rows.iter().map(|r| r.aum).sum();
    view! {
        <section class="card">
            <h2>{title}</h2>
            <div class="table-scroll table-scroll--tall" tabindex="0"><table class="data-table data-table--compact mix" data-testid=testid>
                <thead><tr><th></th><th class="num">"Clients"</th><th class="num">"AUM"</th><th class="num">"Share"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let share = if total.is_zero() { None } else {
                            use rust_decimal::prelude::ToPrimitive;
                            (r.aum / total).to_f64()
                        };
                        let (place, href) = match &r.city {
                            Some(city) => (format!("{city}, {}", r.state), narrowed_href("/clients", &[("state", r.state.as_str()), ("city", city.as_str())])),
                            None => (r.state.clone(), narrowed_href("/clients", &[("state", r.state.as_str())])),
                        };
                        let place = match href.filter(|_| r.state != "Not recorded") {
                            Some(href) => {
                                let title = format!("Show only clients in {place}");
                                view! { <a href=href title=title>{place}</a> }.into_any()
                            }
                            None => place.into_any(),
                        };
                        view! {
                            <tr>
                                <td>{place}<div class="bar" aria-hidden="true"><span style=format!("width: {:.1}%", share.unwrap_or(0.0) * 100.0)></span></div></td>
                                <td class="num">{r.clients}</td>
                                <td class="num" title=inr(r.aum)>{inr_short(r.aum)}</td>
                                <td class="num">{pct(share)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}

#[component]
fn Sections(b: BookAnalytics) -> impl IntoView {
    let labels: Vec<String> = b.client_flows.iter().map(|f| f.label.clone()).collect();
    let net: Vec<f64> = b
        .client_flows
        .iter()
        .map(|f| (f.joined - f.left) as f64)
        .collect();
    view! {
        <section class="card stack">
            <h2>"RM league table"</h2>
            <p class="muted small">"Active portfolios you may see; net flows and fees this financial year; return of each book's pooled money."</p>
            <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact" data-testid="rm-league">
                <thead><tr><th>"RM · team"</th><th class="num">"Clients"</th><th class="num">"Portfolios"</th><th class="num">"AUM"</th>
                    <th class="num">"Net flows FYTD"</th><th class="num">"Fees FYTD"</th><th class="num">"TWRR 1Y"</th></tr></thead>
                <tbody>
                    {b.league.into_iter().map(|r| view! {
                        <tr>
                            <td><a href=format!("/portfolios?group=rm-{}", r.rm_id)>{r.name.clone()}</a>
                                <div class="muted small">{r.team.clone().unwrap_or_else(|| "No team".into())}</div></td>
                            <td class="num">{r.clients}</td>
                            <td class="num">{r.portfolios}</td>
                            <td class="num" title=inr(r.aum)>{inr_short(r.aum)}</td>
                            <td class="num" title=inr(r.net_flow_fytd)>{inr_short(r.net_flow_fytd)}</td>
                            <td class="num" title=inr(r.fees_fytd)>{inr_short(r.fees_fytd)}</td>
                            <td class=tone(r.twrr_1y)>{pct(r.twrr_1y)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
        <div class="grid-2">
            <section class="card">
                <h2>"Clients joining and leaving"</h2>
                <BarChart title="Net new clients per financial year".to_string() labels values=net format=count_tick/>
                <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact" data-testid="client-flows">
                    <thead><tr><th>"Year"</th><th class="num">"Joined"</th><th class="num">"Left"</th><th class="num">"Active at end"</th><th class="num">"Retention"</th></tr></thead>
                    <tbody>
                        {b.client_flows.into_iter().rev().map(|f| view! {
                            <tr>
                                <td>{f.label.clone()}</td>
                                <td class="num">{f.joined}</td>
                                <td class="num">{f.left}</td>
                                <td class="num">{f.active_at_end}</td>
                                <td class="num" title=format!("of {} clients active at the start", f.active_at_start)>{pct(f.retention)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
                <p class="muted small">"Retention: clients active at both ends of the year over those active at its start."</p>
            </section>
            <Geography title="By state" rows=b.by_state testid="geo-state"/>
        </div>
        <div class="grid-2">
            <Geography title="Largest cities" rows=b.by_city testid="geo-city"/>
        </div>
    }
}

/// The sections, loading on their own below the table.
#[component]
pub fn BookSections() -> impl IntoView {
    // The period and granularity do not change these tables: one answer serves them all.
    let filter = use_filter();
    let asked = Memo::new(move |_| Filter {
        period: None,
        by: Default::default(),
        ..filter.get()
    });
    let analytics = Resource::new(
        move || (asked.get(), crate::layout::live::data_epoch()),
        |(asked, _)| get_book_analytics(asked),
    );
    view! {
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            <Guarded>
                {move || Suspend::new(async move {
                    Ok::<_, AppError>(analytics.await?).map(|b| {
                        (!b.league.is_empty() || !b.client_flows.is_empty()).then(|| view! { <Sections b/> })
                    })
                })}
            </Guarded>
        </Transition>
    }
}
