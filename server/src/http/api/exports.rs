//! Exports: the client table as CSV (the same rows, filters, order and scope as the page, but
//! every row, not one page), streamed as the query returns them.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::stream::{self, StreamExt};
use pms_domain::clients::ClientSummary;
use pms_domain::error::AppError;
use pms_store::StoreError;

use super::{ApiCaller, QueryParams};
use crate::csv_export::neutralise;
use crate::http::AppState;

/// Rows written into one chunk of the response body, at most (fewer when the query is slower
/// than the network).
const ROWS_PER_CHUNK: usize = 512;

/// The response header naming the data version the export was read at (the file name
/// carries it too: `clients-v42.csv`).
const DATA_VERSION: header::HeaderName = header::HeaderName::from_static("x-data-version");

const CLIENT_HEADER: [&str; 12] = [
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
];

/// Why an export stopped part-way (the response is then cut off, never silently short).
#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error("reading the rows: {0}")]
    Store(#[from] StoreError),
    #[error("writing the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the CSV: {0}")]
    Io(#[from] std::io::Error),
}

/// Every client of the list query (its filters and order; not its paging) as CSV, streamed.
/// The data version it was read at is in `X-Data-Version` and the file name.
#[utoipa::path(get, path = "/api/v1/exports/clients.csv", tag = "Clients",
    params(
        ("q" = Option<String>, Query, description = "As for the client list"),
        ("sort" = Option<String>, Query, description = "As for the client list"),
        ("dir" = Option<String>, Query, description = "As for the client list"),
        ("closed" = Option<bool>, Query, description = "As for the client list"),
    ),
    responses((status = 200, description = "The clients as CSV", content_type = "text/csv", body = String)))]
pub async fn clients_csv(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    params: QueryParams,
) -> Result<Response, AppError> {
    // The list's filters and order; its paging does not apply (every row is exported).
    let query = params.client_query(1)?;
    let export = pms_service::clients::export(&state, &caller, &query).await?;
    let heading = csv_chunk([CLIENT_HEADER.map(String::from)]).map_err(pms_service::internal)?;
    let version = export.data_version.to_string();
    let disposition = format!("attachment; filename=\"clients-v{version}.csv\"");
    let rows = export
        .rows
        .ready_chunks(ROWS_PER_CHUNK)
        .map(rows_chunk)
        .inspect(|chunk| {
            if let Err(e) = chunk {
                tracing::warn!(error = %e, "the client export stopped part-way");
            }
        });
    let body = Body::from_stream(stream::once(async { Ok(heading) }).chain(rows));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (DATA_VERSION, version),
        ],
        body,
    )
        .into_response())
}

/// One client as a CSV record. Text cells are neutralised so a spreadsheet cannot run a name
/// like `=HYPERLINK(…)` as a formula; numbers are left as numbers (a negative AUM stays one).
fn client_record(c: &ClientSummary) -> [String; 12] {
    let text = |cell: Option<&str>| neutralise(cell.unwrap_or_default()).into_owned();
    let pct = |v: Option<f64>| v.map(|x| format!("{:.4}", x * 100.0)).unwrap_or_default();
    [
        text(c.client_code.as_deref()),
        text(Some(&c.name)),
        text(c.city.as_deref()),
        text(c.state.as_deref()),
        text(c.rm_name.as_deref()),
        text(c.risk_profile.as_deref()),
        text(Some(&c.status)),
        c.onboarding_date.map(|d| d.to_string()).unwrap_or_default(),
        c.aum.to_string(),
        c.portfolios.to_string(),
        pct(c.twrr_1y),
        pct(c.xirr_si),
    ]
}

fn rows_chunk(rows: Vec<Result<ClientSummary, StoreError>>) -> Result<Bytes, ExportError> {
    let records = rows
        .into_iter()
        .map(|row| row.map(|c| client_record(&c)))
        .collect::<Result<Vec<_>, _>>()?;
    csv_chunk(records)
}

fn csv_chunk<R: IntoIterator<Item = [String; 12]>>(records: R) -> Result<Bytes, ExportError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in records {
        out.write_record(&record)?;
    }
    Ok(Bytes::from(out.into_inner().map_err(|e| e.into_error())?))
}
