//! Saved views: save a section's filters and layout under a name, open it by a stable URL,
//! keep every version, share it read-only with people or roles, and choose the view a section
//! opens with. A view holds only the question; the figures it shows are always computed with
//! the viewer's own scope, so sharing a view never shares data. Every change is audited.

use pms_domain::error::AppError;
use pms_domain::identity::{Capability, Role};
use pms_domain::views::{Section, ViewDetail, ViewShares, ViewSummary};
use pms_store::views::Viewer;
use pms_store::Db;
use serde_json::json;

use crate::admin::squeezed;
use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// The caller as the owner or viewer of views: a person (or the person an API client acts
/// for) whose role may save views.
fn viewer(caller: &Caller) -> AppResult<Viewer> {
    let principal = caller.require(Capability::SaveViews)?;
    let user_id = principal.actor_user_id().ok_or_else(|| {
        AppError::Forbidden(
            "Saved views belong to people; this API client acts for no user.".into(),
        )
    })?;
    Ok(Viewer {
        user_id,
        role: principal.user.role,
    })
}

fn section(code: &str) -> AppResult<Section> {
    Section::from_code(code).ok_or_else(|| {
        AppError::invalid(format!(
            "There is no section {code:?}; use executive, clients, portfolios or compliance."
        ))
    })
}

fn view_name(name: &str) -> AppResult<String> {
    let name = squeezed(name);
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid(
            "Give the view a name (at most 120 characters).",
        ));
    }
    Ok(name)
}

/// A view the caller may open; 404 otherwise (whether or not it exists).
async fn visible(cx: &Context, viewer: Viewer, view_id: i64) -> AppResult<ViewSummary> {
    cx.db
        .view_for(viewer, view_id)
        .await?
        .ok_or_else(|| AppError::not_found("saved view"))
}

/// A view the caller owns: 404 if they cannot see it, 403 if it is someone else's.
async fn owned(cx: &Context, viewer: Viewer, view_id: i64) -> AppResult<ViewSummary> {
    let view = visible(cx, viewer, view_id).await?;
    if !view.mine {
        return Err(AppError::Forbidden(format!(
            "{} shared this view with you read-only; save a copy to change it.",
            view.owner_name
        )));
    }
    Ok(view)
}

/// The views the caller may open (theirs and those shared with them), newest change first;
/// `search` matches the name, the owner or the section.
#[tracing::instrument(name = "views.list", skip_all, fields(caller = %caller))]
pub async fn list(
    cx: &Context,
    caller: &Caller,
    search: Option<&str>,
) -> AppResult<Vec<ViewSummary>> {
    let viewer = viewer(caller)?;
    if search.is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::BadRequest(
            "Search with at most 100 characters.".into(),
        ));
    }
    Ok(cx.db.views_for(viewer, search).await?)
}

/// One view with its versions (and, for its owner, who it is shared with).
#[tracing::instrument(name = "views.detail", skip_all, fields(caller = %caller, view_id = view_id))]
pub async fn detail(cx: &Context, caller: &Caller, view_id: i64) -> AppResult<ViewDetail> {
    let viewer = viewer(caller)?;
    let view = visible(cx, viewer, view_id).await?;
    let shares = if view.mine {
        cx.db.view_shares(view_id).await?
    } else {
        ViewShares::default()
    };
    Ok(ViewDetail {
        versions: cx.db.view_versions(view_id).await?,
        view,
        shares,
    })
}

/// Saves `query` of `section` as a new view of the caller's.
#[tracing::instrument(name = "views.create", skip_all, fields(caller = %caller))]
pub async fn create(
    cx: &Context,
    caller: &Caller,
    name: &str,
    section_code: &str,
    query: &str,
) -> AppResult<ViewSummary> {
    let viewer = viewer(caller)?;
    let name = view_name(name)?;
    let section = section(section_code)?;
    let query = section.normalise_query(query).map_err(AppError::invalid)?;
    let mut tx = begin(cx).await?;
    let view_id = Db::create_view(&mut tx, viewer.user_id, &name, section, &query).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "views.created",
        Some(("view", view_id.to_string())),
        json!({ "name": name, "section": section.code(), "query": query }),
    )
    .await?;
    commit(tx).await?;
    visible(cx, viewer, view_id).await
}

