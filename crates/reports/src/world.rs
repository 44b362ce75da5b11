//! The typst "world" a report is compiled in: the embedded fonts, the report's template and
//! the shared frame, and two virtual files — `/data.json` (the report's figures, already
//! formatted) and `/logo` (the firm's logo, when it has one). Nothing is read from disk or the
//! network, so a report renders the same on every machine.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::ReportError;

/// Noto Sans carries the ₹ sign; Noto Sans Devanagari the Hindi and Marathi names clients have.
/// Both are under the SIL Open Font License (`fonts/OFL.txt`).
static FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../fonts/NotoSansDevanagari-Regular.ttf"),
    include_bytes!("../fonts/NotoSansDevanagari-Bold.ttf"),
];

static FONTS: LazyLock<Vec<Font>> = LazyLock::new(|| {
    FONT_FILES
        .iter()
        .flat_map(|file| Font::iter(Bytes::new(*file)))
        .collect()
});

static BOOK: LazyLock<LazyHash<FontBook>> =
    LazyLock::new(|| LazyHash::new(FontBook::from_fonts(FONTS.iter())));

static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(<Library as LibraryExt>::default()));

/// The page frame every report shares: branding, header, footer with page numbers, the
/// disclaimer, and the helpers (tables, charts) the templates use.
const FRAME: &str = include_str!("../templates/frame.typ");

/// A report's layout: its typst source.
#[derive(Clone, Copy, Debug)]
pub enum Template {
    ClientStatement,
}

impl Template {
    fn source(self) -> &'static str {
        match self {
            Template::ClientStatement => include_str!("../templates/statement.typ"),
        }
    }
}

/// The firm's logo as typst reads it.
#[derive(Clone, Debug)]
pub struct LogoImage {
    pub bytes: Vec<u8>,
    /// `png`, `jpg`, `gif`, `webp` or `svg`.
    pub format: &'static str,
}

impl LogoImage {
    /// The logo from its MIME type; `None` for a type typst cannot draw.
    pub fn from_mime(bytes: Vec<u8>, mime: &str) -> Option<Self> {
        let format = match mime {
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "image/gif" => "gif",
            "image/webp" => "webp",
            "image/svg+xml" => "svg",
            _ => return None,
        };
        Some(LogoImage { bytes, format })
    }
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("the report's virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

struct ReportWorld {
    main: Source,
    frame: Source,
    data: Bytes,
    logo: Option<Bytes>,
    today: NaiveDate,
}

impl ReportWorld {
    fn path_of(&self, id: FileId) -> Option<&'static str> {
        ["/main.typ", "/frame.typ", "/data.json", "/logo"]
            .into_iter()
            .find(|path| file_id(path) == id)
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &BOOK
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.path_of(id) {
            Some("/main.typ") => Ok(self.main.clone()),
            Some("/frame.typ") => Ok(self.frame.clone()),
            Some(_) => Err(FileError::NotSource),
            None => Err(FileError::AccessDenied),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        match self.path_of(id) {
            Some("/main.typ") => Ok(Bytes::from_string(self.main.clone())),
            Some("/frame.typ") => Ok(Bytes::from_string(self.frame.clone())),
            Some("/data.json") => Ok(self.data.clone()),
            Some("/logo") => self.logo.clone().ok_or(FileError::AccessDenied),
            _ => Err(FileError::AccessDenied),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            u8::try_from(self.today.month()).ok()?,
            u8::try_from(self.today.day()).ok()?,
        )
    }
}

/// Compiles `template` over `data` (serialised as `/data.json`) into a PDF.
///
/// typst memoises layout work across compilations; the cache is trimmed after every document
/// (keeping only what the previous one used), so a batch of a thousand statements runs in flat
/// memory while consecutive documents of the same template still share the work.
pub fn render_pdf(
    template: Template,
    data: &serde_json::Value,
    logo: Option<&LogoImage>,
    today: NaiveDate,
) -> Result<Vec<u8>, ReportError> {
    let data = serde_json::to_vec(data).map_err(|e| ReportError::Data(e.to_string()))?;
    let world = ReportWorld {
        main: Source::new(file_id("/main.typ"), template.source().to_owned()),
        frame: Source::new(file_id("/frame.typ"), FRAME.to_owned()),
        data: Bytes::new(data),
        logo: logo.map(|logo| Bytes::new(logo.bytes.clone())),
        today,
    };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    let pdf = compiled
        .and_then(|document| typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()))
        .map_err(|errors| ReportError::Layout(describe(&errors)));
    typst::comemo::evict(1);
    pdf
}

fn describe(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}
