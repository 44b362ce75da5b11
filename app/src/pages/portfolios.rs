//! Portfolio performance: value, TWRR and risk against the benchmark.

use leptos::prelude::*;

use super::PageHeader;
use crate::components::EmptyState;

#[component]
pub fn PortfolioPerformance() -> impl IntoView {
    view! {
        <PageHeader
            title="Portfolio performance"
            subtitle="Value and TWRR against the benchmark, drawdown, risk and return, allocation and attribution."
        />
        <EmptyState title="No valuations have been loaded yet">
            <p>
                "Daily valuations from Wealth Spectrum drive this page: performance over time against the "
                "investment approach's benchmark, drawdowns, monthly-return heat maps, allocation by asset "
                "class and sector, and Brinson attribution."
            </p>
        </EmptyState>
    }
}
