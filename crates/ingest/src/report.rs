//! The Wealth Spectrum reports the Hub reads, declared once: each report's fields (the staging
//! column, the default header, the type, whether it is required) and its key. Readers,
//! validation, staging and error messages all work from these declarations.

use serde::{Deserialize, Serialize};

/// One kind of Wealth Spectrum export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    ClientMaster,
    SecurityMaster,
    Holdings,
    Transactions,
    Valuations,
    BenchmarkLevels,
    SecurityPrices,
}

/// What a field holds, and so how its text is checked and converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text, trimmed; at most `max` characters.
    Text {
        max: usize,
    },
    /// An identifier from the source: trimmed, upper-cased, no spaces.
    Code,
    Date,
    /// Money or quantity with at most `scale` decimals; `min` is inclusive.
    Decimal {
        scale: u32,
        non_negative: bool,
    },
    /// A percentage per year (e.g. `1.50` = 1.5 %), 0–100.
    Percent,
    Isin,
    Pan,
    Email,
    /// One of a fixed list of canonical values (case-insensitive; profiles add synonyms).
    Choice(&'static [&'static str]),
}

#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// The staging column and the name profiles map from.
    pub key: &'static str,
    /// The header Wealth Spectrum's standard export uses.
    pub header: &'static str,
    pub kind: FieldKind,
    pub required: bool,
}

const fn req(key: &'static str, header: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        key,
        header,
        kind,
        required: true,
    }
}
const fn opt(key: &'static str, header: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        key,
        header,
        kind,
        required: false,
    }
}

const MONEY: FieldKind = FieldKind::Decimal {
    scale: 2,
    non_negative: false,
};
const MONEY_POS: FieldKind = FieldKind::Decimal {
    scale: 2,
    non_negative: true,
};
const QUANTITY: FieldKind = FieldKind::Decimal {
    scale: 6,
    non_negative: true,
};
const PRICE: FieldKind = FieldKind::Decimal {
    scale: 6,
    non_negative: true,
};
const NAME: FieldKind = FieldKind::Text { max: 200 };
const SHORT: FieldKind = FieldKind::Text { max: 60 };

pub const STRATEGY_CATEGORIES: &[&str] = &["Equity", "Debt", "Hybrid", "Multi Asset"];
pub const RISK_PROFILES: &[&str] = &[
    "Conservative",
    "Moderately Conservative",
    "Moderate",
    "Moderately Aggressive",
    "Aggressive",
];
pub const STATUSES: &[&str] = &["Active", "Closed"];
pub const CRYSTALLISATION: &[&str] = &["anniversary", "fy_end"];
pub const ASSET_CLASSES: &[&str] = &["Equity", "Debt", "Hybrid", "Cash", "Commodity", "Other"];
pub const MARKET_CAPS: &[&str] = &["Large Cap", "Mid Cap", "Small Cap"];
pub const TXN_TYPES: &[&str] = &[
    "BUY",
    "SELL",
    "DIVIDEND",
    "INTEREST",
    "INFLOW",
    "OUTFLOW",
    "MGMT_FEE",
    "PERF_FEE",
    "EXPENSE",
    "SECURITY_IN",
    "SECURITY_OUT",
];

const CLIENT_MASTER: &[FieldSpec] = &[
    req("client_code", "CLIENT_CODE", FieldKind::Code),
    req("client_name", "CLIENT_NAME", NAME),
    req("pan", "PAN", FieldKind::Pan),
    opt("client_type", "CLIENT_TYPE", SHORT),
    opt("email", "EMAIL", FieldKind::Email),
    opt("mobile", "MOBILE", SHORT),
    opt("city", "CITY", SHORT),
    opt("state", "STATE", SHORT),
    opt(
        "risk_profile",
        "RISK_PROFILE",
        FieldKind::Choice(RISK_PROFILES),
    ),
    req("onboarding_date", "ONBOARDING_DATE", FieldKind::Date),
    opt(
        "client_status",
        "CLIENT_STATUS",
        FieldKind::Choice(STATUSES),
    ),
    opt("closure_date", "CLOSURE_DATE", FieldKind::Date),
    req("portfolio_code", "PORTFOLIO_CODE", FieldKind::Code),
    req("strategy_code", "STRATEGY_CODE", FieldKind::Code),
    req("strategy_name", "STRATEGY_NAME", NAME),
    req(
        "strategy_category",
        "STRATEGY_CATEGORY",
        FieldKind::Choice(STRATEGY_CATEGORIES),
    ),
    req("ia_code", "IA_CODE", FieldKind::Code),
    req("ia_name", "IA_NAME", NAME),
    req("benchmark_code", "BENCHMARK_CODE", FieldKind::Code),
    opt("benchmark_name", "BENCHMARK_NAME", NAME),
    req("inception_date", "INCEPTION_DATE", FieldKind::Date),
    opt(
        "portfolio_status",
        "PORTFOLIO_STATUS",
        FieldKind::Choice(STATUSES),
    ),
    opt(
        "portfolio_closure_date",
        "PORTFOLIO_CLOSURE_DATE",
        FieldKind::Date,
    ),
    opt("mgmt_fee_pct", "MGMT_FEE_PCT", FieldKind::Percent),
    opt("perf_fee_pct", "PERF_FEE_PCT", FieldKind::Percent),
    opt("hurdle_pct", "HURDLE_PCT", FieldKind::Percent),
    opt("high_water_mark", "HIGH_WATER_MARK", MONEY_POS),
    opt(
        "fee_crystallisation",
        "FEE_CRYSTALLISATION",
        FieldKind::Choice(CRYSTALLISATION),
    ),
];

