//! "What if this withdrawal (or top-up) had not happened?" — computed in the browser with the
//! same metric library the server uses. A withdrawal not taken stays invested (a top-up not
//! made is never invested) at the portfolio's own daily returns, so the time-weighted return
//! does not move (that is what TWRR is for), while the money-weighted return, the closing value
//! and the management fee do.

use chrono::NaiveDate;
use leptos::prelude::*;
use pms_domain::clients::ValuationPoint;
use pms_domain::error::AppError;
use pms_metrics::fy::DateRange;
use pms_metrics::{format, CashFlow, PerformanceSeries, Valuation};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use super::portfolio_valuations;
use crate::components::Guarded;

/// The figures compared side by side.
#[derive(Clone, Debug, PartialEq)]
struct Figures {
    twrr: Option<f64>,
    xirr: Option<f64>,
    closing_value: f64,
    management_fee: Option<Decimal>,
}

fn figures(points: &[ValuationPoint], fee_rate: Decimal) -> Option<Figures> {
    let first = points.first()?;
    let last = points.last()?;
    let valuations: Vec<Valuation> = points
        .iter()
        .map(|p| Valuation::new(p.date, p.value))
        .collect();
    let flows: Vec<CashFlow> = points
        .iter()
        .filter(|p| p.flow != 0.0)
        .map(|p| CashFlow::new(p.date, p.flow))
        .collect();
    let series = PerformanceSeries::new(&valuations, &flows).ok()?;
    let twrr = series.twrr().ok().flatten().and_then(|r| r.annualized);
    let xirr = series
        .money_weighted_return(pms_metrics::twrr::Period::SinceInception, last.date)
        .ok();
    let aum: Vec<(NaiveDate, Decimal)> = points
        .iter()
        .filter_map(|p| Some((p.date, Decimal::from_f64(p.value)?.round_dp(2))))
        .collect();
    let management_fee = DateRange::new(first.date, last.date)
        .ok()
        .and_then(|range| pms_metrics::fees::accrue_management_fee(&aum, fee_rate, range).ok())
        .map(|a| a.total);
    Some(Figures {
        twrr,
        xirr,
        closing_value: last.value,
        management_fee,
    })
}

/// The series as if the flow at `index` had not happened: from that day on the values carry
/// the flow's amount (added back for a withdrawal, taken out for a top-up) grown at the
/// portfolio's daily returns.
fn without_flow(points: &[ValuationPoint], index: usize) -> Vec<ValuationPoint> {
    let mut out = points.to_vec();
    let Some(removed) = points.get(index).map(|p| p.flow) else {
        return out;
    };
    let mut extra = -removed; // a withdrawal is negative: not taking it adds value
    out[index].flow = 0.0;
    out[index].value += extra;
    for i in index + 1..points.len() {
        let previous = points[i - 1].value;
        let growth = if previous > 0.0 {
            (points[i].value - points[i].flow) / previous
        } else {
            1.0
        };
        extra *= growth;
        out[i].value += extra;
    }
    out
}

