//! The Indian number formatter shared by the pages and the PDFs.
//!
//! - [`inr`]: `₹12,34,56,789.50` — lakh/crore grouping (last three digits, then pairs), always
//!   two decimals, negatives as `-₹1,234.00`.
//! - [`inr_short`]: `₹12.35 Cr` (1 Cr = 1,00,00,000) or `₹4.50 L` (1 L = 1,00,000); below one
//!   lakh the full form. A lakh figure that rounds up to 100.00 L is shown in crores, so
//!   ₹99,99,999.999 prints as `₹1.00 Cr`, never `₹100.00 L`.
//! - [`percent`]: a fraction as a percentage with two decimals, `0.1234 → 12.34%`.
//! - [`grouped`]: the grouped number alone, with any number of decimals.
//!
//! All accept [`Decimal`], `f64`, integers and `Option`s of those. Rounding is **half away from
//! zero** on the decimal digits: for `Decimal` on its exact value, for `f64` on its shortest
//! round-trip representation (what Rust prints), so `1.005` (stored as 1.00499999…) shows as
//! `1.01`, as a reader expects. Scaling to lakhs, crores or percent shifts the decimal point in
//! the digit string, so it adds no binary rounding error. `None`, NaN and infinities print as
//! [`UNDEFINED`]; a value that rounds to zero never prints a minus sign.

use rust_decimal::Decimal;

/// What an undefined figure prints as.
pub const UNDEFINED: &str = "—";
const RUPEE: &str = "₹";
const LAKH_DIGITS: i32 = 5;
const CRORE_DIGITS: i32 = 7;

/// A number the formatter accepts.
pub trait IndianNumber: sealed::Sealed {
    #[doc(hidden)]
    fn digits(&self) -> Option<Digits>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for rust_decimal::Decimal {}
    impl Sealed for f64 {}
    impl Sealed for i64 {}
    impl Sealed for u64 {}
    impl<T: Sealed> Sealed for Option<T> {}
    impl<T: Sealed> Sealed for &T {}
}

impl IndianNumber for Decimal {
    fn digits(&self) -> Option<Digits> {
        Digits::parse(&self.to_string())
    }
}

impl IndianNumber for f64 {
    fn digits(&self) -> Option<Digits> {
        // Rust's `Display` for f64 is the shortest round-trip form and never uses an exponent.
        self.is_finite()
            .then(|| Digits::parse(&self.to_string()))
            .flatten()
    }
}

impl IndianNumber for i64 {
    fn digits(&self) -> Option<Digits> {
        Digits::parse(&self.to_string())
    }
}

impl IndianNumber for u64 {
    fn digits(&self) -> Option<Digits> {
        Digits::parse(&self.to_string())
    }
}

impl<T: IndianNumber> IndianNumber for Option<T> {
    fn digits(&self) -> Option<Digits> {
        self.as_ref().and_then(IndianNumber::digits)
    }
}

impl<T: IndianNumber> IndianNumber for &T {
    fn digits(&self) -> Option<Digits> {
        (*self).digits()
    }
}

/// `₹12,34,56,789.50`.
pub fn inr<T: IndianNumber>(amount: T) -> String {
    match amount.digits() {
        Some(digits) => with_sign(&digits.rounded(2), |d| format!("{RUPEE}{}", d.grouped())),
        None => UNDEFINED.to_owned(),
    }
}

