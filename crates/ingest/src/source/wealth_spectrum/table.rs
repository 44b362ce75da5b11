//! Reading a report file as a table of cells, whatever its format: CSV (delimiter sniffed from
//! the header line, UTF-8 with or without BOM) or a spreadsheet (XLSX, XLS, ODS via calamine,
//! where cells may already be numbers or dates). Line numbers are the file's own, header = 1.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use calamine::{open_workbook_auto, Data, DataType, Reader};
use chrono::NaiveDate;

use crate::error::RowError;

/// One cell as the file holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

impl Cell<'_> {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, borrowed where it already is text.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(t) => Cow::Borrowed(t.as_ref()),
            other => Cow::Owned(other.display()),
        }
    }

    /// The cell as text, for error messages.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// Row access shared by both formats.
pub trait RowView {
    fn cell(&self, index: usize) -> Cell<'_>;
}

/// What a reader calls for every data row: the line number and the row.
pub type RowVisitor<'v> = dyn FnMut(u64, &dyn RowView) -> std::ops::ControlFlow<()> + 'v;

/// An open report file.
pub enum Table {
    Csv {
        reader: csv::Reader<Tap>,
        recent: Arc<Mutex<Recent>>,
        headers: Vec<String>,
    },
    Sheet {
        rows: Vec<Vec<Data>>,
        first_line: u64,
        headers: Vec<String>,
    },
    /// Records fetched from an API: one JSON object per row, keyed by column name.
    Records {
        rows: Vec<Vec<serde_json::Value>>,
        headers: Vec<String>,
    },
}

impl Table {
    /// Opens `path`, choosing the format by extension; `sheet` picks a spreadsheet's sheet
    /// (else the first one).
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<Table, RowError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Self::open_sheet(path, sheet),
            _ => {
                let file = std::fs::File::open(path)
                    .map_err(|e| RowError::file(format!("cannot open {}: {e}", path.display())))?;
                Self::from_csv(Box::new(file))
            }
        }
    }

    /// Reads CSV from any byte stream.
    pub fn from_csv(input: Box<dyn Read + Send>) -> Result<Table, RowError> {
        let mut buffered = BufReader::with_capacity(1 << 20, input);
        let delimiter = sniff_delimiter(
            buffered
                .fill_buf()
                .map_err(|e| RowError::file(format!("cannot read the file: {e}")))?,
        );
        let recent = Arc::new(Mutex::new(Recent::default()));
        let tap = Tap {
            inner: Box::new(buffered),
            recent: recent.clone(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(tap);
        let headers = reader
            .headers()
            .map_err(|e| {
                RowError::file(format!("the header line cannot be read as CSV text: {e}"))
            })?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
            .collect::<Vec<_>>();
        if headers.iter().all(String::is_empty) {
            return Err(RowError::file("the file is empty: expected a header line"));
        }
        Ok(Table::Csv {
            reader,
            recent,
            headers,
        })
    }

    fn open_sheet(path: &Path, sheet: Option<&str>) -> Result<Table, RowError> {
        let mut workbook = open_workbook_auto(path).map_err(|e| {
            RowError::file(format!(
                "cannot open {} as a spreadsheet: {e}",
                path.display()
            ))
        })?;
        let names = workbook.sheet_names();
        let name = match sheet {
            Some(wanted) if names.iter().any(|n| n == wanted) => wanted.to_owned(),
            _ => names
                .first()
                .cloned()
                .ok_or_else(|| RowError::file("the workbook has no sheets"))?,
        };
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| RowError::file(format!("cannot read sheet {name:?}: {e}")))?;
        let first_line = range
            .start()
            .map(|(row, _)| u64::from(row) + 1)
            .unwrap_or(1);
        let mut rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        if rows.is_empty() {
            return Err(RowError::file(format!(
                "sheet {name:?} is empty: expected a header row"
            )));
        }
        let headers = rows
            .remove(0)
            .iter()
            .map(|c| c.to_string().trim().to_owned())
            .collect();
        Ok(Table::Sheet {
            rows,
            first_line,
            headers,
        })
    }

    /// A table of JSON records; the columns are every key seen, in order of first appearance.
    pub fn from_records(records: Vec<serde_json::Map<String, serde_json::Value>>) -> Table {
        let mut headers: Vec<String> = Vec::new();
        for record in &records {
            for key in record.keys() {
                if !headers.contains(key) {
                    headers.push(key.clone());
                }
            }
        }
        let rows = records
            .into_iter()
            .map(|mut r| {
                headers
                    .iter()
                    .map(|h| r.remove(h).unwrap_or(serde_json::Value::Null))
                    .collect()
            })
            .collect();
        Table::Records { rows, headers }
    }

    pub fn headers(&self) -> &[String] {
        match self {
            Table::Csv { headers, .. }
            | Table::Sheet { headers, .. }
            | Table::Records { headers, .. } => headers,
        }
    }

    /// Calls `visit` for every non-blank data row until it breaks. A row that is not valid
    /// text stops the read with a file-level error naming the line.
    pub fn for_each_row(&mut self, visit: &mut RowVisitor<'_>) -> Result<(), RowError> {
        match self {
            Table::Csv { reader, recent, .. } => {
                let mut record = csv::ByteRecord::new();
                loop {
                    match reader.read_byte_record(&mut record) {
                        Ok(false) => return Ok(()),
                        Ok(true) => {
                            let line = record
                                .position()
                                .map(|p| start_line(recent, p))
                                .unwrap_or(0);
                            let row = CsvRow::new(&record).map_err(|field| {
                                RowError::row(
                                    line,
                                    format!(
                                        "field {} is not UTF-8 text; export the file as UTF-8",
                                        field + 1
                                    ),
                                )
                            })?;
                            if row.is_blank() {
                                continue;
                            }
                            if visit(line, &row).is_break() {
                                return Ok(());
                            }
                        }
                        Err(e) => {
                            let line = e.position().map(|p| p.line());
                            return Err(RowError {
                                line,
                                column: None,
                                value: None,
                                reason: format!("the file is not valid CSV here: {e}"),
                            });
                        }
                    }
                }
            }
            Table::Records { rows, .. } => {
                for (i, row) in rows.iter().enumerate() {
                    // Record n is reported as line n + 1, as if a header were line 1.
                    if visit(i as u64 + 2, &JsonRow(row)).is_break() {
                        break;
                    }
                }
                Ok(())
            }
            Table::Sheet {
                rows, first_line, ..
            } => {
                for (i, row) in rows.iter().enumerate() {
                    let view = SheetRow(row);
                    if row.iter().all(|c| matches!(c, Data::Empty)) {
                        continue;
                    }
                    if visit(*first_line + 1 + i as u64, &view).is_break() {
                        break;
                    }
                }
                Ok(())
            }
        }
    }
}

