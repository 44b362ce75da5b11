//! Keeping the dashboard's aggregates current. Loads mark the portfolios they touched in
//! `agg_dirty_portfolio` (inside their own transaction, so the mark survives a crash); this
//! module recomputes exactly those, client by client, with the shared metric library, then the
//! per-RM-and-strategy totals. Every figure here is the one the page and the PDF show.
//!
//! Correct under concurrency: every mark is a row with its own sequence number and a refresh
//! removes only the marks it read before computing, so a portfolio marked again meanwhile stays
//! marked; refreshes of the same client take a transaction-level advisory lock, so two refreshes
//! never interleave their delete-then-insert. A refresh that fails leaves its marks (and the
//! load's job in [`PHASE_REFRESH_PENDING`]) for [`refresh_pending`], which the next load or the
//! server's periodic sweep runs.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use pms_metrics::fy::{DateRange, FinancialYear};
use pms_metrics::group::{pooled_one_year_twrr, DailyRow};
use pms_metrics::twrr::{PerformanceSeries, Period};
use pms_metrics::{CashFlow, ReturnStatistics, StatsConfig, Valuation};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use sqlx::{PgPool, Row};

use crate::load::job::PHASE_REFRESH_PENDING;

mod fees;

/// Clients recomputed per transaction: keeps each batch's reads and writes moderate.
const CLIENTS_PER_BATCH: usize = 500;
/// Advisory-lock class of one client's aggregates (`pg_advisory_xact_lock(class, client_id)`;
/// the two-key form never collides with the one-key load lock). "AGGR" in ASCII.
const CLIENT_LOCK_CLASS: i32 = 0x4147_4752;
/// Advisory-lock key of the per-RM-and-strategy totals ("AGGTOTAL").
const TOTALS_LOCK: i64 = 0x4147_4754_4F54_414C;
const TRADING_DAYS_A_YEAR: usize = 252;

/// Recomputes every dirty portfolio (and its client's figures); returns how many portfolios.
pub async fn refresh_dirty(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let benchmarks = benchmark_series(pool).await?;
    let mut total = 0u64;
    loop {
        // The clients of the dirty portfolios, listed once per pass (not per batch: after a
        // large load that is every client); all of a client's portfolios are recomputed
        // together so client-level figures (XIRR across portfolios) see every portfolio. Marks
        // made meanwhile are picked up by the next pass.
        let clients: Vec<i32> = sqlx::query_scalar(
            "SELECT DISTINCT p.client_id FROM agg_dirty_portfolio d JOIN dim_portfolio p USING (portfolio_id)
             ORDER BY p.client_id",
        )
        .fetch_all(pool)
        .await?;
        if clients.is_empty() {
            // Marks for portfolios that no longer exist.
            sqlx::query(
                "DELETE FROM agg_dirty_portfolio d
                 WHERE NOT EXISTS (SELECT 1 FROM dim_portfolio p WHERE p.portfolio_id = d.portfolio_id)",
            )
            .execute(pool)
            .await?;
            break;
        }
        // Two batches at a time, on two connections: while PostgreSQL reads and writes one,
        // this process computes the other.
        let mut batches = clients.chunks(CLIENTS_PER_BATCH);
        while let Some(first) = batches.next() {
            let second = batches.next().unwrap_or_default();
            let (a, b) = tokio::try_join!(
                refresh_clients(pool, first, &benchmarks),
                refresh_clients(pool, second, &benchmarks)
            )?;
            total += a + b;
        }
    }
    refresh_totals(pool).await?;
    crate::load::job::settle_refresh_pending(pool).await?;
    // Every load that changed data ends here, with its facts and these aggregates written.
    crate::statistics::analyse_stale(pool).await;
    Ok(total)
}

/// Refreshes whatever an earlier refresh left undone (marks left by a failed or interrupted
/// refresh, jobs in [`PHASE_REFRESH_PENDING`]); does nothing, cheaply, when nothing is pending.
/// The server's periodic sweep calls it, so a failed refresh is retried without a new load.
pub async fn refresh_pending(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let pending: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM agg_dirty_portfolio)
             OR EXISTS (SELECT 1 FROM ingest_job WHERE status = 'succeeded' AND phase = $1)",
    )
    .bind(PHASE_REFRESH_PENDING)
    .fetch_one(pool)
    .await?;
    if pending {
        refresh_dirty(pool).await
    } else {
        Ok(0)
    }
}

