//! Compliance alerts: the rules admins and compliance officers set (one per kind, with its
//! threshold), and the alerts a load's data raises under them — open until acknowledged and
//! resolved, or cleared by a later load. Evaluation is the server's (`pms_service::alerts`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a rule watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// One equity stock above the threshold's share of a portfolio's value.
    SingleStock,
    /// One sector above the threshold's share.
    Sector,
    /// The portfolio's TWRR index more than the threshold below its peak (month-ends).
    Drawdown,
    /// An active portfolio valued more than the threshold's days before the latest valuation date.
    MissingValuation,
    /// A performance fee accrued that crystallises within the threshold's days.
    PerfFeeDue,
    /// A debt holding downgraded within the threshold's days.
    Downgrade,
}

/// How a rule's threshold is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A fraction, shown and entered as a percentage.
    Share,
    Days,
}

impl RuleKind {
    pub const ALL: [RuleKind; 6] = [
        RuleKind::SingleStock,
        RuleKind::Sector,
        RuleKind::Drawdown,
        RuleKind::MissingValuation,
        RuleKind::PerfFeeDue,
        RuleKind::Downgrade,
    ];

    /// The code stored in the database and used by the API.
    pub fn code(self) -> &'static str {
        match self {
            RuleKind::SingleStock => "single_stock",
            RuleKind::Sector => "sector",
            RuleKind::Drawdown => "drawdown",
            RuleKind::MissingValuation => "missing_valuation",
            RuleKind::PerfFeeDue => "perf_fee_due",
            RuleKind::Downgrade => "downgrade",
        }
    }

    pub fn from_code(code: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            RuleKind::SingleStock => "Single-stock concentration",
            RuleKind::Sector => "Sector concentration",
            RuleKind::Drawdown => "Drawdown",
            RuleKind::MissingValuation => "Missing valuation",
            RuleKind::PerfFeeDue => "Performance fee due",
            RuleKind::Downgrade => "Debt holding downgraded",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            RuleKind::SingleStock | RuleKind::Sector | RuleKind::Drawdown => Unit::Share,
            RuleKind::MissingValuation | RuleKind::PerfFeeDue | RuleKind::Downgrade => Unit::Days,
        }
    }

    /// The thresholds a rule accepts, in the unit people type (percent or days).
    pub fn bounds(self) -> (f64, f64) {
        match self.unit() {
            Unit::Share => (0.1, 100.0),
            Unit::Days => (1.0, 3650.0),
        }
    }

    /// The rule as a sentence, for `threshold` (a fraction or days).
    pub fn describe(self, threshold: f64) -> String {
        let pct = format_percent(threshold);
        let days = threshold.round() as i64;
        match self {
            RuleKind::SingleStock => format!("One equity stock above {pct} of a portfolio's value"),
            RuleKind::Sector => format!("One sector above {pct} of a portfolio's value"),
            RuleKind::Drawdown => {
                format!("A portfolio's TWRR more than {pct} below its peak (at month-ends)")
            }
            RuleKind::MissingValuation => format!(
                "An active portfolio valued more than {days} days before the latest valuation date"
            ),
            RuleKind::PerfFeeDue => {
                format!("A performance fee accrued that crystallises within {days} days")
            }
            RuleKind::Downgrade => {
                format!("A debt holding whose rating was lowered in the last {days} days")
            }
        }
    }

    /// A breach's measured value as people read it.
    pub fn format_value(self, value: Option<f64>) -> String {
        match (self, value) {
            (_, None) => "—".into(),
            (RuleKind::Downgrade, Some(v)) => {
                let notches = v.round() as i64;
                format!("{notches} notch{}", if notches == 1 { "" } else { "es" })
            }
            (RuleKind::PerfFeeDue, Some(v)) => format!("in {} days", v.round() as i64),
            (kind, Some(v)) => match kind.unit() {
                Unit::Share => format_percent(v),
                Unit::Days => format!("{} days", v.round() as i64),
            },
        }
    }

    /// The threshold as people type it (percent or days) → as stored, or why not.
    pub fn threshold_from_input(self, typed: f64) -> Result<f64, String> {
        let (low, high) = self.bounds();
        if !typed.is_finite() || typed < low || typed > high {
            let range = match self.unit() {
                Unit::Share => format!("{low}% and {high}%"),
                Unit::Days => format!("{low} and {high} days"),
            };
            return Err(format!(
                "{}: the threshold must be between {range}.",
                self.label()
            ));
        }
        Ok(match self.unit() {
            Unit::Share => typed / 100.0,
            Unit::Days => typed.round(),
        })
    }

    /// The stored threshold as people type it.
    pub fn threshold_for_input(self, stored: f64) -> f64 {
        match self.unit() {
            Unit::Share => (stored * 1000.0).round() / 10.0,
            Unit::Days => stored,
        }
    }
}

