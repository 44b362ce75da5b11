//! API access: the clients other systems use to call `/api/v1`, and the keys that sign their
//! tokens. A client's secret is shown once, when it is created; only its hash is kept.

use leptos::prelude::*;
use pms_domain::admin::{ApiClientView, SigningKeyView};
use pms_domain::error::AppError;
#[cfg(feature = "ssr")]
use pms_domain::identity::Capability;
use pms_domain::identity::Role;
use serde::{Deserialize, Serialize};

use super::{load_error, loading, outcome, reload_on_success, when, CopyField};

/// A user an RM or PM client may act for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub user_id: i64,
    pub label: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiData {
    pub clients: Vec<ApiClientView>,
    pub keys: Vec<SigningKeyView>,
    pub subjects: Vec<Subject>,
}

/// A client just created: the only time its secret exists outside the other system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewApiClient {
    pub name: String,
    pub client_id: String,
    pub secret: String,
    pub origin: String,
}

#[server(endpoint = "admin/api")]
pub async fn get_api_data() -> Result<ApiData, AppError> {
    use super::server::{admin, store};
    let cx = crate::ssr::app_context()?;
    admin(Capability::ManageApiTokens)?;
    let users = cx.db.admin_users().await.map_err(store)?;
    let email_of = |id: Option<i64>| {
        id.and_then(|id| users.iter().find(|u| u.user_id == id))
            .map(|u| u.email.clone())
    };
    let clients = cx
        .db
        .list_api_clients()
        .await
        .map_err(store)?
        .into_iter()
        .map(|c| ApiClientView {
            client_id: c.client_id.to_string(),
            subject_email: email_of(c.subject_user_id),
            name: c.name,
            role: c.role,
            created_at: c.created_at,
            revoked_at: c.revoked_at,
            last_issued_at: c.last_issued_at,
        })
        .collect();
    let current = cx
        .db
        .current_signing_key()
        .await
        .map_err(store)?
        .map(|k| k.kid);
    let keys = cx
        .db
        .list_signing_keys()
        .await
        .map_err(store)?
        .into_iter()
        .map(|k| SigningKeyView {
            current: Some(&k.kid) == current.as_ref(),
            kid: k.kid,
            created_at: k.created_at,
            retired_at: k.retired_at,
        })
        .collect();
    let subjects = users
        .iter()
        .filter(|u| u.is_active && matches!(u.role, Role::Rm | Role::Pm))
        .map(|u| Subject {
            user_id: u.user_id,
            label: format!("{} ({}, {})", u.display_name, u.email, u.role.label()),
            role: u.role,
        })
        .collect();
    Ok(ApiData {
        clients,
        keys,
        subjects,
    })
}

#[server(endpoint = "admin/api/create")]
pub async fn create_api_client(
    name: String,
    role: String,
    subject_user_id: Option<String>,
) -> Result<NewApiClient, AppError> {
    use super::server::{admin, invalid, optional_id, origin, parse_role, store};
    use crate::ssr::{app_context, audit_in, begin, commit, internal};
    let cx = app_context()?;
    let (me, me_id) = admin(Capability::ManageApiTokens)?;
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 80 {
        return Err(invalid(
            "Name the client after the system that uses it (at most 80 characters).",
        ));
    }
    let role = parse_role(&role)?;
    let subject = if matches!(role, Role::Rm | Role::Pm) {
        let id: i64 = optional_id(subject_user_id.as_deref())?.ok_or_else(|| {
            invalid("Choose the user this client acts for: it sees exactly what that user sees.")
        })?;
        let user = cx
            .db
            .user_by_id(id)
            .await
            .map_err(store)?
            .filter(|u| u.is_active)
            .ok_or_else(|| invalid("That user does not exist or is deactivated."))?;
        if user.role != role {
            return Err(invalid(format!(
                "{} is not a {}: choose a user with the client's role.",
                user.display_name,
                role.label()
            )));
        }
        Some(id)
    } else {
        None
    };
    let mut tx = begin(&cx).await?;
    let created = pms_auth::api_token::create_client(&mut tx, &name, role, subject, Some(me_id))
        .await
        .map_err(|e| match e {
            pms_auth::AuthError::Store(s) => store(s),
            other => internal(other),
        })?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.api_client_created",
        Some(("api_client", created.client_id.to_string())),
        serde_json::json!({ "name": name, "role": role.code(), "subject_user_id": subject }),
    )
    .await?;
    commit(tx).await?;
    Ok(NewApiClient {
        name,
        client_id: created.client_id.to_string(),
        secret: created.secret,
        origin: origin(&cx),
    })
}

