//! "What if?" on a portfolio — computed in the browser with the same metric library the server
//! uses, with no request once the daily values are loaded. Change one withdrawal or top-up
//! (another amount, or none at all), the management fee rate, the performance fee rate or the
//! hurdle, and see TWRR, XIRR, the closing value and both fees recomputed beside the figures as
//! they happened.
//!
//! The model: a changed flow changes the value from its day on, grown at the portfolio's own
//! daily returns (so TWRR does not move — that is what it is for — while XIRR, the closing value
//! and the fees do). A lower (higher) management fee leaves each day's difference invested
//! from the day it accrues; a performance fee's difference shows in the closing value.

use chrono::NaiveDate;
use leptos::prelude::*;
use pms_domain::clients::{ValuationPoint, WhatIfInputs};
use pms_domain::error::AppError;
use pms_metrics::fees::{Crystallisation, PerformanceFeeTerms};
use pms_metrics::fy::DateRange;
use pms_metrics::{format, PerformanceSeries};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

use crate::components::Guarded;

#[server(endpoint = "clients/what-if")]
pub async fn get_what_if_inputs(portfolio_id: i32) -> Result<WhatIfInputs, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::clients::what_if_inputs(&cx, &caller, portfolio_id).await
}

/// The fee terms a scenario is computed with (rates as fractions).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Terms {
    management: Decimal,
    performance: PerformanceFeeTerms,
}

/// A scenario as the inputs ask for it: the changed flow (index, new amount), and the terms.
type Asked = (Option<(usize, f64)>, Terms);

/// The figures compared side by side.
#[derive(Clone, Debug, PartialEq)]
struct Figures {
    twrr: Option<f64>,
    xirr: Option<f64>,
    closing_value: f64,
    management_fee: Option<Decimal>,
    performance_fee: Option<Decimal>,
}

fn to_decimal(value: f64) -> Option<Decimal> {
    Decimal::from_f64(value).map(|d| d.round_dp(2))
}

/// The management fee accrued each day over the whole history at `rate`.
fn daily_management_fees(
    points: &[ValuationPoint],
    rate: Decimal,
) -> Option<Vec<(NaiveDate, Decimal)>> {
    let (first, last) = (points.first()?, points.last()?);
    let aum: Vec<(NaiveDate, Decimal)> = points
        .iter()
        .filter_map(|p| Some((p.date, to_decimal(p.value)?)))
        .collect();
    let range = DateRange::new(first.date, last.date).ok()?;
    let accrual = pms_metrics::fees::accrue_management_fee(&aum, rate, range).ok()?;
    Some(accrual.days.into_iter().map(|d| (d.date, d.fee)).collect())
}

/// The performance fee accrued in the open period on the last valuation, as the Compliance
/// page computes it (zero without a performance fee).
fn performance_fee(points: &[ValuationPoint], terms: &PerformanceFeeTerms) -> Option<Decimal> {
    if terms.rate <= Decimal::ZERO {
        return Some(Decimal::ZERO);
    }
    let last = points.last()?;
    let values: Vec<(NaiveDate, Decimal)> = points
        .iter()
        .filter_map(|p| Some((p.date, to_decimal(p.value)?)))
        .collect();
    let flows: Vec<(NaiveDate, Decimal)> = points
        .iter()
        .filter(|p| p.flow != 0.0)
        .filter_map(|p| Some((p.date, to_decimal(p.flow)?)))
        .collect();
    pms_metrics::fees::performance_fee_accrued(&values, &flows, terms, last.date)
        .ok()
        .map(|a| a.open.fee)
}

fn figures(points: &[ValuationPoint], terms: &Terms) -> Option<Figures> {
    let last = points.last()?;
    let series =
        PerformanceSeries::from_daily(points.iter().map(|p| (p.date, p.value, p.flow))).ok()?;
    let twrr = series.twrr().ok().flatten().and_then(|r| r.annualized);
    let xirr = series
        .money_weighted_return(pms_metrics::twrr::Period::SinceInception, last.date)
        .ok();
    let management_fee = daily_management_fees(points, terms.management)
        .map(|days| days.iter().map(|(_, fee)| *fee).sum());
    Some(Figures {
        twrr,
        xirr,
        closing_value: last.value,
        management_fee,
        performance_fee: performance_fee(points, &terms.performance),
    })
}

