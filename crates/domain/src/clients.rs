//! Clients and their portfolios as the pages and the REST API show them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One page of results and the total behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        let size = i64::from(self.page_size.max(1));
        ((self.total + size - 1) / size).max(1) as u32
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientSort {
    #[default]
    Aum,
    Name,
    Twrr,
    Xirr,
    Onboarding,
}

impl ClientSort {
    pub const ALL: [ClientSort; 5] = [
        ClientSort::Aum,
        ClientSort::Name,
        ClientSort::Twrr,
        ClientSort::Xirr,
        ClientSort::Onboarding,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClientSort::Aum => "aum",
            ClientSort::Name => "name",
            ClientSort::Twrr => "twrr",
            ClientSort::Xirr => "xirr",
            ClientSort::Onboarding => "onboarding",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// What the client list asks for (all of it fits in a URL, so a view can be bookmarked).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientQuery {
    pub search: Option<String>,
    pub sort: ClientSort,
    pub descending: bool,
    pub page: u32,
    pub page_size: u32,
    pub include_closed: bool,
}

/// A row of the client table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientSummary {
    pub client_id: i32,
    pub name: String,
    pub client_code: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub rm_name: Option<String>,
    pub risk_profile: Option<String>,
    pub status: String,
    pub onboarding_date: Option<NaiveDate>,
    pub aum: Decimal,
    pub portfolios: i32,
    pub twrr_1y: Option<f64>,
    pub xirr_si: Option<f64>,
}

/// A portfolio on the client page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortfolioSummary {
    pub portfolio_id: i32,
    pub code: String,
    pub strategy: String,
    pub strategy_category: String,
    pub investment_approach: String,
    pub benchmark: String,
    pub inception_date: NaiveDate,
    pub status: String,
    pub as_of: Option<NaiveDate>,
    pub market_value: Decimal,
    pub mgmt_fee_pct: Decimal,
    pub perf_fee_pct: Decimal,
    pub hurdle_pct: Decimal,
    pub twrr_si: Option<f64>,
    pub xirr_si: Option<f64>,
    pub periods: Vec<PeriodPerformance>,
}

/// TWRR over one standard period against the benchmark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodPerformance {
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub portfolio: Option<f64>,
    pub benchmark: Option<f64>,
}

/// A dated value of one portfolio (for charts and the client-side what-if).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValuationPoint {
    pub date: NaiveDate,
    pub value: f64,
    pub flow: f64,
}

/// Everything the client page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientDetail {
    pub summary: ClientSummary,
    pub pan_masked: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub client_type: Option<String>,
    pub closure_date: Option<NaiveDate>,
    pub portfolios: Vec<PortfolioSummary>,
    pub contacts: Vec<ContactSummary>,
    pub recent_activity: Vec<ActivitySummary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactSummary {
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivitySummary {
    pub date: Option<NaiveDate>,
    pub kind: String,
    pub activity_type: Option<String>,
    pub subject: Option<String>,
    pub rm_name: Option<String>,
}
