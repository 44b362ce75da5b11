//! Salesforce CSV exports: Data Loader and report layouts, object detection, and every class of
//! bad input with the exact row errors a data steward sees.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pms_ingest::source::salesforce::csv_import::{import_csv, import_csv_with, CsvImportOptions};
use pms_ingest::source::salesforce::records::{
    SfAccount, SfActivity, SfBatch, SfContact, SfObject, SfUser,
};
use pms_ingest::RowError;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

const DATA_LOADER_ACCOUNTS: &str = "\
\"Id\",\"Name\",\"PAN__c\",\"PMS_Client_Code__c\",\"Client_Type__c\",\"Risk_Profile__c\",\"BillingCity\",\"BillingState\",\"Phone\",\"Email__c\",\"OwnerId\",\"Onboarding_Date__c\",\"Status__c\",\"Closure_Date__c\",\"AUM__c\",\"SystemModstamp\",\"CreatedDate\"
\"001D000000IRFmaIAH\",\"Mehta Family Trust\",\"AAATM1234K\",\"C00001\",\"Trust\",\"Moderately Aggressive\",\"Pune\",\"Maharashtra\",\"020 5555 1234\",\"office@mehta.in\",\"005D0000001QX8WIAW\",\"2024-04-01\",\"Active\",\"\",\"12345678.50\",\"2026-11-20T10:00:00.000Z\",\"2024-04-01T05:00:00.000Z\"
\"001D000000IomazIAB\",\"Rao, Anita\",\"abcpr4321q\",\"C00002\",\"Individual\",\"conservative\",\"Chennai\",\"Tamil Nadu\",\"\",\"\",\"005D0000001QX8WIAW\",\"2023-01-15\",\"Closed\",\"2026-10-31\",\"0\",\"2026-11-20T10:05:30.000Z\",\"2023-01-15T05:00:00.000Z\"
";

fn mehta(id: &str, owner: &str, aum: rust_decimal::Decimal) -> SfAccount {
    SfAccount {
        id: id.into(),
        name: "Mehta Family Trust".into(),
        pan: Some("AAATM1234K".into()),
        pms_client_code: Some("C00001".into()),
        client_type: Some("Trust".into()),
        risk_profile: Some("Moderately Aggressive".into()),
        billing_city: Some("Pune".into()),
        billing_state: Some("Maharashtra".into()),
        phone: Some("020 5555 1234".into()),
        email: Some("office@mehta.in".into()),
        owner_id: owner.into(),
        onboarding_date: date(2024, 4, 1),
        status: Some("Active".into()),
        closure_date: None,
        aum: Some(aum),
        system_modstamp: utc(2026, 11, 20, 10, 0, 0),
    }
}

#[test]
fn data_loader_account_export() {
    let batch = import_csv(DATA_LOADER_ACCOUNTS.as_bytes(), None).unwrap();
    let expected = vec![
        mehta(
            "001D000000IRFmaIAH",
            "005D0000001QX8WIAW",
            dec!(12345678.50),
        ),
        SfAccount {
            id: "001D000000IomazIAB".into(),
            name: "Rao, Anita".into(),
            pan: Some("ABCPR4321Q".into()),
            pms_client_code: Some("C00002".into()),
            client_type: Some("Individual".into()),
            risk_profile: Some("Conservative".into()),
            billing_city: Some("Chennai".into()),
            billing_state: Some("Tamil Nadu".into()),
            phone: None,
            email: None,
            owner_id: "005D0000001QX8WIAW".into(),
            onboarding_date: date(2023, 1, 15),
            status: Some("Closed".into()),
            closure_date: date(2026, 10, 31),
            aum: Some(dec!(0)),
            system_modstamp: utc(2026, 11, 20, 10, 5, 30),
        },
    ];
    assert_eq!(
        batch,
        SfBatch {
            accounts: expected,
            ..SfBatch::default()
        }
    );
}

