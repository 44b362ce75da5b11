//! The client statement for a period: what the client had and has, what moved, what it earned
//! and cost, how it performed against the benchmark, and which debt holdings were downgraded.
//!
//! [`compose`] turns the use cases' figures into the statement's content (every number already
//! formatted by the same functions the screens use, so a figure in the PDF reads exactly as it
//! does on the client page); [`render`] lays it out.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use pms_domain::clients::{
    ClientDetail, PortfolioHoldings, PortfolioSummary, RatingChange, Transaction, ValuationPoint,
};
use pms_domain::compliance::FeeRow;
use pms_metrics::format::{grouped, inr, inr_short, percent};
use pms_metrics::{DateRange, PerformanceSeries, Period};
use rust_decimal::Decimal;
use serde::Serialize;

pub use pms_domain::reports::StatementPeriod;

use crate::frame::{date, Frame, ReportMeta};
use crate::world::{render_pdf, Template};
use crate::ReportError;

/// At most this many transactions per portfolio are listed (the totals count them all).
pub const TRANSACTIONS_LISTED: usize = 400;
/// Points of the value and drawdown charts (month ends).
const CHART_POINTS: usize = 120;

/// What the statement of one portfolio is made from.
#[derive(Clone, Debug)]
pub struct PortfolioInputs {
    pub portfolio: PortfolioSummary,
    pub valuations: Vec<ValuationPoint>,
    /// The snapshot on or before the period's end.
    pub holdings: PortfolioHoldings,
    /// The period's transactions, oldest first.
    pub transactions: Vec<Transaction>,
    pub fees: Option<FeeRow>,
    /// Rating changes of its debt holdings in the period that lowered the rating.
    pub downgrades: Vec<RatingChange>,
}

/// Everything a client statement is made from.
#[derive(Clone, Debug)]
pub struct StatementInputs {
    pub meta: ReportMeta,
    pub period: StatementPeriod,
    pub client: ClientDetail,
    pub portfolios: Vec<PortfolioInputs>,
}

