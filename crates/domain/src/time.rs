//! Display times in India Standard Time (UTC+05:30, no daylight saving), the firm's clock.

use chrono::{DateTime, FixedOffset, Utc};

/// India Standard Time.
pub const IST: FixedOffset = match FixedOffset::east_opt(5 * 3600 + 30 * 60) {
    Some(offset) => offset,
    None => panic!("UTC+05:30 is a valid offset"),
};

/// `21 Nov 2026, 14:05:09 IST`
pub fn format_ist(at: DateTime<Utc>) -> String {
    at.with_timezone(&IST)
        .format("%d %b %Y, %H:%M:%S IST")
        .to_string()
}

/// `14:05:09`
pub fn format_ist_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&IST).format("%H:%M:%S").to_string()
}