const SECURITY_MASTER: &[FieldSpec] = &[
    req("isin", "ISIN", FieldKind::Isin),
    req("security_name", "SECURITY_NAME", NAME),
    req(
        "asset_class",
        "ASSET_CLASS",
        FieldKind::Choice(ASSET_CLASSES),
    ),
    opt("sector", "SECTOR", SHORT),
    opt("market_cap", "MARKET_CAP", FieldKind::Choice(MARKET_CAPS)),
    opt("rating", "RATING", FieldKind::Text { max: 20 }),
    opt("security_type", "SECURITY_TYPE", SHORT),
];

const HOLDINGS: &[FieldSpec] = &[
    req("as_of", "AS_OF_DATE", FieldKind::Date),
    req("portfolio_code", "PORTFOLIO_CODE", FieldKind::Code),
    req("isin", "ISIN", FieldKind::Isin),
    req("quantity", "QUANTITY", QUANTITY),
    opt("cost_value", "COST_VALUE", MONEY_POS),
    req("market_value", "MARKET_VALUE", MONEY_POS),
];

const TRANSACTIONS: &[FieldSpec] = &[
    req("txn_ref", "TRAN_ID", FieldKind::Code),
    req("portfolio_code", "PORTFOLIO_CODE", FieldKind::Code),
    req("trade_date", "TRAN_DATE", FieldKind::Date),
    opt("settle_date", "SETTLE_DATE", FieldKind::Date),
    req("txn_type", "TRAN_TYPE", FieldKind::Choice(TXN_TYPES)),
    opt("isin", "ISIN", FieldKind::Isin),
    opt("quantity", "QUANTITY", QUANTITY),
    opt("price", "PRICE", PRICE),
    req("amount", "AMOUNT", MONEY),
    opt("charges", "CHARGES", MONEY_POS),
];

const VALUATIONS: &[FieldSpec] = &[
    req("valuation_date", "VALUATION_DATE", FieldKind::Date),
    req("portfolio_code", "PORTFOLIO_CODE", FieldKind::Code),
    req("market_value", "MARKET_VALUE", MONEY_POS),
    opt("net_flow", "NET_FLOW", MONEY),
];

const BENCHMARK_LEVELS: &[FieldSpec] = &[
    req("benchmark_code", "BENCHMARK_CODE", FieldKind::Code),
    req("level_date", "LEVEL_DATE", FieldKind::Date),
    req("level", "LEVEL", PRICE),
];

const SECURITY_PRICES: &[FieldSpec] = &[
    req("isin", "ISIN", FieldKind::Isin),
    req("price_date", "PRICE_DATE", FieldKind::Date),
    req("close_price", "CLOSE_PRICE", PRICE),
];

impl ReportKind {
    pub const ALL: [ReportKind; 7] = [
        ReportKind::ClientMaster,
        ReportKind::SecurityMaster,
        ReportKind::Holdings,
        ReportKind::Transactions,
        ReportKind::Valuations,
        ReportKind::BenchmarkLevels,
        ReportKind::SecurityPrices,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportKind::ClientMaster => "client_master",
            ReportKind::SecurityMaster => "security_master",
            ReportKind::Holdings => "holdings",
            ReportKind::Transactions => "transactions",
            ReportKind::Valuations => "valuations",
            ReportKind::BenchmarkLevels => "benchmark_levels",
            ReportKind::SecurityPrices => "security_prices",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportKind::ClientMaster => "Client master",
            ReportKind::SecurityMaster => "Security master",
            ReportKind::Holdings => "Holdings",
            ReportKind::Transactions => "Transactions",
            ReportKind::Valuations => "Daily valuations",
            ReportKind::BenchmarkLevels => "Benchmark levels",
            ReportKind::SecurityPrices => "Security prices",
        }
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            ReportKind::ClientMaster => CLIENT_MASTER,
            ReportKind::SecurityMaster => SECURITY_MASTER,
            ReportKind::Holdings => HOLDINGS,
            ReportKind::Transactions => TRANSACTIONS,
            ReportKind::Valuations => VALUATIONS,
            ReportKind::BenchmarkLevels => BENCHMARK_LEVELS,
            ReportKind::SecurityPrices => SECURITY_PRICES,
        }
    }

    /// The fields that identify a row (duplicates of the key within a file are an error).
    pub fn key(self) -> &'static [&'static str] {
        match self {
            ReportKind::ClientMaster => &["portfolio_code"],
            ReportKind::SecurityMaster => &["isin"],
            ReportKind::Holdings => &["as_of", "portfolio_code", "isin"],
            ReportKind::Transactions => &["txn_ref"],
            ReportKind::Valuations => &["portfolio_code", "valuation_date"],
            ReportKind::BenchmarkLevels => &["benchmark_code", "level_date"],
            ReportKind::SecurityPrices => &["isin", "price_date"],
        }
    }

    /// The main date field: what "as of" a load of the report is (its latest value).
    pub fn as_of_field(self) -> Option<&'static str> {
        match self {
            ReportKind::Holdings => Some("as_of"),
            ReportKind::Transactions => Some("trade_date"),
            ReportKind::Valuations => Some("valuation_date"),
            ReportKind::BenchmarkLevels => Some("level_date"),
            ReportKind::SecurityPrices => Some("price_date"),
            ReportKind::ClientMaster | ReportKind::SecurityMaster => None,
        }
    }

    pub fn field(self, key: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.key == key)
    }
}

impl std::fmt::Display for ReportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
