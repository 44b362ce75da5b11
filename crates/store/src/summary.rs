//! The executive summary from the aggregates, within a scope.

use pms_domain::summary::{ExecutiveSummary, MixRow, RankedPortfolio};
use rust_decimal::Decimal;

use crate::compliance::latest_holdings;
use crate::error::StoreResult;
use crate::{Db, Scope};

impl Db {
    pub async fn executive_summary(&self, scope: &Scope) -> StoreResult<ExecutiveSummary> {
        let (all, rms, strategies) = (scope.sees_all(), scope.rm_ids(), scope.strategy_ids());
        let totals = sqlx::query!(
            r#"SELECT max(a.as_of) AS as_of, coalesce(sum(a.market_value), 0) AS "aum!",
                      count(DISTINCT p.client_id) AS "clients!", count(*) AS "portfolios!",
                      coalesce(sum(a.net_flow_fytd), 0) AS "net_flow!", coalesce(sum(a.market_gain_fytd), 0) AS "gain!",
                      sum(pp.twrr_reported * a.market_value::float8) / nullif(sum(a.market_value::float8) FILTER (WHERE pp.twrr_reported IS NOT NULL), 0) AS twrr,
                      sum(pp.benchmark_reported * a.market_value::float8) / nullif(sum(a.market_value::float8) FILTER (WHERE pp.benchmark_reported IS NOT NULL), 0) AS bench
               FROM dim_portfolio p
               JOIN dim_client c USING (client_id)
               JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
               JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
               LEFT JOIN agg_portfolio_period pp ON pp.portfolio_id = p.portfolio_id AND pp.period = '1Y'
               WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)"#,
            all,
            rms,
            strategies
        )
        .fetch_one(self.pool())
        .await?;
        let by_strategy = sqlx::query_as!(
            MixRow,
            r#"SELECT CASE WHEN s.name = s.category THEN s.name ELSE s.name || ' (' || s.category || ')' END AS "label!", coalesce(sum(a.market_value), 0) AS "aum!", count(*) AS "count!"
               FROM dim_portfolio p JOIN dim_client c USING (client_id)
               JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id JOIN dim_strategy s ON s.strategy_id = ia.strategy_id
               JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
               WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
               GROUP BY s.name, s.category ORDER BY 2 DESC"#,
            all,
            rms,
            strategies
        )
        .fetch_all(self.pool())
        .await?;
        let by_risk_profile = sqlx::query_as!(
            MixRow,
            r#"SELECT coalesce(c.risk_profile, 'Not recorded') AS "label!", coalesce(sum(a.market_value), 0) AS "aum!",
                      count(DISTINCT c.client_id) AS "count!"
               FROM dim_portfolio p JOIN dim_client c USING (client_id)
               JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
               JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
               WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
               GROUP BY 1 ORDER BY 2 DESC"#,
            all,
            rms,
            strategies
        )
        .fetch_all(self.pool())
        .await?;
        let by_approach = sqlx::query_as::<_, (String, Decimal, i64)>(
            "SELECT ia.name, coalesce(sum(a.market_value), 0), count(*)
             FROM dim_portfolio p JOIN dim_client c USING (client_id)
             JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
             JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
             WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
             GROUP BY ia.name ORDER BY 2 DESC",
        )
        .bind(all)
        .bind(rms)
        .bind(strategies)
        .fetch_all(self.pool())
        .await?;
        let by_asset_class = sqlx::query_as::<_, (String, Decimal, i64)>(&format!(
            "{}
             SELECT asset_class, sum(market_value), count(DISTINCT portfolio_id) FROM lines
             GROUP BY 1 ORDER BY 2 DESC",
            latest_holdings("true")
        ))
        .bind(all)
        .bind(rms)
        .bind(strategies)
        .fetch_all(self.pool())
        .await?;
        let mix = |rows: Vec<(String, Decimal, i64)>| {
            rows.into_iter()
                .map(|(label, aum, count)| MixRow { label, aum, count })
                .collect::<Vec<_>>()
        };
        let ranked = |descending: bool| async move {
            let sql = format!(
                "SELECT p.portfolio_id, p.client_id, c.name AS client_name, ia.name AS investment_approach, a.market_value,
                        pp.twrr_reported AS twrr_1y, pp.benchmark_reported AS benchmark_1y
                 FROM dim_portfolio p JOIN dim_client c USING (client_id)
                 JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
                 JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
                 JOIN agg_portfolio_period pp ON pp.portfolio_id = p.portfolio_id AND pp.period = '1Y'
                 WHERE p.status = 'Active' AND pp.twrr_reported IS NOT NULL
                   AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
                 ORDER BY pp.twrr_reported {} LIMIT 5",
                if descending { "DESC" } else { "ASC" }
            );
            sqlx::query_as::<_, (i32, i32, String, String, Decimal, Option<f64>, Option<f64>)>(&sql)
                .bind(all)
                .bind(rms)
                .bind(strategies)
                .fetch_all(self.pool())
                .await
                .map(|rows| {
                    rows.into_iter()
                        .map(|r| RankedPortfolio {
                            portfolio_id: r.0,
                            client_id: r.1,
                            client_name: r.2,
                            investment_approach: r.3,
                            market_value: r.4,
                            twrr_1y: r.5,
                            benchmark_1y: r.6,
                        })
                        .collect::<Vec<_>>()
                })
        };
        Ok(ExecutiveSummary {
            as_of: totals.as_of,
            aum: totals.aum,
            clients: totals.clients,
            portfolios: totals.portfolios,
            net_flow_fytd: totals.net_flow,
            market_gain_fytd: totals.gain,
            twrr_1y: totals.twrr,
            benchmark_1y: totals.bench,
            by_strategy,
            by_approach: mix(by_approach),
            by_asset_class: mix(by_asset_class),
            by_risk_profile,
            // The pooled history is the performance read's (`pms_service` fills them in).
            periods: Vec::new(),
            months: Vec::new(),
            top: ranked(true).await?,
            bottom: ranked(false).await?,
        })
    }
}