#[test]
fn report_account_export() {
    // Labels as headers, 15-character Ids, dd/mm/yyyy dates, IST date-times, Indian digit
    // grouping, a UTF-8 byte-order mark and the report footer.
    let report = "\u{feff}\"Account ID\",\"Account Name\",\"PAN\",\"PMS Client Code\",\"Client Type\",\"Risk Profile\",\"Billing City\",\"Billing State\",\"Phone\",\"Email\",\"Account Owner ID\",\"Onboarding Date\",\"Status\",\"Closure Date\",\"AUM\",\"System Modstamp\"
\"001D000000IRFma\",\"Mehta Family Trust\",\"AAATM1234K\",\"C00001\",\"Trust\",\"Moderately Aggressive\",\"Pune\",\"Maharashtra\",\"020 5555 1234\",\"office@mehta.in\",\"005D0000001QX8W\",\"01/04/2024\",\"Active\",\"\",\"1,23,45,678.50\",\"20/11/2026 15:30\"
\"001D000000IomazIAB\",\"Mehta Family Trust\",\"AAATM1234K\",\"C00001\",\"Trust\",\"Moderately Aggressive\",\"Pune\",\"Maharashtra\",\"020 5555 1234\",\"office@mehta.in\",\"005D0000001QX8W\",\"01-Apr-2024\",\"Active\",\"\",\"INR 12,34,567.50\",\"20/11/2026, 3:30 PM\"

\"Confidential Information - Do Not Distribute\"
\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"
";
    let batch = import_csv(report.as_bytes(), None).unwrap();
    let expected = vec![
        mehta(
            "001D000000IRFmaIAH",
            "005D0000001QX8WIAW",
            dec!(12345678.50),
        ),
        mehta("001D000000IomazIAB", "005D0000001QX8WIAW", dec!(1234567.50)),
    ];
    assert_eq!(batch.accounts, expected);
}

#[test]
fn report_time_zone_is_configurable() {
    let report = "\"Account ID\",\"Account Name\",\"Account Owner ID\",\"System Modstamp\"
\"001D000000IRFma\",\"Mehta Family Trust\",\"005D0000001QX8W\",\"20/11/2026 10:00\"
";
    let options = CsvImportOptions {
        report_utc_offset: chrono::FixedOffset::east_opt(0).unwrap(),
        ..CsvImportOptions::default()
    };
    let batch = import_csv_with(report.as_bytes(), &options).unwrap();
    assert_eq!(
        batch.accounts[0].system_modstamp,
        utc(2026, 11, 20, 10, 0, 0)
    );
}

