//! The REST API for other systems (`/api/v1`): a bearer token from `POST /api/v1/auth/token`
//! (or a signed-in browser session), JSON in and out. Every read goes through the caller's data
//! scope, exactly as the pages do; every client view and export is in the audit trail. JSON
//! reads carry an `ETag` and answer `If-None-Match` with `304` ([`etag`]). Every route is
//! described in the OpenAPI document at `/api/openapi.json`, read at `/api/docs` ([`openapi`]).

mod alerts;
mod clients;
mod dashboard;
mod etag;
mod exports;
mod ingest_jobs;
pub mod openapi;
pub mod rate_limit;
mod reports;
mod token;
mod views;

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::routing::{get, post, put};
use axum::Router;
use pms_domain::clients::{ClientQuery, MAX_PAGE};
use pms_domain::error::AppError;
use pms_domain::filter::Filter;
use pms_service::Channel;

use super::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/token", post(token::issue))
        .route("/api/v1/me", get(clients::me))
        .route("/api/v1/clients", get(clients::list))
        .route("/api/v1/status", get(dashboard::status))
        .route("/api/v1/summary", get(dashboard::summary))
        .route("/api/v1/performance/{group}", get(dashboard::performance))
        .route("/api/v1/clients/{id}", get(clients::detail))
        .route(
            "/api/v1/portfolios/{id}/valuations",
            get(clients::valuations),
        )
        .route("/api/v1/portfolios/{id}/holdings", get(clients::holdings))
        .route(
            "/api/v1/portfolios/{id}/transactions",
            get(clients::transactions),
        )
        .route("/api/v1/clients/{id}/statement", get(reports::statement))
        .route("/api/v1/exports/clients.csv", get(exports::clients_csv))
        .route("/api/v1/views", get(views::list).post(views::create))
        .route(
            "/api/v1/views/{id}",
            get(views::detail)
                .patch(views::change)
                .delete(views::delete),
        )
        .route("/api/v1/views/{id}/restore", post(views::restore))
        .route("/api/v1/views/{id}/shares", put(views::share))
        .route("/api/v1/views/{id}/copy", post(views::copy))
        .route("/api/v1/views/defaults/{section}", put(views::set_default))
        .route("/api/v1/alerts", get(alerts::list))
        .route("/api/v1/alerts/{id}/acknowledge", post(alerts::acknowledge))
        .route("/api/v1/alerts/{id}/resolve", post(alerts::resolve))
        .route("/api/v1/alert-rules", get(alerts::rules))
        .route("/api/v1/alert-rules/{kind}", put(alerts::set_rule))
        .route("/api/v1/ingest/jobs", get(ingest_jobs::list))
        .route("/api/v1/ingest/jobs/{id}", get(ingest_jobs::detail))
        .layer(axum::middleware::from_fn(etag::conditional))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
}

/// A request's query parameters, read by the same parsers as the pages' URLs, so a link
/// copied from a page works in the API. A parameter given twice is refused (which one would
/// count is anyone's guess).
#[derive(Debug, Default)]
pub struct QueryParams(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = HashMap::new();
        let query = parts.uri.query().unwrap_or_default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()).into_owned() {
            if params.insert(name.clone(), value).is_some() {
                return Err(AppError::BadRequest(format!(
                    "{name} is given more than once: give it once"
                )));
            }
        }
        Ok(QueryParams(params))
    }
}

impl QueryParams {
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }

    /// The client list's query ([`ClientQuery::from_params`]).
    pub fn client_query(&self, default_page_size: u32) -> Result<ClientQuery, AppError> {
        ClientQuery::from_params(|name| self.get(name), default_page_size)
            .map_err(AppError::BadRequest)
    }

    /// The dashboard's filter ([`Filter::from_params`]).
    pub fn filter(&self) -> Result<Filter, AppError> {
        Filter::from_params(|name| self.get(name)).map_err(AppError::BadRequest)
    }

    /// A date written `YYYY-MM-DD`, if given. Strict, as the API's description says: an empty
    /// value is not a date.
    pub fn date(&self, name: &str) -> Result<Option<chrono::NaiveDate>, AppError> {
        self.get(name)
            .map(|d| {
                chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                    AppError::bad_request(format!("{name}={d:?}: write the date as YYYY-MM-DD"))
                })
            })
            .transpose()
    }

    /// A page number (1 when absent).
    pub fn page(&self, name: &str) -> Result<u32, AppError> {
        match self.get(name).filter(|v| !v.trim().is_empty()) {
            None => Ok(1),
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "{name}={v:?}: use a whole number from 1 to {MAX_PAGE}"
                    ))
                }),
        }
    }
}

/// The caller of a REST request, as the use cases take it (the same client-address rule as
/// the pages: trusted proxies only).
pub struct ApiCaller(pub pms_service::Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ApiCaller(pms_service::Caller::of(
            parts,
            Channel::Api,
            &state.security.trusted_proxies,
        )))
    }
}

/// A path parameter whose rejection (an id that is not a number, or out of range) is a
/// problem document like the API's other errors.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(AppError::BadRequest(format!(
                "The address could not be read: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// A JSON body whose rejection (not JSON, missing or mistyped fields) is answered as the API's
/// other errors are: a problem document saying what is wrong.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let unreadable = |why: String| {
            AppError::BadRequest(format!("The request body could not be read: {why}"))
        };
        let mut json = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(json)) if json.is_object() => json,
            Ok(_) => return Err(unreadable("send a JSON object".into())),
            Err(rejection) => return Err(unreadable(rejection.body_text())),
        };
        whole_numbers_as_integers(&mut json);
        // Read as axum reads a body, so the problem names the field at fault.
        let bytes = serde_json::to_vec(&json).map_err(|e| unreadable(e.to_string()))?;
        axum::Json::<T>::from_bytes(&bytes)
            .map(|axum::Json(value)| ApiJson(value))
            .map_err(|rejection| unreadable(rejection.body_text()))
    }
}

/// An optional JSON body: absent, blank or `null` is `None`; anything else must read as `T`.
pub fn optional_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Option<T>, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<Option<T>>(body)
        .map_err(|e| AppError::BadRequest(format!("The request body could not be read: {e}")))
}

/// JSON does not tell `3` from `3.0`; Rust's integer fields do. A number without a fraction
/// is read as the integer it is.
fn whole_numbers_as_integers(json: &mut serde_json::Value) {
    use serde_json::Value;
    match json {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    *json = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}
