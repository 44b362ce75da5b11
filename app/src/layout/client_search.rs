//! "Find a client" in the header: suggestions as you type (name with typos tolerated, client
//! code, PAN suffix), within the user's scope; arrow keys move through them, Enter opens the
//! highlighted client (or the client list filtered by the text), Escape closes. Without
//! script it is a plain search form for the client list.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use pms_domain::clients::ClientHit;
use pms_domain::error::AppError;

#[server(endpoint = "clients/search")]
pub async fn search_clients(text: String) -> Result<Vec<ClientHit>, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::clients::search(&cx, &caller, &text).await
}

/// Fewer characters than this ask nothing of the server.
const MIN_CHARS: usize = 2;

#[component]
pub fn ClientSearch() -> impl IntoView {
    let (text, set_text) = signal(String::new());
    let (active, set_active) = signal::<Option<usize>>(None);
    let (open, set_open) = signal(false);
    let hits = Resource::new(
        move || text.get(),
        |text| async move {
            if text.trim().chars().count() < MIN_CHARS {
                Ok(Vec::new())
            } else {
                search_clients(text).await
            }
        },
    );
    let current = move || hits.get().and_then(Result::ok).unwrap_or_default();
    let navigate = use_navigate();
    let on_keydown = move |ev: KeyboardEvent| {
        let count = current().len();
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                set_open.set(true);
                set_active.update(|a| *a = Some(a.map_or(0, |i| (i + 1).min(count - 1))));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                set_active.update(|a| *a = a.and_then(|i| i.checked_sub(1)));
            }
            "Enter" => {
                let chosen = active
                    .get_untracked()
                    .and_then(|i| current().get(i).cloned());
                if let Some(hit) = chosen {
                    ev.prevent_default();
                    set_open.set(false);
                    navigate(
                        &format!("/clients/{}", hit.client_id),
                        NavigateOptions::default(),
                    );
                }
                // Otherwise the form's GET opens the client list filtered by the text.
            }
            "Escape" => {
                set_open.set(false);
                set_active.set(None);
            }
            _ => {}
        }
    };
    let option = move |(i, hit): (usize, ClientHit)| {
        let detail = [
            hit.client_code.clone(),
            hit.city.clone(),
            hit.rm_name.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        let closed = hit.status != "Active";
        view! {
            <li role="option" id=format!("client-hit-{i}") aria-selected=move || (active.get() == Some(i)).to_string()
                class="client-search__hit" class:client-search__hit--active=move || active.get() == Some(i)>
                // mousedown would blur the input (closing the list) before the click lands.
                <a href=format!("/clients/{}", hit.client_id) tabindex="-1"
                    on:mousedown=|ev| ev.prevent_default() on:click=move |_| set_open.set(false)>
                    <span class="client-search__name">{hit.name.clone()}{closed.then_some(" (closed)")}</span>
                    <span class="client-search__detail">{detail}</span>
                </a>
            </li>
        }
    };
    view! {
        <form class="client-search" method="get" action="/clients" role="search">
            <input
                type="search"
                name="q"
                role="combobox"
                aria-label="Find a client"
                aria-autocomplete="list"
                aria-controls="client-search-list"
                aria-expanded=move || (open.get() && !current().is_empty()).to_string()
                aria-activedescendant=move || active.get().map(|i| format!("client-hit-{i}"))
                autocomplete="off"
                placeholder="Find a client: name, code or PAN"
                data-testid="header-search"
                on:input=move |ev| {
                    set_text.set(event_target_value(&ev));
                    set_active.set(None);
                    set_open.set(true);
                }
                on:keydown=on_keydown
                on:focus=move |_| set_open.set(true)
                on:blur=move |_| set_open.set(false)
            />
            <ul id="client-search-list" role="listbox" class="client-search__list" aria-label="Clients found"
                hidden=move || !open.get() || current().is_empty()>
                {move || current().into_iter().enumerate().map(option).collect_view()}
            </ul>
        </form>
    }
}