/// Saves a new version of the caller's view: a new name, new filters, or both (`None` keeps
/// what it was). Saving what is already saved makes no version.
#[tracing::instrument(name = "views.save", skip_all, fields(caller = %caller, view_id = view_id))]
pub async fn save(
    cx: &Context,
    caller: &Caller,
    view_id: i64,
    name: Option<&str>,
    query: Option<&str>,
) -> AppResult<ViewSummary> {
    let viewer = viewer(caller)?;
    let view = owned(cx, viewer, view_id).await?;
    let name = name
        .map(view_name)
        .transpose()?
        .unwrap_or(view.name.clone());
    let query = match query {
        Some(q) => view.section.normalise_query(q).map_err(AppError::invalid)?,
        None => view.query.clone(),
    };
    if name == view.name && query == view.query {
        return Ok(view);
    }
    write_version(cx, caller, &view, &name, &query, "views.saved", json!({})).await?;
    visible(cx, viewer, view_id).await
}

/// Restores version `version` of the caller's view as its newest version (history is kept).
#[tracing::instrument(name = "views.restore", skip_all, fields(caller = %caller, view_id = view_id, version = version))]
pub async fn restore(
    cx: &Context,
    caller: &Caller,
    view_id: i64,
    version: i32,
) -> AppResult<ViewSummary> {
    let viewer = viewer(caller)?;
    let view = owned(cx, viewer, view_id).await?;
    let mut conn = cx.db.pool().acquire().await.map_err(crate::internal)?;
    let (name, query) = Db::view_version(&mut conn, view_id, version)
        .await?
        .ok_or_else(|| AppError::not_found("version of this view"))?;
    drop(conn);
    write_version(
        cx,
        caller,
        &view,
        &name,
        &query,
        "views.restored",
        json!({ "restored_version": version }),
    )
    .await?;
    visible(cx, viewer, view_id).await
}

/// Writes a view's next version and its audit row together.
async fn write_version(
    cx: &Context,
    caller: &Caller,
    view: &ViewSummary,
    name: &str,
    query: &str,
    action: &str,
    extra: serde_json::Value,
) -> AppResult<()> {
    let by = viewer(caller)?.user_id;
    let mut tx = begin(cx).await?;
    let version = Db::save_view(&mut tx, view.view_id, name, query, by).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        action,
        Some(("view", view.view_id.to_string())),
        json!({
            "version": version,
            "name": crate::admin::change(view.name.as_str(), name),
            "query": crate::admin::change(view.query.as_str(), query),
            "detail": extra,
        }),
    )
    .await?;
    commit(tx).await
}

/// Deletes the caller's view (with its versions, shares and anyone's default on it).
#[tracing::instrument(name = "views.delete", skip_all, fields(caller = %caller, view_id = view_id))]
pub async fn delete(cx: &Context, caller: &Caller, view_id: i64) -> AppResult<String> {
    let viewer = viewer(caller)?;
    let view = owned(cx, viewer, view_id).await?;
    let mut tx = begin(cx).await?;
    Db::delete_view(&mut tx, view_id).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "views.deleted",
        Some(("view", view_id.to_string())),
        json!({ "name": view.name, "section": view.section.code(), "query": view.query }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!("View “{}” deleted.", view.name))
}