#[server(endpoint = "admin/api/revoke")]
pub async fn revoke_api_client(client_id: String) -> Result<String, AppError> {
    use super::server::{admin, store};
    use crate::ssr::{app_context, audit_in, begin, commit, not_found};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageApiTokens)?;
    let id: uuid::Uuid = client_id
        .trim()
        .parse()
        .map_err(|_| not_found("API client"))?;
    let client = cx
        .db
        .api_client(id)
        .await
        .map_err(store)?
        .ok_or_else(|| not_found("API client"))?;
    let mut tx = begin(&cx).await?;
    if !pms_store::Db::revoke_api_client(&mut tx, id)
        .await
        .map_err(store)?
    {
        return Ok(format!("{} was already revoked.", client.name));
    }
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.api_client_revoked",
        Some(("api_client", id.to_string())),
        serde_json::json!({ "name": client.name }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "{} revoked: its tokens stop working at their next request.",
        client.name
    ))
}

#[server(endpoint = "admin/api/rotate-key")]
pub async fn rotate_signing_key() -> Result<String, AppError> {
    use super::server::admin;
    use crate::ssr::{app_context, audit_in, begin, commit, internal};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageApiTokens)?;
    let mut tx = begin(&cx).await?;
    let kid = pms_auth::api_token::rotate_signing_key(&mut tx)
        .await
        .map_err(internal)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.signing_key_rotated",
        Some(("signing_key", kid.clone())),
        serde_json::json!({ "kid": kid }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "New signing key {kid}: new tokens are signed with it; tokens signed before keep working until they expire or you retire the older keys."
    ))
}

#[server(endpoint = "admin/api/retire-keys")]
pub async fn retire_signing_keys() -> Result<String, AppError> {
    use super::server::{admin, invalid, store};
    use crate::ssr::{app_context, audit_in, begin, commit};
    let cx = app_context()?;
    let (me, _) = admin(Capability::ManageApiTokens)?;
    let current = cx
        .db
        .current_signing_key()
        .await
        .map_err(store)?
        .ok_or_else(|| {
            invalid("There is no signing key yet: one is made when the first token is issued.")
        })?;
    let mut tx = begin(&cx).await?;
    let retired = pms_store::Db::retire_signing_keys_except(&mut tx, &current.kid)
        .await
        .map_err(store)?;
    if retired == 0 {
        return Ok("There are no older keys to retire.".into());
    }
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "admin.signing_keys_retired",
        Some(("signing_key", current.kid.clone())),
        serde_json::json!({ "kept": current.kid, "retired": retired }),
    )
    .await?;
    commit(tx).await?;
    Ok(format!(
        "Retired {retired} older key{}: tokens they signed no longer work; clients fetch new ones.",
        if retired == 1 { "" } else { "s" }
    ))
}

fn created_view(c: NewApiClient) -> AnyView {
    let curl = format!(
        "curl -X POST {}/api/v1/auth/token -H 'content-type: application/json' -d '{{\"client_id\":\"{}\",\"client_secret\":\"{}\"}}'",
        c.origin, c.client_id, c.secret
    );
    let then = format!(
        "curl {}/api/v1/me -H \"authorization: Bearer $TOKEN\"",
        c.origin
    );
    view! {
        <div class="alert alert--success stack issued-link" role="status" data-testid="new-api-client">
            <p>
                <strong>{format!("API client {} created.", c.name)}</strong>
                " Copy the secret now and hand it to the other system: it is shown only this once."
            </p>
            <CopyField value=c.client_id label="Client id" testid="api-client-id"/>
            <CopyField value=c.secret label="Client secret" testid="api-client-secret"/>
            <CopyField value=curl label="Get a token (valid 15 minutes)" multiline=true testid="api-curl"/>
            <CopyField value=then label="Then call the API with it" testid="api-curl-me"/>
        </div>
    }
    .into_any()
}

