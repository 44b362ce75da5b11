//! Performance of a group of portfolios (the firm, a strategy, an investment approach, an RM's
//! book, a client, one portfolio) as the Portfolio performance and Compliance pages show it.
//! A group's figures are those of its pooled money (METRICS.md "Groups of portfolios"), within
//! the viewer's scope.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which portfolios are pooled. Written in URLs as `firm`, `strategy-3`, `approach-7`, `rm-12`,
/// `client-40`, `portfolio-51`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Group {
    /// Everything the viewer may see.
    #[default]
    Firm,
    Strategy(i32),
    Approach(i32),
    Rm(i32),
    Client(i32),
    Portfolio(i32),
}

impl Group {
    /// The kind's name as users read it.
    pub fn kind_label(self) -> &'static str {
        match self {
            Group::Firm => "Whole book",
            Group::Strategy(_) => "Strategy",
            Group::Approach(_) => "Investment approach",
            Group::Rm(_) => "RM book",
            Group::Client(_) => "Client",
            Group::Portfolio(_) => "Portfolio",
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::Firm => f.write_str("firm"),
            Group::Strategy(id) => write!(f, "strategy-{id}"),
            Group::Approach(id) => write!(f, "approach-{id}"),
            Group::Rm(id) => write!(f, "rm-{id}"),
            Group::Client(id) => write!(f, "client-{id}"),
            Group::Portfolio(id) => write!(f, "portfolio-{id}"),
        }
    }
}

/// A group key that is not one of the forms [`Group`] writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a group: use firm, strategy-N, approach-N, rm-N, client-N or portfolio-N")]
pub struct BadGroup(pub String);

impl FromStr for Group {
    type Err = BadGroup;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() || text == "firm" {
            return Ok(Group::Firm);
        }
        let bad = || BadGroup(text.chars().take(40).collect());
        let (kind, id) = text.split_once('-').ok_or_else(bad)?;
        let id: i32 = id.parse().ok().filter(|id| *id > 0).ok_or_else(bad)?;
        Ok(match kind {
            "strategy" => Group::Strategy(id),
            "approach" => Group::Approach(id),
            "rm" => Group::Rm(id),
            "client" => Group::Client(id),
            "portfolio" => Group::Portfolio(id),
            _ => return Err(bad()),
        })
    }
}

/// One standard period's return and the benchmark's over the same dates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodFigure {
    /// `1M` … `5Y`, `SI`, `FYTD`.
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Reported return: annualised for a year or longer, else cumulative (SEBI).
    pub twrr: Option<f64>,
    pub benchmark: Option<f64>,
    pub annualised: bool,
}

impl PeriodFigure {
    /// Return above the benchmark, when both are known.
    pub fn excess(&self) -> Option<f64> {
        Some(self.twrr? - self.benchmark?)
    }
}

/// The month-end point of the group's history: value, growth of its TWRR and the benchmark's
/// since the start, and how far below its previous peak it stood.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthPoint {
    pub month_end: NaiveDate,
    pub value: Decimal,
    pub net_flow: Decimal,
    /// Cumulative TWRR since the first valuation.
    pub cumulative: f64,
    pub benchmark_cumulative: Option<f64>,
    /// Wealth index below its running peak (≤ 0).
    pub drawdown: f64,
    /// Trailing 12-month return and annualised volatility of daily returns (from a year in).
    pub rolling_return_1y: Option<f64>,
    pub rolling_volatility_1y: Option<f64>,
}

/// A year of monthly returns (financial-year layout: April … March).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyReturns {
    pub label: String,
    pub months: [Option<f64>; 12],
    pub total: Option<f64>,
}

/// One line of the risk table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskFigure {
    pub name: String,
    pub value: Option<f64>,
    /// Shown as a percentage (else as a plain ratio).
    pub percent: bool,
}

