//! Reading Salesforce field values, shared by the REST client and the CSV import: date-times,
//! dates, amounts, PAN and risk profile. Each parser returns the canonical value or a reason a
//! data steward can act on.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rust_decimal::Decimal;

/// The risk profiles the firm records on an Account (`Risk_Profile__c`), in canonical spelling.
pub const RISK_PROFILES: [&str; 5] = [
    "Conservative",
    "Moderately Conservative",
    "Moderate",
    "Moderately Aggressive",
    "Aggressive",
];

/// A Salesforce date-time with an explicit zone: the REST API's `2026-11-20T10:00:00.000+0000`,
/// Data Loader's `2026-11-20T10:00:00.000Z`, or any RFC 3339 form.
pub fn parse_zoned_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f%z"))
        .ok()
        .map(|dt| dt.with_timezone(&Utc))
}

/// A date-time as a report exports it: in the exporting user's time zone, without saying so
/// (`20/11/2026 15:30`, `20/11/2026, 3:30 PM`, `2026-11-20 15:30:00`). `offset` is that zone.
/// Values with an explicit zone are accepted too.
pub fn parse_report_datetime(raw: &str, offset: FixedOffset) -> Option<DateTime<Utc>> {
    if let Some(dt) = parse_zoned_datetime(raw) {
        return Some(dt);
    }
    let raw = raw.trim();
    // Reports write "pm"/"PM" in either case; chrono's %p wants upper case.
    let upper = raw.to_ascii_uppercase();
    const FORMATS: [&str; 12] = [
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y, %H:%M",
        "%d/%m/%Y, %H:%M:%S",
        "%d/%m/%Y %I:%M %p",
        "%d/%m/%Y %I:%M:%S %p",
        "%d/%m/%Y, %I:%M %p",
        "%d/%m/%Y, %I:%M:%S %p",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%d-%m-%Y %H:%M",
    ];
    let naive = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&upper, f).ok())?;
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|dt| dt.with_timezone(&Utc))
}

/// A date: `2026-11-20` (API, Data Loader) or, as Indian-locale reports write it,
/// `20/11/2026`, `20-11-2026` or `20-Nov-2026`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    const FORMATS: [&str; 5] = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d-%b-%Y", "%d %b %Y"];
    if let Some(date) = FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
    {
        return Some(date);
    }
    // Some exports write a date field as midnight UTC.
    parse_zoned_datetime(raw).map(|dt| dt.date_naive())
}

/// An amount in rupees: plain (`1234567.50`), with Indian digit grouping (`12,34,567.50`) or
/// international grouping (`1,234,567.50`), optionally prefixed by `INR`, `Rs.` or `₹`.
pub fn parse_amount(raw: &str) -> Result<Decimal, String> {
    let mut s = raw.trim();
    for prefix in ["INR", "Rs.", "Rs", "₹"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start();
            break;
        }
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let bad = || {
        format!(
            "not an amount: write digits with an optional decimal point, e.g. 1234567.50, \
             12,34,567.50 or 1,234,567.50 (found {raw:?})"
        )
    };
    if int_part.is_empty()
        || frac_part.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let groups: Vec<&str> = int_part.split(',').collect();
    if !groups
        .iter()
        .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    if groups.len() > 1 {
        let (first, rest) = groups.split_at(1);
        let last = rest.last().map_or(0, |g| g.len());
        let middle = &rest[..rest.len() - 1];
        let indian = first[0].len() <= 2 && last == 3 && middle.iter().all(|g| g.len() == 2);
        let western = first[0].len() <= 3 && rest.iter().all(|g| g.len() == 3);
        if !(indian || western) {
            return Err(format!(
                "digit grouping {int_part:?} is neither Indian (12,34,567) nor international (1,234,567); \
                 check the commas or remove them"
            ));
        }
    }
    let digits: String = groups.concat();
    let text = match frac_part {
        Some(f) => format!("{}{digits}.{f}", if negative { "-" } else { "" }),
        None => format!("{}{digits}", if negative { "-" } else { "" }),
    };
    text.parse::<Decimal>().map_err(|_| {
        format!(
            "amount {raw:?} has too many digits to be held exactly (at most 28 significant digits)"
        )
    })
}

/// A PAN (`ABCDE1234F`: five letters, four digits, a letter), upper-cased.
pub fn parse_pan(raw: &str) -> Result<String, String> {
    let pan = raw.trim().to_ascii_uppercase();
    let b = pan.as_bytes();
    let ok = b.len() == 10
        && b[..5].iter().all(u8::is_ascii_uppercase)
        && b[5..9].iter().all(u8::is_ascii_digit)
        && b[9].is_ascii_uppercase();
    if ok {
        Ok(pan)
    } else {
        Err(
            "a PAN is 10 characters: five letters, four digits, one letter (e.g. ABCDE1234F); \
             correct it on the Account in Salesforce"
                .to_string(),
        )
    }
}

