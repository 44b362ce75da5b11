//! "Data as of …" in the header: how fresh the store is, re-checked on demand.

use leptos::prelude::*;
use pms_domain::error::AppError;
use pms_domain::status::DataStatus;

use crate::components::icons::{Icon, IconKind};

/// Reads how current the store is: the latest valuation date and the last successful load.
#[server(endpoint = "data/status")]
pub async fn get_data_status() -> Result<DataStatus, AppError> {
    let cx = crate::ssr::app_context()?;
    pms_service::summary::data_status(&cx).await
}

#[component]
pub fn DataStatusChip() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let status = Resource::new(
        move || (refresh.get(), crate::layout::live::data_epoch()),
        |_| get_data_status(),
    );

    view! {
        <div class="data-status" data-testid="data-status">
            <Transition fallback=|| view! { <span class="data-status__text">"Checking data…"</span> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => view! {
                            <span class="data-status__text" title=s.tooltip()>
                                {s.headline()}
                                <span class="data-status__version" data-testid="data-version">{s.version_label()}</span>
                                <span class="data-status__checked" data-testid="checked-at">
                                    {format!("checked {}", s.checked_at_label())}
                                </span>
                            </span>
                        }.into_any(),
                        Err(e) => view! {
                            <span class="data-status__text data-status__text--error">
                                {format!("Data status unavailable: {e}")}
                            </span>
                        }.into_any(),
                    }
                })}
            </Transition>
            <button
                type="button"
                class="icon-button"
                title="Check again"
                aria-label="Check data status again"
                data-testid="refresh-status"
                on:click=move |_| refresh.update(|n| *n += 1)
            >
                <Icon kind=IconKind::Refresh/>
            </button>
        </div>
    }
}
