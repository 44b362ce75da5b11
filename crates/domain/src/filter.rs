//! The dashboard's filters: one type the browser and the server share, written in and read
//! from the URL, so the back button, a bookmark and a shared link reproduce a view exactly.
//!
//! A filter narrows the *portfolios* a section counts; the viewer's data scope always applies
//! first and a filter can never widen it. What each criterion tests:
//!
//! | parameter | selects portfolios whose… |
//! |---|---|
//! | `strategy`, `approach` | investment approach is (in) that strategy / that approach |
//! | `rm`, `team` | client's RM is that RM / a member of that team |
//! | `risk`, `state`, `city` | client has that risk profile / lives there |
//! | `aum_min`, `aum_max` (₹ lakh) | client's AUM lies in the range (a client segment) |
//! | `twrr_min`, `twrr_max` (%) | own 1-year TWRR lies in the range |
//! | `asset` | latest holdings include that asset class |
//!
//! `fy` (e.g. `2025-26`) or `from`/`to` (ISO dates) choose the period that period-dependent
//! figures cover (the executive summary's flows and market gain, the trends' window); `by`
//! the trends' granularity.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::performance::Granularity;

/// A financial year (April–March), named by the calendar year it starts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FinancialYear(pub i32);

impl FinancialYear {
    /// The financial year `date` falls in.
    pub fn containing(date: NaiveDate) -> Self {
        Self(if date.month() >= 4 {
            date.year()
        } else {
            date.year() - 1
        })
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).unwrap_or(NaiveDate::MAX)
    }

    /// `2025-26`, as URLs write it.
    pub fn code(self) -> String {
        format!("{}-{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }

    /// `FY2025-26`, as people read it.
    pub fn label(self) -> String {
        format!("FY{}", self.code())
    }

    /// Reads `2025-26`, `FY2025-26` or `2025`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text
            .strip_prefix("FY")
            .or_else(|| text.strip_prefix("fy"))
            .unwrap_or(text);
        let (start, end) = match text.split_once('-') {
            Some((start, end)) => (start, Some(end)),
            None => (text, None),
        };
        let year: i32 = start.parse().ok().filter(|y| (1900..=2200).contains(y))?;
        match end {
            None => Some(Self(year)),
            Some(end) if end.parse::<i32>().ok() == Some((year + 1) % 100) => Some(Self(year)),
            Some(end) if end.parse::<i32>().ok() == Some(year + 1) => Some(Self(year)),
            Some(_) => None,
        }
    }
}

/// The period period-dependent figures cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Period {
    FinancialYear(FinancialYear),
    /// From and to, inclusive; an open end runs from the first data or to the latest.
    Range {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

impl Period {
    /// The first and last day this period covers, as far as data from `first` to `as_of` goes:
    /// `None` when the two do not meet.
    pub fn window(self, first: NaiveDate, as_of: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let (from, to) = match self {
            Period::FinancialYear(fy) => (fy.first_day(), fy.last_day()),
            Period::Range { from, to } => (from.unwrap_or(first), to.unwrap_or(as_of)),
        };
        let (from, to) = (from.max(first), to.min(as_of));
        (from <= to).then_some((from, to))
    }

    pub fn label(self) -> String {
        let day = |d: NaiveDate| d.format("%d %b %Y").to_string();
        match self {
            Period::FinancialYear(fy) => fy.label(),
            Period::Range {
                from: Some(f),
                to: Some(t),
            } => format!("{} – {}", day(f), day(t)),
            Period::Range {
                from: Some(f),
                to: None,
            } => format!("From {}", day(f)),
            Period::Range {
                from: None,
                to: Some(t),
            } => format!("Until {}", day(t)),
            Period::Range {
                from: None,
                to: None,
            } => "All time".to_owned(),
        }
    }
}

/// What the dashboard's sections are narrowed to. `Default` is "everything in scope".
///
/// It travels (to server functions, in cache keys) as its URL query string, the one form
/// every edge already reads, so nothing is serialized two ways.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Filter {
    pub period: Option<Period>,
    pub strategy: Option<i32>,
    pub approach: Option<i32>,
    pub rm: Option<i32>,
    pub team: Option<i32>,
    pub risk_profile: Option<String>,
    pub state: Option<String>,
    pub city: Option<String>,
    pub asset_class: Option<String>,
    /// Client AUM range, in ₹ lakh.
    pub aum_min_lakh: Option<Decimal>,
    pub aum_max_lakh: Option<Decimal>,
    /// Portfolio 1-year TWRR range, in percent.
    pub twrr_min_pct: Option<Decimal>,
    pub twrr_max_pct: Option<Decimal>,
    pub by: Granularity,
}

