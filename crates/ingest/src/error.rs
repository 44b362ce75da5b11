//! Errors of ingestion: the row-level problems that reject a file, and the failures that stop a
//! job.

use serde::{Deserialize, Serialize};

/// One problem with one input row (or the whole file when `line` is `None`): where it is, what
/// was found, and why it is wrong, in words a data steward can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based line in the file, the header being line 1 (for XLSX: the sheet row). `None`
    /// for problems with the file as a whole (missing column, unreadable file).
    pub line: Option<u64>,
    /// The column as named in the file.
    pub column: Option<String>,
    /// The offending value, as found.
    pub value: Option<String>,
    /// What is wrong and how to fix it.
    pub reason: String,
}

impl RowError {
    pub fn at(
        line: u64,
        column: impl Into<String>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            line: Some(line),
            column: Some(column.into()),
            value: Some(value.into()),
            reason: reason.into(),
        }
    }

    pub fn row(line: u64, reason: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            column: None,
            value: None,
            reason: reason.into(),
        }
    }

    pub fn file(reason: impl Into<String>) -> Self {
        Self {
            line: None,
            column: None,
            value: None,
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}")?,
            None => write!(f, "file")?,
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        if let Some(value) = &self.value {
            write!(f, ", value {value:?}")?;
        }
        write!(f, ": {}", self.reason)
    }
}