/// Shares the caller's view read-only with exactly these people (by e-mail) and roles
/// (replacing whom it was shared with before); an empty list stops sharing.
#[tracing::instrument(name = "views.share", skip_all, fields(caller = %caller, view_id = view_id))]
pub async fn share(
    cx: &Context,
    caller: &Caller,
    view_id: i64,
    emails: &[String],
    roles: &[String],
) -> AppResult<ViewDetail> {
    let viewer = viewer(caller)?;
    owned(cx, viewer, view_id).await?;
    let mut wanted: Vec<String> = emails
        .iter()
        .flat_map(|e| e.split([',', ';', ' ', '\n']))
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    wanted.sort();
    wanted.dedup();
    if wanted.len() > 200 {
        return Err(AppError::invalid(
            "Share with at most 200 people at once; share with a role instead.",
        ));
    }
    let found = cx.db.active_users_by_email(&wanted).await?;
    let unknown: Vec<&str> = wanted
        .iter()
        .filter(|e| !found.iter().any(|(_, f)| f == *e))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::invalid(format!(
            "No active Hub user has the e-mail {}: check the spelling, or ask an admin to invite them.",
            unknown.join(", ")
        )));
    }
    let mut role_list = Vec::new();
    for code in roles.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        let role = Role::from_code(code)
            .or_else(|| {
                Role::ALL
                    .into_iter()
                    .find(|r| r.label().eq_ignore_ascii_case(code))
            })
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "There is no role {code:?}; use rm, pm, compliance, admin or data_steward."
                ))
            })?;
        if !role_list.contains(&role) {
            role_list.push(role);
        }
    }
    let user_ids: Vec<i64> = found
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| *id != viewer.user_id)
        .collect();
    let before = cx.db.view_shares(view_id).await?;
    let mut tx = begin(cx).await?;
    Db::set_view_shares(&mut tx, view_id, &user_ids, &role_list).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "views.shared",
        Some(("view", view_id.to_string())),
        json!({
            "users": crate::admin::change(
                before.users.iter().map(|u| u.1.clone()).collect::<Vec<_>>(),
                found.iter().filter(|(id, _)| *id != viewer.user_id).map(|u| u.1.clone()).collect::<Vec<_>>(),
            ),
            "roles": crate::admin::change(
                before.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
                role_list.iter().map(|r| r.code()).collect::<Vec<_>>(),
            ),
        }),
    )
    .await?;
    commit(tx).await?;
    detail(cx, caller, view_id).await
}

/// Saves a view the caller may open (their own or one shared with them) as a new view of
/// theirs; `name` defaults to "Copy of …".
#[tracing::instrument(name = "views.copy", skip_all, fields(caller = %caller, view_id = view_id))]
pub async fn copy(
    cx: &Context,
    caller: &Caller,
    view_id: i64,
    name: Option<&str>,
) -> AppResult<ViewSummary> {
    let viewer = viewer(caller)?;
    let source = visible(cx, viewer, view_id).await?;
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => view_name(n)?,
        None => view_name(
            &format!("Copy of {}", source.name)
                .chars()
                .take(120)
                .collect::<String>(),
        )?,
    };
    let mut tx = begin(cx).await?;
    let new_id = Db::create_view(
        &mut tx,
        viewer.user_id,
        &name,
        source.section,
        &source.query,
    )
    .await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "views.copied",
        Some(("view", new_id.to_string())),
        json!({ "name": name, "from_view": view_id, "from_owner": source.owner_name }),
    )
    .await?;
    commit(tx).await?;
    visible(cx, viewer, new_id).await
}

/// Makes a view the caller may open their default for its section (`None`: the section opens
/// unfiltered again).
#[tracing::instrument(name = "views.set_default", skip_all, fields(caller = %caller))]
pub async fn set_default(
    cx: &Context,
    caller: &Caller,
    section_code: &str,
    view_id: Option<i64>,
) -> AppResult<String> {
    let viewer = viewer(caller)?;
    let section = section(section_code)?;
    let view = match view_id {
        None => None,
        Some(id) => {
            let view = visible(cx, viewer, id).await?;
            if view.section != section {
                return Err(AppError::invalid(format!(
                    "“{}” is a view of {}, not of {}.",
                    view.name,
                    view.section.label(),
                    section.label()
                )));
            }
            Some(view)
        }
    };
    let mut tx = begin(cx).await?;
    Db::set_default_view(&mut tx, viewer.user_id, section, view_id).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "views.default_set",
        view.as_ref().map(|v| ("view", v.view_id.to_string())),
        json!({ "section": section.code(), "view_id": view_id }),
    )
    .await?;
    commit(tx).await?;
    Ok(match view {
        Some(v) => format!("{} now opens with “{}”.", section.label(), v.name),
        None => format!("{} now opens unfiltered.", section.label()),
    })
}

/// The URL each section opens with for the caller: their default view's, where they chose one.
#[tracing::instrument(name = "views.defaults", skip_all, fields(caller = %caller))]
pub async fn defaults(cx: &Context, caller: &Caller) -> AppResult<Vec<(Section, String)>> {
    let viewer = viewer(caller)?;
    let mut out = Vec::new();
    for section in Section::ALL {
        if let Some(view) = cx.db.default_view(viewer, section).await? {
            out.push((section, view.href()));
        }
    }
    Ok(out)
}
