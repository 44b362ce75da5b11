//! A value to copy once (an invitation link, a client secret, a command).

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
mod clipboard {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// `navigator.clipboard.writeText` (absent outside secure contexts, hence `catch`).
        #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
        pub fn write_text(text: &str) -> Result<JsValue, JsValue>;
    }
}

/// A value to copy once (an invitation link, a client secret, a command): selectable text and,
/// with JavaScript, a copy button.
#[component]
pub fn CopyField(
    value: String,
    #[prop(into)] label: String,
    #[prop(optional)] multiline: bool,
    #[prop(optional, into)] testid: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = value.clone();
    let field: NodeRef<leptos::html::Textarea> = NodeRef::new();
    let copy = move |_| {
        if let Some(el) = field.get() {
            el.select();
        }
        #[cfg(feature = "hydrate")]
        {
            copied.set(clipboard::write_text(&text).is_ok());
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = &text;
        }
    };
    let rows = if multiline { "4" } else { "1" };
    view! {
        <div class="copy-field">
            <span class="copy-field__label">{label.clone()}</span>
            <div class="copy-field__row">
                <textarea
                    class="copy-field__value"
                    class:copy-field__value--multi=multiline
                    readonly=true
                    rows=rows
                    spellcheck="false"
                    aria-label=label
                    data-testid=testid
                    node_ref=field
                    on:focus=move |_| {
                        if let Some(el) = field.get() {
                            el.select();
                        }
                    }
                >
                    {value}
                </textarea>
                <button type="button" class="button" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </div>
    }
}