/// The series with the flow at `index` changed to `amount` (0: it never happened): from that
/// day on the values carry the difference, grown at the portfolio's daily returns.
fn with_flow(points: &[ValuationPoint], index: usize, amount: f64) -> Vec<ValuationPoint> {
    let mut out = points.to_vec();
    let Some(old) = points.get(index).map(|p| p.flow) else {
        return out;
    };
    let mut extra = amount - old;
    out[index].flow = amount;
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

/// The series as if the management fee had been charged at `scenario` instead of `actual`:
/// each day's difference stays invested from the day it accrues (values are net of fees).
fn with_management_fee(
    points: &[ValuationPoint],
    actual: Decimal,
    scenario: Decimal,
) -> Vec<ValuationPoint> {
    let (Some(charged), Some(instead)) = (
        daily_management_fees(points, actual),
        daily_management_fees(points, scenario),
    ) else {
        return points.to_vec();
    };
    let mut saved = Decimal::ZERO;
    let mut fees = charged.iter().zip(instead.iter()).peekable();
    points
        .iter()
        .map(|p| {
            while let Some(((date, a), (_, b))) = fees.peek() {
                if *date > p.date {
                    break;
                }
                saved += *a - *b;
                fees.next();
            }
            ValuationPoint {
                value: p.value + saved.to_f64().unwrap_or(0.0),
                ..p.clone()
            }
        })
        .collect()
}

/// A scenario's figures: the flow change, then the management fee, then the performance
/// fee's difference taken from (or added to) the closing value.
fn scenario_figures(
    points: &[ValuationPoint],
    flow: Option<(usize, f64)>,
    actual: &Terms,
    scenario: &Terms,
) -> Option<Figures> {
    let moved = match flow {
        Some((index, amount)) => with_flow(points, index, amount),
        None => points.to_vec(),
    };
    let mut series = with_management_fee(&moved, actual.management, scenario.management);
    let charged = performance_fee(&series, &actual.performance).unwrap_or_default();
    let instead = performance_fee(&series, &scenario.performance).unwrap_or_default();
    if let Some(last) = series.last_mut() {
        last.value += (charged - instead).to_f64().unwrap_or(0.0);
    }
    figures(&series, scenario)
}

/// A percentage typed by a person ("1.5", "1.5%", " 2 ") as a fraction; `None` if it is not one.
fn rate(text: &str) -> Option<Decimal> {
    let value: Decimal = text.trim().trim_end_matches('%').trim().parse().ok()?;
    (Decimal::ZERO..=Decimal::ONE_HUNDRED)
        .contains(&value)
        .then(|| value / Decimal::ONE_HUNDRED)
}

/// A rupee amount typed by a person ("5,00,000", "-200000"); `None` if it is not one.
fn amount(text: &str) -> Option<f64> {
    text.trim()
        .replace([',', '₹', ' '], "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

fn pct(v: Option<f64>) -> String {
    format::percent(v)
}

fn money(v: Option<Decimal>) -> String {
    v.map(format::inr).unwrap_or_else(|| "—".into())
}

/// `+₹1,234.50` / `−0.12 pp`: the scenario less the base, signed.
fn difference<T: Copy>(
    base: Option<T>,
    scenario: Option<T>,
    minus: impl Fn(T, T) -> f64,
    show: impl Fn(f64) -> String,
) -> String {
    match (base, scenario) {
        (Some(b), Some(s)) => {
            let d = minus(s, b);
            let sign = if d > 0.0 {
                "+"
            } else if d < 0.0 {
                "−"
            } else {
                ""
            };
            format!("{sign}{}", show(d.abs()))
        }
        _ => "—".into(),
    }
}

#[component]
pub fn WhatIf(
    portfolio_id: i32,
    mgmt_fee_pct: Decimal,
    perf_fee_pct: Decimal,
    hurdle_pct: Decimal,
) -> impl IntoView {
    let (open, set_open) = signal(false);
    let inputs = Resource::new(
        move || open.get().then_some(portfolio_id),
        |id| async move {
            match id {
                Some(id) => get_what_if_inputs(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let chosen = RwSignal::new(None::<usize>);
    let new_amount = RwSignal::new(String::new());
    let mgmt_text = RwSignal::new(mgmt_fee_pct.normalize().to_string());
    let perf_text = RwSignal::new(perf_fee_pct.normalize().to_string());
    let hurdle_text = RwSignal::new(hurdle_pct.normalize().to_string());
    let hundred = Decimal::ONE_HUNDRED;

    view! {
        <details class="what-if">
            <summary data-testid="what-if-toggle" on:click=move |_| set_open.set(true)>"What if? Change a flow or the fees"</summary>
            <Transition fallback=|| view! { <p class="muted">"Loading the daily values…"</p> }>
                <Guarded>
                    {move || Suspend::new(async move {
                        Ok::<_, AppError>(match inputs.await? {
                            Some(WhatIfInputs { points, fy_end_crystallisation }) if points.len() >= 2 => {
                                let crystallisation = if fy_end_crystallisation {
                                    Crystallisation::FinancialYearEnd
                                } else {
                                    Crystallisation::Anniversary
                                };
                                let actual = Terms {
                                    management: mgmt_fee_pct / hundred,
                                    performance: PerformanceFeeTerms {
                                        rate: perf_fee_pct / hundred,
                                        hurdle_rate: hurdle_pct / hundred,
                                        crystallisation,
                                    },
                                };
                                // Every flow after the opening investment can be changed.
                                let flows: Vec<(usize, NaiveDate, f64)> = points.iter().enumerate().skip(1)
                                    .filter(|(_, p)| p.flow != 0.0).map(|(i, p)| (i, p.date, p.flow)).collect();
                                let base = figures(&points, &actual);
                                // What the inputs ask for: `None` while nothing differs or an input cannot be read.
                                let asked = move || -> Result<Option<Asked>, String> {
                                    let flow = match chosen.get() {
                                        None => None,
                                        Some(i) => Some((i, match new_amount.get().trim() {
                                            "" => 0.0,
                                            text => amount(text).ok_or("Enter the flow's new amount in rupees (negative for a withdrawal), or leave it empty for none.")?,
                                        })),
                                    };
                                    let read = |text: RwSignal<String>, what: &str| rate(&text.get()).ok_or(format!("Enter the {what} as a percentage from 0 to 100."));
                                    let terms = Terms {
                                        management: read(mgmt_text, "management fee")?,
                                        performance: PerformanceFeeTerms {
                                            rate: read(perf_text, "performance fee")?,
                                            hurdle_rate: read(hurdle_text, "hurdle")?,
                                            crystallisation,
                                        },
                                    };
                                    Ok((flow.is_some() || terms != actual).then_some((flow, terms)))
                                };
                                let scenario = {
                                    let points = points.clone();
                                    Memo::new(move |_| match asked() {
                                        Ok(Some((flow, terms))) => scenario_figures(&points, flow, &actual, &terms),
                                        _ => None,
                                    })
                                };
                                let b = base.clone();
                                let problem = move || asked().err();
                                let row = move |label: &'static str, testid: &'static str, base_text: String, pick: fn(&Figures) -> String, diff: fn(&Figures, &Figures) -> String| {
                                    let base = base.clone();
                                    view! {
                                        <tr>
                                            <th scope="row">{label}</th>
                                            <td class="num">{base_text}</td>
                                            <td class="num" data-testid=testid>{move || scenario.get().map(|f| pick(&f)).unwrap_or_else(|| "—".into())}</td>
                                            <td class="num">{move || match (base.as_ref(), scenario.get()) {
                                                (Some(b), Some(s)) => diff(b, &s),
                                                _ => "—".into(),
                                            }}</td>
                                        </tr>
                                    }
                                };
                                view! {
                                    <div class="what-if__inputs">
                                        {(!flows.is_empty()).then(|| view! {
                                            <label class="what-if__pick">
                                                "Flow "
                                                <select data-testid="what-if-select" on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                                                    <option value="">"— as it happened —"</option>
                                                    {flows.iter().map(|(i, date, amount)| {
                                                        let kind = if *amount < 0.0 { "Withdrawal" } else { "Top-up" };
                                                        view! { <option value=i.to_string()>{format!("{kind} · {} · {}", date.format("%d %b %Y"), format::inr(amount.abs()))}</option> }
                                                    }).collect_view()}
                                                </select>
                                            </label>
                                            <label class="what-if__pick">
                                                "New amount (₹; empty: none)"
                                                <input type="text" inputmode="decimal" size="12" data-testid="what-if-amount" prop:value=move || new_amount.get()
                                                    on:input=move |ev| new_amount.set(event_target_value(&ev)) disabled=move || chosen.get().is_none()/>
                                            </label>
                                        })}
                                        <label class="what-if__pick">"Management fee (% a year)"
                                            <input type="text" inputmode="decimal" size="5" data-testid="what-if-mgmt" prop:value=move || mgmt_text.get() on:input=move |ev| mgmt_text.set(event_target_value(&ev))/>
                                        </label>
                                        <label class="what-if__pick">"Performance fee (%)"
                                            <input type="text" inputmode="decimal" size="5" data-testid="what-if-perf" prop:value=move || perf_text.get() on:input=move |ev| perf_text.set(event_target_value(&ev))/>
                                        </label>
                                        <label class="what-if__pick">"Hurdle (% a year)"
                                            <input type="text" inputmode="decimal" size="5" data-testid="what-if-hurdle" prop:value=move || hurdle_text.get() on:input=move |ev| hurdle_text.set(event_target_value(&ev))/>
                                        </label>
                                    </div>
                                    {move || problem().map(|p| view! { <p class="alert alert--error" role="alert">{p}</p> })}
                                    <div class="table-scroll" tabindex="0">
                                        <table class="data-table data-table--compact" data-testid="what-if-table">
                                            <thead><tr><th></th><th class="num">"As it happened"</th><th class="num">"What if"</th><th class="num">"Difference"</th></tr></thead>
                                            <tbody>
                                                {row("TWRR since inception", "what-if-twrr", pct(b.as_ref().and_then(|f| f.twrr)),
                                                    |f| pct(f.twrr), |b, s| difference(b.twrr, s.twrr, |x, y| (x - y) * 100.0, |d| format!("{d:.2} pp")))}
                                                {row("XIRR", "what-if-xirr", pct(b.as_ref().and_then(|f| f.xirr)),
                                                    |f| pct(f.xirr), |b, s| difference(b.xirr, s.xirr, |x, y| (x - y) * 100.0, |d| format!("{d:.2} pp")))}
                                                {row("Closing value", "what-if-value", b.as_ref().map(|f| format::inr(f.closing_value)).unwrap_or_default(),
                                                    |f| format::inr(f.closing_value), |b, s| difference(Some(b.closing_value), Some(s.closing_value), |x, y| x - y, format::inr))}
                                                {row("Management fee accrued", "what-if-fee", money(b.as_ref().and_then(|f| f.management_fee)),
                                                    |f| money(f.management_fee), |b, s| difference(b.management_fee, s.management_fee, |x, y| (x - y).to_f64().unwrap_or(0.0), format::inr))}
                                                {row("Performance fee accrued", "what-if-perf-fee", money(b.as_ref().and_then(|f| f.performance_fee)),
                                                    |f| money(f.performance_fee), |b, s| difference(b.performance_fee, s.performance_fee, |x, y| (x - y).to_f64().unwrap_or(0.0), format::inr))}
                                            </tbody>
                                        </table>
                                    </div>
                                    <p class="muted small">"Computed in your browser by the Hub's own metric code. TWRR ignores when money came and went, so a changed flow leaves it; XIRR, the value and the fees follow the money. A fee not charged stays invested."</p>
                                }.into_any()
                            }
                            Some(_) => view! { <p class="muted">"Not enough valuations yet for a what-if."</p> }.into_any(),
                            None => ().into_any(),
                        })
                    })}
                </Guarded>
            </Transition>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 4, d).expect("date")
    }

    fn point(d: u32, value: f64, flow: f64) -> ValuationPoint {
        ValuationPoint {
            date: day(d),
            value,
            flow,
        }
    }

    /// Opened with ₹10 lakh, +1%, a ₹2 lakh withdrawal, +1%.
    fn history() -> Vec<ValuationPoint> {
        vec![
            point(1, 1_000_000.0, 1_000_000.0),
            point(2, 1_010_000.0, 0.0),
            point(3, 808_000.0, -200_000.0),
            point(4, 816_080.0, 0.0),
        ]
    }

    fn terms(management: Decimal) -> Terms {
        Terms {
            management,
            performance: PerformanceFeeTerms {
                rate: Decimal::new(20, 2),
                hurdle_rate: Decimal::new(8, 2),
                crystallisation: Crystallisation::Anniversary,
            },
        }
    }

    #[test]
    fn removing_a_withdrawal_keeps_twrr_and_raises_the_fee() {
        let points = history();
        let rate = Decimal::new(2, 2);
        let base = figures(&points, &terms(rate)).expect("base");
        let without = figures(&with_flow(&points, 2, 0.0), &terms(rate)).expect("scenario");
        let (a, b) = (base.twrr.expect("twrr"), without.twrr.expect("twrr"));
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        assert!(without.closing_value > base.closing_value);
        assert!(without.management_fee > base.management_fee);
    }

    #[test]
    fn halving_a_withdrawal_lands_between_taking_it_and_not() {
        let points = history();
        let taken = with_flow(&points, 2, -200_000.0);
        let half = with_flow(&points, 2, -100_000.0);
        let none = with_flow(&points, 2, 0.0);
        let last = |p: &[ValuationPoint]| p.last().expect("a point").value;
        assert!(
            (last(&taken) - 816_080.0).abs() < 1e-6,
            "the same amount changes nothing"
        );
        assert!(last(&taken) < last(&half) && last(&half) < last(&none));
        assert!((last(&half) - (816_080.0 + 101_000.0)).abs() < 1e-6);
    }

    #[test]
    fn a_lower_management_fee_stays_invested_and_lifts_the_return() {
        let points = history();
        let actual = terms(Decimal::new(2, 2));
        let cheaper = terms(Decimal::new(1, 2));
        let base = figures(&points, &actual).expect("base");
        let scenario = scenario_figures(&points, None, &actual, &cheaper).expect("scenario");
        assert!(scenario.management_fee < base.management_fee);
        assert!(scenario.closing_value > base.closing_value);
        assert!(scenario.twrr > base.twrr);
        // The same terms change nothing.
        let same = scenario_figures(&points, None, &actual, &actual).expect("same");
        assert_eq!(same, base);
    }

    #[test]
    fn a_percentage_is_read_as_people_type_it() {
        assert_eq!(rate("1.5"), Some(Decimal::new(15, 3)));
        assert_eq!(rate(" 2 % "), Some(Decimal::new(2, 2)));
        assert_eq!(rate("0"), Some(Decimal::ZERO));
        assert_eq!(rate("120"), None);
        assert_eq!(rate("-1"), None);
        assert_eq!(rate("two"), None);
        assert_eq!(amount("-2,00,000"), Some(-200_000.0));
        assert_eq!(amount("₹ 5,000.50"), Some(5_000.5));
        assert_eq!(amount("NaN"), None);
    }
}