#[test]
fn data_loader_user_contact_task_event_exports() {
    // Data Loader writes API names; some versions upper-case them.
    let users = "ID,NAME,EMAIL,PHONE,EMPLOYEENUMBER,DEPARTMENT,ISACTIVE,SYSTEMMODSTAMP
005D0000001QX8WIAW,Priya Nair,priya@firm.in,,E042,Wealth,true,2026-11-20T09:00:00.000Z
005D0000001QX8XIAW,Arjun Shah,,,,,false,2026-11-20T09:01:00.000Z
";
    let batch = import_csv(users.as_bytes(), None).unwrap();
    assert_eq!(
        batch.users,
        vec![
            SfUser {
                id: "005D0000001QX8WIAW".into(),
                name: "Priya Nair".into(),
                email: Some("priya@firm.in".into()),
                phone: None,
                employee_number: Some("E042".into()),
                department: Some("Wealth".into()),
                is_active: true,
                system_modstamp: utc(2026, 11, 20, 9, 0, 0),
            },
            SfUser {
                id: "005D0000001QX8XIAW".into(),
                name: "Arjun Shah".into(),
                email: None,
                phone: None,
                employee_number: None,
                department: None,
                is_active: false,
                system_modstamp: utc(2026, 11, 20, 9, 1, 0),
            },
        ]
    );

    let contacts = "Id,AccountId,FirstName,LastName,Email,Phone,Title,SystemModstamp
003D000000AbCdEIAV,001D000000IRFmaIAH,Kavya,Mehta,kavya@mehta.in,98200 00000,Trustee,2026-11-20T11:00:00.000Z
";
    let batch = import_csv(contacts.as_bytes(), None).unwrap();
    assert_eq!(
        batch.contacts,
        vec![SfContact {
            id: "003D000000AbCdEIAV".into(),
            account_id: Some("001D000000IRFmaIAH".into()),
            name: "Kavya Mehta".into(),
            email: Some("kavya@mehta.in".into()),
            phone: Some("98200 00000".into()),
            title: Some("Trustee".into()),
            system_modstamp: utc(2026, 11, 20, 11, 0, 0),
        }]
    );

    let tasks = "Id,WhatId,OwnerId,Subject,Type,ActivityDate,Status,SystemModstamp
00TD000000AbCdE,001D000000IRFma,005D0000001QX8W,Quarterly review call,Call,2026-11-19,Completed,2026-11-20T12:00:00.000Z
";
    let batch = import_csv(tasks.as_bytes(), None).unwrap();
    assert_eq!(
        batch.activities,
        vec![SfActivity {
            id: "00TD000000AbCdEMAV".into(),
            kind: SfObject::Task,
            what_id: Some("001D000000IRFmaIAH".into()),
            owner_id: Some("005D0000001QX8WIAW".into()),
            subject: Some("Quarterly review call".into()),
            activity_type: Some("Call".into()),
            activity_date: date(2026, 11, 19),
            status: Some("Completed".into()),
            system_modstamp: utc(2026, 11, 20, 12, 0, 0),
        }]
    );

    // An Event export has a Task's columns minus Status: the 00U Id prefix tells them apart.
    let events = "Id,WhatId,OwnerId,Subject,Type,ActivityDate,SystemModstamp
00UD000000AbCdE,001D000000IRFma,005D0000001QX8W,Portfolio review,Meeting,2026-11-21,2026-11-20T12:05:00.000Z
";
    let batch = import_csv(events.as_bytes(), None).unwrap();
    assert_eq!(batch.activities.len(), 1);
    assert_eq!(batch.activities[0].kind, SfObject::Event);
    assert_eq!(batch.activities[0].status, None);
    // ... or the caller says what the file holds.
    let batch = import_csv(events.as_bytes(), Some(SfObject::Event)).unwrap();
    assert_eq!(batch.activities[0].id, "00UD000000AbCdEMAV");
}

#[test]
fn report_contact_and_activity_exports() {
    let contacts = "\"Contact ID\",\"Account ID\",\"Full Name\",\"Email\",\"Phone\",\"Title\",\"System Modstamp\"
\"003D000000AbCdE\",\"001D000000IRFma\",\"Kavya Mehta\",\"\",\"\",\"Trustee\",\"20/11/2026 16:30\"
";
    let batch = import_csv(contacts.as_bytes(), None).unwrap();
    assert_eq!(
        batch.contacts[0].account_id.as_deref(),
        Some("001D000000IRFmaIAH")
    );
    assert_eq!(
        batch.contacts[0].system_modstamp,
        utc(2026, 11, 20, 11, 0, 0)
    );

    let tasks = "\"Activity ID\",\"Related To ID\",\"Assigned To ID\",\"Subject\",\"Type\",\"Due Date\",\"Status\",\"System Modstamp\"
\"00TD000000AbCdE\",\"001D000000IRFma\",\"005D0000001QX8W\",\"Call\",\"Call\",\"19/11/2026\",\"Completed\",\"20/11/2026 17:30\"
";
    let batch = import_csv(tasks.as_bytes(), None).unwrap();
    assert_eq!(batch.activities[0].kind, SfObject::Task);
    assert_eq!(batch.activities[0].activity_date, date(2026, 11, 19));
}

