//! Salesforce record Ids.
//!
//! Every Salesforce record has a 15-character case-sensitive Id; the API and Data Loader give
//! the 18-character form, which appends a 3-character checksum of the letter case so the Id
//! survives case-insensitive tools (Excel, most databases). Reports export the 15-character
//! form. We store the 18-character form everywhere so that a record keeps one key whichever way
//! it arrived.

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Why a string is not a Salesforce Id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SfIdError {
    /// Not 15 or 18 characters long.
    Length(usize),
    /// Holds something other than ASCII letters and digits.
    Characters,
    /// An 18-character Id whose last three characters do not match the case of the first 15:
    /// usually an Id whose case was changed by a spreadsheet or a case-insensitive tool.
    Checksum,
}

impl std::fmt::Display for SfIdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SfIdError::Length(n) => write!(f, "a Salesforce Id has 15 or 18 characters, this one has {n}"),
            SfIdError::Characters => write!(f, "a Salesforce Id holds only letters A-Z, a-z and digits"),
            SfIdError::Checksum => write!(
                f,
                "the last 3 characters of this 18-character Id do not match the letter case of the first 15; \
                 the Id was probably altered (for example upper-cased by a spreadsheet): export it again"
            ),
        }
    }
}

/// The 3-character case checksum of a 15-character Id (which must be ASCII alphanumeric).
fn checksum(id15: &[u8]) -> [u8; 3] {
    let mut suffix = [0u8; 3];
    for (chunk_no, chunk) in id15.chunks(5).take(3).enumerate() {
        let bits = chunk
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .fold(0usize, |acc, (i, _)| acc | (1 << i));
        suffix[chunk_no] = SUFFIX_ALPHABET[bits & 31];
    }
    suffix
}

/// Checks a 15- or 18-character Salesforce Id and returns its 18-character form.
///
/// ```
/// use pms_ingest::source::salesforce::id::normalize_id;
/// assert_eq!(normalize_id("001D000000IRFma").unwrap(), "001D000000IRFmaIAH");
/// assert_eq!(normalize_id("001D000000IRFmaIAH").unwrap(), "001D000000IRFmaIAH");
/// assert!(normalize_id("001D000000IRFMAIAH").is_err());
/// ```
pub fn normalize_id(raw: &str) -> Result<String, SfIdError> {
    let bytes = raw.as_bytes();
    if !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return Err(SfIdError::Characters);
    }
    match bytes.len() {
        15 => {
            let suffix = checksum(bytes);
            let mut id = String::with_capacity(18);
            id.push_str(raw);
            id.extend(suffix.iter().map(|&b| b as char));
            Ok(id)
        }
        18 => {
            // The checksum is itself upper-case letters and digits; compare ignoring case so an
            // Id whose suffix alone was lower-cased is still accepted (and repaired).
            let (head, tail) = bytes.split_at(15);
            if checksum(head).eq_ignore_ascii_case(tail) {
                let mut id = String::with_capacity(18);
                id.push_str(&raw[..15]);
                id.extend(checksum(head).iter().map(|&b| b as char));
                Ok(id)
            } else {
                Err(SfIdError::Checksum)
            }
        }
        n => Err(SfIdError::Length(n)),
    }
}

/// The key prefix (first three characters) Salesforce gives every record of an object:
/// `005` User, `001` Account, `003` Contact, `00T` Task, `00U` Event.
pub fn key_prefix(object: super::records::SfObject) -> &'static str {
    use super::records::SfObject;
    match object {
        SfObject::User => "005",
        SfObject::Account => "001",
        SfObject::Contact => "003",
        SfObject::Task => "00T",
        SfObject::Event => "00U",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example_round_trips() {
        // The example Salesforce's REST documentation uses.
        assert_eq!(
            normalize_id("001D000000IRFma").unwrap(),
            "001D000000IRFmaIAH"
        );
        assert_eq!(
            normalize_id("001D000000IRFmaIAH").unwrap(),
            "001D000000IRFmaIAH"
        );
        assert_eq!(
            normalize_id("001D000000IRFmaiah").unwrap(),
            "001D000000IRFmaIAH"
        );
    }

    #[test]
    fn rejects_bad_ids() {
        assert_eq!(normalize_id("001D00"), Err(SfIdError::Length(6)));
        assert_eq!(normalize_id("001D000000IRFm-"), Err(SfIdError::Characters));
        assert_eq!(normalize_id("001D000000IRFMAIAH"), Err(SfIdError::Checksum));
        assert_eq!(normalize_id(""), Err(SfIdError::Length(0)));
    }
}