/// A fraction as a percentage to two decimals, without trailing zeros ("10%", "10.04%"), so a
/// weight just over a limit never reads as equal to it.
fn format_percent(fraction: f64) -> String {
    let text = format!("{:.2}", fraction * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// A rule as configured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRule {
    pub kind: RuleKind,
    /// A fraction (0.10 = 10%) for concentration and drawdown; days for the others.
    pub threshold: f64,
    pub active: bool,
    /// The rule as a sentence.
    pub description: String,
    pub updated_by: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// Where an alert stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Open,
    Acknowledged,
    Resolved,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 3] = [
        AlertStatus::Open,
        AlertStatus::Acknowledged,
        AlertStatus::Resolved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Acknowledged => "acknowledged",
            AlertStatus::Resolved => "resolved",
        }
    }

    pub fn from_code(code: &str) -> Option<AlertStatus> {
        AlertStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertStatus::Open => "Open",
            AlertStatus::Acknowledged => "Acknowledged",
            AlertStatus::Resolved => "Resolved",
        }
    }
}

/// One breach of a rule by one portfolio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub alert_id: i64,
    pub kind: RuleKind,
    pub portfolio_id: i32,
    pub portfolio_code: String,
    pub client_id: i32,
    pub client_name: String,
    /// The client's relationship manager.
    pub rm_name: Option<String>,
    /// The stock, sector or bond ("" when the breach is the portfolio's as a whole).
    pub subject: String,
    /// As last measured: a fraction, days or notches (see `kind`).
    pub value: Option<f64>,
    pub threshold: f64,
    pub detail: Option<String>,
    /// The date of the data that shows the breach.
    pub as_of: Option<NaiveDate>,
    pub status: AlertStatus,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// `None` with `resolved_at` set: a later load cleared it.
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// Alerts of the caller's scope in one status, a page at a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertList {
    pub status: AlertStatus,
    pub kind: Option<RuleKind>,
    pub alerts: Vec<Alert>,
    /// How many match (`status`, `kind`) in the caller's scope.
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
    /// Alerts of the caller's scope in each status (whatever the kind).
    pub counts: Vec<(AlertStatus, i64)>,
    pub rules: Vec<AlertRule>,
    /// Whether the caller may change rules and resolve alerts.
    pub can_manage: bool,
    /// When the alerts were last evaluated (after a load, or a change of rule).
    pub evaluated_at: Option<DateTime<Utc>>,
}

/// Alerts listed on a page.
pub const ALERT_PAGE_SIZE: u32 = 50;

/// Longest note on an acknowledgement or resolution.
pub const MAX_NOTE_CHARS: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_kind_round_trips_through_its_code() {
        for kind in RuleKind::ALL {
            assert_eq!(RuleKind::from_code(kind.code()), Some(kind));
        }
        for status in AlertStatus::ALL {
            assert_eq!(AlertStatus::from_code(status.code()), Some(status));
        }
    }

    #[test]
    fn thresholds_are_typed_in_percent_or_days_and_stored_as_fractions_or_days() {
        assert_eq!(RuleKind::Sector.threshold_from_input(35.0), Ok(0.35));
        assert_eq!(RuleKind::Sector.threshold_for_input(0.35), 35.0);
        assert_eq!(
            RuleKind::MissingValuation.threshold_from_input(5.4),
            Ok(5.0)
        );
        assert!(RuleKind::Drawdown.threshold_from_input(0.0).is_err());
        assert!(RuleKind::Drawdown.threshold_from_input(f64::NAN).is_err());
        assert!(RuleKind::Downgrade
            .threshold_from_input(4000.0)
            .unwrap_err()
            .contains("between 1 and 3650 days"));
    }

    #[test]
    fn values_read_in_the_rules_unit() {
        assert_eq!(RuleKind::SingleStock.format_value(Some(0.1234)), "12.34%");
        assert_eq!(RuleKind::SingleStock.format_value(Some(0.10041)), "10.04%");
        assert_eq!(RuleKind::Drawdown.format_value(Some(0.205)), "20.5%");
        assert_eq!(RuleKind::Sector.format_value(Some(0.4)), "40%");
        assert_eq!(RuleKind::MissingValuation.format_value(Some(7.0)), "7 days");
        assert_eq!(RuleKind::Downgrade.format_value(Some(1.0)), "1 notch");
        assert_eq!(RuleKind::PerfFeeDue.format_value(None), "—");
        assert_eq!(
            RuleKind::SingleStock.describe(0.1),
            "One equity stock above 10% of a portfolio's value"
        );
    }
}
