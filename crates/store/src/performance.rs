//! Pooled daily series of a group of portfolios, within a scope, and what the performance
//! pages need beside them (the group's name and size, benchmark levels, the groups a viewer
//! may pick).
//!
//! The firm, a strategy, an approach and an RM's book are sums of the (approach, RM) cells of
//! `agg_group_day`; a client or one portfolio is summed from its valuations directly (a few
//! thousand rows). Either way the rows are per day *and benchmark*, so the caller can weight
//! the benchmarks by the pooled value that follows each one.

use std::collections::HashMap;

use chrono::NaiveDate;
use pms_domain::performance::{Allocation, Group, GroupChoice, GroupChoices, PortfolioPoint};
use pms_domain::summary::MixRow;
use rust_decimal::Decimal;
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::{Db, Scope};

/// On one day, for the group's portfolios that follow one benchmark: the sum of their changes
/// of value since each one's previous valuation (its first counts in full), and of their
/// external flows. The running sum of the changes is the pooled value with unvalued days
/// carried forward (`pms_metrics::group`).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupDay {
    pub day: NaiveDate,
    pub benchmark_id: i32,
    pub value_change: Decimal,
    pub net_flow: Decimal,
}

/// What a group is called and holds now (active portfolios).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupHeader {
    pub label: String,
    pub portfolios: i64,
    pub market_value: Decimal,
    pub as_of: Option<NaiveDate>,
}

/// A benchmark's name and its level history.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchmarkLevels {
    pub name: String,
    pub levels: Vec<(NaiveDate, Decimal)>,
}

/// Annual risk-free rate for Sharpe, Sortino and alpha when the installation sets none
/// (`app_setting` key `risk_free_rate_annual`): India's 91-day T-bill yield, roughly.
pub const DEFAULT_RISK_FREE_ANNUAL: f64 = 0.065;

/// `(kind, id)` as the SQL predicates below bind them.
fn kind_and_id(group: Group) -> (&'static str, i32) {
    match group {
        Group::Firm => ("firm", 0),
        Group::Strategy(id) => ("strategy", id),
        Group::Approach(id) => ("approach", id),
        Group::Rm(id) => ("rm", id),
        Group::Client(id) => ("client", id),
        Group::Portfolio(id) => ("portfolio", id),
    }
}

/// Whether portfolio `p` (client `c`, approach `ia`) is in group `($4, $5)`.
const PORTFOLIO_IN_GROUP: &str = "($4 = 'firm'
        OR ($4 = 'strategy' AND ia.strategy_id = $5) OR ($4 = 'approach' AND p.ia_id = $5)
        OR ($4 = 'rm' AND c.rm_id = $5) OR ($4 = 'client' AND p.client_id = $5)
        OR ($4 = 'portfolio' AND p.portfolio_id = $5))";

