//! One module per route.

pub mod account;
pub mod admin;
pub mod alerts;
pub mod audit;
pub mod book;
pub mod client;
pub mod clients;
pub mod compliance;
pub mod correlation;
pub mod executive;
pub mod ingest;
pub mod invite;
pub mod login;
pub mod not_found;
pub mod portfolios;
pub mod views;

use leptos::prelude::*;
use leptos_meta::Title;
use pms_domain::identity::Capability;

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

/// Pages reserved to some roles, with the capabilities (any one) that open them: the pages
/// explain the refusal themselves, and the server answers it with a 403 from this table.
pub const RESTRICTED_PAGES: &[(&str, &[Capability])] = &[
    (
        "/admin",
        &[
            Capability::ManageUsers,
            Capability::ManageBranding,
            Capability::ManageApiTokens,
        ],
    ),
    ("/audit", &[Capability::ViewAudit]),
    ("/ingest", &[Capability::RunIngest]),
];

/// Whether a caller who `can` do some things may open the page at `path`.
pub fn may_open(path: &str, can: impl Fn(Capability) -> bool) -> bool {
    RESTRICTED_PAGES
        .iter()
        .filter(|(page, _)| {
            path == *page || path.strip_prefix(page).is_some_and(|r| r.starts_with('/'))
        })
        .all(|(_, needs)| needs.iter().any(|c| can(*c)))
}
