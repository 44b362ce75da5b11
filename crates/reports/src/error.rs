//! Why a report could not be produced.

/// A report that could not be produced, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The figures could not be handed to the template (a bug, not the user's doing).
    #[error("the report's figures could not be prepared: {0}")]
    Data(String),
    /// typst could not lay the report out (a bug in a template, not the user's doing).
    #[error("the report could not be laid out: {0}")]
    Layout(String),
}
