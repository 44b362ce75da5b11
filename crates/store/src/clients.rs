//! Client and portfolio reads, always within a [`Scope`]: a client or portfolio outside the
//! caller's scope is indistinguishable from one that does not exist.

use std::collections::HashMap;

use chrono::NaiveDate;
use futures::stream::{self, BoxStream, StreamExt};
use pms_domain::clients::{
    ActivitySummary, ClientDetail, ClientHit, ClientQuery, ClientSort, ClientSummary,
    ContactSummary, Holding, Page, PeriodPerformance, PortfolioHoldings, PortfolioSummary,
    ValuationPoint,
};
use pms_domain::filter::Filter;
use pms_domain::ids::Pan;
use pms_metrics::group::{pooled_one_year_twrr, DailyRow};
use pms_metrics::CashFlow;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use sqlx::postgres::PgArguments;
use sqlx::{PgPool, Postgres, Row};

use crate::error::StoreResult;
use crate::filter::Narrowing;
use crate::{Db, Scope};

#[derive(sqlx::FromRow)]
struct ClientRow {
    client_id: i32,
    name: String,
    client_code: Option<String>,
    city: Option<String>,
    state: Option<String>,
    rm_name: Option<String>,
    risk_profile: Option<String>,
    status: String,
    onboarding_date: Option<NaiveDate>,
    aum: Decimal,
    portfolios: i32,
    twrr_1y: Option<f64>,
    xirr_si: Option<f64>,
    /// The visible portfolios whose combined XIRR and pooled 1-year TWRR are computed here,
    /// not in SQL (see [`IN_SCOPE_FIGURES`]).
    combined_of: Option<Vec<i32>>,
    total: i64,
    /// The sort column's value as PostgreSQL writes it (the list's cursors carry it).
    #[sqlx(default)]
    sort_key: Option<String>,
}

impl From<ClientRow> for ClientSummary {
    fn from(r: ClientRow) -> Self {
        ClientSummary {
            client_id: r.client_id,
            name: r.name,
            client_code: r.client_code,
            city: r.city,
            state: r.state,
            rm_name: r.rm_name,
            risk_profile: r.risk_profile,
            status: r.status,
            onboarding_date: r.onboarding_date,
            aum: r.aum,
            portfolios: r.portfolios,
            twrr_1y: r.twrr_1y,
            xirr_si: r.xirr_si,
        }
    }
}

/// Every client matching a list query, in the list's order, for an export.
pub struct ClientExport {
    /// How many rows `rows` yields (counted by the same query).
    pub total: i64,
    /// The data version read as the export began (see [`Db::read_version`]).
    pub data_version: i64,
    pub rows: BoxStream<'static, StoreResult<ClientSummary>>,
}

/// Rows buffered between the query and a slow reader of an export: the cursor waits beyond.
const EXPORT_BUFFER_ROWS: usize = 1024;
/// Rows of an export completed together (one query for their combined XIRRs, if any).
const EXPORT_BATCH_ROWS: usize = 256;

const CLIENT_COLUMNS: &str =
    "c.client_id, c.name, c.ws_client_code AS client_code, c.city, c.state, r.name AS rm_name,
    c.risk_profile, c.status, c.onboarding_date, f.aum, f.portfolios, f.twrr_1y, f.xirr_si,
    f.combined_of";

const CLIENT_SOURCE: &str = "dim_client c
    LEFT JOIN agg_client a USING (client_id)
    LEFT JOIN dim_rm r ON r.rm_id = c.rm_id";

/// A client's figures `f` when the scope sees all of every client: the whole-client aggregate.
const WHOLE_CLIENT_FIGURES: &str = "CROSS JOIN LATERAL (
    SELECT coalesce(a.aum, 0) AS aum, coalesce(a.portfolios, 0) AS portfolios, a.twrr_1y, a.xirr_si,
           NULL::int[] AS combined_of
) f";

