//! Who is signed in, and the way out.

use leptos::prelude::*;
use pms_domain::error::AppError;
use pms_domain::identity::SessionUser;

use crate::pages::login::Logout;

#[server(endpoint = "session/me")]
pub async fn current_user() -> Result<SessionUser, AppError> {
    let (_, caller) = crate::ssr::use_case()?;
    pms_service::summary::current_user(&caller)
}

#[component]
pub fn UserMenu() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let user = use_context::<super::UserResource>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let me = match user {
                    Some(resource) => resource.await.ok(),
                    None => None,
                };
                me.map(|me| view! {
                    <details class="user-menu" data-testid="user-menu">
                        <summary>
                            <span class="avatar" aria-hidden="true">{me.initials()}</span>
                            <span class="user-menu__name">{me.display_name.clone()}</span>
                        </summary>
                        <div class="user-menu__panel">
                            <p class="user-menu__who">
                                <strong>{me.display_name.clone()}</strong><br/>
                                <span>{me.email.clone()}</span><br/>
                                <span class="badge">{me.role.label()}</span>
                            </p>
                            <a href="/account/security">"Security"</a>
                            <ActionForm action=logout>
                                <button type="submit" class="button button--link" data-testid="sign-out">"Sign out"</button>
                            </ActionForm>
                        </div>
                    </details>
                })
            })}
        </Transition>
    }
}
