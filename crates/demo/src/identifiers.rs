//! Identifiers in the formats the real systems use: ISINs with their ISO 6166 check digit,
//! PANs with the holder-type letter, and 18-character Salesforce record Ids.

/// The ISO 6166 check digit of an ISIN's first 11 characters (the one implementation lives in
/// `pms_domain::ids`). `None` when the body is not 11 upper-case letters or digits.
pub fn isin_check_digit(body: &str) -> Option<u8> {
    let valid = body.len() == 11
        && body
            .bytes()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
    valid.then(|| pms_domain::ids::isin_check_digit(body.as_bytes()))
}

/// Whether `isin` is 12 characters with a correct check digit.
pub fn is_valid_isin(isin: &str) -> bool {
    isin.len() == 12 && pms_domain::ids::Isin::parse(isin).is_ok_and(|i| i.as_str() == isin)
}

/// Completes an 11-character body with its check digit.
pub(crate) fn isin(body: &str) -> String {
    let check = isin_check_digit(body).unwrap_or(0);
    format!("{body}{check}")
}

/// The holder-type letter, the 4th character of a PAN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanHolder {
    Individual,
    Huf,
    Company,
    Trust,
    Firm,
}

impl PanHolder {
    pub fn letter(self) -> u8 {
        match self {
            PanHolder::Individual => b'P',
            PanHolder::Huf => b'H',
            PanHolder::Company => b'C',
            PanHolder::Trust => b'T',
            PanHolder::Firm => b'F',
        }
    }
}

/// Whether `pan` has the shape `AAAAA9999A` with a known holder-type letter.
pub fn is_valid_pan(pan: &str) -> bool {
    let b = pan.as_bytes();
    b.len() == 10
        && b[..5].iter().all(u8::is_ascii_uppercase)
        && b[5..9].iter().all(u8::is_ascii_digit)
        && b[9].is_ascii_uppercase()
        && b"PCHFATBLJG".contains(&b[3])
}

/// A PAN unique to `serial` (< 26³ · 10⁴): the serial fills the three-letter sequence and
/// the four digits; the 5th letter is the initial of the surname (individuals) or of the
/// name; the last letter is a check character, which the Income Tax Department does not
/// publish, so any letter stands in for it.
pub(crate) fn pan(serial: u64, holder: PanHolder, initial: u8, last: u8) -> String {
    const SPACE: u64 = 26 * 26 * 26 * 10_000;
    // An affine bijection scatters consecutive serials over the whole space.
    let n = (serial.wrapping_mul(2_654_435_761) + 12_345_678) % SPACE;
    let digits = n % 10_000;
    let mut letters = n / 10_000;
    let mut out = [0u8; 10];
    for slot in out[..3].iter_mut().rev() {
        *slot = b'A' + (letters % 26) as u8;
        letters /= 26;
    }
    out[3] = holder.letter();
    out[4] = if initial.is_ascii_uppercase() {
        initial
    } else {
        b'X'
    };
    let d = format!("{digits:04}");
    out[5..9].copy_from_slice(d.as_bytes());
    out[9] = b'A' + last % 26;
    String::from_utf8_lossy(&out).into_owned()
}

/// Salesforce's 3-character case-safe suffix of a 15-character Id: for each 5-character chunk,
/// a bit per upper-case letter (first character = lowest bit), mapped into `A–Z0–5`.
pub fn salesforce_suffix(id15: &str) -> Option<String> {
    const MAP: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    if id15.len() != 15 || !id15.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let suffix = id15
        .as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            MAP[bits] as char
        })
        .collect();
    Some(suffix)
}

/// Hands out Salesforce Ids of one object: key prefix, a pod, a reserved `0`, and a base-62
/// counter, completed with the case-safe suffix. Consecutive records get consecutive Ids, as
/// they do in an org.
pub(crate) struct SfIds {
    prefix: &'static str,
    next: u64,
}

impl SfIds {
    pub(crate) fn new(prefix: &'static str, start: u64) -> Self {
        Self {
            prefix,
            next: start,
        }
    }

    pub(crate) fn next_id(&mut self) -> String {
        const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut n = self.next;
        self.next += 1;
        let mut counter = [b'0'; 9];
        for slot in counter.iter_mut().rev() {
            *slot = B62[(n % 62) as usize];
            n /= 62;
        }
        let id15 = format!("{}8d0{}", self.prefix, String::from_utf8_lossy(&counter));
        let suffix = salesforce_suffix(&id15).unwrap_or_default();
        id15 + &suffix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isin_check_digits_of_known_isins() {
        for known in [
            "US0378331005", // Apple
            "INE002A01018", // Reliance Industries
            "INE009A01021", // Infosys
            "AU0000XVGZA3", // ISO 6166 example with letters in the body
            "GB0002634946", // BAE Systems
            "US5949181045", // Microsoft
        ] {
            assert!(is_valid_isin(known), "{known}");
            assert_eq!(isin(&known[..11]), known);
        }
        assert!(!is_valid_isin("INE002A01019"));
        assert!(!is_valid_isin("INE002A0101"));
        assert!(!is_valid_isin("ine002A01018"));
    }

    #[test]
    fn isin_check_digit_catches_single_changes() {
        let good = "INE467B01029";
        assert!(is_valid_isin(good));
        for pos in 2..11 {
            let mut b = good.as_bytes().to_vec();
            b[pos] = if b[pos] == b'1' { b'2' } else { b'1' };
            let changed = String::from_utf8(b).unwrap();
            assert!(!is_valid_isin(&changed), "{changed}");
        }
    }

    #[test]
    fn pans_are_well_formed_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for serial in 0..50_000u64 {
            let p = pan(serial, PanHolder::Individual, b'S', serial as u8);
            assert!(is_valid_pan(&p), "{p}");
            assert_eq!(p.as_bytes()[3], b'P');
            assert_eq!(p.as_bytes()[4], b'S');
            assert!(seen.insert(p[..3].to_string() + &p[5..9]));
        }
        assert_eq!(pan(1, PanHolder::Huf, b'A', 0).as_bytes()[3], b'H');
        assert!(!is_valid_pan("ABCDE1234"));
        assert!(!is_valid_pan("ABCQE1234F"));
    }

    #[test]
    fn salesforce_ids_have_case_safe_suffix() {
        assert_eq!(salesforce_suffix("001000000000000").as_deref(), Some("AAA"));
        // Last chunk "0AAAA": bits 1–4 set = 30 → '4'.
        assert_eq!(salesforce_suffix("00100000000AAAA").as_deref(), Some("AA4"));
        // First chunk "A0000": bit 0 → 'B'; second "0000B": bit 4 → 'Q'.
        assert_eq!(salesforce_suffix("A00000000B00000").as_deref(), Some("BQA"));
        let mut ids = SfIds::new("005", 1_000_000);
        let a = ids.next_id();
        let b = ids.next_id();
        assert_eq!(a.len(), 18);
        assert!(a.starts_with("0058d0"));
        assert_ne!(a, b);
        assert_eq!(salesforce_suffix(&a[..15]).unwrap(), &a[15..]);
    }
}
