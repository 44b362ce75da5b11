//! The Compliance & reporting overview of the caller's scope: SEBI's performance disclosure
//! (pooled TWRR by investment approach and by strategy for the standard periods, against the
//! benchmark), breaches of the concentration and credit limits in the latest holdings, and the
//! data-quality exceptions (failed loads, missing valuations, stale prices).

use pms_domain::alerts::RuleKind;
use pms_domain::compliance::{ComplianceOverview, DisclosureRow};
use pms_domain::filter::Filter;
use pms_domain::identity::Capability;
use pms_domain::performance::GroupChoice;
use pms_store::compliance::Limits;

use crate::read_cache::scope_key;
use crate::{performance, AppResult, Caller, Context};

/// A held security's price may be this many days older than the latest valuation date.
pub const PRICE_MAX_AGE_DAYS: i32 = 3;
/// Failed loads are listed for this many days.
pub const FAILED_LOAD_DAYS: i32 = 30;
/// Rows of each list the page shows (the count says how many there are in all).
const LIST_CAP: i64 = 50;
/// The worst breaches of each kind listed (single stock, sector, credit rating).
const BREACHES_OF_EACH_KIND: i64 = 15;

/// The overview; failed loads are listed only to those who load data or run compliance
/// reports (they are about files, not the caller's clients).
#[tracing::instrument(name = "compliance.overview", skip_all, fields(caller = %caller))]
///
/// `filter` narrows the portfolios of the disclosure, the breaches and the missing
/// valuations and prices (a failed load concerns a file, not a portfolio: it always shows).
pub async fn overview(
    cx: &Context,
    caller: &Caller,
    filter: &Filter,
) -> AppResult<ComplianceOverview> {
    let me = caller.require(Capability::Analyse)?;
    let sees_loads = me.can(Capability::RunIngest) || me.can(Capability::RunComplianceReports);
    let version = cx.db.read_version().await?;
    // The concentration limits are the alert rules' thresholds (admins and compliance set them).
    let rules = cx.db.alert_rules().await?;
    let threshold = |kind: RuleKind| {
        rules
            .iter()
            .find(|r| r.kind == kind)
            .map_or(f64::INFINITY, |r| r.threshold)
    };
    let limits = Limits {
        single_stock: threshold(RuleKind::SingleStock),
        sector: threshold(RuleKind::Sector),
    };
    let key = format!(
        "{}|loads={sees_loads}|{}|{}|{}",
        scope_key(&me.scope),
        filter.key(),
        limits.single_stock,
        limits.sector
    );
    let answer = cx
        .reads
        .answer(version, key, || async {
            let choices = performance::choices(cx, caller).await?;
            let by_approach = disclosure(cx, caller, &choices.approaches, filter).await?;
            let by_strategy = disclosure(cx, caller, &choices.strategies, filter).await?;
            let (breaches, breach_count, breaches_by_kind) = cx
                .db
                .limit_breaches(&me.scope, filter, limits, BREACHES_OF_EACH_KIND)
                .await?;
            let (missing_valuations, missing_valuation_count) = cx
                .db
                .missing_valuations(&me.scope, filter, LIST_CAP)
                .await?;
            let (stale_prices, stale_price_count) = cx
                .db
                .stale_prices(&me.scope, filter, PRICE_MAX_AGE_DAYS, LIST_CAP)
                .await?;
            let fees = cx.db.fee_accruals(&me.scope, filter, LIST_CAP).await?;
            let failed_loads = if sees_loads {
                cx.db.failed_loads(FAILED_LOAD_DAYS, LIST_CAP).await?
            } else {
                Vec::new()
            };
            Ok(ComplianceOverview {
                as_of: by_approach
                    .iter()
                    .filter_map(|r| r.periods.first().map(|p| p.end))
                    .max(),
                by_approach,
                by_strategy,
                limits: vec![
                    RuleKind::SingleStock.describe(limits.single_stock),
                    RuleKind::Sector.describe(limits.sector),
                    "Any debt holding rated below investment grade (BB and lower) or in default"
                        .into(),
                ],
                breaches,
                breach_count,
                breaches_by_kind,
                failed_loads,
                missing_valuations,
                missing_valuation_count,
                stale_prices,
                stale_price_count,
                fees,
            })
        })
        .await?;
    Ok(ComplianceOverview::clone(&answer))
}

/// The disclosure rows of `groups`, each the pooled performance of the caller's portfolios in
/// it (the same figures as the Portfolio performance page).
async fn disclosure(
    cx: &Context,
    caller: &Caller,
    groups: &[GroupChoice],
    filter: &Filter,
) -> AppResult<Vec<DisclosureRow>> {
    let mut rows = Vec::with_capacity(groups.len());
    for choice in groups {
        let p = performance::group(cx, caller, choice.group, filter).await?;
        if p.portfolios == 0 && filter.narrows_portfolios() {
            // The filter leaves none of this group's portfolios: not a row of this view.
            continue;
        }
        rows.push(DisclosureRow {
            group: choice.group,
            name: choice.label.clone(),
            benchmark: p.benchmark,
            market_value: p.market_value,
            portfolios: p.portfolios,
            periods: p
                .periods
                .into_iter()
                .filter(|period| period.period != "FYTD")
                .collect(),
        });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.market_value));
    Ok(rows)
}
