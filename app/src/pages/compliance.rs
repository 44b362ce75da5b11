//! Compliance and reporting: SEBI disclosures, fees, limits, data quality.

use leptos::prelude::*;

use super::PageHeader;
use crate::components::EmptyState;

#[component]
pub fn ComplianceReporting() -> impl IntoView {
    view! {
        <PageHeader
            title="Compliance & reporting"
            subtitle="SEBI performance disclosure, high water marks and fees, concentration limits and data quality."
        />
        <EmptyState title="Nothing to report yet">
            <p>
                "With data loaded, this page shows TWRR by investment approach and strategy over the SEBI "
                "standard periods against the benchmark, high water marks and performance-fee accruals, "
                "concentration limits and data-quality exceptions."
            </p>
        </EmptyState>
    }
}
