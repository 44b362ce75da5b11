//! The frame around every signed-in page: a sidebar with the sections the user's role may
//! open (collapsible on tablets), a header with the data status and the user menu, and the
//! routed page in the middle.

use pms_domain::error::AppError;
mod branding;
mod client_search;
mod data_status;
pub mod live;
pub mod nav;
mod user_menu;

pub use branding::{
    colour_vars, css_vars, get_branding, is_hex_colour, luminance, use_branding, BrandingContext,
    GetBranding,
};
pub use data_status::{get_data_status, DataStatusChip, GetDataStatus};
pub use user_menu::{current_user, CurrentUser};

use leptos::prelude::*;
use leptos_router::components::Outlet;
use pms_domain::identity::SessionUser;

use crate::components::icons::{Icon, IconKind};
use branding::{BrandStyle, FirmName};
use client_search::ClientSearch;
use live::UpdatedNote;
use nav::SideNav;
use user_menu::UserMenu;

/// The signed-in user, shared with every page of the frame.
pub type UserResource = Resource<Result<SessionUser, AppError>>;

/// The signed-in user, if the frame has loaded them.
pub fn use_user() -> Option<SessionUser> {
    use_context::<UserResource>()
        .and_then(|r| r.get())
        .and_then(Result::ok)
}

#[component]
pub fn AppFrame() -> impl IntoView {
    // The sidebar toggle is a real checkbox so the menu also works before hydration (CSS drives
    // it); after hydration the signal keeps it in sync and closes it when a link is followed.
    let (nav_open, set_nav_open) = signal(false);
    let user: UserResource = Resource::new(|| (), |_| current_user());
    provide_context(user);
    // Advanced when a saved view's default changes, so the sidebar's links follow.
    provide_context(nav::ViewDefaultsChanged(RwSignal::new(0)));
    live::provide_live_refresh();
    // The firm's colours: inline on the frame once hydrated (and replaced live when an admin
    // saves the branding); `BrandStyle` carries them in the server-rendered page until then.
    let branding = BrandingContext::new();
    provide_context(branding);
    Effect::new(move |_| {
        if let Some(Ok(loaded)) = branding.loaded.get() {
            if branding.live.get_untracked().is_none() {
                branding.live.set(Some(loaded));
            }
        }
    });
    let brand_style = move || branding.live.get().as_ref().and_then(css_vars);

    view! {
        <div class="frame" style=brand_style>
            <BrandStyle/>
            <input
                type="checkbox"
                id="nav-toggle"
                class="frame__toggle"
                aria-hidden="true"
                tabindex="-1"
                prop:checked=nav_open
                on:change=move |ev| set_nav_open.set(event_target_checked(&ev))
            />
            <SideNav on_navigate=move || set_nav_open.set(false)/>
            <UpdatedNote/>
            <label for="nav-toggle" class="frame__scrim" aria-hidden="true"></label>
            <div class="frame__main">
                <header class="topbar">
                    <label for="nav-toggle" class="topbar__menu" title="Menu">
                        <Icon kind=IconKind::Menu/>
                        <span class="visually-hidden">"Open menu"</span>
                    </label>
                    <span class="topbar__brand"><FirmName/></span>
                    <ClientSearch/>
                    <div class="topbar__spacer"></div>
                    <DataStatusChip/>
                    <UserMenu/>
                </header>
                <main class="content" id="content">
                    // Sections catch their own load failures (`Guarded`, inside their
                    // Suspense); no boundary around the whole page, which would hold back its
                    // server-rendered HTML until every section had loaded (no streamed skeletons).
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}
