//! Branded PDF reports, made in-process with typst as a library — no headless browser.
//!
//! A report is composed from the figures the use cases return (so a number in the PDF is the
//! number on the screen, formatted by the same functions), serialised as JSON and laid out by a
//! typst template embedded in the binary, with the fonts embedded too (Noto Sans for the ₹
//! sign, Noto Sans Devanagari for clients' names in Hindi or Marathi).
//!
//! - [`frame`]: branding, page numbers, data version and disclaimer on every page.
//! - [`statement`]: the client statement for a period.
//! - [`world`]: the typst world (fonts, templates, virtual files) and PDF export.
//!
//! The crate does no I/O and checks no permissions: the service layer gathers the figures in
//! the caller's scope and audits the report.

mod error;
pub mod frame;
pub mod statement;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod world;

pub use error::ReportError;
pub use frame::ReportMeta;
pub use world::LogoImage;