#[component]
pub fn WhatIf(portfolio_id: i32, mgmt_fee_pct: Decimal) -> impl IntoView {
    let (open, set_open) = signal(false);
    let points = Resource::new(
        move || open.get().then_some(portfolio_id),
        |id| async move {
            match id {
                Some(id) => portfolio_valuations(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let (chosen, set_chosen) = signal::<Option<usize>>(None);
    let fee_rate = mgmt_fee_pct / Decimal::ONE_HUNDRED;

    view! {
        <details class="what-if">
            <summary data-testid="what-if-toggle" on:click=move |_| set_open.set(true)>"What if a withdrawal or top-up had not happened?"</summary>
            <Transition fallback=|| view! { <p class="muted">"Loading the daily values…"</p> }>
                <Guarded>
                    {move || Suspend::new(async move {
                        Ok::<_, AppError>(match points.await? {
                            Some(points) => {
                                // Every flow after the opening investment can be taken away.
                                let flows: Vec<(usize, NaiveDate, f64)> = points.iter().enumerate().skip(1)
                                    .filter(|(_, p)| p.flow != 0.0).map(|(i, p)| (i, p.date, p.flow)).collect();
                                if flows.is_empty() {
                                    return Ok(view! { <p class="muted">"This portfolio has had no withdrawals or top-ups since it opened."</p> }.into_any());
                                }
                                let base = figures(&points, fee_rate);
                                let scenario = {
                                    let points = points.clone();
                                    move || chosen.get().and_then(|i| figures(&without_flow(&points, i), fee_rate))
                                };
                                view! {
                                    <label class="what-if__pick">
                                        "Flow "
                                        <select data-testid="what-if-select" on:change=move |ev| set_chosen.set(event_target_value(&ev).parse().ok())>
                                            <option value="">"— choose —"</option>
                                            {flows.iter().map(|(i, date, amount)| {
                                                let kind = if *amount < 0.0 { "Withdrawal" } else { "Top-up" };
                                                view! { <option value=i.to_string()>{format!("{kind} · {} · {}", date.format("%d %b %Y"), format::inr(amount.abs()))}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <table class="data-table data-table--compact" data-testid="what-if-table">
                                        <thead><tr><th></th><th class="num">"As it happened"</th><th class="num">"Without it"</th></tr></thead>
                                        <tbody>
                                            <tr><th scope="row">"TWRR since inception"</th>
                                                <td class="num">{pct(base.as_ref().and_then(|f| f.twrr))}</td>
                                                <td class="num" data-testid="what-if-twrr">{let s = scenario.clone(); move || pct(s().and_then(|f| f.twrr))}</td></tr>
                                            <tr><th scope="row">"XIRR"</th>
                                                <td class="num">{pct(base.as_ref().and_then(|f| f.xirr))}</td>
                                                <td class="num" data-testid="what-if-xirr">{let s = scenario.clone(); move || pct(s().and_then(|f| f.xirr))}</td></tr>
                                            <tr><th scope="row">"Closing value"</th>
                                                <td class="num">{base.as_ref().map(|f| format::inr_short(f.closing_value)).unwrap_or_default()}</td>
                                                <td class="num">{let s = scenario.clone(); move || s().map(|f| format::inr_short(f.closing_value)).unwrap_or_else(|| "—".into())}</td></tr>
                                            <tr><th scope="row">"Management fee accrued"</th>
                                                <td class="num">{base.as_ref().and_then(|f| f.management_fee).map(format::inr).unwrap_or_default()}</td>
                                                <td class="num" data-testid="what-if-fee">{let s = scenario.clone(); move || s().and_then(|f| f.management_fee).map(format::inr).unwrap_or_else(|| "—".into())}</td></tr>
                                        </tbody>
                                    </table>
                                    <p class="muted small">"TWRR ignores when money came and went, so it stays the same; XIRR and the fee follow the money. Computed in your browser."</p>
                                }.into_any()
                            }
                            None => ().into_any(),
                        })
                    })}
                </Guarded>
            </Transition>
        </details>
    }
}

fn pct(v: Option<f64>) -> String {
    format::percent(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 4, d).expect("date")
    }

    #[test]
    fn removing_a_withdrawal_keeps_twrr_and_raises_the_fee() {
        let points = vec![
            ValuationPoint {
                date: day(1),
                value: 1_000_000.0,
                flow: 1_000_000.0,
            },
            ValuationPoint {
                date: day(2),
                value: 1_010_000.0,
                flow: 0.0,
            },
            ValuationPoint {
                date: day(3),
                value: 808_000.0,
                flow: -200_000.0,
            },
            ValuationPoint {
                date: day(4),
                value: 816_080.0,
                flow: 0.0,
            },
        ];
        let rate = Decimal::new(2, 2);
        let base = figures(&points, rate).expect("base");
        let without = figures(&without_flow(&points, 2), rate).expect("scenario");
        let (a, b) = (base.twrr.expect("twrr"), without.twrr.expect("twrr"));
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        assert!(without.closing_value > base.closing_value);
        assert!(without.management_fee > base.management_fee);
    }
}
