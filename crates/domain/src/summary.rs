//! The executive summary: the firm (or the caller's book) at a glance.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::performance::{MonthPoint, PeriodFigure};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MixRow {
    pub label: String,
    pub aum: Decimal,
    pub count: i64,
    /// The filter parameter and value that narrow a view to this row (`("strategy", "3")`),
    /// where the filter has such a criterion: clicking the row applies it.
    #[serde(default)]
    pub drill: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankedPortfolio {
    pub portfolio_id: i32,
    pub client_id: i32,
    pub client_name: String,
    pub investment_approach: String,
    pub market_value: Decimal,
    pub twrr_1y: Option<f64>,
    pub benchmark_1y: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExecutiveSummary {
    pub as_of: Option<NaiveDate>,
    pub aum: Decimal,
    pub clients: i64,
    pub portfolios: i64,
    /// The pooled value's change over the chosen period: net flows and market gain.
    pub change: Option<crate::performance::ValueChange>,
    /// 1-year TWRR of the book's pooled money and of its value-weighted benchmark blend.
    pub twrr_1y: Option<f64>,
    pub benchmark_1y: Option<f64>,
    pub by_strategy: Vec<MixRow>,
    pub by_approach: Vec<MixRow>,
    /// Latest holdings' value by asset class (portfolios without holdings are left out).
    pub by_asset_class: Vec<MixRow>,
    pub by_risk_profile: Vec<MixRow>,
    /// The book's pooled TWRR and benchmark blend for the SEBI periods.
    pub periods: Vec<PeriodFigure>,
    /// Month ends of the book's pooled history: AUM, net flows (trend charts).
    pub months: Vec<MonthPoint>,
    pub top: Vec<RankedPortfolio>,
    pub bottom: Vec<RankedPortfolio>,
}
