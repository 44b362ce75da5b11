//! Exports: the client table as CSV (the same rows, filters and scope as the page).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use pms_domain::identity::Capability;
use serde_json::json;

use super::clients::ListParams;
use super::{audit, Caller, Origin};
use crate::http::error::ApiError;
use crate::http::AppState;

const MAX_ROWS: u32 = 100_000;

pub async fn clients_csv(
    State(state): State<AppState>,
    caller: Caller,
    origin: Origin,
    Query(params): Query<ListParams>,
) -> Result<impl IntoResponse, ApiError> {
    let principal = caller.require(Capability::Export)?;
    let mut query = params.query(MAX_ROWS)?;
    query.page = 1;
    query.page_size = MAX_ROWS;
    let page = state.db.clients(&principal.scope, &query).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, row: &[String]| {
        out.write_record(row)
            .map_err(|e| ApiError::Internal(e.to_string()))
    };
    write(
        &mut out,
        &[
            "Client code",
            "Client",
            "City",
            "State",
            "RM",
            "Risk profile",
            "Status",
            "Onboarded",
            "AUM (INR)",
            "Portfolios",
            "TWRR 1Y",
            "XIRR SI",
        ]
        .map(String::from),
    )?;
    let pct = |v: Option<f64>| v.map(|x| format!("{:.4}", x * 100.0)).unwrap_or_default();
    for c in &page.items {
        write(
            &mut out,
            &[
                c.client_code.clone().unwrap_or_default(),
                c.name.clone(),
                c.city.clone().unwrap_or_default(),
                c.state.clone().unwrap_or_default(),
                c.rm_name.clone().unwrap_or_default(),
                c.risk_profile.clone().unwrap_or_default(),
                c.status.clone(),
                c.onboarding_date.map(|d| d.to_string()).unwrap_or_default(),
                c.aum.to_string(),
                c.portfolios.to_string(),
                pct(c.twrr_1y),
                pct(c.xirr_si),
            ],
        )?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    audit(
        &state,
        Some(principal),
        &origin,
        "export.csv",
        Some(("client_list", "clients.csv".into())),
        json!({ "rows": page.items.len(), "search": params.search }),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"clients.csv\"".to_string(),
            ),
        ],
        bytes,
    ))
}
