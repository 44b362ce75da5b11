//! The firm's logo: anyone may read it (it is on the sign-in page, every page and every
//! report); an administrator signed in as a person replaces or removes it, recorded in the
//! audit trail in the same transaction. The type is decided by the bytes, not the file name or
//! the browser's claim: PNG and JPEG by their signatures, SVG by parsing it as text with an
//! `<svg>` root and nothing that could run.

use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_store::Db;
use serde_json::json;

use super::admin;
use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// The largest logo accepted: a logo is a small image, and it is sent with every page.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The stored logo and its type.
pub struct Logo {
    pub bytes: Vec<u8>,
    pub mime: String,
}

/// The logo, if the firm has one (no caller: the sign-in page shows it too).
pub async fn current(cx: &Context) -> AppResult<Option<Logo>> {
    Ok(cx
        .db
        .logo()
        .await?
        .map(|(bytes, mime)| Logo { bytes, mime }))
}

/// Whether `caller` may change the logo; an upload asks this before reading the file, so a
/// refused caller's bytes are never received.
pub fn may_change(caller: &Caller) -> AppResult<()> {
    admin(caller, Capability::ManageBranding).map(|_| ())
}

/// The refusal of a file over [`MAX_LOGO_BYTES`].
pub fn too_large() -> AppError {
    AppError::TooLarge(format!(
        "the logo is larger than {} KB",
        MAX_LOGO_BYTES / 1024
    ))
}

/// Replaces the logo with `bytes` (an upload named `file_name`); returns the type it was
/// recognised as.
#[tracing::instrument(name = "admin.logo.replace", skip_all, fields(caller = %caller, bytes = bytes.len()))]
pub async fn replace(
    cx: &Context,
    caller: &Caller,
    bytes: &[u8],
    file_name: Option<&str>,
) -> AppResult<&'static str> {
    let (_, me_id) = admin(caller, Capability::ManageBranding)?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(too_large());
    }
    let mime = sniff_image(bytes).ok_or_else(|| {
        AppError::Unprocessable(
            "the logo must be a PNG, JPEG or SVG image (an SVG without scripts)".into(),
        )
    })?;
    let details =
        json!({ "action": "uploaded", "type": mime, "bytes": bytes.len(), "file_name": file_name });
    change(cx, caller, me_id, Some((bytes, mime)), details).await?;
    Ok(mime)
}

/// Removes the logo (back to the default mark); a no-op, unrecorded, when there is none.
#[tracing::instrument(name = "admin.logo.remove", skip_all, fields(caller = %caller))]
pub async fn remove(cx: &Context, caller: &Caller) -> AppResult<()> {
    let (_, me_id) = admin(caller, Capability::ManageBranding)?;
    if cx.db.logo().await?.is_some() {
        change(cx, caller, me_id, None, json!({ "action": "removed" })).await?;
    }
    Ok(())
}

/// Sets (or with `None` removes) the logo and records it, in one transaction.
async fn change(
    cx: &Context,
    caller: &Caller,
    me_id: i64,
    logo: Option<(&[u8], &str)>,
    details: serde_json::Value,
) -> AppResult<()> {
    let mut tx = begin(cx).await?;
    Db::set_logo(&mut tx, logo, me_id).await?;
    record_in(
        cx,
        &mut tx,
        caller,
        "admin.branding_logo",
        Some(("branding", "logo".into())),
        details,
    )
    .await?;
    commit(tx).await
}

/// The image type of `bytes`, judged by their content.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    let text = std::str::from_utf8(bytes).ok()?;
    safe_svg(text).then_some("image/svg+xml")
}

/// An SVG document (an `<svg>` root, perhaps after an XML declaration, comments or a doctype)
/// with nothing active in it: no scripts, event handlers, `javascript:` links, embedded HTML or
/// entity declarations. The logo is also served with a CSP that forbids script; this keeps such
/// files out of the store in the first place.
fn safe_svg(text: &str) -> bool {
    let lower = text
        .trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase();
    let Some(root) = lower.find("<svg") else {
        return false;
    };
    // Only prologue (declaration, comments, doctype) may come before the root.
    let prologue = &lower[..root];
    let mut rest = prologue.trim();
    while !rest.is_empty() {
        let Some(end) = rest.find('>') else {
            return false;
        };
        if !(rest.starts_with("<?xml") || rest.starts_with("<!--") || rest.starts_with("<!doctype"))
        {
            return false;
        }
        rest = rest[end + 1..].trim_start();
    }
    if !(lower.ends_with("</svg>") || lower.ends_with("/>")) {
        return false;
    }
    const FORBIDDEN: [&str; 7] = [
        "<script",
        "javascript:",
        "<foreignobject",
        "<!entity",
        "<iframe",
        "<embed",
        "<object",
    ];
    if FORBIDDEN.iter().any(|f| lower.contains(f)) {
        return false;
    }
    !has_event_handler(&lower)
}

/// Whether an attribute named `on…` appears (`onload=`, ` onclick = "…"`).
fn has_event_handler(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    let mut i = 0;
    while let Some(pos) = lower[i..].find("on") {
        let at = i + pos;
        let preceded = at > 0
            && matches!(
                bytes[at - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'"' | b'\''
            );
        let mut j = at + 2;
        while j < bytes.len()
            && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-' || bytes[j] == b'_')
        {
            j += 1;
        }
        let named = j > at + 2;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if preceded && named && j < bytes.len() && bytes[j] == b'=' {
            return true;
        }
        i = at + 2;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{safe_svg, sniff_image};

    #[test]
    fn images_are_judged_by_their_bytes() {
        assert_eq!(
            sniff_image(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some("image/png")
        );
        assert_eq!(
            sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("image/jpeg")
        );
        assert_eq!(sniff_image(b"GIF89a\x01\0\x01\0"), None);
        assert_eq!(sniff_image(b"%PDF-1.7"), None);
        assert_eq!(
            sniff_image(br##"<?xml version="1.0"?><!-- logo --><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#0e7c86"/></svg>"##),
            Some("image/svg+xml")
        );
    }

    #[test]
    fn active_svg_is_refused() {
        assert!(!safe_svg(
            r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#
        ));
        assert!(!safe_svg(
            r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>"#
        ));
        assert!(!safe_svg(
            r#"<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)">x</a></svg>"#
        ));
        assert!(!safe_svg(r#"<html><svg></svg></html>"#));
        assert!(!safe_svg("plain text"));
        // "on" inside ordinary words and attribute values is fine.
        assert!(safe_svg(
            r#"<svg xmlns="http://www.w3.org/2000/svg"><polygon points="0,0 1,1" font="montserrat"/></svg>"#
        ));
    }
}
