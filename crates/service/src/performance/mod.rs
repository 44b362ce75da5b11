//! Performance of a group of portfolios — the firm, a strategy, an investment approach, an
//! RM's book, a client or one portfolio — as the pooled money of the portfolios the caller may
//! see (METRICS.md "Groups of portfolios"), and the groups the caller may pick.

pub mod analysis;
pub mod correlation;

use pms_domain::filter::{Filter, FilterChoices};
use pms_domain::identity::Capability;
use pms_domain::performance::{CorrelationMatrix, Group, GroupChoices, GroupPerformance};

use crate::read_cache::scope_key;
use crate::{AppResult, Caller, Context};

/// Portfolios on the risk–return chart (the largest; more would be a blur).
const SCATTER_POINTS: i64 = 400;

/// The group's figures within the caller's scope; `NotFound` for a group they see nothing of.
#[tracing::instrument(name = "performance.group", skip_all, fields(caller = %caller, group = %group))]
///
/// `filter` narrows the group's portfolios; its period chooses the window of `change`.
pub async fn group(
    cx: &Context,
    caller: &Caller,
    group: Group,
    filter: &Filter,
) -> AppResult<GroupPerformance> {
    let me = caller.require(Capability::Analyse)?;
    let version = cx.db.read_version().await?;
    let key = format!("{}|{group}|{}", scope_key(&me.scope), filter.key());
    let answer = cx
        .reads
        .answer(version, key, || async {
            let header = cx.db.group_header(&me.scope, group, filter).await?;
            let rows = cx.db.group_days(&me.scope, group, filter).await?;
            let mut benchmark_ids: Vec<i32> = rows.iter().map(|r| r.benchmark_id).collect();
            benchmark_ids.sort_unstable();
            benchmark_ids.dedup();
            let benchmarks = cx.db.benchmark_levels(&benchmark_ids).await?;
            let risk_free = cx.db.risk_free_annual().await?;
            let allocation = cx.db.group_allocation(&me.scope, group, filter).await?;
            let scatter = cx
                .db
                .group_scatter(&me.scope, group, filter, SCATTER_POINTS)
                .await?;
            let change = analysis::change_over(&rows, filter.period);
            let a = analysis::analyse(&rows, &benchmarks, risk_free);
            let benchmark = match benchmark_ids.as_slice() {
                [] => "No benchmark".to_owned(),
                [one] => benchmarks
                    .get(one)
                    .map_or_else(|| "Benchmark".to_owned(), |b| b.name.clone()),
                many => format!("Blend of {} benchmarks, weighted by value", many.len()),
            };
            Ok(GroupPerformance {
                group,
                label: header.label,
                benchmark,
                portfolios: header.portfolios,
                first_date: a.first_date,
                as_of: a.as_of.or(header.as_of),
                market_value: header.market_value,
                periods: a.periods,
                xirr_si: a.xirr_si,
                risk_window: a.risk_window,
                risk: a.risk,
                months: a.months,
                monthly_returns: a.monthly_returns,
                month_labels: a.month_labels,
                allocation,
                scatter,
                change,
            })
        })
        .await?;
    Ok(GroupPerformance::clone(&answer))
}

/// Months the correlation matrix looks back over.
const CORRELATION_MONTHS: usize = 36;
/// Fewest months two groups must share for a correlation.
const CORRELATION_LEAST_MONTHS: usize = 12;

/// The correlation of the monthly returns of the investment approaches (or, `by_strategy`,
/// the strategies) the caller may see, each the pooled money of its portfolios that `filter`
/// lets through (the same series as [`group`]'s).
#[tracing::instrument(name = "performance.correlation", skip_all, fields(caller = %caller))]
pub async fn correlation(
    cx: &Context,
    caller: &Caller,
    filter: &Filter,
    by_strategy: bool,
) -> AppResult<CorrelationMatrix> {
    let all = choices(cx, caller).await?;
    let groups = if by_strategy {
        all.strategies
    } else {
        all.approaches
    };
    let mut returns = Vec::with_capacity(groups.len());
    for choice in &groups {
        let performance = group(cx, caller, choice.group, filter).await?;
        returns.push(correlation::monthly_returns(&performance.months));
    }
    Ok(correlation::matrix(
        groups,
        returns,
        CORRELATION_MONTHS,
        CORRELATION_LEAST_MONTHS,
    ))
}

/// The strategies, approaches and RM books the caller may pick.
#[tracing::instrument(name = "performance.choices", skip_all, fields(caller = %caller))]
pub async fn choices(cx: &Context, caller: &Caller) -> AppResult<GroupChoices> {
    let me = caller.require(Capability::Analyse)?;
    let version = cx.db.read_version().await?;
    let answer = cx
        .reads
        .answer(version, scope_key(&me.scope), || async {
            Ok(cx.db.group_choices(&me.scope).await?)
        })
        .await?;
    Ok(GroupChoices::clone(&answer))
}

/// What the caller's filters can offer, within their scope.
#[tracing::instrument(name = "performance.filter_choices", skip_all, fields(caller = %caller))]
pub async fn filter_choices(cx: &Context, caller: &Caller) -> AppResult<FilterChoices> {
    let me = caller.require(Capability::Analyse)?;
    let version = cx.db.read_version().await?;
    let key = format!("filters|{}", scope_key(&me.scope));
    let answer = cx
        .reads
        .answer(version, key, || async {
            Ok(cx.db.filter_choices(&me.scope).await?)
        })
        .await?;
    Ok(FilterChoices::clone(&answer))
}
