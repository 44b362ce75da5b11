//! Branding: the firm's name, colours, logo and report disclaimer. The frame picks up a saved
//! change at once; reports and PDFs read the same record.
//!
//! The logo travels as a plain multipart form to `POST /admin/branding/logo` (an axum handler:
//! server functions are not made for file bodies), which redirects back here with the outcome,
//! so upload and removal also work before hydration.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use pms_domain::admin::Branding;
use pms_domain::error::AppError;

use crate::components::{loading, outcome, succeeded, Guarded};
use crate::layout::{colour_vars, get_branding, is_hex_colour, luminance, use_branding};

/// The largest logo accepted (the upload handler enforces it).
pub const MAX_LOGO_KB: usize = 512;

#[server(endpoint = "admin/branding")]
pub async fn save_branding(
    firm_name: String,
    primary_colour: String,
    accent_colour: String,
    disclaimer: String,
) -> Result<Branding, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::branding::save(
        &cx,
        &caller,
        &firm_name,
        &primary_colour,
        &accent_colour,
        &disclaimer,
    )
    .await
}

/// What the logo form's redirect reports (codes only: the page words them).
fn logo_message(ok: Option<String>, error: Option<String>) -> Option<AnyView> {
    if let Some(code) = error {
        let text = match code.as_str() {
            "too_large" => {
                format!("The logo is larger than {MAX_LOGO_KB} KB. Export a smaller image.")
            }
            "bad_type" => {
                "The logo must be a PNG, JPEG or SVG image (an SVG without scripts).".into()
            }
            "missing" => "Choose an image file first.".into(),
            "forbidden" => "Your role does not allow this.".into(),
            _ => "The logo could not be saved; try again.".into(),
        };
        return Some(view! { <p class="alert alert--error" role="alert" data-testid="logo-message">{text}</p> }.into_any());
    }
    let text = match ok?.as_str() {
        "uploaded" => "Logo uploaded. It shows in the sidebar and on reports.",
        "removed" => "Logo removed: the sidebar shows the ₹ mark again.",
        _ => return None,
    };
    Some(view! { <p class="alert alert--success" role="status" data-testid="logo-message">{text}</p> }.into_any())
}

/// A colour as a picker and as text, kept in step.
#[component]
fn ColourField(
    label: &'static str,
    hint: &'static str,
    name: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let initial = value.get_untracked();
    let as_picker = |v: &str| {
        if is_hex_colour(v) {
            v.to_lowercase()
        } else {
            "#000000".into()
        }
    };
    let initial_picker = as_picker(&initial);
    let picker = move || as_picker(&value.get());
    view! {
        <div class="colour-field">
            <label>
                {label}
                <span class="colour-field__inputs">
                    <input type="color" value=initial_picker prop:value=picker aria-label=format!("{label} picker")
                        on:input=move |ev| value.set(event_target_value(&ev))/>
                    <input type="text" name=name value=initial required=true maxlength="7" pattern="#[0-9a-fA-F]{6}"
                        spellcheck="false" class="colour-field__text"
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))/>
                </span>
            </label>
            <span class="form-hint">{hint}</span>
        </div>
    }
}

