//! Reloading a section's data after a change succeeds.

use leptos::prelude::*;
use pms_domain::error::AppError;

/// Bumps `counter` each time an action succeeds. Tabs reload their data on that, not on every
/// submission: a refused form keeps what the admin typed and chose.
pub fn reload_on_success<T, V>(value: V, counter: RwSignal<u32>)
where
    V: With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    T: 'static,
{
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            counter.update(|n| *n += 1);
        }
    });
}
