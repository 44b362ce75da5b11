//! Clients and their portfolios as the pages and the REST API show them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::filter::Filter;

/// One page of results and the total behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// The page number asked for (1 when the page was read from a cursor).
    pub page: u32,
    pub page_size: u32,
    /// Where the next page starts (pass it back as `cursor`); absent on the last page and
    /// where a list is paged by number only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
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

    /// Figures read best largest first; names and dates in their natural order.
    pub fn descending_by_default(self) -> bool {
        matches!(self, ClientSort::Aum | ClientSort::Twrr | ClientSort::Xirr)
    }
}

/// The highest page number a list reads (a page size of 500 reaches 50 million rows).
pub const MAX_PAGE: u32 = 100_000;
/// The most rows one page of the client list holds.
pub const MAX_PAGE_SIZE: u32 = 500;

/// What the client list asks for (all of it fits in a URL, so a view can be bookmarked).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientQuery {
    pub search: Option<String>,
    pub sort: ClientSort,
    pub descending: bool,
    pub page: u32,
    pub page_size: u32,
    pub include_closed: bool,
    /// The dashboard's filters (their period and granularity do not change the list).
    #[serde(default)]
    pub filter: Filter,
    /// Continue after this row instead of reading page `page` (the REST API's paging).
    #[serde(default)]
    pub after: Option<ClientCursor>,
}

/// Where a page of the client list ended: the last row's sort value (as PostgreSQL writes it)
/// and id, and a fingerprint of the query it belongs to, so a cursor cannot continue a
/// different search, filter or order. Written as `c1.<fingerprint>.<id>.<n | k + hex key>`:
/// opaque to callers, safe in a URL without escaping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientCursor {
    pub fingerprint: u64,
    pub last_id: i32,
    pub last_key: Option<String>,
}

impl ClientCursor {
    pub fn encode(&self) -> String {
        let key = match &self.last_key {
            None => "n".to_owned(),
            Some(k) => {
                let hex: String = k.bytes().map(|b| format!("{b:02x}")).collect();
                format!("k{hex}")
            }
        };
        format!("c1.{:016x}.{}.{key}", self.fingerprint, self.last_id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(4, '.');
        if parts.next()? != "c1" {
            return None;
        }
        let fingerprint = u64::from_str_radix(parts.next()?, 16).ok()?;
        let last_id = parts.next()?.parse().ok()?;
        let key = parts.next()?;
        let last_key = match key.strip_prefix('k') {
            None if key == "n" => None,
            None => return None,
            Some(hex) => {
                if hex.len() % 2 != 0 || !hex.is_ascii() {
                    return None;
                }
                let bytes = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                    .collect::<Option<Vec<u8>>>()?;
                Some(String::from_utf8(bytes).ok()?)
            }
        };
        Some(Self {
            fingerprint,
            last_id,
            last_key,
        })
    }
}

impl ClientQuery {
    /// The first page of the default view.
    pub fn defaults(page_size: u32) -> Self {
        Self {
            search: None,
            sort: ClientSort::default(),
            descending: ClientSort::default().descending_by_default(),
            page: 1,
            page_size,
            include_closed: false,
            filter: Filter::default(),
            after: None,
        }
    }

