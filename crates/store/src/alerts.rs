//! Compliance alerts: the rules, the alerts within a scope, acknowledging and resolving them,
//! evaluating the rules against the data (`evaluate_compliance_alerts`, migration 0023: one
//! transaction opens, refreshes and clears alerts and writes their webhook events), and the
//! e-mail outbox that tells people about new alerts.

use chrono::{DateTime, NaiveDate, Utc};
use pms_domain::alerts::{Alert, AlertRule, AlertStatus, RuleKind};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::error::{StoreError, StoreResult};
use crate::{Db, Scope};

/// An alert's columns with its portfolio, client, RM and the people who acted on it (`a`).
const ALERT_COLUMNS: &str = "a.alert_id, a.kind, a.portfolio_id, p.ws_portfolio_code, p.client_id,
    c.name AS client_name, rm.name AS rm_name, rm.email AS rm_email, a.subject, a.value, a.threshold,
    a.detail, a.as_of, a.status, a.opened_at, ack.display_name AS acknowledged_by, a.acknowledged_at,
    res.display_name AS resolved_by, a.resolved_at, a.note";

/// The joins `ALERT_COLUMNS` reads, and the scope's test on `$1..$3`.
const ALERT_FROM: &str = "compliance_alert a
    JOIN dim_portfolio p ON p.portfolio_id = a.portfolio_id
    JOIN dim_client c ON c.client_id = p.client_id
    JOIN dim_investment_approach ia ON ia.ia_id = p.ia_id
    LEFT JOIN dim_rm rm ON rm.rm_id = c.rm_id
    LEFT JOIN app_user ack ON ack.user_id = a.acknowledged_by
    LEFT JOIN app_user res ON res.user_id = a.resolved_by
    WHERE scope_sees_portfolio($1, $2, $3, c.rm_id, ia.strategy_id)";

fn kind_of(code: &str) -> StoreResult<RuleKind> {
    RuleKind::from_code(code).ok_or_else(|| {
        StoreError::Database(sqlx::Error::Protocol(format!(
            "unknown alert rule {code:?}"
        )))
    })
}

fn status_of(code: &str) -> StoreResult<AlertStatus> {
    AlertStatus::from_code(code).ok_or_else(|| {
        StoreError::Database(sqlx::Error::Protocol(format!(
            "unknown alert status {code:?}"
        )))
    })
}

fn alert_from(row: &PgRow) -> StoreResult<Alert> {
    Ok(Alert {
        alert_id: row.try_get("alert_id")?,
        kind: kind_of(row.try_get("kind")?)?,
        portfolio_id: row.try_get("portfolio_id")?,
        portfolio_code: row.try_get("ws_portfolio_code")?,
        client_id: row.try_get("client_id")?,
        client_name: row.try_get("client_name")?,
        rm_name: row.try_get("rm_name")?,
        subject: row.try_get("subject")?,
        value: row.try_get("value")?,
        threshold: row.try_get("threshold")?,
        detail: row.try_get("detail")?,
        as_of: row.try_get::<Option<NaiveDate>, _>("as_of")?,
        status: status_of(row.try_get("status")?)?,
        opened_at: row.try_get("opened_at")?,
        acknowledged_by: row.try_get("acknowledged_by")?,
        acknowledged_at: row.try_get("acknowledged_at")?,
        resolved_by: row.try_get("resolved_by")?,
        resolved_at: row.try_get("resolved_at")?,
        note: row.try_get("note")?,
    })
}

/// A new alert with who is told about it.
#[derive(Debug, Clone)]
pub struct OpenedAlert {
    pub alert: Alert,
    /// The client's RM's e-mail address, if the RM has one.
    pub rm_email: Option<String>,
}

/// An e-mail claimed for sending.
#[derive(Debug, sqlx::FromRow)]
pub struct DueEmail {
    pub email_id: i64,
    pub recipients: Vec<String>,
    pub subject: String,
    pub body: String,
    /// Including this one.
    pub attempts: i32,
}

