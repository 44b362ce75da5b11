//! Reloading a section's data after a change succeeds.

use leptos::prelude::*;
use pms_domain::error::AppError;

/// The `version()` of `action` as of its latest *successful* submission. A resource keyed on it
/// reloads after a change succeeds, not after a refusal: a refused form keeps what the admin
/// typed and chose.
pub fn succeeded<I, T>(action: Action<I, Result<T, AppError>>) -> Memo<usize>
where
    I: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    let (value, version) = (action.value(), action.version());
    Memo::new(move |previous: Option<&usize>| {
        // Only the result is tracked: the version changes just before it, with the old result
        // still in place.
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            version.get_untracked()
        } else {
            previous.copied().unwrap_or(0)
        }
    })
}

/// A form bound to `action` that starts blank again after a successful submission (a refused
/// one keeps what was typed). Give the returned reference to the form as its `node_ref`.
pub fn blank_after_success<I, T>(
    action: Action<I, Result<T, AppError>>,
) -> NodeRef<leptos::html::Form>
where
    I: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    let form: NodeRef<leptos::html::Form> = NodeRef::new();
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    form
}
