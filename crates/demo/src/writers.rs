//! Writing the files: a fast CSV row writer for the large Wealth Spectrum reports (tens of
//! millions of rows, so no per-field allocation and no generic quoting: every field is known
//! to need none, except grouped amounts, which are quoted), Salesforce Data Loader CSVs via the
//! `csv` crate (names and subjects may contain anything), and the two XLSX reports.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::DemoError;

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A CSV file written row by row with hand-rolled number formatting.
pub(crate) struct CsvSink {
    path: PathBuf,
    out: BufWriter<File>,
    line: Vec<u8>,
    rows: u64,
}

impl CsvSink {
    pub(crate) fn create(path: &Path, header: &[&str]) -> Result<Self, DemoError> {
        let file = File::create(path).map_err(io_error(path))?;
        let mut sink = Self {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 20, file),
            line: Vec::with_capacity(256),
            rows: 0,
        };
        for h in header {
            sink.text(h);
        }
        sink.line.push(b'\n');
        sink.out.write_all(&sink.line).map_err(io_error(path))?;
        sink.line.clear();
        Ok(sink)
    }

    fn sep(&mut self) {
        if !self.line.is_empty() {
            self.line.push(b',');
        }
    }

    /// A field that needs no quoting (codes, dates, ISINs).
    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        debug_assert!(!s.contains([',', '"', '\n']), "{s}");
        self.sep();
        self.line.extend_from_slice(s.as_bytes());
        self
    }

    pub(crate) fn empty(&mut self) -> &mut Self {
        self.sep();
        self
    }

    /// `value × 10^-decimals` as a plain decimal (`-1234.50`).
    pub(crate) fn fixed(&mut self, value: i64, decimals: u32) -> &mut Self {
        self.sep();
        push_fixed(&mut self.line, value, decimals, false);
        self
    }

    /// Paise as rupees with Indian digit grouping (`"12,34,567.50"`), quoted when grouped.
    pub(crate) fn indian(&mut self, paise: i64) -> &mut Self {
        self.sep();
        let grouped = paise.unsigned_abs() >= 100_000;
        if grouped {
            self.line.push(b'"');
        }
        push_fixed(&mut self.line, paise, 2, true);
        if grouped {
            self.line.push(b'"');
        }
        self
    }

    pub(crate) fn end_row(&mut self) -> Result<(), DemoError> {
        self.line.push(b'\n');
        self.out
            .write_all(&self.line)
            .map_err(io_error(&self.path))?;
        self.line.clear();
        self.rows += 1;
        Ok(())
    }

    /// Flushes and returns the number of data rows.
    pub(crate) fn finish(mut self) -> Result<u64, DemoError> {
        self.out.flush().map_err(io_error(&self.path))?;
        Ok(self.rows)
    }
}

