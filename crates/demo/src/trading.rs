//! A portfolio's life, day by day: funding and deployment, dividends and coupons, top-ups
//! (some SIP-like, every quarter) and withdrawals, rebalancing, management fees every quarter,
//! performance fees at crystallisation, an annual expense, and for closed portfolios the final
//! sale and payout. Every step is booked as a Wealth Spectrum transaction; the same state gives
//! the daily valuations and the month-end holdings, so the three reports agree exactly:
//!
//! - Cash moves only by transactions: `AMOUNT` is the net cash effect (consideration plus
//!   charges on a BUY, less charges on a SELL; `CHARGES` are shown for information), signed by
//!   the type: BUY, OUTFLOW, MGMT_FEE, PERF_FEE, EXPENSE take cash; SELL, INFLOW, DIVIDEND,
//!   INTEREST bring it.
//! - A holding's value is `QUANTITY × CLOSE_PRICE` rounded to the paisa (half up);
//!   `MARKET_VALUE` = Σ holdings + cash at the end of the day (trade-date accounting), and
//!   `NET_FLOW` = that day's INFLOW − OUTFLOW, already included in the value.
//! - Fees follow `pms_metrics::fees`: the management fee accrues every calendar day on the last
//!   valuation at `rate / 365` (rounded per day) and is debited on the first business day after
//!   each calendar quarter; the performance fee is computed on the value at each crystallisation
//!   date against the flow-adjusted high water mark and pro-rata hurdle, and debited on the next
//!   business day.

use chrono::{Datelike, NaiveDate};
use pms_metrics::fees::crystallisation_dates;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::book::{Portfolio, LAKH, MIN_TICKET};
use super::calendar::Calendar;
use super::market::{Income, Market, PRICE_SCALE};
use super::random::{gap, normal, stream, Purpose};
use super::strategies::IAS;
use super::writers::CsvSink;
use super::DemoError;

pub(crate) const TRANSACTION_HEADER: &[&str] = &[
    "TRAN_ID",
    "PORTFOLIO_CODE",
    "TRAN_DATE",
    "SETTLE_DATE",
    "TRAN_TYPE",
    "ISIN",
    "QUANTITY",
    "PRICE",
    "AMOUNT",
    "CHARGES",
];
pub(crate) const VALUATION_HEADER: &[&str] = &[
    "VALUATION_DATE",
    "PORTFOLIO_CODE",
    "MARKET_VALUE",
    "NET_FLOW",
];
pub(crate) const HOLDING_HEADER: &[&str] = &[
    "AS_OF_DATE",
    "PORTFOLIO_CODE",
    "ISIN",
    "QUANTITY",
    "COST_VALUE",
    "MARKET_VALUE",
];

/// Quantities are held in thousandths of a unit.
const QTY_SCALE: i64 = 1_000;

/// Value in paise of `qty` thousandths of a unit at `price` ten-thousandths of a rupee.
pub(crate) fn holding_value(qty: i64, price: i64) -> i64 {
    // qty × price is in 10⁻⁷ rupees = 10⁻⁵ paise.
    const DIV: i64 = QTY_SCALE * PRICE_SCALE / 100;
    match qty.checked_mul(price) {
        Some(p) => (p + DIV / 2).div_euclid(DIV),
        None => {
            ((i128::from(qty) * i128::from(price) + i128::from(DIV / 2)) / i128::from(DIV)) as i64
        }
    }
}

/// The securities an IA's managers pick from, per sleeve (its "model portfolio" candidates),
/// so that portfolios of one IA hold much the same names, as they do in practice.
pub(crate) fn ia_models(seed: u64, market: &Market) -> Vec<Vec<Vec<u32>>> {
    IAS.iter()
        .enumerate()
        .map(|(i, ia)| {
            let mut rng = stream(seed, Purpose::Selection, 100 + i as u64);
            // Sleeves may draw on overlapping universes (quality and large caps); a security
            // belongs to the first sleeve that picks it, so a portfolio never holds it twice.
            let mut taken: Vec<u32> = Vec::new();
            let mut sleeves = Vec::with_capacity(ia.sleeves.len());
            for (universe, weight) in ia.sleeves {
                // Research has some edge: candidates are ranked by the stock's true drift seen
                // through a lot of noise.
                let mut ranked: Vec<(f64, u32)> = market
                    .securities
                    .iter()
                    .enumerate()
                    .filter(|(k, s)| s.in_universe(*universe) && !taken.contains(&(*k as u32)))
                    .map(|(k, s)| (s.alpha * 252.0 + 0.06 * normal(&mut rng), k as u32))
                    .collect();
                ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let mut list: Vec<u32> = ranked.into_iter().map(|x| x.1).collect();
                let needed = (ia.holdings.1 as f64 * weight).ceil() as usize;
                list.truncate((needed * 8 / 5).max(needed + 3));
                taken.extend(&list);
                sleeves.push(list);
            }
            sleeves
        })
        .collect()
}

