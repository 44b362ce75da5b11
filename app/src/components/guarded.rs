//! A part of a page that may fail to load: Leptos's `ErrorBoundary` showing the Hub's message.
//!
//! Inside `<Guarded>`, a section renders its data as `Result<_, AppError>` (`let s =
//! resource.await?; Ok(view! { … })`). An `Err` replaces the section with the error's message
//! in the alert style; once a reload of the data succeeds, the section comes back by itself.

use leptos::error::Errors;
use leptos::prelude::*;
use pms_domain::error::AppError;

use super::alert::{error_text, set_status};

/// What the user reads for an error that is not an [`AppError`] (every section's data is
/// `Result<_, AppError>`, so this is a slip of ours).
const UNEXPECTED: &str = "Something went wrong while showing this part of the page.";

/// What a boundary caught, as the user reads it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Caught {
    message: String,
    /// Worth trying again: our fault or a busy server, not a refusal or a missing record.
    retry: bool,
}

fn caught(errors: &Errors) -> Caught {
    let mut messages = Vec::new();
    let mut retry = false;
    let mut unexpected = false;
    for (_, error) in errors.iter() {
        match error.downcast_ref::<AppError>() {
            Some(e) => {
                retry |= e.status() >= 500 || e.status() == 429;
                messages.push(error_text(e));
            }
            None => {
                // In the browser, errors the server rendered arrive as their text only (not
                // downcastable); the section's own error replaces them once it has loaded, so
                // this sentence shows only when nothing better is known.
                #[cfg(feature = "ssr")]
                tracing::error!(%error, "a page section failed with an error that is not an AppError");
                unexpected = true;
            }
        }
    }
    if messages.is_empty() && unexpected {
        set_status(500);
        messages.push(UNEXPECTED.to_owned());
        retry = true;
    }
    // The errors come in no particular order; the server and the browser must agree.
    messages.sort();
    messages.dedup();
    Caught {
        message: messages.join(" "),
        retry,
    }
}

/// Shows its children, or, when a `Result` among them is an error, the error's message
/// (`<p class="alert alert--error" role="alert">`) and, for errors worth retrying, a "Try
/// again" link that reloads the page.
#[component]
pub fn Guarded(
    /// `data-testid` of the message, for the pages whose tests look for it.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// More classes on the message, besides `alert alert--error`.
    #[prop(optional)]
    class: Option<&'static str>,
    /// Words in bold at the start of the message.
    #[prop(optional)]
    lead: Option<&'static str>,
    /// Shown above the message in place of the section (a page's own heading, say).
    #[prop(optional, into)]
    before: ViewFn,
    /// Shown below the message (a way back, say).
    #[prop(optional, into)]
    after: ViewFn,
    children: Children,
) -> impl IntoView {
    // During server rendering a boundary that waits for a nested <Transition> draws its
    // fallback later, outside any reactive owner; keep this one so `error_text` still finds the
    // response and sets the page's status (a 404 for a client out of scope). Weak: the
    // fallback lives in the view this owner owns.
    let owner = Owner::current().map(|o| o.downgrade());
    let class = match class {
        Some(more) => format!("alert alert--error {more}"),
        None => "alert alert--error".to_owned(),
    };
    let fallback = move |errors: ArcRwSignal<Errors>| {
        let owner = owner.clone();
        let state = ArcMemo::new(move |_| {
            let read = || errors.with(caught);
            match owner.as_ref().and_then(|o| o.upgrade()) {
                Some(owner) => owner.with(read),
                None => read(),
            }
        });
        let retry = state.clone();
        view! {
            {before.run()}
            <p class=class.clone() role="alert" data-testid=testid>
                {lead.map(|lead| view! { <strong>{lead}</strong> })}
                {move || state.get().message}
            </p>
            // `hidden` rather than leaving it out, so the page the server drew and the one the
            // browser hydrates have the same elements. A plain link to this very address
            // (`rel="external"`: not the router's) loads the page and its data afresh, also
            // before the page is interactive.
            <p hidden=move || !retry.get().retry>
                <a class="button" href="" rel="external">"Try again"</a>
            </p>
            {after.run()}
        }
    };

    view! { <ErrorBoundary fallback=fallback>{children()}</ErrorBoundary> }
}
