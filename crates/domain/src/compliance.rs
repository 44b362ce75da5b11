//! The Compliance & reporting page: SEBI's performance disclosure by investment approach,
//! concentration and credit limits with their breaches, and data-quality exceptions.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::performance::{Group, PeriodFigure};

/// One investment approach (or strategy) in the SEBI disclosure: pooled TWRR for the standard
/// periods against its benchmark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisclosureRow {
    pub group: Group,
    pub name: String,
    pub benchmark: String,
    pub market_value: Decimal,
    pub portfolios: i64,
    pub periods: Vec<PeriodFigure>,
}

/// A limit a portfolio's latest holdings break.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitBreach {
    pub portfolio_id: i32,
    pub portfolio_code: String,
    pub client_id: i32,
    pub client_name: String,
    /// "Single stock", "Sector" or "Credit rating".
    pub limit: String,
    /// The stock, sector or debt security.
    pub subject: String,
    /// Share of the portfolio's value (for a rating breach: of the holding).
    pub weight: f64,
    /// The limit's threshold (for a rating breach: `None`).
    pub threshold: Option<f64>,
    pub detail: String,
    pub as_of: NaiveDate,
}

/// A load that failed or was rejected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedLoad {
    pub job_id: i64,
    pub report: String,
    pub file_name: Option<String>,
    pub status: String,
    pub error_count: i64,
    pub message: Option<String>,
    pub at: DateTime<Utc>,
}

/// An active portfolio whose valuations stop before the firm's latest valuation date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MissingValuation {
    pub portfolio_id: i32,
    pub portfolio_code: String,
    pub client_id: i32,
    pub client_name: String,
    pub last_valued: Option<NaiveDate>,
    pub days_behind: Option<i64>,
}

/// A held security whose latest price is older than allowed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StalePrice {
    pub isin: String,
    pub name: String,
    pub last_price_date: Option<NaiveDate>,
    pub portfolios: i64,
}

/// Everything the Compliance page shows, within the viewer's scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComplianceOverview {
    pub as_of: Option<NaiveDate>,
    pub by_approach: Vec<DisclosureRow>,
    pub by_strategy: Vec<DisclosureRow>,
    /// The limits applied, as sentences ("Single stock above 10% of a portfolio").
    pub limits: Vec<String>,
    pub breaches: Vec<LimitBreach>,
    /// How many breaches there are in all (the list holds the worst of each kind).
    pub breach_count: i64,
    /// How many of each kind ("Sector", 520).
    pub breaches_by_kind: Vec<(String, i64)>,
    pub failed_loads: Vec<FailedLoad>,
    pub missing_valuations: Vec<MissingValuation>,
    pub missing_valuation_count: i64,
    pub stale_prices: Vec<StalePrice>,
    pub stale_price_count: i64,
    /// Management and performance fees accrued, and performance fees falling due.
    pub fees: FeeOverview,
}

/// Fees accrued at the latest valuation of the active portfolios in view.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeeOverview {
    /// Management fee accrued since each portfolio's last charge.
    pub mgmt_fee_accrued: Decimal,
    /// Performance fee accrued in the open periods (what would be charged if they closed now).
    pub perf_fee_accrued: Decimal,
    /// How many portfolios have a performance fee accrued.
    pub portfolios_with_perf_fee: i64,
    /// The part of `perf_fee_accrued` whose crystallisation falls within [`FEE_DUE_DAYS`].
    pub perf_fee_due_soon: Decimal,
    /// The portfolios with the largest performance fee accrued (and their marks).
    pub rows: Vec<FeeRow>,
}

/// Days ahead in which a crystallisation counts as "due soon".
pub const FEE_DUE_DAYS: i32 = 30;

/// One portfolio's fees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeeRow {
    pub portfolio_id: i32,
    pub portfolio_code: String,
    pub client_id: i32,
    pub client_name: String,
    pub as_of: NaiveDate,
    pub market_value: Decimal,
    pub high_water_mark: Option<Decimal>,
    pub hurdle_value: Option<Decimal>,
    pub perf_fee_accrued: Option<Decimal>,
    pub next_crystallisation: Option<NaiveDate>,
    pub mgmt_fee_accrued: Decimal,
}
