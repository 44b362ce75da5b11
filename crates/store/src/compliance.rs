//! What the Compliance page reads besides performance: limit breaches in the latest holdings,
//! loads that failed, portfolios without current valuations and held securities without
//! current prices — each within a scope, each capped to the rows a page can show (with the
//! full count beside it).

use pms_domain::compliance::{
    FailedLoad, FeeOverview, FeeRow, LimitBreach, MissingValuation, StalePrice, FEE_DUE_DAYS,
};
use pms_domain::filter::Filter;
use sqlx::Row;

use crate::error::StoreResult;
use crate::filter::Narrowing;
use crate::{Db, Scope};

/// The limits a portfolio's latest holdings are held to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Largest share of a portfolio's value in one equity stock.
    pub single_stock: f64,
    /// Largest share in one sector.
    pub sector: f64,
}

/// Debt ratings below investment grade, and default: a holding rated so is a breach.
const BELOW_INVESTMENT_GRADE: &str = "^(BB|B|C|D)";

/// The latest holdings of the scope's active portfolios (`$1..$3` the scope) that also meet
/// `condition` (on `p`, `c`, `ia`), as `lines`: each line's value and weight in its portfolio.
pub(crate) fn latest_holdings(condition: &str) -> String {
    format!(
        "WITH visible AS (
            SELECT p.portfolio_id, p.ws_portfolio_code, p.client_id, c.name AS client_name
            FROM dim_portfolio p
            JOIN dim_client c ON c.client_id = p.client_id
            JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
            WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
              AND {condition}
        ), latest AS (
            SELECT v.*, l.as_of FROM visible v
            CROSS JOIN LATERAL (SELECT max(h.as_of) AS as_of FROM fact_holding h WHERE h.portfolio_id = v.portfolio_id) l
            WHERE l.as_of IS NOT NULL
        ), lines AS (
            SELECT l.portfolio_id, l.ws_portfolio_code, l.client_id, l.client_name, l.as_of,
                   s.name AS security, s.isin, s.asset_class, coalesce(s.sector, 'Unclassified') AS sector, s.rating,
                   coalesce(s.market_cap, 'Unclassified') AS market_cap, h.market_value,
                   h.market_value::float8 / nullif(sum(h.market_value::float8) OVER (PARTITION BY l.portfolio_id), 0) AS weight
            FROM latest l
            JOIN fact_holding h ON h.portfolio_id = l.portfolio_id AND h.as_of = l.as_of
            JOIN dim_security s ON s.security_id = h.security_id
        )"
    )
}