/// The reasons the import gives, spelled out: these are what a data steward reads.
const NEEDS_ID: &str =
    "every Account record needs its Salesforce Id; export again with the Id filled in";
const NEEDS_NAME: &str =
    "Name is required for Account records; fill it in Salesforce and export again";
const NEEDS_OWNER: &str =
    "OwnerId is required for Account records; fill it in Salesforce and export again";
const BAD_MODSTAMP: &str =
    "not a date-time; Data Loader writes 2026-11-20T10:00:00.000Z and reports dd/mm/yyyy hh:mm \
     (e.g. 20/11/2026 15:30); export the field without reformatting it";
const BAD_PAN: &str =
    "a PAN is 10 characters: five letters, four digits, one letter (e.g. ABCDE1234F); \
     correct it on the Account in Salesforce";
const BAD_RISK: &str =
    "unknown risk profile; use one of Conservative, Moderately Conservative, Moderate, \
     Moderately Aggressive, Aggressive";
const BAD_DATE: &str =
    "not a date; write it as yyyy-mm-dd (2026-11-20) or dd/mm/yyyy (20/11/2026). A US-style \
     mm/dd/yyyy report needs the exporting user's locale set to English (India)";

#[test]
fn every_class_of_bad_row_is_reported_with_line_column_value_and_reason() {
    let file = "\
Id,Name,PAN__c,Risk_Profile__c,OwnerId,Onboarding_Date__c,AUM__c,SystemModstamp
001D000000IRFmaIAH,Good Client,AAATM1234K,Moderate,005D0000001QX8WIAW,2024-04-01,\"12,34,567.50\",2026-11-20T10:00:00.000Z
,No Id,,,005D0000001QX8WIAW,,,2026-11-20T10:00:00.000Z
001XYZ,Short Id,,,005D0000001QX8WIAW,,,2026-11-20T10:00:00.000Z
001D000000IRFMAIAH,Upper-cased Id,,,005D0000001QX8WIAW,,,2026-11-20T10:00:00.000Z
003D000000AbCdEIAV,A Contact Id,,,005D0000001QX8WIAW,,,2026-11-20T10:00:00.000Z
001D000000Iomaz,,,,005D0000001QX8WIAW,,,2026-11-20T10:00:00.000Z
001D000000Iomb0,No Owner,,,,,,2026-11-20T10:00:00.000Z
001D000000Iomb1,Bad Modstamp,,,005D0000001QX8WIAW,,,yesterday
001D000000Iomb2,Bad PAN,ABCD1234F,,005D0000001QX8WIAW,,,2026-11-20T10:00:00.000Z
001D000000Iomb3,Bad Risk,,Reckless,005D0000001QX8WIAW,,,2026-11-20T10:00:00.000Z
001D000000Iomb4,Bad Date,,,005D0000001QX8WIAW,31/02/2024,,2026-11-20T10:00:00.000Z
001D000000Iomb5,Bad Grouping,,,005D0000001QX8WIAW,,\"12,3,4567\",2026-11-20T10:00:00.000Z
001D000000Iomb6,Negative AUM,,,005D0000001QX8WIAW,,-500,2026-11-20T10:00:00.000Z
001D000000IRFma,Duplicate of line 2,,,005D0000001QX8WIAW,,,2026-11-20T10:00:00.000Z
001D000000Iomb7,Too many,values,,005D0000001QX8WIAW,,,2026-11-20T10:00:00.000Z,extra
001D000000Iomb8,Two problems,BADPAN,,005D0000001QX8WIAW,2024-13-01,,2026-11-20T10:00:00.000Z
";
    let errors = import_csv(file.as_bytes(), None).unwrap_err();
    let expected = vec![
        RowError::at(3, "Id", "", NEEDS_ID),
        RowError::at(4, "Id", "001XYZ", "a Salesforce Id has 15 or 18 characters, this one has 6"),
        RowError::at(
            5,
            "Id",
            "001D000000IRFMAIAH",
            "the last 3 characters of this 18-character Id do not match the letter case of the first 15; \
             the Id was probably altered (for example upper-cased by a spreadsheet): export it again",
        ),
        RowError::at(
            6,
            "Id",
            "003D000000AbCdEIAV",
            "this is not the Id of a Account record (Account Ids start with 001); check that the file holds \
             Account records",
        ),
        RowError::at(7, "Name", "", NEEDS_NAME),
        RowError::at(8, "OwnerId", "", NEEDS_OWNER),
        RowError::at(9, "SystemModstamp", "yesterday", BAD_MODSTAMP),
        RowError::at(10, "PAN__c", "ABCD1234F", BAD_PAN),
        RowError::at(11, "Risk_Profile__c", "Reckless", BAD_RISK),
        RowError::at(12, "Onboarding_Date__c", "31/02/2024", BAD_DATE),
        RowError::at(
            13,
            "AUM__c",
            "12,3,4567",
            "digit grouping \"12,3,4567\" is neither Indian (12,34,567) nor international (1,234,567); \
             check the commas or remove them",
        ),
        RowError::at(14, "AUM__c", "-500", "AUM cannot be negative; correct it on the Account in Salesforce"),
        RowError::at(
            15,
            "Id",
            "001D000000IRFma",
            "the same record is also on line 2; each record may appear only once: remove one of the rows",
        ),
        RowError::at(
            16,
            "column 9",
            "extra",
            "this row has 9 values but the header has 8 columns; a value containing a comma or a line break \
             must be in double quotes (or the file is cut short)",
        ),
        RowError::at(17, "PAN__c", "BADPAN", BAD_PAN),
        RowError::at(17, "Onboarding_Date__c", "2024-13-01", BAD_DATE),
    ];
    assert_eq!(errors, expected);
}

