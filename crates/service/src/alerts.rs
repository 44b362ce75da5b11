//! Compliance alerts: listing the caller's alerts, acknowledging and resolving them, reading
//! and changing the rules, and evaluating the rules after the data changes (the server runs
//! [`evaluate`] whenever the data version moves or a rule changes). An alert is opened, its
//! webhook event written and its e-mails queued in one transaction.
//!
//! Who may do what: everyone sees the alerts of their own scope and may acknowledge them (an
//! RM takes note of a breach in their book); changing a rule and resolving an alert are for
//! those who run compliance (compliance officers and admins).

use pms_domain::alerts::{
    Alert, AlertList, AlertRule, AlertStatus, RuleKind, ALERT_PAGE_SIZE, MAX_NOTE_CHARS,
};
use pms_domain::error::AppError;
use pms_domain::identity::Capability;
use pms_store::alerts::OpenedAlert;
use pms_store::{Db, StoreError};
use serde_json::json;

use crate::audit::{begin, commit, record_in};
use crate::{AppResult, Caller, Context};

/// New alerts listed in one e-mail (the rest are counted).
const ALERTS_PER_EMAIL: usize = 50;

/// The page of the caller's alerts in `status` (and of `kind`), with the counts and rules.
#[tracing::instrument(name = "alerts.list", skip_all, fields(caller = %caller))]
pub async fn list(
    cx: &Context,
    caller: &Caller,
    status: AlertStatus,
    kind: Option<RuleKind>,
    page: u32,
) -> AppResult<AlertList> {
    let me = caller.require(Capability::Analyse)?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(ALERT_PAGE_SIZE);
    let (alerts, total) = cx
        .db
        .alerts(&me.scope, status, kind, i64::from(ALERT_PAGE_SIZE), offset)
        .await?;
    let (_, evaluated_at) = cx.db.alert_evaluation().await?;
    Ok(AlertList {
        status,
        kind,
        alerts,
        total,
        page,
        page_size: ALERT_PAGE_SIZE,
        counts: cx.db.alert_counts(&me.scope).await?,
        rules: cx.db.alert_rules().await?,
        can_manage: me.can(Capability::RunComplianceReports),
        evaluated_at,
    })
}

/// The rules, for everyone who may see analytics (they explain the alerts).
#[tracing::instrument(name = "alerts.rules", skip_all, fields(caller = %caller))]
pub async fn rules(cx: &Context, caller: &Caller) -> AppResult<Vec<AlertRule>> {
    caller.require(Capability::Analyse)?;
    Ok(cx.db.alert_rules().await?)
}

/// Sets a rule's threshold (as people type it: percent or days) and whether it is on; the
/// alerts are evaluated again under it within seconds.
#[tracing::instrument(name = "alerts.set_rule", skip_all, fields(caller = %caller))]
pub async fn set_rule(
    cx: &Context,
    caller: &Caller,
    kind: RuleKind,
    typed_threshold: f64,
    active: bool,
) -> AppResult<AlertRule> {
    let me = caller.require(Capability::RunComplianceReports)?;
    let by = acting_user(me)?;
    let threshold = kind
        .threshold_from_input(typed_threshold)
        .map_err(AppError::invalid)?;
    let mut tx = begin(cx).await?;
    let (before, was_active) = Db::set_alert_rule(&mut tx, kind, threshold, active, by)
        .await?
        .ok_or_else(|| AppError::not_found("alert rule"))?;
    record_in(
        cx,
        &mut tx,
        caller,
        "alert.rule_changed",
        Some(("alert_rule", kind.code().to_owned())),
        json!({
            "before": { "threshold": before, "active": was_active },
            "after": { "threshold": threshold, "active": active },
        }),
    )
    .await?;
    commit(tx).await?;
    cx.db
        .alert_rules()
        .await?
        .into_iter()
        .find(|r| r.kind == kind)
        .ok_or_else(|| AppError::not_found("alert rule"))
}

/// Takes note of an open alert of the caller's scope (it stays listed until resolved).
#[tracing::instrument(name = "alerts.acknowledge", skip_all, fields(caller = %caller))]
pub async fn acknowledge(
    cx: &Context,
    caller: &Caller,
    alert_id: i64,
    note: Option<&str>,
) -> AppResult<Alert> {
    let me = caller.require(Capability::Analyse)?;
    let note = note_of(note, false)?;
    move_alert(
        cx,
        caller,
        me,
        alert_id,
        &[AlertStatus::Open],
        AlertStatus::Acknowledged,
        note,
    )
    .await
}