    /// Reads a client-list query from URL parameters: the one parser for the page, the REST
    /// API and the CSV export, so a link copied from one works in the others. `get` returns a
    /// parameter's value. Names: `q`, `sort` (aum, name, twrr, xirr, onboarding), `dir` (asc,
    /// desc; default descending for figures), `page`, `page_size`, `closed=1`; the API's older
    /// spellings `search`, `desc=true|false` and `include_closed=true|false` are read too; and
    /// the filter's parameters ([`Filter::from_params`]).
    /// Missing parameters take their defaults; a value that cannot be read is an error naming
    /// the parameter and what it accepts.
    pub fn from_params(
        get: impl Fn(&str) -> Option<String>,
        default_page_size: u32,
    ) -> Result<Self, String> {
        let present = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let sort = match present("sort") {
            None => ClientSort::default(),
            Some(s) => ClientSort::from_code(s.trim())
                .ok_or_else(|| format!("sort={s:?}: use aum, name, twrr, xirr or onboarding"))?,
        };
        let descending = match (present("dir"), present("desc")) {
            (Some(d), _) => match d.trim() {
                "desc" => true,
                "asc" => false,
                _ => return Err(format!("dir={d:?}: use asc or desc")),
            },
            (None, Some(d)) => flag("desc", &d)?,
            (None, None) => sort.descending_by_default(),
        };
        let number = |name: &str, fallback: u32, most: u32| -> Result<u32, String> {
            match present(name) {
                None => Ok(fallback),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=most).contains(n))
                    .ok_or_else(|| format!("{name}={v:?}: use a whole number from 1 to {most}")),
            }
        };
        let include_closed = match (present("closed"), present("include_closed")) {
            (Some(c), _) | (None, Some(c)) => flag("closed", &c)?,
            (None, None) => false,
        };
        Self {
            search: present("q").or_else(|| present("search")),
            sort,
            descending,
            page: number("page", 1, MAX_PAGE)?,
            page_size: number("page_size", default_page_size, MAX_PAGE_SIZE)?,
            include_closed,
            filter: Filter::from_params(&get)?,
            after: None,
        }
        .continuing(present("cursor").as_deref())
    }

    /// The query with the cursor `text` (from the previous page's `next_cursor`) applied; an
    /// error when it is not a cursor or belongs to another query.
    fn continuing(mut self, text: Option<&str>) -> Result<Self, String> {
        if let Some(text) = text {
            let cursor = ClientCursor::decode(text).ok_or_else(|| {
                "cursor: not a cursor this list gave out; start again without it".to_owned()
            })?;
            if cursor.fingerprint != self.fingerprint() {
                return Err(
                    "cursor: it belongs to a different search, filter or order; \
                            start again without it"
                        .to_owned(),
                );
            }
            self.after = Some(cursor);
            self.page = 1;
        }
        Ok(self)
    }

    /// Identifies the rows and their order (search, closed clients, filter, sort), not the
    /// page: FNV-1a over the query's own parameters, stable across builds.
    pub fn fingerprint(&self) -> u64 {
        let unpaged = Self {
            page: 1,
            after: None,
            ..self.clone()
        };
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, value) in unpaged.to_params() {
            for byte in name
                .bytes()
                .chain([b'='])
                .chain(value.bytes())
                .chain([b'&'])
            {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    }

    /// The cursor that continues after `last_id` (whose sort value PostgreSQL wrote as
    /// `last_key`).
    pub fn cursor_after(&self, last_id: i32, last_key: Option<String>) -> String {
        ClientCursor {
            fingerprint: self.fingerprint(),
            last_id,
            last_key,
        }
        .encode()
    }

    /// The URL parameters of this query, in the names [`ClientQuery::from_params`] reads
    /// (defaults left out, so links stay short); `page_size` is left to the reader.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(s) = &self.search {
            params.push(("q", s.clone()));
        }
        params.push(("sort", self.sort.code().to_owned()));
        params.push((
            "dir",
            if self.descending { "desc" } else { "asc" }.to_owned(),
        ));
        if self.include_closed {
            params.push(("closed", "1".to_owned()));
        }
        params.extend(self.filter.to_params());
        if self.page > 1 {
            params.push(("page", self.page.to_string()));
        }
        params
    }
}

fn flag(name: &str, value: &str) -> Result<bool, String> {
    match value.trim() {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        other => Err(format!("{name}={other:?}: use true or false")),
    }
}

/// A client found by the header's search: enough to tell namesakes apart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientHit {
    pub client_id: i32,
    pub name: String,
    pub client_code: Option<String>,
    pub city: Option<String>,
    pub rm_name: Option<String>,
    pub status: String,
}

/// A row of the client table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodPerformance {
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub portfolio: Option<f64>,
    pub benchmark: Option<f64>,
}

/// A dated value of one portfolio (for charts and the client-side what-if).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValuationPoint {
    pub date: NaiveDate,
    pub value: f64,
    pub flow: f64,
}

/// One security in a portfolio's holdings on a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holding {
    pub isin: String,
    pub name: String,
    pub asset_class: String,
    pub sector: Option<String>,
    pub market_cap: Option<String>,
    pub rating: Option<String>,
    pub quantity: Decimal,
    /// What was paid for the position, where the source reports it.
    pub cost_value: Option<Decimal>,
    pub market_value: Decimal,
    /// Share of the portfolio's holdings value.
    pub weight: f64,
}

