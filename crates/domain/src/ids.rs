//! Identifiers from the securities and tax world, validated on construction so an invalid one
//! cannot travel through the code: ISIN (ISO 6166) and PAN (India's Permanent Account Number).

use serde::{Deserialize, Serialize};

/// Why an identifier was refused, phrased for the person who has to fix the source data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an ISIN has 12 characters: 2 letters (country), 9 letters or digits, 1 check digit")]
    IsinShape,
    #[error("the ISIN check digit is wrong (expected {expected}); the code is mistyped")]
    IsinCheckDigit { expected: u8 },
    #[error("a PAN has 10 characters: 5 letters, 4 digits, 1 letter (e.g. ABCPE1234F)")]
    PanShape,
    #[error("the 4th character of a PAN gives the holder type (P, C, H, F, T, A, B, G, J, L); {found:?} is none of them")]
    PanHolderType { found: char },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Isin(String);

impl Isin {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let code = text.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        let shape_ok = bytes.len() == 12
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..11].iter().all(u8::is_ascii_alphanumeric)
            && bytes[11].is_ascii_digit();
        if !shape_ok {
            return Err(IdError::IsinShape);
        }
        let expected = isin_check_digit(&bytes[..11]);
        if bytes[11] - b'0' != expected {
            return Err(IdError::IsinCheckDigit { expected });
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The ISO 6166 check digit: letters become two digits (A = 10 … Z = 35), then the Luhn
/// algorithm runs over the digit string, doubling every second digit from the right.
pub fn isin_check_digit(payload: &[u8]) -> u8 {
    let mut digits = Vec::with_capacity(22);
    for &b in payload {
        if b.is_ascii_digit() {
            digits.push(b - b'0');
        } else {
            let v = b.to_ascii_uppercase().saturating_sub(b'A') + 10;
            digits.push(v / 10);
            digits.push(v % 10);
        }
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let twice = d * 2;
                twice / 10 + twice % 10
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl TryFrom<String> for Isin {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Isin::parse(&s)
    }
}

impl From<Isin> for String {
    fn from(isin: Isin) -> String {
        isin.0
    }
}

impl std::fmt::Display for Isin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pan(String);

/// PAN holder types (4th character): Person, Company, HUF, Firm, Trust, AOP, BOI, Government,
/// artificial Juridical person, Local authority.
const PAN_HOLDER_TYPES: &[u8] = b"PCHFTABGJL";

impl Pan {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let code = text.trim().to_ascii_uppercase();
        let b = code.as_bytes();
        let shape_ok = b.len() == 10
            && b[..5].iter().all(u8::is_ascii_uppercase)
            && b[5..9].iter().all(u8::is_ascii_digit)
            && b[9].is_ascii_uppercase();
        if !shape_ok {
            return Err(IdError::PanShape);
        }
        if !PAN_HOLDER_TYPES.contains(&b[3]) {
            return Err(IdError::PanHolderType {
                found: b[3] as char,
            });
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `ABCPE1234F` → `ABCPE****F`, for screens that need not show it whole.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..5], &self.0[9..])
    }
}

impl TryFrom<String> for Pan {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Pan::parse(&s)
    }
}

impl From<Pan> for String {
    fn from(pan: Pan) -> String {
        pan.0
    }
}

impl std::fmt::Display for Pan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_isins_pass_and_a_changed_digit_fails() {
        // Reliance Industries, Infosys, HDFC Bank, Apple (US), a mutual fund unit.
        for isin in [
            "INE002A01018",
            "INE009A01021",
            "INE040A01034",
            "US0378331005",
            "INF204K01EY0",
        ] {
            assert!(Isin::parse(isin).is_ok(), "{isin}");
        }
        assert_eq!(
            Isin::parse("INE002A01019"),
            Err(IdError::IsinCheckDigit { expected: 8 })
        );
        assert_eq!(Isin::parse("INE002A0101"), Err(IdError::IsinShape));
        assert_eq!(
            Isin::parse(" ine002a01018 ").map(|i| i.to_string()),
            Ok("INE002A01018".into())
        );
    }

    #[test]
    fn pans_need_shape_and_holder_type() {
        assert!(Pan::parse("ABCPE1234F").is_ok());
        assert!(Pan::parse("aahch1234k").is_ok());
        assert_eq!(Pan::parse("ABCPE12345"), Err(IdError::PanShape));
        assert_eq!(
            Pan::parse("ABCXE1234F"),
            Err(IdError::PanHolderType { found: 'X' })
        );
        assert_eq!(
            Pan::parse("ABCPE1234F").map(|p| p.masked()),
            Ok("ABCPE****F".into())
        );
    }
}