/// The bytes the CSV parser read most recently, with the stream offset of the first one.
#[derive(Default)]
pub struct Recent {
    base: u64,
    bytes: Vec<u8>,
}

const RECENT_KEEP: usize = 256 * 1024;

/// Passes bytes to the CSV parser and remembers the last ones it read, so a record's true
/// first line can be found: the parser places a record right after the previous one, before
/// any blank lines it skipped.
pub struct Tap {
    inner: Box<dyn Read + Send>,
    recent: Arc<Mutex<Recent>>,
}

impl Read for Tap {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        if let Ok(mut recent) = self.recent.lock() {
            recent.bytes.extend_from_slice(&out[..n]);
            if recent.bytes.len() > 2 * RECENT_KEEP {
                let drop = recent.bytes.len() - RECENT_KEEP;
                recent.bytes.drain(..drop);
                recent.base += drop as u64;
            }
        }
        Ok(n)
    }
}

/// The line a record really starts on: its recorded line plus the blank lines right after
/// its recorded start.
fn start_line(recent: &Mutex<Recent>, position: &csv::Position) -> u64 {
    let mut line = position.line();
    let Ok(recent) = recent.lock() else {
        return line;
    };
    let Some(mut at) = position.byte().checked_sub(recent.base).map(|a| a as usize) else {
        return line;
    };
    loop {
        match recent.bytes.get(at..) {
            Some([b'\r', b'\n', ..]) => at += 2,
            Some([b'\n' | b'\r', ..]) => at += 1,
            _ => return line,
        }
        line += 1;
    }
}

/// The most frequent of `,` `;` tab `|` in the header line (comma when none appear).
fn sniff_delimiter(start: &[u8]) -> u8 {
    let line_end = start
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(start.len());
    let line = &start[..line_end];
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| line.iter().filter(|b| *b == d).count())
        .filter(|d| line.contains(d))
        .unwrap_or(b',')
}

