//! Turning one cell into a typed value, or saying precisely why it cannot be.

use chrono::{Duration, NaiveDate};
use pms_domain::ids::{Isin, Pan};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use crate::profile::Profile;
use crate::report::{FieldKind, ReportKind};
use crate::source::wealth_spectrum::table::Cell;

/// A validated value, ready for staging.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Date(NaiveDate),
    Decimal(Decimal),
}

impl Value {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Decimal(d) => Some(*d),
            _ => None,
        }
    }
}

/// Text with every run of whitespace that holds a line break or tab turned into one space: a
/// name wrapped inside a spreadsheet cell (exported as a quoted line break) is the same name
/// on one line.
fn fold_line_breaks(text: &str) -> String {
    if !text.contains(['\r', '\n', '\t']) {
        return text.to_owned();
    }
    let mut folded = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            folded.push_str(if run.contains(['\r', '\n', '\t']) {
                " "
            } else {
                &run
            });
            run.clear();
        }
        folded.push(c);
    }
    folded
}

/// Parses `cell` as a field of `kind`. Empty cells are `Value::Null` (the caller decides
/// whether that is allowed).
pub fn parse(
    cell: &Cell<'_>,
    kind: FieldKind,
    report: ReportKind,
    key: &str,
    profile: &Profile,
) -> Result<Value, String> {
    if cell.is_empty() {
        return Ok(Value::Null);
    }
    match kind {
        FieldKind::Text { max } => {
            let text = fold_line_breaks(cell.display().trim());
            if text.chars().count() > max {
                return Err(format!("longer than {max} characters"));
            }
            if text.chars().any(char::is_control) {
                return Err("contains control characters; remove them".into());
            }
            Ok(Value::Text(text))
        }
        FieldKind::Code => {
            let text = match cell {
                // Spreadsheets turn numeric codes into numbers: 1001.0 means code 1001.
                Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                    format!("{}", *n as i64).into()
                }
                other => other.text(),
            };
            let text = text.trim();
            let code = if text
                .bytes()
                .any(|b| !b.is_ascii() || b.is_ascii_lowercase())
            {
                text.to_uppercase()
            } else {
                text.to_owned()
            };
            if code.len() > 40 || code.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err("a code has no spaces and at most 40 characters".into());
            }
            Ok(Value::Text(code))
        }
        FieldKind::Date => parse_date(cell, profile.date_formats()).map(Value::Date),
        FieldKind::Decimal {
            scale,
            non_negative,
        } => {
            let d = parse_decimal(cell, scale)?;
            if non_negative && d.is_sign_negative() && !d.is_zero() {
                return Err("must not be negative".into());
            }
            Ok(Value::Decimal(d))
        }
        FieldKind::Percent => {
            let d = parse_decimal(&strip_percent(cell), 4)?;
            if d < Decimal::ZERO || d > Decimal::ONE_HUNDRED {
                return Err("a percentage per year between 0 and 100 (1.5 means 1.5 %)".into());
            }
            Ok(Value::Decimal(d))
        }
        FieldKind::Isin => Isin::parse(&cell.text())
            .map(|i| Value::Text(i.to_string()))
            .map_err(|e| e.to_string()),
        FieldKind::Pan => Pan::parse(&cell.display())
            .map(|p| Value::Text(p.to_string()))
            .map_err(|e| e.to_string()),
        FieldKind::Email => {
            let email = cell.display().trim().to_lowercase();
            let valid = email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }) && !email.contains(char::is_whitespace);
            if valid {
                Ok(Value::Text(email))
            } else {
                Err("not an e-mail address".into())
            }
        }
        FieldKind::Choice(allowed) => {
            let raw = cell.text();
            if let Some(exact) = allowed.iter().find(|a| **a == raw.trim()) {
                return Ok(Value::Text((*exact).to_owned()));
            }
            let wanted = crate::profile::normalise_header(&raw);
            allowed
                .iter()
                .find(|a| crate::profile::normalise_header(a) == wanted)
                .copied()
                .or_else(|| profile.synonym(report, key, &raw))
                .map(|v| Value::Text(v.to_owned()))
                .ok_or_else(|| format!("must be one of: {}", allowed.join(", ")))
        }
    }
}

fn strip_percent<'a>(cell: &Cell<'a>) -> Cell<'a> {
    match cell {
        Cell::Text(t) => Cell::Text(t.trim().trim_end_matches('%').trim().to_owned().into()),
        other => other.clone(),
    }
}

/// Dates from typed spreadsheet cells, Excel serial numbers, or text in the profile's formats.
pub fn parse_date(cell: &Cell<'_>, formats: &[String]) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Number(serial) if (1.0..2_958_466.0).contains(serial) => {
            // Excel's day 0 is 1899-12-30 (it counts a 29 Feb 1900 that never was).
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or("bad epoch")?;
            Ok(base + Duration::days(serial.trunc() as i64))
        }
        other => {
            let text = other.text();
            let text = text.trim();
            if let Some(d) = formats.iter().find_map(|f| padded_date(text, f)) {
                return Ok(d);
            }
            // Timestamps from some exports: keep the date part.
            let date_part = text.split(['T', ' ']).next().unwrap_or(text);
            for candidate in [text, date_part] {
                for format in formats {
                    if let Ok(d) = NaiveDate::parse_from_str(candidate, format) {
                        return Ok(d);
                    }
                }
            }
            Err(format!(
                "not a date in a recognised format ({})",
                example_formats(formats)
            ))
        }
    }
}