/// One criterion of a filter as the page shows it: a chip that clears it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chip {
    /// Which criterion: "Strategy", "AUM".
    pub name: &'static str,
    /// Its value as people read it, ids already resolved to names.
    pub value: String,
    /// The URL parameters removing it clears.
    pub clears: &'static [&'static str],
}

/// The names of what a filter can refer to by id, and the values its lists offer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoices {
    pub strategies: Vec<(i32, String)>,
    pub approaches: Vec<(i32, String)>,
    pub rms: Vec<(i32, String)>,
    pub teams: Vec<(i32, String)>,
    pub risk_profiles: Vec<String>,
    pub states: Vec<String>,
    pub cities: Vec<String>,
    pub asset_classes: Vec<String>,
    /// Financial years with data, newest first.
    pub financial_years: Vec<FinancialYear>,
}

impl FilterChoices {
    fn name_of(list: &[(i32, String)], id: i32) -> String {
        list.iter()
            .find(|(i, _)| *i == id)
            .map_or_else(|| format!("#{id}"), |(_, name)| name.clone())
    }
}

/// A criterion that names something by id: its chip name, the id, the names to read it in,
/// and the parameters it clears.
type IdCriterion<'a> = (
    &'static str,
    Option<i32>,
    &'a [(i32, String)],
    &'static [&'static str],
);

/// Longest text a criterion accepts (a city, a risk profile).
const MAX_TEXT: usize = 100;

impl Filter {
    /// Every URL parameter a filter reads (a form or a link keeps the others).
    pub const PARAMS: [&'static str; 16] = [
        "fy", "from", "to", "strategy", "approach", "rm", "team", "risk", "state", "city", "asset",
        "aum_min", "aum_max", "twrr_min", "twrr_max", "by",
    ];

