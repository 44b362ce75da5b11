//! Merging what Salesforce delivered (an API sync or a CSV export) into the store: users
//! become relationship managers (teams from their department on first sight), accounts become
//! clients (matched to Wealth Spectrum clients by `PMS_Client_Code__c`), contacts and the
//! activity log follow. One transaction per load; an API sync also advances its watermarks in
//! that transaction, so a failed sync is simply repeated.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Row};

use crate::error::RowError;
use crate::load::file::{file_digest, LoadOutcome};
use crate::load::job::{Job, JobSpec, MergeCounts, Source, Trigger};
use crate::load::merge::counted;
use crate::load::{lock_loads, LoadError};
use crate::source::salesforce::records::{SfBatch, SfObject};
use crate::source::salesforce::{
    import_csv_file, CsvImportOptions, SalesforceClient, SalesforceConfig,
};

/// Who asked for a Salesforce load and how.
#[derive(Clone, Debug)]
pub struct SfLoadRequest {
    pub trigger: Trigger,
    pub requested_by: Option<i64>,
}

/// Loads one Salesforce CSV export (Data Loader or report) as an ingest job.
pub async fn load_csv(
    pool: &PgPool,
    path: &Path,
    display_name: Option<String>,
    request: &SfLoadRequest,
) -> Result<LoadOutcome, LoadError> {
    let (sha, size) = file_digest(path)
        .map(|(s, n)| (Some(s), Some(n)))
        .unwrap_or((None, None));
    let spec = JobSpec {
        source: Source::SalesforceCsv,
        report: "salesforce".into(),
        trigger: request.trigger,
        file_name: display_name
            .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned())),
        file_sha256: sha,
        file_bytes: size,
        profile: None,
        requested_by: request.requested_by,
    };
    let job = Job::start(pool, &spec).await?;
    job.progress("reading and validating", 0, None).await?;
    let path = path.to_owned();
    let parsed =
        tokio::task::spawn_blocking(move || import_csv_file(&path, &CsvImportOptions::default()))
            .await
            .map_err(|e| LoadError::Internal(e.to_string()))?;
    match parsed {
        Ok(batch) => merge_job(pool, &job, batch, None).await,
        Err(errors) => reject(&job, 0, errors).await,
    }
}

/// Pulls everything changed since the stored watermarks through the REST API and merges it.
pub async fn sync(
    pool: &PgPool,
    config: SalesforceConfig,
    request: &SfLoadRequest,
) -> Result<LoadOutcome, LoadError> {
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
    job.progress("signing in to Salesforce", 0, None).await?;
    let watermarks = read_watermarks(pool).await?;
    let pulled = async {
        let client = SalesforceClient::connect(config).await?;
        job.progress("pulling changed records", 0, None).await.ok();
        client.pull_all(&watermarks).await
    }
    .await;
    match pulled {
        Ok((batch, new_marks)) => merge_job(pool, &job, batch, Some(new_marks)).await,
        Err(e) => {
            let message = format!(
                "failed: {e}. Nothing was loaded; the next sync starts from the same point."
            );
            job.fail(&message).await?;
            Ok(LoadOutcome::Failed {
                job_id: job.id,
                message,
            })
        }
    }
}

