//! The section navigation: the four dashboard sections for everyone, then the tools the
//! user's role may use.

use leptos::prelude::*;
use leptos_router::components::A;
use pms_domain::identity::Capability;

use crate::components::icons::{Icon, IconKind};

/// The four dashboard sections, in the order a user reads the business.
const SECTIONS: [(&str, &str, IconKind); 4] = [
    ("/", "Executive summary", IconKind::Summary),
    ("/clients", "Client analytics", IconKind::Clients),
    ("/portfolios", "Portfolio performance", IconKind::Portfolio),
    (
        "/compliance",
        "Compliance & reporting",
        IconKind::Compliance,
    ),
];

/// Tools shown only to roles that may use them (the server enforces it regardless).
const TOOLS: [(&str, &str, IconKind, Capability); 3] = [
    (
        "/ingest",
        "Data loads",
        IconKind::Upload,
        Capability::RunIngest,
    ),
    (
        "/audit",
        "Audit trail",
        IconKind::Audit,
        Capability::ViewAudit,
    ),
    (
        "/admin",
        "Administration",
        IconKind::Settings,
        Capability::ManageUsers,
    ),
];

#[component]
fn NavItem(
    href: &'static str,
    label: &'static str,
    icon: IconKind,
    on_navigate: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <li on:click=move |_| on_navigate()>
            <A href=href exact=href == "/">
                <Icon kind=icon/>
                <span>{label}</span>
            </A>
        </li>
    }
}

#[component]
pub fn SideNav(on_navigate: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let tools_navigate = on_navigate.clone();
    let user = use_context::<super::UserResource>();
    view! {
        <nav class="sidenav" aria-label="Sections">
            <a class="sidenav__brand" href="/">
                <super::branding::FirmBrand/>
            </a>
            <ul>
                {SECTIONS
                    .into_iter()
                    .map(|(href, label, icon)| {
                        let on_navigate = on_navigate.clone();
                        view! { <NavItem href label icon on_navigate/> }
                    })
                    .collect_view()}
            </ul>
            <Transition fallback=|| ()>
                {move || {
                    let on_navigate = tools_navigate.clone();
                    Suspend::new(async move {
                        let me = match user {
                            Some(resource) => resource.await.ok(),
                            None => None,
                        };
                        let tools: Vec<_> = TOOLS.into_iter().filter(|t| me.as_ref().is_some_and(|m| m.can(t.3))).collect();
                        (!tools.is_empty()).then(|| view! {
                            <p class="sidenav__section">"Tools"</p>
                            <ul>
                                {tools
                                    .into_iter()
                                    .map(|(href, label, icon, _)| {
                                        let on_navigate = on_navigate.clone();
                                        view! { <NavItem href label icon on_navigate/> }
                                    })
                                    .collect_view()}
                            </ul>
                        })
                    })
                }}
            </Transition>
        </nav>
    }
}