/// `₹12.35 Cr`, `₹4.50 L`, or the full form below one lakh.
pub fn inr_short<T: IndianNumber>(amount: T) -> String {
    let Some(digits) = amount.digits() else {
        return UNDEFINED.to_owned();
    };
    let lakhs = digits.shifted(-LAKH_DIGITS);
    if lakhs.integer_is_zero() {
        return inr(amount);
    }
    let crores = digits.shifted(-CRORE_DIGITS).rounded(2);
    if !crores.integer_is_zero() {
        return with_sign(&crores, |d| format!("{RUPEE}{} Cr", d.grouped()));
    }
    with_sign(&lakhs.rounded(2), |d| format!("{RUPEE}{} L", d.grouped()))
}
/// A fraction as a percentage with two decimals: `0.1234 → "12.34%"`, `-0.005 → "-0.50%"`.
pub fn percent<T: IndianNumber>(fraction: T) -> String {
    match fraction.digits() {
        Some(digits) => with_sign(&digits.shifted(2).rounded(2), |d| {
            format!("{}%", d.grouped())
        }),
        None => UNDEFINED.to_owned(),
    }
}

/// The number with Indian grouping and `decimals` decimals, no symbol: `12,34,567.9`.
pub fn grouped<T: IndianNumber>(value: T, decimals: usize) -> String {
    match value.digits() {
        Some(digits) => with_sign(&digits.rounded(decimals), Digits::grouped),
        None => UNDEFINED.to_owned(),
    }
}

fn with_sign(digits: &Digits, body: impl Fn(&Digits) -> String) -> String {
    let text = body(digits);
    if digits.negative && !digits.is_zero() {
        format!("-{text}")
    } else {
        text
    }
}

/// A decimal number as digit strings: sign, integer digits (no leading zeros, at least one)
/// and fraction digits.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digits {
    negative: bool,
    integer: Vec<u8>,
    fraction: Vec<u8>,
}

