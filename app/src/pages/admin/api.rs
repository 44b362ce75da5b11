//! API access: the clients other systems use to call `/api/v1`, and the keys that sign their
//! tokens. A client's secret is shown once, when it is created; only its hash is kept.

use leptos::prelude::*;
use pms_domain::admin::{ApiData, NewApiClient};
use pms_domain::error::AppError;
use pms_domain::identity::Role;

use super::when;
use crate::components::{blank_after_success, loading, outcome, succeeded, CopyField, Guarded};

#[server(endpoint = "admin/api")]
pub async fn get_api_data() -> Result<ApiData, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::api_clients::list(&cx, &caller).await
}

#[server(endpoint = "admin/api/create")]
pub async fn create_api_client(
    name: String,
    role: String,
    subject_user_id: Option<String>,
) -> Result<NewApiClient, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::api_clients::create(&cx, &caller, &name, &role, subject_user_id.as_deref())
        .await
}

#[server(endpoint = "admin/api/revoke")]
pub async fn revoke_api_client(client_id: String) -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::api_clients::revoke(&cx, &caller, &client_id).await
}

#[server(endpoint = "admin/api/rotate-key")]
pub async fn rotate_signing_key() -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::api_clients::rotate_signing_key(&cx, &caller).await
}

#[server(endpoint = "admin/api/retire-keys")]
pub async fn retire_signing_keys() -> Result<String, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::api_clients::retire_signing_keys(&cx, &caller).await
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
    let reload = [
        succeeded(*create),
        succeeded(*revoke),
        succeeded(*rotate),
        succeeded(*retire),
    ];
    let data = Resource::new(move || reload.map(|r| r.get()), |_| get_api_data());
    let create_form = blank_after_success(*create);

    view! {
        <Transition fallback=loading>
            <Guarded testid="admin-error">
                {move || Suspend::new(async move {
                    let ApiData { clients, keys, subjects } = data.await?;
                    let no_clients = clients.is_empty();
                    let no_keys = keys.is_empty();
                    Ok::<_, AppError>(view! {
                        <section class="stack section-block">
                            <h2>"API clients"</h2>
                            <p class="form-hint">
                                "Another system exchanges a client's id and secret at " <code>"POST /api/v1/auth/token"</code>
                                " for a short-lived bearer token. A client has a role; an RM or PM client acts for one user and sees exactly what they see. "
                                "Every operation is described in the "
                                <a href="/api/docs" rel="external" data-testid="api-reference">"API reference"</a>
                                " (OpenAPI 3.1: " <code>"/api/openapi.json"</code> ")."
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
                                Err(e) => view! { <p class="alert alert--error" role="alert">{crate::components::error_text(&e)}</p> }.into_any(),
                            })}
                            {move || outcome(revoke.value().get())}
                            <div class="table-card">
                                <div class="table-scroll" tabindex="0">
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
                                <div class="table-scroll" tabindex="0">
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
                    }.into_any())
                })}
            </Guarded>
        </Transition>
    }
}