#[test]
fn row_errors_name_the_column_as_headed_in_a_report() {
    let report =
        "\"Account ID\",\"Account Name\",\"Account Owner ID\",\"Risk Profile\",\"System Modstamp\"
\"001D000000IRFma\",\"Mehta Family Trust\",\"005D0000001QX8W\",\"Very High\",\"20/11/2026 15:30\"
";
    let errors = import_csv(report.as_bytes(), None).unwrap_err();
    assert_eq!(
        errors,
        vec![RowError::at(2, "Risk Profile", "Very High", BAD_RISK)]
    );
}

/// A required column the header lacks: reported on the header line, naming the column.
fn missing_column(column: &str, reason: &str) -> RowError {
    RowError {
        line: Some(1),
        column: Some(column.into()),
        value: None,
        reason: reason.into(),
    }
}

#[test]
fn missing_required_columns_reject_the_file() {
    let file = "Id,Name,PAN__c\n001D000000IRFmaIAH,Mehta,AAATM1234K\n";
    let errors = import_csv(file.as_bytes(), Some(SfObject::Account)).unwrap_err();
    assert_eq!(
        errors,
        vec![
            missing_column(
                "OwnerId",
                "the column OwnerId (report label \"Account Owner ID\" or \"Owner ID\") is missing; Account records \
                 cannot be loaded without it: add it to the export"
            ),
            missing_column(
                "SystemModstamp",
                "the column SystemModstamp (report label \"System Modstamp\") is missing; Account records cannot be \
                 loaded without it: add it to the export"
            ),
        ]
    );
}

#[test]
fn a_file_of_something_else_is_refused() {
    let errors = import_csv(b"ISIN,QUANTITY\nINE002A01018,10\n", None).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, None);
    assert!(
        errors[0]
            .reason
            .starts_with("cannot tell which Salesforce object this file holds"),
        "{}",
        errors[0]
    );

    let errors = import_csv(b"", None).unwrap_err();
    assert_eq!(
        errors,
        vec![RowError::file(
            "the file is empty; expected a header row and one row per record"
        )]
    );
    let errors = import_csv(b" \r\n", None).unwrap_err();
    assert_eq!(errors.len(), 1);
}

