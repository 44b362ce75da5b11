//! Account → Security: two-factor authentication (enrolment with a QR code, recovery codes)
//! and changing one's password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use pms_domain::error::AppError;

use super::PageHeader;
use crate::components::{error_text, Guarded};

pub use pms_domain::account::{SecurityStatus, TotpEnrolment};

/// Where the session keeps a TOTP secret between enrolment's two steps.
#[cfg(feature = "ssr")]
const PENDING_SECRET: &str = "totp_pending";

#[server(endpoint = "account/security")]
pub async fn get_security_status() -> Result<SecurityStatus, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::account::security_status(&cx, &caller).await
}

/// Starts enrolment: a new secret (kept in the session until confirmed) as a QR code.
#[server(endpoint = "account/totp-begin")]
pub async fn begin_totp() -> Result<TotpEnrolment, AppError> {
    use crate::ssr::internal;
    let (cx, caller) = crate::ssr::use_case()?;
    let started = pms_service::account::begin_totp(&cx, &caller).await?;
    let session = crate::ssr::browser_session().await?;
    session
        .insert(PENDING_SECRET, &started.pending_secret)
        .await
        .map_err(internal)?;
    Ok(started.enrolment)
}

/// Confirms enrolment with a code from the app; returns the recovery codes (shown once).
#[server(endpoint = "account/totp-confirm")]
pub async fn confirm_totp(code: String) -> Result<Vec<String>, AppError> {
    use crate::ssr::internal;
    use crate::ssr::session::{self, SignIn, Stage};
    let (cx, caller) = crate::ssr::use_case()?;
    let session = crate::ssr::browser_session().await?;
    let pending = session
        .get::<Vec<u8>>(PENDING_SECRET)
        .await
        .map_err(internal)?;
    let codes = pms_service::account::confirm_totp(&cx, &caller, pending.as_deref(), &code).await?;
    session
        .remove::<Vec<u8>>(PENDING_SECRET)
        .await
        .map_err(internal)?;
    // A sign-in that was waiting for this enrolment is complete.
    if let Some(current) = session::current(&session)
        .await
        .filter(|s| s.stage == Stage::MustEnrol)
    {
        let signed_in = SignIn {
            stage: Stage::SignedIn,
            ..current
        };
        session::set(&session, signed_in).await?;
    }
    Ok(codes)
}

#[server(endpoint = "account/recovery-codes")]
pub async fn regenerate_recovery_codes() -> Result<Vec<String>, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::account::regenerate_recovery_codes(&cx, &caller).await
}

#[server(endpoint = "account/password")]
pub async fn change_password(
    current: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::ssr::session;
    let (cx, caller) = crate::ssr::use_case()?;
    let changed_at =
        pms_service::account::change_password(&cx, &caller, current, new_password, confirm).await?;
    // Every other session of this user ends at its next request; this one carries on.
    let session = crate::ssr::browser_session().await?;
    if let Some(current) = session::current(&session).await {
        let carried_on = session::SignIn {
            credentials_from: session::credentials_stamp(Some(changed_at)),
            ..current
        };
        session::set(&session, carried_on).await?;
    }
    Ok(())
}

#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="alert alert--info" data-testid="recovery-codes">
            <p><strong>"Your recovery codes"</strong>" — each works once if you lose your phone. Store them somewhere safe now; they are not shown again."</p>
            <ul class="recovery-codes">{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
        </div>
    }
}

#[component]
pub fn AccountSecurityPage() -> impl IntoView {
    let query = use_query_map();
    let required = move || query.read().get("required").is_some();
    let begin = ServerAction::<BeginTotp>::new();
    let confirm = ServerAction::<ConfirmTotp>::new();
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let password = ServerAction::<ChangePassword>::new();
    let status = Resource::new(
        move || (confirm.version().get(), regenerate.version().get()),
        |_| get_security_status(),
    );

    view! {
        <Title text="Security"/>
        <PageHeader title="Security" subtitle="Two-factor authentication and your password."/>
        <Show when=required>
            <p class="alert alert--info" role="status">
                "Your role requires two-factor authentication. Set it up below to continue to the Hub."
            </p>
        </Show>
        <section class="card stack">
            <h2>"Two-factor authentication"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                <Guarded>
                    {move || Suspend::new(async move {
                        Ok::<_, AppError>(match status.await? {
                            s if s.mfa_enabled => view! {
                                <p data-testid="mfa-status">"On. " {format!("{} recovery codes left.", s.recovery_codes_left)}</p>
                                <ActionForm action=regenerate>
                                    <button type="submit" class="button">"Replace my recovery codes"</button>
                                </ActionForm>
                            }.into_any(),
                            _ => view! {
                                <p data-testid="mfa-status">"Off. Protect your account with an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password …)."</p>
                                <ActionForm action=begin>
                                    <button type="submit" class="button button--primary" data-testid="mfa-begin">"Set up two-factor authentication"</button>
                                </ActionForm>
                            }.into_any(),
                        })
                    })}
                </Guarded>
            </Transition>
            {move || begin.value().get().map(|result| match result {
                Ok(enrolment) if confirm.value().get().is_none_or(|r| r.is_err()) => view! {
                    <div class="totp-setup">
                        <div class="totp-setup__qr" inner_html=enrolment.qr_svg.clone()></div>
                        <div class="stack">
                            <p>"1. Scan this code with your authenticator app, or type the key:"</p>
                            <code class="totp-setup__secret" data-testid="totp-secret">{enrolment.secret.clone()}</code>
                            <p>"2. Enter the 6-digit code the app shows:"</p>
                            <ActionForm action=confirm attr:class="inline-form">
                                <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
                                    required=true placeholder="123456" aria-label="Code from the app"/>
                                <button type="submit" class="button button--primary">"Turn on"</button>
                            </ActionForm>
                        </div>
                    </div>
                }.into_any(),
                Ok(_) => ().into_any(),
                Err(e) => view! { <p class="alert alert--error">{error_text(&e)}</p> }.into_any(),
            })}
            {move || confirm.value().get().map(|result| match result {
                Ok(codes) => view! { <RecoveryCodes codes/> }.into_any(),
                Err(e) => view! { <p class="alert alert--error" role="alert">{error_text(&e)}</p> }.into_any(),
            })}
            {move || regenerate.value().get().map(|result| match result {
                Ok(codes) => view! { <RecoveryCodes codes/> }.into_any(),
                Err(e) => view! { <p class="alert alert--error">{error_text(&e)}</p> }.into_any(),
            })}
        </section>
        <section class="card stack">
            <h2>"Password"</h2>
            <ActionForm action=password attr:class="stack narrow-form">
                <label>"Current password"<input type="password" name="current" autocomplete="current-password" required=true/></label>
                <label>"New password"<input type="password" name="new_password" autocomplete="new-password" required=true minlength="12"/></label>
                <label>"New password again"<input type="password" name="confirm" autocomplete="new-password" required=true minlength="12"/></label>
                <p class="form-hint">"At least 12 characters, letters with digits or symbols, not your name or e-mail."</p>
                {move || password.value().get().map(|r| match r {
                    Ok(()) => view! { <p class="alert alert--success">"Password changed."</p> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error">{error_text(&e)}</p> }.into_any(),
                })}
                <button type="submit" class="button">"Change password"</button>
            </ActionForm>
        </section>
    }
}
