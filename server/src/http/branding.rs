//! The firm's logo over HTTP: served to every page and report (`GET /branding/logo`), replaced
//! and removed by an administrator (`POST` / `DELETE /admin/branding/logo`), over the use cases
//! of `pms_service::admin::logo`.
//!
//! Uploads are a multipart form with a `logo` file field (or a `remove` field, so a page without
//! JavaScript can remove the logo with a plain form too). A browser form gets a redirect back to
//! the Branding tab with the outcome; any other caller gets JSON.

use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use pms_service::admin::logo::{self, MAX_LOGO_BYTES};
use serde_json::json;

use super::api::ApiCaller;
use super::error::AppError;
use super::AppState;

pub async fn logo(State(state): State<AppState>) -> Response {
    match logo::current(&state).await {
        Ok(Some(logo)) => {
            let mut response = ([(header::CONTENT_TYPE, logo.mime)], logo.bytes).into_response();
            // An SVG logo must not run script even if opened directly.
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => e.into_response(),
    }
}

/// What the page says for a refusal (`?logo_error=`); refusals of the caller themselves are
/// answered with their status instead.
fn page_code(error: &AppError) -> Option<&'static str> {
    match error {
        AppError::Unauthorized(_) | AppError::Forbidden(_) => None,
        AppError::TooLarge(_) => Some("too_large"),
        AppError::Unprocessable(_) => Some("bad_type"),
        _ => Some("failed"),
    }
}

/// Whether the caller is a browser submitting a form (and so wants to be sent back to a page).
fn wants_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// What the caller asked for.
enum Request {
    Replace(Vec<u8>, Option<String>),
    Remove,
    Missing,
}

fn respond(page: bool, outcome: Result<serde_json::Value, AppError>, missing: bool) -> Response {
    match (page, outcome) {
        (true, Ok(body)) => {
            let done = if body["has_logo"] == json!(true) {
                "uploaded"
            } else {
                "removed"
            };
            Redirect::to(&format!("/admin?tab=branding&logo={done}")).into_response()
        }
        (true, Err(error)) => match (missing, page_code(&error)) {
            (_, None) => error.into_response(),
            (true, Some(_)) => {
                Redirect::to("/admin?tab=branding&logo_error=missing").into_response()
            }
            (false, Some(code)) => {
                Redirect::to(&format!("/admin?tab=branding&logo_error={code}")).into_response()
            }
        },
        (false, Ok(body)) => Json(body).into_response(),
        (false, Err(error)) => error.into_response(),
    }
}

/// Reads a field, refusing it as soon as it passes the size limit.
async fn read_limited(mut field: Field<'_>) -> Result<Vec<u8>, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_LOGO_BYTES {
            return Err(logo::too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        logo::too_large()
    } else {
        AppError::BadRequest(format!("the upload could not be read: {}", e.body_text()))
    }
}

async fn read_request(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Request, AppError> {
    let mut multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("remove") => return Ok(Request::Remove),
            Some("logo") => {
                let file_name = field.file_name().map(str::to_owned);
                let bytes = read_limited(field).await?;
                if !bytes.is_empty() {
                    upload = Some(Request::Replace(bytes, file_name));
                }
            }
            _ => {}
        }
    }
    Ok(upload.unwrap_or(Request::Missing))
}

/// `POST /admin/branding/logo`: replaces the logo (field `logo`) or removes it (field `remove`).
pub async fn upload_logo(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let page = wants_page(&headers);
    let mut missing = false;
    let outcome = async {
        logo::may_change(&caller)?;
        match read_request(multipart).await? {
            Request::Remove => {
                logo::remove(&state, &caller).await?;
                Ok(json!({ "has_logo": false }))
            }
            Request::Replace(bytes, file_name) => {
                let mime = logo::replace(&state, &caller, &bytes, file_name.as_deref()).await?;
                Ok(json!({ "has_logo": true, "type": mime, "bytes": bytes.len() }))
            }
            Request::Missing => {
                missing = true;
                Err(AppError::BadRequest(
                    "send the image in a multipart field named \"logo\"".into(),
                ))
            }
        }
    }
    .await;
    respond(page, outcome, missing)
}

/// `DELETE /admin/branding/logo`: back to the default mark.
pub async fn remove_logo(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    headers: HeaderMap,
) -> Response {
    let outcome = logo::remove(&state, &caller)
        .await
        .map(|()| json!({ "has_logo": false }));
    respond(wants_page(&headers), outcome, false)
}
