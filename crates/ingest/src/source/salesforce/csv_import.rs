//! Salesforce CSV exports: Data Loader exports (API names as headers, `2026-11-20T10:00:00.000Z`
//! date-times, 18-character Ids) and report exports (field labels as headers, dates as the
//! exporting user's locale writes them — `dd/mm/yyyy` for English (India) —, date-times in the
//! user's time zone, 15-character Ids, a footer of copyright lines).
//!
//! Which object a file holds is told by its columns (or given by the caller); each column is
//! matched by API name or label through a small alias table, case-insensitively. The whole file
//! is checked before anything is returned and every problem is reported, each as a [`RowError`]
//! with the line (header = line 1), the column as headed in the file, the value and what to do:
//! a file is loaded whole or not at all.
//!
//! Ids are returned in their 18-character form, whichever form the file had, so that a record
//! keeps one key whether it arrived by report, by Data Loader or by the API.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::api::DEFAULT_ACCOUNT_EMAIL_FIELD;
use super::id::{key_prefix, normalize_id};
use super::records::{SfAccount, SfActivity, SfBatch, SfContact, SfObject, SfUser};
use super::values::{
    check_aum, parse_amount, parse_bool, parse_client_status, parse_date, parse_pan,
    parse_report_datetime, parse_risk_profile,
};
use crate::error::RowError;

/// How to read an export.
#[derive(Clone, Debug)]
pub struct CsvImportOptions {
    /// The object the file holds; `None` = tell from the columns.
    pub object: Option<SfObject>,
    /// The time zone of date-times written without one (report exports use the exporting
    /// user's zone). India Standard Time unless set.
    pub report_utc_offset: FixedOffset,
    /// The org's Account email field API name (also accepted: `Email__c`, `PersonEmail`, label
    /// `Email`).
    pub account_email_field: String,
}

impl Default for CsvImportOptions {
    fn default() -> Self {
        Self {
            object: None,
            report_utc_offset: pms_domain::time::IST,
            account_email_field: DEFAULT_ACCOUNT_EMAIL_FIELD.to_string(),
        }
    }
}

/// Reads an export with the default options; `object` = `None` tells the object from the columns.
pub fn import_csv(data: &[u8], object: Option<SfObject>) -> Result<SfBatch, Vec<RowError>> {
    import_csv_with(
        data,
        &CsvImportOptions {
            object,
            ..CsvImportOptions::default()
        },
    )
}

/// Reads an export file.
pub fn import_csv_file(path: &Path, options: &CsvImportOptions) -> Result<SfBatch, Vec<RowError>> {
    import_csv_file_with_lines(path, options).map(|(batch, _)| batch)
}

/// Where each record of an export is: its Id (18 characters) → the line it starts on. Problems
/// found later, against the store, are reported at these lines.
pub type RecordLines = HashMap<String, u64>;

/// Reads an export file, with the line of every record.
pub fn import_csv_file_with_lines(
    path: &Path,
    options: &CsvImportOptions,
) -> Result<(SfBatch, RecordLines), Vec<RowError>> {
    let data = std::fs::read(path).map_err(|e| {
        vec![RowError::file(format!(
            "the file {} cannot be read: {e}",
            path.display()
        ))]
    })?;
    import_csv_with_lines(&data, options)
}

/// The logical fields we read, across objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum F {
    Id,
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    EmployeeNumber,
    Department,
    IsActive,
    SystemModstamp,
    Pan,
    ClientCode,
    ClientType,
    RiskProfile,
    BillingCity,
    BillingState,
    OwnerId,
    OnboardingDate,
    Status,
    ClosureDate,
    Aum,
    AccountId,
    Title,
    WhatId,
    Subject,
    Type,
    ActivityDate,
}

/// One field of one object: its API name and the report labels it may carry.
struct Spec {
    field: F,
    api: &'static str,
    labels: &'static [&'static str],
}