impl Digits {
    /// Parses `-?\d+(\.\d*)?` (what Decimal and f64 print).
    fn parse(text: &str) -> Option<Self> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if integer.is_empty() || !is_digits(integer) || !is_digits(fraction) {
            return None;
        }
        let mut digits = Self {
            negative,
            integer: integer.bytes().map(|b| b - b'0').collect(),
            fraction: fraction.bytes().map(|b| b - b'0').collect(),
        };
        digits.normalise();
        Some(digits)
    }

    fn normalise(&mut self) {
        let leading = self.integer.iter().take_while(|&&d| d == 0).count();
        self.integer
            .drain(..leading.min(self.integer.len().saturating_sub(1)));
        if self.integer.is_empty() {
            self.integer.push(0);
        }
    }

    /// Multiplies by `10^places` (divides when negative) by moving the decimal point.
    fn shifted(&self, places: i32) -> Self {
        let mut all: Vec<u8> = self.integer.iter().chain(&self.fraction).copied().collect();
        let mut point = self.integer.len() as i64 + i64::from(places);
        if point < 0 {
            let pad = usize::try_from(-point).unwrap_or(0);
            all.splice(0..0, std::iter::repeat_n(0, pad));
            point = 0;
        }
        let point = usize::try_from(point).unwrap_or(0);
        if point > all.len() {
            all.resize(point, 0);
        }
        let fraction = all.split_off(point);
        let mut digits = Self {
            negative: self.negative,
            integer: all,
            fraction,
        };
        digits.normalise();
        digits
    }

    /// Rounded to `decimals` fraction digits, half away from zero, padded with zeros.
    fn rounded(&self, decimals: usize) -> Self {
        let mut integer = self.integer.clone();
        let mut fraction: Vec<u8> = self.fraction.iter().take(decimals).copied().collect();
        fraction.resize(decimals, 0);
        let round_up = self.fraction.get(decimals).is_some_and(|&d| d >= 5);
        if round_up {
            let mut carry = true;
            for digit in fraction.iter_mut().rev().chain(integer.iter_mut().rev()) {
                if *digit == 9 {
                    *digit = 0;
                } else {
                    *digit += 1;
                    carry = false;
                    break;
                }
            }
            if carry {
                integer.insert(0, 1);
            }
        }
        let mut digits = Self {
            negative: self.negative,
            integer,
            fraction,
        };
        digits.normalise();
        digits
    }

    fn is_zero(&self) -> bool {
        self.integer.iter().chain(&self.fraction).all(|&d| d == 0)
    }

    fn integer_is_zero(&self) -> bool {
        self.integer.iter().all(|&d| d == 0)
    }

    /// Integer part grouped the Indian way, then the fraction (without sign).
    fn grouped(&self) -> String {
        let integer: String = self.integer.iter().map(|d| char::from(b'0' + d)).collect();
        let mut out = String::with_capacity(integer.len() * 4 / 3 + self.fraction.len() + 2);
        let (head, last_three) = integer.split_at(integer.len().saturating_sub(3));
        let head_len = head.len();
        for (i, c) in head.chars().enumerate() {
            out.push(c);
            let remaining = head_len - i - 1;
            if remaining % 2 == 0 {
                out.push(',');
            }
        }
        out.push_str(last_three);
        if !self.fraction.is_empty() {
            out.push('.');
            out.extend(self.fraction.iter().map(|d| char::from(b'0' + d)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn full_rupees() {
        assert_eq!(inr(dec!(123456789.5)), "₹12,34,56,789.50");
        assert_eq!(inr(123456789.5_f64), "₹12,34,56,789.50");
        assert_eq!(inr(dec!(-1234)), "-₹1,234.00");
        assert_eq!(inr(dec!(0)), "₹0.00");
        assert_eq!(inr(dec!(-0.004)), "₹0.00");
        assert_eq!(inr(dec!(999.995)), "₹1,000.00");
        assert_eq!(inr(dec!(100000)), "₹1,00,000.00");
        assert_eq!(inr(dec!(12)), "₹12.00");
        assert_eq!(inr(1.005_f64), "₹1.01");
        assert_eq!(inr(-2.675_f64), "-₹2.68");
        assert_eq!(inr(1e-9_f64), "₹0.00");
        assert_eq!(inr(1e15_f64), "₹1,00,00,00,00,00,00,000.00");
        assert_eq!(inr(f64::NAN), UNDEFINED);
        assert_eq!(inr(None::<f64>), UNDEFINED);
        assert_eq!(inr(Some(dec!(5))), "₹5.00");
        assert_eq!(inr(1234567_i64), "₹12,34,567.00");
    }

    #[test]
    fn short_forms() {
        assert_eq!(inr_short(dec!(123456789)), "₹12.35 Cr");
        assert_eq!(inr_short(dec!(450000)), "₹4.50 L");
        assert_eq!(inr_short(dec!(99999)), "₹99,999.00");
        assert_eq!(inr_short(dec!(9999999.999)), "₹1.00 Cr");
        assert_eq!(inr_short(dec!(99999.999)), "₹1,00,000.00");
        assert_eq!(inr_short(dec!(999500)), "₹10.00 L");
        assert_eq!(inr_short(-123456789.0_f64), "-₹12.35 Cr");
        assert_eq!(inr_short(dec!(123456789012345)), "₹1,23,45,678.90 Cr");
        assert_eq!(inr_short(f64::INFINITY), UNDEFINED);
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(0.1234_f64), "12.34%");
        assert_eq!(percent(0.12345_f64), "12.35%");
        assert_eq!(percent(-0.005_f64), "-0.50%");
        assert_eq!(percent(dec!(0.0000001)), "0.00%");
        assert_eq!(percent(-0.00001_f64), "0.00%");
        assert_eq!(percent(12.5_f64), "1,250.00%");
        assert_eq!(percent(None::<f64>), UNDEFINED);
    }

    #[test]
    fn grouping() {
        assert_eq!(grouped(dec!(1234567.891), 1), "12,34,567.9");
        assert_eq!(grouped(dec!(123), 0), "123");
        assert_eq!(grouped(dec!(1234), 0), "1,234");
        assert_eq!(grouped(dec!(12345), 0), "12,345");
        assert_eq!(grouped(-0.5_f64, 0), "-1");
    }
}