impl Db {
    /// Every rule, in the order of [`RuleKind::ALL`].
    pub async fn alert_rules(&self) -> StoreResult<Vec<AlertRule>> {
        let rows = sqlx::query(
            "SELECT r.kind, r.threshold, r.active, u.display_name AS updated_by, r.updated_at
             FROM alert_rule r LEFT JOIN app_user u ON u.user_id = r.updated_by",
        )
        .fetch_all(self.pool())
        .await?;
        let mut rules = rows
            .iter()
            .map(|row| {
                let kind = kind_of(row.try_get("kind")?)?;
                let threshold: f64 = row.try_get("threshold")?;
                Ok(AlertRule {
                    kind,
                    threshold,
                    active: row.try_get("active")?,
                    description: kind.describe(threshold),
                    updated_by: row.try_get("updated_by")?,
                    updated_at: row.try_get::<DateTime<Utc>, _>("updated_at")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        rules.sort_by_key(|r| RuleKind::ALL.iter().position(|k| *k == r.kind));
        Ok(rules)
    }

    /// Changes a rule and asks for the alerts to be evaluated again; returns the rule as it was.
    pub async fn set_alert_rule(
        tx: &mut PgConnection,
        kind: RuleKind,
        threshold: f64,
        active: bool,
        by: i64,
    ) -> StoreResult<Option<(f64, bool)>> {
        let before =
            sqlx::query("SELECT threshold, active FROM alert_rule WHERE kind = $1 FOR UPDATE")
                .bind(kind.code())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(before) = before else {
            return Ok(None);
        };
        sqlx::query(
            "UPDATE alert_rule SET threshold = $2, active = $3, updated_by = $4, updated_at = now()
             WHERE kind = $1",
        )
        .bind(kind.code())
        .bind(threshold)
        .bind(active)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE alert_evaluation SET evaluated_version = -1")
            .execute(&mut *tx)
            .await?;
        Ok(Some((
            before.try_get("threshold")?,
            before.try_get("active")?,
        )))
    }

    /// How many alerts of the scope are in each status.
    pub async fn alert_counts(&self, scope: &Scope) -> StoreResult<Vec<(AlertStatus, i64)>> {
        let rows = scope
            .query(&format!(
                "SELECT a.status, count(*) AS n FROM {ALERT_FROM} GROUP BY a.status"
            ))
            .fetch_all(self.pool())
            .await?;
        let mut counts: Vec<(AlertStatus, i64)> =
            AlertStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for row in &rows {
            let status = status_of(row.try_get("status")?)?;
            let n: i64 = row.try_get("n")?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == status) {
                slot.1 = n;
            }
        }
        Ok(counts)
    }

    /// One page of the scope's alerts in `status` (and of `kind`), the most recent first, and
    /// how many there are.
    pub async fn alerts(
        &self,
        scope: &Scope,
        status: AlertStatus,
        kind: Option<RuleKind>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Alert>, i64)> {
        let rows = scope
            .query(&format!(
                "SELECT {ALERT_COLUMNS}, count(*) OVER () AS total FROM {ALERT_FROM}
                   AND a.status = $4 AND ($5::text IS NULL OR a.kind = $5)
                 ORDER BY coalesce(a.resolved_at, a.acknowledged_at, a.opened_at) DESC, a.alert_id DESC
                 LIMIT $6 OFFSET $7"
            ))
            .bind(status.code())
            .bind(kind.map(RuleKind::code))
            .bind(limit)
            .bind(offset)
            .fetch_all(self.pool())
            .await?;
        let total = match rows.first() {
            Some(row) => row.try_get("total")?,
            None if offset > 0 => self.alert_count(scope, status, kind).await?,
            None => 0,
        };
        let alerts = rows.iter().map(alert_from).collect::<StoreResult<_>>()?;
        Ok((alerts, total))
    }

    async fn alert_count(
        &self,
        scope: &Scope,
        status: AlertStatus,
        kind: Option<RuleKind>,
    ) -> StoreResult<i64> {
        Ok(scope
            .query(&format!(
                "SELECT count(*) AS n FROM {ALERT_FROM}
                   AND a.status = $4 AND ($5::text IS NULL OR a.kind = $5)"
            ))
            .bind(status.code())
            .bind(kind.map(RuleKind::code))
            .fetch_one(self.pool())
            .await?
            .try_get("n")?)
    }

    /// Moves one of the scope's alerts from a status in `from` to `to`, recording who and why;
    /// `None` when the scope has no such alert, `Some(Err(status))` when it is in another status.
    pub async fn move_alert(
        tx: &mut PgConnection,
        scope: &Scope,
        alert_id: i64,
        from: &[AlertStatus],
        to: AlertStatus,
        by: i64,
        note: Option<&str>,
    ) -> StoreResult<Option<Result<Alert, AlertStatus>>> {
        let current = scope
            .query(&format!(
                "SELECT a.status FROM {ALERT_FROM} AND a.alert_id = $4 FOR UPDATE OF a"
            ))
            .bind(alert_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(current) = current else {
            return Ok(None);
        };
        let status = status_of(current.try_get("status")?)?;
        if !from.contains(&status) {
            return Ok(Some(Err(status)));
        }
        let stamp = match to {
            AlertStatus::Acknowledged => "acknowledged_by = $3, acknowledged_at = now()",
            AlertStatus::Resolved => {
                "resolved_by = $3, resolved_at = now(),
                 resolved_version = (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM read_model_version_seq)"
            }
            AlertStatus::Open => "acknowledged_by = NULL, acknowledged_at = NULL",
        };
        sqlx::query(&format!(
            "UPDATE compliance_alert SET status = $2, {stamp},
                 note = CASE WHEN $4::text IS NULL THEN note ELSE coalesce(note || E'\\n', '') || $4 END
             WHERE alert_id = $1"
        ))
        .bind(alert_id)
        .bind(to.code())
        .bind(by)
        .bind(note)
        .execute(&mut *tx)
        .await?;
        let row = scope
            .query(&format!(
                "SELECT {ALERT_COLUMNS} FROM {ALERT_FROM} AND a.alert_id = $4"
            ))
            .bind(alert_id)
            .fetch_one(&mut *tx)
            .await?;
        Ok(Some(Ok(alert_from(&row)?)))
    }

    /// The data version the alerts were last evaluated at (-1: evaluate again) and when.
    pub async fn alert_evaluation(&self) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
        let row = sqlx::query("SELECT evaluated_version, evaluated_at FROM alert_evaluation")
            .fetch_one(self.pool())
            .await?;
        Ok((
            row.try_get("evaluated_version")?,
            row.try_get("evaluated_at")?,
        ))
    }

    /// Evaluates the rules at data `version` unless that was done already (by this or another
    /// instance: the evaluation row is locked for the transaction); returns the alerts opened.
    pub async fn evaluate_alerts(
        tx: &mut PgConnection,
        version: i64,
    ) -> StoreResult<Option<Vec<OpenedAlert>>> {
        let evaluated: i64 =
            sqlx::query_scalar("SELECT evaluated_version FROM alert_evaluation FOR UPDATE")
                .fetch_one(&mut *tx)
                .await?;
        if evaluated >= version {
            return Ok(None);
        }
        let opened: Vec<i64> = sqlx::query_scalar("SELECT evaluate_compliance_alerts($1)")
            .bind(version)
            .fetch_all(&mut *tx)
            .await?;
        let rows = Scope::system()
            .query(&format!(
                "SELECT {ALERT_COLUMNS} FROM {ALERT_FROM} AND a.alert_id = ANY($4)
                 ORDER BY a.kind, p.ws_portfolio_code, a.subject"
            ))
            .bind(opened.as_slice())
            .fetch_all(&mut *tx)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(OpenedAlert {
                    alert: alert_from(row)?,
                    rm_email: row.try_get("rm_email")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()
            .map(Some)
    }

    /// The e-mail addresses of active compliance officers.
    pub async fn compliance_officer_emails(tx: &mut PgConnection) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT email FROM app_user WHERE role = 'compliance' AND is_active ORDER BY email",
        )
        .fetch_all(&mut *tx)
        .await?)
    }

    /// Queues an e-mail (sent by the server when SMTP is configured).
    pub async fn queue_email(
        tx: &mut PgConnection,
        recipients: &[String],
        subject: &str,
        body: &str,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO email_outbox (recipients, subject, body) VALUES ($1, $2, $3)")
            .bind(recipients)
            .bind(subject)
            .bind(body)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    /// Claims e-mails due for sending (`FOR UPDATE SKIP LOCKED`, leased for `lease_seconds`).
    pub async fn claim_emails(&self, limit: i64, lease_seconds: f64) -> StoreResult<Vec<DueEmail>> {
        Ok(sqlx::query_as(
            "WITH due AS (
                 SELECT email_id FROM email_outbox
                 WHERE status = 'pending' AND next_attempt_at <= now()
                 ORDER BY next_attempt_at, email_id LIMIT $1
                 FOR UPDATE SKIP LOCKED)
             UPDATE email_outbox e
             SET attempts = e.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
             FROM due WHERE e.email_id = due.email_id
             RETURNING e.email_id, e.recipients, e.subject, e.body, e.attempts",
        )
        .bind(limit)
        .bind(lease_seconds)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records a sending attempt: sent; or failed, to be tried again after `retry_in_seconds`
    /// (none: given up).
    pub async fn record_email_attempt(
        &self,
        email_id: i64,
        sent: bool,
        error: Option<&str>,
        retry_in_seconds: Option<f64>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE email_outbox
             SET status = CASE WHEN $2 THEN 'sent' WHEN $4::float8 IS NULL THEN 'failed' ELSE 'pending' END,
                 sent_at = CASE WHEN $2 THEN now() END,
                 last_error = $3,
                 next_attempt_at = CASE WHEN $4::float8 IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $4) END
             WHERE email_id = $1",
        )
        .bind(email_id)
        .bind(sent)
        .bind(error)
        .bind(retry_in_seconds)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