/// Closes an open or acknowledged alert with a note saying what was done.
#[tracing::instrument(name = "alerts.resolve", skip_all, fields(caller = %caller))]
pub async fn resolve(
    cx: &Context,
    caller: &Caller,
    alert_id: i64,
    note: Option<&str>,
) -> AppResult<Alert> {
    let me = caller.require(Capability::RunComplianceReports)?;
    let note = note_of(note, true)?;
    move_alert(
        cx,
        caller,
        me,
        alert_id,
        &[AlertStatus::Open, AlertStatus::Acknowledged],
        AlertStatus::Resolved,
        note,
    )
    .await
}

async fn move_alert(
    cx: &Context,
    caller: &Caller,
    me: &pms_auth::Principal,
    alert_id: i64,
    from: &[AlertStatus],
    to: AlertStatus,
    note: Option<String>,
) -> AppResult<Alert> {
    let by = acting_user(me)?;
    let mut tx = begin(cx).await?;
    let alert =
        match Db::move_alert(&mut tx, &me.scope, alert_id, from, to, by, note.as_deref()).await? {
            None => return Err(AppError::not_found("alert")),
            Some(Err(status)) => {
                return Err(AppError::Unprocessable(format!(
                    "This alert is {} already; reload to see where it stands.",
                    status.label().to_lowercase()
                )))
            }
            Some(Ok(alert)) => alert,
        };
    record_in(
        cx,
        &mut tx,
        caller,
        match to {
            AlertStatus::Acknowledged => "alert.acknowledged",
            AlertStatus::Resolved => "alert.resolved",
            AlertStatus::Open => "alert.reopened",
        },
        Some(("compliance_alert", alert_id.to_string())),
        json!({
            "rule": alert.kind.code(), "portfolio": alert.portfolio_code,
            "subject": alert.subject, "note": note,
        }),
    )
    .await?;
    commit(tx).await?;
    Ok(alert)
}

/// The user recorded as having acted: a person, or the person an API client acts for.
fn acting_user(me: &pms_auth::Principal) -> AppResult<i64> {
    me.actor_user_id().ok_or_else(|| {
        AppError::Forbidden(
            "Alerts are acknowledged and resolved by people: use a token that acts for a user."
                .into(),
        )
    })
}

/// A note as entered: trimmed, at most `MAX_NOTE_CHARS`, required when `required`.
fn note_of(note: Option<&str>, required: bool) -> AppResult<Option<String>> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    match note {
        None if required => Err(AppError::invalid(
            "Say what was done about the breach (the note is kept with the alert).",
        )),
        None => Ok(None),
        Some(n) if n.chars().count() > MAX_NOTE_CHARS => Err(AppError::invalid(format!(
            "Keep the note to {MAX_NOTE_CHARS} characters."
        ))),
        Some(n) => Ok(Some(n.to_owned())),
    }
}

/// Evaluates the rules against the current data unless that was done at this data version;
/// opens, refreshes and clears alerts, writes the webhook events and queues the e-mails (to
/// each new alert's RM and to the compliance officers), all in one transaction. Returns how
/// many alerts were opened (`None`: nothing to do). `link` is the Hub's address for the
/// e-mails' link, when it is known.
#[tracing::instrument(name = "alerts.evaluate", skip_all)]
pub async fn evaluate(db: &Db, link: Option<&str>) -> Result<Option<usize>, StoreError> {
    let version = db.read_version().await?;
    if db.alert_evaluation().await?.0 >= version {
        return Ok(None);
    }
    let mut tx = db.bulk_pool().begin().await?;
    let Some(opened) = Db::evaluate_alerts(&mut tx, version).await? else {
        return Ok(None);
    };
    if !opened.is_empty() {
        let officers = Db::compliance_officer_emails(&mut tx).await?;
        for (recipients, alerts) in mail_plan(&opened, officers) {
            let (subject, body) = email_text(&alerts, link);
            Db::queue_email(&mut tx, &recipients, &subject, &body).await?;
        }
    }
    tx.commit().await?;
    if !opened.is_empty() {
        tracing::info!(opened = opened.len(), version, "compliance alerts opened");
    }
    Ok(Some(opened.len()))
}

/// Who is told about which new alerts: each RM about their clients', the compliance officers
/// about all of them.
fn mail_plan(opened: &[OpenedAlert], officers: Vec<String>) -> Vec<(Vec<String>, Vec<&Alert>)> {
    let mut plan: Vec<(Vec<String>, Vec<&Alert>)> = Vec::new();
    for o in opened {
        let Some(email) = o
            .rm_email
            .as_deref()
            .map(str::trim)
            .filter(|e| e.contains('@'))
        else {
            continue;
        };
        match plan.iter_mut().find(|(to, _)| to[0] == email) {
            Some((_, alerts)) => alerts.push(&o.alert),
            None => plan.push((vec![email.to_owned()], vec![&o.alert])),
        }
    }
    if !officers.is_empty() {
        plan.push((officers, opened.iter().map(|o| &o.alert).collect()));
    }
    plan
}

