//! The correlation matrix on the Portfolio performance page: how the monthly returns of the
//! investment approaches (or strategies) in view move together, within the filter. Each row
//! opens that group's performance.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use pms_domain::error::AppError;
use pms_domain::filter::Filter;
use pms_domain::performance::CorrelationMatrix;

use crate::components::filter_bar::{href_with, kept_params, use_filter};
use crate::components::Guarded;

#[server(endpoint = "performance/correlation")]
pub async fn get_correlation(
    #[server(default)] filter: Filter,
    #[server(default)] by_strategy: bool,
) -> Result<CorrelationMatrix, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::performance::correlation(&cx, &caller, &filter, by_strategy).await
}

/// A cell's shade: teal for moving together, red for opposite, stronger the closer to ±1.
fn shade(value: Option<f64>) -> String {
    match value {
        Some(r) if r >= 0.0 => format!("background: rgba(15, 118, 110, {:.2})", r * 0.45),
        Some(r) => format!("background: rgba(220, 38, 38, {:.2})", -r * 0.45),
        None => String::new(),
    }
}

#[component]
pub fn Correlations() -> impl IntoView {
    let params = use_query_map();
    let filter = use_filter();
    let by_strategy = Memo::new(move |_| params.read().get("corr").as_deref() == Some("strategy"));
    let matrix = Resource::new(
        move || {
            (
                filter.get(),
                by_strategy.get(),
                crate::layout::live::data_epoch(),
            )
        },
        |(filter, by_strategy, _)| get_correlation(filter, by_strategy),
    );
    // The switch keeps the page's group and filter.
    let switch = move |strategy: bool| {
        let p = params.read();
        let mut keep: Vec<(String, String)> = kept_params(&p)
            .into_iter()
            .filter(|(n, _)| n != "corr")
            .collect();
        if strategy {
            keep.push(("corr".into(), "strategy".into()));
        }
        href_with("/portfolios", &keep, &filter.get())
    };
    view! {
        <section class="card stack" data-testid="correlation">
            <div class="card__head">
                <h2>"Correlation of monthly returns"</h2>
                <nav class="segmented" aria-label="Correlate">
                    <a href=move || switch(false) aria-current=move || (!by_strategy.get()).then_some("true")>"Investment approaches"</a>
                    <a href=move || switch(true) aria-current=move || by_strategy.get().then_some("true")>"Strategies"</a>
                </nav>
            </div>
            <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
                <Guarded>
                    {move || Suspend::new(async move {
                        let m = matrix.await?;
                        Ok::<_, AppError>(if m.groups.len() < 2 {
                            view! { <p class="muted small">"Fewer than two groups with a year of monthly returns in view: nothing to correlate."</p> }.into_any()
                        } else {
                            let f = filter.get_untracked();
                            view! {
                                <p class="muted small">{m.window.clone()}". 1 moves together, 0 unrelated, −1 opposite."</p>
                                <div class="table-scroll" tabindex="0"><table class="data-table data-table--compact correlation" data-testid="correlation-table">
                                    <thead><tr><th></th>
                                        {(1..=m.groups.len()).map(|i| view! { <th class="num" scope="col">{i}</th> }).collect_view()}
                                    </tr></thead>
                                    <tbody>
                                        {m.groups.iter().zip(&m.cells).enumerate().map(|(i, (g, row))| {
                                            let href = href_with("/portfolios", &[("group".to_owned(), g.group.to_string())], &f);
                                            view! {
                                                <tr>
                                                    <th scope="row"><a href=href>{format!("{} · {}", i + 1, g.label)}</a></th>
                                                    {row.iter().map(|cell| view! {
                                                        <td class="num" style=shade(*cell)>{cell.map_or_else(|| "—".to_owned(), |r| format!("{r:.2}"))}</td>
                                                    }).collect_view()}
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table></div>
                            }.into_any()
                        })
                    })}
                </Guarded>
            </Transition>
        </section>
    }
}