/// A client's figures `f` within a restricted scope ($1..$3). Where the scope sees every
/// portfolio of the client (an RM's own client, a PM's single-strategy client) they are the
/// whole-client aggregate; otherwise they combine the aggregate refresh's per-portfolio
/// figures of the visible portfolios by the refresh's own client rules
/// (`pms_ingest::aggregate`): AUM over active portfolios, every portfolio counted. XIRR and the
/// pooled 1-year TWRR do not combine from per-portfolio figures: over one visible portfolio
/// they are that portfolio's (the same flows and values); over several they are NULL here and
/// `combined_of` lists the portfolios for [`with_combined_figures`]. (Sorting by, or a range
/// on, those figures thus treats such clients as ones without the figure.)
const IN_SCOPE_FIGURES: &str = "CROSS JOIN LATERAL (
    SELECT CASE WHEN whole THEN coalesce(a.aum, 0) ELSE visible_aum END AS aum,
           CASE WHEN whole THEN coalesce(a.portfolios, 0) ELSE visible_portfolios END AS portfolios,
           CASE WHEN whole THEN a.twrr_1y ELSE visible_twrr_1y END AS twrr_1y,
           CASE WHEN whole THEN a.xirr_si ELSE visible_xirr_si END AS xirr_si,
           CASE WHEN NOT whole AND visible_portfolios > 1 THEN visible_ids END AS combined_of
    FROM (
        SELECT coalesce(bool_and(visible), true) AS whole,
               coalesce(sum(market_value) FILTER (WHERE visible AND active), 0) AS visible_aum,
               (count(*) FILTER (WHERE visible))::int AS visible_portfolios,
               CASE WHEN count(*) FILTER (WHERE visible) = 1 THEN max(twrr_1y) FILTER (WHERE visible) END
                   AS visible_twrr_1y,
               CASE WHEN count(*) FILTER (WHERE visible) = 1 THEN max(xirr_si) FILTER (WHERE visible) END
                   AS visible_xirr_si,
               array_agg(portfolio_id ORDER BY portfolio_id) FILTER (WHERE visible) AS visible_ids
        FROM (
            SELECT p.portfolio_id, v.visible, p.status = 'Active' AS active, coalesce(ap.market_value, 0) AS market_value,
                   ap.xirr_si, pp.twrr_reported AS twrr_1y
            FROM dim_portfolio p
            JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
            LEFT JOIN agg_portfolio ap ON ap.portfolio_id = p.portfolio_id
            LEFT JOIN agg_portfolio_period pp ON pp.portfolio_id = p.portfolio_id AND pp.period = '1Y'
            CROSS JOIN LATERAL (SELECT scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AS visible) v
            WHERE p.client_id = c.client_id
        ) portfolio
    ) visible
) f";

/// Clients with their figures as `scope` may see them; binds the scope as $1..$3.
fn client_source(scope: &Scope) -> String {
    let figures = if scope.sees_all() {
        WHOLE_CLIENT_FIGURES
    } else {
        IN_SCOPE_FIGURES
    };
    format!("{CLIENT_SOURCE} {figures}")
}

/// Investor-view cash flows of portfolios ($1), by the rules the aggregate refresh uses for a
/// client's XIRR across portfolios (`pms_ingest::aggregate`): with daily values, the first
/// value invested and every later day's flow; otherwise the capital transactions; then the
/// closing value the refresh recorded.
const INVESTOR_FLOWS: &str = "
    SELECT v.portfolio_id, v.valuation_date AS flow_date,
           CASE WHEN v.valuation_date = a.first_valuation_date THEN -v.market_value ELSE -v.net_flow END AS amount
    FROM agg_portfolio a JOIN fact_valuation v ON v.portfolio_id = a.portfolio_id
    WHERE a.portfolio_id = ANY($1) AND a.first_valuation_date IS NOT NULL
      AND (v.valuation_date = a.first_valuation_date OR v.net_flow <> 0)
    UNION ALL
    SELECT t.portfolio_id, t.trade_date, -t.amount
    FROM agg_portfolio a JOIN fact_transaction t ON t.portfolio_id = a.portfolio_id
    WHERE a.portfolio_id = ANY($1) AND a.first_valuation_date IS NULL
      AND t.txn_type IN ('INFLOW', 'OUTFLOW', 'SECURITY_IN', 'SECURITY_OUT')
    UNION ALL
    SELECT portfolio_id, as_of, market_value FROM agg_portfolio WHERE portfolio_id = ANY($1) AND as_of IS NOT NULL";

