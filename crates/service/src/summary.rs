//! The executive summary of the caller's book, who is signed in, and how current the store's
//! data is.

use pms_domain::filter::Filter;
use pms_domain::identity::{Capability, SessionUser};
use pms_domain::performance::Group;
use pms_domain::status::DataStatus;
use pms_domain::summary::ExecutiveSummary;

use crate::read_cache::scope_key;
use crate::{AppResult, Caller, Context};

/// AUM and its change, clients, performance and mix of the caller's scope, narrowed by
/// `filter`; the change covers the filter's period (by default this financial year to date)
/// and the trend the months of that period (all of them without one).
#[tracing::instrument(name = "summary.executive", skip_all, fields(caller = %caller))]
pub async fn executive(
    cx: &Context,
    caller: &Caller,
    filter: &Filter,
) -> AppResult<ExecutiveSummary> {
    let me = caller.require(Capability::Analyse)?;
    let version = cx.db.read_version().await?;
    let key = format!("{}|{}", scope_key(&me.scope), filter.key());
    let summary = cx
        .reads
        .answer(version, key, || async {
            Ok(cx.db.executive_summary(&me.scope, filter).await?)
        })
        .await?;
    let mut summary = ExecutiveSummary::clone(&summary);
    // The book's returns, its change and its trend are its pooled money's (METRICS.md "Groups
    // of portfolios"), the same figures as the Portfolio performance page's for the book.
    let pooled = crate::performance::group(cx, caller, Group::Firm, filter).await?;
    let one_year = pooled.periods.iter().find(|p| p.period == "1Y");
    summary.twrr_1y = one_year.and_then(|p| p.twrr);
    summary.benchmark_1y = one_year.and_then(|p| p.benchmark);
    summary.periods = pooled.periods;
    summary.months = match (&pooled.change, filter.period) {
        (Some(change), Some(_)) => pooled
            .months
            .into_iter()
            .filter(|m| m.month_end >= change.from && m.month_end <= change.to)
            .collect(),
        _ => pooled.months,
    };
    summary.change = pooled.change;
    Ok(summary)
}

/// The signed-in user.
pub fn current_user(caller: &Caller) -> AppResult<SessionUser> {
    Ok(caller.signed_in()?.user.clone())
}

/// The latest valuation date and the last successful load (shown to everyone signed in).
#[tracing::instrument(name = "summary.data_status", skip_all)]
pub async fn data_status(cx: &Context) -> AppResult<DataStatus> {
    cx.db.data_status().await.map_err(crate::internal)
}
