//! A portfolio's holdings on the client page: loaded when opened (each opening is an audited
//! view), the latest snapshot first, any earlier snapshot date on request, with each position's
//! weight, cost and gain, and the mix by asset class.

use chrono::NaiveDate;
use leptos::prelude::*;
use pms_domain::clients::{Holding, PortfolioHoldings};
use pms_domain::error::AppError;
use pms_metrics::format::{inr, inr_short};
use rust_decimal::Decimal;

use super::super::{pct, tone};
use crate::components::Guarded;

#[server(endpoint = "clients/holdings")]
pub async fn get_holdings(
    portfolio_id: i32,
    as_of: Option<NaiveDate>,
) -> Result<PortfolioHoldings, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::clients::holdings(&cx, &caller, portfolio_id, as_of).await
}

/// Gain over cost as a fraction, where the position reports its cost.
fn gain(h: &Holding) -> Option<f64> {
    use rust_decimal::prelude::ToPrimitive;
    let cost = h.cost_value.filter(|c| !c.is_zero())?;
    ((h.market_value - cost) / cost).to_f64()
}

/// Weight of each asset class, largest first.
fn by_asset_class(holdings: &[Holding]) -> Vec<(String, f64)> {
    let mut mix: Vec<(String, f64)> = Vec::new();
    for h in holdings {
        match mix.iter_mut().find(|(class, _)| *class == h.asset_class) {
            Some((_, weight)) => *weight += h.weight,
            None => mix.push((h.asset_class.clone(), h.weight)),
        }
    }
    mix.sort_by(|a, b| b.1.total_cmp(&a.1));
    mix
}

fn date_label(d: NaiveDate) -> String {
    d.format("%d %b %Y").to_string()
}

#[component]
fn HoldingsTable(h: PortfolioHoldings, chosen: RwSignal<Option<NaiveDate>>) -> impl IntoView {
    let mix = by_asset_class(&h.holdings);
    let total_gain = h
        .cost_value
        .filter(|c| !c.is_zero())
        .map(|cost| (h.market_value - cost, cost));
    let dates = h.dates.clone();
    let shown = h.as_of;
    view! {
        <div class="toolbar holdings-head">
            <label class="holdings-date">
                <span class="small">"Holdings on"</span>
                <select data-testid="holdings-date" on:change=move |ev| {
                    chosen.set(NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d").ok());
                }>
                    {dates.into_iter().map(|d| view! {
                        <option value=d.format("%Y-%m-%d").to_string() selected={Some(d) == shown}>{date_label(d)}</option>
                    }).collect_view()}
                </select>
            </label>
            <span class="small">{format!("{} positions · {}", h.holdings.len(), inr_short(h.market_value))}</span>
            {total_gain.map(|(gain, cost): (Decimal, Decimal)| view! {
                <span class="small">{format!("cost {} · unrealised {}", inr_short(cost), inr_short(gain))}</span>
            })}
        </div>
        <div class="breach-summary">
            {mix.into_iter().map(|(class, weight)| view! { <span class="badge badge--muted">{format!("{class} {}", pct(Some(weight)))}</span> }).collect_view()}
        </div>
        <div class="table-scroll table-scroll--tall" tabindex="0">
            <table class="data-table data-table--compact" data-testid="holdings-table">
                <thead><tr><th>"Security"</th><th>"Class · sector"</th><th class="num">"Quantity"</th><th class="num">"Value"</th><th class="num">"Weight"</th><th class="num">"Gain on cost"</th></tr></thead>
                <tbody>
                    {h.holdings.into_iter().map(|line| {
                        let g = gain(&line);
                        let detail = [line.sector.clone(), line.market_cap.clone(), line.rating.clone()]
                            .into_iter().flatten().collect::<Vec<_>>().join(" · ");
                        view! {
                            <tr>
                                <td>{line.name.clone()}<div class="muted small">{line.isin.clone()}</div></td>
                                <td>{line.asset_class.clone()}<div class="muted small">{detail}</div></td>
                                <td class="num">{line.quantity.normalize().to_string()}</td>
                                <td class="num" title=inr(line.market_value)>{inr_short(line.market_value)}</td>
                                <td class="num">{pct(Some(line.weight))}</td>
                                <td class=tone(g)>{pct(g)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn Holdings(portfolio_id: i32) -> impl IntoView {
    let (open, set_open) = signal(false);
    let chosen = RwSignal::new(None::<NaiveDate>);
    let holdings = Resource::new(
        move || open.get().then(|| (portfolio_id, chosen.get())),
        |asked| async move {
            match asked {
                Some((id, as_of)) => get_holdings(id, as_of).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <details class="what-if">
            <summary data-testid="holdings-toggle" on:click=move |_| set_open.set(true)>"Holdings"</summary>
            <Transition fallback=|| view! { <p class="muted">"Loading the holdings…"</p> }>
                <Guarded>
                    {move || Suspend::new(async move {
                        Ok::<_, AppError>(match holdings.await? {
                            Some(h) if !h.holdings.is_empty() => view! { <HoldingsTable h chosen/> }.into_any(),
                            Some(_) => view! { <p class="muted">"No holdings have been loaded for this portfolio."</p> }.into_any(),
                            None => ().into_any(),
                        })
                    })}
                </Guarded>
            </Transition>
        </details>
    }
}
