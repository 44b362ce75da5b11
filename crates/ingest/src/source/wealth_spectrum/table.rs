//! Reading a report file as a table of cells, whatever its format: CSV (delimiter sniffed from
//! the header line, UTF-8 with or without BOM) or a spreadsheet (XLSX, XLS, ODS via calamine,
//! where cells may already be numbers or dates). Line numbers are the file's own, header = 1.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use calamine::{open_workbook_auto, Data, DataType, Dimensions, Reader, Sheets};
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
    /// How many values the row holds, to check it against the header.
    fn width(&self) -> RowWidth;
}

/// The extent of a row, as its format can tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowWidth {
    /// Every field is written (CSV): the count must equal the header's.
    Exact(usize),
    /// Empty trailing cells are simply absent (spreadsheets, records): one past the last
    /// value, which must not lie beyond the last header.
    UpTo(usize),
}

/// The widest sheet or CSV header accepted: 256 columns (A to IV, the old XLS limit). The
/// widest report has 28 columns, and bounding the width bounds the memory of every row.
pub const MAX_COLUMNS: u32 = 256;
/// Spreadsheet rows are streamed one at a time, so every row a sheet can hold (Excel's
/// 1,048,576) is accepted.
pub const MAX_SHEET_ROWS: u32 = 1_048_576;
/// The longest CSV line accepted (a report line is a few hundred bytes): a file that is one
/// endless line would otherwise be buffered whole.
pub const MAX_LINE_BYTES: usize = 1 << 20;

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
        rows: SheetRows,
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
            line: 1,
            line_bytes: 0,
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(tap);
        let raw_headers = match reader.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                return Err(overlong_line(&recent).unwrap_or_else(|| {
                    RowError::file(format!("the header line cannot be read as CSV text: {e}"))
                }))
            }
        };
        let headers = raw_headers
            .iter()
            .enumerate()
            .map(|(i, h)| match std::str::from_utf8(h) {
                Ok(text) => Ok(text.trim_start_matches('\u{feff}').trim().to_owned()),
                Err(_) => Err(RowError::at(
                    1,
                    format!("column {}", i + 1),
                    String::from_utf8_lossy(h),
                    NOT_UTF8,
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if headers.iter().all(String::is_empty) {
            return Err(RowError::file("the file is empty: expected a header line"));
        }
        check_header_names(&headers)?;
        Ok(Table::Csv {
            reader,
            recent,
            headers,
        })
    }

    /// Opens a spreadsheet whose rows a reader thread streams (see [`SheetRows`]); the first
    /// row with a value is the header.
    fn open_sheet(path: &Path, sheet: Option<&str>) -> Result<Table, RowError> {
        let mut rows = SheetRows::spawn(path.to_owned(), sheet.map(str::to_owned))?;
        let (_, header_cells) = rows
            .next_row()?
            .ok_or_else(|| RowError::file("the sheet is empty: expected a header row"))?;
        let headers: Vec<String> = header_cells
            .iter()
            .map(|c| c.to_string().trim().to_owned())
            .collect();
        check_header_names(&headers)?;
        Ok(Table::Sheet { rows, headers })
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
            Table::Csv {
                reader,
                recent,
                headers,
            } => {
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
                                RowError::at(
                                    line,
                                    column_name(headers, field),
                                    String::from_utf8_lossy(record.get(field).unwrap_or_default()),
                                    NOT_UTF8,
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
                            if let Some(too_long) = overlong_line(recent) {
                                return Err(too_long);
                            }
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
            Table::Sheet { rows, .. } => {
                while let Some((line, cells)) = rows.next_row()? {
                    if visit(line, &SheetRow(&cells)).is_break() {
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
    /// The line that exceeded [`MAX_LINE_BYTES`], once one has.
    overlong_line: Option<u64>,
}

const RECENT_KEEP: usize = 256 * 1024;

/// Passes bytes to the CSV parser and remembers the last ones it read, so a record's true
/// first line can be found: the parser places a record right after the previous one, before
/// any blank lines it skipped.
pub struct Tap {
    inner: Box<dyn Read + Send>,
    recent: Arc<Mutex<Recent>>,
    /// The line being read (1-based) and its length so far, to stop at an overlong line.
    line: u64,
    line_bytes: usize,
}

impl Read for Tap {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        let read = &out[..n];
        match read.iter().rposition(|&b| b == b'\n') {
            Some(last) => {
                self.line += read.iter().filter(|&&b| b == b'\n').count() as u64;
                self.line_bytes = n - last - 1;
            }
            None => self.line_bytes += n,
        }
        if self.line_bytes > MAX_LINE_BYTES {
            if let Ok(mut recent) = self.recent.lock() {
                recent.overlong_line = Some(self.line);
            }
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "a line is too long",
            ));
        }
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

const NOT_UTF8: &str = "this value is not UTF-8 text; export the file again as UTF-8";

/// The header of column `index` for messages: its name, or its position when it has none.
fn column_name(headers: &[String], index: usize) -> String {
    match headers.get(index) {
        Some(h) if !h.is_empty() => h.clone(),
        _ => format!("column {}", index + 1),
    }
}

/// A header row the readers can work with: at most [`MAX_COLUMNS`] columns and no unnamed
/// column before a named one (its values could not be told apart from a shifted column).
fn check_header_names(headers: &[String]) -> Result<(), RowError> {
    if headers.len() > MAX_COLUMNS as usize {
        return Err(RowError::at(
            1,
            format!("column {}", MAX_COLUMNS + 1),
            headers
                .get(MAX_COLUMNS as usize)
                .cloned()
                .unwrap_or_default(),
            format!(
                "the header has {} columns; the largest accepted is {}",
                grouped(headers.len() as u64),
                MAX_COLUMNS
            ),
        ));
    }
    let last_named = headers.iter().rposition(|h| !h.is_empty()).unwrap_or(0);
    match headers[..last_named].iter().position(String::is_empty) {
        Some(unnamed) => Err(RowError::at(
            1,
            format!("column {}", unnamed + 1),
            "",
            "this column has no header; name it or remove the column",
        )),
        None => Ok(()),
    }
}

/// The error for a line over [`MAX_LINE_BYTES`], if the tap stopped at one.
fn overlong_line(recent: &Mutex<Recent>) -> Option<RowError> {
    let line = recent.lock().ok()?.overlong_line?;
    Some(RowError::row(
        line,
        format!(
            "this line is longer than {} bytes; the file is not a report export (or its line \
             breaks were lost)",
            grouped(MAX_LINE_BYTES as u64)
        ),
    ))
}

/// `1048576` as `1,048,576`, for messages.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `0` → `A`, `16383` → `XFD`.
fn column_letters(index: u32) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
}

/// What the sheet reader thread hands over.
enum SheetEvent {
    /// A row with at least one value: its 1-based line and its cells up to the last value.
    Row(u64, Vec<Data>),
    Failed(RowError),
    End,
}

/// A spreadsheet's rows in sheet order. XLSX and XLSB sheets are read cell by cell on a
/// thread of their own (the cell reader borrows the workbook, so both live there) and handed
/// over through a small bounded channel: a sheet is never materialised as a whole, and its
/// declared and actual extent are checked before anything is allocated for it. XLS and ODS
/// have no cell reader in calamine; they are read whole (XLS cannot exceed 65,536 × 256 cells,
/// calamine caps ODS) and checked the same way.
pub struct SheetRows {
    events: Receiver<SheetEvent>,
    done: bool,
}

impl SheetRows {
    fn spawn(path: PathBuf, wanted: Option<String>) -> Result<Self, RowError> {
        let (sender, events) = sync_channel(64);
        std::thread::Builder::new()
            .name("sheet-reader".into())
            .spawn(move || {
                let outcome = read_sheet(&path, wanted.as_deref(), &sender);
                let last = match outcome {
                    Ok(()) => SheetEvent::End,
                    Err(e) => SheetEvent::Failed(e),
                };
                // The table may have been dropped already; then nobody is listening.
                let _ = sender.send(last);
            })
            .map_err(|e| RowError::file(format!("cannot start reading the spreadsheet: {e}")))?;
        Ok(Self {
            events,
            done: false,
        })
    }

    /// The next row with a value, `None` at the end of the sheet.
    fn next_row(&mut self) -> Result<Option<(u64, Vec<Data>)>, RowError> {
        if self.done {
            return Ok(None);
        }
        match self.events.recv() {
            Ok(SheetEvent::Row(line, cells)) => Ok(Some((line, cells))),
            Ok(SheetEvent::End) => {
                self.done = true;
                Ok(None)
            }
            Ok(SheetEvent::Failed(e)) => {
                self.done = true;
                Err(e)
            }
            // The reader stopped without saying why (it panicked): the sheet is unreadable.
            Err(_) => {
                self.done = true;
                Err(RowError::file(
                    "the spreadsheet could not be read to the end; save it again as XLSX or CSV",
                ))
            }
        }
    }
}

/// Refuses a sheet whose declared used range is wider or longer than accepted.
fn check_declared(name: &str, declared: Dimensions) -> Result<(), RowError> {
    let (last_row, last_column) = declared.end;
    let (rows, columns) = (u64::from(last_row) + 1, u64::from(last_column) + 1);
    if columns > u64::from(MAX_COLUMNS) || rows > u64::from(MAX_SHEET_ROWS) {
        return Err(RowError {
            line: None,
            column: None,
            value: Some(format!("A1:{}{rows}", column_letters(last_column))),
            reason: format!(
                "sheet {name:?} declares {} rows × {} columns; the largest accepted is {} rows × {} \
                 columns. Copy only the report's cells to a new sheet, or export CSV",
                grouped(rows),
                grouped(columns),
                grouped(u64::from(MAX_SHEET_ROWS)),
                MAX_COLUMNS
            ),
        });
    }
    Ok(())
}

/// Opens the workbook, picks the sheet (`wanted` if it exists, else the first) and sends its
/// rows; stops early when the receiver is gone.
fn read_sheet(
    path: &Path,
    wanted: Option<&str>,
    sender: &SyncSender<SheetEvent>,
) -> Result<(), RowError> {
    let workbook = open_workbook_auto(path).map_err(|e| {
        RowError::file(format!(
            "cannot open {} as a spreadsheet: {e}",
            path.display()
        ))
    })?;
    let pick = |names: Vec<String>| match wanted {
        Some(w) if names.iter().any(|n| n == w) => Ok(w.to_owned()),
        _ => names
            .into_iter()
            .next()
            .ok_or_else(|| RowError::file("the workbook has no sheets")),
    };
    let unreadable = |name: &str, e: &dyn std::fmt::Display| {
        RowError::file(format!("cannot read sheet {name:?}: {e}"))
    };
    let mut rows = RowAssembler::new(sender);
    // XLSX and XLSB cell readers have the same methods but no common trait.
    macro_rules! stream_cells {
        ($book:ident) => {{
            let name = pick($book.sheet_names())?;
            let mut cells = $book
                .worksheet_cells_reader(&name)
                .map_err(|e| unreadable(&name, &e))?;
            check_declared(&name, cells.dimensions())?;
            while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&name, &e))? {
                if !rows.add(cell.get_position(), Data::from(cell.get_value().clone()))? {
                    return Ok(());
                }
            }
        }};
    }
    match workbook {
        Sheets::Xlsx(mut book) => stream_cells!(book),
        Sheets::Xlsb(mut book) => stream_cells!(book),
        mut whole => {
            let name = pick(whole.sheet_names())?;
            let range = whole
                .worksheet_range(&name)
                .map_err(|e| unreadable(&name, &e))?;
            if let (Some(start), Some(end)) = (range.start(), range.end()) {
                check_declared(&name, Dimensions::new(start, end))?;
            }
            let at = range.start().unwrap_or_default();
            for (row, col, value) in range.used_cells() {
                let position = (at.0 + row as u32, at.1 + col as u32);
                if !rows.add(position, value.clone())? {
                    return Ok(());
                }
            }
        }
    }
    rows.finish();
    Ok(())
}

/// Gathers streamed cells into rows, checking each cell's position before storing it.
struct RowAssembler<'s> {
    sender: &'s SyncSender<SheetEvent>,
    current: Option<(u32, Vec<Data>)>,
}

impl<'s> RowAssembler<'s> {
    fn new(sender: &'s SyncSender<SheetEvent>) -> Self {
        Self {
            sender,
            current: None,
        }
    }

    /// Adds a cell; `false` once nobody listens any more.
    fn add(&mut self, (row, column): (u32, u32), value: Data) -> Result<bool, RowError> {
        if matches!(value, Data::Empty) {
            return Ok(true);
        }
        if column >= MAX_COLUMNS || row >= MAX_SHEET_ROWS {
            return Err(RowError::at(
                u64::from(row) + 1,
                column_letters(column),
                value.to_string(),
                format!(
                    "cell {}{} lies outside the largest sheet accepted ({} rows × {} columns, \
                     A1:{}{})",
                    column_letters(column),
                    row + 1,
                    grouped(u64::from(MAX_SHEET_ROWS)),
                    MAX_COLUMNS,
                    column_letters(MAX_COLUMNS - 1),
                    MAX_SHEET_ROWS
                ),
            ));
        }
        let mut listening = true;
        match self.current.as_ref().map(|(current, _)| *current) {
            Some(current) if current > row => {
                return Err(RowError::row(
                    u64::from(row) + 1,
                    format!(
                        "the sheet lists row {} after row {}; the file is damaged: save it again",
                        row + 1,
                        current + 1
                    ),
                ))
            }
            Some(current) if current == row => {}
            _ => {
                if let Some((done, cells)) = self.current.take() {
                    listening = self.send(done, cells);
                }
                self.current = Some((row, Vec::new()));
            }
        }
        if let Some((_, cells)) = &mut self.current {
            let at = column as usize;
            if cells.len() <= at {
                cells.resize(at + 1, Data::Empty);
            }
            cells[at] = value;
        }
        Ok(listening)
    }

    fn send(&self, row: u32, cells: Vec<Data>) -> bool {
        self.sender
            .send(SheetEvent::Row(u64::from(row) + 1, cells))
            .is_ok()
    }

    fn finish(mut self) {
        if let Some((row, cells)) = self.current.take() {
            self.send(row, cells);
        }
    }
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

    fn width(&self) -> RowWidth {
        RowWidth::Exact(self.fields.len())
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

    fn width(&self) -> RowWidth {
        RowWidth::UpTo(self.0.len())
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

    fn width(&self) -> RowWidth {
        RowWidth::UpTo(self.0.len())
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