/// Recomputes every portfolio of `clients` (sorted) in one transaction; returns how many.
async fn refresh_clients(
    pool: &PgPool,
    clients: &[i32],
    benchmarks: &HashMap<i32, PerformanceSeries>,
) -> Result<u64, sqlx::Error> {
    if clients.is_empty() {
        return Ok(0);
    }
    let mut tx = pool.begin().await?;
    // One refresh of a client at a time; locks taken in ascending order cannot deadlock.
    sqlx::query("SELECT pg_advisory_xact_lock($1, c) FROM unnest($2::int[]) AS c")
        .bind(CLIENT_LOCK_CLASS)
        .bind(clients)
        .execute(&mut *tx)
        .await?;
    // The marks this refresh covers: read after the lock, before the figures. A mark made
    // later (its data may be unseen here) has another seq and survives the delete below.
    let marks: Vec<i64> = sqlx::query_scalar(
        "SELECT d.seq FROM agg_dirty_portfolio d JOIN dim_portfolio p USING (portfolio_id)
         WHERE p.client_id = ANY($1)",
    )
    .bind(clients)
    .fetch_all(&mut *tx)
    .await?;
    let portfolios: Vec<i32> = sqlx::query_scalar(
        "SELECT portfolio_id FROM dim_portfolio WHERE client_id = ANY($1) ORDER BY portfolio_id",
    )
    .bind(clients)
    .fetch_all(&mut *tx)
    .await?;
    let figures = compute_batch(&mut tx, &portfolios, benchmarks).await?;
    write_batch(&mut tx, &portfolios, &figures).await?;
    write_clients(&mut tx, clients, &figures).await?;
    sqlx::query("DELETE FROM agg_dirty_portfolio WHERE seq = ANY($1)")
        .bind(&marks)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(portfolios.len() as u64)
}

/// Every benchmark's level series (a few thousand points each), read once per refresh.
async fn benchmark_series(pool: &PgPool) -> Result<HashMap<i32, PerformanceSeries>, sqlx::Error> {
    let mut levels: HashMap<i32, Vec<Valuation>> = HashMap::new();
    for row in sqlx::query(
        "SELECT benchmark_id, level_date, level FROM fact_benchmark_level ORDER BY benchmark_id, level_date",
    )
    .fetch_all(pool)
    .await?
    {
        let level: Decimal = row.try_get("level")?;
        levels
            .entry(row.try_get("benchmark_id")?)
            .or_default()
            .push(Valuation::new(row.try_get("level_date")?, to_f64(level)));
    }
    Ok(levels
        .into_iter()
        .filter_map(|(id, levels)| PerformanceSeries::new(&levels, &[]).ok().map(|s| (id, s)))
        .collect())
}

/// Per-RM-and-strategy totals, recomputed whole (a few hundred rows from the per-portfolio
/// aggregates); also after an RM reassignment.
pub async fn refresh_totals(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Two recomputations at once would both delete, then both insert the same keys.
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(TOTALS_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM agg_rm_strategy")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO agg_rm_strategy (rm_id, strategy_id, aum, clients, portfolios, net_flow_fytd)
         SELECT c.rm_id, ia.strategy_id, sum(a.market_value), count(DISTINCT c.client_id), count(*), sum(a.net_flow_fytd)
         FROM agg_portfolio a
         JOIN dim_portfolio p USING (portfolio_id)
         JOIN dim_client c ON c.client_id = p.client_id
         JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
         WHERE p.status = 'Active'
         GROUP BY c.rm_id, ia.strategy_id",
    )
    .execute(&mut *tx)
    .await?;
    rebuild_group_days(&mut tx).await?;
    tx.commit().await?;
    // Every refresh ends here (a load's, a retry's, an RM reassignment's).
    publish_read_version(pool).await
}

