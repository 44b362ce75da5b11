//! A share table: each row's value, its share of the total with a bar, and a count — the
//! strategy, approach, asset-class or sector mix of a book. With `drill`, a row that a filter
//! criterion can select links to the same section narrowed to it (drill-down).

use leptos::prelude::*;
use pms_domain::summary::MixRow;
use pms_metrics::format::{inr, inr_short};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::components::filter_bar::narrowed_href;
use crate::pages::pct;

#[component]
pub fn Mix(
    title: &'static str,
    rows: Vec<MixRow>,
    count_label: &'static str,
    /// The section's path, to make rows links that narrow it.
    #[prop(optional)]
    drill: Option<&'static str>,
) -> impl IntoView {
    let total: Decimal = rows.iter().map(|r| r.aum).sum();
    view! {
        <section class="card">
            <h2>{title}</h2>
            <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact mix">
                <thead><tr><th></th><th class="num">"AUM"</th><th class="num">"Share"</th><th class="num">{count_label}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let share = if total.is_zero() { 0.0 } else { (r.aum / total).to_f64().unwrap_or(0.0) };
                        let href = drill.zip(r.drill.as_ref()).and_then(|(path, (name, value))| narrowed_href(path, &[(name.as_str(), value.as_str())]));
                        let label = match href {
                            Some(href) => view! { <a href=href title=format!("Show only {}", r.label)>{r.label.clone()}</a> }.into_any(),
                            None => r.label.clone().into_any(),
                        };
                        view! {
                            <tr>
                                <td>
                                    {label}
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
