//! What a sync pulls: each object's changes since its watermark, the records deleted since the
//! last read, and the marks to store once the load commits.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::client::SalesforceClient;
use super::objects::{
    modstamp_of, parse_account, parse_activity, parse_contact, parse_user, soql_for,
};
use crate::error::RowError;
use crate::source::salesforce::error::SfError;
use crate::source::salesforce::id::normalize_id;
use crate::source::salesforce::records::{SfBatch, SfObject};
use crate::source::salesforce::values::parse_zoned_datetime;

/// How far back Salesforce serves deleted records (`sobjects/<Object>/deleted`), with a margin.
pub const DELETED_RECORDS_HORIZON: Duration = Duration::from_secs(29 * 24 * 3600);

/// What one object's pull delivered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SfPull {
    /// The records, in the field of the batch for their type.
    pub batch: SfBatch,
    /// The largest `SystemModstamp` among them (quarantined ones included). `None` when
    /// nothing changed.
    pub max_modstamp: Option<DateTime<Utc>>,
    /// Records that could not be read or broke a rule: left out, each with its reason.
    pub quarantined: Vec<QuarantinedRecord>,
}

/// A record a pull left out: which one, which field, what was found and why it is unusable.
#[derive(Clone, Debug, PartialEq)]
pub struct QuarantinedRecord {
    pub object: SfObject,
    pub id: Option<String>,
    pub field: String,
    pub value: Option<String>,
    pub reason: String,
    /// Its `SystemModstamp`, when readable: the watermark stays before it.
    pub modstamp: Option<DateTime<Utc>>,
}

impl QuarantinedRecord {
    /// The problem as the job log stores it (no line: an API record has its Id instead).
    pub fn to_row_error(&self) -> RowError {
        RowError {
            line: None,
            column: Some(self.field.clone()),
            value: self.value.clone(),
            reason: format!(
                "{} {}: {}; the record was left out and is read again at every sync until it is corrected",
                self.object.api_name(),
                self.id.as_deref().unwrap_or("without an Id"),
                self.reason
            ),
        }
    }
}

impl SfPull {
    /// How many records the pull delivered.
    pub fn len(&self) -> usize {
        self.batch.users.len()
            + self.batch.accounts.len()
            + self.batch.contacts.len()
            + self.batch.activities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The watermark to store once the pull is loaded: the newest `SystemModstamp` seen, but
    /// never past a quarantined record, so it is read again until it is corrected (and records
    /// that depend on it with it). `previous` where nothing changed or a quarantined record has
    /// no readable stamp.
    pub fn next_watermark(&self, previous: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        let mut held = None;
        for record in &self.quarantined {
            match record.modstamp {
                None => return previous,
                Some(at) => held = Some(held.map_or(at, |h: DateTime<Utc>| h.min(at))),
            }
        }
        let before_held = held.map(|at| at - chrono::Duration::seconds(1));
        match (self.max_modstamp, before_held) {
            (Some(max), Some(held)) => Some(max.min(held)),
            (Some(max), None) => Some(max),
            (None, _) => previous,
        }
    }
}

/// Where the previous syncs got to, per object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncMarks {
    /// The newest `SystemModstamp` loaded (the watermark).
    pub changed: HashMap<SfObject, DateTime<Utc>>,
    /// Up to when the object's deleted records have been read.
    pub deleted: HashMap<SfObject, DateTime<Utc>>,
}

impl SyncMarks {
    /// Keeps the watermark of `object` before `modstamp`, so the record stamped then is read
    /// again by the next sync.
    pub fn hold_before(&mut self, object: SfObject, modstamp: DateTime<Utc>) {
        let held = modstamp - chrono::Duration::seconds(1);
        let mark = self.changed.entry(object).or_insert(held);
        *mark = (*mark).min(held);
    }
}

/// A record deleted in Salesforce (also the losers of a merge).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SfDeletion {
    pub object: SfObject,
    pub id: String,
    pub deleted_at: DateTime<Utc>,
}

/// Everything one sync pulled, and the marks to store once it is loaded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SfChanges {
    pub batch: SfBatch,
    pub deletions: Vec<SfDeletion>,
    pub quarantined: Vec<QuarantinedRecord>,
    pub marks: SyncMarks,
}

/// One answer of the deleted-records resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SfDeletedPage {
    pub records: Vec<SfDeletion>,
    /// Salesforce's `latestDateCovered`: the next read starts here.
    pub latest_covered: DateTime<Utc>,
}

/// The objects whose deletions reach the Hub (Users are deactivated, never deleted).
pub const DELETABLE_OBJECTS: [SfObject; 4] = [
    SfObject::Account,
    SfObject::Contact,
    SfObject::Task,
    SfObject::Event,
];

impl SalesforceClient {
    /// Pulls one object: everything, or what changed after `since`. A record that cannot be
    /// read or breaks a rule is quarantined, not fatal: one bad Account must not stop the feed.
    pub async fn pull(
        &self,
        object: SfObject,
        since: Option<DateTime<Utc>>,
    ) -> Result<SfPull, SfError> {
        let soql = soql_for(object, since, &self.config.account_email_field);
        let what = format!("the {} query", object.api_name());
        let records = self.query_as(&what, &soql).await?;
        let mut pull = SfPull::default();
        for record in &records {
            let modstamp = match self.read_record(object, record, &mut pull.batch) {
                Ok(at) => at,
                Err(SfError::Record {
                    id,
                    field,
                    value,
                    reason,
                    ..
                }) => {
                    let at = modstamp_of(record);
                    pull.quarantined.push(QuarantinedRecord {
                        object,
                        id,
                        field,
                        value,
                        reason,
                        modstamp: at,
                    });
                    match at {
                        Some(at) => at,
                        None => continue,
                    }
                }
                Err(other) => return Err(other),
            };
            pull.max_modstamp = pull.max_modstamp.max(Some(modstamp));
        }
        tracing::info!(
            object = object.api_name(),
            records = pull.len(),
            quarantined = pull.quarantined.len(),
            since = ?since,
            "pulled from Salesforce"
        );
        Ok(pull)
    }

