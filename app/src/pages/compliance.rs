//! Compliance and reporting: SEBI's performance disclosure by investment approach and strategy
//! (pooled TWRR for the standard periods against the benchmark), breaches of the concentration
//! and credit limits, fees accrued and falling due, and data-quality exceptions — within the
//! viewer's scope, narrowed by the filter bar.

use leptos::prelude::*;
use pms_domain::compliance::{ComplianceOverview, DisclosureRow, FeeOverview, FEE_DUE_DAYS};
use pms_domain::error::AppError;
use pms_metrics::format::{inr, inr_short};

use super::{pct, tone, PageHeader};
use crate::components::filter_bar::use_filter;
use crate::components::FilterBar;
use crate::components::{EmptyState, Guarded};
use pms_domain::filter::Filter;

#[server(endpoint = "compliance/overview")]
pub async fn get_compliance_overview(
    #[server(default)] filter: Filter,
) -> Result<ComplianceOverview, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::compliance::overview(&cx, &caller, &filter).await
}

/// The SEBI periods in the order the disclosure prints them.
const PERIODS: [&str; 8] = ["1M", "3M", "6M", "1Y", "2Y", "3Y", "5Y", "SI"];

#[component]
fn Disclosure(
    title: &'static str,
    rows: Vec<DisclosureRow>,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <section class="card stack">
            <h2>{title}</h2>
            <p class="muted small">"Time-weighted return of the pooled portfolios; periods of a year or more annualised. Each cell: the return, and below it the benchmark's."</p>
            <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact" data-testid=testid>
                <thead><tr>
                    <th>"Name · benchmark"</th><th class="num">"AUM"</th>
                    {PERIODS.iter().map(|p| view! { <th class="num">{*p}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let cells = PERIODS.iter().map(|label| {
                            let figure = row.periods.iter().find(|p| p.period == *label);
                            let twrr = figure.and_then(|f| f.twrr);
                            let bench = figure.and_then(|f| f.benchmark);
                            view! {
                                <td class=tone(twrr)>{pct(twrr)}<div class="muted small">{pct(bench)}</div></td>
                            }
                        }).collect_view();
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/portfolios?group={}", row.group)>{row.name.clone()}</a>
                                    <div class="muted small">{format!("{} · {} portfolios", row.benchmark, row.portfolios)}</div>
                                </td>
                                <td class="num">{inr_short(row.market_value)}</td>
                                {cells}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}

/// A count that should be zero is styled as a problem when it is not.
fn flag(count: i64) -> &'static str {
    if count > 0 {
        "kpi__value neg"
    } else {
        "kpi__value"
    }
}

fn count_line(shown: usize, total: i64, what: &str) -> String {
    if total as usize > shown {
        format!("{total} {what}; the {shown} most serious are listed.")
    } else {
        format!("{total} {what}.")
    }
}

/// Rupees to the paisa where a figure is checked against an invoice.
fn money(value: Option<rust_decimal::Decimal>) -> String {
    value.map_or_else(|| "—".into(), inr)
}

#[component]
fn Fees(fees: FeeOverview) -> impl IntoView {
    let date = |d: Option<chrono::NaiveDate>| {
        d.map_or_else(|| "—".into(), |d| d.format("%d %b %Y").to_string())
    };
    view! {
        <section class="card stack" data-testid="fees">
            <h2>"Fees: accrued and falling due"</h2>
            <p class="muted small">"At each portfolio's latest valuation: the management fee accrued since it was last charged, and the performance fee accrued in the open period above the high water mark and hurdle (charged at the next crystallisation)."</p>
            <div class="kpis">
                <div class="kpi"><span class="kpi__label">"Management fee accrued"</span>
                    <span class="kpi__value" title=inr(fees.mgmt_fee_accrued) data-testid="mgmt-fee-accrued">{inr_short(fees.mgmt_fee_accrued)}</span></div>
                <div class="kpi"><span class="kpi__label">"Performance fee accrued"</span>
                    <span class="kpi__value" title=inr(fees.perf_fee_accrued) data-testid="perf-fee-accrued">{inr_short(fees.perf_fee_accrued)}</span></div>
                <div class="kpi"><span class="kpi__label">{format!("of which due within {FEE_DUE_DAYS} days")}</span>
                    <span class="kpi__value" title=inr(fees.perf_fee_due_soon)>{inr_short(fees.perf_fee_due_soon)}</span></div>
                <div class="kpi"><span class="kpi__label">"Portfolios above their high water mark"</span>
                    <span class="kpi__value">{fees.portfolios_with_perf_fee}</span></div>
            </div>
            {(!fees.rows.is_empty()).then(|| view! {
                <div class="table-scroll table-scroll--tall" tabindex="0"><table class="data-table data-table--compact" data-testid="fee-table">
                    <thead><tr><th>"Portfolio · client"</th><th class="num">"Value"</th><th class="num">"High water mark"</th><th class="num">"Hurdle value"</th>
                        <th class="num">"Performance fee accrued"</th><th>"Crystallises"</th><th class="num">"Management fee accrued"</th></tr></thead>
                    <tbody>
                        {fees.rows.into_iter().map(|f| view! {
                            <tr>
                                <td><a href=format!("/portfolios?group=portfolio-{}", f.portfolio_id)>{f.portfolio_code.clone()}</a>
                                    <div class="muted small"><a href=format!("/clients/{}", f.client_id)>{f.client_name.clone()}</a></div></td>
                                <td class="num" title=inr(f.market_value)>{inr_short(f.market_value)}</td>
                                <td class="num">{money(f.high_water_mark)}</td>
                                <td class="num">{money(f.hurdle_value)}</td>
                                <td class="num">{money(f.perf_fee_accrued)}</td>
                                <td>{date(f.next_crystallisation)}</td>
                                <td class="num">{inr(f.mgmt_fee_accrued)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            })}
        </section>
    }
}

#[component]
fn Overview(o: ComplianceOverview) -> impl IntoView {
    let limits = o.limits.clone();
    view! {
        <p class="muted small" data-testid="compliance-as-of">
            {o.as_of.map(|d| format!("Performance to {}. ", d.format("%d %b %Y")))}
            "Figures cover the portfolios you may see."
        </p>
        <div class="kpis">
            <div class="kpi"><span class="kpi__label">"Limit breaches"</span>
                <span class=flag(o.breach_count) data-testid="breach-count">{o.breach_count}</span></div>
            <div class="kpi"><span class="kpi__label">"Portfolios without a current valuation"</span>
                <span class=flag(o.missing_valuation_count)>{o.missing_valuation_count}</span></div>
            <div class="kpi"><span class="kpi__label">"Held securities with a stale price"</span>
                <span class=flag(o.stale_price_count)>{o.stale_price_count}</span></div>
        </div>
        <Disclosure title="SEBI performance disclosure by investment approach" rows=o.by_approach testid="disclosure-approach"/>
        <Disclosure title="By strategy" rows=o.by_strategy testid="disclosure-strategy"/>
        <Fees fees=o.fees/>
        <section class="card stack">
            <h2>"Concentration and credit limits"</h2>
            <ul class="muted small">{limits.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            <p class="small"><a href="/alerts" data-testid="alerts-link">"Alerts on these breaches, and the rules behind the limits →"</a></p>
            <p class="small">{format!("{} breaches in the latest holdings; the worst of each kind are listed.", o.breach_count)}</p>
            <div class="breach-summary">
                {o.breaches_by_kind.iter().map(|(kind, count)| view! { <span class="badge badge--muted">{format!("{kind}: {count}")}</span> }).collect_view()}
            </div>
            {(!o.breaches.is_empty()).then(|| view! {
                <div class="table-scroll table-scroll--tall" tabindex="0"><table class="data-table data-table--compact" data-testid="breach-table">
                    <thead><tr><th>"Portfolio · client"</th><th>"Limit"</th><th>"Holding"</th><th class="num">"Weight"</th><th class="num">"Limit"</th><th>"Holdings of"</th></tr></thead>
                    <tbody>
                        {o.breaches.into_iter().map(|b| view! {
                            <tr>
                                <td><a href=format!("/portfolios?group=portfolio-{}", b.portfolio_id)>{b.portfolio_code.clone()}</a>
                                    <div class="muted small"><a href=format!("/clients/{}", b.client_id)>{b.client_name.clone()}</a></div></td>
                                <td><span class="breach">{b.limit.clone()}</span></td>
                                <td>{b.subject.clone()}<div class="muted small">{b.detail.clone()}</div></td>
                                <td class="num">{pct(Some(b.weight))}</td>
                                <td class="num">{pct(b.threshold)}</td>
                                <td>{b.as_of.format("%d %b %Y").to_string()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            })}
        </section>
        <section class="card stack">
            <h2>"Data quality"</h2>
            <h3>"Portfolios without a current valuation"</h3>
            <p class="small">{count_line(o.missing_valuations.len(), o.missing_valuation_count, "active portfolios are valued before the latest valuation date, or never")}</p>
            {(!o.missing_valuations.is_empty()).then(|| view! {
                <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact" data-testid="missing-valuations">
                    <thead><tr><th>"Portfolio · client"</th><th>"Last valued"</th><th class="num">"Days behind"</th></tr></thead>
                    <tbody>
                        {o.missing_valuations.into_iter().map(|m| view! {
                            <tr>
                                <td>{m.portfolio_code.clone()}<div class="muted small"><a href=format!("/clients/{}", m.client_id)>{m.client_name.clone()}</a></div></td>
                                <td>{m.last_valued.map_or_else(|| "Never".to_string(), |d| d.format("%d %b %Y").to_string())}</td>
                                <td class="num">{m.days_behind.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            })}
            <h3>"Held securities with a stale price"</h3>
            <p class="small">{count_line(o.stale_prices.len(), o.stale_price_count, "securities have no price within three days of the latest valuation date")}</p>
            {(!o.stale_prices.is_empty()).then(|| view! {
                <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact" data-testid="stale-prices">
                    <thead><tr><th>"Security"</th><th>"Last price"</th><th class="num">"Portfolios holding it"</th></tr></thead>
                    <tbody>
                        {o.stale_prices.into_iter().map(|s| view! {
                            <tr>
                                <td>{s.name.clone()}<div class="muted small">{s.isin.clone()}</div></td>
                                <td>{s.last_price_date.map_or_else(|| "Never".to_string(), |d| d.format("%d %b %Y").to_string())}</td>
                                <td class="num">{s.portfolios}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            })}
            {(!o.failed_loads.is_empty()).then(|| view! {
                <h3>"Loads that failed or were rejected (30 days)"</h3>
                <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact" data-testid="failed-loads">
                    <thead><tr><th>"Load"</th><th>"Status"</th><th class="num">"Row errors"</th><th>"When"</th></tr></thead>
                    <tbody>
                        {o.failed_loads.into_iter().map(|f| view! {
                            <tr>
                                <td>{f.file_name.clone().unwrap_or_else(|| f.report.clone())}
                                    <div class="muted small">{f.message.clone().unwrap_or_default()}</div></td>
                                <td><span class="badge badge--muted">{f.status.clone()}</span></td>
                                <td class="num">{f.error_count}</td>
                                <td>{pms_domain::time::format_ist(f.at)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            })}
        </section>
    }
}

#[component]
pub fn ComplianceReporting() -> impl IntoView {
    let asked = use_filter();
    let overview = Resource::new(
        move || (asked.get(), crate::layout::live::data_epoch()),
        |(asked, _)| get_compliance_overview(asked),
    );
    view! {
        <PageHeader
            title="Compliance & reporting"
            subtitle="SEBI performance disclosure, concentration and credit limits, and data quality."
        />
        <FilterBar path="/compliance"/>
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            <Guarded>
                {move || Suspend::new(async move {
                    Ok::<_, AppError>(match overview.await? {
                        o if o.by_approach.is_empty() && asked.get_untracked().narrows_portfolios() => view! {
                            <EmptyState title="No portfolios match these filters">
                                <p>"Remove a filter above, or clear them all, to see more of your book."</p>
                            </EmptyState>
                        }.into_any(),
                        o if o.by_approach.is_empty() => view! {
                            <EmptyState title="Nothing to report yet">
                                <p>"Once valuations are loaded for portfolios you may see, this page shows TWRR by investment approach and strategy over the SEBI standard periods against the benchmark, limit breaches and data-quality exceptions."</p>
                            </EmptyState>
                        }.into_any(),
                        o => view! { <Overview o/> }.into_any(),
                    })
                })}
            </Guarded>
        </Transition>
    }
}