/// Daily closing values and flows of portfolios ($1), as the aggregate refresh reads them for
/// a client's pooled 1-year TWRR.
const DAILY_ROWS: &str = "
    SELECT portfolio_id, valuation_date, market_value::float8, net_flow::float8 FROM fact_valuation
    WHERE portfolio_id = ANY($1) ORDER BY portfolio_id, valuation_date";

/// Fills in the XIRR and the pooled 1-year TWRR of rows whose visible portfolios are several
/// but not all of the client's: the shared metric library's figures over those portfolios
/// together, as the refresh computes them over all of them.
async fn with_combined_figures(
    pool: &PgPool,
    mut rows: Vec<ClientRow>,
) -> StoreResult<Vec<ClientRow>> {
    let portfolios: Vec<i32> = rows
        .iter()
        .filter_map(|r| r.combined_of.as_deref())
        .flatten()
        .copied()
        .collect();
    if portfolios.is_empty() {
        return Ok(rows);
    }
    let mut flows: HashMap<i32, Vec<CashFlow>> = HashMap::new();
    let found: Vec<(i32, NaiveDate, Decimal)> = sqlx::query_as(INVESTOR_FLOWS)
        .bind(&portfolios)
        .fetch_all(pool)
        .await?;
    for (portfolio, date, amount) in found {
        flows
            .entry(portfolio)
            .or_default()
            .push(CashFlow::from_money(date, amount));
    }
    let mut days: HashMap<i32, Vec<DailyRow>> = HashMap::new();
    let found: Vec<(i32, NaiveDate, f64, f64)> = sqlx::query_as(DAILY_ROWS)
        .bind(&portfolios)
        .fetch_all(pool)
        .await?;
    for (portfolio, date, value, flow) in found {
        days.entry(portfolio).or_default().push((date, value, flow));
    }
    for row in &mut rows {
        let Some(ids) = &row.combined_of else {
            continue;
        };
        let together: Vec<CashFlow> = ids
            .iter()
            .filter_map(|id| flows.get(id))
            .flatten()
            .copied()
            .collect();
        row.xirr_si = if together.is_empty() {
            None
        } else {
            pms_metrics::xirr(&together).ok()
        };
        let pooled: Vec<&[DailyRow]> = ids
            .iter()
            .filter_map(|id| days.get(id))
            .map(Vec::as_slice)
            .collect();
        row.twrr_1y = pooled_one_year_twrr(&pooled);
    }
    Ok(rows)
}

type ClientRowQuery<'q> = sqlx::query::QueryAs<'q, Postgres, ClientRow, PgArguments>;

/// The filter's criteria but the return range, which the list applies to the client's own
/// figure (the one its TWRR column shows), not to each portfolio's.
fn list_narrowing(q: &ClientQuery) -> Narrowing {
    let portfolio_criteria = Filter {
        twrr_min_pct: None,
        twrr_max_pct: None,
        ..q.filter.clone()
    };
    Narrowing::of(&portfolio_criteria, 8)
}