/// The statement's content, as the template reads it.
#[derive(Clone, Debug, Serialize)]
pub struct Statement {
    pub frame: Frame,
    pub client: Vec<[String; 2]>,
    pub period: String,
    pub totals: Vec<[String; 2]>,
    pub portfolios: Vec<PortfolioStatement>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PortfolioStatement {
    pub title: String,
    pub facts: Vec<[String; 2]>,
    pub movement: Vec<[String; 2]>,
    pub performance: Vec<[String; 4]>,
    pub performance_as_of: String,
    pub chart: Option<Chart>,
    pub holdings_as_of: String,
    pub holdings: Vec<[String; 6]>,
    pub by_asset_class: Vec<Slice>,
    pub by_sector: Vec<Slice>,
    pub transactions: Vec<[String; 5]>,
    pub transactions_not_listed: usize,
    pub income: Vec<[String; 2]>,
    pub expenses: Vec<[String; 2]>,
    pub fees: Vec<[String; 2]>,
    pub downgrades: Vec<[String; 5]>,
}

/// One part of an allocation: its label, value, weight and the weight as a fraction for bars.
#[derive(Clone, Debug, Serialize)]
pub struct Slice {
    pub label: String,
    pub value: String,
    pub weight: String,
    pub fraction: f64,
}

/// The value line and the drawdown (underwater) area, scaled to 0..1 on both axes.
#[derive(Clone, Debug, Serialize)]
pub struct Chart {
    pub value: Vec<[f64; 2]>,
    pub drawdown: Vec<[f64; 2]>,
    pub value_top: String,
    pub value_bottom: String,
    pub deepest: String,
    pub first: String,
    pub last: String,
}

/// The statement's content from its inputs.
pub fn compose(inputs: &StatementInputs) -> Statement {
    let period = inputs.period;
    let client = &inputs.client;
    let summary = &client.summary;
    let portfolios: Vec<(PortfolioStatement, Movement)> = inputs
        .portfolios
        .iter()
        .map(|p| portfolio_statement(p, period))
        .collect();
    let total = portfolios
        .iter()
        .fold(Movement::default(), |sum, (_, m)| sum.plus(m));
    let location = [summary.city.as_deref(), summary.state.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let client_rows = [
        ("Client", Some(summary.name.clone())),
        ("Client code", summary.client_code.clone()),
        ("PAN", client.pan_masked.clone()),
        ("Relationship manager", summary.rm_name.clone()),
        ("Risk profile", summary.risk_profile.clone()),
        ("Location", (!location.is_empty()).then_some(location)),
        ("Client since", summary.onboarding_date.map(date)),
    ];
    Statement {
        frame: inputs.meta.frame(
            "Client statement",
            &format!("{} · {}", summary.name, period.label()),
        ),
        client: client_rows
            .into_iter()
            .filter_map(|(label, value)| value.map(|v| [label.to_owned(), v]))
            .collect(),
        period: period.label(),
        totals: total.rows(period),
        portfolios: portfolios.into_iter().map(|(p, _)| p).collect(),
    }
}

/// Lays the statement out as a PDF. A logo typst cannot read (a damaged file that looked like
/// an image when it was uploaded) costs the header its logo, not the client their statement.
pub fn render(inputs: &StatementInputs) -> Result<Vec<u8>, ReportError> {
    let mut statement = compose(inputs);
    let today = inputs.meta.generated_at.date_naive();
    let data =
        |s: &Statement| serde_json::to_value(s).map_err(|e| ReportError::Data(e.to_string()));
    match render_pdf(
        Template::ClientStatement,
        &data(&statement)?,
        inputs.meta.logo.as_ref(),
        today,
    ) {
        Err(ReportError::Layout(_)) if statement.frame.logo.is_some() => {
            statement.frame.logo = None;
            render_pdf(Template::ClientStatement, &data(&statement)?, None, today)
        }
        result => result,
    }
}

/// Values and money moved over the period.
#[derive(Clone, Copy, Debug, Default)]
struct Movement {
    opening: f64,
    net_flows: f64,
    closing: f64,
    income: Decimal,
    expenses: Decimal,
}

impl Movement {
    fn plus(self, other: &Movement) -> Movement {
        Movement {
            opening: self.opening + other.opening,
            net_flows: self.net_flows + other.net_flows,
            closing: self.closing + other.closing,
            income: self.income + other.income,
            expenses: self.expenses + other.expenses,
        }
    }

    fn gain(&self) -> f64 {
        self.closing - self.opening - self.net_flows
    }

    fn rows(&self, period: StatementPeriod) -> Vec<[String; 2]> {
        vec![
            [
                format!(
                    "Value on {}",
                    date(period.from.pred_opt().unwrap_or(period.from))
                ),
                inr(self.opening),
            ],
            ["Money in less money out".into(), inr(self.net_flows)],
            ["Gain or loss".into(), inr(self.gain())],
            [format!("Value on {}", date(period.to)), inr(self.closing)],
            ["Income (dividends and interest)".into(), inr(self.income)],
            ["Fees and expenses".into(), inr(self.expenses)],
        ]
    }
}

fn portfolio_statement(
    inputs: &PortfolioInputs,
    period: StatementPeriod,
) -> (PortfolioStatement, Movement) {
    let p = &inputs.portfolio;
    let series = performance_series(&inputs.valuations);
    let mut movement = movement(&inputs.valuations, period);
    movement.income = inputs
        .transactions
        .iter()
        .filter(|t| t.is_income())
        .map(|t| t.amount)
        .sum();
    movement.expenses = inputs
        .transactions
        .iter()
        .filter(|t| t.is_expense())
        .map(|t| t.amount)
        .sum();
    // A portfolio opened within the period is measured from its inception.
    let period_twrr = series.as_ref().and_then(|s| {
        let range = DateRange::new(period.from, period.to).ok()?;
        let measured = if s.first_date() > period.from {
            Period::SinceInception
        } else {
            Period::Custom(range)
        };
        s.period_return(measured, period.to).ok()
    });
    let mut rows = movement.rows(period);
    rows.push([
        "Time-weighted return over the period".into(),
        period_twrr.map_or_else(|| "—".into(), |r| percent(r.cumulative)),
    ]);
    let statement = PortfolioStatement {
        title: format!("{} · {}", p.code, p.strategy),
        facts: vec![
            ["Investment approach".into(), p.investment_approach.clone()],
            ["Benchmark".into(), p.benchmark.clone()],
            ["Started".into(), date(p.inception_date)],
            ["Status".into(), p.status.clone()],
            [
                "Fees".into(),
                // As the client page words it.
                format!(
                    "management {}% a year; performance {}% above a {}% hurdle (high water mark)",
                    p.mgmt_fee_pct.normalize(),
                    p.perf_fee_pct.normalize(),
                    p.hurdle_pct.normalize()
                ),
            ],
        ],
        movement: rows,
        performance: performance_rows(p),
        performance_as_of: p.as_of.map_or_else(
            || "no valuation yet".into(),
            |d| format!("as of {}", date(d)),
        ),
        chart: series.as_ref().and_then(|s| chart(s, period.to)),
        holdings_as_of: inputs.holdings.as_of.map_or_else(
            || "No holdings were loaded.".into(),
            |d| format!("Holdings on {}", date(d)),
        ),
        holdings: inputs
            .holdings
            .holdings
            .iter()
            .map(|h| {
                [
                    h.name.clone(),
                    h.asset_class.clone(),
                    h.sector.clone().unwrap_or_else(|| "—".into()),
                    grouped(h.quantity.normalize(), 0),
                    inr(h.market_value),
                    percent(h.weight),
                ]
            })
            .collect(),
        by_asset_class: allocation(&inputs.holdings, |h| h.asset_class.clone()),
        by_sector: allocation(&inputs.holdings, |h| {
            h.sector.clone().unwrap_or_else(|| "Other".into())
        }),
        transactions: inputs
            .transactions
            .iter()
            .take(TRANSACTIONS_LISTED)
            .map(|t| {
                [
                    date(t.trade_date),
                    t.type_label().to_owned(),
                    t.security.clone().unwrap_or_default(),
                    t.quantity
                        .map_or_else(String::new, |q| grouped(q.normalize(), 0)),
                    inr(t.amount),
                ]
            })
            .collect(),
        transactions_not_listed: inputs
            .transactions
            .len()
            .saturating_sub(TRANSACTIONS_LISTED),
        income: totals_by_type(inputs.transactions.iter().filter(|t| t.is_income())),
        expenses: totals_by_type(inputs.transactions.iter().filter(|t| t.is_expense())),
        fees: fee_rows(inputs.fees.as_ref()),
        downgrades: inputs
            .downgrades
            .iter()
            .map(|d| {
                [
                    d.name.clone(),
                    d.isin.clone(),
                    d.old_rating.clone().unwrap_or_else(|| "unrated".into()),
                    d.new_rating.clone().unwrap_or_else(|| "unrated".into())
                        + if d.defaulted { " (default)" } else { "" },
                    date(d.changed_on),
                ]
            })
            .collect(),
    };
    (statement, movement)
}

fn performance_series(valuations: &[ValuationPoint]) -> Option<PerformanceSeries> {
    PerformanceSeries::from_daily(valuations.iter().map(|v| (v.date, v.value, v.flow))).ok()
}

/// Opening value (the last valuation before the period), closing value (the last on or before
/// its end) and the net external flows between.
fn movement(valuations: &[ValuationPoint], period: StatementPeriod) -> Movement {
    let last_on_or_before = |day: NaiveDate| {
        valuations
            .iter()
            .filter(|v| v.date <= day)
            .max_by_key(|v| v.date)
            .map_or(0.0, |v| v.value)
    };
    Movement {
        opening: period.from.pred_opt().map_or(0.0, last_on_or_before),
        closing: last_on_or_before(period.to),
        net_flows: valuations
            .iter()
            .filter(|v| v.date >= period.from && v.date <= period.to)
            .map(|v| v.flow)
            .sum(),
        ..Movement::default()
    }
}

fn performance_rows(p: &PortfolioSummary) -> Vec<[String; 4]> {
    let mut rows: Vec<[String; 4]> = p
        .periods
        .iter()
        .map(|row| {
            let excess = row.portfolio.zip(row.benchmark).map(|(a, b)| a - b);
            [
                row.period.clone(),
                percent(row.portfolio),
                percent(row.benchmark),
                percent(excess),
            ]
        })
        .collect();
    rows.push([
        "Money-weighted (XIRR) since inception".into(),
        percent(p.xirr_si),
        String::new(),
        String::new(),
    ]);
    rows
}

fn allocation(
    holdings: &PortfolioHoldings,
    key: impl Fn(&pms_domain::clients::Holding) -> String,
) -> Vec<Slice> {
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for h in &holdings.holdings {
        *sums.entry(key(h)).or_default() += h.market_value;
    }
    let total: Decimal = sums.values().copied().sum();
    let mut slices: Vec<(String, Decimal)> = sums.into_iter().collect();
    slices.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    slices
        .into_iter()
        .map(|(label, value)| {
            let fraction = if total.is_zero() {
                0.0
            } else {
                rust_decimal::prelude::ToPrimitive::to_f64(&(value / total)).unwrap_or(0.0)
            };
            Slice {
                label,
                value: inr(value),
                weight: percent(fraction),
                fraction,
            }
        })
        .collect()
}

fn totals_by_type<'a>(transactions: impl Iterator<Item = &'a Transaction>) -> Vec<[String; 2]> {
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for t in transactions {
        *sums.entry(t.type_label().to_owned()).or_default() += t.amount;
    }
    sums.into_iter()
        .map(|(label, amount)| [label, inr(amount)])
        .collect()
}

fn fee_rows(fees: Option<&FeeRow>) -> Vec<[String; 2]> {
    let Some(f) = fees else {
        return Vec::new();
    };
    vec![
        ["Valued on".into(), date(f.as_of)],
        ["High water mark".into(), inr(f.high_water_mark)],
        ["Hurdle value".into(), inr(f.hurdle_value)],
        ["Performance fee accrued".into(), inr(f.perf_fee_accrued)],
        [
            "Next crystallisation".into(),
            f.next_crystallisation.map_or_else(|| "—".into(), date),
        ],
        ["Management fee accrued".into(), inr(f.mgmt_fee_accrued)],
    ]
}

/// The value at month ends up to `to`, and the drawdown of the TWRR index below its peak.
fn chart(series: &PerformanceSeries, to: NaiveDate) -> Option<Chart> {
    let dates = series.dates();
    let values = series.values();
    let mut index = Vec::with_capacity(dates.len());
    let mut growth = 1.0;
    index.push(growth);
    for r in series.daily_returns() {
        growth *= 1.0 + r;
        index.push(growth);
    }
    // The last valuation of each month, and of the period.
    let mut picks: Vec<usize> = (0..dates.len())
        .filter(|&i| dates[i] <= to)
        .filter(|&i| {
            i + 1 == dates.len()
                || dates[i + 1] > to
                || (dates[i + 1].year(), dates[i + 1].month())
                    != (dates[i].year(), dates[i].month())
        })
        .collect();
    if picks.len() < 2 {
        return None;
    }
    if picks.len() > CHART_POINTS {
        picks.drain(..picks.len() - CHART_POINTS);
    }
    // The value axis spans the values shown, with a little room above and below.
    let high = picks.iter().map(|&i| values[i]).fold(f64::MIN, f64::max);
    let low = picks.iter().map(|&i| values[i]).fold(f64::MAX, f64::min);
    let room = ((high - low) * 0.08).max(high.abs() * 0.01);
    let (top, bottom) = (high + room, (low - room).max(0.0));
    let span = (top - bottom).max(1.0);
    let last = picks.len() - 1;
    let x = |k: usize| k as f64 / last as f64;
    let mut peak = f64::MIN;
    let drawdowns: Vec<f64> = picks
        .iter()
        .map(|&i| {
            peak = peak.max(index[i]);
            index[i] / peak - 1.0
        })
        .collect();
    let deepest = drawdowns.iter().copied().fold(0.0, f64::min);
    let depth = deepest.abs().max(0.01);
    Some(Chart {
        value: picks
            .iter()
            .enumerate()
            .map(|(k, &i)| [x(k), (values[i] - bottom) / span])
            .collect(),
        drawdown: drawdowns
            .iter()
            .enumerate()
            .map(|(k, d)| [x(k), -d / depth])
            .collect(),
        value_top: inr_short(top),
        value_bottom: inr_short(bottom),
        deepest: percent(deepest),
        first: date(dates[picks[0]]),
        last: date(dates[picks[last]]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn movement_takes_the_value_before_the_period_and_the_flows_within_it() {
        let points = [
            (day(2025, 6, 30), 100.0, 0.0),
            (day(2025, 7, 10), 160.0, 50.0),
            (day(2025, 9, 30), 170.0, 0.0),
            (day(2025, 10, 1), 500.0, 300.0),
        ]
        .map(|(date, value, flow)| ValuationPoint { date, value, flow });
        let m = movement(
            &points,
            StatementPeriod::new(day(2025, 7, 1), day(2025, 9, 30)).unwrap(),
        );
        assert_eq!((m.opening, m.net_flows, m.closing), (100.0, 50.0, 170.0));
        assert_eq!(m.gain(), 20.0);
    }
}