/// The common zero-padded numeric layouts read without interpreting the format string (the
/// hot path of a ten-million-row load); anything else is left to chrono.
fn padded_date(text: &str, format: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (year, month, day, separators) = match format {
        "%d-%m-%Y" => (
            number(6..10)?,
            number(3..5)?,
            number(0..2)?,
            [(2, b'-'), (5, b'-')],
        ),
        "%d/%m/%Y" => (
            number(6..10)?,
            number(3..5)?,
            number(0..2)?,
            [(2, b'/'), (5, b'/')],
        ),
        "%Y-%m-%d" => (
            number(0..4)?,
            number(5..7)?,
            number(8..10)?,
            [(4, b'-'), (7, b'-')],
        ),
        _ => return None,
    };
    if separators.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

fn example_formats(formats: &[String]) -> String {
    let sample = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default();
    formats
        .iter()
        .take(3)
        .map(|f| sample.format(f).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Numbers as text (Indian or Western digit grouping, a leading ₹ or Rs., accounting-style
/// parentheses for negatives) or as spreadsheet numbers; at most `scale` decimals.
pub fn parse_decimal(cell: &Cell<'_>, scale: u32) -> Result<Decimal, String> {
    let value = match cell {
        Cell::Number(f) => {
            if !f.is_finite() {
                return Err("not a finite number".into());
            }
            let d = Decimal::from_f64(*f).ok_or("number out of range")?;
            // Spreadsheets store binary fractions: 1234.56 arrives as 1234.5599999…
            let rounded = d.round_dp(scale);
            if (d - rounded).abs() > Decimal::new(1, 6).max(rounded.abs() * Decimal::new(1, 12)) {
                return Err(format!("has more than {scale} decimal places"));
            }
            rounded
        }
        Cell::Text(t) => parse_decimal_text(t, scale)?,
        Cell::Bool(_) | Cell::Date(_) => return Err("not a number".into()),
        Cell::Empty => Decimal::ZERO,
    };
    Ok(value.normalize())
}

fn parse_decimal_text(text: &str, scale: u32) -> Result<Decimal, String> {
    let plain = text.trim();
    // Plain numbers (most cells of a large export) skip the clean-up below.
    if !plain.is_empty()
        && plain
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b'.' || c == b'-')
    {
        if let Ok(d) = plain.parse::<Decimal>() {
            if d.scale() > scale && d != d.round_dp(scale) {
                return Err(format!("has more than {scale} decimal places"));
            }
            return Ok(d);
        }
    }
    let mut s = text.trim();
    let negative_parens = s.starts_with('(') && s.ends_with(')');
    if negative_parens {
        s = &s[1..s.len() - 1];
    }
    let s = s
        .trim()
        .trim_start_matches('₹')
        .trim_start_matches("Rs.")
        .trim_start_matches("INR")
        .trim();
    let cleaned: String = s
        .chars()
        .filter(|c| *c != ',' && *c != '_' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty()
        || !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
    {
        return Err("not a number".into());
    }
    let mut d: Decimal = cleaned.parse().map_err(|_| "not a number".to_string())?;
    if d.scale() > scale && d != d.round_dp(scale) {
        return Err(format!("has more than {scale} decimal places"));
    }
    if negative_parens {
        d = -d;
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn text(s: &str) -> Cell<'_> {
        Cell::Text(s.into())
    }

    #[test]
    fn decimals_accept_indian_grouping_rupee_signs_and_parentheses() {
        assert_eq!(parse_decimal(&text("12,34,567.50"), 2), Ok(dec!(1234567.5)));
        assert_eq!(parse_decimal(&text("₹ 1,000"), 2), Ok(dec!(1000)));
        assert_eq!(parse_decimal(&text("(2,500.25)"), 2), Ok(dec!(-2500.25)));
        assert_eq!(parse_decimal(&Cell::Number(1234.56), 2), Ok(dec!(1234.56)));
        assert!(parse_decimal(&text("12.345"), 2).is_err());
        assert_eq!(parse_decimal(&text("12.340"), 2), Ok(dec!(12.34)));
        assert!(parse_decimal(&text("1O0"), 2).is_err());
        assert!(parse_decimal(&Cell::Number(f64::NAN), 2).is_err());
    }

    #[test]
    fn dates_in_every_profile_format_and_excel_serials() {
        let formats: Vec<String> = Profile::default_profile().date_formats().to_vec();
        let d = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        for s in [
            "31-03-2026",
            "2026-03-31",
            "31/03/2026",
            "31-Mar-2026",
            "2026-03-31T00:00:00",
        ] {
            assert_eq!(parse_date(&text(s), &formats), Ok(d), "{s}");
        }
        assert_eq!(parse_date(&Cell::Number(46112.0), &formats), Ok(d));
        let err = parse_date(&text("31/31/2026"), &formats).unwrap_err();
        assert!(err.contains("31-03-2026"), "{err}");
    }
}