fn push_fixed(out: &mut Vec<u8>, value: i64, decimals: u32, indian: bool) {
    if value < 0 {
        out.push(b'-');
    }
    let v = value.unsigned_abs();
    let scale = 10u64.pow(decimals);
    let (int, frac) = (v / scale, v % scale);
    let mut digits = [0u8; 24];
    let mut n = 0;
    let mut x = int;
    loop {
        digits[n] = b'0' + (x % 10) as u8;
        n += 1;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    // digits[..n] holds the integer part, least significant first.
    for i in (0..n).rev() {
        out.push(digits[i]);
        // Indian grouping: a comma before the last three digits, then every two.
        if indian && i > 0 && (i == 3 || (i > 3 && (i - 3) % 2 == 0)) {
            out.push(b',');
        }
    }
    if decimals > 0 {
        out.push(b'.');
        let mut f = [b'0'; 12];
        let mut x = frac;
        for slot in f[..decimals as usize].iter_mut().rev() {
            *slot = b'0' + (x % 10) as u8;
            x /= 10;
        }
        out.extend_from_slice(&f[..decimals as usize]);
    }
}

/// Formats like [`CsvSink::fixed`], for tests and other writers.
pub(crate) fn fixed_string(value: i64, decimals: u32, indian: bool) -> String {
    let mut out = Vec::new();
    push_fixed(&mut out, value, decimals, indian);
    String::from_utf8_lossy(&out).into_owned()
}

/// A Salesforce Data Loader export: API names as headers, every field quoted, LF line ends.
pub(crate) struct SfCsv {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
    rows: u64,
}

impl SfCsv {
    pub(crate) fn create(path: &Path, header: &[&str]) -> Result<Self, DemoError> {
        let file = File::create(path).map_err(io_error(path))?;
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(BufWriter::new(file));
        writer
            .write_record(header)
            .map_err(|e| csv_error(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            writer,
            rows: 0,
        })
    }

    pub(crate) fn row(&mut self, fields: &[&str]) -> Result<(), DemoError> {
        self.writer
            .write_record(fields)
            .map_err(|e| csv_error(&self.path, e))?;
        self.rows += 1;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<u64, DemoError> {
        self.writer.flush().map_err(io_error(&self.path))?;
        Ok(self.rows)
    }
}

fn csv_error(path: &Path, e: csv::Error) -> DemoError {
    DemoError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    }
}

/// A typed XLSX cell.
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

/// One sheet written row by row, then saved.
pub(crate) struct Xlsx {
    path: PathBuf,
    workbook: Workbook,
    date: Format,
    rows: u32,
}

impl Xlsx {
    /// A workbook with one sheet named `sheet`, a bold header row frozen in place, and the
    /// creation time pinned to `as_of` so that the bytes do not depend on the clock.
    pub(crate) fn create(
        path: &Path,
        sheet: &str,
        header: &[&str],
        widths: &[f64],
        as_of: NaiveDate,
    ) -> Result<Self, DemoError> {
        let err = |e| xlsx_error(path, e);
        let mut workbook = Workbook::new();
        let created =
            ExcelDateTime::from_ymd(as_of.year() as u16, as_of.month() as u8, as_of.day() as u8)
                .map_err(err)?;
        let properties = DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("Wealth Spectrum")
            .set_title(sheet);
        workbook.set_properties(&properties);
        let bold = Format::new().set_bold();
        let sheet_ref: &mut Worksheet =
            workbook.add_worksheet_with_constant_memory().map_err(err)?;
        sheet_ref.set_name(sheet).map_err(err)?;
        for (c, h) in header.iter().enumerate() {
            sheet_ref
                .write_string_with_format(0, c as u16, *h, &bold)
                .map_err(err)?;
            sheet_ref
                .set_column_width(c as u16, widths.get(c).copied().unwrap_or(14.0))
                .map_err(err)?;
        }
        sheet_ref.set_freeze_panes(1, 0).map_err(err)?;
        Ok(Self {
            path: path.to_path_buf(),
            workbook,
            date: Format::new().set_num_format("dd-mm-yyyy"),
            rows: 0,
        })
    }

    pub(crate) fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), DemoError> {
        let path = self.path.clone();
        let err = |e| xlsx_error(&path, e);
        let row = self.rows + 1;
        let sheet = self.workbook.worksheet_from_index(0).map_err(err)?;
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) if !s.is_empty() => {
                    sheet.write_string(row, col, *s).map_err(err)?;
                }
                Cell::Number(x) => {
                    sheet.write_number(row, col, *x).map_err(err)?;
                }
                Cell::Date(d) => {
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(err)?;
                    sheet
                        .write_datetime_with_format(row, col, &dt, &self.date)
                        .map_err(err)?;
                }
                Cell::Text(_) | Cell::Empty => {}
            }
        }
        self.rows += 1;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<u64, DemoError> {
        self.workbook
            .save(&self.path)
            .map_err(|e| xlsx_error(&self.path, e))?;
        Ok(u64::from(self.rows))
    }
}

fn xlsx_error(path: &Path, e: XlsxError) -> DemoError {
    DemoError::Xlsx {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_and_indian_grouping() {
        assert_eq!(fixed_string(123456750, 2, true), "12,34,567.50");
        assert_eq!(fixed_string(12345675000, 2, true), "12,34,56,750.00");
        assert_eq!(fixed_string(99999, 2, true), "999.99");
        assert_eq!(fixed_string(100000, 2, true), "1,000.00");
        assert_eq!(fixed_string(5, 2, false), "0.05");
        assert_eq!(fixed_string(-123456750, 2, false), "-1234567.50");
        assert_eq!(fixed_string(1234567, 3, false), "1234.567");
        assert_eq!(fixed_string(42, 0, false), "42");
        assert_eq!(fixed_string(0, 2, true), "0.00");
    }
}