    /// Reads one REST record into `batch`; returns its `SystemModstamp`.
    fn read_record(
        &self,
        object: SfObject,
        record: &Map<String, Value>,
        batch: &mut SfBatch,
    ) -> Result<DateTime<Utc>, SfError> {
        Ok(match object {
            SfObject::User => {
                let user = parse_user(record)?;
                let at = user.system_modstamp;
                batch.users.push(user);
                at
            }
            SfObject::Account => {
                let account = parse_account(record, &self.config.account_email_field)?;
                let at = account.system_modstamp;
                batch.accounts.push(account);
                at
            }
            SfObject::Contact => {
                let contact = parse_contact(record)?;
                let at = contact.system_modstamp;
                batch.contacts.push(contact);
                at
            }
            SfObject::Task | SfObject::Event => {
                let activity = parse_activity(object, record)?;
                let at = activity.system_modstamp;
                batch.activities.push(activity);
                at
            }
        })
    }

    /// The records of `object` deleted between `start` and `end`
    /// (`GET sobjects/<Object>/deleted/?start=…&end=…`). Salesforce serves the last 30 days
    /// only: an earlier `start` is moved up, with a warning.
    pub async fn deleted(
        &self,
        object: SfObject,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<SfDeletedPage, SfError> {
        let horizon = end - chrono::Duration::from_std(DELETED_RECORDS_HORIZON).unwrap_or_default();
        if start < horizon {
            tracing::warn!(
                object = object.api_name(),
                %start,
                "deletions older than Salesforce keeps them cannot be read; records deleted before {horizon} \
                 may remain in the Hub until a full sync"
            );
        }
        let stamp = |at: DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let (start, end) = (stamp(start.max(horizon)), stamp(end));
        let what = format!("the deleted {} records", object.api_name());
        let path = format!(
            "/services/data/{}/sobjects/{}/deleted/",
            self.config.api_version,
            object.api_name()
        );
        let body = self
            .get_json(&what, &path, &[("start", &start), ("end", &end)])
            .await?;
        let unreadable = |detail: String| SfError::UnexpectedResponse {
            what: what.clone(),
            status: 200,
            detail,
        };
        let stamp_of = |value: Option<&Value>, name: &str| {
            value
                .and_then(Value::as_str)
                .and_then(parse_zoned_datetime)
                .ok_or_else(|| unreadable(format!("{name} is missing or not a date-time")))
        };
        let latest_covered = stamp_of(body.get("latestDateCovered"), "latestDateCovered")?;
        let mut records = Vec::new();
        for item in body
            .get("deletedRecords")
            .and_then(Value::as_array)
            .ok_or_else(|| unreadable("there is no deletedRecords list".into()))?
        {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| normalize_id(id).ok())
                .ok_or_else(|| unreadable(format!("a deleted record has no valid id: {item}")))?;
            records.push(SfDeletion {
                object,
                id,
                deleted_at: stamp_of(item.get("deletedDate"), "deletedDate")?,
            });
        }
        Ok(SfDeletedPage {
            records,
            latest_covered,
        })
    }

    /// Pulls every object in dependency order (User, Account, Contact, Task, Event): what
    /// changed since its watermark less
    /// [`SalesforceConfig::lookback`](super::SalesforceConfig::lookback) (everything without
    /// one), and what was deleted since the last read of its deleted records. Returns the
    /// records, the deletions, the quarantined records and the marks to store once loaded.
    pub async fn pull_changes(&self, marks: &SyncMarks) -> Result<SfChanges, SfError> {
        let started = Utc::now();
        let lookback = chrono::Duration::from_std(self.config.lookback).unwrap_or_default();
        let mut changes = SfChanges::default();
        for object in SfObject::ALL {
            let previous = marks.changed.get(&object).copied();
            let pull = self.pull(object, previous.map(|at| at - lookback)).await?;
            let next = pull.next_watermark(previous);
            changes.batch.users.extend(pull.batch.users);
            changes.batch.accounts.extend(pull.batch.accounts);
            changes.batch.contacts.extend(pull.batch.contacts);
            changes.batch.activities.extend(pull.batch.activities);
            changes.quarantined.extend(pull.quarantined);
            let Some(next) = next else {
                // Nothing seen yet: the next pull is a full one, which needs no deletions.
                continue;
            };
            changes.marks.changed.insert(object, next);
            if DELETABLE_OBJECTS.contains(&object) {
                let deleted_until = match marks.deleted.get(&object).copied().or(previous) {
                    Some(from) => {
                        let page = self.deleted(object, from - lookback, started).await?;
                        changes.deletions.extend(page.records);
                        page.latest_covered
                    }
                    // A full pull: whatever was deleted before it is simply absent.
                    None => started,
                };
                changes.marks.deleted.insert(object, deleted_until);
            }
        }
        Ok(changes)
    }
}
