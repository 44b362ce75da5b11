//! Small Salesforce records for tests of the sync: RMs, clients and contacts numbered `n`,
//! stamped on 20 November 2026.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::salesforce_standin::test_sf_id;
use crate::load::salesforce::SfLoadRequest;
use crate::load::Trigger;
use crate::source::salesforce::records::{SfAccount, SfContact, SfObject, SfUser};

/// 20 November 2026 at `hour:minute:second` UTC.
pub fn sf_time(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, hour, minute, second)
        .single()
        .unwrap_or_default()
}

/// A scheduled sync's request.
pub fn sync_request() -> SfLoadRequest {
    SfLoadRequest {
        trigger: Trigger::Schedule,
        requested_by: None,
    }
}

/// RM `n` (employee number `E00n`), in the "Wealth" department.
pub fn sf_user(n: u64) -> SfUser {
    SfUser {
        id: test_sf_id(SfObject::User, n),
        name: format!("Relationship Manager {n}"),
        email: Some(format!("rm{n}@firm.in")),
        phone: None,
        employee_number: Some(format!("E{n:03}")),
        department: Some("Wealth".into()),
        is_active: true,
        system_modstamp: sf_time(9, 0, 0),
    }
}

/// Client `n`, owned by user `owner`, with a valid PAN.
pub fn sf_account(
    n: u64,
    owner: u64,
    client_code: Option<&str>,
    modstamp: DateTime<Utc>,
) -> SfAccount {
    SfAccount {
        id: test_sf_id(SfObject::Account, n),
        name: format!("Client {n}"),
        pan: Some(format!("ABCPE{:04}F", n % 10_000)),
        pms_client_code: client_code.map(str::to_owned),
        client_type: Some("Individual".into()),
        risk_profile: Some("Moderate".into()),
        billing_city: Some("Pune".into()),
        billing_state: Some("Maharashtra".into()),
        phone: None,
        email: Some(format!("client{n}@example.in")),
        owner_id: test_sf_id(SfObject::User, owner),
        onboarding_date: NaiveDate::from_ymd_opt(2024, 4, 1),
        status: Some("Active".into()),
        closure_date: None,
        aum: None,
        system_modstamp: modstamp,
    }
}

/// Contact `n` of account `account`.
pub fn sf_contact(n: u64, account: u64, modstamp: DateTime<Utc>) -> SfContact {
    SfContact {
        id: test_sf_id(SfObject::Contact, n),
        account_id: Some(test_sf_id(SfObject::Account, account)),
        name: format!("Contact {n}"),
        email: None,
        phone: None,
        title: Some("Spouse".into()),
        system_modstamp: modstamp,
    }
}
