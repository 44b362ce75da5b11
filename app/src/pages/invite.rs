//! Accepting an invitation (or a password reset link): choose a password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use pms_domain::error::AppError;

use crate::components::{error_text, AuthCard, Guarded};

pub use pms_domain::account::Invitation;

#[server(endpoint = "auth/invitation")]
pub async fn get_invitation(token: String) -> Result<Invitation, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::invitations::read(&cx, &caller, &token).await
}

#[server(endpoint = "auth/accept-invitation")]
pub async fn accept_invitation(
    token: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::invitations::accept(&cx, &caller, &token, password, confirm).await?;
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
                <Guarded>
                    {move || Suspend::new(async move {
                        let invite = info.await?;
                        Ok::<_, AppError>(view! {
                            <ActionForm action=action attr:class="auth-form">
                                <p>{format!("{} ({})", invite.display_name, invite.email)}</p>
                                <input type="hidden" name="token" value=token/>
                                <label>"Password"<input type="password" name="password" autocomplete="new-password" required=true minlength="12"/></label>
                                <label>"Password again"<input type="password" name="confirm" autocomplete="new-password" required=true minlength="12"/></label>
                                <p class="auth-form__hint">"At least 12 characters, letters with digits or symbols, not your name or e-mail."</p>
                                {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <p class="alert alert--error" role="alert">{error_text(&e)}</p> })}
                                <button type="submit" class="button button--primary">"Set password"</button>
                            </ActionForm>
                        }.into_any())
                    })}
                </Guarded>
            </Suspense>
        </AuthCard>
    }
}
