//! Account → Security: two-factor authentication (enrolment with a QR code, recovery codes)
//! and changing one's password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use pms_domain::error::AppError;
use serde::{Deserialize, Serialize};

use super::login::error_text;
use super::PageHeader;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityStatus {
    pub email: String,
    pub mfa_enabled: bool,
    pub mfa_required: bool,
    pub recovery_codes_left: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

#[cfg(feature = "ssr")]
const PENDING_SECRET: &str = "totp_pending";

#[server(endpoint = "account/security")]
pub async fn get_security_status() -> Result<SecurityStatus, AppError> {
    use crate::ssr::{app_context, internal, person};
    let cx = app_context()?;
    let me = person()?;
    Ok(SecurityStatus {
        email: me.user.email.clone(),
        mfa_enabled: me.user.mfa_enabled,
        mfa_required: cx.db.mfa_required(me.user.role).await.map_err(internal)?,
        recovery_codes_left: cx
            .db
            .remaining_recovery_codes(me.user.user_id)
            .await
            .map_err(internal)?,
    })
}

/// Starts enrolment: a new secret (kept in the session until confirmed) as a QR code.
#[server(endpoint = "account/totp-begin")]
pub async fn begin_totp() -> Result<TotpEnrolment, AppError> {
    use crate::ssr::{internal, person};
    let me = person()?;
    if me.user.mfa_enabled {
        return Err(AppError::bad_request(
            "Two-factor authentication is already on. An administrator can reset it.",
        ));
    }
    let session: tower_sessions::Session = leptos_axum::extract().await.map_err(internal)?;
    let secret = pms_auth::totp::new_secret();
    session
        .insert(PENDING_SECRET, &secret)
        .await
        .map_err(internal)?;
    let uri = pms_auth::totp::provisioning_uri(&secret, &me.user.email).map_err(internal)?;
    Ok(TotpEnrolment {
        secret: pms_auth::totp::secret_base32(&secret),
        qr_svg: pms_auth::totp::qr_svg(&uri).map_err(internal)?,
        uri,
    })
}

/// Confirms enrolment with a code from the app; returns the recovery codes (shown once).
#[server(endpoint = "account/totp-confirm")]
pub async fn confirm_totp(code: String) -> Result<Vec<String>, AppError> {
    use crate::ssr::session::{self, SignIn, Stage};
    use crate::ssr::{app_context, audit_in, begin, commit, internal, person};
    let cx = app_context()?;
    let me = person()?;
    let session: tower_sessions::Session = leptos_axum::extract().await.map_err(internal)?;
    let Some(secret) = session
        .get::<Vec<u8>>(PENDING_SECRET)
        .await
        .map_err(internal)?
    else {
        return Err(AppError::bad_request(
            "Start again: scan the QR code, then enter the code it shows.",
        ));
    };
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    if pms_auth::totp::matching_step(&secret, &code, now).is_none() {
        return Err(AppError::bad_request(
            "That code does not match. Check the time on your phone and enter the current code.",
        ));
    }
    let codes = pms_auth::totp::new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| pms_auth::totp::hash_recovery_code(c))
        .collect();
    let mut tx = begin(&cx).await?;
    pms_store::Db::enable_totp(&mut tx, me.user.user_id, &cx.keys.seal(&secret), &hashes)
        .await
        .map_err(internal)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "account.mfa_enabled",
        Some(("user", me.user.user_id.to_string())),
        serde_json::Value::Null,
    )
    .await?;
    commit(tx).await?;
    session
        .remove::<Vec<u8>>(PENDING_SECRET)
        .await
        .map_err(internal)?;
    if let Some(current) = session::current(&session)
        .await
        .filter(|s| s.stage == Stage::MustEnrol)
    {
        session::set(
            &session,
            SignIn {
                stage: Stage::SignedIn,
                ..current
            },
        )
        .await
        .map_err(internal)?;
    }
    Ok(codes)
}

#[server(endpoint = "account/recovery-codes")]
pub async fn regenerate_recovery_codes() -> Result<Vec<String>, AppError> {
    use crate::ssr::{app_context, audit_in, begin, commit, internal, person};
    let cx = app_context()?;
    let me = person()?;
    if !me.user.mfa_enabled {
        return Err(AppError::bad_request(
            "Turn on two-factor authentication first.",
        ));
    }
    let codes = pms_auth::totp::new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| pms_auth::totp::hash_recovery_code(c))
        .collect();
    let mut tx = begin(&cx).await?;
    pms_store::Db::replace_recovery_codes(&mut tx, me.user.user_id, &hashes)
        .await
        .map_err(internal)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "account.recovery_codes_replaced",
        Some(("user", me.user.user_id.to_string())),
        serde_json::Value::Null,
    )
    .await?;
    commit(tx).await?;
    Ok(codes)
}

#[server(endpoint = "account/password")]
pub async fn change_password(
    current: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::ssr::session;
    use crate::ssr::{app_context, audit_in, begin, commit, internal, person};
    let cx = app_context()?;
    let me = person()?;
    let user = cx
        .db
        .user_by_id(me.user.user_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::bad_request("Sign in again."))?;
    if !pms_auth::password::verify(user.password_hash.clone(), current).await {
        return Err(AppError::bad_request(
            "Your current password is not correct.",
        ));
    }
    if new_password != confirm {
        return Err(AppError::bad_request("The two new passwords differ."));
    }
    pms_auth::password::check_policy(&new_password, &user.email, &user.display_name)
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let hash = pms_auth::password::hash(new_password)
        .await
        .map_err(internal)?;
    let mut tx = begin(&cx).await?;
    let changed_at = pms_store::Db::set_password_hash(&mut tx, user.user_id, &hash)
        .await
        .map_err(internal)?;
    audit_in(
        &cx,
        &mut tx,
        Some(&me),
        "account.password_changed",
        Some(("user", user.user_id.to_string())),
        serde_json::Value::Null,
    )
    .await?;
    commit(tx).await?;
    // Every other session of this user ends at its next request; this one carries on.
    let session: tower_sessions::Session = leptos_axum::extract().await.map_err(internal)?;
    if let Some(current) = session::current(&session).await {
        session::set(
            &session,
            session::SignIn {
                credentials_from: session::credentials_stamp(Some(changed_at)),
                ..current
            },
        )
        .await
        .map_err(internal)?;
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
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) if s.mfa_enabled => view! {
                            <p data-testid="mfa-status">"On. " {format!("{} recovery codes left.", s.recovery_codes_left)}</p>
                            <ActionForm action=regenerate>
                                <button type="submit" class="button">"Replace my recovery codes"</button>
                            </ActionForm>
                        }.into_any(),
                        Ok(_) => view! {
                            <p data-testid="mfa-status">"Off. Protect your account with an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password …)."</p>
                            <ActionForm action=begin>
                                <button type="submit" class="button button--primary" data-testid="mfa-begin">"Set up two-factor authentication"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <p class="alert alert--error">{error_text(&e)}</p> }.into_any(),
                    }
                })}
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
