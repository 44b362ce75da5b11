//! Messages in a page: a server function's error as the user reads it, the outcome of an action
//! (success or error), and a section that could not load.

use leptos::prelude::*;
use pms_domain::error::AppError;

/// The message of a server function's error, as the page shows it. A page rendered on the
/// server with an error in it answers with the error's status (a 404 for a client out of
/// scope, say).
pub fn error_text(e: &AppError) -> String {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(e.status()),
    ) {
        response.set_status(status);
    }
    e.message().to_owned()
}

/// The message of a finished action: success in green, the error in red.
pub fn outcome(result: Option<Result<String, AppError>>) -> Option<AnyView> {
    result.map(|r| match r {
        Ok(message) => {
            view! { <p class="alert alert--success" role="status">{message}</p> }.into_any()
        }
        Err(e) => {
            view! { <p class="alert alert--error" role="alert">{error_text(&e)}</p> }.into_any()
        }
    })
}

/// A section that could not load.
pub fn load_error(e: &AppError) -> AnyView {
    view! { <p class="alert alert--error" role="alert" data-testid="admin-error">{error_text(e)}</p> }.into_any()
}