/// The pooled daily changes of every (investment approach, RM) cell (`agg_group_day`), from
/// all portfolios' valuations, closed ones included (their history is the group's history).
/// A portfolio's change on a day is its value less its previous valuation (0 before its
/// first), so a running sum is the pooled value with missing days carried forward, as
/// `pms_metrics::group` defines it. A portfolio belongs to its client's current RM, as
/// everywhere on the dashboard.
async fn rebuild_group_days(tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM agg_group_day")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO agg_group_day (ia_id, rm_key, day, value_change, net_flow, portfolios)
         SELECT p.ia_id, coalesce(c.rm_id, 0), v.valuation_date, sum(v.change), sum(v.net_flow), count(*)
         FROM (SELECT portfolio_id, valuation_date, net_flow,
                      market_value - coalesce(lag(market_value) OVER (PARTITION BY portfolio_id ORDER BY valuation_date), 0) AS change
               FROM fact_valuation) v
         JOIN dim_portfolio p ON p.portfolio_id = v.portfolio_id
         JOIN dim_client c ON c.client_id = p.client_id
         GROUP BY p.ia_id, coalesce(c.rm_id, 0), v.valuation_date",
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Tells the dashboard's caches (`pms_service::read_cache`) that what they answered from has
/// changed. Called after the change commits: a reader that saw the new version also sees the
/// new data.
pub async fn publish_read_version(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT nextval('read_model_version_seq')")
        .execute(pool)
        .await
        .map(|_| ())
}

/// Everything computed for one portfolio.
#[derive(Debug, Default)]
struct PortfolioFigures {
    client_id: i32,
    as_of: Option<NaiveDate>,
    market_value: Decimal,
    first_valuation_date: Option<NaiveDate>,
    net_flow_fytd: Decimal,
    market_gain_fytd: Decimal,
    invested_total: Decimal,
    withdrawn_total: Decimal,
    twrr_si_reported: Option<f64>,
    xirr_si: Option<f64>,
    volatility_1y: Option<f64>,
    max_drawdown_si: Option<f64>,
    periods: Vec<PeriodFigure>,
    months: Vec<MonthFigure>,
    /// Investor-view flows (for the client's XIRR across portfolios).
    investor_flows: Vec<CashFlow>,
    /// The daily valuations (date, value, flow) the figures came from, if any: pooled into the
    /// client's return.
    days: Vec<(NaiveDate, Decimal, Decimal)>,
    /// Management and performance fees accrued on the latest valuation date.
    fees: Option<fees::FeeFigures>,
    active: bool,
}

#[derive(Debug)]
struct PeriodFigure {
    label: String,
    start: NaiveDate,
    end: NaiveDate,
    cumulative: f64,
    reported: Option<f64>,
    benchmark_cumulative: Option<f64>,
    benchmark_reported: Option<f64>,
}

#[derive(Debug)]
struct MonthFigure {
    month_end: NaiveDate,
    market_value: Decimal,
    net_flow: Decimal,
    market_gain: Decimal,
    twrr: Option<f64>,
}

fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

async fn compute_batch(
    tx: &mut sqlx::PgConnection,
    portfolios: &[i32],
    benchmarks: &HashMap<i32, PerformanceSeries>,
) -> Result<HashMap<i32, PortfolioFigures>, sqlx::Error> {
    let meta = sqlx::query(
        "SELECT p.portfolio_id, p.client_id, p.status = 'Active' AS active, ia.benchmark_id
         FROM dim_portfolio p JOIN dim_investment_approach ia USING (ia_id) WHERE p.portfolio_id = ANY($1)",
    )
    .bind(portfolios)
    .fetch_all(&mut *tx)
    .await?;
    let mut benchmark_of = HashMap::new();
    let mut figures: HashMap<i32, PortfolioFigures> = HashMap::new();
    for row in &meta {
        let id: i32 = row.try_get("portfolio_id")?;
        benchmark_of.insert(id, row.try_get::<i32, _>("benchmark_id")?);
        figures.insert(
            id,
            PortfolioFigures {
                client_id: row.try_get("client_id")?,
                active: row.try_get("active")?,
                ..Default::default()
            },
        );
    }

    // Daily valuations where the portfolio has them.
    let mut valuations: BTreeMap<i32, Vec<(NaiveDate, Decimal, Decimal)>> = BTreeMap::new();
    for row in sqlx::query(
        "SELECT portfolio_id, valuation_date, market_value, net_flow FROM fact_valuation
         WHERE portfolio_id = ANY($1) ORDER BY portfolio_id, valuation_date",
    )
    .bind(portfolios)
    .fetch_all(&mut *tx)
    .await?
    {
        valuations
            .entry(row.try_get("portfolio_id")?)
            .or_default()
            .push((
                row.try_get("valuation_date")?,
                row.try_get("market_value")?,
                row.try_get("net_flow")?,
            ));
    }
    // Portfolios without daily valuations: the latest holdings snapshot and the capital flows.
    let without: Vec<i32> = portfolios
        .iter()
        .copied()
        .filter(|p| !valuations.contains_key(p))
        .collect();
    let terms = fees::terms(tx, portfolios).await?;
    for (id, days) in valuations {
        if let Some(f) = figures.get_mut(&id) {
            let benchmark = benchmark_of.get(&id).and_then(|b| benchmarks.get(b));
            from_valuations(f, &days, benchmark);
            f.fees = terms
                .get(&id)
                .and_then(|terms| fees::on_latest_day(&days, terms));
            f.days = days;
        }
    }

    if !without.is_empty() {
        from_holdings_and_flows(tx, &without, &mut figures).await?;
    }
    Ok(figures)
}

/// Figures from a daily valuation series (end-of-day values including the day's flow).
fn from_valuations(
    f: &mut PortfolioFigures,
    days: &[(NaiveDate, Decimal, Decimal)],
    benchmark: Option<&PerformanceSeries>,
) {
    let Some(&(as_of, last_value, _)) = days.last() else {
        return;
    };
    f.as_of = Some(as_of);
    f.market_value = last_value;
    f.first_valuation_date = days.first().map(|d| d.0);
    let fy_start = FinancialYear::of(as_of).start();
    let mut base_before_fy = Decimal::ZERO;
    for &(date, value, flow) in days {
        if date < fy_start {
            base_before_fy = value;
        } else {
            f.net_flow_fytd += flow;
        }
        if flow > Decimal::ZERO {
            f.invested_total += flow;
        } else {
            f.withdrawn_total -= flow;
        }
    }
    f.market_gain_fytd = last_value - base_before_fy - f.net_flow_fytd;

    let points: Vec<Valuation> = days
        .iter()
        .map(|&(d, v, _)| Valuation::new(d, to_f64(v)))
        .collect();
    let flows: Vec<CashFlow> = days
        .iter()
        .filter(|d| !d.2.is_zero())
        .map(|&(d, _, flow)| CashFlow::new(d, to_f64(flow)))
        .collect();
    // The investor's view: the first value went in, every later flow in or out, the value is
    // what they hold.
    f.investor_flows = std::iter::once(CashFlow::new(days[0].0, -to_f64(days[0].1)))
        .chain(
            days[1..]
                .iter()
                .filter(|d| !d.2.is_zero())
                .map(|&(d, _, flow)| CashFlow::new(d, -to_f64(flow))),
        )
        .collect();
    let Ok(series) = PerformanceSeries::new(&points, &flows) else {
        return;
    };

    for row in series.standard_periods(as_of) {
        let Some(result) = row.result else { continue };
        let bench = benchmark.and_then(|b| {
            let range = DateRange::new(result.start.succ_opt()?, result.end).ok()?;
            b.period_return(Period::Custom(range), as_of).ok()
        });
        if row.period == Period::SinceInception {
            f.twrr_si_reported = result.annualized;
        }
        f.periods.push(PeriodFigure {
            label: row.label,
            start: result.start,
            end: result.end,
            cumulative: result.cumulative,
            reported: result.annualized,
            benchmark_cumulative: bench.map(|b| b.cumulative),
            benchmark_reported: bench.and_then(|b| b.annualized),
        });
    }
    f.xirr_si = series
        .money_weighted_return(Period::SinceInception, as_of)
        .ok();
    let returns = series.daily_returns();
    let last_year = &returns[returns.len().saturating_sub(TRADING_DAYS_A_YEAR)..];
    if returns.len() >= TRADING_DAYS_A_YEAR {
        f.volatility_1y =
            pms_metrics::stats::annual_volatility(last_year, TRADING_DAYS_A_YEAR as f64);
    }
    if let Ok(config) = StatsConfig::daily(0.0) {
        f.max_drawdown_si = ReturnStatistics::compute(returns, None, &config)
            .ok()
            .and_then(|s| s.max_drawdown)
            .map(|d| d.depth);
    }
    f.months = months(days, series.daily_returns());
}

/// Month-end value, the month's flows, market gain and TWRR. `returns[i]` is the return of
/// `days[i + 1]`.
fn months(days: &[(NaiveDate, Decimal, Decimal)], returns: &[f64]) -> Vec<MonthFigure> {
    let mut out: Vec<MonthFigure> = Vec::new();
    let mut previous_end = Decimal::ZERO;
    let mut growth = 1.0;
    let mut flow = Decimal::ZERO;
    for (i, &(date, value, day_flow)) in days.iter().enumerate() {
        flow += day_flow;
        if i > 0 {
            growth *= 1.0 + returns.get(i - 1).copied().unwrap_or(0.0);
        }
        let month_ends = days
            .get(i + 1)
            .is_none_or(|next| (next.0.year(), next.0.month()) != (date.year(), date.month()));
        if month_ends {
            let month_end = date
                .with_day(1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .and_then(|d| d.pred_opt())
                .unwrap_or(date);
            out.push(MonthFigure {
                month_end,
                market_value: value,
                net_flow: flow,
                market_gain: value - previous_end - flow,
                twrr: Some(growth - 1.0).filter(|g| g.is_finite()),
            });
            previous_end = value;
            growth = 1.0;
            flow = Decimal::ZERO;
        }
    }
    out
}

async fn from_holdings_and_flows(
    tx: &mut sqlx::PgConnection,
    portfolios: &[i32],
    figures: &mut HashMap<i32, PortfolioFigures>,
) -> Result<(), sqlx::Error> {
    for row in sqlx::query(
        "SELECT DISTINCT ON (portfolio_id) portfolio_id, as_of, total FROM (
             SELECT portfolio_id, as_of, sum(market_value) AS total FROM fact_holding
             WHERE portfolio_id = ANY($1) GROUP BY portfolio_id, as_of
         ) s ORDER BY portfolio_id, as_of DESC",
    )
    .bind(portfolios)
    .fetch_all(&mut *tx)
    .await?
    {
        if let Some(f) = figures.get_mut(&row.try_get::<i32, _>("portfolio_id")?) {
            f.as_of = Some(row.try_get("as_of")?);
            f.market_value = row.try_get("total")?;
        }
    }
    let mut flows: HashMap<i32, Vec<(NaiveDate, Decimal)>> = HashMap::new();
    for row in sqlx::query(
        "SELECT portfolio_id, trade_date, amount FROM fact_transaction
         WHERE portfolio_id = ANY($1) AND txn_type IN ('INFLOW', 'OUTFLOW', 'SECURITY_IN', 'SECURITY_OUT')
         ORDER BY portfolio_id, trade_date",
    )
    .bind(portfolios)
    .fetch_all(&mut *tx)
    .await?
    {
        flows.entry(row.try_get("portfolio_id")?).or_default().push((row.try_get("trade_date")?, row.try_get("amount")?));
    }
    for (id, f) in figures.iter_mut().filter(|(id, _)| portfolios.contains(id)) {
        let list = flows.remove(id).unwrap_or_default();
        let as_of = f.as_of.or_else(|| list.last().map(|l| l.0));
        let fy_start = as_of.map(|d| FinancialYear::of(d).start());
        for &(date, amount) in &list {
            if amount > Decimal::ZERO {
                f.invested_total += amount;
            } else {
                f.withdrawn_total -= amount;
            }
            if fy_start.is_some_and(|s| date >= s) {
                f.net_flow_fytd += amount;
            }
        }
        f.investor_flows = list
            .iter()
            .map(|&(d, a)| CashFlow::new(d, -to_f64(a)))
            .collect();
        if let Some(as_of) = f.as_of {
            f.investor_flows
                .push(CashFlow::new(as_of, to_f64(f.market_value)));
            f.xirr_si = pms_metrics::xirr(&f.investor_flows).ok();
        }
    }
    Ok(())
}

async fn write_batch(
    tx: &mut sqlx::PgConnection,
    portfolios: &[i32],
    figures: &HashMap<i32, PortfolioFigures>,
) -> Result<(), sqlx::Error> {
    for table in [
        "agg_portfolio_period",
        "agg_portfolio_month",
        "agg_portfolio_fee",
        "agg_portfolio",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE portfolio_id = ANY($1)"))
            .bind(portfolios)
            .execute(&mut *tx)
            .await?;
    }
    let ids: Vec<i32> = portfolios.to_vec();
    let get = |id: &i32| figures.get(id);
    let col = |pick: fn(&PortfolioFigures) -> Decimal| -> Vec<Decimal> {
        ids.iter()
            .map(|id| get(id).map(pick).unwrap_or_default())
            .collect()
    };
    let opt = |pick: fn(&PortfolioFigures) -> Option<f64>| -> Vec<Option<f64>> {
        ids.iter().map(|id| get(id).and_then(pick)).collect()
    };
    let dates = |pick: fn(&PortfolioFigures) -> Option<NaiveDate>| -> Vec<Option<NaiveDate>> {
        ids.iter().map(|id| get(id).and_then(pick)).collect()
    };
    sqlx::query(
        "INSERT INTO agg_portfolio (portfolio_id, as_of, market_value, first_valuation_date, net_flow_fytd, market_gain_fytd,
                                    invested_total, withdrawn_total, twrr_si_reported, xirr_si, volatility_1y, max_drawdown_si)
         SELECT * FROM unnest($1::int[], $2::date[], $3::numeric[], $4::date[], $5::numeric[], $6::numeric[], $7::numeric[],
                              $8::numeric[], $9::float8[], $10::float8[], $11::float8[], $12::float8[])",
    )
    .bind(&ids)
    .bind(dates(|f| f.as_of))
    .bind(col(|f| f.market_value))
    .bind(dates(|f| f.first_valuation_date))
    .bind(col(|f| f.net_flow_fytd))
    .bind(col(|f| f.market_gain_fytd))
    .bind(col(|f| f.invested_total))
    .bind(col(|f| f.withdrawn_total))
    .bind(opt(|f| f.twrr_si_reported))
    .bind(opt(|f| f.xirr_si))
    .bind(opt(|f| f.volatility_1y))
    .bind(opt(|f| f.max_drawdown_si))
    .execute(&mut *tx)
    .await?;

    let mut p_ids = Vec::new();
    let (mut labels, mut starts, mut ends, mut cum, mut rep, mut bcum, mut brep) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let mut m_ids = Vec::new();
    let (mut m_end, mut m_mv, mut m_flow, mut m_gain, mut m_twrr) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for id in &ids {
        let Some(f) = get(id) else { continue };
        for p in &f.periods {
            p_ids.push(*id);
            labels.push(p.label.clone());
            starts.push(p.start);
            ends.push(p.end);
            cum.push(p.cumulative);
            rep.push(p.reported);
            bcum.push(p.benchmark_cumulative);
            brep.push(p.benchmark_reported);
        }
        for m in &f.months {
            m_ids.push(*id);
            m_end.push(m.month_end);
            m_mv.push(m.market_value);
            m_flow.push(m.net_flow);
            m_gain.push(m.market_gain);
            m_twrr.push(m.twrr);
        }
    }
    sqlx::query(
        "INSERT INTO agg_portfolio_period (portfolio_id, period, start_date, end_date, twrr_cumulative, twrr_reported,
                                           benchmark_cumulative, benchmark_reported)
         SELECT * FROM unnest($1::int[], $2::text[], $3::date[], $4::date[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])",
    )
    .bind(&p_ids)
    .bind(&labels)
    .bind(&starts)
    .bind(&ends)
    .bind(&cum)
    .bind(&rep)
    .bind(&bcum)
    .bind(&brep)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO agg_portfolio_month (portfolio_id, month_end, market_value, net_flow, market_gain, twrr_month)
         SELECT * FROM unnest($1::int[], $2::date[], $3::numeric[], $4::numeric[], $5::numeric[], $6::float8[])",
    )
    .bind(&m_ids)
    .bind(&m_end)
    .bind(&m_mv)
    .bind(&m_flow)
    .bind(&m_gain)
    .bind(&m_twrr)
    .execute(&mut *tx)
    .await?;
    let fee_rows: Vec<(i32, &fees::FeeFigures)> = ids
        .iter()
        .filter_map(|id| Some((*id, get(id)?.fees.as_ref()?)))
        .collect();
    fees::write(&mut *tx, &fee_rows).await?;
    Ok(())
}

