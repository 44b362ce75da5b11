//! Administration: users and their roles, teams and RMs, client-to-RM assignment, the firm's
//! branding, the two-factor policy per role, and API access for other systems.
//!
//! One module per tab; each tab's server functions sit next to it and are adapters over the use
//! cases in `pms_service::admin`, which check the caller's capability (the page only decides
//! what to show). Tabs are plain links
//! (`/admin?tab=…`), so they work before the page has hydrated, and every change is recorded in
//! the audit trail as an `admin.*` action.

use pms_domain::error::AppError;
mod api;
mod assignments;
mod branding;
mod security;
mod teams;
mod users;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use pms_domain::identity::Capability;

use super::login::error_text;
use super::PageHeader;
use crate::layout::UserResource;

/// The tabs, in the order an administrator sets up a firm, with what each needs.
const TABS: [(&str, &str, Capability); 6] = [
    ("users", "Users", Capability::ManageUsers),
    ("teams", "Teams & RMs", Capability::ManageUsers),
    ("assignments", "Client assignment", Capability::ManageUsers),
    ("branding", "Branding", Capability::ManageBranding),
    ("security", "Security", Capability::ManageUsers),
    ("api", "API access", Capability::ManageApiTokens),
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
            subtitle="Users and roles, teams, client assignment, branding, security and API access."
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

/// The message of a finished action: success in green, the error in red.
pub(crate) fn outcome(result: Option<Result<String, AppError>>) -> Option<AnyView> {
    result.map(|r| match r {
        Ok(message) => {
            view! { <p class="alert alert--success" role="status">{message}</p> }.into_any()
        }
        Err(e) => {
            view! { <p class="alert alert--error" role="alert">{error_text(&e)}</p> }.into_any()
        }
    })
}

/// A loading failure of a tab.
pub(crate) fn load_error(e: &AppError) -> AnyView {
    view! { <p class="alert alert--error" role="alert" data-testid="admin-error">{error_text(e)}</p> }.into_any()
}

/// Bumps `counter` each time an action succeeds. Tabs reload their data on that, not on every
/// submission: a refused form keeps what the admin typed and chose.
pub(crate) fn reload_on_success<T, V>(value: V, counter: RwSignal<u32>)
where
    V: With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    T: 'static,
{
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            counter.update(|n| *n += 1);
        }
    });
}

/// The skeleton shown while a tab loads.
pub(crate) fn loading() -> impl IntoView {
    view! { <div class="skeleton-table" aria-busy="true"></div> }
}

#[cfg(feature = "hydrate")]
mod clipboard {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// `navigator.clipboard.writeText` (absent outside secure contexts, hence `catch`).
        #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
        pub fn write_text(text: &str) -> Result<JsValue, JsValue>;
    }
}

/// A value to copy once (an invitation link, a client secret, a command): selectable text and,
/// with JavaScript, a copy button.
#[component]
pub(crate) fn CopyField(
    value: String,
    #[prop(into)] label: String,
    #[prop(optional)] multiline: bool,
    #[prop(optional, into)] testid: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = value.clone();
    let field: NodeRef<leptos::html::Textarea> = NodeRef::new();
    let copy = move |_| {
        if let Some(el) = field.get() {
            el.select();
        }
        #[cfg(feature = "hydrate")]
        {
            copied.set(clipboard::write_text(&text).is_ok());
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = &text;
        }
    };
    let rows = if multiline { "4" } else { "1" };
    view! {
        <div class="copy-field">
            <span class="copy-field__label">{label.clone()}</span>
            <div class="copy-field__row">
                <textarea
                    class="copy-field__value"
                    class:copy-field__value--multi=multiline
                    readonly=true
                    rows=rows
                    spellcheck="false"
                    aria-label=label
                    data-testid=testid
                    node_ref=field
                    on:focus=move |_| {
                        if let Some(el) = field.get() {
                            el.select();
                        }
                    }
                >
                    {value}
                </textarea>
                <button type="button" class="button" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </div>
    }
}
