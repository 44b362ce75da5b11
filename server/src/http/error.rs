//! The HTTP edge's error type: each variant says which status it becomes and why. Internal
//! details are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    /// 400: the request itself is malformed (what is wrong is said).
    BadRequest(String),
    /// 401: no valid credentials.
    Unauthorized(String),
    /// 403: authenticated, but the role does not allow it (or a cross-site request).
    Forbidden(String),
    /// 404: unknown, or outside the caller's data scope (deliberately the same answer).
    NotFound(String),
    /// 413: an upload over the size limit.
    TooLarge(String),
    /// 422: well-formed but invalid (a conflict or a rule).
    Unprocessable(String),
    /// 429: slow down.
    TooManyRequests(String),
    /// 503: the data is locked by a load in progress, or the database is too slow right now.
    Unavailable(String),
    /// 500: our fault; details in the log.
    Internal(String),
}

impl From<pms_store::StoreError> for ApiError {
    fn from(e: pms_store::StoreError) -> Self {
        match e {
            pms_store::StoreError::NotFound(m) => ApiError::NotFound(m),
            pms_store::StoreError::Busy(m) => ApiError::Unavailable(m),
            pms_store::StoreError::Conflict(m) | pms_store::StoreError::Invalid(m) => {
                ApiError::Unprocessable(m)
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m),
            ApiError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", m),
            ApiError::Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", m),
            ApiError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests", m),
            ApiError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", m),
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The server could not complete the request; it has been logged.".into(),
                )
            }
        };
        (status, Json(json!({ "error": code, "message": message }))).into_response()
    }
}
