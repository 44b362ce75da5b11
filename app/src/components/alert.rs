//! Messages in a page: a server function's error as the user reads it, and the outcome of an
//! action (success or error). A section that could not load is [`super::Guarded`]'s.

use leptos::prelude::*;
use pms_domain::error::AppError;

/// The message of a server function's error, as the page shows it. A page rendered on the
/// server with an error in it answers with the error's status (a 404 for a client out of
/// scope, say).
pub fn error_text(e: &AppError) -> String {
    set_status(e.status());
    e.message().to_owned()
}

/// During server rendering, the status the page answers with; nothing in the browser.
pub(crate) fn set_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// The message of a finished action: success in green, the error in red.
pub fn outcome(result: Option<Result<String, AppError>>) -> Option<AnyView> {
    result.map(|r| match r {
        Ok(message) => {
            view! { <p class="alert alert--success" role="status">{message}</p> }.into_any()
        }
        Err(e) => error_alert(&e),
    })
}

/// The error of a finished action, if it failed (its success shows elsewhere: a navigation, a
/// refreshed list).
pub fn failure<T>(result: Option<Result<T, AppError>>) -> Option<AnyView> {
    result.and_then(Result::err).map(|e| error_alert(&e))
}

fn error_alert(e: &AppError) -> AnyView {
    view! { <p class="alert alert--error" role="alert">{error_text(e)}</p> }.into_any()
}