/// The client list's query (search, closed clients, return range, filter, sort), with
/// `paging` appended after the order as its own parameters from `$n` on; binds $1..$7 and the
/// filter's (see [`bind_list`]). A filter on portfolios keeps the clients with at least one
/// visible portfolio it lets through. With `after` (the parameter numbers of a cursor's sort
/// key and client id) it continues after that row; the total still counts every row.
fn list_sql(
    scope: &Scope,
    q: &ClientQuery,
    narrowing: &Narrowing,
    after: Option<(usize, usize)>,
    paging: &str,
) -> String {
    // The sort column comes from a closed enum, never from the request text; with it the type
    // a cursor's key is read back as.
    let (order, key_type) = match q.sort {
        ClientSort::Aum => ("f.aum", "numeric"),
        // Byte order of the lower-cased name: the same on every server whatever its locale.
        ClientSort::Name => ("lower(c.name) COLLATE \"C\"", "text COLLATE \"C\""),
        ClientSort::Twrr => ("f.twrr_1y", "float8"),
        ClientSort::Xirr => ("f.xirr_si", "float8"),
        ClientSort::Onboarding => ("c.onboarding_date", "date"),
    };
    let (direction, beyond) = if q.descending {
        ("DESC NULLS LAST", "<")
    } else {
        ("ASC NULLS LAST", ">")
    };
    // Rows after the cursor's in (sort value, id) order, nulls last: a null key continues
    // among the nulls only.
    let keyset = after.map_or_else(String::new, |(key, id)| {
        format!(
            "WHERE CASE WHEN ${key}::text IS NULL THEN sort_value IS NULL AND client_id > ${id}
                   ELSE sort_value {beyond} (${key}::text)::{key_type}
                        OR (sort_value = (${key}::text)::{key_type} AND client_id > ${id})
                        OR sort_value IS NULL END"
        )
    });
    format!(
        "SELECT * FROM (
           SELECT {CLIENT_COLUMNS}, {order} AS sort_value, ({order})::text AS sort_key,
                  count(*) OVER () AS total
           FROM {source}
           WHERE scope_sees_client($1, $2, $3, c.client_id, c.rm_id)
             AND ($4::text IS NULL OR lower(c.name) LIKE '%' || lower($4) || '%'
                  OR c.ws_client_code = upper($4) OR c.pan = upper($4))
             AND ($5 OR c.status = 'Active')
             AND ($6::float8 IS NULL OR f.twrr_1y >= $6) AND ($7::float8 IS NULL OR f.twrr_1y <= $7)
             {narrowed}
         ) listed
         {keyset}
         ORDER BY sort_value {direction}, client_id
         {paging}",
        source = client_source(scope),
        narrowed = if narrowing.sql() == "true" {
            String::new()
        } else {
            format!(
                "AND EXISTS (SELECT 1 FROM dim_portfolio p JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
                             WHERE p.client_id = c.client_id
                               AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id) AND {})",
                narrowing.sql()
            )
        }
    )
}

fn bind_list<'q>(
    query: ClientRowQuery<'q>,
    scope: &'q Scope,
    q: &ClientQuery,
    narrowing: &'q Narrowing,
) -> ClientRowQuery<'q> {
    let fraction = |pct: Option<Decimal>| pct.and_then(|p| (p / Decimal::from(100)).to_f64());
    let search = q
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.replace(['%', '_'], ""));
    let query = query
        .bind(scope.sees_all())
        .bind(scope.rm_ids())
        .bind(scope.strategy_ids())
        .bind(search)
        .bind(q.include_closed)
        .bind(fraction(q.filter.twrr_min_pct))
        .bind(fraction(q.filter.twrr_max_pct));
    narrowing.bind(query)
}

