//! Accepting an invitation (or a password reset link): choose a password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use pms_domain::error::AppError;
use serde::{Deserialize, Serialize};

use super::login::error_text;
use crate::components::AuthCard;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub email: String,
    pub display_name: String,
    pub reset: bool,
}

#[cfg(feature = "ssr")]
fn token_hash(token: &str) -> String {
    pms_auth::tokens::hash_token(token)
}

#[server(endpoint = "auth/invitation")]
pub async fn get_invitation(token: String) -> Result<Invitation, AppError> {
    use crate::ssr::{app_context, internal};
    let cx = app_context()?;
    let expired = || {
        AppError::bad_request(
            "This link has expired or has been used. Ask your administrator for a new one.",
        )
    };
    let (user_id, purpose) = cx
        .db
        .invitation(&token_hash(&token))
        .await
        .map_err(internal)?
        .ok_or_else(expired)?;
    let user = cx
        .db
        .user_by_id(user_id)
        .await
        .map_err(internal)?
        .filter(|u| u.is_active)
        .ok_or_else(expired)?;
    Ok(Invitation {
        email: user.email,
        display_name: user.display_name,
        reset: purpose == "reset",
    })
}

#[server(endpoint = "auth/accept-invitation")]
pub async fn accept_invitation(
    token: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::ssr::{app_context, begin, commit, internal, request_meta};
    let cx = app_context()?;
    let info = get_invitation(token.clone()).await?;
    if password != confirm {
        return Err(AppError::bad_request("The two passwords differ."));
    }
    pms_auth::password::check_policy(&password, &info.email, &info.display_name)
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let hash = pms_auth::password::hash(password).await.map_err(internal)?;
    let mut tx = begin(&cx).await?;
    let user_id = pms_store::Db::accept_invitation(&mut tx, &token_hash(&token), &hash)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::bad_request("This link has expired or has been used."))?;
    let meta = request_meta(&cx);
    let event = pms_store::audit::AuditEvent {
        actor_user_id: Some(user_id),
        actor: info.email.clone(),
        ip: meta.ip,
        user_agent: meta.user_agent,
        action: if info.reset {
            "auth.password_reset".into()
        } else {
            "auth.invitation_accepted".into()
        },
        object_type: Some("user".into()),
        object_id: Some(user_id.to_string()),
        ..Default::default()
    };
    // Nobody is signed in yet: the event names the user the link was for. The password and
    // its record commit together.
    cx.db.audit_in(&mut tx, &event).await.map_err(internal)?;
    commit(tx).await?;
    leptos_axum::redirect("/login?welcome=1");
    Ok(())
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = Resource::new(token, get_invitation);
    let action = ServerAction::<AcceptInvitation>::new();

    view! {
        <Title text="Choose your password"/>
        <AuthCard subtitle="Choose your password">
            <Suspense fallback=|| view! { <p>"Checking the link…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(invite) => view! {
                            <ActionForm action=action attr:class="auth-form">
                                <p>{format!("{} ({})", invite.display_name, invite.email)}</p>
                                <input type="hidden" name="token" value=token/>
                                <label>"Password"<input type="password" name="password" autocomplete="new-password" required=true minlength="12"/></label>
                                <label>"Password again"<input type="password" name="confirm" autocomplete="new-password" required=true minlength="12"/></label>
                                <p class="auth-form__hint">"At least 12 characters, letters with digits or symbols, not your name or e-mail."</p>
                                {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <p class="alert alert--error" role="alert">{error_text(&e)}</p> })}
                                <button type="submit" class="button button--primary">"Set password"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <p class="alert alert--error">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