impl Db {
    /// Breaches of `limits` (and holdings rated below investment grade): the worst `cap` of
    /// each kind, worst first, how many there are in all, and how many of each kind.
    pub async fn limit_breaches(
        &self,
        scope: &Scope,
        filter: &Filter,
        limits: Limits,
        cap: i64,
    ) -> StoreResult<(Vec<LimitBreach>, i64, Vec<(String, i64)>)> {
        let narrowing = Narrowing::of(filter, 8);
        let rows = narrowing.bind(scope.query(&format!(
            "{},
            breaches AS (
                SELECT portfolio_id, ws_portfolio_code, client_id, client_name, as_of,
                       'Single stock' AS limit_name, security || ' (' || isin || ')' AS subject,
                       weight, $4::float8 AS threshold, sector AS detail
                FROM lines WHERE asset_class = 'Equity' AND weight > $4
                UNION ALL
                SELECT portfolio_id, ws_portfolio_code, client_id, client_name, as_of,
                       'Sector', sector, sum(weight), $5::float8, count(*) || ' holdings'
                FROM lines GROUP BY 1, 2, 3, 4, 5, 7 HAVING sum(weight) > $5
                UNION ALL
                SELECT portfolio_id, ws_portfolio_code, client_id, client_name, as_of,
                       'Credit rating', security || ' (' || isin || ')', weight, NULL, 'rated ' || rating
                FROM lines WHERE asset_class = 'Debt' AND rating ~ $6
            ),
            ranked AS (
                SELECT *, count(*) OVER () AS total, count(*) OVER (PARTITION BY limit_name) AS of_its_kind,
                       row_number() OVER (PARTITION BY limit_name ORDER BY weight - coalesce(threshold, 0) DESC, ws_portfolio_code) AS rank
                FROM breaches
            )
            SELECT * FROM ranked WHERE rank <= $7
            ORDER BY limit_name DESC, weight - coalesce(threshold, 0) DESC, ws_portfolio_code",
            latest_holdings(narrowing.sql())
        ))
        .bind(limits.single_stock)
        .bind(limits.sector)
        .bind(BELOW_INVESTMENT_GRADE)
        .bind(cap))
        .fetch_all(self.pool())
        .await?;
        let total = crate::scope::total(&rows)?;
        let mut by_kind: Vec<(String, i64)> = Vec::new();
        for row in &rows {
            let kind: String = row.try_get("limit_name")?;
            if !by_kind.iter().any(|(k, _)| *k == kind) {
                by_kind.push((kind, row.try_get("of_its_kind")?));
            }
        }
        let breaches = rows
            .into_iter()
            .map(|row| {
                Ok(LimitBreach {
                    portfolio_id: row.try_get("portfolio_id")?,
                    portfolio_code: row.try_get("ws_portfolio_code")?,
                    client_id: row.try_get("client_id")?,
                    client_name: row.try_get("client_name")?,
                    limit: row.try_get("limit_name")?,
                    subject: row.try_get("subject")?,
                    weight: row.try_get("weight")?,
                    threshold: row.try_get("threshold")?,
                    detail: row.try_get("detail")?,
                    as_of: row.try_get("as_of")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((breaches, total, by_kind))
    }

    /// Loads that failed or were rejected in the last `days` days, newest first.
    pub async fn failed_loads(&self, days: i32, cap: i64) -> StoreResult<Vec<FailedLoad>> {
        let rows = sqlx::query(
            "SELECT job_id, report, file_name, status, error_count, message, coalesce(finished_at, created_at) AS at
             FROM ingest_job
             WHERE status IN ('failed', 'rejected') AND created_at > now() - make_interval(days => $1)
             ORDER BY created_at DESC LIMIT $2",
        )
        .bind(days)
        .bind(cap)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(FailedLoad {
                    job_id: row.try_get("job_id")?,
                    report: row.try_get("report")?,
                    file_name: row.try_get("file_name")?,
                    status: row.try_get("status")?,
                    error_count: row.try_get("error_count")?,
                    message: row.try_get("message")?,
                    at: row.try_get("at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Active portfolios of the scope last valued before the firm's latest valuation date (or
    /// never), most behind first, and how many.
    pub async fn missing_valuations(
        &self,
        scope: &Scope,
        filter: &Filter,
        cap: i64,
    ) -> StoreResult<(Vec<MissingValuation>, i64)> {
        let narrowing = Narrowing::of(filter, 5);
        let rows = narrowing.bind(scope.query(&format!(
            "WITH firm AS (SELECT max(as_of) AS as_of FROM agg_portfolio)
             SELECT p.portfolio_id, p.ws_portfolio_code, p.client_id, c.name AS client_name, a.as_of AS last_valued,
                    (firm.as_of - a.as_of)::int8 AS days_behind, count(*) OVER () AS total
             FROM dim_portfolio p
             JOIN dim_client c ON c.client_id = p.client_id
             JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
             LEFT JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
             CROSS JOIN firm
             WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
               AND (a.as_of IS NULL OR a.as_of < firm.as_of) AND {}
             ORDER BY a.as_of NULLS FIRST, p.ws_portfolio_code LIMIT $4",
            narrowing.sql()
        ))
        .bind(cap))
        .fetch_all(self.pool())
        .await?;
        let total = crate::scope::total(&rows)?;
        let list = rows
            .into_iter()
            .map(|row| {
                Ok(MissingValuation {
                    portfolio_id: row.try_get("portfolio_id")?,
                    portfolio_code: row.try_get("ws_portfolio_code")?,
                    client_id: row.try_get("client_id")?,
                    client_name: row.try_get("client_name")?,
                    last_valued: row.try_get("last_valued")?,
                    days_behind: row.try_get("days_behind")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((list, total))
    }

    /// Securities in the scope's latest holdings whose last price is more than `max_age_days`
    /// before the firm's latest valuation date (or that have none), and how many.
    pub async fn stale_prices(
        &self,
        scope: &Scope,
        filter: &Filter,
        max_age_days: i32,
        cap: i64,
    ) -> StoreResult<(Vec<StalePrice>, i64)> {
        let narrowing = Narrowing::of(filter, 6);
        let rows = narrowing.bind(scope.query(&format!(
            "{},
            held AS (SELECT isin, security, count(DISTINCT portfolio_id) AS portfolios FROM lines GROUP BY 1, 2),
            priced AS (
                SELECT held.*, (SELECT max(fp.price_date) FROM fact_security_price fp
                                JOIN dim_security s ON s.security_id = fp.security_id WHERE s.isin = held.isin) AS last_price_date
                FROM held
            )
            SELECT priced.*, count(*) OVER () AS total FROM priced, (SELECT max(as_of) AS as_of FROM agg_portfolio) firm
            WHERE last_price_date IS NULL OR last_price_date < firm.as_of - $4::int
            ORDER BY last_price_date NULLS FIRST, isin LIMIT $5",
            latest_holdings(narrowing.sql())
        ))
        .bind(max_age_days)
        .bind(cap))
        .fetch_all(self.pool())
        .await?;
        let total = crate::scope::total(&rows)?;
        let list = rows
            .into_iter()
            .map(|row| {
                Ok(StalePrice {
                    isin: row.try_get("isin")?,
                    name: row.try_get("security")?,
                    last_price_date: row.try_get("last_price_date")?,
                    portfolios: row.try_get("portfolios")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((list, total))
    }

    /// Fees accrued at the latest valuation of the scope's active portfolios that `filter` lets
    /// through: totals, and the `cap` portfolios with the largest performance fee accrued.
    pub async fn fee_accruals(
        &self,
        scope: &Scope,
        filter: &Filter,
        cap: i64,
    ) -> StoreResult<FeeOverview> {
        let narrowing = Narrowing::of(filter, 6);
        let rows = narrowing
            .bind(
                scope
                    .query(&format!(
                        "WITH fees AS (
                             SELECT {FEE_ROW_COLUMNS}
                             FROM dim_portfolio p
                             JOIN dim_client c ON c.client_id = p.client_id
                             JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
                             JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
                             JOIN agg_portfolio_fee f ON f.portfolio_id = p.portfolio_id
                             WHERE p.status = 'Active' AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
                               AND {})
                         SELECT *, coalesce(sum(mgmt_fee_accrued) OVER (), 0) AS total_mgmt,
                                coalesce(sum(perf_fee_accrued) OVER (), 0) AS total_perf,
                                count(*) FILTER (WHERE perf_fee_accrued > 0) OVER () AS with_perf,
                                coalesce(sum(perf_fee_accrued) FILTER (WHERE next_crystallisation <= as_of + $5) OVER (), 0) AS due_soon
                         FROM fees
                         ORDER BY perf_fee_accrued DESC NULLS LAST, mgmt_fee_accrued DESC, ws_portfolio_code LIMIT $4",
                        narrowing.sql()
                    ))
                    .bind(cap)
                    .bind(FEE_DUE_DAYS),
            )
            .fetch_all(self.pool())
            .await?;
        let mut overview = FeeOverview::default();
        if let Some(first) = rows.first() {
            overview.mgmt_fee_accrued = first.try_get("total_mgmt")?;
            overview.perf_fee_accrued = first.try_get("total_perf")?;
            overview.portfolios_with_perf_fee = first.try_get("with_perf")?;
            overview.perf_fee_due_soon = first.try_get("due_soon")?;
        }
        overview.rows = rows
            .iter()
            .map(fee_row)
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(overview)
    }
}

/// The columns a [`FeeRow`] is read from (the fee marks joined to their portfolio and client).
pub(crate) const FEE_ROW_COLUMNS: &str =
    "p.portfolio_id, p.ws_portfolio_code, p.client_id, c.name AS client_name,
     a.market_value, f.as_of, f.high_water_mark, f.hurdle_value, f.perf_fee_accrued,
     f.next_crystallisation, f.mgmt_fee_accrued";

/// One portfolio's fees from a row with [`FEE_ROW_COLUMNS`].
pub(crate) fn fee_row(row: &sqlx::postgres::PgRow) -> Result<FeeRow, sqlx::Error> {
    Ok(FeeRow {
        portfolio_id: row.try_get("portfolio_id")?,
        portfolio_code: row.try_get("ws_portfolio_code")?,
        client_id: row.try_get("client_id")?,
        client_name: row.try_get("client_name")?,
        as_of: row.try_get("as_of")?,
        market_value: row.try_get("market_value")?,
        high_water_mark: row.try_get("high_water_mark")?,
        hurdle_value: row.try_get("hurdle_value")?,
        perf_fee_accrued: row.try_get("perf_fee_accrued")?,
        next_crystallisation: row.try_get("next_crystallisation")?,
        mgmt_fee_accrued: row.try_get("mgmt_fee_accrued")?,
    })
}