#[component]
pub fn BrandingTab() -> impl IntoView {
    let query = use_query_map();
    let save = ServerAction::<SaveBranding>::new();
    let reload = succeeded(*save);
    let data = Resource::new(move || reload.get(), |_| get_branding());
    let frame = use_branding();
    // A saved branding shows in the frame at once, without a reload.
    Effect::new(move |_| {
        if let (Some(Ok(saved)), Some(frame)) = (save.value().get(), frame) {
            frame.live.set(Some(saved));
        }
    });
    let saved_message = move || {
        save.value()
            .get()
            .map(|r| r.map(|_| "Branding saved.".to_owned()))
    };
    let logo_status = move || {
        let q = query.read();
        logo_message(q.get("logo"), q.get("logo_error"))
    };

    view! {
        <Transition fallback=loading>
            <Guarded testid="admin-error">
                {move || Suspend::new(async move {
                    let b = data.await?;
                    let name = RwSignal::new(b.firm_name.clone());
                    let primary = RwSignal::new(b.primary_colour.clone());
                    let accent = RwSignal::new(b.accent_colour.clone());
                    let preview_style = move || colour_vars(&primary.get(), &accent.get());
                    let light_primary = move || luminance(&primary.get()).is_some_and(|l| l > 0.35);
                    let logo_src = format!("/branding/logo?v={}", b.updated_at.timestamp());
                    Ok::<_, AppError>(view! {
                        <div class="branding-layout">
                            <section class="card stack">
                                <h2>"Firm and colours"</h2>
                                <ActionForm action=save attr:class="stack" attr:data-testid="branding-form">
                                    <label>"Firm name"
                                        <input type="text" name="firm_name" required=true maxlength="120" value=b.firm_name.clone()
                                            on:input=move |ev| name.set(event_target_value(&ev))/>
                                    </label>
                                    <div class="form-row">
                                        <ColourField label="Primary colour" hint="The sidebar and headings." name="primary_colour" value=primary/>
                                        <ColourField label="Accent colour" hint="Buttons, links and highlights." name="accent_colour" value=accent/>
                                    </div>
                                    <Show when=light_primary>
                                        <p class="alert alert--info">"This primary colour is light: the sidebar's white text may be hard to read. A darker shade works better."</p>
                                    </Show>
                                    <label>"Report disclaimer"
                                        <textarea name="disclaimer" rows="5" maxlength="4000">{b.disclaimer.clone()}</textarea>
                                        <span class="form-hint">"Printed at the foot of client reports and PDFs (at most 4,000 characters)."</span>
                                    </label>
                                    {move || outcome(saved_message())}
                                    <div class="form-actions">
                                        <button type="submit" class="button button--primary" disabled=move || save.pending().get()>"Save branding"</button>
                                    </div>
                                </ActionForm>
                            </section>
                            <div class="stack">
                                <section class="card stack">
                                    <h2>"Preview"</h2>
                                    <div class="brand-preview" style=preview_style aria-hidden="true">
                                        <div class="brand-preview__side">
                                            <span class="sidenav__logo">"₹"</span>
                                            <span>{move || name.get()}</span>
                                        </div>
                                        <div class="brand-preview__main">
                                            <span class="brand-preview__link">"A link"</span>
                                            <span class="button button--primary">"A button"</span>
                                        </div>
                                    </div>
                                </section>
                                <section class="card stack" data-testid="logo-card">
                                    <h2>"Logo"</h2>
                                    {logo_status}
                                    {if b.has_logo {
                                        view! { <img class="logo-preview" src=logo_src alt="Current logo" data-testid="logo-preview"/> }.into_any()
                                    } else {
                                        view! { <p class="muted">"No logo: the sidebar shows the ₹ mark."</p> }.into_any()
                                    }}
                                    <form class="stack" method="post" action="/admin/branding/logo" enctype="multipart/form-data" data-testid="logo-form">
                                        <label>"Upload a logo"
                                            <input type="file" name="logo" required=true accept="image/png,image/jpeg,image/svg+xml"/>
                                            <span class="form-hint">{format!("PNG, JPEG or SVG, at most {MAX_LOGO_KB} KB. A square or wide image on a transparent background works best.")}</span>
                                        </label>
                                        <div class="form-actions">
                                            <button type="submit" class="button">"Upload logo"</button>
                                        </div>
                                    </form>
                                    {b.has_logo.then(|| view! {
                                        <form method="post" action="/admin/branding/logo" enctype="multipart/form-data">
                                            <input type="hidden" name="remove" value="1"/>
                                            <button type="submit" class="button button--danger">"Remove logo"</button>
                                        </form>
                                    })}
                                </section>
                            </div>
                        </div>
                    }.into_any())
                })}
            </Guarded>
        </Transition>
    }
}