impl Db {
    /// The client table: search, sort and page, within `scope`.
    pub async fn clients(
        &self,
        scope: &Scope,
        q: &ClientQuery,
    ) -> StoreResult<Page<ClientSummary>> {
        let page_size = q.page_size.clamp(1, pms_domain::clients::MAX_PAGE_SIZE);
        let page = q.page.max(1);
        let narrowing = list_narrowing(q);
        let next = 8 + narrowing.parameters();
        // One row more than the page says whether another page follows.
        let (rows, page) = match &q.after {
            None => {
                let sql = list_sql(
                    scope,
                    q,
                    &narrowing,
                    None,
                    &format!("LIMIT ${next} OFFSET ${}", next + 1),
                );
                let rows: Vec<ClientRow> = bind_list(sqlx::query_as(&sql), scope, q, &narrowing)
                    .bind(i64::from(page_size) + 1)
                    .bind(i64::from((page - 1) * page_size))
                    .fetch_all(self.pool())
                    .await?;
                (rows, page)
            }
            Some(cursor) => {
                let sql = list_sql(
                    scope,
                    q,
                    &narrowing,
                    Some((next, next + 1)),
                    &format!("LIMIT ${}", next + 2),
                );
                let rows: Vec<ClientRow> = bind_list(sqlx::query_as(&sql), scope, q, &narrowing)
                    .bind(cursor.last_key.clone())
                    .bind(cursor.last_id)
                    .bind(i64::from(page_size) + 1)
                    .fetch_all(self.pool())
                    .await?;
                (rows, 1)
            }
        };
        let mut rows = rows;
        let more = rows.len() > page_size as usize;
        rows.truncate(page_size as usize);
        let next_cursor = more
            .then(|| rows.last())
            .flatten()
            .map(|last| q.cursor_after(last.client_id, last.sort_key.clone()));
        let rows = with_combined_figures(self.pool(), rows).await?;
        // Past the last row (a cursor at the end) no row carries the total: count it.
        let total = match rows.first() {
            Some(r) => r.total,
            None if q.after.is_some() || page > 1 => {
                self.client_count(scope, q, &narrowing).await?
            }
            None => 0,
        };
        Ok(Page {
            items: rows.into_iter().map(ClientSummary::from).collect(),
            total,
            page,
            page_size,
            next_cursor,
        })
    }

    /// How many clients the list query `q` matches (its page and cursor aside): the total its
    /// first row carries.
    async fn client_count(
        &self,
        scope: &Scope,
        q: &ClientQuery,
        narrowing: &Narrowing,
    ) -> StoreResult<i64> {
        let sql = list_sql(scope, q, narrowing, None, "LIMIT 1");
        let first: Option<ClientRow> = bind_list(sqlx::query_as(&sql), scope, q, narrowing)
            .fetch_optional(self.pool())
            .await?;
        Ok(first.map_or(0, |r| r.total))
    }