/// What the trading of all portfolios shares.
pub(crate) struct Context<'a> {
    pub seed: u64,
    pub calendar: &'a Calendar,
    pub market: &'a Market,
    pub models: &'a [Vec<Vec<u32>>],
    /// Days with a holdings snapshot.
    pub snapshot: Vec<bool>,
    /// The latest month-end (the AUM Salesforce shows).
    pub last_month_end: Option<usize>,
}

pub(crate) struct Sinks {
    pub transactions: CsvSink,
    pub valuations: CsvSink,
    pub holdings: CsvSink,
    pub next_tran_id: u64,
}

/// What the rest of the data set needs to know about a portfolio after its history.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Outcome {
    /// Market value at the last day (0 when closed), paise.
    pub value: i64,
    /// Market value at the latest month-end, paise.
    pub month_end_value: i64,
    /// Current high water mark for portfolios with a performance fee, paise.
    pub high_water_mark: Option<i64>,
}

struct Position {
    security: u32,
    qty: i64,
    /// Cost including charges, paise; reduced pro rata on sales.
    cost: i64,
    /// Target share of the portfolio.
    target: f64,
    sleeve: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tx {
    Buy,
    Sell,
    Dividend,
    Interest,
    Inflow,
    Outflow,
    MgmtFee,
    PerfFee,
    Expense,
}

impl Tx {
    fn code(self) -> &'static str {
        match self {
            Tx::Buy => "BUY",
            Tx::Sell => "SELL",
            Tx::Dividend => "DIVIDEND",
            Tx::Interest => "INTEREST",
            Tx::Inflow => "INFLOW",
            Tx::Outflow => "OUTFLOW",
            Tx::MgmtFee => "MGMT_FEE",
            Tx::PerfFee => "PERF_FEE",
            Tx::Expense => "EXPENSE",
        }
    }
}

/// The high-water-mark bookkeeping of `pms_metrics::fees::performance_fee_schedule`, kept as
/// the days go by.
struct Hwm {
    mark: f64,
    dated: f64,
    period_start: NaiveDate,
    dates: Vec<NaiveDate>,
    next: usize,
}

struct Sim<'a> {
    ctx: &'a Context<'a>,
    p: &'a Portfolio,
    rng: ChaCha8Rng,
    out: &'a mut Sinks,
    day: usize,
    cash: i64,
    positions: Vec<Position>,
    /// Net external flow of the current day.
    flow: i64,
}

impl<'a> Sim<'a> {
    fn price(&self, security: u32) -> i64 {
        self.ctx.market.price(security, self.day)
    }

    fn value_of(&self, k: usize) -> i64 {
        let pos = &self.positions[k];
        holding_value(pos.qty, self.price(pos.security))
    }

    fn market_value(&self) -> i64 {
        self.cash
            + (0..self.positions.len())
                .map(|k| self.value_of(k))
                .sum::<i64>()
    }

