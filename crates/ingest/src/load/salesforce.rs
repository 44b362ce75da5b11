//! Merging what Salesforce delivered (an API sync or a CSV export) into the store: users
//! become relationship managers (teams from their department on first sight), accounts become
//! clients (matched to Wealth Spectrum clients by `PMS_Client_Code__c`), contacts and the
//! activity log follow. One transaction per load; an API sync also advances its watermarks in
//! that transaction, so a failed sync is simply repeated.
//!
//! A CSV export is a file and follows the rule for files: any problem rejects it whole. The API
//! sync is a feed: a record that breaks a rule (or depends on one that does) is quarantined —
//! left out, reported on the job with its Id and field, and read again at every sync until it is
//! corrected — while every other record loads, because one bad Account must not stop the feed.
//! Deletions (and the losers of a merge) close the client, and an RM assigned in the app stands
//! against the Account owner, who is recorded beside it (see the crate's README).

use std::path::Path;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Row};

use crate::error::RowError;
use crate::load::file::LoadOutcome;
use crate::load::job::{
    fail_abandoned_jobs, Completion, Job, JobSpec, MergeCounts, Source, Trigger, PHASE_REFRESHING,
};
use crate::load::merge::counted;
use crate::load::{lock_loads, LoadError};
use crate::source::salesforce::records::{SfBatch, SfObject};
use crate::source::salesforce::{
    import_csv_file_with_lines, CsvImportOptions, QuarantinedRecord, RecordLines, SalesforceClient,
    SalesforceConfig, SfChanges, SfDeletion, SfError, SyncMarks,
};

/// Who asked for a Salesforce load and how.
#[derive(Clone, Debug)]
pub struct SfLoadRequest {
    pub trigger: Trigger,
    pub requested_by: Option<i64>,
}

