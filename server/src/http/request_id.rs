//! One id per request, so a log line can be followed from the HTTP request through the use case
//! to the SQL: every request carries `x-request-id` (the one a proxy in front sent, if it is a
//! plausible id; otherwise a new UUID), every log line inside it carries the id in its span, and
//! the response echoes it so a user or an integrator can quote it.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Response};
use axum::middleware::Next;
use std::time::Duration;
use tower_http::classify::ServerErrorsFailureClass;
use tracing::Span;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, for handlers that want to mention it.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// An id we accept from the caller: short, and made of characters that cannot forge a log line
/// or a header (a UUID, a ULID, a proxy's hex id all qualify).
fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Middleware: settles the request's id before anything else runs and returns it on the response.
pub async fn assign(mut req: Request, next: Next) -> axum::response::Response {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    // Both forms are built from checked characters, so they are valid header values.
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    req.headers_mut().insert(HEADER, value.clone());
    req.extensions_mut().insert(RequestId(id));
    let mut response = next.run(req).await;
    response.headers_mut().insert(HEADER, value);
    response
}

/// The span every request runs in (the trace layer's `make_span_with`).
pub fn span(req: &axum::http::Request<Body>) -> Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.as_str())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        status = tracing::field::Empty,
    )
}

/// One access-log line per response, inside the request's span (so with its id).
pub fn on_response(response: &Response<Body>, latency: Duration, span: &Span) {
    span.record("status", response.status().as_u16());
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "answered"
    );
}

/// A server error (5xx, or a failed body) at error level; refusals (4xx) are ordinary answers.
pub fn on_failure(class: ServerErrorsFailureClass, latency: Duration, _span: &Span) {
    tracing::error!(
        failure = %class,
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request failed"
    );
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_short_plain_ids_are_taken_from_the_caller() {
        assert!(acceptable("3f2b8c1e-9a0d-4c7e-8a55-0b1f2e3d4c5b"));
        assert!(acceptable("01HZX3K4Q5R6S7T8V9W0XYZABC"));
        assert!(acceptable("lb.7f3a_1"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("abc\" level=error forged"));
        assert!(!acceptable("line\nbreak"));
    }
}
