//! Signing in: e-mail and password, then (if set up) the second factor.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use pms_domain::error::AppError;

use crate::components::{error_text, AuthCard};
#[cfg(feature = "ssr")]
use crate::url::query_encode;

/// A redirect target that stays on this site (`/clients?…`), never `//evil` or `https://…`.
///
/// The target is resolved the way a browser would resolve it (the WHATWG URL parser drops tabs
/// and newlines and reads `\` as `/`), against the Hub's own origin, and accepted only if it
/// lands there; what is returned is the resolved path, so the browser follows exactly what was
/// checked.
#[cfg(feature = "ssr")]
pub fn safe_next(next: Option<&str>) -> String {
    // Any fixed origin serves: only same-origin relative references survive the check.
    const HOME: &str = "https://hub.invalid/";
    let Ok(home) = url::Url::parse(HOME) else {
        return "/".to_owned();
    };
    let resolved = next
        .map(str::trim)
        .filter(|n| n.starts_with('/'))
        .and_then(|n| home.join(n).ok())
        .filter(|u| u.origin() == home.origin() && u.username().is_empty());
    match resolved {
        Some(u) => u[url::Position::BeforePath..].to_owned(),
        None => "/".to_owned(),
    }
}

/// Checks the password; on success continues to `next` (or the second-factor step).
#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::ssr::session::{self, SignIn, Stage};
    let (cx, caller) = crate::ssr::use_case()?;
    let accepted = pms_service::sign_in::password(&cx, &caller, &email, &password)
        .await
        .inspect_err(|e| {
            if let (AppError::TooManyRequests(_), Some(r)) =
                (e, use_context::<leptos_axum::ResponseOptions>())
            {
                r.set_status(http::StatusCode::TOO_MANY_REQUESTS);
            }
        })?;
    let session = crate::ssr::browser_session().await?;
    let now = chrono::Utc::now().timestamp();
    session::set(&session, SignIn::opened(&accepted, now)).await?;
    let next = safe_next(next.as_deref());
    leptos_axum::redirect(&match accepted.stage {
        Stage::SignedIn => next,
        Stage::SecondFactor => format!("/login/verify?next={}", query_encode(&next)),
        Stage::MustEnrol => "/account/security?required=1".to_owned(),
    });
    Ok(())
}

/// The second step: a code from the authenticator app, or a recovery code.
#[server(endpoint = "auth/verify")]
pub async fn verify_second_factor(code: String, next: Option<String>) -> Result<(), AppError> {
    use crate::ssr::session::{self, SignIn, Stage};
    use pms_service::sign_in::{self as sign_in, SecondFactorOutcome};
    let (cx, caller) = crate::ssr::use_case()?;
    let session = crate::ssr::browser_session().await?;
    let Some(pending) = session::current(&session)
        .await
        .filter(|s| s.stage == Stage::SecondFactor)
    else {
        leptos_axum::redirect("/login");
        return Err(sign_in::start_again());
    };
    match sign_in::second_factor(&cx, &caller, pending.user_id, &code).await? {
        SecondFactorOutcome::SignedIn => {}
        SecondFactorOutcome::Retry(e) => return Err(e),
        SecondFactorOutcome::Ended(e) => {
            session::end(&session).await?;
            return Err(e);
        }
    }
    let signed_in = SignIn {
        stage: Stage::SignedIn,
        ..pending
    };
    session::set(&session, signed_in).await?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::sign_in::sign_out(&cx, &caller).await?;
    let session = crate::ssr::browser_session().await?;
    crate::ssr::session::end(&session).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Where to go once signed in: the `next` query parameter, else the home page.
fn next_target() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get("next").unwrap_or_else(|| "/".into())
}

/// The last error of a sign-in form's action, as the message the form shows.
fn action_error<S>(
    action: ServerAction<S>,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| error_text(&e))
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let next = next_target();
    let error = action_error(action);

    view! {
        <Title text="Sign in"/>
        <AuthCard subtitle="Sign in to continue">
            <ActionForm action=action attr:class="auth-form" attr:data-testid="login-form">
                <input type="hidden" name="next" value=next/>
                <label>
                    "E-mail"
                    <input type="email" name="email" autocomplete="username" required=true autofocus=true/>
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required=true/>
                </label>
                {move || error().map(|message| view! { <p class="alert alert--error" role="alert">{message}</p> })}
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
                <p class="auth-form__hint">
                    "Forgotten your password or locked out? Ask your administrator for a reset link."
                </p>
            </ActionForm>
        </AuthCard>
    }
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let action = ServerAction::<VerifySecondFactor>::new();
    let next = next_target();
    let error = action_error(action);

    view! {
        <Title text="Two-factor authentication"/>
        <AuthCard subtitle="Enter the 6-digit code from your authenticator app">
            <ActionForm action=action attr:class="auth-form" attr:data-testid="verify-form">
                <input type="hidden" name="next" value=next/>
                <label>
                    "Code"
                    <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                        required=true autofocus=true maxlength="12" placeholder="123456"/>
                </label>
                {move || error().map(|message| view! { <p class="alert alert--error" role="alert">{message}</p> })}
                <button type="submit" class="button button--primary">"Verify"</button>
                <p class="auth-form__hint">"Lost your phone? Enter one of your recovery codes instead."</p>
            </ActionForm>
        </AuthCard>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::safe_next;

    #[test]
    fn safe_next_keeps_same_site_paths_with_their_query() {
        assert_eq!(
            safe_next(Some("/clients?q=shah&page=2")),
            "/clients?q=shah&page=2"
        );
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
    }

    #[test]
    fn safe_next_refuses_every_way_of_naming_another_site() {
        for evil in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\\/evil.example",
            "https://evil.example/",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            " //evil.example",
            "/%5C/evil.example",
            "/%2F/evil.example",
            "///evil.example",
        ] {
            let got = safe_next(Some(evil));
            assert!(
                got.starts_with('/') && !got.starts_with("//") && !got.contains('\\'),
                "{evil:?} became {got:?}"
            );
            assert!(
                !got.contains("evil.example") || got.starts_with("/%"),
                "{evil:?} became {got:?}"
            );
        }
        assert_eq!(safe_next(None), "/");
    }
}
