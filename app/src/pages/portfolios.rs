//! Portfolio performance of a group — the whole book, a strategy, an investment approach, an
//! RM's book, a client or one portfolio — as pooled money against its benchmark: the SEBI
//! periods, growth and drawdown over time, rolling return and volatility, monthly returns and
//! the risk statistics. The group is in the URL (`?group=approach-3`), so a view can be
//! bookmarked and shared; the figures are those of the viewer's scope.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use pms_domain::error::AppError;
use pms_domain::performance::{Group, GroupChoice, GroupChoices, GroupPerformance};
use pms_metrics::format::{inr, inr_short};

use super::{pct, tone, PageHeader};
use crate::components::chart::{LineChart, Point, ScatterChart, Series};
use crate::components::filter_bar::{filter_from, href_with, use_filter};
use crate::components::mix::Mix;
use crate::components::FilterBar;
use crate::components::{EmptyState, Guarded};
use pms_domain::filter::Filter;

#[server(endpoint = "performance/group")]
pub async fn get_group_performance(
    group: String,
    #[server(default)] filter: Filter,
) -> Result<GroupPerformance, AppError> {
    let group: Group = group
        .parse()
        .map_err(|e: pms_domain::performance::BadGroup| AppError::bad_request(e.to_string()))?;
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::performance::group(&cx, &caller, group, &filter).await
}

#[server(endpoint = "performance/choices")]
pub async fn get_group_choices() -> Result<GroupChoices, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::performance::choices(&cx, &caller).await
}

/// The group a URL names; a malformed one shows the whole book.
fn group_from(params: &leptos_router::params::ParamsMap) -> Group {
    params
        .get("group")
        .and_then(|g| g.parse().ok())
        .unwrap_or_default()
}

/// A tick as a percentage: whole numbers where the step allows, else one decimal.
fn percent_tick(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |v| format!("{v:.2}"))
}

/// The picker: the whole book, then every strategy, approach and RM book in scope. Without
/// script the form's GET does the same as the change handler.
#[component]
fn GroupPicker(current: Memo<Group>) -> impl IntoView {
    let choices = Resource::new(|| (), |_| get_group_choices());
    let navigate = use_navigate();
    let params = use_query_map();
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let filter = filter_from(&params.read_untracked()).unwrap_or_default();
        navigate(
            &href_with("/portfolios", &[("group".to_owned(), value)], &filter),
            NavigateOptions::default(),
        );
    };
    let options = move |title: &'static str, list: Vec<GroupChoice>| {
        (!list.is_empty()).then(|| {
            view! {
                <optgroup label=title>
                    {list.into_iter().map(|c| {
                        let key = c.group.to_string();
                        view! { <option value=key.clone() selected=move || current.get().to_string() == key>{c.label}</option> }
                    }).collect_view()}
                </optgroup>
            }
        })
    };
    view! {
        <form class="toolbar" method="get" action="/portfolios">
            <label class="toolbar__field">
                <span>"Show"</span>
                <select name="group" on:change=on_change data-testid="group-picker">
                    <option value="firm" selected=move || current.get() == Group::Firm>"Whole book"</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            choices.await.map(|c| view! {
                                {options("Strategies", c.strategies)}
                                {options("Investment approaches", c.approaches)}
                                {options("RM books", c.rms)}
                            }).ok()
                        })}
                    </Transition>
                </select>
            </label>
            <noscript><button type="submit" class="button">"Show"</button></noscript>
        </form>
    }
}