    /// Every client the list query `q` matches within `scope` (its page and page size are
    /// ignored), streamed from one query so an export of any size holds a bounded number of
    /// rows in memory. Waits for the first row, to report the total.
    pub async fn client_export(&self, scope: &Scope, q: &ClientQuery) -> StoreResult<ClientExport> {
        // Read before the rows: a change committing meanwhile is published only after it
        // commits, so the stamp is never newer than the rows (at worst one version older).
        let data_version = self.read_version().await?;
        let (sender, mut receiver) = tokio::sync::mpsc::channel(EXPORT_BUFFER_ROWS);
        let (pool, scope, q) = (self.pool().clone(), scope.clone(), q.clone());
        // The query's text and arguments must outlive the response body, so a task owns them;
        // it stops when the reader goes away (the send fails) and the cursor is closed.
        tokio::spawn(async move {
            let narrowing = list_narrowing(&q);
            let sql = list_sql(&scope, &q, &narrowing, None, "");
            let mut batches =
                bind_list(sqlx::query_as::<_, ClientRow>(&sql), &scope, &q, &narrowing)
                    .fetch(&pool)
                    .ready_chunks(EXPORT_BATCH_ROWS);
            while let Some(batch) = batches.next().await {
                let rows = match batch.into_iter().collect::<Result<Vec<_>, _>>() {
                    Ok(rows) => with_combined_figures(&pool, rows).await,
                    Err(e) => Err(e.into()),
                };
                match rows {
                    Ok(rows) => {
                        for row in rows {
                            if sender.send(Ok(row)).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        // The reader cuts the export off with this error.
                        let _ = sender.send(Err(e)).await;
                        return;
                    }
                }
            }
        });
        let first = match receiver.recv().await {
            None => {
                return Ok(ClientExport {
                    total: 0,
                    data_version,
                    rows: stream::empty().boxed(),
                })
            }
            Some(first) => first?,
        };
        let rest = stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|row| (row, receiver))
        });
        Ok(ClientExport {
            total: first.total,
            data_version,
            rows: stream::once(async { Ok(first) })
                .chain(rest)
                .map(|row| row.map(ClientSummary::from))
                .boxed(),
        })
    }

    /// Clients for the header's search box (at most `limit`), within `scope`, best first: a
    /// client code or PAN suffix that matches, then names by trigram word similarity, so a
    /// typo ("Singhnia") still finds "Anand Singhania".
    pub async fn client_search(
        &self,
        scope: &Scope,
        text: &str,
        limit: i64,
    ) -> StoreResult<Vec<ClientHit>> {
        let text = text.trim().replace(['%', '_', '\\'], "");
        if text.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let mut tx = self.pool().begin().await?;
        // Looser than pg_trgm's default (0.6) so one wrong letter in a short name still matches;
        // for this transaction only.
        sqlx::query("SELECT set_config('pg_trgm.word_similarity_threshold', '0.45', true)")
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "SELECT c.client_id, c.name, c.ws_client_code, c.city, r.name AS rm_name, c.status,
                    greatest(word_similarity(lower($4), lower(c.name)),
                             CASE WHEN lower(c.name) LIKE '%' || lower($4) || '%' THEN 0.9 ELSE 0 END,
                             CASE WHEN c.ws_client_code ILIKE $4 || '%' THEN 1 ELSE 0 END,
                             CASE WHEN length($4) >= 4 AND c.pan LIKE '%' || upper($4) THEN 1 ELSE 0 END) AS score
             FROM dim_client c LEFT JOIN dim_rm r ON r.rm_id = c.rm_id
             WHERE scope_sees_client($1, $2, $3, c.client_id, c.rm_id)
               AND (lower($4) <% lower(c.name) OR lower(c.name) LIKE '%' || lower($4) || '%'
                    OR c.ws_client_code ILIKE $4 || '%'
                    OR (length($4) >= 4 AND c.pan LIKE '%' || upper($4)))
             ORDER BY score DESC, c.status, c.name, c.client_id LIMIT $5",
        )
        .bind(scope.sees_all())
        .bind(scope.rm_ids())
        .bind(scope.strategy_ids())
        .bind(&text)
        .bind(limit.clamp(1, 50))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| {
                Ok(ClientHit {
                    client_id: row.try_get("client_id")?,
                    name: row.try_get("name")?,
                    client_code: row.try_get("ws_client_code")?,
                    city: row.try_get("city")?,
                    rm_name: row.try_get("rm_name")?,
                    status: row.try_get("status")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// One client with the portfolios the scope may see; `None` if unknown or out of scope.
    pub async fn client_detail(
        &self,
        scope: &Scope,
        client_id: i32,
    ) -> StoreResult<Option<ClientDetail>> {
        let sql = format!(
            "SELECT {CLIENT_COLUMNS}, 1::bigint AS total FROM {source}
             WHERE c.client_id = $4 AND scope_sees_client($1, $2, $3, c.client_id, c.rm_id)",
            source = client_source(scope)
        );
        let Some(row): Option<ClientRow> = sqlx::query_as(&sql)
            .bind(scope.sees_all())
            .bind(scope.rm_ids())
            .bind(scope.strategy_ids())
            .bind(client_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let Some(row) = with_combined_figures(self.pool(), vec![row]).await?.pop() else {
            return Ok(None);
        };
        let extra = sqlx::query!(
            "SELECT pan, email, phone, client_type, closure_date FROM dim_client WHERE client_id = $1",
            client_id
        )
        .fetch_one(self.pool())
        .await?;
        let portfolios = self.client_portfolios(scope, client_id).await?;
        let contacts = sqlx::query_as!(
            ContactSummary,
            "SELECT name, title, email, phone FROM dim_contact WHERE client_id = $1 ORDER BY name",
            client_id
        )
        .fetch_all(self.pool())
        .await?;
        let recent_activity = sqlx::query_as!(
            ActivitySummary,
            r#"SELECT f.activity_date AS date, f.kind, f.activity_type, f.subject, r.name AS "rm_name?"
               FROM fact_crm_activity f LEFT JOIN dim_rm r USING (rm_id)
               WHERE f.client_id = $1 ORDER BY f.activity_date DESC NULLS LAST LIMIT 8"#,
            client_id
        )
        .fetch_all(self.pool())
        .await?;
        Ok(Some(ClientDetail {
            summary: row.into(),
            pan_masked: extra
                .pan
                .as_deref()
                .and_then(|p| Pan::parse(p).ok())
                .map(|p| p.masked()),
            email: extra.email,
            phone: extra.phone,
            client_type: extra.client_type,
            closure_date: extra.closure_date,
            portfolios,
            contacts,
            recent_activity,
        }))
    }

    async fn client_portfolios(
        &self,
        scope: &Scope,
        client_id: i32,
    ) -> StoreResult<Vec<PortfolioSummary>> {
        let rows = sqlx::query!(
            r#"SELECT p.portfolio_id, p.ws_portfolio_code, s.name AS strategy, s.category, ia.name AS ia_name,
                      b.name AS benchmark, p.inception_date, p.status, a.as_of AS "as_of?",
                      coalesce(a.market_value, 0) AS "market_value!", p.mgmt_fee_pct, p.perf_fee_pct, p.hurdle_pct,
                      a.twrr_si_reported AS "twrr_si?", a.xirr_si AS "xirr_si?"
               FROM dim_portfolio p
               JOIN dim_client c USING (client_id)
               JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
               JOIN dim_strategy s ON s.strategy_id = ia.strategy_id
               JOIN dim_benchmark b ON b.benchmark_id = ia.benchmark_id
               LEFT JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
               WHERE p.client_id = $4 AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
               ORDER BY p.status, p.inception_date"#,
            scope.sees_all(),
            scope.rm_ids(),
            scope.strategy_ids(),
            client_id
        )
        .fetch_all(self.pool())
        .await?;
        let ids: Vec<i32> = rows.iter().map(|r| r.portfolio_id).collect();
        let periods = sqlx::query!(
            "SELECT portfolio_id, period, start_date, end_date, twrr_reported, benchmark_reported
             FROM agg_portfolio_period WHERE portfolio_id = ANY($1)",
            &ids
        )
        .fetch_all(self.pool())
        .await?;
        const ORDER: [&str; 9] = ["1M", "3M", "6M", "1Y", "2Y", "3Y", "5Y", "FYTD", "SI"];
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut mine: Vec<PeriodPerformance> = periods
                    .iter()
                    .filter(|p| p.portfolio_id == r.portfolio_id)
                    .map(|p| PeriodPerformance {
                        period: p.period.clone(),
                        start: p.start_date,
                        end: p.end_date,
                        portfolio: p.twrr_reported,
                        benchmark: p.benchmark_reported,
                    })
                    .collect();
                mine.sort_by_key(|p| ORDER.iter().position(|o| *o == p.period).unwrap_or(99));
                PortfolioSummary {
                    portfolio_id: r.portfolio_id,
                    code: r.ws_portfolio_code,
                    strategy: r.strategy,
                    strategy_category: r.category,
                    investment_approach: r.ia_name,
                    benchmark: r.benchmark,
                    inception_date: r.inception_date,
                    status: r.status,
                    as_of: r.as_of,
                    market_value: r.market_value,
                    mgmt_fee_pct: r.mgmt_fee_pct,
                    perf_fee_pct: r.perf_fee_pct,
                    hurdle_pct: r.hurdle_pct,
                    twrr_si: r.twrr_si,
                    xirr_si: r.xirr_si,
                    periods: mine,
                }
            })
            .collect())
    }

    /// Daily values and flows of a portfolio the scope may see (for charts and the what-if).
    /// Whether a portfolio's performance fee crystallises every 31 March (else on each
    /// anniversary); `None` for no such portfolio. The caller has checked the scope.
    pub async fn crystallises_at_fy_end(&self, portfolio_id: i32) -> StoreResult<Option<bool>> {
        Ok(sqlx::query_scalar(
            "SELECT fee_crystallisation = 'fy_end' FROM dim_portfolio WHERE portfolio_id = $1",
        )
        .bind(portfolio_id)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn portfolio_valuations(
        &self,
        scope: &Scope,
        portfolio_id: i32,
    ) -> StoreResult<Option<Vec<ValuationPoint>>> {
        if !self.sees_portfolio(scope, portfolio_id).await? {
            return Ok(None);
        }
        let rows = sqlx::query!(
            "SELECT valuation_date, market_value, net_flow FROM fact_valuation WHERE portfolio_id = $1 ORDER BY valuation_date",
            portfolio_id
        )
        .fetch_all(self.pool())
        .await?;
        Ok(Some(
            rows.into_iter()
                .map(|r| ValuationPoint {
                    date: r.valuation_date,
                    value: r.market_value.to_f64().unwrap_or(0.0),
                    flow: r.net_flow.to_f64().unwrap_or(0.0),
                })
                .collect(),
        ))
    }

    /// Whether `scope` sees the portfolio (one that does not exist is not seen either).
    pub(crate) async fn sees_portfolio(
        &self,
        scope: &Scope,
        portfolio_id: i32,
    ) -> StoreResult<bool> {
        Ok(sqlx::query_scalar!(
            r#"SELECT EXISTS (
                   SELECT 1 FROM dim_portfolio p JOIN dim_client c USING (client_id)
                   JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
                   WHERE p.portfolio_id = $4 AND scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)
               ) AS "visible!""#,
            scope.sees_all(),
            scope.rm_ids(),
            scope.strategy_ids(),
            portfolio_id
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// A portfolio's holdings on `as_of` (its latest snapshot on or before it; the latest of
    /// all without one), largest first; `None` when the scope does not see the portfolio.
    pub async fn portfolio_holdings(
        &self,
        scope: &Scope,
        portfolio_id: i32,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<Option<PortfolioHoldings>> {
        if !self.sees_portfolio(scope, portfolio_id).await? {
            return Ok(None);
        }
        let portfolio_code: String = sqlx::query_scalar(
            "SELECT ws_portfolio_code FROM dim_portfolio WHERE portfolio_id = $1",
        )
        .bind(portfolio_id)
        .fetch_one(self.pool())
        .await?;
        let dates: Vec<NaiveDate> = sqlx::query_scalar(
            "SELECT DISTINCT as_of FROM fact_holding WHERE portfolio_id = $1 ORDER BY as_of DESC LIMIT 24",
        )
        .bind(portfolio_id)
        .fetch_all(self.pool())
        .await?;
        let shown: Option<NaiveDate> = sqlx::query_scalar(
            "SELECT max(as_of) FROM fact_holding WHERE portfolio_id = $1 AND ($2::date IS NULL OR as_of <= $2)",
        )
        .bind(portfolio_id)
        .bind(as_of)
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query(
            "SELECT s.isin, s.name, s.asset_class, s.sector, s.market_cap, s.rating,
                    h.quantity, h.cost_value, h.market_value,
                    coalesce(h.market_value::float8 / nullif(sum(h.market_value::float8) OVER (), 0), 0) AS weight
             FROM fact_holding h JOIN dim_security s ON s.security_id = h.security_id
             WHERE h.portfolio_id = $1 AND h.as_of = $2
             ORDER BY h.market_value DESC, s.isin",
        )
        .bind(portfolio_id)
        .bind(shown)
        .fetch_all(self.pool())
        .await?;
        let holdings = rows
            .iter()
            .map(|row| {
                Ok(Holding {
                    isin: row.try_get("isin")?,
                    name: row.try_get("name")?,
                    asset_class: row.try_get("asset_class")?,
                    sector: row.try_get("sector")?,
                    market_cap: row.try_get("market_cap")?,
                    rating: row.try_get("rating")?,
                    quantity: row.try_get("quantity")?,
                    cost_value: row.try_get("cost_value")?,
                    market_value: row.try_get("market_value")?,
                    weight: row.try_get("weight")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let market_value = holdings.iter().map(|h| h.market_value).sum();
        let costs: Vec<Decimal> = holdings.iter().filter_map(|h| h.cost_value).collect();
        Ok(Some(PortfolioHoldings {
            portfolio_id,
            portfolio_code,
            as_of: shown,
            dates,
            cost_value: (!costs.is_empty()).then(|| costs.into_iter().sum()),
            holdings,
            market_value,
        }))
    }
}