/// A risk profile in its canonical spelling (any case and spacing accepted).
pub fn parse_risk_profile(raw: &str) -> Result<&'static str, String> {
    let wanted: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    RISK_PROFILES
        .iter()
        .copied()
        .find(|p| p.eq_ignore_ascii_case(&wanted))
        .ok_or_else(|| {
            format!(
                "unknown risk profile; use one of {}",
                RISK_PROFILES.join(", ")
            )
        })
}

/// The client statuses the store knows (`Status__c`), in canonical spelling.
pub const CLIENT_STATUSES: [&str; 2] = ["Active", "Closed"];

/// A client status in its canonical spelling (any case).
pub fn parse_client_status(raw: &str) -> Result<&'static str, String> {
    let wanted = raw.trim();
    CLIENT_STATUSES
        .iter()
        .copied()
        .find(|s| s.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            format!(
                "unknown client status; use {} (correct it on the Account in Salesforce)",
                CLIENT_STATUSES.join(" or ")
            )
        })
}

/// An Account's AUM (`AUM__c`), which is never negative.
pub fn check_aum(aum: Decimal) -> Result<Decimal, String> {
    if aum.is_sign_negative() && !aum.is_zero() {
        Err("AUM cannot be negative; correct it on the Account in Salesforce".to_string())
    } else {
        Ok(aum)
    }
}

/// `true`/`false` as the API and Data Loader write them, plus the `1`/`0` and `Yes`/`No` some
/// reports use.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" => Some(true),
        "false" | "0" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// A SOQL date-time literal in UTC (`2026-11-20T10:00:00Z`). SOQL literals carry whole seconds,
/// so the value is truncated: a `>` filter on it may return records stamped within the same
/// second again, which is harmless because loads are upserts, and never skips one.
pub fn soql_datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Salesforce's own rendering of a date-time in REST responses (`2026-11-20T10:00:00.000+0000`).
pub fn rest_datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn datetimes() {
        let expected = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
        assert_eq!(
            parse_zoned_datetime("2026-11-20T10:00:00.000+0000"),
            Some(expected)
        );
        assert_eq!(
            parse_zoned_datetime("2026-11-20T10:00:00.000Z"),
            Some(expected)
        );
        assert_eq!(parse_zoned_datetime("2026-11-20T10:00:00Z"), Some(expected));
        assert_eq!(
            parse_zoned_datetime("2026-11-20T15:30:00+05:30"),
            Some(expected)
        );
        assert_eq!(parse_zoned_datetime("20/11/2026"), None);
        let ist = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        assert_eq!(
            parse_report_datetime("20/11/2026 15:30", ist),
            Some(expected)
        );
        assert_eq!(
            parse_report_datetime("20/11/2026, 3:30 pm", ist),
            Some(expected)
        );
        assert_eq!(rest_datetime(expected), "2026-11-20T10:00:00.000+0000");
        assert_eq!(soql_datetime(expected), "2026-11-20T10:00:00Z");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        for raw in ["2026-11-20", "20/11/2026", "20-11-2026", "20-Nov-2026"] {
            assert_eq!(parse_date(raw), Some(d), "{raw}");
        }
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("11/20/2026"), None);
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("12,34,567.50"), Ok(dec!(1234567.50)));
        assert_eq!(parse_amount("1,234,567.50"), Ok(dec!(1234567.50)));
        assert_eq!(parse_amount("1234567.5"), Ok(dec!(1234567.5)));
        assert_eq!(parse_amount("INR 1,00,00,000"), Ok(dec!(10000000)));
        assert_eq!(parse_amount("₹ 500"), Ok(dec!(500)));
        assert_eq!(parse_amount("-5"), Ok(dec!(-5)));
        assert!(parse_amount("12,3,4567").is_err());
        assert!(parse_amount("1.2.3").is_err());
        assert!(parse_amount("abc").is_err());
        assert!(parse_amount("").is_err());
        assert!(parse_amount("5.").is_err());
        assert!(parse_amount("99999999999999999999999999999999").is_err());
    }

    #[test]
    fn pan_and_risk() {
        assert_eq!(parse_pan("abcde1234f"), Ok("ABCDE1234F".to_string()));
        assert!(parse_pan("ABCDE12345").is_err());
        assert!(parse_pan("ABCDÉ1234F").is_err());
        assert_eq!(
            parse_risk_profile("moderately  aggressive"),
            Ok("Moderately Aggressive")
        );
        assert!(parse_risk_profile("Reckless").is_err());
        assert_eq!(parse_client_status(" closed "), Ok("Closed"));
        assert!(parse_client_status("Dormant").is_err());
        assert!(check_aum(Decimal::NEGATIVE_ONE).is_err());
        assert_eq!(check_aum(Decimal::ZERO), Ok(Decimal::ZERO));
    }
}