/// Everything the performance page shows for one group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupPerformance {
    pub group: Group,
    /// "Investment approach · Sahyadri Flexicap".
    pub label: String,
    /// The benchmark's name, or how many are blended.
    pub benchmark: String,
    pub portfolios: i64,
    pub first_date: Option<NaiveDate>,
    pub as_of: Option<NaiveDate>,
    pub market_value: Decimal,
    pub periods: Vec<PeriodFigure>,
    /// Money-weighted return since inception (the investor's view).
    pub xirr_si: Option<f64>,
    /// The window the risk table covers ("3 years to 31 Mar 2026").
    pub risk_window: String,
    pub risk: Vec<RiskFigure>,
    pub months: Vec<MonthPoint>,
    pub monthly_returns: Vec<MonthlyReturns>,
    pub month_labels: Vec<String>,
    /// Latest holdings: value by asset class, and the equity part by sector and market cap.
    pub allocation: Allocation,
    /// The group's active portfolios with a year of history: risk against return.
    pub scatter: Vec<PortfolioPoint>,
    /// How the pooled value changed over the filter's period (by default this financial year
    /// to date): flows in, and the market's part.
    pub change: Option<ValueChange>,
}

/// A pooled value's change over a period, split into net external flows and market gain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueChange {
    /// "FY2025-26 to date", "01 Jun 2025 – 30 Sep 2025".
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The pooled value at the close before `from` (nothing before the first valuation).
    pub opening: Decimal,
    /// The pooled value at the close of `to`.
    pub closing: Decimal,
    pub net_flow: Decimal,
    /// `closing − opening − net_flow`.
    pub market_gain: Decimal,
}

/// Where a group's money is, from its portfolios' latest holdings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    pub as_of: Option<NaiveDate>,
    pub by_asset_class: Vec<crate::summary::MixRow>,
    pub by_sector: Vec<crate::summary::MixRow>,
    pub by_market_cap: Vec<crate::summary::MixRow>,
}

/// One portfolio on the risk–return chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioPoint {
    pub portfolio_id: i32,
    /// "SC100489-01 · Client name".
    pub label: String,
    pub market_value: Decimal,
    pub volatility_1y: f64,
    pub twrr_1y: f64,
}

/// A group the viewer may pick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupChoice {
    pub group: Group,
    pub label: String,
}

/// How the monthly returns of the strategies or investment approaches in view move together.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CorrelationMatrix {
    /// The months covered ("Monthly returns, Dec 2023 – Nov 2026").
    pub window: String,
    pub groups: Vec<GroupChoice>,
    /// `cells[i][j]`: the correlation of groups `i` and `j` over the months both have (none
    /// with fewer than a year of them).
    pub cells: Vec<Vec<Option<f64>>>,
}

/// The groups of the viewer's scope, for the picker.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupChoices {
    pub strategies: Vec<GroupChoice>,
    pub approaches: Vec<GroupChoice>,
    pub rms: Vec<GroupChoice>,
}

/// How a trend is grouped in time. Written in URLs as `month`, `quarter`, `year`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    #[default]
    Month,
    /// Quarters of the Indian financial year (Q1 = April–June).
    Quarter,
    /// Financial years (April–March).
    Year,
}

impl Granularity {
    pub const ALL: [Granularity; 3] = [Self::Month, Self::Quarter, Self::Year];

    pub fn code(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Month => "Month",
            Self::Quarter => "Quarter",
            Self::Year => "Year",
        }
    }

    /// The granularity a URL names; anything else is a month.
    pub fn from_code(code: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|g| g.code() == code)
            .unwrap_or_default()
    }

    /// The first day of the period `date` falls in (a month, an FY quarter, an FY).
    pub fn start_of(self, date: NaiveDate) -> NaiveDate {
        use chrono::Datelike;
        let month_start =
            |month: u32, year: i32| NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(date);
        match self {
            Self::Month => month_start(date.month(), date.year()),
            // FY quarters start in April, July, October and January.
            Self::Quarter => month_start((date.month() - 1) / 3 * 3 + 1, date.year()),
            Self::Year => crate::filter::FinancialYear::containing(date).first_day(),
        }
    }

    /// The last day of the period `date` falls in.
    pub fn end_of(self, date: NaiveDate) -> NaiveDate {
        let months = match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::Year => 12,
        };
        self.start_of(date)
            .checked_add_months(chrono::Months::new(months))
            .and_then(|next| next.pred_opt())
            .unwrap_or(date)
    }

    /// The label of the period `date` falls in: `Jun 2025`, `Q1 FY2025-26`, `FY2025-26`.
    fn period_of(self, date: NaiveDate) -> String {
        use chrono::Datelike;
        let fy_start = if date.month() >= 4 {
            date.year()
        } else {
            date.year() - 1
        };
        let fy = format!("FY{fy_start}-{:02}", (fy_start + 1) % 100);
        match self {
            Self::Month => date.format("%b %Y").to_string(),
            Self::Quarter => format!("Q{} {fy}", (date.month() + 8) % 12 / 3 + 1),
            Self::Year => fy,
        }
    }
}

