//! The Wealth Spectrum reference reports: the security master and the client master (XLSX, as
//! the back office exports them, with typed dates and numbers), and the market files
//! (benchmark levels and security prices, CSV).

use std::path::Path;

use chrono::NaiveDate;
use pms_metrics::fees::Crystallisation;

use super::book::Book;
use super::calendar::Calendar;
use super::geography::CITIES;
use super::market::Market;
use super::strategies::{BENCHMARKS, IAS, STRATEGIES};
use super::trading::Outcome;
use super::writers::{Cell, CsvSink, Xlsx};
use super::DemoError;

pub(crate) const SECURITY_MASTER_HEADER: &[&str] = &[
    "ISIN",
    "SECURITY_NAME",
    "ASSET_CLASS",
    "SECTOR",
    "MARKET_CAP",
    "RATING",
    "SECURITY_TYPE",
];

pub(crate) const CLIENT_MASTER_HEADER: &[&str] = &[
    "CLIENT_CODE",
    "CLIENT_NAME",
    "PAN",
    "CLIENT_TYPE",
    "EMAIL",
    "MOBILE",
    "CITY",
    "STATE",
    "RISK_PROFILE",
    "ONBOARDING_DATE",
    "CLIENT_STATUS",
    "CLOSURE_DATE",
    "PORTFOLIO_CODE",
    "STRATEGY_CODE",
    "STRATEGY_NAME",
    "STRATEGY_CATEGORY",
    "IA_CODE",
    "IA_NAME",
    "BENCHMARK_CODE",
    "BENCHMARK_NAME",
    "INCEPTION_DATE",
    "PORTFOLIO_STATUS",
    "PORTFOLIO_CLOSURE_DATE",
    "MGMT_FEE_PCT",
    "PERF_FEE_PCT",
    "HURDLE_PCT",
    "HIGH_WATER_MARK",
    "FEE_CRYSTALLISATION",
];

pub(crate) fn write_security_master(
    path: &Path,
    market: &Market,
    as_of: NaiveDate,
) -> Result<u64, DemoError> {
    let widths = [14.0, 56.0, 12.0, 30.0, 11.0, 8.0, 26.0];
    let mut x = Xlsx::create(
        path,
        "Security Master",
        SECURITY_MASTER_HEADER,
        &widths,
        as_of,
    )?;
    for s in &market.securities {
        x.row(&[
            Cell::Text(&s.isin),
            Cell::Text(&s.name),
            Cell::Text(s.asset_class),
            Cell::Text(s.sector),
            Cell::Text(s.cap.map(|c| c.label()).unwrap_or("")),
            Cell::Text(s.rating.unwrap_or("")),
            Cell::Text(s.security_type),
        ])?;
    }
    x.finish()
}

/// One row per portfolio. `HIGH_WATER_MARK` is the current mark (rupees) of open portfolios
/// with a performance fee.
pub(crate) fn write_client_master(
    path: &Path,
    book: &Book,
    calendar: &Calendar,
    outcomes: &[Outcome],
    as_of: NaiveDate,
) -> Result<u64, DemoError> {
    let widths = [
        11.0, 40.0, 12.0, 16.0, 34.0, 17.0, 16.0, 16.0, 22.0, 12.0, 9.0, 12.0, 13.0, 12.0, 12.0,
        12.0, 9.0, 30.0, 24.0, 36.0, 12.0, 9.0, 12.0, 9.0, 9.0, 9.0, 16.0, 14.0,
    ];
    let mut x = Xlsx::create(path, "Client Master", CLIENT_MASTER_HEADER, &widths, as_of)?;
    for (i, p) in book.portfolios.iter().enumerate() {
        let c = &book.clients[p.client];
        let ia = &IAS[p.ia];
        let strategy = &STRATEGIES[ia.strategy];
        let benchmark = &BENCHMARKS[ia.benchmark];
        let city = &CITIES[c.city];
        let date_or_empty = |d: Option<NaiveDate>| d.map_or(Cell::Empty, Cell::Date);
        let hwm = outcomes[i]
            .high_water_mark
            .map_or(Cell::Empty, |paise| Cell::Number(paise as f64 / 100.0));
        x.row(&[
            Cell::Text(&c.code),
            Cell::Text(&c.name),
            Cell::Text(&c.pan),
            Cell::Text(c.kind.label()),
            Cell::Text(&c.email),
            Cell::Text(&c.mobile),
            Cell::Text(city.name),
            Cell::Text(city.state),
            Cell::Text(c.risk.label()),
            Cell::Date(c.onboarding),
            Cell::Text(if c.closure.is_some() {
                "Closed"
            } else {
                "Active"
            }),
            date_or_empty(c.closure),
            Cell::Text(&p.code),
            Cell::Text(strategy.code),
            Cell::Text(strategy.name),
            Cell::Text(strategy.category),
            Cell::Text(ia.code),
            Cell::Text(ia.name),
            Cell::Text(benchmark.code),
            Cell::Text(benchmark.name),
            Cell::Date(calendar.days[p.inception]),
            Cell::Text(if p.closure.is_some() {
                "Closed"
            } else {
                "Active"
            }),
            date_or_empty(p.closure.map(|d| calendar.days[d])),
            Cell::Number(p.mgmt_fee_bp as f64 / 100.0),
            Cell::Number(p.perf_fee_pct),
            Cell::Number(p.hurdle_pct),
            hwm,
            Cell::Text(match p.crystallisation {
                Crystallisation::Anniversary => "Anniversary",
                Crystallisation::FinancialYearEnd => "FY End",
            }),
        ])?;
    }
    x.finish()
}

pub(crate) fn write_benchmark_levels(
    path: &Path,
    market: &Market,
    calendar: &Calendar,
) -> Result<u64, DemoError> {
    let mut out = CsvSink::create(path, &["BENCHMARK_CODE", "LEVEL_DATE", "LEVEL"])?;
    for (b, levels) in market.levels.iter().enumerate() {
        for (day, level) in levels.iter().enumerate() {
            out.text(BENCHMARKS[b].code)
                .text(&calendar.text[day])
                .fixed((level * 100.0).round() as i64, 2);
            out.end_row()?;
        }
    }
    out.finish()
}

pub(crate) fn write_security_prices(
    path: &Path,
    market: &Market,
    calendar: &Calendar,
) -> Result<u64, DemoError> {
    let mut out = CsvSink::create(path, &["ISIN", "PRICE_DATE", "CLOSE_PRICE"])?;
    for (s, prices) in market.securities.iter().zip(&market.prices) {
        let d = s.price_decimals;
        let step = 10i64.pow(4 - d);
        for (day, price) in prices.iter().enumerate() {
            out.text(&s.isin)
                .text(&calendar.text[day])
                .fixed(price / step, d);
            out.end_row()?;
        }
    }
    out.finish()
}
