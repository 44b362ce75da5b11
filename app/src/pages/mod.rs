//! One module per route.

pub mod account;
pub mod admin;
pub mod audit;
pub mod client;
pub mod clients;
pub mod compliance;
pub mod executive;
pub mod ingest;
pub mod invite;
pub mod login;
pub mod not_found;
pub mod portfolios;

use leptos::prelude::*;
use leptos_meta::Title;

/// The heading block every section page starts with.
#[component]
pub fn PageHeader(title: &'static str, subtitle: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <div class="page-header">
            <h1>{title}</h1>
            <p class="page-header__subtitle">{subtitle}</p>
        </div>
    }
}

/// A signed figure as a percentage with two decimals, `—` when undefined.
pub fn pct(value: Option<f64>) -> String {
    pms_metrics::format::percent(value)
}

/// Positive / negative styling of a return.
pub fn tone(value: Option<f64>) -> &'static str {
    match value {
        Some(v) if v > 0.0 => "num pos",
        Some(v) if v < 0.0 => "num neg",
        _ => "num",
    }
}
