//! The objects as the API sees them: the fields selected for each, the SOQL that reads them,
//! and a REST record read into its typed record.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::source::salesforce::auth::snippet;
use crate::source::salesforce::error::SfError;
use crate::source::salesforce::id::normalize_id;
use crate::source::salesforce::records::{SfAccount, SfActivity, SfContact, SfObject, SfUser};
use crate::source::salesforce::values::{
    check_aum, parse_client_status, parse_date, parse_pan, parse_risk_profile,
    parse_zoned_datetime, soql_datetime,
};

/// The fields we select for an object, in SOQL order.
pub fn fields_for(object: SfObject, account_email_field: &str) -> Vec<&str> {
    match object {
        SfObject::User => {
            vec![
                "Id",
                "Name",
                "Email",
                "Phone",
                "EmployeeNumber",
                "Department",
                "IsActive",
                "SystemModstamp",
            ]
        }
        SfObject::Account => vec![
            "Id",
            "Name",
            "PAN__c",
            "PMS_Client_Code__c",
            "Client_Type__c",
            "Risk_Profile__c",
            "BillingCity",
            "BillingState",
            "Phone",
            account_email_field,
            "OwnerId",
            "Onboarding_Date__c",
            "Status__c",
            "Closure_Date__c",
            "AUM__c",
            "SystemModstamp",
        ],
        SfObject::Contact => vec![
            "Id",
            "AccountId",
            "Name",
            "Email",
            "Phone",
            "Title",
            "SystemModstamp",
        ],
        SfObject::Task => {
            vec![
                "Id",
                "WhatId",
                "OwnerId",
                "Subject",
                "Type",
                "ActivityDate",
                "Status",
                "SystemModstamp",
            ]
        }
        SfObject::Event => vec![
            "Id",
            "WhatId",
            "OwnerId",
            "Subject",
            "Type",
            "ActivityDate",
            "SystemModstamp",
        ],
    }
}

/// The SOQL for one object: everything, or (with a watermark) what changed after it, oldest
/// change first.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use pms_ingest::source::salesforce::api::soql_for;
/// use pms_ingest::source::salesforce::records::SfObject;
/// let since = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
/// assert_eq!(
///     soql_for(SfObject::Contact, Some(since), "Email__c"),
///     "SELECT Id, AccountId, Name, Email, Phone, Title, SystemModstamp FROM Contact \
///      WHERE SystemModstamp > 2026-11-20T10:00:00Z ORDER BY SystemModstamp"
/// );
/// ```
pub fn soql_for(
    object: SfObject,
    since: Option<DateTime<Utc>>,
    account_email_field: &str,
) -> String {
    let mut soql = format!(
        "SELECT {} FROM {}",
        fields_for(object, account_email_field).join(", "),
        object.api_name()
    );
    if let Some(since) = since {
        soql.push_str(" WHERE SystemModstamp > ");
        soql.push_str(&soql_datetime(since));
    }
    soql.push_str(" ORDER BY SystemModstamp");
    soql
}

// ---------------------------------------------------------------------------------------------
// From REST JSON to typed records.

/// A REST record's `SystemModstamp`, when readable.
pub(super) fn modstamp_of(record: &Map<String, Value>) -> Option<DateTime<Utc>> {
    record
        .get("SystemModstamp")
        .and_then(Value::as_str)
        .and_then(parse_zoned_datetime)
}

struct RecordReader<'a> {
    object: SfObject,
    record: &'a Map<String, Value>,
    id: Option<String>,
}

impl<'a> RecordReader<'a> {
    fn new(object: SfObject, record: &'a Map<String, Value>) -> Self {
        let id = record.get("Id").and_then(Value::as_str).map(str::to_string);
        Self { object, record, id }
    }