async fn read_watermarks(pool: &PgPool) -> Result<HashMap<SfObject, DateTime<Utc>>, sqlx::Error> {
    let rows = sqlx::query("SELECT object_name, last_modstamp FROM sf_watermark")
        .fetch_all(pool)
        .await?;
    let mut marks = HashMap::new();
    for row in rows {
        let name: String = row.try_get("object_name")?;
        if let Some(object) = SfObject::ALL.into_iter().find(|o| o.api_name() == name) {
            marks.insert(object, row.try_get("last_modstamp")?);
        }
    }
    Ok(marks)
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

async fn merge_job(
    pool: &PgPool,
    job: &Job,
    batch: SfBatch,
    watermarks: Option<HashMap<SfObject, DateTime<Utc>>>,
) -> Result<LoadOutcome, LoadError> {
    let started = std::time::Instant::now();
    let rows =
        (batch.users.len() + batch.accounts.len() + batch.contacts.len() + batch.activities.len())
            as u64;
    job.progress("merging into the store", rows, Some(rows))
        .await?;
    let mut tx = pool.begin().await?;
    lock_loads(&mut tx).await?;
    stage(&mut tx, &batch).await?;
    let errors = check(&mut tx).await?;
    if !errors.is_empty() {
        tx.rollback().await?;
        return reject(job, rows, errors).await;
    }
    let counts = merge(&mut tx, job.id).await?;
    if let Some(marks) = &watermarks {
        for (object, mark) in marks {
            sqlx::query(
                "INSERT INTO sf_watermark (object_name, last_modstamp, last_job_id) VALUES ($1, $2, $3)
                 ON CONFLICT (object_name) DO UPDATE SET last_modstamp = EXCLUDED.last_modstamp,
                     last_job_id = EXCLUDED.last_job_id, updated_at = now()",
            )
            .bind(object.api_name())
            .bind(mark)
            .bind(job.id)
            .execute(&mut *tx)
            .await?;
        }
    }
    let version: i64 = sqlx::query_scalar("SELECT nextval('data_version_seq')")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    job.progress("refreshing aggregates", rows, Some(rows))
        .await?;
    crate::aggregate::refresh_dirty(pool).await?;
    crate::aggregate::refresh_totals(pool).await?;
    let message = format!(
        "{} users, {} accounts, {} contacts, {} activities: {} new, {} changed, {} unchanged",
        batch.users.len(),
        batch.accounts.len(),
        batch.contacts.len(),
        batch.activities.len(),
        counts.inserted,
        counts.updated,
        counts.unchanged
    );
    job.succeed(rows, counts, None, version, &message).await?;
    Ok(LoadOutcome::Succeeded {
        job_id: job.id,
        report: "salesforce".into(),
        rows,
        counts,
        as_of: None,
        seconds: started.elapsed().as_secs_f64(),
    })
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

/// A rule of [`check`]: its query yields one row per problem, with `subject` (what is wrong,
/// named for the reader) and `value` (the offending value of `column`); the reason is the
/// subject followed by `advice`.
struct ReferenceRule {
    sql: &'static str,
    column: &'static str,
    advice: &'static str,
}

const REFERENCE_RULES: [ReferenceRule; 4] = [
    ReferenceRule {
        sql: "SELECT format('Account %s (%s)', a.id, a.name) AS subject, a.owner_id AS value FROM sf_account a
              WHERE NOT EXISTS (SELECT 1 FROM sf_user u WHERE u.id = a.owner_id)
                AND NOT EXISTS (SELECT 1 FROM dim_rm r WHERE r.sf_user_id = a.owner_id)
              ORDER BY a.id LIMIT 10000",
        column: "OwnerId",
        advice: " is owned by a user the Hub does not know: load the User export (or sync users) first",
    },
    ReferenceRule {
        sql: "SELECT format('Contact %s', c.id) AS subject, c.account_id AS value FROM sf_contact c
              WHERE c.account_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM sf_account a WHERE a.id = c.account_id)
                AND NOT EXISTS (SELECT 1 FROM dim_client d WHERE d.sf_account_id = c.account_id)
              ORDER BY c.id LIMIT 10000",
        column: "AccountId",
        advice: " belongs to an account the Hub does not know: load the Account export first",
    },
    ReferenceRule {
        sql: "SELECT format('Account %s', a.id) AS subject, a.client_code AS value FROM sf_account a
              JOIN dim_client d ON d.ws_client_code = a.client_code
              WHERE d.sf_account_id IS NOT NULL AND d.sf_account_id <> a.id
              ORDER BY a.id LIMIT 10000",
        column: "PMS_Client_Code__c",
        advice: ": this client code already belongs to another Salesforce account; correct one of them",
    },
    ReferenceRule {
        sql: "SELECT 'users ' || string_agg(id, ', ' ORDER BY id) AS subject, employee_number AS value FROM sf_user
              WHERE employee_number IS NOT NULL GROUP BY employee_number HAVING count(*) > 1 LIMIT 1000",
        column: "EmployeeNumber",
        advice: " share one employee number; each RM needs their own",
    },
];

/// References that must resolve: an account's owner and a contact's account (in this batch or
/// already in the store), client codes not claimed by another Salesforce account, and one
/// employee number per user.
async fn check(conn: &mut PgConnection) -> Result<Vec<RowError>, sqlx::Error> {
    let mut errors = Vec::new();
    for rule in &REFERENCE_RULES {
        for row in sqlx::query(rule.sql).fetch_all(&mut *conn).await? {
            let subject: String = row.try_get("subject")?;
            errors.push(RowError {
                line: None,
                column: Some(rule.column.into()),
                value: row.try_get("value")?,
                reason: format!("{subject}{}", rule.advice),
            });
        }
    }
    Ok(errors)
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

    // Accounts already known from Wealth Spectrum by their client code are linked first.
    sqlx::query(
        "UPDATE dim_client d SET sf_account_id = a.id
         FROM sf_account a
         WHERE d.ws_client_code = a.client_code AND d.sf_account_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM dim_client o WHERE o.sf_account_id = a.id)",
    )
    .execute(&mut *conn)
    .await?;
    let clients = sqlx::query(
        "WITH up AS (
             INSERT INTO dim_client AS d (sf_account_id, ws_client_code, name, pan, client_type, email, phone, city, state,
                                          risk_profile, rm_id, onboarding_date, status, closure_date, sf_aum, sf_modstamp,
                                          last_job_id)
             SELECT a.id, a.client_code, a.name, a.pan, a.client_type, a.email, a.phone, a.city, a.state, a.risk_profile,
                    r.rm_id, a.onboarding_date, coalesce(a.status, 'Active'), a.closure_date, a.aum, a.modstamp, $1
             FROM sf_account a LEFT JOIN dim_rm r ON r.sf_user_id = a.owner_id
             ON CONFLICT (sf_account_id) DO UPDATE SET
                 ws_client_code = coalesce(d.ws_client_code, EXCLUDED.ws_client_code),
                 name = EXCLUDED.name, pan = coalesce(EXCLUDED.pan, d.pan),
                 client_type = coalesce(EXCLUDED.client_type, d.client_type), email = coalesce(EXCLUDED.email, d.email),
                 phone = coalesce(EXCLUDED.phone, d.phone), city = coalesce(EXCLUDED.city, d.city),
                 state = coalesce(EXCLUDED.state, d.state), risk_profile = coalesce(EXCLUDED.risk_profile, d.risk_profile),
                 rm_id = EXCLUDED.rm_id, onboarding_date = coalesce(EXCLUDED.onboarding_date, d.onboarding_date),
                 status = EXCLUDED.status, closure_date = EXCLUDED.closure_date, sf_aum = EXCLUDED.sf_aum,
                 sf_modstamp = EXCLUDED.sf_modstamp, last_job_id = EXCLUDED.last_job_id, updated_at = now()
             WHERE (d.name, d.rm_id, d.status, d.closure_date, d.sf_aum, d.ws_client_code) IS DISTINCT FROM
                   (EXCLUDED.name, EXCLUDED.rm_id, EXCLUDED.status, EXCLUDED.closure_date, EXCLUDED.sf_aum,
                    coalesce(d.ws_client_code, EXCLUDED.ws_client_code))
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