/// Client figures over all their portfolios: AUM (active ones), flows, XIRR across portfolios
/// and the 1-year TWRR of their pooled money (METRICS.md "Groups of portfolios": the same
/// figure as the Portfolio performance page's for the client).
async fn write_clients(
    tx: &mut sqlx::PgConnection,
    clients: &[i32],
    figures: &HashMap<i32, PortfolioFigures>,
) -> Result<(), sqlx::Error> {
    let mut by_client: BTreeMap<i32, Vec<&PortfolioFigures>> = BTreeMap::new();
    for f in figures.values() {
        by_client.entry(f.client_id).or_default().push(f);
    }
    let mut ids = Vec::new();
    let (mut as_of, mut aum, mut count, mut flow, mut xirr, mut twrr) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for client in clients {
        let list = by_client.get(client).map(Vec::as_slice).unwrap_or(&[]);
        let active: Vec<&&PortfolioFigures> = list.iter().filter(|f| f.active).collect();
        let client_aum: Decimal = active.iter().map(|f| f.market_value).sum();
        let mut flows: Vec<CashFlow> = list
            .iter()
            .flat_map(|f| f.investor_flows.iter().copied())
            .collect();
        let last = list.iter().filter_map(|f| f.as_of).max();
        // Each portfolio's closing value is part of its investor flows only when computed from
        // holdings; for valuation series add the closing values here.
        for f in list.iter().filter(|f| f.first_valuation_date.is_some()) {
            if let Some(d) = f.as_of {
                flows.push(CashFlow::new(d, to_f64(f.market_value)));
            }
        }

        ids.push(*client);
        as_of.push(last);
        aum.push(client_aum);
        count.push(list.len() as i32);
        flow.push(list.iter().map(|f| f.net_flow_fytd).sum::<Decimal>());
        xirr.push(if flows.is_empty() {
            None
        } else {
            pms_metrics::xirr(&flows).ok()
        });
        twrr.push(pooled_one_year(list));
    }
    sqlx::query("DELETE FROM agg_client WHERE client_id = ANY($1)")
        .bind(clients)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO agg_client (client_id, as_of, aum, portfolios, net_flow_fytd, xirr_si, twrr_1y)
         SELECT * FROM unnest($1::int[], $2::date[], $3::numeric[], $4::int[], $5::numeric[], $6::float8[], $7::float8[])",
    )
    .bind(&ids)
    .bind(&as_of)
    .bind(&aum)
    .bind(&count)
    .bind(&flow)
    .bind(&xirr)
    .bind(&twrr)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The 1-year TWRR of the pooled daily values and flows of `portfolios` (those with daily
/// valuations), to the latest of their dates; `None` without a year of history.
fn pooled_one_year(portfolios: &[&PortfolioFigures]) -> Option<f64> {
    let rows: Vec<Vec<DailyRow>> = portfolios
        .iter()
        .map(|f| {
            f.days
                .iter()
                .map(|&(d, v, flow)| (d, to_f64(v), to_f64(flow)))
                .collect()
        })
        .collect();
    let slices: Vec<&[DailyRow]> = rows.iter().map(Vec::as_slice).collect();
    pooled_one_year_twrr(&slices)
}
