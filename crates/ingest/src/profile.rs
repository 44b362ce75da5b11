//! Column-mapping profiles: how a firm's Wealth Spectrum exports map onto the fields the Hub
//! reads (headers, synonyms for coded values, date formats, the sign convention). Profiles are
//! versioned TOML files; `profiles/wealth-spectrum-default.toml` ships and is the default.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::report::{FieldKind, ReportKind};

const DEFAULT_PROFILE: &str = include_str!("../profiles/wealth-spectrum-default.toml");

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountConvention {
    #[default]
    Magnitude,
    Signed,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum Headers {
    One(String),
    Many(Vec<String>),
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportProfile {
    sheet: Option<String>,
    #[serde(default)]
    file_patterns: Vec<String>,
    #[serde(default)]
    columns: BTreeMap<String, Headers>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    version: u32,
    #[serde(default)]
    description: String,
    date_formats: Vec<String>,
    #[serde(default)]
    amount_convention: AmountConvention,
    #[serde(default)]
    reports: BTreeMap<String, ReportProfile>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("the profile is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("the profile names an unknown report {0:?}; reports are: client_master, security_master, holdings, transactions, valuations, benchmark_levels, security_prices")]
    UnknownReport(String),
    #[error("report {report}: unknown field {field:?}")]
    UnknownField { report: &'static str, field: String },
    #[error("report {report}, field {field}: {value:?} maps to {canonical:?}, which is not one of {allowed:?}")]
    BadValue {
        report: &'static str,
        field: String,
        value: String,
        canonical: String,
        allowed: &'static [&'static str],
    },
    #[error("report {report}, field {field}: only coded fields (choices) take value synonyms")]
    NotAChoice { report: &'static str, field: String },
    #[error("the profile lists no date formats")]
    NoDateFormats,
}

/// A validated profile.
#[derive(Clone, Debug)]
pub struct Profile {
    file: ProfileFile,
}

/// Headers compare equal ignoring case, spaces, hyphens, underscores and dots.
pub fn normalise_header(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

impl Profile {
    /// The profile that ships with the Hub.
    pub fn default_profile() -> Self {
        // The shipped file is checked by a unit test, so this cannot fail in a released build.
        Self::from_toml(DEFAULT_PROFILE).expect("the shipped default profile is valid")
    }

    pub fn from_toml(text: &str) -> Result<Self, ProfileError> {
        let file: ProfileFile = toml::from_str(text)?;
        if file.date_formats.is_empty() {
            return Err(ProfileError::NoDateFormats);
        }
        for (report_code, report) in &file.reports {
            let kind = ReportKind::from_code(report_code)
                .ok_or_else(|| ProfileError::UnknownReport(report_code.clone()))?;
            for field in report.columns.keys().chain(report.values.keys()) {
                if kind.field(field).is_none() {
                    return Err(ProfileError::UnknownField {
                        report: kind.code(),
                        field: field.clone(),
                    });
                }
            }
            for (field, map) in &report.values {
                let Some(FieldKind::Choice(allowed)) = kind.field(field).map(|f| f.kind) else {
                    return Err(ProfileError::NotAChoice {
                        report: kind.code(),
                        field: field.clone(),
                    });
                };
                for (value, canonical) in map {
                    if !allowed.contains(&canonical.as_str()) {
                        return Err(ProfileError::BadValue {
                            report: kind.code(),
                            field: field.clone(),
                            value: value.clone(),
                            canonical: canonical.clone(),
                            allowed,
                        });
                    }
                }
            }
        }
        Ok(Self { file })
    }

    /// `name@version`, recorded on every ingest job.
    pub fn id(&self) -> String {
        format!("{}@{}", self.file.name, self.file.version)
    }

    pub fn description(&self) -> &str {
        &self.file.description
    }

    pub fn date_formats(&self) -> &[String] {
        &self.file.date_formats
    }

    pub fn amount_convention(&self) -> AmountConvention {
        self.file.amount_convention
    }

    fn report(&self, kind: ReportKind) -> Option<&ReportProfile> {
        self.file.reports.get(kind.code())
    }

    /// The XLSX sheet to read, if the profile names one.
    pub fn sheet(&self, kind: ReportKind) -> Option<&str> {
        self.report(kind).and_then(|r| r.sheet.as_deref())
    }

    /// The headers that may carry `field`, normalised: the profile's, plus the standard one.
    pub fn headers_for(&self, kind: ReportKind, field: &str) -> Vec<String> {
        let mut headers: Vec<String> = match self.report(kind).and_then(|r| r.columns.get(field)) {
            Some(Headers::One(h)) => vec![normalise_header(h)],
            Some(Headers::Many(hs)) => hs.iter().map(|h| normalise_header(h)).collect(),
            None => Vec::new(),
        };
        if let Some(spec) = kind.field(field) {
            let standard = normalise_header(spec.header);
            if !headers.contains(&standard) {
                headers.push(standard);
            }
        }
        headers
    }

    /// The canonical value a firm's word stands for, via the profile's synonyms.
    pub fn synonym(&self, kind: ReportKind, field: &str, raw: &str) -> Option<&str> {
        let wanted = normalise_header(raw);
        self.report(kind)?
            .values
            .get(field)?
            .iter()
            .find(|(word, _)| normalise_header(word) == wanted)
            .map(|(_, canonical)| canonical.as_str())
    }

    /// Which report a file name suggests (`*` matches any run of characters; case-insensitive).
    pub fn report_for_file_name(&self, file_name: &str) -> Option<ReportKind> {
        let name = file_name.to_lowercase();
        ReportKind::ALL.into_iter().find(|kind| {
            self.report(*kind).is_some_and(|r| {
                r.file_patterns
                    .iter()
                    .any(|p| glob_match(&p.to_lowercase(), &name))
            })
        })
    }
}

fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    pattern.ends_with('*') || rest.is_empty() || parts.len() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_profile_is_valid_and_maps_synonyms_and_headers() {
        let p = Profile::default_profile();
        assert_eq!(p.id(), "wealth-spectrum-default@1");
        assert_eq!(
            p.synonym(ReportKind::Transactions, "txn_type", "purchase"),
            Some("BUY")
        );
        assert_eq!(
            p.synonym(ReportKind::Transactions, "txn_type", "Capital Inflow"),
            Some("INFLOW")
        );
        assert!(p
            .headers_for(ReportKind::Transactions, "txn_ref")
            .contains(&"TRANSACTIONID".to_string()));
        assert_eq!(
            p.headers_for(ReportKind::Valuations, "market_value"),
            vec!["MARKETVALUE".to_string()]
        );
    }

    #[test]
    fn file_names_suggest_reports() {
        let p = Profile::default_profile();
        assert_eq!(
            p.report_for_file_name("WS_Transactions_20261120.csv"),
            Some(ReportKind::Transactions)
        );
        assert_eq!(
            p.report_for_file_name("client_master.xlsx"),
            Some(ReportKind::ClientMaster)
        );
        assert_eq!(
            p.report_for_file_name("daily_nav_report.csv"),
            Some(ReportKind::Valuations)
        );
        assert_eq!(p.report_for_file_name("notes.txt"), None);
    }

    #[test]
    fn bad_profiles_are_refused_with_reasons() {
        let base = "name = \"x\"\nversion = 2\ndate_formats = [\"%d-%m-%Y\"]\n";
        assert!(matches!(
            Profile::from_toml(&format!("{base}[reports.trades]\n")),
            Err(ProfileError::UnknownReport(r)) if r == "trades"
        ));
        assert!(matches!(
            Profile::from_toml(&format!(
                "{base}[reports.transactions.columns]\nfoo = \"FOO\"\n"
            )),
            Err(ProfileError::UnknownField { .. })
        ));
        assert!(matches!(
            Profile::from_toml(&format!(
                "{base}[reports.transactions.values.txn_type]\nPUR = \"PURCHASE\"\n"
            )),
            Err(ProfileError::BadValue { .. })
        ));
        assert!(Profile::from_toml("name = \"x\"\nversion = 1\ndate_formats = []\n").is_err());
    }
}