#[component]
pub fn ApiTab() -> impl IntoView {
    let create = ServerAction::<CreateApiClient>::new();
    let revoke = ServerAction::<RevokeApiClient>::new();
    let rotate = ServerAction::<RotateSigningKey>::new();
    let retire = ServerAction::<RetireSigningKeys>::new();
    let reload = RwSignal::new(0u32);
    reload_on_success(create.value(), reload);
    reload_on_success(revoke.value(), reload);
    reload_on_success(rotate.value(), reload);
    reload_on_success(retire.value(), reload);
    let data = Resource::new(move || reload.get(), |_| get_api_data());
    let create_form: NodeRef<leptos::html::Form> = NodeRef::new();
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            if let Some(form) = create_form.get_untracked() {
                form.reset();
            }
        }
    });

    view! {
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                let ApiData { clients, keys, subjects } = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(&e),
                };
                let no_clients = clients.is_empty();
                let no_keys = keys.is_empty();
                view! {
                    <section class="stack section-block">
                        <h2>"API clients"</h2>
                        <p class="form-hint">
                            "Another system exchanges a client's id and secret at " <code>"POST /api/v1/auth/token"</code>
                            " for a short-lived bearer token. A client has a role; an RM or PM client acts for one user and sees exactly what they see."
                        </p>
                        <details class="card invite" data-testid="api-create-card">
                            <summary class="invite__summary">"Create an API client"</summary>
                            <ActionForm action=create node_ref=create_form attr:class="stack user-form invite__form" attr:data-testid="api-create-form">
                                <div class="form-row">
                                    <label>"Name"<input type="text" name="name" required=true maxlength="80" placeholder="e.g. Data warehouse" autocomplete="off"/></label>
                                    <label>"Role"
                                        <select name="role" required=true aria-label="Role">
                                            {[Role::Compliance, Role::Rm, Role::Pm, Role::DataSteward, Role::Admin].into_iter().map(|r| view! {
                                                <option value=r.code()>{r.label()}</option>
                                            }).collect_view()}
                                        </select>
                                    </label>
                                </div>
                                <label class="api-subject">"Acts for (RM and PM clients)"
                                    <select name="subject_user_id" aria-label="Acts for">
                                        <option value="">"— choose a user —"</option>
                                        {subjects.into_iter().map(|s| view! {
                                            <option value=s.user_id.to_string()>{s.label}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <div class="form-actions">
                                    <button type="submit" class="button button--primary" disabled=move || create.pending().get()>"Create client"</button>
                                </div>
                            </ActionForm>
                        </details>
                        {move || create.value().get().map(|r| match r {
                            Ok(c) => created_view(c),
                            Err(e) => view! { <p class="alert alert--error" role="alert">{super::error_text(&e)}</p> }.into_any(),
                        })}
                        {move || outcome(revoke.value().get())}
                        <div class="table-card">
                            <div class="table-scroll">
                                <table class="data-table" data-testid="api-clients-table">
                                    <thead>
                                        <tr><th>"Name"</th><th>"Role"</th><th>"Acts for"</th><th>"Created"</th><th>"Last token"</th><th>"Status"</th><th></th></tr>
                                    </thead>
                                    <tbody>
                                        {clients.into_iter().map(|c| {
                                            let id = c.client_id.clone();
                                            view! {
                                            <tr>
                                                <td><strong>{c.name.clone()}</strong><div class="muted small mono">{c.client_id.clone()}</div></td>
                                                <td>{c.role.label()}</td>
                                                <td>{c.subject_email.clone().unwrap_or_else(|| "—".into())}</td>
                                                <td>{when(Some(c.created_at))}</td>
                                                <td>{when(c.last_issued_at)}</td>
                                                <td>{match c.revoked_at {
                                                    Some(at) => view! { <span class="badge badge--danger" title=when(Some(at))>"Revoked"</span> }.into_any(),
                                                    None => view! { <span class="badge badge--ok">"Active"</span> }.into_any(),
                                                }}</td>
                                                <td>{c.revoked_at.is_none().then(|| view! {
                                                    <ActionForm action=revoke>
                                                        <input type="hidden" name="client_id" value=id/>
                                                        <button type="submit" class="button button--small button--danger">"Revoke"</button>
                                                    </ActionForm>
                                                })}</td>
                                            </tr>
                                        }}).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {no_clients.then(|| view! { <p class="table-card__summary">"No API clients yet."</p> })}
                        </div>
                    </section>
                    <section class="stack section-block">
                        <div class="section-head">
                            <h2>"Signing keys"</h2>
                            <div class="button-row">
                                <ActionForm action=rotate>
                                    <button type="submit" class="button">"Rotate: new current key"</button>
                                </ActionForm>
                                <ActionForm action=retire>
                                    <button type="submit" class="button button--danger">"Retire older keys"</button>
                                </ActionForm>
                            </div>
                        </div>
                        <p class="form-hint">
                            "Rotating makes a new key sign new tokens; tokens signed by older keys keep working until they expire (at most an hour). Retiring the older keys ends those tokens at once — for example after a suspected leak."
                        </p>
                        {move || outcome(rotate.value().get())}
                        {move || outcome(retire.value().get())}
                        <div class="table-card">
                            <div class="table-scroll">
                                <table class="data-table" data-testid="signing-keys-table">
                                    <thead><tr><th>"Key"</th><th>"Created"</th><th>"Status"</th></tr></thead>
                                    <tbody>
                                        {keys.into_iter().map(|k| view! {
                                            <tr>
                                                <td class="mono">{k.kid.clone()}</td>
                                                <td>{when(Some(k.created_at))}</td>
                                                <td>{if k.current {
                                                    view! { <span class="badge badge--ok">"Current"</span> }.into_any()
                                                } else if k.retired_at.is_some() {
                                                    view! { <span class="badge badge--muted">{format!("Retired {}", when(k.retired_at))}</span> }.into_any()
                                                } else {
                                                    view! { <span class="badge">"Verifying older tokens"</span> }.into_any()
                                                }}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {no_keys.then(|| view! { <p class="table-card__summary">"No signing key yet: the first is made when a client first asks for a token."</p> })}
                        </div>
                    </section>
                }
                .into_any()
            })}
        </Transition>
    }
}
