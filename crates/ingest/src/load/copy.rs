//! PostgreSQL `COPY … FROM STDIN` text format: one line per row, tab-separated, `\N` for
//! NULL, backslash escapes for the characters that would break the format.

use std::io::Write;

use chrono::{Datelike, NaiveDate};

use crate::validate::Value;

/// Appends one staging row (`line` first, then the values, then resolved ids) to `buf`.
pub fn encode_row(line: u64, values: &[Value], ids: &[Option<i32>], buf: &mut Vec<u8>) {
    // Writing to a Vec cannot fail.
    let _ = write!(buf, "{line}");
    for value in values {
        buf.push(b'\t');
        encode_value(value, buf);
    }
    for id in ids {
        buf.push(b'\t');
        encode_id(*id, buf);
    }
    buf.push(b'\n');
}

/// Appends one value in COPY's text form.
pub fn encode_value(value: &Value, buf: &mut Vec<u8>) {
    match value {
        Value::Null => buf.extend_from_slice(b"\\N"),
        Value::Text(t) => escape_into(t, buf),
        Value::Date(d) => push_iso_date(*d, buf),
        Value::Decimal(d) => {
            let _ = write!(buf, "{d}");
        }
    }
}

/// `YYYY-MM-DD`, digit by digit: a date is on every row of a large load, and this is several
/// times cheaper than formatting.
fn push_iso_date(date: NaiveDate, buf: &mut Vec<u8>) {
    let digits = |n: u32, width: usize, buf: &mut Vec<u8>| {
        for place in (0..width).rev() {
            buf.push(b'0' + (n / 10u32.pow(place as u32) % 10) as u8);
        }
    };
    digits(date.year().clamp(0, 9999) as u32, 4, buf);
    buf.push(b'-');
    digits(date.month(), 2, buf);
    buf.push(b'-');
    digits(date.day(), 2, buf);
}

/// Appends a resolved id, or NULL.
pub fn encode_id(id: Option<i32>, buf: &mut Vec<u8>) {
    match id {
        Some(id) => {
            let _ = write!(buf, "{id}");
        }
        None => buf.extend_from_slice(b"\\N"),
    }
}

/// Escapes text for COPY's text format.
pub fn escape_into(text: &str, buf: &mut Vec<u8>) {
    for b in text.bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    #[test]
    fn rows_are_tab_separated_with_escapes_and_nulls() {
        let mut buf = Vec::new();
        encode_row(
            7,
            &[
                Value::Text("a\tb\\c\nd".into()),
                Value::Null,
                Value::Date(NaiveDate::from_ymd_opt(2026, 3, 31).expect("date")),
                Value::Decimal(dec!(-1234.50)),
            ],
            &[Some(42), None],
            &mut buf,
        );
        assert_eq!(
            String::from_utf8(buf).expect("utf8"),
            "7\ta\\tb\\\\c\\nd\t\\N\t2026-03-31\t-1234.50\t42\t\\N\n"
        );
    }
}
