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

use pms_domain::filter::{Filter, FilterChoices, FinancialYear};

use crate::error::{StoreError, StoreResult};
use crate::filter::Narrowing;
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
    /// `filter` narrows the portfolios; one that only names strategies, approaches, RMs or teams
    /// is still answered from the cells, any other from the portfolios' valuations.
    pub async fn group_days(
        &self,
        scope: &Scope,
        group: Group,
        filter: &Filter,
    ) -> StoreResult<Vec<GroupDay>> {
        let (kind, id) = kind_and_id(group);
        let narrowing = Narrowing::of(filter, 6);
        let narrow = narrowing.sql();
        let from_valuations = matches!(group, Group::Client(_) | Group::Portfolio(_))
            || !filter.only_by_approach_and_rm();
        let sql = if from_valuations {
            format!(
                "WITH members AS (
                     SELECT p.portfolio_id, ia.benchmark_id
                     FROM dim_portfolio p
                     JOIN dim_client c ON c.client_id = p.client_id
                     JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
                     WHERE scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AND {PORTFOLIO_IN_GROUP} AND {narrow})
                 SELECT v.valuation_date AS day, m.benchmark_id,
                        sum(v.market_value - coalesce(v.previous, 0)) AS value_change, sum(v.net_flow) AS net_flow
                 FROM (SELECT portfolio_id, valuation_date, market_value, net_flow,
                              lag(market_value) OVER (PARTITION BY portfolio_id ORDER BY valuation_date) AS previous
                       FROM fact_valuation WHERE portfolio_id IN (SELECT portfolio_id FROM members)) v
                 JOIN members m ON m.portfolio_id = v.portfolio_id
                 GROUP BY 1, 2 ORDER BY 1, 2"
            )
        } else {
            // `p` and `c` name the cell's approach and RM, so the filter reads as it does on
            // a portfolio.
            format!(
                "SELECT g.day, ia.benchmark_id, sum(g.value_change) AS value_change, sum(g.net_flow) AS net_flow
                 FROM agg_group_day g
                 JOIN dim_investment_approach ia ON ia.ia_id = g.ia_id
                 CROSS JOIN LATERAL (SELECT g.ia_id) p
                 CROSS JOIN LATERAL (SELECT nullif(g.rm_key, 0) AS rm_id) c
                 WHERE scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
                   AND ($4 = 'firm' OR ($4 = 'strategy' AND ia.strategy_id = $5)
                        OR ($4 = 'approach' AND g.ia_id = $5) OR ($4 = 'rm' AND g.rm_key = $5))
                   AND {narrow}
                 GROUP BY 1, 2 ORDER BY 1, 2"
            )
        };
        let rows = narrowing
            .bind(scope.query(&sql).bind(kind).bind(id))
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
    pub async fn group_header(
        &self,
        scope: &Scope,
        group: Group,
        filter: &Filter,
    ) -> StoreResult<GroupHeader> {
        let (kind, id) = kind_and_id(group);
        let narrowing = Narrowing::of(filter, 6);
        let narrow = narrowing.sql();
        let row = narrowing.bind(scope.query(&format!(
            "SELECT count(*) AS all_portfolios,
                    count(*) FILTER (WHERE p.status = 'Active' AND {narrow}) AS portfolios,
                    coalesce(sum(a.market_value) FILTER (WHERE p.status = 'Active' AND {narrow}), 0) AS market_value,
                    max(a.as_of) FILTER (WHERE {narrow}) AS as_of,
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
        .bind(id))
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
    pub async fn group_allocation(
        &self,
        scope: &Scope,
        group: Group,
        filter: &Filter,
    ) -> StoreResult<Allocation> {
        let (kind, id) = kind_and_id(group);
        let narrowing = Narrowing::of(filter, 6);
        let rows = narrowing.bind(scope.query(&format!(
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
            crate::compliance::latest_holdings(&format!("{PORTFOLIO_IN_GROUP} AND {}", narrowing.sql()))
        ))
        .bind(kind)
        .bind(id))
        .fetch_all(self.pool())
        .await?;
        let mut allocation = Allocation::default();
        for row in rows {
            let dimension: String = row.try_get("dimension")?;
            let as_of: Option<NaiveDate> = row.try_get("as_of")?;
            allocation.as_of = allocation.as_of.max(as_of);
            let label: String = row.try_get("label")?;
            let slice = MixRow {
                drill: (dimension == "asset").then(|| ("asset".to_owned(), label.clone())),
                label,
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
        filter: &Filter,
        cap: i64,
    ) -> StoreResult<Vec<PortfolioPoint>> {
        let (kind, id) = kind_and_id(group);
        let narrowing = Narrowing::of(filter, 7);
        let narrow = narrowing.sql();
        let rows = narrowing.bind(scope.query(&format!(
            "SELECT p.portfolio_id, p.ws_portfolio_code || ' · ' || c.name AS label, a.market_value,
                    a.volatility_1y, pp.twrr_reported
             FROM dim_portfolio p
             JOIN dim_client c ON c.client_id = p.client_id
             JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
             JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
             JOIN agg_portfolio_period pp ON pp.portfolio_id = p.portfolio_id AND pp.period = '1Y'
             WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
               AND {PORTFOLIO_IN_GROUP} AND {narrow} AND a.volatility_1y IS NOT NULL AND pp.twrr_reported IS NOT NULL
             ORDER BY a.market_value DESC, p.portfolio_id LIMIT $6"
        ))
        .bind(kind)
        .bind(id)
        .bind(cap))
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

    /// What the scope's filters can offer: the strategies, approaches, RMs and teams, risk
    /// profiles, states, cities and asset classes of the portfolios it sees, and the financial
    /// years its valuations cover.
    pub async fn filter_choices(&self, scope: &Scope) -> StoreResult<FilterChoices> {
        let rows = scope
            .query(
                "WITH seen AS (
                     SELECT p.portfolio_id, p.ia_id, ia.name AS approach, s.strategy_id, s.name AS strategy,
                            c.rm_id, r.name AS rm, r.team_id, t.name AS team, c.risk_profile, c.state, c.city
                     FROM dim_portfolio p
                     JOIN dim_client c ON c.client_id = p.client_id
                     JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
                     JOIN dim_strategy s ON s.strategy_id = ia.strategy_id
                     LEFT JOIN dim_rm r ON r.rm_id = c.rm_id
                     LEFT JOIN rm_team t ON t.team_id = r.team_id
                     WHERE scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id))
                 SELECT DISTINCT 'strategy' AS kind, strategy_id AS id, strategy AS label FROM seen
                 UNION SELECT DISTINCT 'approach', ia_id, approach FROM seen
                 UNION SELECT DISTINCT 'rm', rm_id, rm FROM seen WHERE rm_id IS NOT NULL
                 UNION SELECT DISTINCT 'team', team_id, team FROM seen WHERE team_id IS NOT NULL
                 UNION SELECT DISTINCT 'risk', 0, risk_profile FROM seen WHERE risk_profile IS NOT NULL
                 UNION SELECT DISTINCT 'state', 0, state FROM seen WHERE state IS NOT NULL
                 UNION SELECT DISTINCT 'city', 0, city FROM seen WHERE city IS NOT NULL
                 UNION SELECT DISTINCT 'asset', 0, asset_class FROM dim_security WHERE asset_class IS NOT NULL
                 UNION SELECT 'year', extract(year FROM y)::int, NULL
                       FROM (SELECT min(day) AS first, max(day) AS last FROM agg_group_day) d
                       CROSS JOIN LATERAL generate_series(date_trunc('year', d.first - interval '3 months'), d.last - interval '3 months', interval '1 year') y
                 ORDER BY 1, 3, 2",
            )
            .fetch_all(self.pool())
            .await?;
        let mut choices = FilterChoices::default();
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let id: i32 = row.try_get("id")?;
            let label: Option<String> = row.try_get("label")?;
            let label = label.unwrap_or_default();
            match kind.as_str() {
                "strategy" => choices.strategies.push((id, label)),
                "approach" => choices.approaches.push((id, label)),
                "rm" => choices.rms.push((id, label)),
                "team" => choices.teams.push((id, label)),
                "risk" => choices.risk_profiles.push(label),
                "state" => choices.states.push(label),
                "city" => choices.cities.push(label),
                "asset" => choices.asset_classes.push(label),
                _ => choices.financial_years.push(FinancialYear(id)),
            }
        }
        choices
            .financial_years
            .sort_unstable_by_key(|fy| std::cmp::Reverse(fy.0));
        choices.financial_years.dedup();
        Ok(choices)
    }
}