#[component]
fn Figures(p: GroupPerformance) -> impl IntoView {
    let labels: Vec<String> = p
        .months
        .iter()
        .map(|m| m.month_end.format("%b %Y").to_string())
        .collect();
    let growth = vec![
        Series {
            name: "TWRR (cumulative)".into(),
            tone: "primary",
            values: p.months.iter().map(|m| Some(m.cumulative)).collect(),
            area: false,
        },
        Series {
            name: p.benchmark.clone(),
            tone: "benchmark",
            values: p.months.iter().map(|m| m.benchmark_cumulative).collect(),
            area: false,
        },
    ];
    let drawdown = vec![Series {
        name: "Below the previous peak".into(),
        tone: "negative",
        values: p.months.iter().map(|m| Some(m.drawdown)).collect(),
        area: true,
    }];
    let rolling = vec![
        Series {
            name: "Return, trailing 1 year".into(),
            tone: "primary",
            values: p.months.iter().map(|m| m.rolling_return_1y).collect(),
            area: false,
        },
        Series {
            name: "Volatility, trailing 1 year".into(),
            tone: "benchmark",
            values: p.months.iter().map(|m| m.rolling_volatility_1y).collect(),
            area: false,
        },
    ];
    let si = p.periods.iter().find(|r| r.period == "SI").cloned();
    view! {
        <p class="muted small" data-testid="group-label">
            <strong>{p.label.clone()}</strong>
            {format!(" · benchmark: {}", p.benchmark)}
            {p.as_of.map(|d| format!(" · valued as of {}", d.format("%d %b %Y")))}
        </p>
        <div class="kpis" data-testid="performance-kpis">
            <div class="kpi"><span class="kpi__label">"Value"</span><span class="kpi__value" title=inr(p.market_value)>{inr_short(p.market_value)}</span></div>
            <div class="kpi"><span class="kpi__label">"Active portfolios"</span><span class="kpi__value">{p.portfolios}</span></div>
            <div class="kpi"><span class="kpi__label">"TWRR since inception"</span>
                <span class=format!("kpi__value {}", tone(si.as_ref().and_then(|s| s.twrr))) data-testid="twrr-si">{pct(si.as_ref().and_then(|s| s.twrr))}</span></div>
            <div class="kpi"><span class="kpi__label">"Benchmark since inception"</span>
                <span class=format!("kpi__value {}", tone(si.as_ref().and_then(|s| s.benchmark)))>{pct(si.as_ref().and_then(|s| s.benchmark))}</span></div>
            <div class="kpi"><span class="kpi__label">"XIRR since inception"</span><span class=format!("kpi__value {}", tone(p.xirr_si))>{pct(p.xirr_si)}</span></div>
        </div>
        <div class="grid-2">
            <section class="card">
                <h2>"Returns for the SEBI periods"</h2>
                <p class="muted small">"Time-weighted, of the pooled money; a year or longer is annualised."</p>
                <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact" data-testid="period-table">
                    <thead><tr><th>"Period"</th><th class="num">"TWRR"</th><th class="num">"Benchmark"</th><th class="num">"Excess"</th></tr></thead>
                    <tbody>
                        {p.periods.iter().map(|r| view! {
                            <tr>
                                <td title=format!("{} – {}", r.start.format("%d %b %Y"), r.end.format("%d %b %Y"))>
                                    {r.period.clone()}{r.annualised.then_some(" (ann.)")}
                                </td>
                                <td class=tone(r.twrr)>{pct(r.twrr)}</td>
                                <td class=tone(r.benchmark)>{pct(r.benchmark)}</td>
                                <td class=tone(r.excess())>{pct(r.excess())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            </section>
            <section class="card">
                <h2>"Growth against the benchmark"</h2>
                <LineChart title=format!("Cumulative TWRR of {} against {}", p.label, p.benchmark) labels=labels.clone() series=growth format=percent_tick/>
            </section>
        </div>
        <div class="grid-2">
            <section class="card">
                <h2>"Drawdown"</h2>
                <LineChart title="How far the pooled TWRR stood below its previous peak".to_string() labels=labels.clone() series=drawdown format=percent_tick/>
            </section>
            <section class="card">
                <h2>"Rolling one-year return and volatility"</h2>
                <LineChart title="Trailing one-year return and annualised volatility at each month end".to_string() labels=labels series=rolling format=percent_tick/>
            </section>
        </div>
        {(!p.allocation.by_asset_class.is_empty()).then(|| view! {
            <p class="muted small">{p.allocation.as_of.map(|d| format!("Allocation from the latest holdings ({}).", d.format("%d %b %Y")))}</p>
            <div class="grid-3" data-testid="allocation">
                <Mix title="Asset classes" rows=p.allocation.by_asset_class.clone() count_label="Portfolios" drill="/portfolios"/>
                <Mix title="Equity by sector" rows=p.allocation.by_sector.clone() count_label="Holdings"/>
                <Mix title="Equity by market cap" rows=p.allocation.by_market_cap.clone() count_label="Holdings"/>
            </div>
        })}
        {(p.scatter.len() > 1).then(|| view! {
            <section class="card stack">
                <h2>"Risk and return of the portfolios"</h2>
                <p class="muted small">{format!("{} active portfolios with a year of history; each point opens its portfolio.", p.scatter.len())}</p>
                <ScatterChart title="One-year return against one-year volatility, per portfolio".to_string()
                    x_label="volatility 1Y" y_label="TWRR 1Y" format=percent_tick
                    points=p.scatter.iter().map(|s| Point {
                        x: s.volatility_1y,
                        y: s.twrr_1y,
                        href: format!("/portfolios?group=portfolio-{}", s.portfolio_id),
                        title: s.label.clone(),
                    }).collect()/>
            </section>
        })}
        <section class="card stack">
            <h2>"Monthly returns"</h2>
            <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact heat-map" data-testid="monthly-returns">
                <thead><tr><th>"Year"</th>{p.month_labels.iter().map(|m| view! { <th class="num">{m.clone()}</th> }).collect_view()}<th class="num">"Year"</th></tr></thead>
                <tbody>
                    {p.monthly_returns.iter().map(|row| view! {
                        <tr>
                            <th scope="row">{row.label.clone()}</th>
                            {row.months.iter().map(|m| view! { <td class="num" style=heat(*m)>{pct(*m)}</td> }).collect_view()}
                            <td class=tone(row.total)><strong>{pct(row.total)}</strong></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
        <div class="grid-2">
            <section class="card">
                <h2>"Risk statistics"</h2>
                <p class="muted small">{p.risk_window.clone()}</p>
                <table class="data-table data-table--compact" data-testid="risk-table">
                    <tbody>
                        {p.risk.iter().map(|r| view! {
                            <tr><th scope="row">{r.name.clone()}</th>
                                <td class="num">{if r.percent { pct(r.value) } else { ratio(r.value) }}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="card">
                <h2>"Month-end values"</h2>
                <p class="muted small">"The numbers behind the charts."</p>
                <div class="table-scroll table-scroll--tall" tabindex="0"><table class="data-table data-table--compact" data-testid="month-table">
                    <thead><tr><th>"Month"</th><th class="num">"Value"</th><th class="num">"Net flows"</th><th class="num">"TWRR cum."</th><th class="num">"Drawdown"</th></tr></thead>
                    <tbody>
                        {p.months.iter().rev().map(|m| view! {
                            <tr>
                                <td>{m.month_end.format("%b %Y").to_string()}</td>
                                <td class="num" title=inr(m.value)>{inr_short(m.value)}</td>
                                <td class="num" title=inr(m.net_flow)>{inr_short(m.net_flow)}</td>
                                <td class=tone(Some(m.cumulative))>{pct(Some(m.cumulative))}</td>
                                <td class="num">{pct(Some(m.drawdown))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            </section>
        </div>
    }
}

/// Cell shading of a monthly return: green up, orange down, stronger with size (±5% full).
/// The figure itself stays in the body colour, legible on every shade.
fn heat(value: Option<f64>) -> String {
    match value {
        Some(v) => {
            let strength = (v.abs() / 0.05).min(1.0) * 0.35;
            let rgb = if v >= 0.0 {
                "18, 128, 92"
            } else {
                "194, 65, 12"
            };
            format!("background: rgba({rgb}, {strength:.2})")
        }
        None => String::new(),
    }
}

#[component]
pub fn PortfolioPerformance() -> impl IntoView {
    let params = use_query_map();
    let group = Memo::new(move |_| group_from(&params.read()));
    let asked = use_filter();
    let performance = Resource::new(
        move || {
            (
                group.get().to_string(),
                asked.get(),
                crate::layout::live::data_epoch(),
            )
        },
        |(group, filter, _)| get_group_performance(group, filter),
    );
    view! {
        <PageHeader
            title="Portfolio performance"
            subtitle="Value and TWRR against the benchmark, drawdown, rolling risk, monthly returns and risk statistics — of the pooled money of the portfolios you may see."
        />
        <GroupPicker current=group/>
        <FilterBar path="/portfolios"/>
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            <Guarded>
                {move || Suspend::new(async move {
                    Ok::<_, AppError>(match performance.await? {
                        p if p.months.is_empty() && asked.get_untracked().narrows_portfolios() => view! {
                            <EmptyState title="No portfolios match these filters">
                                <p>"Remove a filter above, or clear them all, to see more of your book."</p>
                            </EmptyState>
                        }.into_any(),
                        p if p.months.is_empty() => view! {
                            <EmptyState title="No valuations for this selection yet">
                                <p>"Daily valuations from Wealth Spectrum drive this page. Once they are loaded (Data loads) for portfolios you may see, their performance appears here."</p>
                            </EmptyState>
                        }.into_any(),
                        p => view! { <Figures p/> }.into_any(),
                    })
                })}
            </Guarded>
        </Transition>
        // Across the book's approaches or strategies: shown with the whole book.
        {move || (group.get() == Group::Firm).then(|| view! { <super::correlation::Correlations/> })}
    }
}