/// A portfolio's holdings on one date (its latest unless another is asked for), largest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioHoldings {
    pub portfolio_id: i32,
    pub portfolio_code: String,
    /// The date of the snapshot shown (`None`: no holdings were ever loaded).
    pub as_of: Option<NaiveDate>,
    /// The snapshot dates there are, newest first (at most the last 24).
    pub dates: Vec<NaiveDate>,
    pub holdings: Vec<Holding>,
    pub market_value: Decimal,
    /// Total cost of the positions that report one.
    pub cost_value: Option<Decimal>,
}

/// One transaction of a portfolio, as Wealth Spectrum reported it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transaction {
    pub trade_date: NaiveDate,
    /// `BUY`, `SELL`, `DIVIDEND`, `INTEREST`, `INFLOW`, `OUTFLOW`, `MGMT_FEE`, `PERF_FEE`,
    /// `EXPENSE`, `SECURITY_IN` or `SECURITY_OUT`.
    pub txn_type: String,
    pub isin: Option<String>,
    pub security: Option<String>,
    pub quantity: Option<Decimal>,
    pub price: Option<Decimal>,
    /// Signed cash effect in rupees: purchases, withdrawals and fees are negative.
    pub amount: Decimal,
    pub charges: Decimal,
}

impl Transaction {
    /// Dividends and interest.
    pub fn is_income(&self) -> bool {
        matches!(self.txn_type.as_str(), "DIVIDEND" | "INTEREST")
    }

    /// Management and performance fees and other expenses.
    pub fn is_expense(&self) -> bool {
        matches!(self.txn_type.as_str(), "MGMT_FEE" | "PERF_FEE" | "EXPENSE")
    }

    /// The type as a statement reads it (`Management fee` for `MGMT_FEE`).
    pub fn type_label(&self) -> &str {
        match self.txn_type.as_str() {
            "BUY" => "Purchase",
            "SELL" => "Sale",
            "DIVIDEND" => "Dividend",
            "INTEREST" => "Interest",
            "INFLOW" => "Money in",
            "OUTFLOW" => "Money out",
            "MGMT_FEE" => "Management fee",
            "PERF_FEE" => "Performance fee",
            "EXPENSE" => "Expense",
            "SECURITY_IN" => "Securities in",
            "SECURITY_OUT" => "Securities out",
            other => other,
        }
    }
}

/// A portfolio's transactions over a period, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioTransactions {
    pub portfolio_id: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub transactions: Vec<Transaction>,
    /// More transactions fall in the period than one answer carries
    /// ([`PortfolioTransactions::MAX`]): ask for a shorter period.
    pub truncated: bool,
}

impl PortfolioTransactions {
    /// Transactions in one answer, at most.
    pub const MAX: usize = 10_000;
}

/// A change of a held debt security's credit rating.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatingChange {
    pub isin: String,
    pub name: String,
    pub old_rating: Option<String>,
    pub new_rating: Option<String>,
    pub changed_on: NaiveDate,
    /// The new rating is `D` (default).
    pub defaulted: bool,
}

/// What the browser's what-if recomputes from: a portfolio's daily values and flows, and how
/// its performance fee crystallises (its rates are on [`PortfolioSummary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhatIfInputs {
    pub points: Vec<ValuationPoint>,
    /// Every 31 March; otherwise every anniversary of inception.
    pub fy_end_crystallisation: bool,
}

/// Everything the client page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactSummary {
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivitySummary {
    pub date: Option<NaiveDate>,
    pub kind: String,
    pub activity_type: Option<String>,
    pub subject: Option<String>,
    pub rm_name: Option<String>,
}