/// Why a Salesforce load stopped before its data was in.
#[derive(Debug, thiserror::Error)]
enum SfLoadError {
    #[error(transparent)]
    Salesforce(#[from] SfError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Loads one Salesforce CSV export (Data Loader or report) as an ingest job.
pub async fn load_csv(
    pool: &PgPool,
    path: &Path,
    display_name: Option<String>,
    request: &SfLoadRequest,
) -> Result<LoadOutcome, LoadError> {
    let spec = JobSpec::salesforce_csv(request.trigger, request.requested_by)
        .with_file(path, display_name, None)
        .await;
    let job = Job::start(pool, &spec).await?;
    load_csv_as(pool, &job, path).await
}

/// Loads a Salesforce CSV export under a job already recorded, and records how it ended.
pub(crate) async fn load_csv_as(
    pool: &PgPool,
    job: &Job,
    path: &Path,
) -> Result<LoadOutcome, LoadError> {
    let _alive = job.keep_alive();
    let outcome = load_csv_job(pool, job, path).await;
    end_job(job, outcome, "Nothing was loaded.").await
}

async fn load_csv_job(pool: &PgPool, job: &Job, path: &Path) -> Result<LoadOutcome, SfLoadError> {
    job.progress("reading and validating", 0, None).await?;
    let path = path.to_owned();
    let parsed = tokio::task::spawn_blocking(move || {
        import_csv_file_with_lines(&path, &CsvImportOptions::default())
    })
    .await
    .map_err(|e| LoadError::Internal(e.to_string()))?;
    match parsed {
        Ok((batch, _)) if batch.is_empty() => {
            // A header and no rows: nothing to merge. It succeeds and changes nothing.
            let message = "the file has a header and no rows: nothing was changed";
            job.succeed(0, MergeCounts::default(), None, None, message)
                .await?;
            Ok(LoadOutcome::Succeeded {
                job_id: job.id,
                report: "salesforce".into(),
                rows: 0,
                counts: MergeCounts::default(),
                as_of: None,
                seconds: 0.0,
            })
        }
        Ok((batch, lines)) => Ok(merge_job(pool, job, &batch, Mode::File(&lines)).await?),
        Err(errors) => Ok(reject(job, 0, errors).await?),
    }
}

/// Pulls everything changed (and deleted) since the stored marks through the REST API and
/// merges it. Jobs of processes that died are ended first, so none stays "running".
pub async fn sync(
    pool: &PgPool,
    config: SalesforceConfig,
    request: &SfLoadRequest,
) -> Result<LoadOutcome, LoadError> {
    match fail_abandoned_jobs(pool).await {
        Ok(0) => {}
        Ok(ended) => tracing::warn!(jobs = ended, "ended loads whose process stopped"),
        Err(e) => tracing::warn!(error = %e, "cannot end loads whose process stopped"),
    }
    let spec = JobSpec {
        source: Source::SalesforceApi,
        report: "salesforce".into(),
        trigger: request.trigger,
        file_name: None,
        file_sha256: None,
        file_bytes: None,
        profile: Some(format!("Salesforce {}", config.api_version)),
        requested_by: request.requested_by,
    };
    let job = Job::start(pool, &spec).await?;
    let _alive = job.keep_alive();
    let outcome = sync_job(pool, &job, config).await;
    end_job(
        &job,
        outcome,
        "Nothing was loaded; the next sync starts from the same point.",
    )
    .await
}

async fn sync_job(
    pool: &PgPool,
    job: &Job,
    config: SalesforceConfig,
) -> Result<LoadOutcome, SfLoadError> {
    job.progress("signing in to Salesforce", 0, None).await?;
    let marks = read_marks(pool).await?;
    let client = SalesforceClient::connect(config).await?;
    job.progress("pulling changed records", 0, None).await?;
    let changes = client.pull_changes(&marks).await?;
    Ok(merge_job(pool, job, &changes.batch, Mode::Feed(&changes)).await?)
}

/// Records a load that stopped before its data was in as failed, so no job stays "running".
async fn end_job(
    job: &Job,
    outcome: Result<LoadOutcome, SfLoadError>,
    advice: &str,
) -> Result<LoadOutcome, LoadError> {
    match outcome {
        Ok(outcome) => Ok(outcome),
        Err(e) => {
            let message = format!("failed: {e}. {advice}");
            tracing::error!(job = job.id, error = %e, "Salesforce load failed");
            job.fail(&message).await?;
            Ok(LoadOutcome::Failed {
                job_id: job.id,
                message,
            })
        }
    }
}

async fn read_marks(pool: &PgPool) -> Result<SyncMarks, sqlx::Error> {
    let rows = sqlx::query("SELECT object_name, last_modstamp, deleted_until FROM sf_watermark")
        .fetch_all(pool)
        .await?;
    let mut marks = SyncMarks::default();
    for row in rows {
        let name: String = row.try_get("object_name")?;
        if let Some(object) = SfObject::ALL.into_iter().find(|o| o.api_name() == name) {
            marks.changed.insert(object, row.try_get("last_modstamp")?);
            if let Some(until) = row.try_get::<Option<DateTime<Utc>>, _>("deleted_until")? {
                marks.deleted.insert(object, until);
            }
        }
    }
    Ok(marks)
}

async fn store_marks(
    conn: &mut PgConnection,
    marks: &SyncMarks,
    job_id: i64,
) -> Result<(), sqlx::Error> {
    for (object, mark) in &marks.changed {
        sqlx::query(
            "INSERT INTO sf_watermark (object_name, last_modstamp, deleted_until, last_job_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (object_name) DO UPDATE SET last_modstamp = EXCLUDED.last_modstamp,
                 deleted_until = coalesce(EXCLUDED.deleted_until, sf_watermark.deleted_until),
                 last_job_id = EXCLUDED.last_job_id, updated_at = now()",
        )
        .bind(object.api_name())
        .bind(mark)
        .bind(marks.deleted.get(object))
        .bind(job_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn reject(job: &Job, rows: u64, errors: Vec<RowError>) -> Result<LoadOutcome, LoadError> {
    let count = errors.len() as u64;
    let message = format!(
        "rejected: {count} problem{} found; nothing was loaded.",
        if count == 1 { "" } else { "s" }
    );
    job.reject(rows, &errors, count, &message).await?;
    Ok(LoadOutcome::Rejected {
        job_id: job.id,
        rows,
        error_count: count,
        first_errors: errors.into_iter().take(20).collect(),
    })
}

/// How a load treats a record that breaks a rule.
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// A CSV export: any problem rejects the file whole (its records' lines name them).
    File(&'a RecordLines),
    /// The API feed: such records are quarantined and the rest loads.
    Feed(&'a SfChanges),
}

async fn merge_job(
    pool: &PgPool,
    job: &Job,
    batch: &SfBatch,
    mode: Mode<'_>,
) -> Result<LoadOutcome, LoadError> {
    let started = std::time::Instant::now();
    let rows =
        (batch.users.len() + batch.accounts.len() + batch.contacts.len() + batch.activities.len())
            as u64;
    job.progress("merging into the store", rows, Some(rows))
        .await?;
    let mut tx = pool.begin().await?;
    lock_loads(&mut tx).await?;
    // Tells the RM-assignment trigger (migration 0013) that rm_id changes in this transaction
    // follow Salesforce rather than being made in the app.
    sqlx::query("SELECT set_config('pms.rm_source', 'salesforce', true)")
        .execute(&mut *tx)
        .await?;
    stage(&mut tx, batch).await?;
    let mut problems = Vec::new();
    let mut deleted = 0;
    let mut marks = None;
    match mode {
        Mode::File(lines) => {
            let errors: Vec<RowError> = check(&mut tx)
                .await?
                .into_iter()
                .map(|p| p.into_error(Some(lines)))
                .collect();
            if !errors.is_empty() {
                tx.rollback().await?;
                return reject(job, rows, errors).await;
            }
        }
        Mode::Feed(changes) => {
            // Deletions first: a merge's surviving Account may claim the loser's client code.
            deleted = apply_deletions(&mut tx, &changes.deletions, job.id).await?;
            problems.extend(
                changes
                    .quarantined
                    .iter()
                    .map(QuarantinedRecord::to_row_error),
            );
            let mut next = changes.marks.clone();
            for problem in quarantine_unresolved(&mut tx).await? {
                next.hold_before(problem.object, problem.modstamp);
                problems.push(problem.into_error(None));
            }
            marks = Some(next);
        }
    }
    let counts = merge(&mut tx, job.id).await?;
    if let Some(marks) = &marks {
        store_marks(&mut tx, marks, job.id).await?;
    }
    let version: i64 = sqlx::query_scalar("SELECT nextval('data_version_seq')")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;

    job.progress(PHASE_REFRESHING, rows, Some(rows)).await?;
    let refresh = crate::aggregate::refresh_dirty(pool).await;
    let mut message = format!(
        "{} users, {} accounts, {} contacts, {} activities: {} new, {} changed, {} unchanged",
        batch.users.len(),
        batch.accounts.len(),
        batch.contacts.len(),
        batch.activities.len(),
        counts.inserted,
        counts.updated,
        counts.unchanged
    );
    if deleted > 0 {
        message.push_str(&format!("; {deleted} deleted in Salesforce"));
    }
    if !problems.is_empty() {
        message.push_str(&format!(
            "; {} record{} left out (see the problems): read again at every sync until corrected in Salesforce",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ));
    }
    if let Err(e) = &refresh {
        tracing::error!(job = job.id, error = %e, "the aggregate refresh after a Salesforce load failed");
        message.push_str(&format!(
            "; loaded, but the dashboard figures are not refreshed yet ({e}): the next refresh recomputes them"
        ));
    }
    job.complete(&Completion {
        rows_read: rows,
        counts,
        as_of: None,
        data_version: version,
        message: &message,
        refreshed: refresh.is_ok(),
        problems: &problems,
    })
    .await?;
    Ok(LoadOutcome::Succeeded {
        job_id: job.id,
        report: "salesforce".into(),
        rows,
        counts,
        as_of: None,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Applies what Salesforce deleted: a deleted Account (also the loser of a merge) closes its
/// client (kept, with its history, and marked `sf_deleted_at`); deleted Contacts, Tasks and
/// Events are removed. Returns how many rows changed.
async fn apply_deletions(
    conn: &mut PgConnection,
    deletions: &[SfDeletion],
    job_id: i64,
) -> Result<u64, sqlx::Error> {
    let of = |objects: &[SfObject]| -> (Vec<String>, Vec<DateTime<Utc>>) {
        deletions
            .iter()
            .filter(|d| objects.contains(&d.object))
            .map(|d| (d.id.clone(), d.deleted_at))
            .unzip()
    };
    let (accounts, at) = of(&[SfObject::Account]);
    let closed = sqlx::query(
        "UPDATE dim_client d SET status = 'Closed', sf_deleted_at = x.at, last_job_id = $3, updated_at = now(),
                closure_date = coalesce(d.closure_date, (x.at AT TIME ZONE 'Asia/Kolkata')::date)
         FROM unnest($1::text[], $2::timestamptz[]) AS x(id, at)
         WHERE d.sf_account_id = x.id AND d.sf_deleted_at IS NULL",
    )
    .bind(&accounts)
    .bind(&at)
    .bind(job_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let (contacts, _) = of(&[SfObject::Contact]);
    let contacts = sqlx::query("DELETE FROM dim_contact WHERE sf_contact_id = ANY($1)")
        .bind(&contacts)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let (activities, _) = of(&[SfObject::Task, SfObject::Event]);
    let activities = sqlx::query("DELETE FROM fact_crm_activity WHERE sf_activity_id = ANY($1)")
        .bind(&activities)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(closed + contacts + activities)
}

/// Copies the batch into temporary tables (arrays → `unnest`).
async fn stage(conn: &mut PgConnection, b: &SfBatch) -> Result<(), sqlx::Error> {
    sqlx::query(
        "CREATE TEMP TABLE sf_user ON COMMIT DROP AS SELECT * FROM unnest(
             $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::timestamptz[])
         AS u(id, name, email, phone, employee_number, department, is_active, modstamp)",
    )
    .bind(b.users.iter().map(|u| u.id.clone()).collect::<Vec<_>>())
    .bind(b.users.iter().map(|u| u.name.clone()).collect::<Vec<_>>())
    .bind(b.users.iter().map(|u| u.email.clone()).collect::<Vec<_>>())
    .bind(b.users.iter().map(|u| u.phone.clone()).collect::<Vec<_>>())
    .bind(b.users.iter().map(|u| u.employee_number.clone()).collect::<Vec<_>>())
    .bind(b.users.iter().map(|u| u.department.clone()).collect::<Vec<_>>())
    .bind(b.users.iter().map(|u| u.is_active).collect::<Vec<_>>())
    .bind(b.users.iter().map(|u| u.system_modstamp).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "CREATE TEMP TABLE sf_account ON COMMIT DROP AS SELECT * FROM unnest(
             $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
             $10::text[], $11::text[], $12::date[], $13::text[], $14::date[], $15::numeric[], $16::timestamptz[])
         AS a(id, name, pan, client_code, client_type, risk_profile, city, state, phone, email, owner_id,
              onboarding_date, status, closure_date, aum, modstamp)",
    )
    .bind(b.accounts.iter().map(|a| a.id.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.name.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.pan.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.pms_client_code.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.client_type.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.risk_profile.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.billing_city.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.billing_state.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.phone.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.email.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.owner_id.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.onboarding_date).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.status.clone()).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.closure_date).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.aum).collect::<Vec<_>>())
    .bind(b.accounts.iter().map(|a| a.system_modstamp).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "CREATE TEMP TABLE sf_contact ON COMMIT DROP AS SELECT * FROM unnest(
             $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
         AS c(id, account_id, name, email, phone, title, modstamp)",
    )
    .bind(b.contacts.iter().map(|c| c.id.clone()).collect::<Vec<_>>())
    .bind(b.contacts.iter().map(|c| c.account_id.clone()).collect::<Vec<_>>())
    .bind(b.contacts.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
    .bind(b.contacts.iter().map(|c| c.email.clone()).collect::<Vec<_>>())
    .bind(b.contacts.iter().map(|c| c.phone.clone()).collect::<Vec<_>>())
    .bind(b.contacts.iter().map(|c| c.title.clone()).collect::<Vec<_>>())
    .bind(b.contacts.iter().map(|c| c.system_modstamp).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "CREATE TEMP TABLE sf_activity ON COMMIT DROP AS SELECT * FROM unnest(
             $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[], $9::timestamptz[])
         AS t(id, kind, what_id, owner_id, subject, activity_type, activity_date, status, modstamp)",
    )
    .bind(b.activities.iter().map(|t| t.id.clone()).collect::<Vec<_>>())
    .bind(b.activities.iter().map(|t| t.kind.api_name().to_owned()).collect::<Vec<_>>())
    .bind(b.activities.iter().map(|t| t.what_id.clone()).collect::<Vec<_>>())
    .bind(b.activities.iter().map(|t| t.owner_id.clone()).collect::<Vec<_>>())
    .bind(b.activities.iter().map(|t| t.subject.clone()).collect::<Vec<_>>())
    .bind(b.activities.iter().map(|t| t.activity_type.clone()).collect::<Vec<_>>())
    .bind(b.activities.iter().map(|t| t.activity_date).collect::<Vec<_>>())
    .bind(b.activities.iter().map(|t| t.status.clone()).collect::<Vec<_>>())
    .bind(b.activities.iter().map(|t| t.system_modstamp).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A rule of [`check`]: its query yields one row per record at fault, with `record_id`,
/// `modstamp`, `subject` (what is wrong, named for the reader) and `value` (the offending value
/// of `column`); the reason is the subject followed by `advice`. A quarantined record leaves
/// `table`, the staging table of `object`.
struct ReferenceRule {
    sql: &'static str,
    object: SfObject,
    table: &'static str,
    column: &'static str,
    advice: &'static str,
}

const REFERENCE_RULES: [ReferenceRule; 4] = [
    ReferenceRule {
        sql: "SELECT format('Account %s (%s)', a.id, a.name) AS subject, a.id AS record_id, a.modstamp,
                     a.owner_id AS value FROM sf_account a
              WHERE NOT EXISTS (SELECT 1 FROM sf_user u WHERE u.id = a.owner_id)
                AND NOT EXISTS (SELECT 1 FROM dim_rm r WHERE r.sf_user_id = a.owner_id)
              ORDER BY a.id LIMIT 10000",
        object: SfObject::Account,
        table: "sf_account",
        column: "OwnerId",
        advice: " is owned by a user the Hub does not know: load the User export (or sync users) first",
    },
    ReferenceRule {
        sql: "SELECT format('Contact %s', c.id) AS subject, c.id AS record_id, c.modstamp,
                     c.account_id AS value FROM sf_contact c
              WHERE c.account_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM sf_account a WHERE a.id = c.account_id)
                AND NOT EXISTS (SELECT 1 FROM dim_client d WHERE d.sf_account_id = c.account_id)
              ORDER BY c.id LIMIT 10000",
        object: SfObject::Contact,
        table: "sf_contact",
        column: "AccountId",
        advice: " belongs to an account the Hub does not know: load the Account export first",
    },
    ReferenceRule {
        sql: "SELECT format('Account %s', a.id) AS subject, a.id AS record_id, a.modstamp, a.client_code AS value
              FROM sf_account a
              WHERE EXISTS (SELECT 1 FROM dim_client d WHERE d.ws_client_code = a.client_code
                                AND d.sf_account_id <> a.id AND d.sf_deleted_at IS NULL)
                 OR EXISTS (SELECT 1 FROM sf_account o WHERE o.client_code = a.client_code AND o.id <> a.id)
              ORDER BY a.id LIMIT 10000",
        object: SfObject::Account,
        table: "sf_account",
        column: "PMS_Client_Code__c",
        advice: ": this client code already belongs to another Salesforce account; correct one of them",
    },
    ReferenceRule {
        sql: "SELECT format('User %s (%s)', u.id, u.name) AS subject, u.id AS record_id, u.modstamp,
                     u.employee_number AS value FROM sf_user u
              WHERE EXISTS (SELECT 1 FROM sf_user o WHERE o.employee_number = u.employee_number AND o.id <> u.id)
                 OR EXISTS (SELECT 1 FROM dim_rm r WHERE r.employee_code = u.employee_number
                                AND r.sf_user_id IS DISTINCT FROM u.id)
              ORDER BY u.id LIMIT 10000",
        object: SfObject::User,
        table: "sf_user",
        column: "EmployeeNumber",
        advice: " has an employee number another user has too; each RM needs their own",
    },
];

/// A record that breaks a [`ReferenceRule`].
struct ReferenceProblem {
    object: SfObject,
    table: &'static str,
    record_id: String,
    modstamp: DateTime<Utc>,
    column: &'static str,
    value: Option<String>,
    reason: String,
}

impl ReferenceProblem {
    /// The problem as stored on the job: on the record's line of a file, or (a feed) naming
    /// the record and saying it was left out.
    fn into_error(self, lines: Option<&RecordLines>) -> RowError {
        let reason = match lines {
            Some(_) => self.reason,
            None => format!(
                "{}; the record was left out and is read again at every sync until it is corrected",
                self.reason
            ),
        };
        RowError {
            line: lines.and_then(|l| l.get(&self.record_id)).copied(),
            column: Some(self.column.into()),
            value: self.value,
            reason,
        }
    }
}

/// References that must resolve: an account's owner and a contact's account (in this batch or
/// already in the store), client codes not claimed by another Salesforce account, and one
/// employee number per user.
async fn check(conn: &mut PgConnection) -> Result<Vec<ReferenceProblem>, sqlx::Error> {
    let mut problems = Vec::new();
    for rule in &REFERENCE_RULES {
        for row in sqlx::query(rule.sql).fetch_all(&mut *conn).await? {
            let subject: String = row.try_get("subject")?;
            problems.push(ReferenceProblem {
                object: rule.object,
                table: rule.table,
                record_id: row.try_get("record_id")?,
                modstamp: row.try_get("modstamp")?,
                column: rule.column,
                value: row.try_get("value")?,
                reason: format!("{subject}{}", rule.advice),
            });
        }
    }
    Ok(problems)
}

/// Takes the records that break a rule out of the staging tables, until none does (leaving out
/// a User can orphan its Accounts, an Account its Contacts); returns them all.
async fn quarantine_unresolved(
    conn: &mut PgConnection,
) -> Result<Vec<ReferenceProblem>, sqlx::Error> {
    let mut left_out = Vec::new();
    loop {
        let found = check(conn).await?;
        if found.is_empty() {
            return Ok(left_out);
        }
        for problem in &found {
            sqlx::query(&format!("DELETE FROM {} WHERE id = $1", problem.table))
                .bind(&problem.record_id)
                .execute(&mut *conn)
                .await?;
        }
        left_out.extend(found);
    }
}

async fn merge(conn: &mut PgConnection, job_id: i64) -> Result<MergeCounts, sqlx::Error> {
    let mut total = MergeCounts::default();
    // Teams named after the department of users seen for the first time.
    sqlx::query(
        "INSERT INTO rm_team (name)
         SELECT DISTINCT u.department FROM sf_user u
         WHERE u.department IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dim_rm r WHERE r.sf_user_id = u.id)
         ON CONFLICT (name) DO NOTHING",
    )
    .execute(&mut *conn)
    .await?;
    total.add(
        counted(
            conn,
            "WITH up AS (
                 INSERT INTO dim_rm AS r (sf_user_id, employee_code, name, email, phone, team_id, is_active, sf_modstamp, last_job_id)
                 SELECT u.id, u.employee_number, u.name, u.email, u.phone, t.team_id, u.is_active, u.modstamp, $1
                 FROM sf_user u LEFT JOIN rm_team t ON t.name = u.department
                 ON CONFLICT (sf_user_id) DO UPDATE SET
                     employee_code = EXCLUDED.employee_code, name = EXCLUDED.name, email = EXCLUDED.email,
                     phone = EXCLUDED.phone, is_active = EXCLUDED.is_active, sf_modstamp = EXCLUDED.sf_modstamp,
                     last_job_id = EXCLUDED.last_job_id, updated_at = now()
                 WHERE (r.employee_code, r.name, r.email, r.phone, r.is_active)
                       IS DISTINCT FROM (EXCLUDED.employee_code, EXCLUDED.name, EXCLUDED.email, EXCLUDED.phone, EXCLUDED.is_active)
                 RETURNING (xmax = 0) AS inserted
             )
             SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated,
                    (SELECT count(*) FROM sf_user) - count(*) AS unchanged FROM up",
            job_id,
        )
        .await?,
    );

    // Accounts already known from Wealth Spectrum by their client code are linked first (also
    // to the client of a deleted Account: the survivor of a merge takes it over).
    sqlx::query(
        "UPDATE dim_client d SET sf_account_id = a.id
         FROM sf_account a
         WHERE d.ws_client_code = a.client_code AND (d.sf_account_id IS NULL OR d.sf_deleted_at IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM dim_client o WHERE o.sf_account_id = a.id)",
    )
    .execute(&mut *conn)
    .await?;
    // The RM follows the Account owner unless an admin assigned one in the app: that assignment
    // stands, and the owner is kept in sf_owner_rm_id (rm_conflict shows the disagreement).
    let clients = sqlx::query(
        "WITH up AS (
             INSERT INTO dim_client AS d (sf_account_id, ws_client_code, name, pan, client_type, email, phone, city, state,
                                          risk_profile, rm_id, sf_owner_rm_id, onboarding_date, status, closure_date,
                                          sf_aum, sf_modstamp, last_job_id)
             SELECT a.id, a.client_code, a.name, a.pan, a.client_type, a.email, a.phone, a.city, a.state, a.risk_profile,
                    r.rm_id, r.rm_id, a.onboarding_date, coalesce(a.status, 'Active'), a.closure_date, a.aum, a.modstamp, $1
             FROM sf_account a LEFT JOIN dim_rm r ON r.sf_user_id = a.owner_id
             ON CONFLICT (sf_account_id) DO UPDATE SET
                 ws_client_code = coalesce(d.ws_client_code, EXCLUDED.ws_client_code),
                 name = EXCLUDED.name, pan = coalesce(EXCLUDED.pan, d.pan),
                 client_type = coalesce(EXCLUDED.client_type, d.client_type), email = coalesce(EXCLUDED.email, d.email),
                 phone = coalesce(EXCLUDED.phone, d.phone), city = coalesce(EXCLUDED.city, d.city),
                 state = coalesce(EXCLUDED.state, d.state), risk_profile = coalesce(EXCLUDED.risk_profile, d.risk_profile),
                 rm_id = CASE WHEN d.rm_assigned_in_app_at IS NULL THEN EXCLUDED.rm_id ELSE d.rm_id END,
                 sf_owner_rm_id = EXCLUDED.sf_owner_rm_id, sf_deleted_at = NULL,
                 onboarding_date = coalesce(EXCLUDED.onboarding_date, d.onboarding_date),
                 status = EXCLUDED.status, closure_date = EXCLUDED.closure_date, sf_aum = EXCLUDED.sf_aum,
                 sf_modstamp = EXCLUDED.sf_modstamp, last_job_id = EXCLUDED.last_job_id, updated_at = now()
             WHERE (d.name, d.rm_id, d.sf_owner_rm_id, d.status, d.closure_date, d.sf_aum, d.ws_client_code, d.sf_deleted_at)
                   IS DISTINCT FROM
                   (EXCLUDED.name, CASE WHEN d.rm_assigned_in_app_at IS NULL THEN EXCLUDED.rm_id ELSE d.rm_id END,
                    EXCLUDED.sf_owner_rm_id, EXCLUDED.status, EXCLUDED.closure_date, EXCLUDED.sf_aum,
                    coalesce(d.ws_client_code, EXCLUDED.ws_client_code), NULL::timestamptz)
                OR (d.pan, d.client_type, d.email, d.phone, d.city, d.state, d.risk_profile, d.onboarding_date) IS DISTINCT FROM
                   (coalesce(EXCLUDED.pan, d.pan), coalesce(EXCLUDED.client_type, d.client_type), coalesce(EXCLUDED.email, d.email),
                    coalesce(EXCLUDED.phone, d.phone), coalesce(EXCLUDED.city, d.city), coalesce(EXCLUDED.state, d.state),
                    coalesce(EXCLUDED.risk_profile, d.risk_profile), coalesce(EXCLUDED.onboarding_date, d.onboarding_date))
             RETURNING client_id, (xmax = 0) AS inserted
         )
         SELECT coalesce(array_agg(client_id), '{}') AS ids, count(*) FILTER (WHERE inserted) AS inserted,
                count(*) FILTER (WHERE NOT inserted) AS updated, (SELECT count(*) FROM sf_account) - count(*) AS unchanged
         FROM up",
    )
    .bind(job_id)
    .fetch_one(&mut *conn)
    .await?;
    let ids: Vec<i32> = clients.try_get("ids")?;
    total.add(MergeCounts {
        inserted: clients.try_get("inserted")?,
        updated: clients.try_get("updated")?,
        unchanged: clients.try_get("unchanged")?,
    });
    sqlx::query("SELECT record_client_history($1, $2)")
        .bind(&ids)
        .bind(job_id)
        .execute(&mut *conn)
        .await?;

    total.add(
        counted(
            conn,
            "WITH up AS (
                 INSERT INTO dim_contact AS d (sf_contact_id, client_id, name, email, phone, title, sf_modstamp, last_job_id)
                 SELECT c.id, cl.client_id, c.name, c.email, c.phone, c.title, c.modstamp, $1
                 FROM sf_contact c LEFT JOIN dim_client cl ON cl.sf_account_id = c.account_id
                 ON CONFLICT (sf_contact_id) DO UPDATE SET client_id = EXCLUDED.client_id, name = EXCLUDED.name,
                     email = EXCLUDED.email, phone = EXCLUDED.phone, title = EXCLUDED.title,
                     sf_modstamp = EXCLUDED.sf_modstamp, last_job_id = EXCLUDED.last_job_id, updated_at = now()
                 WHERE (d.client_id, d.name, d.email, d.phone, d.title) IS DISTINCT FROM
                       (EXCLUDED.client_id, EXCLUDED.name, EXCLUDED.email, EXCLUDED.phone, EXCLUDED.title)
                 RETURNING (xmax = 0) AS inserted
             )
             SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated,
                    (SELECT count(*) FROM sf_contact) - count(*) AS unchanged FROM up",
            job_id,
        )
        .await?,
    );
    // Activities on things other than known accounts (opportunities, leads) keep no client.
    total.add(
        counted(
            conn,
            "WITH up AS (
                 INSERT INTO fact_crm_activity AS f (sf_activity_id, kind, client_id, rm_id, subject, activity_type,
                                                     activity_date, status, sf_modstamp, job_id)
                 SELECT t.id, t.kind, cl.client_id, r.rm_id, t.subject, t.activity_type, t.activity_date, t.status, t.modstamp, $1
                 FROM sf_activity t
                 LEFT JOIN dim_client cl ON cl.sf_account_id = t.what_id
                 LEFT JOIN dim_rm r ON r.sf_user_id = t.owner_id
                 ON CONFLICT (sf_activity_id) DO UPDATE SET client_id = EXCLUDED.client_id, rm_id = EXCLUDED.rm_id,
                     subject = EXCLUDED.subject, activity_type = EXCLUDED.activity_type,
                     activity_date = EXCLUDED.activity_date, status = EXCLUDED.status, sf_modstamp = EXCLUDED.sf_modstamp,
                     job_id = EXCLUDED.job_id
                 WHERE (f.client_id, f.rm_id, f.subject, f.activity_type, f.activity_date, f.status) IS DISTINCT FROM
                       (EXCLUDED.client_id, EXCLUDED.rm_id, EXCLUDED.subject, EXCLUDED.activity_type,
                        EXCLUDED.activity_date, EXCLUDED.status)
                 RETURNING (xmax = 0) AS inserted
             )
             SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated,
                    (SELECT count(*) FROM sf_activity) - count(*) AS unchanged FROM up",
            job_id,
        )
        .await?,
    );
    Ok(total)
}
