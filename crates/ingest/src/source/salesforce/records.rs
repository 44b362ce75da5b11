//! What Salesforce tells us, as typed records, whichever way they arrived (REST API or CSV
//! export). Field names follow the Salesforce API names they come from.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The Salesforce objects the Hub reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SfObject {
    User,
    Account,
    Contact,
    Task,
    Event,
}

impl SfObject {
    pub const ALL: [SfObject; 5] = [
        SfObject::User,
        SfObject::Account,
        SfObject::Contact,
        SfObject::Task,
        SfObject::Event,
    ];

    pub fn api_name(self) -> &'static str {
        match self {
            SfObject::User => "User",
            SfObject::Account => "Account",
            SfObject::Contact => "Contact",
            SfObject::Task => "Task",
            SfObject::Event => "Event",
        }
    }
}

/// A relationship manager (Salesforce `User`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SfUser {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub employee_number: Option<String>,
    pub department: Option<String>,
    pub is_active: bool,
    pub system_modstamp: DateTime<Utc>,
}

/// A client (Salesforce `Account`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SfAccount {
    pub id: String,
    pub name: String,
    /// `PAN__c`
    pub pan: Option<String>,
    /// `PMS_Client_Code__c`: the Wealth Spectrum client code.
    pub pms_client_code: Option<String>,
    /// `Client_Type__c`
    pub client_type: Option<String>,
    /// `Risk_Profile__c`
    pub risk_profile: Option<String>,
    pub billing_city: Option<String>,
    pub billing_state: Option<String>,
    pub phone: Option<String>,
    /// `PersonEmail` / `Email__c`
    pub email: Option<String>,
    /// The owning user: the client's RM.
    pub owner_id: String,
    /// `Onboarding_Date__c`
    pub onboarding_date: Option<NaiveDate>,
    /// `Status__c`: Active or Closed.
    pub status: Option<String>,
    /// `Closure_Date__c`
    pub closure_date: Option<NaiveDate>,
    /// `AUM__c`
    pub aum: Option<Decimal>,
    pub system_modstamp: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SfContact {
    pub id: String,
    pub account_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub system_modstamp: DateTime<Utc>,
}

/// A Task or an Event on an account: the log of calls, meetings and reviews.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SfActivity {
    pub id: String,
    pub kind: SfObject,
    /// `WhatId`: the account it concerns.
    pub what_id: Option<String>,
    pub owner_id: Option<String>,
    pub subject: Option<String>,
    /// `Type` (Call, Meeting, Email, Review …)
    pub activity_type: Option<String>,
    pub activity_date: Option<NaiveDate>,
    /// Tasks only.
    pub status: Option<String>,
    pub system_modstamp: DateTime<Utc>,
}

/// Everything one pull or one export delivered.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SfBatch {
    pub users: Vec<SfUser>,
    pub accounts: Vec<SfAccount>,
    pub contacts: Vec<SfContact>,
    pub activities: Vec<SfActivity>,
}

impl SfBatch {
    /// Whether the batch holds no record at all.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
            && self.accounts.is_empty()
            && self.contacts.is_empty()
            && self.activities.is_empty()
    }
}
