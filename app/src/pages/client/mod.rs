//! One client: who they are, their portfolios with TWRR against the benchmark over the SEBI
//! periods and their holdings, contacts and recent meetings, and a what-if computed in the browser. Viewing it is
//! recorded in the audit trail.

use pms_domain::error::AppError;
mod holdings;
mod statement;
mod what_if;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use pms_domain::clients::{ClientDetail, PortfolioSummary, ValuationPoint};
use pms_domain::identity::Capability;
use pms_metrics::format::{inr, inr_short};

use super::{pct, tone};
use crate::components::Guarded;
use holdings::Holdings;
use statement::StatementForm;
use what_if::WhatIf;

#[server(endpoint = "clients/detail")]
pub async fn get_client_detail(client_id: i32) -> Result<ClientDetail, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::clients::detail(&cx, &caller, client_id).await
}

#[server(endpoint = "clients/valuations")]
pub async fn portfolio_valuations(portfolio_id: i32) -> Result<Vec<ValuationPoint>, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::clients::valuations(&cx, &caller, portfolio_id).await
}

#[component]
fn Fact(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="fact">
            <span class="fact__label">{label}</span>
            <span class="fact__value">{value}</span>
        </div>
    }
}

#[component]
fn PortfolioCard(portfolio: PortfolioSummary) -> impl IntoView {
    let p = portfolio;
    view! {
        <section class="card stack" data-testid="portfolio">
            <header class="portfolio-head">
                <div>
                    <h3>{p.investment_approach.clone()}<span class="muted">{format!(" · {}", p.code)}</span></h3>
                    <p class="muted small">{format!("{} strategy ({}) · benchmark {} · since {}", p.strategy, p.strategy_category, p.benchmark, p.inception_date.format("%d %b %Y"))}</p>
                </div>
                <div class="portfolio-head__figures">
                    <Fact label="Market value" value=inr_short(p.market_value)/>
                    <Fact label="TWRR since inception" value=pct(p.twrr_si)/>
                    <Fact label="XIRR" value=pct(p.xirr_si)/>
                </div>
            </header>
            <p class="muted small">
                {format!(
                    "Fees: management {}% a year; performance {}% above a {}% hurdle (high water mark). ",
                    p.mgmt_fee_pct.normalize(),
                    p.perf_fee_pct.normalize(),
                    p.hurdle_pct.normalize()
                )}
                {p.as_of.map(|d| format!("Valued {}. ", d.format("%d %b %Y")))}
                <a href=format!("/portfolios?group=portfolio-{}", p.portfolio_id)>"Performance and risk"</a>
            </p>
            {(!p.periods.is_empty()).then(|| view! {
                <div class="table-scroll" tabindex="0">
                    <table class="data-table data-table--compact">
                        <thead><tr><th>"Period"</th>{p.periods.iter().map(|r| view! { <th class="num">{r.period.clone()}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            <tr><th scope="row">"Portfolio"</th>{p.periods.iter().map(|r| view! { <td class=tone(r.portfolio)>{pct(r.portfolio)}</td> }).collect_view()}</tr>
                            <tr><th scope="row">"Benchmark"</th>{p.periods.iter().map(|r| view! { <td class=tone(r.benchmark)>{pct(r.benchmark)}</td> }).collect_view()}</tr>
                        </tbody>
                    </table>
                </div>
                <p class="muted small">"TWRR as SEBI prescribes: periods of a year or more annualised, shorter periods absolute."</p>
            })}
            <Holdings portfolio_id=p.portfolio_id/>
            <WhatIf portfolio_id=p.portfolio_id mgmt_fee_pct=p.mgmt_fee_pct perf_fee_pct=p.perf_fee_pct hurdle_pct=p.hurdle_pct/>
        </section>
    }
}

#[component]
pub fn ClientPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i32>().ok())
            .unwrap_or(0)
    };
    let detail = Resource::new(
        move || (id(), crate::layout::live::data_epoch()),
        |(id, _)| get_client_detail(id),
    );
    let user = use_context::<crate::layout::UserResource>();

    view! {
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            <Guarded
                before=|| view! {
                    <Title text="Client"/>
                    <div class="page-header"><h1>"Client"</h1></div>
                }
                after=|| view! { <a class="button" href="/clients">"Back to clients"</a> }
            >
                {move || Suspend::new(async move {
                    let d = detail.await?;
                    let s = d.summary.clone();
                    // Awaited, not read, so the server and the browser render the same.
                    let can_export = match user {
                        Some(user) => user.await.is_ok_and(|u| u.can(Capability::Export)),
                        None => false,
                    };
                    let latest_valuation = d.portfolios.iter().filter_map(|p| p.as_of).max();
                    Ok::<_, AppError>(view! {
                        <Title text=s.name.clone()/>
                        <div class="page-header">
                            <p class="breadcrumb"><a href="/clients">"Clients"</a>" / "{s.client_code.clone().unwrap_or_default()}</p>
                            <h1 data-testid="client-name">{s.name.clone()}</h1>
                            <p class="page-header__subtitle">
                                {[s.city.clone(), s.state.clone(), d.client_type.clone(), s.risk_profile.clone().map(|r| format!("{r} risk profile"))]
                                    .into_iter().flatten().collect::<Vec<_>>().join(" · ")}
                                " · "<a href=format!("/portfolios?group=client-{}", s.client_id) data-testid="client-performance">"Performance of all portfolios"</a>
                            </p>
                        </div>
                        <div class="kpis">
                            <div class="kpi"><span class="kpi__label">"AUM"</span><span class="kpi__value" title=inr(s.aum)>{inr_short(s.aum)}</span></div>
                            <div class="kpi"><span class="kpi__label">"XIRR since inception"</span><span class=format!("kpi__value {}", tone(s.xirr_si))>{pct(s.xirr_si)}</span></div>
                            <div class="kpi"><span class="kpi__label">"TWRR 1Y (pooled)"</span><span class=format!("kpi__value {}", tone(s.twrr_1y))>{pct(s.twrr_1y)}</span></div>
                            <div class="kpi"><span class="kpi__label">"Relationship manager"</span><span class="kpi__value kpi__value--text">{s.rm_name.clone().unwrap_or_else(|| "Unassigned".into())}</span></div>
                        </div>
                        <div class="grid-2">
                            <section class="card">
                                <h2>"Client"</h2>
                                <dl class="facts">
                                    <dt>"Client code"</dt><dd>{s.client_code.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"PAN"</dt><dd>{d.pan_masked.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"E-mail"</dt><dd>{d.email.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Phone"</dt><dd>{d.phone.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Onboarded"</dt><dd>{s.onboarding_date.map(|x| x.format("%d %b %Y").to_string()).unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Status"</dt><dd>{s.status.clone()}{d.closure_date.map(|x| format!(" since {}", x.format("%d %b %Y")))}</dd>
                                </dl>
                            </section>
                            <section class="card">
                                <h2>"Recent contact"</h2>
                                {if d.recent_activity.is_empty() {
                                    view! { <p class="muted">"No calls or meetings recorded in Salesforce."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="activity">
                                            {d.recent_activity.iter().map(|a| view! {
                                                <li>
                                                    <span class="muted small">{a.date.map(|x| x.format("%d %b %Y").to_string()).unwrap_or_default()}</span>
                                                    {format!(" {} — {}", a.activity_type.clone().unwrap_or_else(|| a.kind.clone()), a.subject.clone().unwrap_or_default())}
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>
                        </div>
                        {can_export.then(|| view! { <StatementForm client_id=s.client_id latest_valuation/> })}
                        <h2 class="section-title">"Portfolios"</h2>
                        {if d.portfolios.is_empty() {
                            view! { <p class="muted">"No portfolios you may see."</p> }.into_any()
                        } else {
                            d.portfolios.into_iter().map(|p| view! { <PortfolioCard portfolio=p/> }).collect_view().into_any()
                        }}
                    }.into_any())
                })}
            </Guarded>
        </Transition>
    }
}