/// One period of a trend: the value at its last month end and the flows within it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub label: String,
    pub end: NaiveDate,
    pub value: Decimal,
    pub net_flow: Decimal,
}

/// Month ends rolled up into periods of `by` (oldest first).
pub fn roll_up(months: &[MonthPoint], by: Granularity) -> Vec<TrendPoint> {
    let mut out: Vec<TrendPoint> = Vec::new();
    for m in months {
        let label = by.period_of(m.month_end);
        match out.last_mut() {
            Some(last) if last.label == label => {
                last.end = m.month_end;
                last.value = m.value;
                last.net_flow += m.net_flow;
            }
            _ => out.push(TrendPoint {
                label,
                end: m.month_end,
                value: m.value,
                net_flow: m.net_flow,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(y: i32, m: u32, value: i64, flow: i64) -> MonthPoint {
        MonthPoint {
            month_end: NaiveDate::from_ymd_opt(y, m, 28).expect("a date"),
            value: Decimal::from(value),
            net_flow: Decimal::from(flow),
            cumulative: 0.0,
            benchmark_cumulative: None,
            drawdown: 0.0,
            rolling_return_1y: None,
            rolling_volatility_1y: None,
        }
    }

    #[test]
    fn quarters_and_years_follow_the_indian_financial_year() {
        let months = [
            month(2025, 3, 100, 1),
            month(2025, 4, 110, 2),
            month(2025, 6, 120, 3),
            month(2025, 7, 130, 4),
        ];
        let quarters = roll_up(&months, Granularity::Quarter);
        let got: Vec<_> = quarters
            .iter()
            .map(|q| (q.label.as_str(), q.value, q.net_flow))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Q4 FY2024-25", Decimal::from(100), Decimal::from(1)),
                ("Q1 FY2025-26", Decimal::from(120), Decimal::from(5)),
                ("Q2 FY2025-26", Decimal::from(130), Decimal::from(4)),
            ]
        );
        let years = roll_up(&months, Granularity::Year);
        assert_eq!(years.len(), 2);
        assert_eq!(years[1].label, "FY2025-26");
        assert_eq!(years[1].net_flow, Decimal::from(9));
        assert_eq!(roll_up(&months, Granularity::Month).len(), 4);
    }

    #[test]
    fn a_group_reads_back_what_it_writes() {
        for group in [
            Group::Firm,
            Group::Strategy(3),
            Group::Approach(7),
            Group::Rm(12),
            Group::Client(40),
            Group::Portfolio(51),
        ] {
            assert_eq!(group.to_string().parse::<Group>(), Ok(group));
        }
        assert_eq!("".parse::<Group>(), Ok(Group::Firm));
    }

    #[test]
    fn a_malformed_group_is_refused_with_the_forms_that_work() {
        for bad in ["approach", "approach-x", "approach-0", "team-3", "rm--1"] {
            let err = bad.parse::<Group>().unwrap_err();
            assert!(err.to_string().contains("approach-N"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_period_runs_from_its_first_to_its_last_calendar_day() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("a date");
        let cases = [
            (
                Granularity::Month,
                d(2024, 2, 28),
                d(2024, 2, 1),
                d(2024, 2, 29),
            ),
            (
                Granularity::Quarter,
                d(2024, 6, 28),
                d(2024, 4, 1),
                d(2024, 6, 30),
            ),
            (
                Granularity::Quarter,
                d(2025, 2, 14),
                d(2025, 1, 1),
                d(2025, 3, 31),
            ),
            (
                Granularity::Year,
                d(2025, 2, 14),
                d(2024, 4, 1),
                d(2025, 3, 31),
            ),
        ];
        for (by, day, start, end) in cases {
            assert_eq!(
                (by.start_of(day), by.end_of(day)),
                (start, end),
                "{by:?} {day}"
            );
        }
    }
}
