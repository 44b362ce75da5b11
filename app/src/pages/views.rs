//! Saved views: the list (`/views`, search by name, owner or section) and one view
//! (`/views/:id`, its stable address): open it, rename it, make it a section's default, share
//! it read-only with people or roles, save a copy, and restore an earlier version. Saving the
//! current section's filters happens in the filter bar ([`SaveViewBar`]).

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use pms_domain::error::AppError;
use pms_domain::identity::Role;
use pms_domain::views::{Section, ViewDetail, ViewSummary};

use super::PageHeader;
use crate::components::{failure, loading, outcome, succeeded, Guarded};

#[server(endpoint = "views/list")]
pub async fn list_views(search: Option<String>) -> Result<Vec<ViewSummary>, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::views::list(&cx, &caller, search.as_deref()).await
}

#[server(endpoint = "views/detail")]
pub async fn get_view(view_id: i64) -> Result<ViewDetail, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::views::detail(&cx, &caller, view_id).await
}

#[server(endpoint = "views/create")]
pub async fn create_view(
    name: String,
    section: String,
    query: String,
) -> Result<ViewSummary, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::views::create(&cx, &caller, &name, &section, &query).await
}

#[server(endpoint = "views/save")]
pub async fn save_view(
    view_id: i64,
    name: Option<String>,
    query: Option<String>,
) -> Result<ViewSummary, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::views::save(&cx, &caller, view_id, name.as_deref(), query.as_deref()).await
}

#[server(endpoint = "views/restore")]
pub async fn restore_view(view_id: i64, version: i32) -> Result<ViewSummary, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::views::restore(&cx, &caller, view_id, version).await
}

#[server(endpoint = "views/delete")]
pub async fn delete_view(view_id: i64) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::views::delete(&cx, &caller, view_id).await
}

/// Shares with the e-mail addresses in `emails` (separated by commas, spaces or lines) and
/// the roles whose boxes are ticked (a ticked box sends its field).
#[server(endpoint = "views/share")]
pub async fn share_view(
    view_id: i64,
    emails: String,
    rm: Option<String>,
    pm: Option<String>,
    compliance: Option<String>,
    admin: Option<String>,
    data_steward: Option<String>,
) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    let roles: Vec<String> = [
        ("rm", rm),
        ("pm", pm),
        ("compliance", compliance),
        ("admin", admin),
        ("data_steward", data_steward),
    ]
    .into_iter()
    .filter(|(_, ticked)| ticked.is_some())
    .map(|(code, _)| code.to_owned())
    .collect();
    let detail = pms_service::views::share(&cx, &caller, view_id, &[emails], &roles).await?;
    let shares = &detail.shares;
    Ok(if shares.users.is_empty() && shares.roles.is_empty() {
        "Not shared: only you can open this view.".into()
    } else {
        format!("Shared read-only with {}.", share_text(shares))
    })
}

#[server(endpoint = "views/copy")]
pub async fn copy_view(view_id: i64, name: Option<String>) -> Result<ViewSummary, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::views::copy(&cx, &caller, view_id, name.as_deref()).await
}

#[server(endpoint = "views/default")]
pub async fn set_default_view(section: String, view_id: Option<i64>) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::views::set_default(&cx, &caller, &section, view_id).await
}

#[server(endpoint = "views/defaults")]
pub async fn get_view_defaults() -> Result<Vec<(Section, String)>, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::views::defaults(&cx, &caller).await
}