const fn s(field: F, api: &'static str, labels: &'static [&'static str]) -> Spec {
    Spec { field, api, labels }
}

const USER: &[Spec] = &[
    s(F::Id, "Id", &["User ID"]),
    s(F::Name, "Name", &["Full Name"]),
    s(F::FirstName, "FirstName", &["First Name"]),
    s(F::LastName, "LastName", &["Last Name"]),
    s(F::Email, "Email", &[]),
    s(F::Phone, "Phone", &[]),
    s(F::EmployeeNumber, "EmployeeNumber", &["Employee Number"]),
    s(F::Department, "Department", &[]),
    s(F::IsActive, "IsActive", &["Active", "Is Active"]),
    s(F::SystemModstamp, "SystemModstamp", &["System Modstamp"]),
];

const ACCOUNT: &[Spec] = &[
    s(F::Id, "Id", &["Account ID"]),
    s(F::Name, "Name", &["Account Name"]),
    s(F::Pan, "PAN__c", &["PAN"]),
    s(F::ClientCode, "PMS_Client_Code__c", &["PMS Client Code"]),
    s(F::ClientType, "Client_Type__c", &["Client Type"]),
    s(F::RiskProfile, "Risk_Profile__c", &["Risk Profile"]),
    s(F::BillingCity, "BillingCity", &["Billing City"]),
    s(
        F::BillingState,
        "BillingState",
        &["Billing State", "Billing State/Province"],
    ),
    s(F::Phone, "Phone", &["Account Phone"]),
    // The configured email field is matched too (see `match_columns`).
    s(
        F::Email,
        "Email__c",
        &["PersonEmail", "Email", "Person Account: Email"],
    ),
    s(F::OwnerId, "OwnerId", &["Account Owner ID", "Owner ID"]),
    s(
        F::OnboardingDate,
        "Onboarding_Date__c",
        &["Onboarding Date"],
    ),
    s(F::Status, "Status__c", &["Status"]),
    s(F::ClosureDate, "Closure_Date__c", &["Closure Date"]),
    s(F::Aum, "AUM__c", &["AUM"]),
    s(F::SystemModstamp, "SystemModstamp", &["System Modstamp"]),
];

const CONTACT: &[Spec] = &[
    s(F::Id, "Id", &["Contact ID"]),
    s(F::AccountId, "AccountId", &["Account ID"]),
    s(F::Name, "Name", &["Full Name", "Contact Name"]),
    s(F::FirstName, "FirstName", &["First Name"]),
    s(F::LastName, "LastName", &["Last Name"]),
    s(F::Email, "Email", &[]),
    s(F::Phone, "Phone", &[]),
    s(F::Title, "Title", &[]),
    s(F::SystemModstamp, "SystemModstamp", &["System Modstamp"]),
];

const TASK: &[Spec] = &[
    s(F::Id, "Id", &["Activity ID", "Task ID"]),
    s(F::WhatId, "WhatId", &["Related To ID"]),
    s(F::OwnerId, "OwnerId", &["Assigned To ID", "Assigned ID"]),
    s(F::Subject, "Subject", &[]),
    s(F::Type, "Type", &["Task Type"]),
    s(F::ActivityDate, "ActivityDate", &["Due Date", "Date"]),
    s(F::Status, "Status", &[]),
    s(F::SystemModstamp, "SystemModstamp", &["System Modstamp"]),
];

const EVENT: &[Spec] = &[
    s(F::Id, "Id", &["Activity ID", "Event ID"]),
    s(F::WhatId, "WhatId", &["Related To ID"]),
    s(F::OwnerId, "OwnerId", &["Assigned To ID", "Assigned ID"]),
    s(F::Subject, "Subject", &[]),
    s(F::Type, "Type", &["Event Type"]),
    s(F::ActivityDate, "ActivityDate", &["Date", "Due Date"]),
    s(F::SystemModstamp, "SystemModstamp", &["System Modstamp"]),
];

fn specs(object: SfObject) -> &'static [Spec] {
    match object {
        SfObject::User => USER,
        SfObject::Account => ACCOUNT,
        SfObject::Contact => CONTACT,
        SfObject::Task => TASK,
        SfObject::Event => EVENT,
    }
}