    fn book(
        &mut self,
        tx: Tx,
        security: Option<u32>,
        qty: i64,
        price: i64,
        amount: i64,
        charges: i64,
    ) -> Result<(), DemoError> {
        let ctx = self.ctx;
        let day = self.day;
        let id = self.out.next_tran_id;
        self.out.next_tran_id += 1;
        let out = &mut self.out.transactions;
        let mut id_text = [0u8; 10];
        id_text[0] = b'T';
        let mut x = id;
        for slot in id_text[1..].iter_mut().rev() {
            *slot = b'0' + (x % 10) as u8;
            x /= 10;
        }
        out.text(std::str::from_utf8(&id_text).unwrap_or("T"))
            .text(&self.p.code)
            .text(&ctx.calendar.text[day]);
        let trade = matches!(tx, Tx::Buy | Tx::Sell);
        if trade {
            match ctx.calendar.text.get(day + 1) {
                Some(next) => out.text(next),
                None => out.text(&super::calendar::dmy(ctx.calendar.settlement(day))),
            };
        } else {
            out.text(&ctx.calendar.text[day]);
        }
        out.text(tx.code());
        match security {
            Some(s) => {
                let sec = &ctx.market.securities[s as usize];
                out.text(&sec.isin);
                if trade {
                    if sec.whole_units {
                        out.fixed(qty / QTY_SCALE, 0);
                    } else {
                        out.fixed(qty, 3);
                    }
                    let d = sec.price_decimals;
                    out.fixed(price / 10i64.pow(4 - d), d);
                } else {
                    out.empty().empty();
                }
            }
            None => {
                out.empty().empty().empty();
            }
        }
        out.indian(amount).fixed(charges, 2);
        out.end_row()
    }

    fn buy(&mut self, k: usize, budget: i64) -> Result<(), DemoError> {
        let security = self.positions[k].security;
        let sec = &self.ctx.market.securities[security as usize];
        let price = self.price(security);
        let rate = sec.charge_rate(true);
        let step = if sec.whole_units { QTY_SCALE } else { 1 };
        let budget = budget.min(self.cash);
        let unit_paise = price as f64 / 100.0;
        let mut qty = ((budget as f64 / (unit_paise * (1.0 + rate)) * QTY_SCALE as f64).floor()
            as i64
            / step)
            * step;
        let (gross, charges) = loop {
            if qty <= 0 {
                return Ok(());
            }
            let gross = holding_value(qty, price);
            let charges = (gross as f64 * rate).round() as i64;
            if gross + charges <= self.cash {
                break (gross, charges);
            }
            qty -= step;
        };
        self.cash -= gross + charges;
        let pos = &mut self.positions[k];
        pos.qty += qty;
        pos.cost += gross + charges;
        self.book(
            Tx::Buy,
            Some(security),
            qty,
            price,
            gross + charges,
            charges,
        )
    }

    /// Sells `qty` of position `k` (all of it when `qty` reaches the holding); returns whether
    /// the position is now empty (and removed).
    fn sell(&mut self, k: usize, qty: i64) -> Result<bool, DemoError> {
        let security = self.positions[k].security;
        let held = self.positions[k].qty;
        let qty = qty.min(held);
        if qty <= 0 {
            return Ok(false);
        }
        let sec = &self.ctx.market.securities[security as usize];
        let price = self.price(security);
        let gross = holding_value(qty, price);
        let charges = (gross as f64 * sec.charge_rate(false)).round() as i64;
        let net = gross - charges;
        self.cash += net;
        let pos = &mut self.positions[k];
        let removed_cost = if qty == held {
            pos.cost
        } else {
            (i128::from(pos.cost) * i128::from(qty) / i128::from(held)) as i64
        };
        pos.cost -= removed_cost;
        pos.qty -= qty;
        let emptied = pos.qty == 0;
        if emptied {
            self.positions.remove(k);
        }
        self.book(Tx::Sell, Some(security), qty, price, net, charges)?;
        Ok(emptied)
    }

    /// Quantity of position `k` whose sale brings at least `net` paise.
    fn qty_for(&self, k: usize, net: i64) -> i64 {
        let pos = &self.positions[k];
        let sec = &self.ctx.market.securities[pos.security as usize];
        let step = if sec.whole_units { QTY_SCALE } else { 1 };
        let unit_paise = self.price(pos.security) as f64 / 100.0;
        let units = net as f64 / (unit_paise * (1.0 - sec.charge_rate(false)));
        let qty = ((units * QTY_SCALE as f64 / step as f64).ceil() as i64 + 1) * step;
        qty.min(pos.qty)
    }

    /// Sells from the largest holdings until cash covers `need`.
    fn raise_cash(&mut self, need: i64) -> Result<(), DemoError> {
        let buffer = 25_000 * 100; // a little over, so fees do not trigger a sale every quarter
        while self.cash < need {
            // Positions not bought yet (qty 0) have nothing to sell.
            let Some(k) = (0..self.positions.len())
                .filter(|k| self.positions[*k].qty > 0)
                .max_by_key(|k| (self.value_of(*k), usize::MAX - k))
            else {
                break;
            };
            let qty = self.qty_for(k, need - self.cash + buffer);
            self.sell(k, qty)?;
        }
        Ok(())
    }