/// An e-mail's subject and plain-text body listing `alerts`.
fn email_text(alerts: &[&Alert], link: Option<&str>) -> (String, String) {
    let n = alerts.len();
    let subject = format!(
        "PMS Intelligence Hub: {n} new compliance alert{}",
        if n == 1 { "" } else { "s" }
    );
    let mut body = format!(
        "The latest data breaches the firm's compliance rules in {n} new case{}:\n\n",
        if n == 1 { "" } else { "s" }
    );
    for a in alerts.iter().take(ALERTS_PER_EMAIL) {
        let subject = if a.subject.is_empty() {
            String::new()
        } else {
            format!(" — {}", a.subject)
        };
        body.push_str(&format!(
            "• {}: {} ({}){subject}: {} against {}{}\n",
            a.kind.label(),
            a.portfolio_code,
            a.client_name,
            a.kind.format_value(a.value),
            a.kind.format_value(Some(a.threshold)),
            a.as_of
                .map(|d| format!(", as of {}", d.format("%d %b %Y")))
                .unwrap_or_default(),
        ));
    }
    if n > ALERTS_PER_EMAIL {
        body.push_str(&format!("… and {} more.\n", n - ALERTS_PER_EMAIL));
    }
    body.push_str("\nAcknowledge or resolve them on the Compliance page");
    match link {
        Some(base) => body.push_str(&format!(": {}/alerts\n", base.trim_end_matches('/'))),
        None => body.push_str(" of the Hub.\n"),
    }
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn alert(id: i64, kind: RuleKind, value: f64, threshold: f64) -> Alert {
        Alert {
            alert_id: id,
            kind,
            portfolio_id: 1,
            portfolio_code: format!("WS{id:05}"),
            client_id: 1,
            client_name: "Asha Rao".into(),
            rm_name: None,
            subject: "Banking".into(),
            value: Some(value),
            threshold,
            detail: None,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
            status: AlertStatus::Open,
            opened_at: Utc::now(),
            acknowledged_by: None,
            acknowledged_at: None,
            resolved_by: None,
            resolved_at: None,
            note: None,
        }
    }

    #[test]
    fn each_rm_hears_of_their_alerts_and_compliance_of_all() {
        let opened = vec![
            OpenedAlert {
                alert: alert(1, RuleKind::Sector, 0.41, 0.35),
                rm_email: Some("rm1@x.example".into()),
            },
            OpenedAlert {
                alert: alert(2, RuleKind::Drawdown, 0.25, 0.2),
                rm_email: Some("rm2@x.example".into()),
            },
            OpenedAlert {
                alert: alert(3, RuleKind::SingleStock, 0.12, 0.1),
                rm_email: Some("rm1@x.example".into()),
            },
            OpenedAlert {
                alert: alert(4, RuleKind::SingleStock, 0.12, 0.1),
                rm_email: None,
            },
        ];
        let plan = mail_plan(&opened, vec!["co@x.example".into()]);
        let ids = |i: usize| plan[i].1.iter().map(|a| a.alert_id).collect::<Vec<_>>();
        assert_eq!(plan.len(), 3);
        assert_eq!(plan[0].0, vec!["rm1@x.example"]);
        assert_eq!(ids(0), vec![1, 3]);
        assert_eq!(ids(1), vec![2]);
        assert_eq!(plan[2].0, vec!["co@x.example"]);
        assert_eq!(ids(2), vec![1, 2, 3, 4]);
    }

    #[test]
    fn the_email_names_each_breach_with_its_value_and_limit() {
        let a = alert(7, RuleKind::Sector, 0.412, 0.35);
        let (subject, body) = email_text(&[&a], Some("https://hub.example/"));
        assert_eq!(subject, "PMS Intelligence Hub: 1 new compliance alert");
        assert!(body.contains(
            "• Sector concentration: WS00007 (Asha Rao) — Banking: 41.2% against 35%, as of 30 Nov 2026"
        ));
        assert!(body.contains("https://hub.example/alerts"));
    }

    #[test]
    fn a_resolution_needs_a_note_and_notes_are_bounded() {
        assert!(note_of(Some("  "), true).is_err());
        assert_eq!(
            note_of(Some(" done "), true).unwrap().as_deref(),
            Some("done")
        );
        assert_eq!(note_of(None, false).unwrap(), None);
        assert!(note_of(Some(&"x".repeat(MAX_NOTE_CHARS + 1)), false).is_err());
    }
}