#[cfg(test)]
mod query_tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<ClientQuery, String> {
        ClientQuery::from_params(
            |k| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            },
            25,
        )
    }

    #[test]
    fn a_cursor_survives_its_own_text_whatever_the_key() {
        for key in [
            None,
            Some("1523000.50"),
            Some("mehta & sons ए.दास"),
            Some(""),
        ] {
            let cursor = ClientCursor {
                fingerprint: 0xdead_beef_0123_4567,
                last_id: 42,
                last_key: key.map(str::to_owned),
            };
            let text = cursor.encode();
            assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'));
            assert_eq!(ClientCursor::decode(&text), Some(cursor));
        }
        for junk in [
            "",
            "c1",
            "c2.00.1.n",
            "c1.zz.1.n",
            "c1.00.x.n",
            "c1.00.1.kabc",
            "c1.00.1.q",
        ] {
            assert_eq!(ClientCursor::decode(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn a_cursor_continues_only_the_query_it_came_from() {
        let first = parse(&[("sort", "name"), ("risk", "Aggressive")]).unwrap();
        let cursor = first.cursor_after(7, Some("mehta".into()));
        let next = parse(&[
            ("sort", "name"),
            ("risk", "Aggressive"),
            ("cursor", &cursor),
        ])
        .unwrap();
        assert_eq!(next.after.as_ref().map(|c| c.last_id), Some(7));
        // The page size may change between pages; the rows and their order may not.
        assert!(parse(&[
            ("sort", "name"),
            ("risk", "Aggressive"),
            ("page_size", "5"),
            ("cursor", &cursor)
        ])
        .is_ok());
        let other = parse(&[("sort", "aum"), ("risk", "Aggressive"), ("cursor", &cursor)]);
        assert!(other
            .unwrap_err()
            .contains("different search, filter or order"));
        let junk = parse(&[("cursor", "page-2")]);
        assert!(junk.unwrap_err().starts_with("cursor:"));
    }

    #[test]
    fn a_query_survives_its_own_url() {
        let q = ClientQuery {
            search: Some("Shah & Sons".into()),
            sort: ClientSort::Name,
            descending: true,
            page: 3,
            page_size: 25,
            include_closed: true,
            filter: Filter {
                risk_profile: Some("Aggressive".into()),
                ..Filter::default()
            },
            after: None,
        };
        let params = q.to_params();
        let back = ClientQuery::from_params(
            |k| params.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()),
            25,
        );
        assert_eq!(back, Ok(q));
    }

    #[test]
    fn the_page_and_the_api_spellings_mean_the_same() {
        let page = parse(&[("q", "mehta"), ("dir", "asc"), ("closed", "1")]);
        let api = parse(&[
            ("search", "mehta"),
            ("desc", "false"),
            ("include_closed", "true"),
        ]);
        assert_eq!(page, api);
    }

    #[test]
    fn figures_sort_largest_first_and_names_alphabetically_by_default() {
        assert!(parse(&[("sort", "twrr")])
            .map(|q| q.descending)
            .unwrap_or(false));
        assert!(!parse(&[("sort", "name")])
            .map(|q| q.descending)
            .unwrap_or(true));
    }

    #[test]
    fn unreadable_values_name_the_parameter() {
        for (pairs, named) in [
            (vec![("sort", "size")], "sort="),
            (vec![("dir", "up")], "dir="),
            (vec![("page", "0")], "page="),
            (vec![("page_size", "many")], "page_size="),
            (vec![("closed", "maybe")], "closed="),
        ] {
            let err = parse(&pairs).expect_err("refused");
            assert!(err.starts_with(named), "{err}");
        }
    }
}

/// One RM's book in the league table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RmLeagueRow {
    pub rm_id: i32,
    pub name: String,
    pub team: Option<String>,
    pub clients: i64,
    pub portfolios: i64,
    pub aum: Decimal,
    pub net_flow_fytd: Decimal,
    /// Management and performance fees charged this financial year (positive).
    pub fees_fytd: Decimal,
    /// The book's pooled 1-year TWRR (METRICS.md "Groups of portfolios").
    pub twrr_1y: Option<f64>,
}

/// Clients and AUM in one place (a state, or a city of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoRow {
    pub state: String,
    pub city: Option<String>,
    pub clients: i64,
    pub aum: Decimal,
}

/// Clients joining and leaving in one financial year, and the year's retention.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientFlowRow {
    /// `FY2025-26`.
    pub label: String,
    pub joined: i64,
    pub left: i64,
    pub active_at_start: i64,
    pub active_at_end: i64,
    /// Clients active at both ends / clients active at the start (METRICS.md).
    pub retention: Option<f64>,
}

/// The analytics of the client book beside the client table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BookAnalytics {
    pub league: Vec<RmLeagueRow>,
    pub by_state: Vec<GeoRow>,
    pub by_city: Vec<GeoRow>,
    pub client_flows: Vec<ClientFlowRow>,
}