/// Fields without which a record cannot be loaded. `Name` of User and Contact may instead come
/// from First Name / Last Name.
fn required(object: SfObject) -> &'static [F] {
    match object {
        SfObject::User | SfObject::Contact => &[F::Id, F::Name, F::SystemModstamp],
        SfObject::Account => &[F::Id, F::Name, F::OwnerId, F::SystemModstamp],
        SfObject::Task | SfObject::Event => &[F::Id, F::SystemModstamp],
    }
}

fn spec(object: SfObject, field: F) -> Option<&'static Spec> {
    specs(object).iter().find(|s| s.field == field)
}

/// Header text reduced for matching: lower case, single spaces, no byte-order mark.
fn norm(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Which column holds which field of `object`, and the columns that name a field twice.
struct ColumnMap {
    object: SfObject,
    columns: HashMap<F, usize>,
    duplicates: Vec<(usize, usize)>,
}

impl ColumnMap {
    fn new(object: SfObject, headers: &[String], account_email_field: &str) -> Self {
        let mut columns = HashMap::new();
        let mut duplicates = Vec::new();
        let email_field = norm(account_email_field);
        for (index, header) in headers.iter().enumerate() {
            let h = norm(header);
            if h.is_empty() {
                continue;
            }
            let matched = specs(object).iter().find(|spec| {
                norm(spec.api) == h
                    || spec.labels.iter().any(|l| norm(l) == h)
                    || (object == SfObject::Account && spec.field == F::Email && email_field == h)
            });
            if let Some(spec) = matched {
                match columns.get(&spec.field) {
                    Some(&first) => duplicates.push((first, index)),
                    None => {
                        columns.insert(spec.field, index);
                    }
                }
            }
        }
        Self {
            object,
            columns,
            duplicates,
        }
    }

    fn has(&self, field: F) -> bool {
        self.columns.contains_key(&field)
    }

    fn missing_required(&self) -> Vec<F> {
        required(self.object)
            .iter()
            .copied()
            .filter(|&f| {
                !self.has(f)
                    && !(f == F::Name
                        && matches!(self.object, SfObject::User | SfObject::Contact)
                        && (self.has(F::FirstName) || self.has(F::LastName)))
            })
            .collect()
    }
}

/// Tells the object from the headers alone; `None` when nothing fits or two objects fit equally
/// (a Task export and an Event export differ only by Task's Status column).
pub fn detect_object_from_headers(headers: &[&str]) -> Option<SfObject> {
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    match rank_objects(&headers, DEFAULT_ACCOUNT_EMAIL_FIELD).as_slice() {
        [(best, score), rest @ ..] if *score > 0 && rest.first().is_none_or(|(_, s)| s < score) => {
            Some(*best)
        }
        _ => None,
    }
}

/// Objects whose required columns are all present, best match first, with their number of
/// matched columns.
fn rank_objects(headers: &[String], account_email_field: &str) -> Vec<(SfObject, usize)> {
    let mut ranked: Vec<(SfObject, usize)> = SfObject::ALL
        .iter()
        .map(|&o| (o, ColumnMap::new(o, headers, account_email_field)))
        .filter(|(_, map)| map.missing_required().is_empty())
        .map(|(o, map)| (o, map.columns.len()))
        .collect();
    ranked.sort_by_key(|&(_, score)| std::cmp::Reverse(score));
    ranked
}

/// Objects an export plainly meant but whose header lacks a required column (renamed or
/// dropped): at least 3 of its columns and at least half of its required ones are there.
/// Choosing it lets the missing columns be named, instead of "cannot tell the object".
fn nearly_complete_objects(
    headers: &[String],
    account_email_field: &str,
) -> Vec<(SfObject, usize)> {
    let mut ranked: Vec<(SfObject, usize)> = SfObject::ALL
        .iter()
        .map(|&o| (o, ColumnMap::new(o, headers, account_email_field)))
        .filter(|(o, map)| {
            let missing = map.missing_required().len();
            map.columns.len() >= 3 && 2 * missing <= required(*o).len()
        })
        .map(|(o, map)| (o, map.columns.len()))
        .collect();
    ranked.sort_by_key(|&(_, score)| std::cmp::Reverse(score));
    ranked
}

/// One data record as read: where it starts and its cells (`None` = not valid UTF-8).
struct RawRow {
    line: u64,
    cells: Vec<Option<String>>,
    bytes: Vec<Vec<u8>>,
}

/// Reads an export. Returns every record, or every problem found.
pub fn import_csv_with(data: &[u8], options: &CsvImportOptions) -> Result<SfBatch, Vec<RowError>> {
    import_csv_with_lines(data, options).map(|(batch, _)| batch)
}

/// [`import_csv_with`], with the line of every record.
pub fn import_csv_with_lines(
    data: &[u8],
    options: &CsvImportOptions,
) -> Result<(SfBatch, RecordLines), Vec<RowError>> {
    let data = data
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(data);
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![RowError::file(
            "the file is empty; expected a header row and one row per record",
        )]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(data);
    let headers: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|c| String::from_utf8_lossy(c).trim().to_string())
            .collect(),
        Err(e) => {
            return Err(vec![RowError::file(format!(
                "the header row cannot be read as CSV: {e}"
            ))])
        }
    };
    let mut errors = Vec::new();
    let rows = read_rows(data, &mut reader, headers.len(), &mut errors);

    let object = match options.object {
        Some(object) => object,
        None => match choose_object(&headers, &rows, &options.account_email_field) {
            Ok(object) => object,
            Err(e) => return Err(vec![e]),
        },
    };
    let map = ColumnMap::new(object, &headers, &options.account_email_field);
    for &(first, again) in &map.duplicates {
        errors.push(RowError::at(
            1,
            headers[again].clone(),
            headers[again].clone(),
            format!(
                "this column holds the same field as column {:?}; keep only one of them",
                headers[first]
            ),
        ));
    }
    let missing = map.missing_required();
    if !missing.is_empty() {
        for field in missing {
            errors.push(RowError {
                line: Some(1),
                column: spec(object, field).map(|s| s.api.to_string()),
                value: None,
                reason: missing_column_reason(object, field),
            });
        }
        return Err(errors);
    }

    let mut batch = SfBatch::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for raw in &rows {
        if raw.cells.len() != headers.len() {
            // Name the first column the row and the header disagree on.
            let (column, value) = match headers.get(raw.cells.len()) {
                Some(missing) => (missing.clone(), String::new()),
                None => (
                    format!("column {}", headers.len() + 1),
                    raw.bytes
                        .get(headers.len())
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default(),
                ),
            };
            errors.push(RowError::at(
                raw.line,
                column,
                value,
                format!(
                    "this row has {} values but the header has {} columns; a value containing a comma or a \
                     line break must be in double quotes (or the file is cut short)",
                    raw.cells.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let mut row = Row {
            raw,
            headers: &headers,
            map: &map,
            errors: &mut errors,
            ok: true,
            options,
        };
        let id = row.id(F::Id, true);
        if let Some(id) = &id {
            let prefix = key_prefix(object);
            if !id.starts_with(prefix) {
                row.fail(
                    F::Id,
                    format!(
                        "this is not the Id of a {obj} record ({obj} Ids start with {prefix}); check that the file \
                         holds {obj} records",
                        obj = object.api_name()
                    ),
                );
            }
            match seen.get(id) {
                Some(&first) => row.fail(
                    F::Id,
                    format!("the same record is also on line {first}; each record may appear only once: remove one of the rows"),
                ),
                None => {
                    seen.insert(id.clone(), raw.line);
                }
            }
        }
        match object {
            SfObject::User => {
                let record = read_user(&mut row, id);
                if let (true, Some(r)) = (row.ok, record) {
                    batch.users.push(r);
                }
            }
            SfObject::Account => {
                let record = read_account(&mut row, id);
                if let (true, Some(r)) = (row.ok, record) {
                    batch.accounts.push(r);
                }
            }
            SfObject::Contact => {
                let record = read_contact(&mut row, id);
                if let (true, Some(r)) = (row.ok, record) {
                    batch.contacts.push(r);
                }
            }
            SfObject::Task | SfObject::Event => {
                let record = read_activity(&mut row, object, id);
                if let (true, Some(r)) = (row.ok, record) {
                    batch.activities.push(r);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok((batch, seen))
    } else {
        Err(errors)
    }
}

/// Reads the data records, skipping blank rows and a report's footer (the copyright and
/// "Generated by" lines after a blank line).
fn read_rows(
    data: &[u8],
    reader: &mut csv::Reader<&[u8]>,
    width: usize,
    errors: &mut Vec<RowError>,
) -> Vec<RawRow> {
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut previous_blank = false;
    let mut in_footer = false;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                errors.push(RowError::row(
                    line,
                    format!(
                        "this row cannot be read as CSV ({e}); the rest of the file was not read"
                    ),
                ));
                break;
            }
        }
        let (line, skipped_blank_lines) = match record.position() {
            Some(pos) => start_line(data, pos),
            None => (0, false),
        };
        let after_blank = skipped_blank_lines || previous_blank;
        let filled = record.iter().filter(|c| !c.trim_ascii().is_empty()).count();
        previous_blank = filled == 0;
        if filled == 0 {
            continue;
        }
        if width > 1 && filled == 1 && record.len() < width && (after_blank || in_footer) {
            in_footer = true;
            continue;
        }
        in_footer = false;
        let cells = record
            .iter()
            .map(|c| std::str::from_utf8(c).ok().map(|s| s.trim().to_string()))
            .collect();
        let bytes = record.iter().map(<[u8]>::to_vec).collect();
        rows.push(RawRow { line, cells, bytes });
    }
    rows
}

/// The line a record really starts on. The CSV reader places a record after the end of the
/// previous one, so blank lines it skipped in between are counted here; the flag says whether
/// there were any.
fn start_line(data: &[u8], pos: &csv::Position) -> (u64, bool) {
    let mut at = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
    let mut line = pos.line();
    let mut skipped = false;
    loop {
        match data.get(at..) {
            Some([b'\r', b'\n', ..]) => at += 2,
            Some([b'\n' | b'\r', ..]) => at += 1,
            _ => return (line, skipped),
        }
        line += 1;
        skipped = true;
    }
}

fn choose_object(
    headers: &[String],
    rows: &[RawRow],
    account_email_field: &str,
) -> Result<SfObject, RowError> {
    let mut ranked = rank_objects(headers, account_email_field);
    if ranked.is_empty() {
        ranked = nearly_complete_objects(headers, account_email_field);
    }
    let Some(&(_, best)) = ranked.first() else {
        return Err(RowError::file(format!(
            "cannot tell which Salesforce object this file holds from its columns ({}); a User, Account, Contact, \
             Task or Event export needs at least its Id and System Modstamp columns (Account also Name and Owner \
             ID, User and Contact also Name) — or say which object the file holds",
            headers.join(", ")
        )));
    };
    let tied: Vec<SfObject> = ranked
        .iter()
        .filter(|(_, score)| *score == best)
        .map(|(o, _)| *o)
        .collect();
    if let [only] = tied.as_slice() {
        return Ok(*only);
    }
    // Same columns (Task and Event): the Ids' key prefixes tell.
    let by_prefix: Vec<SfObject> = tied
        .iter()
        .copied()
        .filter(|&object| {
            let map = ColumnMap::new(object, headers, account_email_field);
            map.columns.get(&F::Id).is_some_and(|&col| {
                rows.iter()
                    .filter_map(|r| r.cells.get(col).cloned().flatten())
                    .find(|v| !v.is_empty())
                    .is_some_and(|v| v.starts_with(key_prefix(object)))
            })
        })
        .collect();
    match by_prefix.as_slice() {
        [only] => Ok(*only),
        // A header without rows: nothing to tell apart, and nothing to load either way.
        _ if rows.is_empty() => Ok(tied[0]),
        _ => Err(RowError::file(format!(
            "the columns fit {} equally; say which object the file holds",
            tied.iter()
                .map(|o| o.api_name())
                .collect::<Vec<_>>()
                .join(" and ")
        ))),
    }
}

fn missing_column_reason(object: SfObject, field: F) -> String {
    let Some(spec) = spec(object, field) else {
        return format!(
            "a required column is missing for {} records",
            object.api_name()
        );
    };
    let labels = if spec.labels.is_empty() {
        String::new()
    } else {
        format!(
            " (report label {})",
            spec.labels
                .iter()
                .map(|l| format!("{l:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    };
    let alternative = if field == F::Name && matches!(object, SfObject::User | SfObject::Contact) {
        ", or First Name and Last Name"
    } else {
        ""
    };
    format!(
        "the column {}{labels}{alternative} is missing; {} records cannot be loaded without it: add it to the export",
        spec.api,
        object.api_name()
    )
}

/// One row being read: records the row's problems and whether it is usable.
struct Row<'a> {
    raw: &'a RawRow,
    headers: &'a [String],
    map: &'a ColumnMap,
    errors: &'a mut Vec<RowError>,
    ok: bool,
    options: &'a CsvImportOptions,
}

impl Row<'_> {
    fn column(&self, field: F) -> Option<usize> {
        self.map.columns.get(&field).copied()
    }

    fn header(&self, field: F) -> String {
        match self.column(field).and_then(|c| self.headers.get(c)) {
            Some(h) => h.clone(),
            None => spec(self.map.object, field).map_or_else(String::new, |s| s.api.to_string()),
        }
    }

    fn value(&self, field: F) -> String {
        self.column(field)
            .and_then(|c| self.raw.cells.get(c).cloned().flatten())
            .unwrap_or_default()
    }

    fn fail(&mut self, field: F, reason: impl Into<String>) {
        self.ok = false;
        let value = self.value(field);
        self.errors.push(RowError::at(
            self.raw.line,
            self.header(field),
            value,
            reason,
        ));
    }

    /// The trimmed cell; `None` when the column is absent, the cell empty or not UTF-8 (the
    /// last reported here).
    fn text(&mut self, field: F) -> Option<String> {
        let col = self.column(field)?;
        match self.raw.cells.get(col) {
            Some(Some(v)) if v.is_empty() => None,
            Some(Some(v)) => Some(v.clone()),
            Some(None) => {
                self.ok = false;
                let lossy = self
                    .raw
                    .bytes
                    .get(col)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                self.errors.push(RowError::at(
                    self.raw.line,
                    self.header(field),
                    lossy,
                    "this value is not valid UTF-8 text; export the file again with UTF-8 encoding \
                     (Data Loader: Settings → \"Read all CSVs with UTF-8 encoding\"; reports: Export → Encoding UTF-8)",
                ));
                None
            }
            None => None,
        }
    }

    fn is_undecodable(&self, field: F) -> bool {
        self.column(field)
            .is_some_and(|c| matches!(self.raw.cells.get(c), Some(None)))
    }

    fn required_text(&mut self, field: F) -> Option<String> {
        let value = self.text(field);
        if value.is_none() && !self.is_undecodable(field) {
            let object = self.map.object.api_name();
            let reason = match field {
                F::Id => format!("every {object} record needs its Salesforce Id; export again with the Id filled in"),
                F::SystemModstamp => {
                    format!("every {object} record needs its System Modstamp; export again with it filled in")
                }
                _ => {
                    let name = spec(self.map.object, field).map_or("this field", |s| s.api);
                    format!("{name} is required for {object} records; fill it in Salesforce and export again")
                }
            };
            self.fail(field, reason);
        }
        value
    }

    fn id(&mut self, field: F, required: bool) -> Option<String> {
        let raw = if required {
            self.required_text(field)?
        } else {
            self.text(field)?
        };
        match normalize_id(&raw) {
            Ok(id) => Some(id),
            Err(e) => {
                self.fail(field, e.to_string());
                None
            }
        }
    }

    fn date(&mut self, field: F) -> Option<NaiveDate> {
        let raw = self.text(field)?;
        let date = parse_date(&raw);
        if date.is_none() {
            self.fail(
                field,
                "not a date; write it as yyyy-mm-dd (2026-11-20) or dd/mm/yyyy (20/11/2026). A US-style mm/dd/yyyy \
                 report needs the exporting user's locale set to English (India)",
            );
        }
        date
    }

    /// The cell read by `parse` (the same rules as the REST reader's); its reason is the
    /// row's problem when it fails.
    fn checked<T>(&mut self, field: F, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let raw = self.text(field)?;
        match parse(&raw) {
            Ok(value) => Some(value),
            Err(reason) => {
                self.fail(field, reason);
                None
            }
        }
    }

    fn modstamp(&mut self) -> Option<DateTime<Utc>> {
        let raw = self.required_text(F::SystemModstamp)?;
        let at = parse_report_datetime(&raw, self.options.report_utc_offset);
        if at.is_none() {
            self.fail(
                F::SystemModstamp,
                "not a date-time; Data Loader writes 2026-11-20T10:00:00.000Z and reports dd/mm/yyyy hh:mm \
                 (e.g. 20/11/2026 15:30); export the field without reformatting it",
            );
        }
        at
    }

    /// Name, or First Name + Last Name for User and Contact.
    fn name(&mut self) -> Option<String> {
        if self.map.has(F::Name) {
            return self.required_text(F::Name);
        }
        let first = self.text(F::FirstName);
        let last = self.text(F::LastName);
        let name = [first, last]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            let field = if self.map.has(F::LastName) {
                F::LastName
            } else {
                F::FirstName
            };
            if !self.is_undecodable(F::FirstName) && !self.is_undecodable(F::LastName) {
                self.fail(field, "a name is required; fill in First Name or Last Name in Salesforce and export again");
            }
            None
        } else {
            Some(name)
        }
    }
}

fn read_user(row: &mut Row<'_>, id: Option<String>) -> Option<SfUser> {
    let name = row.name();
    let is_active = match row.text(F::IsActive) {
        None => true,
        Some(raw) => parse_bool(&raw).unwrap_or_else(|| {
            row.fail(F::IsActive, "write true or false");
            true
        }),
    };
    let email = row.text(F::Email);
    let phone = row.text(F::Phone);
    let employee_number = row.text(F::EmployeeNumber);
    let department = row.text(F::Department);
    let system_modstamp = row.modstamp();
    Some(SfUser {
        id: id?,
        name: name?,
        email,
        phone,
        employee_number,
        department,
        is_active,
        system_modstamp: system_modstamp?,
    })
}

fn read_account(row: &mut Row<'_>, id: Option<String>) -> Option<SfAccount> {
    let name = row.required_text(F::Name);
    let pan = row.checked(F::Pan, parse_pan);
    let risk_profile = row.checked(F::RiskProfile, |raw| {
        parse_risk_profile(raw).map(str::to_string)
    });
    let owner_id = row.id(F::OwnerId, true);
    let onboarding_date = row.date(F::OnboardingDate);
    let closure_date = row.date(F::ClosureDate);
    let aum: Option<Decimal> = row.checked(F::Aum, |raw| parse_amount(raw).and_then(check_aum));
    let system_modstamp = row.modstamp();
    let pms_client_code = row.text(F::ClientCode);
    let client_type = row.text(F::ClientType);
    let billing_city = row.text(F::BillingCity);
    let billing_state = row.text(F::BillingState);
    let phone = row.text(F::Phone);
    let email = row.text(F::Email);
    let status = row.checked(F::Status, |raw| {
        parse_client_status(raw).map(str::to_string)
    });
    Some(SfAccount {
        id: id?,
        name: name?,
        pan,
        pms_client_code,
        client_type,
        risk_profile,
        billing_city,
        billing_state,
        phone,
        email,
        owner_id: owner_id?,
        onboarding_date,
        status,
        closure_date,
        aum,
        system_modstamp: system_modstamp?,
    })
}

fn read_contact(row: &mut Row<'_>, id: Option<String>) -> Option<SfContact> {
    let account_id = row.id(F::AccountId, false);
    let name = row.name();
    let system_modstamp = row.modstamp();
    let email = row.text(F::Email);
    let phone = row.text(F::Phone);
    let title = row.text(F::Title);
    Some(SfContact {
        id: id?,
        account_id,
        name: name?,
        email,
        phone,
        title,
        system_modstamp: system_modstamp?,
    })
}

fn read_activity(row: &mut Row<'_>, kind: SfObject, id: Option<String>) -> Option<SfActivity> {
    let what_id = row.id(F::WhatId, false);
    let owner_id = row.id(F::OwnerId, false);
    let activity_date = row.date(F::ActivityDate);
    let system_modstamp = row.modstamp();
    let subject = row.text(F::Subject);
    let activity_type = row.text(F::Type);
    let status = if kind == SfObject::Task {
        row.text(F::Status)
    } else {
        None
    };
    Some(SfActivity {
        id: id?,
        kind,
        what_id,
        owner_id,
        subject,
        activity_type,
        activity_date,
        status,
        system_modstamp: system_modstamp?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_objects_from_headers() {
        assert_eq!(
            detect_object_from_headers(&["Id", "Name", "PAN__c", "OwnerId", "SystemModstamp"]),
            Some(SfObject::Account)
        );
        assert_eq!(
            detect_object_from_headers(&[
                "Account ID",
                "Account Name",
                "Account Owner ID",
                "System Modstamp"
            ]),
            Some(SfObject::Account)
        );
        assert_eq!(
            detect_object_from_headers(&[
                "ID",
                "NAME",
                "EMAIL",
                "EMPLOYEENUMBER",
                "ISACTIVE",
                "SYSTEMMODSTAMP"
            ]),
            Some(SfObject::User)
        );
        assert_eq!(
            detect_object_from_headers(&[
                "Contact ID",
                "Account ID",
                "Full Name",
                "Title",
                "System Modstamp"
            ]),
            Some(SfObject::Contact)
        );
        assert_eq!(
            detect_object_from_headers(&[
                "Id",
                "WhatId",
                "OwnerId",
                "Subject",
                "Status",
                "SystemModstamp"
            ]),
            Some(SfObject::Task)
        );
        // Event's columns are Task's minus Status: headers alone cannot tell.
        assert_eq!(
            detect_object_from_headers(&["Id", "WhatId", "Subject", "SystemModstamp"]),
            None
        );
        assert_eq!(detect_object_from_headers(&["ISIN", "QUANTITY"]), None);
    }

    #[test]
    fn blank_lines_and_footers_are_skipped() {
        let csv = "\"Contact ID\",\"Full Name\",\"System Modstamp\"\n\
                   \"003D000000AbCdE\",\"Asha Rao\",\"20/11/2026 15:30\"\n\
                   \n\
                   \"003D000000AbCdF\",\"Ravi Iyer\",\"20/11/2026 15:31\"\n\
                   \n\
                   \"Confidential Information - Do Not Distribute\"\n\
                   \"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n";
        let batch = import_csv(csv.as_bytes(), None).unwrap();
        assert_eq!(batch.contacts.len(), 2);
        assert_eq!(batch.contacts[0].id, "003D000000AbCdEIAV");
    }
}
