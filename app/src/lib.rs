//! The Hub's user interface, compiled twice: for the server (feature `ssr`, which renders pages
//! and runs server functions against PostgreSQL) and for the browser (feature `hydrate`, which
//! makes the server-rendered page interactive).
//!
//! - [`layout`]: the frame every signed-in page shares (sidebar, header, data status, user menu).
//! - [`pages`]: one module per route; server functions live next to the component that calls them.
//! - [`components`]: small reusable pieces (empty states, icons, the sign-in card).
//! - [`url`]: query-string encoding for the links pages build.
//! - `ssr` (server only): the caller's principal and scope, the session, the audit trail.

// Leptos view types nest deeply; the default limit is too small for the larger pages.
#![recursion_limit = "256"]

pub mod components;
pub mod layout;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod url;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::layout::AppFrame;
use crate::pages::{
    account::AccountSecurityPage,
    admin::AdminPage,
    alerts::AlertsPage,
    audit::AuditPage,
    client::ClientPage,
    clients::ClientAnalytics,
    compliance::ComplianceReporting,
    executive::ExecutiveSummary,
    ingest::IngestPage,
    invite::InvitePage,
    login::{LoginPage, VerifyPage},
    not_found::NotFound,
    portfolios::PortfolioPerformance,
    views::{ViewPage, ViewsPage},
};

/// The Content-Security-Policy of a page: scripts only from the Hub and the render's own
/// inline hydration scripts (by nonce), WebAssembly allowed, nothing framed or framing.
#[cfg(feature = "ssr")]
fn set_page_policy() {
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en-IN">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: sign-in pages outside the frame; the dashboard sections and tools inside it.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/pms-hub.css"/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="description" content="PMS Intelligence Hub: client and portfolio analytics"/>
        <Title formatter=|page: String| format!("{page} · PMS Intelligence Hub")/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/login/verify") view=VerifyPage/>
                <Route path=path!("/invite/:token") view=InvitePage/>
                <ParentRoute path=path!("") view=AppFrame>
                    <Route path=path!("") view=ExecutiveSummary/>
                    <Route path=path!("clients") view=ClientAnalytics/>
                    <Route path=path!("clients/:id") view=ClientPage/>
                    <Route path=path!("portfolios") view=PortfolioPerformance/>
                    <Route path=path!("compliance") view=ComplianceReporting/>
                    <Route path=path!("alerts") view=AlertsPage/>
                    <Route path=path!("account/security") view=AccountSecurityPage/>
                    <Route path=path!("ingest") view=IngestPage/>
                    <Route path=path!("audit") view=AuditPage/>
                    <Route path=path!("admin") view=AdminPage/>
                    <Route path=path!("views") view=ViewsPage/>
                    <Route path=path!("views/:id") view=ViewPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
