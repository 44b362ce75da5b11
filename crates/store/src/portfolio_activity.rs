//! What happened in a portfolio over a period: its transactions, its fee marks and the rating
//! downgrades of the debt it held — what a client statement lists beyond values and holdings.

use chrono::NaiveDate;
use pms_domain::clients::{RatingChange, Transaction};
use pms_domain::compliance::FeeRow;
use sqlx::Row;

use crate::compliance::{fee_row, FEE_ROW_COLUMNS};
use crate::error::StoreResult;
use crate::{Db, Scope};

impl Db {
    /// The portfolio's transactions traded `from ..= to`, oldest first (at most `cap`); `None`
    /// when the scope does not see the portfolio.
    pub async fn portfolio_transactions(
        &self,
        scope: &Scope,
        portfolio_id: i32,
        from: NaiveDate,
        to: NaiveDate,
        cap: i64,
    ) -> StoreResult<Option<Vec<Transaction>>> {
        if !self.sees_portfolio(scope, portfolio_id).await? {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT t.trade_date, t.txn_type, s.isin, s.name, t.quantity, t.price, t.amount, t.charges
             FROM fact_transaction t LEFT JOIN dim_security s ON s.security_id = t.security_id
             WHERE t.portfolio_id = $1 AND t.trade_date BETWEEN $2 AND $3
             ORDER BY t.trade_date, t.txn_ref
             LIMIT $4",
        )
        .bind(portfolio_id)
        .bind(from)
        .bind(to)
        .bind(cap)
        .fetch_all(self.pool())
        .await?;
        let transactions = rows
            .iter()
            .map(|row| {
                Ok(Transaction {
                    trade_date: row.try_get("trade_date")?,
                    txn_type: row.try_get("txn_type")?,
                    isin: row.try_get("isin")?,
                    security: row.try_get("name")?,
                    quantity: row.try_get("quantity")?,
                    price: row.try_get("price")?,
                    amount: row.try_get("amount")?,
                    charges: row.try_get("charges")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(transactions))
    }

    /// The portfolio's fee marks at its latest valuation (high water mark, hurdle, accruals),
    /// as the Compliance page shows them; `None` when none were computed. The caller has
    /// checked the scope.
    pub async fn portfolio_fee_marks(&self, portfolio_id: i32) -> StoreResult<Option<FeeRow>> {
        let row = sqlx::query(&format!(
            "SELECT {FEE_ROW_COLUMNS}
             FROM dim_portfolio p
             JOIN dim_client c ON c.client_id = p.client_id
             JOIN agg_portfolio a ON a.portfolio_id = p.portfolio_id
             JOIN agg_portfolio_fee f ON f.portfolio_id = p.portfolio_id
             WHERE p.portfolio_id = $1"
        ))
        .bind(portfolio_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(fee_row).transpose()?)
    }

    /// Rating changes recorded `from ..= to` that lowered the rating of a debt security the
    /// portfolio held in that time (in a snapshot from the last one before `from` to `to`).
    /// The caller has checked the scope.
    pub async fn portfolio_downgrades(
        &self,
        portfolio_id: i32,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<RatingChange>> {
        let rows = sqlx::query(
            "WITH held AS (
                 SELECT DISTINCT h.security_id FROM fact_holding h
                 WHERE h.portfolio_id = $1 AND h.as_of <= $3
                   AND h.as_of >= coalesce((SELECT max(as_of) FROM fact_holding
                                            WHERE portfolio_id = $1 AND as_of < $2), $2))
             SELECT s.isin, s.name, r.old_rating, r.new_rating, r.changed_at::date AS changed_on,
                    rating_rank(r.new_rating) = 20 AS defaulted
             FROM security_rating_change r
             JOIN held USING (security_id)
             JOIN dim_security s ON s.security_id = r.security_id
             WHERE r.changed_at >= $2 AND r.changed_at < $3 + 1
               AND rating_rank(r.new_rating) > coalesce(rating_rank(r.old_rating), 0)
             ORDER BY r.changed_at, s.isin",
        )
        .bind(portfolio_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RatingChange {
                    isin: row.try_get("isin")?,
                    name: row.try_get("name")?,
                    old_rating: row.try_get("old_rating")?,
                    new_rating: row.try_get("new_rating")?,
                    changed_on: row.try_get("changed_on")?,
                    defaulted: row
                        .try_get::<Option<bool>, _>("defaulted")?
                        .unwrap_or(false),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(Into::into)
    }
}

impl Db {
    /// Clients with at least one portfolio (of one RM, if given), lowest ids first: whom a
    /// batch of statements is for. For the console, which sees everything.
    pub async fn clients_with_portfolios(
        &self,
        rm_id: Option<i32>,
        limit: i64,
    ) -> StoreResult<Vec<i32>> {
        Ok(sqlx::query_scalar(
            "SELECT c.client_id FROM dim_client c
             WHERE ($1::int IS NULL OR c.rm_id = $1)
               AND EXISTS (SELECT 1 FROM dim_portfolio p WHERE p.client_id = c.client_id)
             ORDER BY c.client_id LIMIT $2",
        )
        .bind(rm_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