    fn debit(&mut self, tx: Tx, amount: i64) -> Result<(), DemoError> {
        if amount <= 0 {
            return Ok(());
        }
        self.raise_cash(amount)?;
        let amount = amount.min(self.cash);
        self.cash -= amount;
        if tx == Tx::Outflow {
            self.flow -= amount;
        }
        self.book(tx, None, 0, 0, amount, 0)
    }

    fn inflow(&mut self, amount: i64) -> Result<(), DemoError> {
        self.cash += amount;
        self.flow += amount;
        self.book(Tx::Inflow, None, 0, 0, amount, 0)
    }

    /// Positions ordered by how far they are below target (most underweight first).
    fn underweight(&self, mv: i64) -> Vec<usize> {
        let mut order: Vec<(f64, usize)> = (0..self.positions.len())
            .map(|k| {
                (
                    self.positions[k].target - self.value_of(k) as f64 / mv.max(1) as f64,
                    k,
                )
            })
            .collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        order.into_iter().map(|x| x.1).collect()
    }

    /// Spends `amount` on the `count` most underweight holdings, pro rata to their targets.
    fn deploy(&mut self, amount: i64, count: usize) -> Result<(), DemoError> {
        let mv = self.market_value();
        let picks: Vec<usize> = self.underweight(mv).into_iter().take(count).collect();
        let total: f64 = picks.iter().map(|k| self.positions[*k].target).sum();
        if total <= 0.0 {
            return Ok(());
        }
        let budgets: Vec<(u32, i64)> = picks
            .iter()
            .map(|k| {
                (
                    self.positions[*k].security,
                    (amount as f64 * self.positions[*k].target / total) as i64,
                )
            })
            .collect();
        for (security, budget) in budgets {
            if let Some(k) = self.positions.iter().position(|p| p.security == security) {
                self.buy(k, budget)?;
            }
        }
        Ok(())
    }

    fn rebalance(&mut self) -> Result<(), DemoError> {
        let ia = &IAS[self.p.ia];
        let mv = self.market_value();
        if mv <= 0 || self.positions.is_empty() {
            return Ok(());
        }
        // Replace a holding with a fresh idea from the same sleeve now and then.
        if self.positions.len() >= 5 && self.rng.random_bool(0.35) {
            let k = self.rng.random_range(0..self.positions.len());
            let (sleeve, target) = (self.positions[k].sleeve, self.positions[k].target);
            let held: Vec<u32> = self.positions.iter().map(|p| p.security).collect();
            let fresh: Vec<u32> = self.ctx.models[self.p.ia][sleeve]
                .iter()
                .copied()
                .filter(|s| !held.contains(s))
                .collect();
            if !fresh.is_empty() {
                let qty = self.positions[k].qty;
                self.sell(k, qty)?;
                let security = fresh[self.rng.random_range(0..fresh.len())];
                self.positions.push(Position {
                    security,
                    qty: 0,
                    cost: 0,
                    target,
                    sleeve,
                });
                let budget = (mv as f64 * target) as i64;
                let last = self.positions.len() - 1;
                self.buy(last, budget)?;
            }
        }
        // Trim the most overweight holding back to target.
        let over = (0..self.positions.len())
            .map(|k| {
                (
                    self.value_of(k) as f64 / mv as f64 - self.positions[k].target,
                    k,
                )
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((excess, k)) = over {
            if excess > 0.02_f64.max(0.25 * self.positions[k].target) {
                let qty = self.qty_for(k, (excess * mv as f64) as i64);
                self.sell(k, qty)?;
            }
        }
        // Put idle cash to work.
        let spare = self.cash - (ia.cash * mv as f64) as i64;
        if spare > mv / 200 {
            let count = self.rng.random_range(1..=2);
            self.deploy(spare, count)?;
        }
        Ok(())
    }
}

/// The first calendar-quarter end on or after `date`.
fn quarter_end(date: NaiveDate) -> NaiveDate {
    let month = (date.month0() / 3) * 3 + 3;
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), month + 1, 1)
    };
    first_next.and_then(|d| d.pred_opt()).unwrap_or(date)
}

