//! The designed "nothing here yet" state: says what will appear and how to get it there.

use leptos::prelude::*;

#[component]
pub fn EmptyState(
    /// One line: what is missing.
    title: &'static str,
    /// What the section will show once there is data, and what to do next.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="empty-state" role="status">
            <svg class="empty-state__art" viewBox="0 0 64 64" aria-hidden="true">
                <rect x="8" y="36" width="10" height="20" rx="2"/>
                <rect x="27" y="24" width="10" height="32" rx="2"/>
                <rect x="46" y="12" width="10" height="44" rx="2"/>
            </svg>
            <h2>{title}</h2>
            <div class="empty-state__body">{children()}</div>
        </section>
    }
}
