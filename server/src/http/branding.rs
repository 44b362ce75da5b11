//! The firm's logo: served to every page and report (`GET /branding/logo`), replaced and removed
//! by an administrator (`POST` / `DELETE /admin/branding/logo`).
//!
//! Uploads are a multipart form with a `logo` file field (or a `remove` field, so a page without
//! JavaScript can remove the logo with a plain form too). The type is decided by the bytes, not
//! the file name or the browser's claim: PNG and JPEG by their signatures, SVG by parsing it as
//! text with an `<svg>` root and nothing that could run. A browser form gets a redirect back to
//! the Branding tab with the outcome; any other caller gets JSON.

use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use pms_auth::{AuthVia, Principal};
use pms_domain::identity::Capability;
use serde_json::json;

use super::api::{audit_in, Origin};
use super::error::AppError;
use super::AppState;

/// The largest logo accepted: a logo is a small image, and it is sent with every page.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

pub async fn logo(State(state): State<AppState>) -> Response {
    match state.db.logo().await {
        Ok(Some((bytes, mime))) => {
            let mut response = ([(header::CONTENT_TYPE, mime)], bytes).into_response();
            // An SVG logo must not run script even if opened directly.
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => super::error::AppError::from(e).into_response(),
    }
}

/// Why an upload was refused, as a code for the page and an [`AppError`] for other callers.
#[derive(Debug)]
enum Refused {
    Unauthorized,
    Forbidden(&'static str),
    Missing,
    TooLarge,
    BadType,
    Malformed(String),
    Store(pms_store::StoreError),
}

impl Refused {
    fn code(&self) -> &'static str {
        match self {
            Refused::Unauthorized | Refused::Forbidden(_) => "forbidden",
            Refused::Missing => "missing",
            Refused::TooLarge => "too_large",
            Refused::BadType => "bad_type",
            Refused::Malformed(_) | Refused::Store(_) => "failed",
        }
    }

    fn into_api_error(self) -> AppError {
        match self {
            Refused::Unauthorized => AppError::Unauthorized("sign in first".into()),
            Refused::Forbidden(why) => AppError::Forbidden(why.into()),
            Refused::Missing => {
                AppError::BadRequest("send the image in a multipart field named \"logo\"".into())
            }
            Refused::TooLarge => AppError::TooLarge(format!(
                "the logo is larger than {} KB",
                MAX_LOGO_BYTES / 1024
            )),
            Refused::BadType => AppError::Unprocessable(
                "the logo must be a PNG, JPEG or SVG image (an SVG without scripts)".into(),
            ),
            Refused::Malformed(m) => AppError::BadRequest(m),
            Refused::Store(e) => AppError::from(e),
        }
    }
}

/// The administrator making the change: a signed-in person who may manage the branding.
fn administrator(principal: Option<Extension<Principal>>) -> Result<(Principal, i64), Refused> {
    let Some(Extension(principal)) = principal else {
        return Err(Refused::Unauthorized);
    };
    if !principal.can(Capability::ManageBranding) {
        return Err(Refused::Forbidden(
            "your role does not allow changing the branding",
        ));
    }
    match (&principal.via, principal.actor_user_id()) {
        (AuthVia::Session, Some(id)) => Ok((principal, id)),
        _ => Err(Refused::Forbidden(
            "the branding is changed in the browser, signed in as a person",
        )),
    }
}

/// Whether the caller is a browser submitting a form (and so wants to be sent back to a page).
fn wants_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn respond(page: bool, outcome: Result<serde_json::Value, Refused>) -> Response {
    match (page, outcome) {
        (true, Ok(body)) => {
            let done = if body["has_logo"] == json!(true) {
                "uploaded"
            } else {
                "removed"
            };
            Redirect::to(&format!("/admin?tab=branding&logo={done}")).into_response()
        }
        (true, Err(refused @ (Refused::Unauthorized | Refused::Forbidden(_)))) => {
            refused.into_api_error().into_response()
        }
        (true, Err(refused)) => {
            if let Refused::Store(e) = &refused {
                tracing::error!(error = %e, "saving the logo failed");
            }
            Redirect::to(&format!(
                "/admin?tab=branding&logo_error={}",
                refused.code()
            ))
            .into_response()
        }
        (false, Ok(body)) => Json(body).into_response(),
        (false, Err(refused)) => refused.into_api_error().into_response(),
    }
}

/// Reads a field, refusing it as soon as it passes the size limit.
async fn read_limited(mut field: Field<'_>) -> Result<Vec<u8>, Refused> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_LOGO_BYTES {
            return Err(Refused::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> Refused {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Refused::TooLarge
    } else {
        Refused::Malformed(format!("the upload could not be read: {}", e.body_text()))
    }
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

/// `POST /admin/branding/logo`: replaces the logo (field `logo`) or removes it (field `remove`).
pub async fn upload_logo(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    origin: Origin,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let page = wants_page(&headers);
    let outcome = async {
        let (principal, user_id) = administrator(principal)?;
        let mut multipart = multipart.map_err(|e| Refused::Malformed(e.body_text()))?;
        let mut upload: Option<(Vec<u8>, Option<String>)> = None;
        let mut remove = false;
        while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
            match field.name() {
                Some("remove") => remove = true,
                Some("logo") => {
                    let file_name = field.file_name().map(str::to_owned);
                    let bytes = read_limited(field).await?;
                    if !bytes.is_empty() {
                        upload = Some((bytes, file_name));
                    }
                }
                _ => {}
            }
        }
        if remove {
            return remove_it(&state, &principal, user_id, &origin).await;
        }
        let (bytes, file_name) = upload.ok_or(Refused::Missing)?;
        let mime = sniff_image(&bytes).ok_or(Refused::BadType)?;
        let details = json!({ "action": "uploaded", "type": mime, "bytes": bytes.len(), "file_name": file_name });
        change_logo(&state, &principal, user_id, &origin, Some((&bytes, mime)), details).await?;
        Ok(json!({ "has_logo": true, "type": mime, "bytes": bytes.len() }))
    }
    .await;
    respond(page, outcome)
}

/// `DELETE /admin/branding/logo`: back to the default mark.
pub async fn remove_logo(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    origin: Origin,
    headers: HeaderMap,
) -> Response {
    let page = wants_page(&headers);
    let outcome = async {
        let (principal, user_id) = administrator(principal)?;
        remove_it(&state, &principal, user_id, &origin).await
    }
    .await;
    respond(page, outcome)
}

async fn remove_it(
    state: &AppState,
    principal: &Principal,
    user_id: i64,
    origin: &Origin,
) -> Result<serde_json::Value, Refused> {
    let had = state.db.logo().await.map_err(Refused::Store)?.is_some();
    if had {
        change_logo(
            state,
            principal,
            user_id,
            origin,
            None,
            json!({ "action": "removed" }),
        )
        .await?;
    }
    Ok(json!({ "has_logo": false }))
}

/// Sets (or with `None` removes) the logo and records it, in one transaction.
async fn change_logo(
    state: &AppState,
    principal: &Principal,
    user_id: i64,
    origin: &Origin,
    logo: Option<(&[u8], &str)>,
    details: serde_json::Value,
) -> Result<(), Refused> {
    let mut tx = state.db.begin().await.map_err(Refused::Store)?;
    pms_store::Db::set_logo(&mut tx, logo, user_id)
        .await
        .map_err(Refused::Store)?;
    audit_in(
        state,
        &mut tx,
        Some(principal),
        origin,
        "admin.branding_logo",
        Some(("branding", "logo".into())),
        details,
    )
    .await
    .map_err(|e| Refused::Malformed(format!("{e:?}")))?;
    tx.commit()
        .await
        .map_err(|e| Refused::Store(pms_store::StoreError::from(e)))
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
