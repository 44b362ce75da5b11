//! Browser entry point: hydrates the page the server rendered, making it interactive.

// Leptos view types nest deeply; the default limit is too small for the larger pages.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(pms_app::App);
    // A marker for end-to-end tests and support staff: the page is now interactive.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