/// The first 31 March on or after `date`.
fn fy_end(date: NaiveDate) -> NaiveDate {
    let year = if date.month() > 3 {
        date.year() + 1
    } else {
        date.year()
    };
    NaiveDate::from_ymd_opt(year, 3, 31).unwrap_or(date)
}

fn round_lakh(paise: i64) -> i64 {
    ((paise + LAKH / 2) / LAKH).max(1) * LAKH
}

/// Runs portfolio `index` from inception to closure or the last day, writing its rows.
pub(crate) fn run(
    ctx: &Context<'_>,
    index: usize,
    p: &Portfolio,
    out: &mut Sinks,
) -> Result<Outcome, DemoError> {
    let cal = ctx.calendar;
    let ia = &IAS[p.ia];
    let mut rng = stream(ctx.seed, Purpose::Trading, index as u64);
    let start = p.inception;
    let end = p.closure.unwrap_or(cal.last());
    let closing = p.closure.is_some();

    // The opening portfolio: holdings per sleeve with jittered weights.
    let n = rng.random_range(ia.holdings.0..=ia.holdings.1);
    let mut positions = Vec::new();
    for (sleeve, (_, weight)) in ia.sleeves.iter().enumerate() {
        let candidates = &ctx.models[p.ia][sleeve];
        if candidates.is_empty() {
            continue;
        }
        let k = ((n as f64 * weight).round() as usize).clamp(1, candidates.len());
        let mut picks: Vec<u32> = candidates.clone();
        picks.shuffle(&mut rng);
        let raw: Vec<f64> = (0..k).map(|_| (0.35 * normal(&mut rng)).exp()).collect();
        let total: f64 = raw.iter().sum();
        for (security, w) in picks.into_iter().take(k).zip(raw) {
            positions.push(Position {
                security,
                qty: 0,
                cost: 0,
                target: w / total * weight * (1.0 - ia.cash),
                sleeve,
            });
        }
    }
    // Initial capital goes in over the next one to three business days.
    let deploy_day: Vec<usize> = positions
        .iter()
        .map(|_| start + rng.random_range(1..=3))
        .collect();
    let initial_budget: Vec<(u32, i64)> = positions
        .iter()
        .map(|pos| (pos.security, (p.initial as f64 * pos.target) as i64))
        .collect();

    let sip = rng.random_bool(0.10);
    let sip_amount = rng.random_range(2..=10) * LAKH;
    let topup_mean = if sip {
        63.0
    } else if rng.random_bool(0.5) {
        420.0
    } else {
        f64::INFINITY
    };
    let withdraw_mean = if rng.random_bool(0.3) {
        720.0
    } else {
        f64::INFINITY
    };
    let mut next_topup = if topup_mean.is_finite() {
        start + if sip { 63 } else { gap(&mut rng, topup_mean) }
    } else {
        usize::MAX
    };
    let mut next_withdrawal = if withdraw_mean.is_finite() {
        start + 120 + gap(&mut rng, withdraw_mean)
    } else {
        usize::MAX
    };
    let mut next_rebalance = start + rng.random_range(100..190);
    let mut pending_topup: Option<(usize, i64)> = None;

    let inception_date = cal.days[start];
    let horizon = cal.days[end];
    let mut hwm = Hwm {
        mark: 0.0,
        dated: 0.0,
        period_start: inception_date,
        dates: crystallisation_dates(inception_date, horizon, p.crystallisation),
        next: 0,
    };
    let rate_per_day_bp = p.mgmt_fee_bp;
    let mut q_end = quarter_end(inception_date);
    let mut fy = fy_end(inception_date);
    let (mut accrued, mut accrued_next) = (0i64, 0i64);
    let mut last_mv = 0i64;
    let mut outcome = Outcome::default();

    let mut sim = Sim {
        ctx,
        p,
        rng,
        out,
        day: start,
        cash: 0,
        positions,
        flow: 0,
    };
    for day in start..=end {
        sim.day = day;
        sim.flow = 0;
        let date = cal.days[day];
        if day > start {
            // Periods that ended since the last business day: fees fall due today.
            while q_end < date {
                let fee = accrued;
                accrued = accrued_next;
                accrued_next = 0;
                q_end = quarter_end(q_end.succ_opt().unwrap_or(q_end));
                sim.debit(Tx::MgmtFee, fee)?;
            }
            while hwm.dates.get(hwm.next).is_some_and(|d| *d < date) {
                let crystallised = hwm.dates[hwm.next];
                hwm.next += 1;
                let value = last_mv as f64;
                let period_days = (crystallised - hwm.period_start).num_days() as f64;
                let growth = (hwm.mark * period_days - hwm.dated) * p.hurdle_pct / 100.0 / 365.0;
                let mark = hwm.mark.round();
                let threshold = mark.max((hwm.mark + growth).round());
                let fee = ((value - threshold).max(0.0) * p.perf_fee_pct / 100.0).round() as i64;
                hwm.mark = if fee > 0 { value } else { mark };
                hwm.dated = 0.0;
                hwm.period_start = crystallised;
                sim.debit(Tx::PerfFee, fee)?;
            }
            if fy < date {
                fy = fy_end(fy.succ_opt().unwrap_or(fy));
                // Custody, fund accounting and audit for the year just ended.
                let expense = last_mv / 2_000 + 1_500 * 100;
                sim.debit(Tx::Expense, expense)?;
            }
        }

        if day == start {
            sim.inflow(p.initial)?;
        }
        if closing && day == end {
            while let Some(k) = sim.positions.iter().position(|x| x.qty > 0) {
                let qty = sim.positions[k].qty;
                sim.sell(k, qty)?;
            }
            sim.positions.clear();
            sim.debit(Tx::MgmtFee, accrued + accrued_next)?;
            let all = sim.cash;
            sim.debit(Tx::Outflow, all)?;
        } else {
            for (k, when) in deploy_day.iter().enumerate() {
                if *when == day {
                    let (security, budget) = initial_budget[k];
                    if let Some(pos) = sim.positions.iter().position(|x| x.security == security) {
                        sim.buy(pos, budget)?;
                    }
                }
            }
            for payout in &ctx.market.payouts[day] {
                if let Some(k) = sim
                    .positions
                    .iter()
                    .position(|x| x.security == payout.security)
                {
                    let amount = holding_value(sim.positions[k].qty, payout.per_unit);
                    if amount > 0 {
                        sim.cash += amount;
                        let tx = if payout.income == Income::Dividend {
                            Tx::Dividend
                        } else {
                            Tx::Interest
                        };
                        sim.book(tx, Some(payout.security), 0, 0, amount, 0)?;
                    }
                }
            }
            if let Some((when, amount)) = pending_topup {
                if when == day {
                    pending_topup = None;
                    let count = sim.rng.random_range(2..=3);
                    sim.deploy((amount as f64 * (1.0 - ia.cash)) as i64, count)?;
                }
            }
            if day == next_topup {
                let amount = if sip {
                    sip_amount
                } else {
                    round_lakh((sim.rng.random_range(0.05..0.4) * last_mv as f64) as i64)
                        .max(5 * LAKH)
                };
                sim.inflow(amount)?;
                pending_topup = Some((day + 1, amount));
                next_topup = day
                    + if sip {
                        63
                    } else {
                        gap(&mut sim.rng, topup_mean)
                    };
            }
            if day == next_withdrawal {
                let wanted = round_lakh((sim.rng.random_range(0.05..0.3) * last_mv as f64) as i64);
                // SEBI: a partial withdrawal must leave at least the minimum investment.
                if last_mv - wanted >= MIN_TICKET {
                    sim.debit(Tx::Outflow, wanted)?;
                }
                next_withdrawal = day + gap(&mut sim.rng, withdraw_mean);
            }
            if day >= next_rebalance {
                sim.rebalance()?;
                next_rebalance = day + sim.rng.random_range(110..200);
            }
        }

        let mv = sim.market_value();
        // Flows after inception move the mark (the inception value is its starting point).
        if day == start {
            hwm.mark = mv as f64;
        } else if sim.flow > 0 {
            hwm.mark += sim.flow as f64;
            hwm.dated += sim.flow as f64 * (date - hwm.period_start).num_days() as f64;
        } else if sim.flow < 0 {
            let withdrawn = -sim.flow as f64;
            let before = mv as f64 + withdrawn;
            let kept = if before > 0.0 {
                (1.0 - withdrawn / before).max(0.0)
            } else {
                0.0
            };
            hwm.mark *= kept;
            hwm.dated *= kept;
        }
        // Management fee for each calendar day until the next business day, on today's value.
        let next_date = cal
            .days
            .get(day + 1)
            .copied()
            .unwrap_or_else(|| date.succ_opt().unwrap_or(date));
        let days = (next_date - date).num_days();
        let in_quarter = ((q_end - date).num_days() + 1).clamp(0, days);
        let daily = (i128::from(mv.max(0)) * i128::from(rate_per_day_bp) + 1_825_000) / 3_650_000;
        accrued += daily as i64 * in_quarter;
        accrued_next += daily as i64 * (days - in_quarter);

        if p.valued {
            let v = &mut sim.out.valuations;
            v.text(&cal.text[day])
                .text(&p.code)
                .fixed(mv, 2)
                .fixed(sim.flow, 2);
            v.end_row()?;
        }
        if ctx.snapshot[day] && !(closing && day == end) {
            for k in 0..sim.positions.len() {
                let pos = &sim.positions[k];
                if pos.qty == 0 {
                    continue;
                }
                let sec = &ctx.market.securities[pos.security as usize];
                let value = sim.value_of(k);
                let h = &mut sim.out.holdings;
                h.text(&cal.text[day]).text(&p.code).text(&sec.isin);
                if sec.whole_units {
                    h.fixed(pos.qty / QTY_SCALE, 0);
                } else {
                    h.fixed(pos.qty, 3);
                }
                h.fixed(pos.cost, 2).fixed(value, 2);
                h.end_row()?;
            }
        }
        if ctx.last_month_end == Some(day) {
            outcome.month_end_value = mv;
        }
        last_mv = mv;
    }
    outcome.value = last_mv;
    if p.perf_fee_pct > 0.0 && !closing {
        outcome.high_water_mark = Some(hwm.mark.round() as i64);
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn values_round_to_the_paisa() {
        // 120 shares at ₹1,234.55.
        assert_eq!(holding_value(120_000, 12_345_500), 14_814_600);
        // 1.234 units at ₹10.00005 → ₹12.34006… → ₹12.34.
        assert_eq!(holding_value(1_234, 100_000), 1_234);
        assert_eq!(holding_value(1_235, 100_005), 1_235);
        // Overflowing i64 falls back to i128.
        assert_eq!(
            holding_value(i64::MAX / 1_000, 2_000),
            ((i128::from(i64::MAX / 1_000) * 2_000 + 50_000) / 100_000) as i64
        );
    }

    #[test]
    fn ia_models_fill_every_sleeve_without_overlap() {
        use crate::calendar::Calendar;
        use crate::securities::universe;
        let cal = Calendar::new(date(2025, 1, 1), date(2025, 3, 31));
        let market = crate::market::simulate(
            &mut stream(3, Purpose::Market, 0),
            &cal,
            universe(&mut stream(3, Purpose::Securities, 0)),
        );
        for (ia, sleeves) in IAS.iter().zip(ia_models(3, &market)) {
            let mut seen = std::collections::BTreeSet::new();
            for (sleeve, (universe, weight)) in sleeves.iter().zip(ia.sleeves) {
                assert!(!sleeve.is_empty(), "{} {universe:?}", ia.code);
                assert!(
                    sleeve.len() as f64 >= (ia.holdings.0 as f64 * weight).round().min(1.0),
                    "{}",
                    ia.code
                );
                for s in sleeve {
                    assert!(seen.insert(*s), "{} lists a security twice", ia.code);
                    assert!(market.securities[*s as usize].in_universe(*universe));
                }
            }
        }
    }

    #[test]
    fn period_ends() {
        assert_eq!(quarter_end(date(2025, 2, 10)), date(2025, 3, 31));
        assert_eq!(quarter_end(date(2025, 12, 31)), date(2025, 12, 31));
        assert_eq!(quarter_end(date(2025, 10, 1)), date(2025, 12, 31));
        assert_eq!(fy_end(date(2025, 3, 31)), date(2025, 3, 31));
        assert_eq!(fy_end(date(2025, 4, 1)), date(2026, 3, 31));
    }
}