struct CsvRow<'r> {
    fields: Vec<&'r str>,
}

impl<'r> CsvRow<'r> {
    fn new(record: &'r csv::ByteRecord) -> Result<Self, usize> {
        let fields = record
            .iter()
            .enumerate()
            .map(|(i, f)| std::str::from_utf8(f).map_err(|_| i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { fields })
    }

    fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
}

impl RowView for CsvRow<'_> {
    fn cell(&self, index: usize) -> Cell<'_> {
        match self.fields.get(index) {
            Some(f) if !f.trim().is_empty() => Cell::Text(Cow::Borrowed(f)),
            _ => Cell::Empty,
        }
    }
}

struct JsonRow<'r>(&'r [serde_json::Value]);

impl RowView for JsonRow<'_> {
    fn cell(&self, index: usize) -> Cell<'_> {
        match self.0.get(index) {
            None | Some(serde_json::Value::Null) => Cell::Empty,
            Some(serde_json::Value::String(s)) => Cell::Text(Cow::Borrowed(s.as_str())),
            Some(serde_json::Value::Number(n)) => {
                // Keep the exact decimal digits the API sent (money must not pass through f64).
                Cell::Text(Cow::Owned(n.to_string()))
            }
            Some(serde_json::Value::Bool(b)) => Cell::Bool(*b),
            Some(other) => Cell::Text(Cow::Owned(other.to_string())),
        }
    }
}

struct SheetRow<'r>(&'r [Data]);

impl RowView for SheetRow<'_> {
    fn cell(&self, index: usize) -> Cell<'_> {
        match self.0.get(index) {
            None | Some(Data::Empty) => Cell::Empty,
            Some(Data::String(s)) => Cell::Text(Cow::Borrowed(s.as_str())),
            Some(Data::Float(f)) => Cell::Number(*f),
            Some(Data::Int(i)) => Cell::Number(*i as f64),
            Some(Data::Bool(b)) => Cell::Bool(*b),
            Some(d @ Data::DateTime(_)) => d
                .as_date()
                .map(Cell::Date)
                .unwrap_or_else(|| Cell::Text(Cow::Owned(d.to_string()))),
            Some(d @ Data::DateTimeIso(_)) => d
                .as_date()
                .map(Cell::Date)
                .unwrap_or_else(|| Cell::Text(Cow::Owned(d.to_string()))),
            Some(other) => Cell::Text(Cow::Owned(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_rows(text: &str) -> (Vec<String>, Vec<(u64, Vec<String>)>) {
        let mut table = Table::from_csv(Box::new(std::io::Cursor::new(text.as_bytes().to_vec())))
            .expect("table");
        let headers = table.headers().to_vec();
        let mut rows = Vec::new();
        table
            .for_each_row(&mut |line, row| {
                rows.push((line, (0..3).map(|i| row.cell(i).display()).collect()));
                std::ops::ControlFlow::Continue(())
            })
            .expect("rows");
        (headers, rows)
    }

    #[test]
    fn csv_with_bom_semicolons_blank_lines_and_quoted_newlines() {
        let (headers, rows) = csv_rows("\u{feff}A;B;C\n1;\"x;y\";3\n\n4;\"multi\nline\";6\n");
        assert_eq!(headers, ["A", "B", "C"]);
        assert_eq!(rows[0], (2, vec!["1".into(), "x;y".into(), "3".into()]));
        // Line numbers are where the record starts.
        assert_eq!(rows[1].0, 4);
        assert_eq!(rows[1].1[1], "multi\nline");
    }

    #[test]
    fn non_utf8_text_is_a_clear_error() {
        let mut bytes = b"A,B\n1,".to_vec();
        bytes.extend([0xff, 0xfe]);
        bytes.push(b'\n');
        let mut table = Table::from_csv(Box::new(std::io::Cursor::new(bytes))).expect("table");
        let err = table
            .for_each_row(&mut |_, _| std::ops::ControlFlow::Continue(()))
            .expect_err("must fail");
        assert_eq!(err.line, Some(2));
        assert!(err.reason.contains("UTF-8"));
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert!(Table::from_csv(Box::new(std::io::Cursor::new(Vec::new()))).is_err());
    }
}
