//! Placeholders shown while data loads, shaped like what will replace them.

use leptos::prelude::*;

/// The skeleton of a table (a tab, a list) while it loads.
pub fn loading() -> impl IntoView {
    view! { <div class="skeleton-table" aria-busy="true"></div> }
}
