//! Executive summary: the book the signed-in user may see, at a glance — AUM and its change
//! this financial year split into net flows and market gain, clients and portfolios, 1-year
//! TWRR against the benchmarks, the strategy and risk-profile mix, and the best and worst
//! portfolios. All from the aggregates kept current at load time.

use leptos::prelude::*;
use pms_domain::error::AppError;
use pms_domain::summary::{ExecutiveSummary, MixRow, RankedPortfolio};
use pms_metrics::format::{inr, inr_short};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::{pct, tone, PageHeader};
use crate::components::{EmptyState, Guarded};

#[server(endpoint = "summary/executive")]
pub async fn get_executive_summary() -> Result<ExecutiveSummary, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::summary::executive(&cx, &caller).await
}

#[component]
fn Kpi(
    label: &'static str,
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
fn Mix(title: &'static str, rows: Vec<MixRow>, count_label: &'static str) -> impl IntoView {
    let total: Decimal = rows.iter().map(|r| r.aum).sum();
    view! {
        <section class="card">
            <h2>{title}</h2>
            <div class="table-scroll"><table class="data-table data-table--compact mix">
                <thead><tr><th></th><th class="num">"AUM"</th><th class="num">"Share"</th><th class="num">{count_label}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let share = if total.is_zero() { 0.0 } else { (r.aum / total).to_f64().unwrap_or(0.0) };
                        view! {
                            <tr>
                                <td>
                                    {r.label.clone()}
                                    <div class="bar" aria-hidden="true"><span style=format!("width: {:.1}%", share * 100.0)></span></div>
                                </td>
                                <td class="num" title=inr(r.aum)>{inr_short(r.aum)}</td>
                                <td class="num">{pct(Some(share))}</td>
                                <td class="num">{r.count}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}

#[component]
fn Ranked(title: &'static str, rows: Vec<RankedPortfolio>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{title}</h2>
            <div class="table-scroll"><table class="data-table data-table--compact">
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

#[component]
pub fn ExecutiveSummary() -> impl IntoView {
    let summary = Resource::new(|| (), |_| get_executive_summary());
    view! {
        <PageHeader
            title="Executive summary"
            subtitle="AUM and its change, clients, flows and performance against benchmarks, for the book you may see."
        />
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            <Guarded>
                {move || Suspend::new(async move {
                    Ok::<_, AppError>(match summary.await? {
                        s if s.portfolios == 0 => view! {
                            <EmptyState title="No portfolios to show yet">
                                <p>"Once client and portfolio data arrive from Salesforce and Wealth Spectrum (Data loads), and clients are assigned to you, this page shows AUM, flows and performance."</p>
                            </EmptyState>
                        }.into_any(),
                        s => {
                            let change = s.net_flow_fytd + s.market_gain_fytd;
                            view! {
                                <p class="muted small" data-testid="summary-as-of">
                                    {s.as_of.map(|d| format!("Valued as of {}. Financial year to date: since 1 April.", d.format("%d %b %Y")))}
                                </p>
                                <div class="kpis" data-testid="kpis">
                                    <Kpi label="Assets under management" value=inr_short(s.aum) title=inr(s.aum)/>
                                    <Kpi label="Change this financial year" value=inr_short(change) title=inr(change)
                                        class=if change.is_sign_negative() { "neg" } else { "pos" }/>
                                    <Kpi label="of which net flows" value=inr_short(s.net_flow_fytd) title=inr(s.net_flow_fytd)/>
                                    <Kpi label="of which market gain" value=inr_short(s.market_gain_fytd) title=inr(s.market_gain_fytd)/>
                                    <Kpi label="Clients · portfolios" value=format!("{} · {}", s.clients, s.portfolios)/>
                                    <Kpi label="TWRR 1Y (AUM-weighted)" value=pct(s.twrr_1y) class=tone(s.twrr_1y)/>
                                    <Kpi label="Benchmarks 1Y" value=pct(s.benchmark_1y) class=tone(s.benchmark_1y)/>
                                </div>
                                <div class="grid-2">
                                    <Mix title="Strategy mix" rows=s.by_strategy.clone() count_label="Portfolios"/>
                                    <Mix title="Risk-profile mix" rows=s.by_risk_profile.clone() count_label="Clients"/>
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
