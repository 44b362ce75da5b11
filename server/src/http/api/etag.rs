//! Conditional reads for the REST API: every successful JSON answer to a `GET` carries an
//! `ETag` (a digest of its bytes), and a request whose `If-None-Match` names it gets
//! `304 Not Modified` with no body, so a system polling for changes transfers nothing when
//! nothing changed. The digest is of what this caller was sent — their scope is in it — and
//! `Vary` names the credentials, so no cache hands one user's answer to another.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The largest JSON answer given an ETag (a page of the API is far smaller); a larger one is
/// sent as it is.
const MAX_BODY: usize = 32 * 1024 * 1024;

pub async fn conditional(req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let asked = req.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(req).await;
    if !response.status().is_success() || !is_json(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "cannot read an API answer to tag it");
            return pms_domain::error::AppError::internal().into_response();
        }
    };
    let tag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    let Ok(tag_value) = HeaderValue::from_str(&tag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.insert(header::ETAG, tag_value.clone());
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie"),
    );
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if asked
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| matches(v, &tag))
    {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [header::ETAG, header::VARY, header::CACHE_CONTROL] {
            if let Some(value) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, value.clone());
            }
        }
        return not_modified;
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// `If-None-Match` (a list of tags, or `*`) names `tag`; weak tags compare by their value.
fn matches(if_none_match: &str, tag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == tag)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn if_none_match_lists_weak_tags_and_any() {
        assert!(matches("\"a1\"", "\"a1\""));
        assert!(matches("\"zz\", W/\"a1\"", "\"a1\""));
        assert!(matches("*", "\"a1\""));
        assert!(!matches("\"a2\"", "\"a1\""));
        assert!(!matches("", "\"a1\""));
    }
}