#[test]
fn task_or_event_without_telling_ids_asks_for_the_object() {
    let file = "Id,Subject,SystemModstamp\n,Call,2026-11-20T10:00:00.000Z\n";
    let errors = import_csv(file.as_bytes(), None).unwrap_err();
    assert_eq!(
        errors,
        vec![RowError::file(
            "the columns fit Task and Event equally; say which object the file holds"
        )]
    );
    // Header only: nothing to tell apart and nothing to load, with or without the object.
    let header_only = "Id,Subject,SystemModstamp\n";
    for object in [None, Some(SfObject::Task)] {
        assert_eq!(
            import_csv(header_only.as_bytes(), object).unwrap(),
            SfBatch::default()
        );
    }
}

#[test]
fn two_columns_for_one_field_are_refused() {
    let file = "Id,Account ID,Name,OwnerId,SystemModstamp\n";
    let errors = import_csv(file.as_bytes(), Some(SfObject::Account)).unwrap_err();
    assert_eq!(
        errors,
        vec![RowError::at(
            1,
            "Account ID",
            "Account ID",
            "this column holds the same field as column \"Id\"; keep only one of them"
        )]
    );
}

#[test]
fn text_that_is_not_utf8_is_reported() {
    let mut file = b"Id,Name,OwnerId,SystemModstamp\n001D000000IRFmaIAH,Caf".to_vec();
    file.push(0xe9); // Latin-1 "é"
    file.extend_from_slice(b",005D0000001QX8WIAW,2026-11-20T10:00:00.000Z\n");
    let errors = import_csv(&file, None).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, Some(2));
    assert_eq!(errors[0].column.as_deref(), Some("Name"));
    assert_eq!(errors[0].value.as_deref(), Some("Caf\u{fffd}"));
    assert!(
        errors[0]
            .reason
            .starts_with("this value is not valid UTF-8 text"),
        "{}",
        errors[0]
    );
}

#[test]
fn quoted_line_breaks_keep_line_numbers_true_to_the_file() {
    // The first record spans lines 2–3; the bad one starts on line 4.
    let file = "Id,Name,OwnerId,SystemModstamp
001D000000IRFmaIAH,\"Mehta
Family Trust\",005D0000001QX8WIAW,2026-11-20T10:00:00.000Z
001D000000IomazIAB,Rao,005D0000001QX8WIAW,soon
";
    let errors = import_csv(file.as_bytes(), None).unwrap_err();
    assert_eq!(
        errors,
        vec![RowError::at(4, "SystemModstamp", "soon", BAD_MODSTAMP)]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Arbitrary bytes never panic: they load or they are refused with reasons.
    #[test]
    fn never_panics_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = import_csv(&data, None);
        let _ = import_csv(&data, Some(SfObject::Account));
    }

    /// Nor on CSV-shaped input under a real header, where every path of the row checks runs.
    #[test]
    fn never_panics_on_csv_shaped_rows(
        header in prop::sample::select(vec![
            "Id,Name,PAN__c,Risk_Profile__c,OwnerId,Onboarding_Date__c,AUM__c,SystemModstamp",
            "\"Account ID\",\"Account Name\",\"Account Owner ID\",\"AUM\",\"System Modstamp\"",
            "Id,AccountId,FirstName,LastName,SystemModstamp",
            "Id,WhatId,OwnerId,ActivityDate,Status,SystemModstamp",
            "ID,NAME,ISACTIVE,SYSTEMMODSTAMP",
        ]),
        body in "([0-9A-Za-z,./:\\- \"\n₹é]{0,40}\n){0,8}",
    ) {
        let file = format!("{header}\n{body}");
        match import_csv(file.as_bytes(), None) {
            Ok(_) => {}
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }
}
