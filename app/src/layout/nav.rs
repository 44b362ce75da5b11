//! The section navigation: the four dashboard sections for everyone, then the tools the
//! user's role may use.

use leptos::prelude::*;
use leptos_router::components::A;
use pms_domain::identity::Capability;
use pms_domain::views::Section;

use crate::components::icons::{Icon, IconKind};
use crate::pages::views::get_view_defaults;

/// Advanced when the user's default views change (the sidebar's section links open them).
#[derive(Clone, Copy)]
pub struct ViewDefaultsChanged(pub RwSignal<usize>);

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
const TOOLS: [(&str, &str, IconKind, Capability); 4] = [
    (
        "/alerts",
        "Compliance alerts",
        IconKind::Bell,
        Capability::Analyse,
    ),
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
    href: String,
    label: &'static str,
    icon: IconKind,
    on_navigate: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let exact = href == "/" || href.starts_with("/?");
    view! {
        <li on:click=move |_| on_navigate()>
            <A href=href exact=exact>
                <Icon kind=icon/>
                <span>{label}</span>
            </A>
        </li>
    }
}

#[component]
pub fn SideNav(on_navigate: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let tools_navigate = on_navigate.clone();
    let sections_navigate = on_navigate.clone();
    let user = use_context::<super::UserResource>();
    let changed = use_context::<ViewDefaultsChanged>().map(|c| c.0);
    // Each section opens with the user's default view, where they chose one.
    let defaults = Resource::new(
        move || changed.map(|c| c.get()),
        |_| async move { get_view_defaults().await.unwrap_or_default() },
    );
    let section_items = move |defaults: Vec<(Section, String)>| {
        let on_navigate = sections_navigate.clone();
        SECTIONS
            .into_iter()
            .map(|(path, label, icon)| {
                let on_navigate = on_navigate.clone();
                let href = Section::from_path(path)
                    .and_then(|s| defaults.iter().find(|(d, _)| *d == s))
                    .map(|(_, href)| href.clone())
                    .unwrap_or_else(|| path.to_owned());
                view! { <NavItem href label icon on_navigate/> }
            })
            .collect_view()
    };
    let fallback_items = section_items.clone();
    view! {
        <nav class="sidenav" aria-label="Sections">
            <a class="sidenav__brand" href="/">
                <super::branding::FirmBrand/>
            </a>
            <ul>
                <Transition fallback=move || fallback_items(Vec::new())>
                    {move || {
                        let section_items = section_items.clone();
                        Suspend::new(async move { section_items(defaults.await) })
                    }}
                </Transition>
                <NavItem href="/views".to_owned() label="Saved views" icon=IconKind::Bookmark on_navigate=on_navigate.clone()/>
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
                                        view! { <NavItem href=href.to_owned() label icon on_navigate/> }
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
