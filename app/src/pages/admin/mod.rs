//! Administration: users and their roles, teams and RMs, client-to-RM assignment, the firm's
//! branding, the two-factor policy per role, API access for other systems, and webhooks.
//!
//! One module per tab; each tab's server functions sit next to it and are adapters over the use
//! cases in `pms_service::admin`, which check the caller's capability (the page only decides
//! what to show). Tabs are plain links
//! (`/admin?tab=…`), so they work before the page has hydrated, and every change is recorded in
//! the audit trail as an `admin.*` action.

mod api;
mod assignments;
mod branding;
mod security;
mod teams;
mod users;
mod webhooks;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use pms_domain::identity::Capability;

use super::PageHeader;
use crate::layout::UserResource;

/// The tabs, in the order an administrator sets up a firm, with what each needs.
const TABS: [(&str, &str, Capability); 7] = [
    ("users", "Users", Capability::ManageUsers),
    ("teams", "Teams & RMs", Capability::ManageUsers),
    ("assignments", "Client assignment", Capability::ManageUsers),
    ("branding", "Branding", Capability::ManageBranding),
    ("security", "Security", Capability::ManageUsers),
    ("api", "API access", Capability::ManageApiTokens),
    ("webhooks", "Webhooks", Capability::ManageApiTokens),
];

/// What a non-administrator sees instead of the console.
const FORBIDDEN: &str =
    "Administration is open to administrators only. Your role does not allow this.";

#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let tab = Memo::new(move |_| {
        let asked = query.read().get("tab").unwrap_or_default();
        TABS.iter()
            .find(|t| t.0 == asked)
            .map(|t| t.0)
            .unwrap_or("users")
    });
    let user = use_context::<UserResource>();

    view! {
        <PageHeader
            title="Administration"
            subtitle="Users and roles, teams, client assignment, branding, security, API access and webhooks."
        />
        <Transition fallback=|| view! { <div class="skeleton-table" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                let me = match user {
                    Some(resource) => resource.await.ok(),
                    None => None,
                };
                let Some(me) = me else {
                    return view! { <p class="alert alert--error" role="alert">"Your session has ended. Sign in again."</p> }.into_any();
                };
                let allowed: Vec<_> = TABS.iter().filter(|t| me.can(t.2)).copied().collect();
                if allowed.is_empty() {
                    return view! {
                        <p class="alert alert--error" role="alert" data-testid="admin-forbidden">{FORBIDDEN}</p>
                    }
                    .into_any();
                }
                let links = allowed.clone();
                view! {
                    <nav class="admin-tabs" aria-label="Administration">
                        {links
                            .into_iter()
                            .map(|(code, label, _)| {
                                let current = move || (tab.get() == code).then_some("page");
                                view! {
                                    <a href=format!("/admin?tab={code}") class="admin-tabs__tab" aria-current=current>
                                        {label}
                                    </a>
                                }
                            })
                            .collect_view()}
                    </nav>
                    <div class="admin-body">{move || {
                        let code = tab.get();
                        if !allowed.iter().any(|t| t.0 == code) {
                            return view! { <p class="alert alert--error" role="alert">{FORBIDDEN}</p> }.into_any();
                        }
                        match code {
                            "teams" => view! { <teams::TeamsTab/> }.into_any(),
                            "assignments" => view! { <assignments::AssignmentsTab/> }.into_any(),
                            "branding" => view! { <branding::BrandingTab/> }.into_any(),
                            "security" => view! { <security::SecurityTab/> }.into_any(),
                            "api" => view! { <api::ApiTab/> }.into_any(),
                            "webhooks" => view! { <webhooks::WebhooksTab/> }.into_any(),
                            _ => view! { <users::UsersTab/> }.into_any(),
                        }
                    }}</div>
                }
                .into_any()
            })}
        </Transition>
    }
}

/// `21 Nov 2026, 14:05` in India Standard Time, or a dash.
pub(crate) fn when(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| {
        t.with_timezone(&pms_domain::time::IST)
            .format("%d %b %Y, %H:%M")
            .to_string()
    })
    .unwrap_or_else(|| "—".into())
}
