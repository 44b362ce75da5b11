//! The client book's analytics beside the client table, within a scope: the RM league table,
//! geography by state and city, and clients joining and leaving per financial year. Figures
//! are over the portfolios the scope sees (a portfolio manager's clients count with their
//! strategies' portfolios only), as everywhere else.

use pms_domain::clients::{ClientFlowRow, GeoRow, RmLeagueRow};
use pms_domain::filter::Filter;
use rust_decimal::Decimal;
use sqlx::Row;

use crate::error::StoreResult;
use crate::filter::Narrowing;
use crate::{Db, Scope};

/// Active portfolios the scope sees and `narrow` lets through, with their client, RM and
/// current figures.
fn visible_portfolios(narrow: &str) -> String {
    format!(
        "visible AS (
        SELECT p.portfolio_id, c.client_id, c.rm_id, c.state, c.city, a.market_value, a.net_flow_fytd
        FROM dim_portfolio p
        JOIN dim_client c ON c.client_id = p.client_id
        JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
        JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
        WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AND {narrow}
    )"
    )
}

/// Financial years shown in the joining-and-leaving table.
const FLOW_YEARS: i32 = 6;

impl Db {
    /// Every RM with a visible portfolio: clients, portfolios, AUM, net flows and the fees
    /// charged this financial year (the year of the latest valuation), largest book first. The
    /// return is left to the caller (it is the RM book's pooled TWRR).
    pub async fn rm_league(&self, scope: &Scope, filter: &Filter) -> StoreResult<Vec<RmLeagueRow>> {
        let narrowing = Narrowing::of(filter, 4);
        let rows = narrowing.bind(scope.query(&format!(
            "WITH {},
             fy AS (SELECT make_date(extract(year FROM max(as_of) - interval '3 months')::int, 4, 1) AS start FROM agg_portfolio),
             fees AS (
                 SELECT v.rm_id, -sum(x.amount) AS fees
                 FROM fact_transaction x JOIN visible v ON v.portfolio_id = x.portfolio_id, fy
                 WHERE x.txn_type IN ('MGMT_FEE', 'PERF_FEE') AND x.trade_date >= fy.start
                 GROUP BY v.rm_id
             )
             SELECT r.rm_id, r.name, t.name AS team, count(DISTINCT v.client_id) AS clients,
                    count(*) AS portfolios, sum(v.market_value) AS aum, sum(v.net_flow_fytd) AS net_flow,
                    coalesce(max(fees.fees), 0) AS fees
             FROM visible v
             JOIN dim_rm r ON r.rm_id = v.rm_id
             LEFT JOIN rm_team t ON t.team_id = r.team_id
             LEFT JOIN fees ON fees.rm_id = v.rm_id
             GROUP BY r.rm_id, r.name, t.name
             ORDER BY aum DESC, r.name",
            visible_portfolios(narrowing.sql())
        )))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(RmLeagueRow {
                    rm_id: row.try_get("rm_id")?,
                    name: row.try_get("name")?,
                    team: row.try_get("team")?,
                    clients: row.try_get("clients")?,
                    portfolios: row.try_get("portfolios")?,
                    aum: row.try_get("aum")?,
                    net_flow_fytd: row.try_get("net_flow")?,
                    fees_fytd: row.try_get("fees")?,
                    twrr_1y: None,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Clients and AUM by state, and by city (the `cities` largest).
    pub async fn geography(
        &self,
        scope: &Scope,
        filter: &Filter,
        cities: i64,
    ) -> StoreResult<(Vec<GeoRow>, Vec<GeoRow>)> {
        let narrowing = Narrowing::of(filter, 4);
        let rows = narrowing.bind(scope.query(&format!(
            "WITH {}
             SELECT coalesce(state, 'Not recorded') AS state, city, count(DISTINCT client_id) AS clients,
                    sum(market_value) AS aum, GROUPING(city) = 1 AS whole_state
             FROM visible
             GROUP BY GROUPING SETS ((coalesce(state, 'Not recorded')), (coalesce(state, 'Not recorded'), city))
             ORDER BY aum DESC",
            visible_portfolios(narrowing.sql())
        )))
        .fetch_all(self.pool())
        .await?;
        let (mut states, mut by_city) = (Vec::new(), Vec::new());
        for row in rows {
            let geo = GeoRow {
                state: row.try_get("state")?,
                city: row.try_get("city")?,
                clients: row.try_get("clients")?,
                aum: row.try_get::<Decimal, _>("aum")?,
            };
            if row.try_get("whole_state")? {
                states.push(geo);
            } else if (by_city.len() as i64) < cities {
                by_city.push(geo);
            }
        }
        Ok((states, by_city))
    }

    /// Clients joining and leaving in each of the last financial years (the current one up to
    /// the latest valuation date), with the year's retention: clients active at both ends over
    /// clients active at the start (METRICS.md). Active on a day: onboarded on or before it and
    /// not closed on or before it.
    /// With a filter, the clients counted are those with a portfolio it lets through.
    pub async fn client_flows(
        &self,
        scope: &Scope,
        filter: &Filter,
    ) -> StoreResult<Vec<ClientFlowRow>> {
        let narrowing = Narrowing::of(filter, 5);
        let narrowed = if filter.narrows_portfolios() {
            format!(
                "AND EXISTS (SELECT 1 FROM dim_portfolio p JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
                             WHERE p.client_id = c.client_id
                               AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AND {})",
                narrowing.sql()
            )
        } else {
            String::new()
        };
        let rows = narrowing.bind(scope.query(&format!(
            "WITH latest AS (SELECT coalesce(max(as_of), current_date) AS d FROM agg_portfolio),
             years AS (
                 SELECT y, make_date(y, 4, 1) AS start, least(make_date(y + 1, 3, 31), latest.d) AS finish
                 FROM latest, generate_series(extract(year FROM latest.d - interval '3 months')::int - $4 + 1,
                                              extract(year FROM latest.d - interval '3 months')::int) AS y
             ),
             visible AS (
                 SELECT c.onboarding_date AS joined, c.closure_date AS closed FROM dim_client c
                 WHERE c.onboarding_date IS NOT NULL AND scope_sees_client($1, $2, $3, c.client_id, c.rm_id)
                   {narrowed}
             )
             SELECT y,
                    count(*) FILTER (WHERE joined BETWEEN start AND finish) AS joined,
                    count(*) FILTER (WHERE closed BETWEEN start AND finish) AS left_,
                    count(*) FILTER (WHERE joined < start AND (closed IS NULL OR closed >= start)) AS at_start,
                    count(*) FILTER (WHERE joined <= finish AND (closed IS NULL OR closed > finish)) AS at_end,
                    count(*) FILTER (WHERE joined < start AND (closed IS NULL OR closed > finish)) AS kept
             FROM years CROSS JOIN visible
             GROUP BY y ORDER BY y"
        ))
        .bind(FLOW_YEARS))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|row| {
                let year: i32 = row.try_get("y")?;
                let at_start: i64 = row.try_get("at_start")?;
                let kept: i64 = row.try_get("kept")?;
                Ok(ClientFlowRow {
                    label: format!("FY{year}-{:02}", (year + 1) % 100),
                    joined: row.try_get("joined")?,
                    left: row.try_get("left_")?,
                    active_at_start: at_start,
                    active_at_end: row.try_get("at_end")?,
                    retention: (at_start > 0).then(|| kept as f64 / at_start as f64),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
