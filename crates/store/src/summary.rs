//! The executive summary from the aggregates, within a scope.

use pms_domain::filter::Filter;
use pms_domain::summary::{ExecutiveSummary, MixRow, RankedPortfolio};
use sqlx::Row;

use crate::compliance::latest_holdings;
use crate::error::StoreResult;
use crate::filter::Narrowing;
use crate::{Db, Scope};

impl Db {
    /// The summary of the scope's active portfolios that pass `filter`. Its 1-year return,
    /// periods, trend and the period's flows and gain come from the pooled history
    /// (`pms_service` fills them in); here they are the stored financial-year-to-date ones.
    pub async fn executive_summary(
        &self,
        scope: &Scope,
        filter: &Filter,
    ) -> StoreResult<ExecutiveSummary> {
        let narrowing = Narrowing::of(filter, 4);
        let narrow = narrowing.sql();
        let visible = format!(
            "FROM dim_portfolio p
             JOIN dim_client c USING (client_id)
             JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
             JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
             WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AND {narrow}"
        );
        let totals = narrowing
            .bind(scope.query(&format!(
                "SELECT max(a.as_of) AS as_of, coalesce(sum(a.market_value), 0) AS aum,
                        count(DISTINCT p.client_id) AS clients, count(*) AS portfolios
                 {visible}"
            )))
            .fetch_one(self.pool())
            .await?;
        // `drill`: the filter parameter's value that selects the row (NULL: none does).
        let mix_of = |label: &str, count: &str, drill: &str, group: &str| {
            format!(
                "SELECT {label} AS label, coalesce(sum(a.market_value), 0) AS aum, {count} AS count, {drill} AS drill
                 FROM dim_portfolio p JOIN dim_client c USING (client_id)
                 JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id JOIN dim_strategy s ON s.strategy_id = ia.strategy_id
                 JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
                 WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AND {narrow}
                 GROUP BY {group} ORDER BY 2 DESC"
            )
        };
        let mix_rows = |sql: String, parameter: &'static str| {
            let narrowing = &narrowing;
            async move {
                let rows = narrowing
                    .bind(scope.query(&sql))
                    .fetch_all(self.pool())
                    .await?;
                rows.iter()
                    .map(|row| {
                        Ok(MixRow {
                            label: row.try_get("label")?,
                            aum: row.try_get("aum")?,
                            count: row.try_get("count")?,
                            drill: row
                                .try_get::<Option<String>, _>("drill")?
                                .map(|value| (parameter.to_owned(), value)),
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
            }
        };
        let by_strategy = mix_rows(mix_of(
            "CASE WHEN s.name = s.category THEN s.name ELSE s.name || ' (' || s.category || ')' END",
            "count(*)",
            "s.strategy_id::text",
            "s.strategy_id, s.name, s.category",
        ), "strategy")
        .await?;
        let by_risk_profile = mix_rows(
            mix_of(
                "coalesce(c.risk_profile, 'Not recorded')",
                "count(DISTINCT c.client_id)",
                "c.risk_profile",
                "1, 4",
            ),
            "risk",
        )
        .await?;
        let by_approach = mix_rows(
            mix_of("ia.name", "count(*)", "ia.ia_id::text", "ia.ia_id, ia.name"),
            "approach",
        )
        .await?;
        let by_asset_class = mix_rows(format!(
            "{}
             SELECT asset_class AS label, sum(market_value) AS aum, count(DISTINCT portfolio_id) AS count,
                    asset_class AS drill
             FROM lines GROUP BY 1 ORDER BY 2 DESC",
            latest_holdings(narrow)
        ), "asset")
        .await?;
        let narrowing = &narrowing;
        let ranked = |descending: bool| async move {
            let sql = format!(
                "SELECT p.portfolio_id, p.client_id, c.name AS client_name, ia.name AS investment_approach, a.market_value,
                        pp.twrr_reported AS twrr_1y, pp.benchmark_reported AS benchmark_1y
                 FROM dim_portfolio p JOIN dim_client c USING (client_id)
                 JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
                 JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
                 JOIN agg_portfolio_period pp ON pp.portfolio_id = p.portfolio_id AND pp.period = '1Y'
                 WHERE p.status = 'Active' AND pp.twrr_reported IS NOT NULL
                   AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AND {narrow}
                 ORDER BY pp.twrr_reported {} LIMIT 5",
                if descending { "DESC" } else { "ASC" }
            );
            narrowing
                .bind(scope.query(&sql))
                .fetch_all(self.pool())
                .await
                .and_then(|rows| {
                    rows.iter()
                        .map(|r| {
                            Ok(RankedPortfolio {
                                portfolio_id: r.try_get("portfolio_id")?,
                                client_id: r.try_get("client_id")?,
                                client_name: r.try_get("client_name")?,
                                investment_approach: r.try_get("investment_approach")?,
                                market_value: r.try_get("market_value")?,
                                twrr_1y: r.try_get("twrr_1y")?,
                                benchmark_1y: r.try_get("benchmark_1y")?,
                            })
                        })
                        .collect::<Result<Vec<_>, sqlx::Error>>()
                })
        };
        Ok(ExecutiveSummary {
            as_of: totals.try_get("as_of")?,
            aum: totals.try_get("aum")?,
            clients: totals.try_get("clients")?,
            portfolios: totals.try_get("portfolios")?,
            change: None,
            twrr_1y: None,
            benchmark_1y: None,
            by_strategy,
            by_approach,
            by_asset_class,
            by_risk_profile,
            // The pooled history is the performance read's (`pms_service` fills them in).
            periods: Vec::new(),
            months: Vec::new(),
            top: ranked(true).await?,
            bottom: ranked(false).await?,
        })
    }
}