impl Db {
    /// The group's daily rows, oldest first (several per day when it spans benchmarks).
    pub async fn group_days(&self, scope: &Scope, group: Group) -> StoreResult<Vec<GroupDay>> {
        let (kind, id) = kind_and_id(group);
        let sql = match group {
            Group::Client(_) | Group::Portfolio(_) => format!(
                "WITH members AS (
                     SELECT p.portfolio_id, ia.benchmark_id
                     FROM dim_portfolio p
                     JOIN dim_client c ON c.client_id = p.client_id
                     JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
                     WHERE scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AND {PORTFOLIO_IN_GROUP})
                 SELECT v.valuation_date AS day, m.benchmark_id,
                        sum(v.market_value - coalesce(v.previous, 0)) AS value_change, sum(v.net_flow) AS net_flow
                 FROM (SELECT portfolio_id, valuation_date, market_value, net_flow,
                              lag(market_value) OVER (PARTITION BY portfolio_id ORDER BY valuation_date) AS previous
                       FROM fact_valuation WHERE portfolio_id IN (SELECT portfolio_id FROM members)) v
                 JOIN members m ON m.portfolio_id = v.portfolio_id
                 GROUP BY 1, 2 ORDER BY 1, 2"
            ),
            _ => "SELECT g.day, ia.benchmark_id, sum(g.value_change) AS value_change, sum(g.net_flow) AS net_flow
                  FROM agg_group_day g
                  JOIN dim_investment_approach ia ON ia.ia_id = g.ia_id
                  WHERE scope_sees_portfolio($1, $2, $3, nullif(g.rm_key, 0), ia.strategy_id)
                    AND ($4 = 'firm' OR ($4 = 'strategy' AND ia.strategy_id = $5)
                         OR ($4 = 'approach' AND g.ia_id = $5) OR ($4 = 'rm' AND g.rm_key = $5))
                  GROUP BY 1, 2 ORDER BY 1, 2"
                .to_owned(),
        };
        let rows = scope
            .query(&sql)
            .bind(kind)
            .bind(id)
            .fetch_all(self.pool())
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(GroupDay {
                    day: row.try_get("day")?,
                    benchmark_id: row.try_get("benchmark_id")?,
                    value_change: row.try_get("value_change")?,
                    net_flow: row.try_get("net_flow")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// The group's name, active portfolios and value; `NotFound` when the scope sees none of
    /// its portfolios (active or closed), so another book's groups stay invisible.
    pub async fn group_header(&self, scope: &Scope, group: Group) -> StoreResult<GroupHeader> {
        let (kind, id) = kind_and_id(group);
        let row = scope.query(&format!(
            "SELECT count(*) AS all_portfolios,
                    count(*) FILTER (WHERE p.status = 'Active') AS portfolios,
                    coalesce(sum(a.market_value) FILTER (WHERE p.status = 'Active'), 0) AS market_value,
                    max(a.as_of) AS as_of,
                    min(CASE $4 WHEN 'strategy' THEN s.name WHEN 'approach' THEN ia.name
                                WHEN 'rm' THEN r.name WHEN 'client' THEN c.name
                                WHEN 'portfolio' THEN p.ws_portfolio_code || ' · ' || c.name || ' · ' || ia.name
                           END) AS name
             FROM dim_portfolio p
             JOIN dim_client c ON c.client_id = p.client_id
             JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
             JOIN dim_strategy s ON s.strategy_id = ia.strategy_id
             LEFT JOIN dim_rm r ON r.rm_id = c.rm_id
             LEFT JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
             WHERE scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AND {PORTFOLIO_IN_GROUP}"
        ))
        .bind(kind)
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        let all: i64 = row.try_get("all_portfolios")?;
        if all == 0 && group != Group::Firm {
            return Err(StoreError::NotFound(format!(
                "{} {id} is not in the book you may see",
                group.kind_label().to_lowercase()
            )));
        }
        let name: Option<String> = row.try_get("name")?;
        Ok(GroupHeader {
            label: match name {
                Some(name) => format!("{} · {name}", group.kind_label()),
                None if scope.sees_all() => "The whole firm".to_owned(),
                None => "Your book".to_owned(),
            },
            portfolios: row.try_get("portfolios")?,
            market_value: row.try_get("market_value")?,
            as_of: row.try_get("as_of")?,
        })
    }

    /// Where the group's money is, from its active portfolios' latest holdings: by asset class
    /// (count: portfolios), and the equity part by sector and market cap (count: holdings).
    pub async fn group_allocation(&self, scope: &Scope, group: Group) -> StoreResult<Allocation> {
        let (kind, id) = kind_and_id(group);
        let rows = scope.query(&format!(
            "{},
             slices AS (
                 SELECT 'asset' AS dimension, asset_class AS label, sum(market_value) AS value,
                        count(DISTINCT portfolio_id) AS n, max(as_of) AS as_of FROM lines GROUP BY 2
                 UNION ALL
                 SELECT 'sector', sector, sum(market_value), count(*), max(as_of) FROM lines WHERE asset_class = 'Equity' GROUP BY 2
                 UNION ALL
                 SELECT 'cap', market_cap, sum(market_value), count(*), max(as_of) FROM lines WHERE asset_class = 'Equity' GROUP BY 2
             )
             SELECT * FROM slices ORDER BY dimension, value DESC",
            crate::compliance::latest_holdings(PORTFOLIO_IN_GROUP)
        ))
        .bind(kind)
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut allocation = Allocation::default();
        for row in rows {
            let dimension: String = row.try_get("dimension")?;
            let as_of: Option<NaiveDate> = row.try_get("as_of")?;
            allocation.as_of = allocation.as_of.max(as_of);
            let slice = MixRow {
                label: row.try_get("label")?,
                aum: row.try_get("value")?,
                count: row.try_get("n")?,
            };
            match dimension.as_str() {
                "asset" => allocation.by_asset_class.push(slice),
                "sector" => allocation.by_sector.push(slice),
                _ => allocation.by_market_cap.push(slice),
            }
        }
        Ok(allocation)
    }

    /// The group's active portfolios with a 1-year return and volatility (the `cap` largest).
    pub async fn group_scatter(
        &self,
        scope: &Scope,
        group: Group,
        cap: i64,
    ) -> StoreResult<Vec<PortfolioPoint>> {
        let (kind, id) = kind_and_id(group);
        let rows = scope.query(&format!(
            "SELECT p.portfolio_id, p.ws_portfolio_code || ' · ' || c.name AS label, a.market_value,
                    a.volatility_1y, pp.twrr_reported
             FROM dim_portfolio p
             JOIN dim_client c ON c.client_id = p.client_id
             JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
             JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
             JOIN agg_portfolio_period pp ON pp.portfolio_id = p.portfolio_id AND pp.period = '1Y'
             WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
               AND {PORTFOLIO_IN_GROUP} AND a.volatility_1y IS NOT NULL AND pp.twrr_reported IS NOT NULL
             ORDER BY a.market_value DESC, p.portfolio_id LIMIT $6"
        ))
        .bind(kind)
        .bind(id)
        .bind(cap)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(PortfolioPoint {
                    portfolio_id: row.try_get("portfolio_id")?,
                    label: row.try_get("label")?,
                    market_value: row.try_get("market_value")?,
                    volatility_1y: row.try_get("volatility_1y")?,
                    twrr_1y: row.try_get("twrr_reported")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Names and level histories of `benchmark_ids`.
    pub async fn benchmark_levels(
        &self,
        benchmark_ids: &[i32],
    ) -> StoreResult<HashMap<i32, BenchmarkLevels>> {
        let mut out: HashMap<i32, BenchmarkLevels> = HashMap::new();
        for row in
            sqlx::query("SELECT benchmark_id, name FROM dim_benchmark WHERE benchmark_id = ANY($1)")
                .bind(benchmark_ids)
                .fetch_all(self.pool())
                .await?
        {
            out.insert(
                row.try_get("benchmark_id")?,
                BenchmarkLevels {
                    name: row.try_get("name")?,
                    levels: Vec::new(),
                },
            );
        }
        for row in sqlx::query(
            "SELECT benchmark_id, level_date, level FROM fact_benchmark_level
             WHERE benchmark_id = ANY($1) ORDER BY benchmark_id, level_date",
        )
        .bind(benchmark_ids)
        .fetch_all(self.pool())
        .await?
        {
            let id: i32 = row.try_get("benchmark_id")?;
            if let Some(benchmark) = out.get_mut(&id) {
                benchmark
                    .levels
                    .push((row.try_get("level_date")?, row.try_get("level")?));
            }
        }
        Ok(out)
    }

    /// The installation's annual risk-free rate, or [`DEFAULT_RISK_FREE_ANNUAL`].
    pub async fn risk_free_annual(&self) -> StoreResult<f64> {
        let set: Option<f64> = sqlx::query_scalar(
            "SELECT (value #>> '{}')::float8 FROM app_setting WHERE key = 'risk_free_rate_annual'
               AND jsonb_typeof(value) = 'number'",
        )
        .fetch_optional(self.pool())
        .await?;
        Ok(set
            .filter(|r| r.is_finite() && (0.0..1.0).contains(r))
            .unwrap_or(DEFAULT_RISK_FREE_ANNUAL))
    }

    /// The strategies, approaches and RM books the scope sees any portfolio of.
    pub async fn group_choices(&self, scope: &Scope) -> StoreResult<GroupChoices> {
        let rows = scope
            .query(
                "SELECT DISTINCT 'strategy' AS kind, s.strategy_id AS id, s.name AS label
             FROM agg_group_day g JOIN dim_investment_approach ia ON ia.ia_id = g.ia_id
             JOIN dim_strategy s ON s.strategy_id = ia.strategy_id
             WHERE scope_sees_portfolio($1, $2, $3, nullif(g.rm_key, 0), ia.strategy_id)
             UNION
             SELECT DISTINCT 'approach', ia.ia_id, ia.name
             FROM agg_group_day g JOIN dim_investment_approach ia ON ia.ia_id = g.ia_id
             WHERE scope_sees_portfolio($1, $2, $3, nullif(g.rm_key, 0), ia.strategy_id)
             UNION
             SELECT DISTINCT 'rm', r.rm_id, r.name
             FROM agg_group_day g JOIN dim_investment_approach ia ON ia.ia_id = g.ia_id
             JOIN dim_rm r ON r.rm_id = g.rm_key
             WHERE scope_sees_portfolio($1, $2, $3, nullif(g.rm_key, 0), ia.strategy_id)
             ORDER BY 1, 3",
            )
            .fetch_all(self.pool())
            .await?;
        let mut choices = GroupChoices::default();
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let id: i32 = row.try_get("id")?;
            let label: String = row.try_get("label")?;
            let (list, group) = match kind.as_str() {
                "strategy" => (&mut choices.strategies, Group::Strategy(id)),
                "approach" => (&mut choices.approaches, Group::Approach(id)),
                _ => (&mut choices.rms, Group::Rm(id)),
            };
            list.push(GroupChoice { group, label });
        }
        Ok(choices)
    }
}
