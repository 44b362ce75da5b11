//! Executive summary: the book the signed-in user may see, narrowed by the filter bar, at a
//! glance — AUM and its change over the chosen period (by default this financial year) split
//! into net flows and market gain, clients and portfolios, 1-year
//! TWRR against the benchmarks, the strategy and risk-profile mix, and the best and worst
//! portfolios. All from the aggregates kept current at load time.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use pms_domain::error::AppError;
use pms_domain::filter::{Filter, Period};
use pms_domain::performance::{roll_up, Granularity, PeriodFigure};
use pms_domain::summary::{ExecutiveSummary, RankedPortfolio};
use pms_metrics::format::{inr, inr_short};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::{pct, tone, PageHeader};
use crate::components::chart::{BarChart, LineChart, Series};
use crate::components::filter_bar::{href_with, kept_params, use_filter};
use crate::components::mix::Mix;
use crate::components::{EmptyState, FilterBar, Guarded};

#[server(endpoint = "summary/executive")]
pub async fn get_executive_summary(
    #[server(default)] filter: Filter,
) -> Result<ExecutiveSummary, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::summary::executive(&cx, &caller, &filter).await
}

#[component]
fn Kpi(
    #[prop(into)] label: String,
    value: String,
    #[prop(optional)] title: Option<String>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    view! {
        <div class="kpi">
            <span class="kpi__label">{label}</span>
            <span class=format!("kpi__value {class}") title=title>{value}</span>
        </div>
    }
}

