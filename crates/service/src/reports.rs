//! Reports: a client's statement for a period, as a branded PDF.
//!
//! The figures come from the same store reads as the client page, in the caller's scope (an
//! RM gets only their own clients' statements; another client is "not found", as everywhere);
//! the layout is `pms-reports`. Every statement produced is in the audit trail.

use chrono::NaiveDate;
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_reports::statement::{self, PortfolioInputs, StatementInputs, StatementPeriod};
use pms_reports::{LogoImage, ReportMeta};
use serde_json::json;

use crate::audit::record;
use crate::clients::via;
use crate::{internal, AppResult, Caller, Context};

/// Transactions read per portfolio for a statement: all of a quarter's, even for an active
/// book (the PDF lists the first [`statement::TRANSACTIONS_LISTED`]; the totals count them all).
const TRANSACTIONS_READ: i64 = 100_000;

/// A PDF ready to send: its bytes and the file name to offer.
#[derive(Clone, Debug)]
pub struct Pdf {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The period a statement covers: both dates, or neither (then the last financial-year
/// quarter that had ended by the latest valuation).
pub fn statement_period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    latest_valuation: Option<NaiveDate>,
) -> AppResult<StatementPeriod> {
    match (from, to) {
        (Some(from), Some(to)) => StatementPeriod::new(from, to).map_err(AppError::BadRequest),
        (None, None) => Ok(StatementPeriod::last_quarter_ended_by(
            latest_valuation.unwrap_or_else(|| chrono::Utc::now().date_naive()),
        )),
        _ => Err(AppError::BadRequest(
            "Give both dates of the period (from and to, YYYY-MM-DD), or neither for the last quarter."
                .into(),
        )),
    }
}

/// One client's statement for a period, laid out as a PDF; audited as `report.statement`.
#[tracing::instrument(name = "reports.client_statement", skip_all, fields(caller = %caller, client_id = client_id))]
pub async fn client_statement(
    cx: &Context,
    caller: &Caller,
    client_id: i32,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<Pdf> {
    let me = caller.require(Capability::Export)?;
    let client = cx
        .db
        .client_detail(&me.scope, client_id)
        .await?
        .ok_or_else(|| AppError::not_found("client"))?;
    let data = cx.db.data_status().await.map_err(internal)?;
    let period = statement_period(from, to, data.data_as_of)?;
    let mut portfolios = Vec::with_capacity(client.portfolios.len());
    for portfolio in &client.portfolios {
        let id = portfolio.portfolio_id;
        let not_found = || AppError::not_found("portfolio");
        portfolios.push(PortfolioInputs {
            valuations: cx
                .db
                .portfolio_valuations(&me.scope, id)
                .await?
                .ok_or_else(not_found)?,
            holdings: cx
                .db
                .portfolio_holdings(&me.scope, id, Some(period.to))
                .await?
                .ok_or_else(not_found)?,
            transactions: cx
                .db
                .portfolio_transactions(&me.scope, id, period.from, period.to, TRANSACTIONS_READ)
                .await?
                .ok_or_else(not_found)?,
            fees: cx.db.portfolio_fee_marks(id).await?,
            downgrades: cx
                .db
                .portfolio_downgrades(id, period.from, period.to)
                .await?,
            portfolio: portfolio.clone(),
        });
    }
    let logo = cx
        .db
        .logo()
        .await?
        .and_then(|(bytes, mime)| LogoImage::from_mime(bytes, &mime));
    let inputs = StatementInputs {
        meta: ReportMeta {
            branding: cx.db.branding().await?,
            logo,
            generated_by: me.user.display_name.clone(),
            generated_at: chrono::Utc::now(),
            data,
        },
        period,
        client,
        portfolios,
    };
    let data_version = inputs.meta.data.data_version;
    let code: String = inputs
        .client
        .summary
        .client_code
        .clone()
        .unwrap_or_else(|| format!("client-{client_id}"))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    // Layout is CPU work: keep it off the threads that serve requests.
    let bytes = tokio::task::spawn_blocking(move || statement::render(&inputs))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    record(
        cx,
        caller,
        "report.statement",
        Some(("client", client_id.to_string())),
        json!({
            "via": via(caller),
            "from": period.from,
            "to": period.to,
            "bytes": bytes.len(),
            "data_version": data_version,
        }),
    )
    .await?;
    Ok(Pdf {
        file_name: format!("statement-{code}-{}-{}.pdf", period.from, period.to),
        bytes,
    })
}