    /// Reads a filter from URL parameters (`get` returns one's value). Empty values are absent;
    /// a value that cannot be read is an error naming the parameter and what it accepts.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let present = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let id = |name: &str| -> Result<Option<i32>, String> {
            present(name)
                .map(|v| {
                    v.parse::<i32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("{name}={v:?}: use the id of a {name} (a whole number from 1)")
                    })
                })
                .transpose()
        };
        let text = |name: &str| -> Result<Option<String>, String> {
            present(name)
                .map(|v| {
                    if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
                        Err(format!(
                            "{name}: use at most {MAX_TEXT} printable characters"
                        ))
                    } else {
                        Ok(v)
                    }
                })
                .transpose()
        };
        let number = |name: &str, what: &str| -> Result<Option<Decimal>, String> {
            present(name)
                .map(|v| {
                    v.replace(',', "")
                        .parse::<Decimal>()
                        .ok()
                        .filter(|d| d.abs() < Decimal::from(1_000_000_000))
                        .ok_or_else(|| format!("{name}={v:?}: use a number ({what})"))
                })
                .transpose()
        };
        let date = |name: &str| -> Result<Option<NaiveDate>, String> {
            present(name)
                .map(|v| {
                    NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                        .map_err(|_| format!("{name}={v:?}: use a date as YYYY-MM-DD"))
                })
                .transpose()
        };
        let period = match (present("fy"), date("from")?, date("to")?) {
            (Some(fy), None, None) => Some(Period::FinancialYear(
                FinancialYear::parse(&fy)
                    .ok_or_else(|| format!("fy={fy:?}: use a financial year such as 2025-26"))?,
            )),
            (Some(_), _, _) => {
                return Err(
                    "fy with from/to: choose a financial year or a date range, not both".into(),
                )
            }
            (None, None, None) => None,
            (None, from, to) => {
                if let (Some(f), Some(t)) = (from, to) {
                    if f > t {
                        return Err(format!("from={f} is after to={t}: swap them"));
                    }
                }
                Some(Period::Range { from, to })
            }
        };
        let filter = Self {
            period,
            strategy: id("strategy")?,
            approach: id("approach")?,
            rm: id("rm")?,
            team: id("team")?,
            risk_profile: text("risk")?,
            state: text("state")?,
            city: text("city")?,
            asset_class: text("asset")?,
            aum_min_lakh: number("aum_min", "₹ lakh")?,
            aum_max_lakh: number("aum_max", "₹ lakh")?,
            twrr_min_pct: number("twrr_min", "percent")?,
            twrr_max_pct: number("twrr_max", "percent")?,
            by: present("by")
                .map(|v| {
                    Granularity::ALL
                        .into_iter()
                        .find(|g| g.code() == v)
                        .ok_or_else(|| format!("by={v:?}: use month, quarter or year"))
                })
                .transpose()?
                .unwrap_or_default(),
        };
        for (name, low, high) in [
            ("aum", filter.aum_min_lakh, filter.aum_max_lakh),
            ("twrr", filter.twrr_min_pct, filter.twrr_max_pct),
        ] {
            if let (Some(low), Some(high)) = (low, high) {
                if low > high {
                    return Err(format!(
                        "{name}_min={low} is above {name}_max={high}: swap them"
                    ));
                }
            }
        }
        Ok(filter)
    }

    /// The URL parameters of this filter, in the names [`Filter::from_params`] reads; what is
    /// not set is left out, so links stay short.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        match self.period {
            Some(Period::FinancialYear(fy)) => params.push(("fy", fy.code())),
            Some(Period::Range { from, to }) => {
                if let Some(f) = from {
                    params.push(("from", f.to_string()));
                }
                if let Some(t) = to {
                    params.push(("to", t.to_string()));
                }
            }
            None => {}
        }
        let ids = [
            ("strategy", self.strategy),
            ("approach", self.approach),
            ("rm", self.rm),
            ("team", self.team),
        ];
        params.extend(
            ids.into_iter()
                .filter_map(|(n, v)| Some((n, v?.to_string()))),
        );
        let texts = [
            ("risk", &self.risk_profile),
            ("state", &self.state),
            ("city", &self.city),
            ("asset", &self.asset_class),
        ];
        params.extend(texts.into_iter().filter_map(|(n, v)| Some((n, v.clone()?))));
        let numbers = [
            ("aum_min", self.aum_min_lakh),
            ("aum_max", self.aum_max_lakh),
            ("twrr_min", self.twrr_min_pct),
            ("twrr_max", self.twrr_max_pct),
        ];
        params.extend(
            numbers
                .into_iter()
                .filter_map(|(n, v)| Some((n, v?.normalize().to_string()))),
        );
        if self.by != Granularity::default() {
            params.push(("by", self.by.code().to_owned()));
        }
        params
    }

    /// Whether any criterion narrows the portfolios (the period and granularity do not).
    pub fn narrows_portfolios(&self) -> bool {
        self.strategy.is_some()
            || self.approach.is_some()
            || self.rm.is_some()
            || self.team.is_some()
            || self.risk_profile.is_some()
            || self.state.is_some()
            || self.city.is_some()
            || self.asset_class.is_some()
            || self.aum_min_lakh.is_some()
            || self.aum_max_lakh.is_some()
            || self.twrr_min_pct.is_some()
            || self.twrr_max_pct.is_some()
    }

    /// Whether every narrowing criterion is one of the (approach, RM) cells' own: strategy,
    /// approach, RM, team. Such a filter can be answered from per-cell aggregates.
    pub fn only_by_approach_and_rm(&self) -> bool {
        self.risk_profile.is_none()
            && self.state.is_none()
            && self.city.is_none()
            && self.asset_class.is_none()
            && self.aum_min_lakh.is_none()
            && self.aum_max_lakh.is_none()
            && self.twrr_min_pct.is_none()
            && self.twrr_max_pct.is_none()
    }

    /// The filter as a URL query string (without `?`): a stable text, also for cache keys.
    pub fn key(&self) -> String {
        let mut text = form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.to_params() {
            text.append_pair(name, &value);
        }
        text.finish()
    }

    /// Reads a query string as [`Filter::key`] writes it (and as a browser sends a form).
    pub fn from_query(query: &str) -> Result<Self, String> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        Self::from_params(|name| {
            pairs
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// The applied criteria as chips, with ids resolved through `names`; the granularity is a
    /// layout choice, not a chip.
    pub fn chips(&self, names: &FilterChoices) -> Vec<Chip> {
        let mut chips = Vec::new();
        if let Some(period) = self.period {
            chips.push(Chip {
                name: "Period",
                value: period.label(),
                clears: &["fy", "from", "to"],
            });
        }
        let by_id: [IdCriterion<'_>; 4] = [
            ("Strategy", self.strategy, &names.strategies, &["strategy"]),
            ("Approach", self.approach, &names.approaches, &["approach"]),
            ("RM", self.rm, &names.rms, &["rm"]),
            ("Team", self.team, &names.teams, &["team"]),
        ];
        for (name, id, list, clears) in by_id {
            if let Some(id) = id {
                chips.push(Chip {
                    name,
                    value: FilterChoices::name_of(list, id),
                    clears,
                });
            }
        }
        let texts: [(&'static str, &Option<String>, &'static [&'static str]); 4] = [
            ("Risk profile", &self.risk_profile, &["risk"]),
            ("State", &self.state, &["state"]),
            ("City", &self.city, &["city"]),
            ("Asset class", &self.asset_class, &["asset"]),
        ];
        for (name, value, clears) in texts {
            if let Some(value) = value {
                chips.push(Chip {
                    name,
                    value: value.clone(),
                    clears,
                });
            }
        }
        if let Some(value) = range_label(self.aum_min_lakh, self.aum_max_lakh, "₹", " L") {
            chips.push(Chip {
                name: "Client AUM",
                value,
                clears: &["aum_min", "aum_max"],
            });
        }
        if let Some(value) = range_label(self.twrr_min_pct, self.twrr_max_pct, "", "%") {
            chips.push(Chip {
                name: "TWRR 1Y",
                value,
                clears: &["twrr_min", "twrr_max"],
            });
        }
        chips
    }
}

impl From<Filter> for String {
    fn from(filter: Filter) -> String {
        filter.key()
    }
}

impl TryFrom<String> for Filter {
    type Error = String;
    fn try_from(query: String) -> Result<Self, String> {
        Self::from_query(&query)
    }
}

fn range_label(
    low: Option<Decimal>,
    high: Option<Decimal>,
    prefix: &str,
    unit: &str,
) -> Option<String> {
    let show = |d: Decimal| format!("{prefix}{}{unit}", d.normalize());
    match (low, high) {
        (Some(l), Some(h)) => Some(format!("{} – {}", show(l), show(h))),
        (Some(l), None) => Some(format!("≥ {}", show(l))),
        (None, Some(h)) => Some(format!("≤ {}", show(h))),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(query: &[(&str, &str)]) -> Result<Filter, String> {
        let map: HashMap<String, String> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Filter::from_params(|name| map.get(name).cloned())
    }

    #[test]
    fn every_criterion_survives_the_round_trip_through_the_url() {
        let filter = parse(&[
            ("fy", "FY2024-25"),
            ("strategy", "3"),
            ("approach", "7"),
            ("rm", "12"),
            ("team", "2"),
            ("risk", "Aggressive"),
            ("state", "Maharashtra"),
            ("city", "Pune"),
            ("asset", "Equity"),
            ("aum_min", "50"),
            ("aum_max", "1,000"),
            ("twrr_min", "-5.5"),
            ("twrr_max", "20"),
            ("by", "quarter"),
        ])
        .expect("a valid filter");
        assert_eq!(
            filter.period,
            Some(Period::FinancialYear(FinancialYear(2024)))
        );
        assert_eq!(filter.aum_max_lakh, Some(Decimal::from(1000)));
        let params = filter.to_params();
        let again = Filter::from_params(|name| {
            params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        })
        .expect("its own parameters read back");
        assert_eq!(again, filter);
        assert_eq!(Filter::from_query(&filter.key()), Ok(filter.clone()));
        assert!(filter.narrows_portfolios());
        assert!(!filter.only_by_approach_and_rm());
    }

    #[test]
    fn empty_parameters_are_absent_and_the_default_filter_writes_nothing() {
        let filter = parse(&[("strategy", ""), ("city", "  "), ("fy", "")]).expect("valid");
        assert_eq!(filter, Filter::default());
        assert!(filter.to_params().is_empty());
        assert!(!filter.narrows_portfolios());
    }

    #[test]
    fn unreadable_values_are_refused_naming_the_parameter() {
        for (query, names) in [
            (vec![("strategy", "x")], "strategy="),
            (vec![("rm", "0")], "rm="),
            (vec![("fy", "2025-27")], "fy="),
            (vec![("from", "2025-13-01")], "from="),
            (vec![("from", "2025-06-01"), ("to", "2025-05-01")], "swap"),
            (vec![("fy", "2025-26"), ("from", "2025-06-01")], "not both"),
            (vec![("aum_min", "10"), ("aum_max", "5")], "aum_min"),
            (vec![("twrr_max", "lots")], "twrr_max"),
            (vec![("by", "week")], "by="),
        ] {
            let error = parse(&query).expect_err("refused");
            assert!(error.contains(names), "{query:?}: {error}");
        }
        let long = "x".repeat(101);
        assert!(parse(&[("city", &long)]).is_err());
    }

    #[test]
    fn chips_name_the_criteria_and_say_which_parameters_they_clear() {
        let filter =
            parse(&[("strategy", "3"), ("aum_min", "50"), ("from", "2025-04-01")]).expect("valid");
        let names = FilterChoices {
            strategies: vec![(3, "Equity Growth".to_owned())],
            ..FilterChoices::default()
        };
        let chips: Vec<_> = filter
            .chips(&names)
            .into_iter()
            .map(|c| (c.name, c.value, c.clears))
            .collect();
        assert_eq!(
            chips,
            vec![
                (
                    "Period",
                    "From 01 Apr 2025".to_owned(),
                    &["fy", "from", "to"][..]
                ),
                ("Strategy", "Equity Growth".to_owned(), &["strategy"][..]),
                (
                    "Client AUM",
                    "≥ ₹50 L".to_owned(),
                    &["aum_min", "aum_max"][..]
                ),
            ]
        );
    }

    #[test]
    fn a_period_is_cut_to_the_data_it_can_cover() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("a date");
        let fy = Period::FinancialYear(FinancialYear(2025));
        assert_eq!(
            fy.window(d(2020, 1, 1), d(2025, 11, 28)),
            Some((d(2025, 4, 1), d(2025, 11, 28)))
        );
        assert_eq!(fy.window(d(2026, 5, 1), d(2026, 6, 1)), None);
        assert_eq!(
            FinancialYear::containing(d(2026, 3, 31)),
            FinancialYear(2025)
        );
        assert_eq!(FinancialYear(2025).label(), "FY2025-26");
        assert_eq!(FinancialYear::parse("2025"), Some(FinancialYear(2025)));
    }
}
