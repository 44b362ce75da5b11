//! The one error type every use case returns and every edge speaks: a page's server function
//! (it crosses to the browser as JSON), a REST handler (an RFC 9457 problem document) and the
//! command line. Each variant says which HTTP status it becomes; its message is written for
//! the person who will read it. Internal details are logged where the failure happens and
//! never travel: an [`AppError::Internal`] carries only [`INTERNAL_MESSAGE`].

use serde::{Deserialize, Serialize};

/// What the user is told when the fault is ours (the details are in the server's log, under
/// the request's id).
pub const INTERNAL_MESSAGE: &str = "The server could not complete the request; it has been logged.";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 400: the request itself cannot be read (what is wrong is said).
    #[error("{0}")]
    BadRequest(String),
    /// 401: nobody is signed in, or the credentials are not valid.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: signed in, but the role (or the kind of credential) does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// 404: unknown, or outside the caller's data scope — deliberately the same answer.
    #[error("{0}")]
    NotFound(String),
    /// 413: an upload over the size limit.
    #[error("{0}")]
    TooLarge(String),
    /// 422: well-formed but breaks a rule or conflicts with what is stored.
    #[error("{0}")]
    Unprocessable(String),
    /// 429: too many attempts; try again later.
    #[error("{0}")]
    TooManyRequests(String),
    /// 503: the data is locked by a load, or the database is too busy right now.
    #[error("{0}")]
    Unavailable(String),
    /// 500: our fault. The message is always [`INTERNAL_MESSAGE`].
    #[error("{0}")]
    Internal(String),
    /// The browser could not reach the server, or could not read its answer (never sent by
    /// the server).
    #[error("{0}")]
    Unreachable(String),
}

impl AppError {
    /// The 500 answer; log the cause before returning it.
    pub fn internal() -> Self {
        AppError::Internal(INTERNAL_MESSAGE.into())
    }

    /// A 400 with a message the user can act on.
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into())
    }

    /// A 422: the input breaks a rule (what to change is said).
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Unprocessable(message.into())
    }

    /// A 404 that does not say whether the thing exists outside the caller's scope.
    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("No such {what}, or it is not yours to see."))
    }

    /// A 403 for a role that may not do this.
    pub fn role_forbids() -> Self {
        AppError::Forbidden("Your role does not allow this.".into())
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::TooLarge(_) => 413,
            AppError::Unprocessable(_) => 422,
            AppError::TooManyRequests(_) => 429,
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) | AppError::Unreachable(_) => 500,
        }
    }

    /// A short machine-readable name for the kind of error (`"forbidden"`), stable for API
    /// clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::TooLarge(_) => "too_large",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
            AppError::Unreachable(_) => "unreachable",
        }
    }

    /// The message for the user.
    pub fn message(&self) -> &str {
        match self {
            AppError::BadRequest(m)
            | AppError::Unauthorized(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::TooLarge(m)
            | AppError::Unprocessable(m)
            | AppError::TooManyRequests(m)
            | AppError::Unavailable(m)
            | AppError::Internal(m)
            | AppError::Unreachable(m) => m,
        }
    }
}

/// Server functions return `Result<T, AppError>`: failures of the server-function plumbing
/// itself (arguments that cannot be read, a network error in the browser) become the variant
/// that says whose fault it is.
#[cfg(feature = "server-fn")]
impl server_fn::error::FromServerFnError for AppError {
    type Encoder = server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        use server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(m) | E::MissingArg(m) => {
                AppError::BadRequest(format!("The request could not be read: {m}"))
            }
            E::Request(_) => AppError::Unreachable(
                "The Hub could not be reached. Check your connection and try again.".into(),
            ),
            E::Deserialization(_) | E::Serialization(_) | E::UnsupportedRequestMethod(_) => {
                AppError::Unreachable(
                    "The Hub's answer could not be read. Reload the page and try again.".into(),
                )
            }
            E::Registration(_) | E::ServerError(_) | E::MiddlewareError(_) | E::Response(_) => {
                AppError::internal()
            }
        }
    }
}

/// The body of every REST error: an RFC 9457 problem document, with `error` and `message`,
/// which API clients of the first version read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's name ("Not Found").
    pub title: String,
    pub status: u16,
    /// What went wrong and how to put it right.
    pub detail: String,
    /// A stable machine-readable name (`not_found`, `bad_request`, …).
    pub error: String,
    /// The same text as `detail`.
    pub message: String,
}

impl Problem {
    /// The problem document an error is answered with, under `title` (the status's name).
    pub fn of(error: &AppError, title: &str) -> Self {
        Problem {
            kind: "about:blank".into(),
            title: title.into(),
            status: error.status(),
            detail: error.message().to_owned(),
            error: error.code().into(),
            message: error.message().to_owned(),
        }
    }
}

/// A REST answer: the status and its [`Problem`] document.
#[cfg(feature = "axum")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let problem = Problem::of(&self, status.canonical_reason().unwrap_or("Error"));
        (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
            serde_json::to_string(&problem).unwrap_or_default(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_says_its_status_and_keeps_its_message() {
        let cases = [
            (AppError::BadRequest("a".into()), 400),
            (AppError::Unauthorized("a".into()), 401),
            (AppError::Forbidden("a".into()), 403),
            (AppError::NotFound("a".into()), 404),
            (AppError::TooLarge("a".into()), 413),
            (AppError::Unprocessable("a".into()), 422),
            (AppError::TooManyRequests("a".into()), 429),
            (AppError::Unavailable("a".into()), 503),
            (AppError::Internal("a".into()), 500),
        ];
        for (error, status) in cases {
            assert_eq!(error.status(), status, "{error:?}");
            assert_eq!(error.to_string(), "a");
        }
    }

    #[test]
    fn an_internal_error_says_only_that_it_was_logged() {
        assert_eq!(AppError::internal().message(), INTERNAL_MESSAGE);
    }
}
