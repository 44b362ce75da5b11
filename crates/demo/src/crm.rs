//! The Salesforce side: Users (the RMs), Accounts (clients, with the Wealth Spectrum client
//! code and the AUM the nightly sync last wrote), Contacts (holders, kartas, directors,
//! trustees, partners) and the activity log of the last two years — calls, e-mails and
//! follow-ups as Tasks, meetings and portfolio reviews as Events — as Data Loader exports.
//!
//! Times are UTC with milliseconds (`2026-11-20T10:00:00.000Z`) and never later than 12:00 UTC
//! on `as_of` (17:30 in Mumbai), so a data set never claims to know the future.

use std::path::Path;

use chrono::{Datelike, Days, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::book::{Book, Client, ClientKind, CRORE};
use super::geography::CITIES;
use super::identifiers::SfIds;
use super::names::{self, Person};
use super::random::{pick, stream, Purpose};
use super::writers::{fixed_string, SfCsv};
use super::DemoError;

pub(crate) const USER_HEADER: &[&str] = &[
    "Id",
    "Name",
    "Email",
    "Phone",
    "EmployeeNumber",
    "Department",
    "IsActive",
    "SystemModstamp",
];
pub(crate) const ACCOUNT_HEADER: &[&str] = &[
    "Id",
    "Name",
    "PAN__c",
    "PMS_Client_Code__c",
    "Client_Type__c",
    "Risk_Profile__c",
    "BillingCity",
    "BillingState",
    "Phone",
    "Email__c",
    "OwnerId",
    "Onboarding_Date__c",
    "Status__c",
    "Closure_Date__c",
    "AUM__c",
    "SystemModstamp",
];
pub(crate) const CONTACT_HEADER: &[&str] = &[
    "Id",
    "AccountId",
    "Name",
    "Email",
    "Phone",
    "Title",
    "SystemModstamp",
];
pub(crate) const TASK_HEADER: &[&str] = &[
    "Id",
    "WhatId",
    "OwnerId",
    "Subject",
    "Type",
    "ActivityDate",
    "Status",
    "SystemModstamp",
];
pub(crate) const EVENT_HEADER: &[&str] = &[
    "Id",
    "WhatId",
    "OwnerId",
    "Subject",
    "Type",
    "ActivityDate",
    "SystemModstamp",
];

/// `yyyy-mm-ddThh:mm:ss.000Z` at `seconds` after midnight UTC, capped at 12:00 UTC on `as_of`.
fn stamp(date: NaiveDate, seconds: u32, as_of: NaiveDate) -> String {
    let (date, seconds) = if date > as_of || (date == as_of && seconds > 12 * 3600) {
        (as_of, 12 * 3600)
    } else {
        (date, seconds)
    };
    format!(
        "{}T{:02}:{:02}:{:02}.000Z",
        date.format("%Y-%m-%d"),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// A time in Indian office hours (03:30–13:30 UTC = 09:00–19:00 IST).
fn office_seconds(rng: &mut impl Rng) -> u32 {
    rng.random_range(3 * 3600 + 1800..13 * 3600 + 1800)
}

fn ymd(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn days_before(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

pub(crate) fn write_users(
    path: &Path,
    book: &Book,
    seed: u64,
    as_of: NaiveDate,
) -> Result<u64, DemoError> {
    let mut out = SfCsv::create(path, USER_HEADER)?;
    let mut rng = stream(seed, Purpose::Staff, 9);
    for rm in &book.rms {
        let modstamp = stamp(
            days_before(as_of, u64::from(rm.modstamp_age)),
            office_seconds(&mut rng),
            as_of,
        );
        out.row(&[
            &rm.sf_id,
            &rm.name,
            &rm.email,
            &rm.phone,
            &rm.employee_number,
            &book.teams[rm.team].department,
            if rm.active { "true" } else { "false" },
            &modstamp,
        ])?;
    }
    out.finish()
}

/// `aum[client]` in paise.
pub(crate) fn write_accounts(
    path: &Path,
    book: &Book,
    aum: &[i64],
    seed: u64,
    as_of: NaiveDate,
) -> Result<u64, DemoError> {
    let mut out = SfCsv::create(path, ACCOUNT_HEADER)?;
    let mut rng = stream(seed, Purpose::Contacts, u64::MAX);
    for (i, c) in book.clients.iter().enumerate() {
        let city = &CITIES[c.city];
        // The nightly AUM sync touches every account; a few were edited by hand since.
        let modstamp = stamp(
            days_before(as_of, rng.random_range(0..4)),
            rng.random_range(0..12 * 3600),
            as_of,
        );
        let status = if c.closure.is_some() {
            "Closed"
        } else {
            "Active"
        };
        let closure = c.closure.map(ymd).unwrap_or_default();
        out.row(&[
            &c.sf_id,
            &c.name,
            &c.pan,
            &c.code,
            c.kind.label(),
            c.risk.label(),
            city.name,
            city.state,
            &c.phone,
            &c.email,
            &book.rms[c.rm].sf_id,
            &ymd(c.onboarding),
            status,
            &closure,
            &fixed_string(aum[i], 2, false),
            &modstamp,
        ])?;
    }
    out.finish()
}

fn contact_people(rng: &mut ChaCha8Rng, c: &Client) -> Vec<(Person, &'static str)> {
    let p = c.person.clone();
    let mut people = Vec::new();
    let other = |rng: &mut ChaCha8Rng| names::person(rng, p.community, 0.3);
    match c.kind {
        ClientKind::Individual => {
            people.push((p.clone(), "Primary Holder"));
            if rng.random_bool(0.45) {
                people.push((
                    names::relative(rng, &p),
                    *pick(rng, &["Joint Holder", "Nominee"]),
                ));
            }
        }
        ClientKind::Nri => {
            people.push((p.clone(), "Primary Holder"));
            if rng.random_bool(0.5) {
                people.push((names::relative(rng, &p), "Power of Attorney Holder"));
            }
        }
        ClientKind::Huf => {
            people.push((p.clone(), "Karta"));
            if rng.random_bool(0.4) {
                people.push((names::relative(rng, &p), "Co-parcener"));
            }
        }
        ClientKind::Corporate => {
            people.push((p.clone(), "Director"));
            if rng.random_bool(0.7) {
                people.push((other(rng), "Chief Financial Officer"));
            }
        }
        ClientKind::Trust => {
            people.push((p.clone(), "Managing Trustee"));
            if rng.random_bool(0.5) {
                people.push((names::relative(rng, &p), "Trustee"));
            }
        }
        ClientKind::Firm => {
            people.push((p.clone(), "Managing Partner"));
            if rng.random_bool(0.4) {
                people.push((names::relative(rng, &p), "Partner"));
            }
        }
    }
    people
}

pub(crate) fn write_contacts(
    path: &Path,
    book: &Book,
    seed: u64,
    as_of: NaiveDate,
) -> Result<u64, DemoError> {
    let mut out = SfCsv::create(path, CONTACT_HEADER)?;
    let mut ids = SfIds::new(
        "003",
        61_200_000 + stream(seed, Purpose::Contacts, u64::MAX - 1).random_range(0..100_000),
    );
    for (i, c) in book.clients.iter().enumerate() {
        let mut rng = stream(seed, Purpose::Contacts, i as u64);
        for (n, (person, title)) in contact_people(&mut rng, c).into_iter().enumerate() {
            let name = person.full();
            let (email, phone) = if n == 0 {
                (c.email.clone(), c.mobile.clone())
            } else {
                (
                    names::client_email(&mut rng, &name, (i * 3 + n) as u64),
                    names::mobile(&mut rng),
                )
            };
            let age = (as_of - c.onboarding).num_days().max(1) as u64;
            let modstamp = stamp(
                days_before(as_of, rng.random_range(0..age)),
                office_seconds(&mut rng),
                as_of,
            );
            out.row(&[
                &ids.next_id(),
                &c.sf_id,
                &name,
                &email,
                &phone,
                title,
                &modstamp,
            ])?;
        }
    }
    out.finish()
}

/// The Indian financial-year quarter of `date` (`Q3 FY2026-27`); subjects name the quarter that
/// ended before the activity.
fn fy_quarter(date: NaiveDate) -> String {
    let fy = if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    };
    let q = (date.month() + 8) % 12 / 3 + 1;
    format!("Q{q} FY{fy}-{:02}", (fy + 1) % 100)
}

const CALLS: &[&str] = &[
    "Call: portfolio performance update",
    "Call: discuss additional investment",
    "Call: withdrawal request follow-up",
    "Call: market update after the correction",
    "Call: birthday greetings",
    "Call: explain performance fee computation",
];
const EMAILS: &[&str] = &[
    "Send quarterly portfolio statement",
    "Send management fee invoice",
    "Share capital gains statement",
    "E-mail: KYC documents pending",
    "Send revised disclosure document",
];
const FOLLOW_UPS: &[&str] = &[
    "Follow up on nomination update",
    "Follow up on KYC re-verification",
    "Collect updated risk profile questionnaire",
    "Follow up on bank mandate change",
    "Obtain signed addendum to the PMS agreement",
];
const MEETINGS: &[&str] = &[
    "Meeting at client's office",
    "Introductory meeting: new investment approach",
    "Family meeting: succession planning",
    "Lunch meeting with the family",
];
const VIDEO_CALLS: &[&str] = &[
    "Video call: strategy update from the fund manager",
    "Video call: portfolio walkthrough",
    "Video call: tax planning before year end",
];

/// Tasks and events of the last two years (and tasks scheduled for the next three weeks).
/// Returns (tasks, events).
pub(crate) fn write_activities(
    task_path: &Path,
    event_path: &Path,
    book: &Book,
    aum: &[i64],
    seed: u64,
    as_of: NaiveDate,
) -> Result<(u64, u64), DemoError> {
    let mut tasks = SfCsv::create(task_path, TASK_HEADER)?;
    let mut events = SfCsv::create(event_path, EVENT_HEADER)?;
    let mut id_rng = stream(seed, Purpose::Activities, u64::MAX);
    let mut task_ids = SfIds::new("00T", 982_000_000 + id_rng.random_range(0..1_000_000));
    let mut event_ids = SfIds::new("00U", 371_000_000 + id_rng.random_range(0..1_000_000));
    let window_start = days_before(as_of, 730);
    for (i, c) in book.clients.iter().enumerate() {
        let mut rng = stream(seed, Purpose::Activities, i as u64);
        let from = c.onboarding.max(window_start);
        let until = c.closure.unwrap_or(as_of + Days::new(21));
        if from >= until {
            continue;
        }
        let owner = &book.rms[c.rm].sf_id;
        // Bigger clients hear from their RM more often.
        let big = aum[i] > 5 * CRORE;
        let task_gap = if big { 45.0 } else { 90.0 };
        let event_gap = if big { 75.0 } else { 180.0 };
        let mut day = from + Days::new(super::random::gap(&mut rng, task_gap) as u64);
        while day < until {
            let (kind, subject) = match rng.random_range(0..10) {
                0..=3 => ("Call", pick(&mut rng, CALLS).to_string()),
                4..=6 => ("Email", {
                    let s = *pick(&mut rng, EMAILS);
                    if s.starts_with("Send quarterly") || s.starts_with("Send management") {
                        format!("{s} – {}", fy_quarter(days_before(day, 92)))
                    } else {
                        s.to_string()
                    }
                }),
                7..=8 => ("Follow-up", pick(&mut rng, FOLLOW_UPS).to_string()),
                _ => ("Other", "Prepare annual review pack".to_string()),
            };
            let status = if day > as_of {
                "Not Started"
            } else {
                *pick(
                    &mut rng,
                    &[
                        "Completed",
                        "Completed",
                        "Completed",
                        "Completed",
                        "Completed",
                        "Completed",
                        "Completed",
                        "Completed",
                        "Completed",
                        "Deferred",
                    ],
                )
            };
            let touched = if day > as_of {
                days_before(as_of, rng.random_range(0..10))
            } else {
                day + Days::new(rng.random_range(0..3))
            };
            let modstamp = stamp(touched, office_seconds(&mut rng), as_of);
            tasks.row(&[
                &task_ids.next_id(),
                &c.sf_id,
                owner,
                &subject,
                kind,
                &ymd(day),
                status,
                &modstamp,
            ])?;
            day = day + Days::new(super::random::gap(&mut rng, task_gap) as u64);
        }
        let until = until.min(as_of + Days::new(1));
        let mut day = from + Days::new(super::random::gap(&mut rng, event_gap) as u64);
        while day < until {
            let (kind, subject) = match rng.random_range(0..10) {
                0..=4 => (
                    "Portfolio Review",
                    format!(
                        "Quarterly portfolio review – {}",
                        fy_quarter(days_before(day, 92))
                    ),
                ),
                5..=7 => ("Meeting", pick(&mut rng, MEETINGS).to_string()),
                _ => ("Video Call", pick(&mut rng, VIDEO_CALLS).to_string()),
            };
            let modstamp = stamp(
                day + Days::new(rng.random_range(0..2)),
                office_seconds(&mut rng),
                as_of,
            );
            events.row(&[
                &event_ids.next_id(),
                &c.sf_id,
                owner,
                &subject,
                kind,
                &ymd(day),
                &modstamp,
            ])?;
            day = day + Days::new(super::random::gap(&mut rng, event_gap) as u64);
        }
    }
    Ok((tasks.finish()?, events.finish()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn stamps_and_quarters() {
        let as_of = date(2026, 11, 20);
        assert_eq!(
            stamp(date(2026, 11, 19), 36_000, as_of),
            "2026-11-19T10:00:00.000Z"
        );
        assert_eq!(
            stamp(date(2026, 11, 25), 100, as_of),
            "2026-11-20T12:00:00.000Z"
        );
        assert_eq!(fy_quarter(date(2026, 11, 20)), "Q3 FY2026-27");
        assert_eq!(fy_quarter(date(2027, 3, 31)), "Q4 FY2026-27");
        assert_eq!(fy_quarter(date(2026, 4, 1)), "Q1 FY2026-27");
    }
}
