//! The firm's branding in the frame: its name and logo in the sidebar, its colours as the
//! `--brand-*` custom properties every component reads.
//!
//! The branding is loaded once per page. Before hydration a small `<style>` rule (streamed with
//! the page) colours the frame; after hydration the colours sit in the frame's inline `style`,
//! and the Branding tab of the admin console replaces them live when it saves.

use leptos::prelude::*;
use pms_domain::admin::Branding;
use pms_domain::error::AppError;

/// Any signed-in user may read the branding (it is on every page they see).
#[server(endpoint = "session/branding")]
pub async fn get_branding() -> Result<Branding, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::admin::branding::current(&cx, &caller).await
}

/// What the frame knows about the branding: the page's load, and (after an admin saves) the
/// newer version that replaces it without a reload.
#[derive(Clone, Copy)]
pub struct BrandingContext {
    pub loaded: Resource<Result<Branding, AppError>>,
    pub live: RwSignal<Option<Branding>>,
}

impl BrandingContext {
    pub fn new() -> Self {
        Self {
            loaded: Resource::new(|| (), |_| get_branding()),
            live: RwSignal::new(None),
        }
    }
}

impl Default for BrandingContext {
    fn default() -> Self {
        Self::new()
    }
}

/// The frame's branding context, if there is a frame.
pub fn use_branding() -> Option<BrandingContext> {
    use_context::<BrandingContext>()
}

/// `#rrggbb`, nothing else: the value goes into CSS.
pub fn is_hex_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

/// Relative luminance (WCAG) of a `#rrggbb` colour, 0 (black) to 1 (white).
pub fn luminance(c: &str) -> Option<f64> {
    if !is_hex_colour(c) {
        return None;
    }
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&c[i..i + 2], 16).ok()?) / 255.0;
        Some(if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(1)? + 0.7152 * channel(3)? + 0.0722 * channel(5)?)
}

/// The custom properties for a branding (`None` if a colour is not `#rrggbb`): the two colours
/// and a text colour that stays readable on the accent.
pub fn css_vars(b: &Branding) -> Option<String> {
    colour_vars(&b.primary_colour, &b.accent_colour)
}

/// [`css_vars`] for two colours (the branding form's live preview).
pub fn colour_vars(primary: &str, accent: &str) -> Option<String> {
    if !is_hex_colour(primary) || !is_hex_colour(accent) {
        return None;
    }
    let contrast = if luminance(accent).unwrap_or(0.0) > 0.45 {
        "#1b2533"
    } else {
        "#ffffff"
    };
    Some(format!(
        "--brand-primary:{primary};--brand-accent:{accent};--brand-accent-contrast:{contrast}"
    ))
}

/// The rule that colours the frame before hydration (the inline style takes over after).
#[component]
pub fn BrandStyle() -> impl IntoView {
    let Some(cx) = use_branding() else {
        return ().into_any();
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                cx.loaded
                    .await
                    .ok()
                    .and_then(|b| css_vars(&b))
                    .map(|vars| view! { <style>{format!(".frame{{{vars}}}")}</style> })
            })}
        </Transition>
    }
    .into_any()
}

/// The logo (or the default mark) and the firm name, as the sidebar shows them.
#[component]
pub fn FirmBrand() -> impl IntoView {
    let fallback = || {
        view! {
            <span class="sidenav__logo" aria-hidden="true">"₹"</span>
            <span class="sidenav__firm" data-testid="firm-name">"PMS Intelligence Hub"</span>
        }
    };
    let Some(cx) = use_branding() else {
        return fallback().into_any();
    };
    view! {
        <Transition fallback=fallback>
            {move || Suspend::new(async move {
                let loaded = cx.loaded.await.ok();
                move || {
                    let Some(b) = cx.live.get().or_else(|| loaded.clone()) else {
                        return fallback().into_any();
                    };
                    let mark = if b.has_logo {
                        let src = format!("/branding/logo?v={}", b.updated_at.timestamp());
                        view! { <img class="sidenav__logo-img" src=src alt="" data-testid="firm-logo"/> }.into_any()
                    } else {
                        view! { <span class="sidenav__logo" aria-hidden="true">"₹"</span> }.into_any()
                    };
                    view! {
                        {mark}
                        <span class="sidenav__firm" data-testid="firm-name">{b.firm_name.clone()}</span>
                    }
                    .into_any()
                }
            })}
        </Transition>
    }
    .into_any()
}

/// The firm name alone (the top bar shows it on tablets, where the sidebar is a drawer).
#[component]
pub fn FirmName() -> impl IntoView {
    let Some(cx) = use_branding() else {
        return "PMS Intelligence Hub".into_any();
    };
    view! {
        <Transition fallback=|| "PMS Intelligence Hub">
            {move || Suspend::new(async move {
                let loaded = cx.loaded.await.ok();
                move || {
                    cx.live
                        .get()
                        .or_else(|| loaded.clone())
                        .map(|b| b.firm_name)
                        .unwrap_or_else(|| "PMS Intelligence Hub".into())
                }
            })}
        </Transition>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_colours_reach_css() {
        assert!(is_hex_colour("#0f2a4a"));
        assert!(!is_hex_colour("#0f2a4"));
        assert!(!is_hex_colour("red"));
        assert!(!is_hex_colour("#0f2a4a;x"));
        assert!(!is_hex_colour("#0f2a4g"));
    }

    #[test]
    fn light_accents_get_dark_text() {
        assert!(luminance("#ffffff").unwrap() > 0.99);
        assert!(luminance("#000000").unwrap() < 0.01);
        assert!(luminance("#ffd400").unwrap() > 0.45);
        assert!(luminance("#0e7c86").unwrap() < 0.45);
    }
}