    fn fail(&self, field: &str, reason: impl Into<String>) -> SfError {
        let value = match self.record.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        };
        SfError::Record {
            object: self.object.api_name().to_string(),
            id: self.id.clone(),
            field: field.to_string(),
            value,
            reason: reason.into(),
        }
    }

    /// A text field read by `parse`, one of the rules the CSV import applies too.
    fn checked<T>(
        &self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, SfError> {
        match self.text(field)? {
            None => Ok(None),
            Some(raw) => parse(&raw)
                .map(Some)
                .map_err(|reason| self.fail(field, reason)),
        }
    }

    /// A text field; `null`, absent and blank all mean "no value". Numbers are accepted as text
    /// (a phone number or an employee number may be numeric in some orgs).
    fn text(&self, field: &str) -> Result<Option<String>, SfError> {
        match self.record.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(other) => Err(self.fail(
                field,
                format!("expected text, found {}", snippet(&other.to_string())),
            )),
        }
    }

    fn required_text(&self, field: &str) -> Result<String, SfError> {
        self.text(field)?
            .ok_or_else(|| self.fail(field, "the field is empty or missing from the response"))
    }

    fn id(&self, field: &str) -> Result<Option<String>, SfError> {
        match self.text(field)? {
            None => Ok(None),
            Some(raw) => normalize_id(&raw)
                .map(Some)
                .map_err(|e| self.fail(field, format!("{raw:?}: {e}"))),
        }
    }

    fn required_id(&self, field: &str) -> Result<String, SfError> {
        self.id(field)?
            .ok_or_else(|| self.fail(field, "the field is empty or missing from the response"))
    }

    fn datetime(&self, field: &str) -> Result<DateTime<Utc>, SfError> {
        let raw = self.required_text(field)?;
        parse_zoned_datetime(&raw)
            .ok_or_else(|| self.fail(field, format!("{raw:?} is not a date-time")))
    }

    fn date(&self, field: &str) -> Result<Option<NaiveDate>, SfError> {
        match self.text(field)? {
            None => Ok(None),
            Some(raw) => parse_date(&raw)
                .map(Some)
                .ok_or_else(|| self.fail(field, format!("{raw:?} is not a date"))),
        }
    }

    fn decimal(&self, field: &str) -> Result<Option<Decimal>, SfError> {
        match self.record.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => {
                let text = n.to_string();
                text.parse::<Decimal>()
                    .or_else(|_| Decimal::from_scientific(&text))
                    .map(Some)
                    .map_err(|_| self.fail(field, format!("{text} does not fit a decimal")))
            }
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<Decimal>()
                .map(Some)
                .map_err(|_| self.fail(field, format!("{s:?} is not a number"))),
            Some(other) => Err(self.fail(
                field,
                format!("expected a number, found {}", snippet(&other.to_string())),
            )),
        }
    }

    fn boolean(&self, field: &str) -> Result<bool, SfError> {
        match self.record.get(field) {
            Some(Value::Bool(b)) => Ok(*b),
            // Not selected or not visible: treat as active rather than dropping an RM.
            None | Some(Value::Null) => Ok(true),
            Some(other) => Err(self.fail(field, format!("expected true or false, found {other}"))),
        }
    }
}

/// Reads a `User` record of a REST response.
pub fn parse_user(record: &Map<String, Value>) -> Result<SfUser, SfError> {
    let r = RecordReader::new(SfObject::User, record);
    Ok(SfUser {
        id: r.required_id("Id")?,
        name: r.required_text("Name")?,
        email: r.text("Email")?,
        phone: r.text("Phone")?,
        employee_number: r.text("EmployeeNumber")?,
        department: r.text("Department")?,
        is_active: r.boolean("IsActive")?,
        system_modstamp: r.datetime("SystemModstamp")?,
    })
}

/// Reads an `Account` record of a REST response; `email_field` is the configured email field.
pub fn parse_account(record: &Map<String, Value>, email_field: &str) -> Result<SfAccount, SfError> {
    let r = RecordReader::new(SfObject::Account, record);
    Ok(SfAccount {
        id: r.required_id("Id")?,
        name: r.required_text("Name")?,
        pan: r.checked("PAN__c", parse_pan)?,
        pms_client_code: r.text("PMS_Client_Code__c")?,
        client_type: r.text("Client_Type__c")?,
        risk_profile: r.checked("Risk_Profile__c", |raw| {
            parse_risk_profile(raw).map(str::to_string)
        })?,
        billing_city: r.text("BillingCity")?,
        billing_state: r.text("BillingState")?,
        phone: r.text("Phone")?,
        email: r.text(email_field)?,
        owner_id: r.required_id("OwnerId")?,
        onboarding_date: r.date("Onboarding_Date__c")?,
        status: r.checked("Status__c", |raw| {
            parse_client_status(raw).map(str::to_string)
        })?,
        closure_date: r.date("Closure_Date__c")?,
        aum: r
            .decimal("AUM__c")?
            .map(check_aum)
            .transpose()
            .map_err(|reason| r.fail("AUM__c", reason))?,
        system_modstamp: r.datetime("SystemModstamp")?,
    })
}

/// Reads a `Contact` record of a REST response.
pub fn parse_contact(record: &Map<String, Value>) -> Result<SfContact, SfError> {
    let r = RecordReader::new(SfObject::Contact, record);
    Ok(SfContact {
        id: r.required_id("Id")?,
        account_id: r.id("AccountId")?,
        name: r.required_text("Name")?,
        email: r.text("Email")?,
        phone: r.text("Phone")?,
        title: r.text("Title")?,
        system_modstamp: r.datetime("SystemModstamp")?,
    })
}

/// Reads a `Task` or `Event` record of a REST response.
pub fn parse_activity(kind: SfObject, record: &Map<String, Value>) -> Result<SfActivity, SfError> {
    let r = RecordReader::new(kind, record);
    Ok(SfActivity {
        id: r.required_id("Id")?,
        kind,
        what_id: r.id("WhatId")?,
        owner_id: r.id("OwnerId")?,
        subject: r.text("Subject")?,
        activity_type: r.text("Type")?,
        activity_date: r.date("ActivityDate")?,
        status: if kind == SfObject::Task {
            r.text("Status")?
        } else {
            None
        },
        system_modstamp: r.datetime("SystemModstamp")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soql() {
        let q = soql_for(SfObject::Account, None, "PersonEmail");
        assert!(q.starts_with("SELECT Id, Name, PAN__c,"));
        assert!(q.contains(", PersonEmail, OwnerId,"));
        assert!(q.ends_with("FROM Account ORDER BY SystemModstamp"));
    }
}