/// "Anand Singhania, Mehul Shah and every Compliance officer".
fn share_text(shares: &pms_domain::views::ViewShares) -> String {
    let mut parts: Vec<String> = shares.users.iter().map(|u| u.2.clone()).collect();
    parts.extend(shares.roles.iter().map(|r| format!("every {}", r.label())));
    match parts.len() {
        0 => "nobody".into(),
        1 => parts.remove(0),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

fn changed_at(at: chrono::DateTime<chrono::Utc>) -> String {
    let ist = at.with_timezone(&pms_domain::time::IST);
    format!(
        "{} {}",
        ist.format("%d %b %Y"),
        pms_domain::time::format_ist_time(at)
    )
}

/// A section's filters as a reader sees them: `risk: Aggressive · sort: aum`.
fn query_text(query: &str) -> String {
    let pairs: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    if pairs.is_empty() {
        "no filters".into()
    } else {
        pairs.join(" · ")
    }
}

/// `/views`: every view the user may open.
#[component]
pub fn ViewsPage() -> impl IntoView {
    let query = use_query_map();
    let search = Memo::new(move |_| query.read().get("q").filter(|q| !q.trim().is_empty()));
    let views = Resource::new(move || search.get(), list_views);
    view! {
        <PageHeader
            title="Saved views"
            subtitle="Sections saved with their filters: yours and those shared with you. A view always shows your own clients' data."
        />
        <form class="toolbar" method="get" action="/views" role="search">
            <input type="search" name="q" aria-label="Search views" placeholder="Search by name, owner or section"
                prop:value=move || search.get().unwrap_or_default()/>
            <button type="submit" class="button button--primary">"Search"</button>
        </form>
        <Transition fallback=loading>
            <Guarded testid="views-error">
                {move || Suspend::new(async move {
                    let list = views.await?;
                    Ok::<_, AppError>(if list.is_empty() {
                        view! {
                            <p class="card muted" data-testid="views-empty">
                                "No saved views yet. Open a section, choose its filters and use “Save view” in the filter bar."
                            </p>
                        }.into_any()
                    } else {
                        view! { <ViewTable list/> }.into_any()
                    })
                })}
            </Guarded>
        </Transition>
    }
}

#[component]
fn ViewTable(list: Vec<ViewSummary>) -> impl IntoView {
    view! {
        <div class="table-card">
            <div class="table-scroll" tabindex="0">
                <table class="data-table" data-testid="views-table">
                    <thead>
                        <tr><th>"View"</th><th>"Section"</th><th>"Owner"</th><th>"Last change"</th><th></th></tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|v| {
                            let href = v.href();
                            let manage = format!("/views/{}", v.view_id);
                            view! {
                                <tr data-testid="view-row">
                                    <td class="wrap">
                                        <a href=href data-testid="view-open">{v.name.clone()}</a>
                                        {v.is_default.then(|| view! { " " <span class="badge badge--ok">"default"</span> })}
                                        {(v.shared && v.mine).then(|| view! { " " <span class="badge">"shared"</span> })}
                                        {(!v.mine).then(|| view! { " " <span class="badge badge--muted">"shared with you"</span> })}
                                        <div class="muted small">{query_text(&v.query)}</div>
                                    </td>
                                    <td>{v.section.label()}</td>
                                    <td>{if v.mine { "You".to_owned() } else { v.owner_name.clone() }}</td>
                                    <td class="small">{changed_at(v.updated_at)}<div class="muted">{format!("version {}", v.version)}</div></td>
                                    <td><a class="button" href=manage>"Details"</a></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}

/// `/views/:id`: one view, its versions and what its owner may do with it.
#[component]
pub fn ViewPage() -> impl IntoView {
    let params = use_params_map();
    let view_id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let rename = ServerAction::<SaveView>::new();
    let restore = ServerAction::<RestoreView>::new();
    let share = ServerAction::<ShareView>::new();
    let default = ServerAction::<SetDefaultView>::new();
    let copy = ServerAction::<CopyView>::new();
    let delete = ServerAction::<DeleteView>::new();
    let reload = [
        succeeded(*rename),
        succeeded(*restore),
        succeeded(*share),
        succeeded(*default),
    ];
    let detail = Resource::new(
        move || (view_id.get(), reload.map(|r| r.get())),
        |(id, _)| get_view(id),
    );
    let defaults_changed = use_context::<crate::layout::nav::ViewDefaultsChanged>();
    Effect::new(move |_| {
        // Setting a default, or deleting a view that may have been one, changes the sidebar.
        let done = matches!(default.value().get(), Some(Ok(_)))
            | matches!(delete.value().get(), Some(Ok(_)));
        if let (true, Some(changed)) = (done, defaults_changed) {
            changed.0.update(|n| *n += 1);
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(copied)) = copy.value().get() {
            navigate(
                &format!("/views/{}", copied.view_id),
                NavigateOptions::default(),
            );
        }
    });
    let deleted = move || matches!(delete.value().get(), Some(Ok(_)));

    view! {
        <Transition fallback=loading>
            <Guarded testid="view-error">
                {move || Suspend::new(async move {
                    let ViewDetail { view: v, versions, shares } = detail.await?;
                    let id = v.view_id;
                    let section = v.section.code();
                    let href = v.href();
                    let mine = v.mine;
                    let shared_note = if shares.users.is_empty() && shares.roles.is_empty() {
                        "Not shared: only you can open it.".to_owned()
                    } else {
                        format!("Shared read-only with {}. They see their own clients' figures, never yours.", share_text(&shares))
                    };
                    let email_list = shares.users.iter().map(|u| u.1.clone()).collect::<Vec<_>>().join(", ");
                    let title = v.name.clone();
                    let copy_hint = format!("Copy of {}", v.name);
                    Ok::<_, AppError>(view! {
                        <leptos_meta::Title text=title.clone()/>
                        <div class="page-header">
                            <h1 data-testid="view-name">{title.clone()}</h1>
                            <p class="page-header__subtitle">
                                {format!("{} · {} · version {} · changed {}", v.section.label(),
                                    if mine { "yours".to_owned() } else { format!("shared by {}", v.owner_name) },
                                    v.version, changed_at(v.updated_at))}
                            </p>
                        </div>
                        <Show when=deleted fallback=move || ()>
                            <p class="alert alert--success" role="status">"View deleted. " <a href="/views">"Back to saved views"</a></p>
                        </Show>
                        <section class="card stack">
                            <p class="muted">{query_text(&v.query)}</p>
                            <div class="toolbar">
                                <a class="button button--primary" href=href.clone() data-testid="view-open">"Open view"</a>
                                <ActionForm action=default attr:class="inline-form">
                                    <input type="hidden" name="section" value=section/>
                                    {(!v.is_default).then(|| view! { <input type="hidden" name="view_id" value=id.to_string()/> })}
                                    <button type="submit" class="button" data-testid="view-default">
                                        {if v.is_default { format!("Stop opening {} with it", v.section.label()) } else { format!("Open {} with it", v.section.label()) }}
                                    </button>
                                </ActionForm>
                            </div>
                            {move || outcome(default.value().get())}
                            <ActionForm action=copy attr:class="inline-form">
                                <input type="hidden" name="view_id" value=id.to_string()/>
                                <input type="text" name="name" maxlength="120" placeholder=copy_hint aria-label="Name of the copy"/>
                                <button type="submit" class="button" data-testid="view-copy">"Save a copy"</button>
                            </ActionForm>
                            {move || failure(copy.value().get())}
                        </section>
                        {mine.then(|| view! {
                            <section class="card stack">
                                <h2>"Name"</h2>
                                <ActionForm action=rename attr:class="inline-form">
                                    <input type="hidden" name="view_id" value=id.to_string()/>
                                    <input type="text" name="name" required=true maxlength="120" value=title.clone() aria-label="View name"/>
                                    <button type="submit" class="button" data-testid="view-rename">"Rename"</button>
                                </ActionForm>
                                {move || failure(rename.value().get())}
                                <h2>"Sharing"</h2>
                                <p class="muted small" data-testid="view-shared-with">{shared_note}</p>
                                <ActionForm action=share attr:class="stack">
                                    <input type="hidden" name="view_id" value=id.to_string()/>
                                    <label class="filters__field">
                                        <span>"People (e-mail addresses)"</span>
                                        <textarea name="emails" rows="2" data-testid="share-emails">{email_list}</textarea>
                                    </label>
                                    <fieldset class="inline-form view-roles">
                                        <legend class="small">"Everyone with the role"</legend>
                                        {Role::ALL.into_iter().map(|role| {
                                            let ticked = shares.roles.contains(&role);
                                            view! {
                                                <label class="small"><input type="checkbox" name=role.code() checked=ticked/>" " {role.label()}</label>
                                            }
                                        }).collect_view()}
                                    </fieldset>
                                    <button type="submit" class="button" data-testid="view-share">"Save sharing"</button>
                                </ActionForm>
                                {move || outcome(share.value().get())}
                                <ActionForm action=delete attr:class="inline-form">
                                    <input type="hidden" name="view_id" value=id.to_string()/>
                                    <button type="submit" class="button button--danger" data-testid="view-delete">"Delete view"</button>
                                </ActionForm>
                                {move || failure(delete.value().get())}
                            </section>
                        })}
                        <section class="stack section-block">
                            <h2>"Versions"</h2>
                            {move || failure(restore.value().get())}
                            <div class="table-card">
                                <div class="table-scroll" tabindex="0">
                                    <table class="data-table" data-testid="view-versions">
                                        <thead><tr><th class="num">"Version"</th><th>"Name and filters"</th><th>"Saved"</th><th></th></tr></thead>
                                        <tbody>
                                            {versions.into_iter().map(|h| {
                                                let current = h.version == v.version;
                                                let open = if h.query.is_empty() { v.section.path().to_owned() } else { format!("{}?{}", v.section.path(), h.query) };
                                                view! {
                                                    <tr data-testid="view-version" data-version=h.version.to_string()>
                                                        <td class="num">{h.version}</td>
                                                        <td class="wrap">{h.name.clone()}<div class="muted small">{query_text(&h.query)}</div></td>
                                                        <td class="small">{changed_at(h.saved_at)}<div class="muted">{h.saved_by.clone().unwrap_or_default()}</div></td>
                                                        <td>
                                                            {if current {
                                                                view! { <span class="badge badge--ok">"current"</span> }.into_any()
                                                            } else if mine {
                                                                view! {
                                                                    <ActionForm action=restore attr:class="inline-form inline-form--tight">
                                                                        <input type="hidden" name="view_id" value=id.to_string()/>
                                                                        <input type="hidden" name="version" value=h.version.to_string()/>
                                                                        <button type="submit" class="button" data-testid="view-restore">"Restore"</button>
                                                                    </ActionForm>
                                                                }.into_any()
                                                            } else {
                                                                view! { <a href=open>"Open"</a> }.into_any()
                                                            }}
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            </div>
                        </section>
                    }.into_any())
                })}
            </Guarded>
        </Transition>
    }
}

/// In a section's filter bar: the open view's name (and "Save changes" when its owner has
/// changed the filters), and "Save view" to keep the current filters under a new name.
#[component]
pub fn SaveViewBar(section: Section) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let open_view =
        Memo::new(move |_| query.read().get("view").and_then(|v| v.parse::<i64>().ok()));
    let current = Memo::new(move |_| {
        section
            .normalise_query(&location.search.get())
            .unwrap_or_default()
    });
    let create = ServerAction::<CreateView>::new();
    let save = ServerAction::<SaveView>::new();
    let saved = succeeded(*save);
    let opened = Resource::new(
        move || (open_view.get(), saved.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_view(id).await.ok().map(|d| d.view),
                None => None,
            }
        },
    );
    let naming = RwSignal::new(false);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = create.value().get() {
            naming.set(false);
            navigate(&saved.href(), NavigateOptions::default());
        }
    });

    view! {
        <div class="saved-view-bar" data-testid="saved-view-bar">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    opened.await.map(|v| {
                        let id = v.view_id;
                        let saved_query = v.query.clone();
                        let dirty = move || current.get() != saved_query;
                        view! {
                            <span class="saved-view-bar__name" data-testid="open-view-name">
                                <a href=format!("/views/{id}")>{v.name.clone()}</a>
                            </span>
                            {v.mine.then(|| view! {
                                <Show when=dirty fallback=|| ()>
                                    <ActionForm action=save attr:class="saved-view-bar__form">
                                        <input type="hidden" name="view_id" value=id.to_string()/>
                                        <input type="hidden" name="query" value=move || current.get()/>
                                        <button type="submit" class="button" data-testid="save-view-changes">"Save changes"</button>
                                    </ActionForm>
                                </Show>
                            })}
                        }
                    })
                })}
            </Transition>
            <Show
                when=move || naming.get()
                fallback=move || view! {
                    <button type="button" class="button" data-testid="save-view" on:click=move |_| naming.set(true)>"Save view"</button>
                    <a class="button button--link" href="/views">"Saved views"</a>
                }
            >
                <ActionForm action=create attr:class="saved-view-bar__form">
                    <input type="hidden" name="section" value=section.code()/>
                    <input type="hidden" name="query" value=move || current.get()/>
                    <input type="text" name="name" required=true maxlength="120" placeholder="Name this view" aria-label="Name of the new view" data-testid="save-view-name"/>
                    <button type="submit" class="button button--primary" data-testid="save-view-submit">"Save"</button>
                    <button type="button" class="button button--link" on:click=move |_| naming.set(false)>"Cancel"</button>
                </ActionForm>
            </Show>
            {move || failure(create.value().get())}
            {move || failure(save.value().get())}
        </div>
    }
}
