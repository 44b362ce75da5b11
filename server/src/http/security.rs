//! Defences every response or state-changing request gets: security headers (the page's
//! nonce-based CSP is set by the app shell), and CSRF protection by checking that a
//! cookie-authenticated state-changing request comes from the Hub's own origin.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use super::AppState;

pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/") || req.uri().path() == "/favicon.svg";
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        header::REFERRER_POLICY,
        "strict-origin-when-cross-origin",
    );
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    // Pages set their own CSP (with the render's nonce); everything else may load nothing.
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    );
    if !is_asset {
        // Client data must not linger in shared caches or the back-forward cache of a kiosk.
        set(h, header::CACHE_CONTROL, "no-store");
    }
    if state
        .security
        .public_origin
        .as_deref()
        .is_some_and(|o| o.starts_with("https://"))
    {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// Refuses a state-changing request unless its `Origin` (or, failing that, `Referer`) is the
/// Hub itself. Bearer-token requests, REST requests without a session cookie and the token
/// endpoint (credentials in the body, never a cookie) carry no ambient credential a foreign
/// page could ride on, and are exempt: the REST API then answers 401, not 403. (The pages'
/// own endpoints stay checked without a cookie too: a forged sign-in is an attack of its own.)
pub async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = req.headers().get(header::AUTHORIZATION).is_some();
    let rest_without_session = req.uri().path().starts_with("/api/v1/")
        && !req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|pair| pair.trim_start().starts_with(SESSION_COOKIE_PREFIX));
    if safe || bearer || rest_without_session || req.uri().path() == "/api/v1/auth/token" {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let claimed = req
        .headers()
        .get(header::ORIGIN)
        .or_else(|| req.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let allowed = match claimed.as_deref() {
        Some(origin) => same_origin(origin, &host, state.security.public_origin.as_deref()),
        None => false,
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), origin = ?claimed, "cross-site request refused");
        AppError::Forbidden(
            "cross-site request refused: the request must come from the Hub's own pages".into(),
        )
        .into_response()
    }
}

/// How the session cookie's pair starts in a `Cookie` header (its name is set in
/// [`super::router`]).
const SESSION_COOKIE_PREFIX: &str = "pms_session=";

/// Whether `origin` (an Origin or Referer value) is the host the request was sent to, or the
/// configured public origin.
fn same_origin(origin: &str, host: &str, public_origin: Option<&str>) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if !host.is_empty() && authority.eq_ignore_ascii_case(host) {
        return true;
    }
    public_origin.is_some_and(|p| {
        let p = p.trim_end_matches('/');
        origin == p || origin.starts_with(&format!("{p}/"))
    })
}

/// Server-function errors carry the status their [`AppError`] says. The runtime answers 500
/// for every error a server function returns; the body is the error itself (JSON), so its
/// variant decides: a refusal the user can act on is a 4xx, a busy database 503, and only our
/// own faults stay 500. Arguments that cannot be read arrive as `AppError::BadRequest` (see its
/// `FromServerFnError`).
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Error bodies are a short encoded message; anything larger is passed on untouched.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    if let Some(status) = serde_json::from_slice::<AppError>(&bytes)
        .ok()
        .and_then(|e| axum::http::StatusCode::from_u16(e.status()).ok())
    {
        parts.status = status;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn origins_must_name_the_requested_host() {
        assert!(same_origin("http://127.0.0.1:3000", "127.0.0.1:3000", None));
        assert!(same_origin(
            "http://127.0.0.1:3000/clients",
            "127.0.0.1:3000",
            None
        ));
        assert!(!same_origin("http://evil.example", "127.0.0.1:3000", None));
        assert!(!same_origin(
            "http://127.0.0.1:3000.evil.example",
            "127.0.0.1:3000",
            None
        ));
        assert!(!same_origin("null", "127.0.0.1:3000", None));
        assert!(same_origin(
            "https://hub.firm.in",
            "10.0.0.5:3000",
            Some("https://hub.firm.in")
        ));
    }
}