#[component]
fn Ranked(title: &'static str, rows: Vec<RankedPortfolio>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{title}</h2>
            <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact">
                <thead><tr><th>"Client · approach"</th><th class="num">"Value"</th><th class="num">"TWRR 1Y"</th><th class="num">"Benchmark"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td>
                                <a href=format!("/clients/{}", r.client_id)>{r.client_name.clone()}</a>
                                <div class="muted small">{r.investment_approach.clone()}</div>
                            </td>
                            <td class="num">{inr_short(r.market_value)}</td>
                            <td class=tone(r.twrr_1y)>{pct(r.twrr_1y)}</td>
                            <td class=tone(r.benchmark_1y)>{pct(r.benchmark_1y)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}

/// Crores on a chart's axis (short: the axis is narrow on a phone).
fn crore_tick(v: f64) -> String {
    format!("{:.0} Cr", v / 1e7)
}

/// The book's returns for the SEBI periods against the benchmark blend.
#[component]
fn Periods(periods: Vec<PeriodFigure>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Returns for the SEBI periods"</h2>
            <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact" data-testid="summary-periods">
                <thead><tr><th></th>{periods.iter().map(|p| view! { <th class="num">{p.period.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    <tr><th scope="row">"TWRR"</th>{periods.iter().map(|p| view! { <td class=tone(p.twrr)>{pct(p.twrr)}</td> }).collect_view()}</tr>
                    <tr><th scope="row">"Benchmark"</th>{periods.iter().map(|p| view! { <td class=tone(p.benchmark)>{pct(p.benchmark)}</td> }).collect_view()}</tr>
                </tbody>
            </table></div>
            <p class="muted small">"Time-weighted return of the pooled book; a year or longer annualised. "
                <a href="/portfolios">"Performance and risk in detail"</a></p>
        </section>
    }
}

/// AUM at each period end and net flows within it, by month, quarter or financial year.
#[component]
fn Trend(s: ExecutiveSummary, filter: Filter) -> impl IntoView {
    let by = filter.by;
    let params = use_query_map();
    let keep = kept_params(&params.read_untracked());
    let points = roll_up(&s.months, by);
    let labels: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
    let aum = vec![Series {
        name: "AUM".into(),
        tone: "primary",
        values: points.iter().map(|p| p.value.to_f64()).collect(),
        area: false,
    }];
    let flows: Vec<f64> = points
        .iter()
        .map(|p| p.net_flow.to_f64().unwrap_or(0.0))
        .collect();
    // A bar opens its own period, by month.
    let drill: Vec<String> = points
        .iter()
        .map(|p| {
            let period = Period::Range {
                from: Some(by.start_of(p.end)),
                to: Some(by.end_of(p.end)),
            };
            let narrowed = Filter {
                period: Some(period),
                by: Granularity::Month,
                ..filter.clone()
            };
            href_with("/", &keep, &narrowed)
        })
        .collect();
    let switch = Granularity::ALL
        .into_iter()
        .map(|g| {
            view! {
                <a href=href_with("/", &keep, &Filter { by: g, ..filter.clone() }) aria-current=(g == by).then_some("true")>{g.label()}</a>
            }
        })
        .collect_view();
    view! {
        <div class="toolbar">
            <span class="muted small">"Trend by"</span>
            <nav class="segmented" aria-label="Trend granularity" data-testid="granularity">{switch}</nav>
        </div>
        <div class="grid-2">
            <section class="card">
                <h2>"AUM trend"</h2>
                <LineChart title=format!("AUM at each {} end", by.label().to_lowercase()) labels=labels.clone() series=aum format=crore_tick/>
            </section>
            <section class="card">
                <h2>"Net flows"</h2>
                <BarChart title=format!("Net inflows and outflows by {}", by.label().to_lowercase()) labels=labels values=flows format=crore_tick links=drill/>
            </section>
        </div>
        <details class="card stack">
            <summary>"The numbers behind the trend"</summary>
            <div class="table-scroll table-scroll--tall" tabindex="0"><table class="data-table data-table--compact" data-testid="trend-table">
                <thead><tr><th>{by.label()}</th><th class="num">"AUM"</th><th class="num">"Net flows"</th></tr></thead>
                <tbody>
                    {points.iter().rev().map(|p| view! {
                        <tr><td>{p.label.clone()}</td><td class="num" title=inr(p.value)>{inr_short(p.value)}</td><td class="num" title=inr(p.net_flow)>{inr_short(p.net_flow)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </details>
    }
}

#[component]
pub fn ExecutiveSummary() -> impl IntoView {
    let filter = use_filter();
    // The granularity only regroups the trend: the same answer serves every choice of it.
    let asked = Memo::new(move |_| Filter {
        by: Granularity::default(),
        ..filter.get()
    });
    let summary = Resource::new(
        move || (asked.get(), crate::layout::live::data_epoch()),
        |(asked, _)| get_executive_summary(asked),
    );
    view! {
        <PageHeader
            title="Executive summary"
            subtitle="AUM and its change, clients, flows and performance against benchmarks, for the book you may see."
        />
        <FilterBar path="/" with_period=true/>
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            <Guarded>
                {move || Suspend::new(async move {
                    Ok::<_, AppError>(match summary.await? {
                        s if s.portfolios == 0 && asked.get_untracked().narrows_portfolios() => view! {
                            <EmptyState title="No portfolios match these filters">
                                <p>"Remove a filter above, or clear them all, to see more of your book."</p>
                            </EmptyState>
                        }.into_any(),
                        s if s.portfolios == 0 => view! {
                            <EmptyState title="No portfolios to show yet">
                                <p>"Once client and portfolio data arrive from Salesforce and Wealth Spectrum (Data loads), and clients are assigned to you, this page shows AUM, flows and performance."</p>
                            </EmptyState>
                        }.into_any(),
                        s => {
                            let (flows, gain) = s.change.as_ref().map_or((Decimal::ZERO, Decimal::ZERO), |c| (c.net_flow, c.market_gain));
                            let change = flows + gain;
                            let period = s.change.as_ref().map_or_else(|| "No valuations in the period".to_owned(), |c| {
                                format!("{} ({} – {})", c.period, c.from.format("%d %b %Y"), c.to.format("%d %b %Y"))
                            });
                            // A past period (an earlier FY, a range ending before the latest
                            // valuation) shows the book as it stood at the period's end.
                            let (aum_label, aum) = match &s.change {
                                Some(c) if Some(c.to) != s.as_of => (format!("AUM at {}", c.to.format("%d %b %Y")), c.closing),
                                _ => ("Assets under management".to_owned(), s.aum),
                            };
                            let for_trend = s.clone();
                            view! {
                                <p class="muted small" data-testid="summary-as-of">
                                    {s.as_of.map(|d| format!("Valued as of {}. ", d.format("%d %b %Y")))}
                                    {format!("Change over {period}.")}
                                </p>
                                <div class="kpis" data-testid="kpis">
                                    <Kpi label=aum_label value=inr_short(aum) title=inr(aum)/>
                                    <Kpi label="Change in the period" value=inr_short(change) title=inr(change)
                                        class=if change.is_sign_negative() { "neg" } else { "pos" }/>
                                    <Kpi label="of which net flows" value=inr_short(flows) title=inr(flows)/>
                                    <Kpi label="of which market gain" value=inr_short(gain) title=inr(gain)/>
                                    <Kpi label="Clients · portfolios" value=format!("{} · {}", s.clients, s.portfolios)/>
                                    <Kpi label="TWRR 1Y (pooled)" value=pct(s.twrr_1y) class=tone(s.twrr_1y)/>
                                    <Kpi label="Benchmark blend 1Y" value=pct(s.benchmark_1y) class=tone(s.benchmark_1y)/>
                                </div>
                                <Periods periods=s.periods.clone()/>
                                {move || view! { <Trend s=for_trend.clone() filter=filter.get()/> }}
                                <div class="grid-2">
                                    <Mix title="Strategy mix" rows=s.by_strategy.clone() count_label="Portfolios" drill="/"/>
                                    <Mix title="Investment approaches" rows=s.by_approach.clone() count_label="Portfolios" drill="/"/>
                                </div>
                                <div class="grid-2">
                                    <Mix title="Asset classes (latest holdings)" rows=s.by_asset_class.clone() count_label="Portfolios" drill="/"/>
                                    <Mix title="Risk-profile mix" rows=s.by_risk_profile.clone() count_label="Clients" drill="/"/>
                                </div>
                                <div class="grid-2">
                                    <Ranked title="Top portfolios (TWRR 1Y)" rows=s.top.clone()/>
                                    <Ranked title="Bottom portfolios (TWRR 1Y)" rows=s.bottom.clone()/>
                                </div>
                            }.into_any()
                        }
                    })
                })}
            </Guarded>
        </Transition>
    }
}
