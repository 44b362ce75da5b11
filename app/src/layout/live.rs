//! Live refresh: the browser listens to `/api/events` (server-sent events carrying the data
//! version) and, when a load or a refresh has produced a new version, every dashboard resource
//! that reads [`data_epoch`] fetches again. Nothing reloads: the URL, and so the filters, stay,
//! and the header says "updated just now" for a minute.

use leptos::prelude::*;

/// How many data changes this page has seen, and whether one arrived in the last minute.
#[derive(Clone, Copy)]
pub struct DataEpoch {
    changes: RwSignal<u32>,
    pub just_updated: RwSignal<bool>,
}

/// Provides the epoch to the frame and (in the browser) starts listening.
pub fn provide_live_refresh() {
    let epoch = DataEpoch {
        changes: RwSignal::new(0),
        just_updated: RwSignal::new(false),
    };
    provide_context(epoch);
    // Effects run only in the browser, once hydrated.
    Effect::new(move |_| listen(epoch));
}

/// "Data updated just now": a quiet note at the foot of the screen for a minute after the
/// page's figures were refetched for a new data version.
#[component]
pub fn UpdatedNote() -> impl IntoView {
    let epoch = use_context::<DataEpoch>();
    let shown = move || epoch.is_some_and(|e| e.just_updated.get());
    view! {
        // A polite live region, always present (so the note is announced), with the status
        // role only while there is something to say.
        <div class="live-note" aria-live="polite">
            {move || shown().then(|| view! {
                <span class="live-note__text" role="status" data-testid="data-updated">"Data updated just now: the figures on this page are current."</span>
            })}
        </div>
    }
}

/// The number of data changes seen so far, tracked: a resource whose source reads it fetches
/// again after each change.
pub fn data_epoch() -> u32 {
    use_context::<DataEpoch>().map_or(0, |e| e.changes.get())
}

#[cfg(feature = "hydrate")]
fn listen(epoch: DataEpoch) {
    use std::cell::Cell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let Ok(source) = web_sys::EventSource::new("/api/events") else {
        return;
    };
    // The first version is the one the page was rendered with; a reconnect after a gap
    // compares with the last one seen, so a change made meanwhile is not missed.
    let last = Rc::new(Cell::new(None::<i64>));
    let on_version =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(version) = ev
                .data()
                .as_string()
                .and_then(|d| d.trim().parse::<i64>().ok())
            else {
                return;
            };
            if matches!(last.replace(Some(version)), Some(previous) if previous != version) {
                epoch.changes.update(|n| *n += 1);
                epoch.just_updated.set(true);
                set_timeout(
                    move || epoch.just_updated.set(false),
                    std::time::Duration::from_secs(60),
                );
            }
        });
    let _ = source.add_event_listener_with_callback("version", on_version.as_ref().unchecked_ref());
    // Both live as long as the page: the browser keeps the stream open (and reconnects).
    on_version.forget();
    std::mem::forget(source);
}

#[cfg(not(feature = "hydrate"))]
fn listen(_epoch: DataEpoch) {}
