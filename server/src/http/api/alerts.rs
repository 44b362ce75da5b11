//! Compliance alerts over REST (`/api/v1/alerts`, `/api/v1/alert-rules`): adapters over
//! `pms_service::alerts`. Alerts are read within the caller's scope; acknowledging needs a
//! token that acts for a user, resolving and changing rules the compliance or admin role.

use axum::extract::State;
use axum::Json;
use pms_domain::alerts::{Alert, AlertList, AlertRule, AlertStatus, RuleKind, Unit};
use pms_domain::error::AppError;
use pms_service::alerts;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{optional_json, ApiCaller, ApiJson, ApiPath, QueryParams};
use crate::http::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AlertNote {
    /// Why, or what was done (at most 1,000 characters); required to resolve.
    #[schema(max_length = 1000)]
    note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RuleChange {
    /// A fraction for concentration and drawdown rules (0.1 = 10%, from 0.001 to 1), whole
    /// days for the others (1 to 3650), as `GET /api/v1/alert-rules` shows it.
    threshold: f64,
    /// Whether the rule is evaluated (default: on).
    #[serde(default = "on")]
    active: bool,
}

fn on() -> bool {
    true
}

/// One page (50) of the caller's alerts in a status, most recent first, with the counts in
/// each status and the rules.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "Compliance alerts",
    params(
        ("status" = Option<AlertStatus>, Query, description = "open (default), acknowledged or resolved"),
        ("kind" = Option<RuleKind>, Query, description = "Only this rule's alerts"),
        ("page" = Option<u32>, Query, minimum = 1, maximum = 100000, description = "Page number (default 1)"),
    ),
    responses((status = 200, description = "Alerts", body = AlertList)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    params: QueryParams,
) -> Result<Json<AlertList>, AppError> {
    // Strict, as the description says: an empty value is not a status (nor a rule).
    let status = match params.get("status") {
        None => AlertStatus::Open,
        Some(s) => AlertStatus::from_code(&s).ok_or_else(|| {
            AppError::bad_request(format!("status={s:?}: use open, acknowledged or resolved"))
        })?,
    };
    let kind = match params.get("kind") {
        None => None,
        Some(k) => Some(rule_kind(&k)?),
    };
    let page = params.page("page")?;
    Ok(Json(
        alerts::list(&state, &caller, status, kind, page).await?,
    ))
}

/// Takes note of an open alert (it stays listed until resolved).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledge", tag = "Compliance alerts",
    params(("id" = i64, Path)),
    request_body(content = Option<AlertNote>, description = "Optional: a note"),
    responses((status = 200, description = "Acknowledged", body = Alert)))]
pub async fn acknowledge(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Result<Json<Alert>, AppError> {
    let note = optional_json::<AlertNote>(&body)?.and_then(|n| n.note);
    Ok(Json(
        alerts::acknowledge(&state, &caller, id, note.as_deref()).await?,
    ))
}

/// Closes an open or acknowledged alert with a note saying what was done.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/resolve", tag = "Compliance alerts",
    params(("id" = i64, Path)), request_body = AlertNote,
    responses((status = 200, description = "Resolved", body = Alert)))]
pub async fn resolve(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AlertNote>,
) -> Result<Json<Alert>, AppError> {
    Ok(Json(
        alerts::resolve(&state, &caller, id, body.note.as_deref()).await?,
    ))
}

/// The rules and their thresholds.
#[utoipa::path(get, path = "/api/v1/alert-rules", tag = "Compliance alerts",
    responses((status = 200, description = "Rules", body = Vec<AlertRule>)))]
pub async fn rules(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<AlertRule>>, AppError> {
    Ok(Json(alerts::rules(&state, &caller).await?))
}

/// Changes a rule; the alerts are evaluated again under it within seconds.
#[utoipa::path(put, path = "/api/v1/alert-rules/{kind}", tag = "Compliance alerts",
    params(("kind" = RuleKind, Path)), request_body = RuleChange,
    responses((status = 200, description = "Changed", body = AlertRule)))]
pub async fn set_rule(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(kind): ApiPath<String>,
    ApiJson(body): ApiJson<RuleChange>,
) -> Result<Json<AlertRule>, AppError> {
    let kind = rule_kind(&kind)?;
    // The service takes the threshold as people type it (percent for shares).
    let typed = match kind.unit() {
        Unit::Share => body.threshold * 100.0,
        Unit::Days => body.threshold,
    };
    Ok(Json(
        alerts::set_rule(&state, &caller, kind, typed, body.active).await?,
    ))
}

fn rule_kind(code: &str) -> Result<RuleKind, AppError> {
    RuleKind::from_code(code).ok_or_else(|| {
        AppError::bad_request(format!(
            "There is no alert rule {code:?}; use one of {}.",
            RuleKind::ALL.map(RuleKind::code).join(", ")
        ))
    })
}
