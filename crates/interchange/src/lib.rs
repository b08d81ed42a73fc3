//! Catalog files in and out: the national spreadsheet layout as XLSX (a resources
//! sheet and an information-items sheet) or CSV (one row per item, UTF-8 or GBK),
//! and JSON (`{"resources": [...]}`). Every problem is reported with its sheet, row
//! and column; nothing here touches the store.

pub mod columns;
mod csv_io;
pub mod formula;
mod gbk_stream;
mod json_io;
pub mod rows;
mod tabular;
mod xlsx;

use govshare_domain::Problem;
use govshare_domain::resource::CatalogRecord;
use serde::Serialize;

/// The biggest catalog file accepted.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    Json,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The format of a file: XLSX by its zip signature, else by the name's extension,
    /// else JSON when it starts with `{` or `[`, else CSV.
    pub fn detect(file_name: &str, bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            return Format::Xlsx;
        }
        let ext = file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        if let Some(f) = Format::parse(ext) {
            return f;
        }
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{' | b'[') => Format::Json,
            _ => Format::Csv,
        }
    }
}

/// Where a problem is: sheet, row (1-based, as a spreadsheet shows it) and column
/// header for spreadsheets; a JSON path for JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub sheet: Option<String>,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(s) = &self.sheet {
            write!(f, "[{s}] ")?;
        }
        if let Some(r) = self.row {
            write!(f, "第{r}行 ")?;
        }
        if let Some(c) = &self.column {
            write!(f, "“{c}” ")?;
        }
        write!(f, "{}", self.reason)
    }
}

/// The rows a record came from.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    Rows {
        sheet: String,
        row: usize,
        item_sheet: String,
        item_rows: Vec<usize>,
    },
    Json {
        index: usize,
    },
}

/// A parsed catalog file: its well-formed records, where each came from, and the
/// problems of the entries that could not be read (left out of `records`).
#[derive(Debug)]
pub struct ParsedCatalog {
    /// Entries found in the file, readable or not.
    pub received: usize,
    pub records: Vec<CatalogRecord>,
    origins: Vec<Origin>,
    pub problems: Vec<Location>,
}

impl ParsedCatalog {
    /// Places a problem that the rules or the store found in record `index`.
    pub fn locate(&self, index: usize, problem: &Problem) -> Location {
        match &self.origins[index] {
            Origin::Json { index } => Location {
                sheet: None,
                row: None,
                column: Some(format!("resources[{index}].{}", problem.field)),
                reason: problem.reason.clone(),
            },
            Origin::Rows {
                sheet,
                row,
                item_sheet,
                item_rows,
            } => {
                let header = columns::header_of(&problem.field);
                let item_index = item_index(&problem.field);
                let (sheet, row) = match (header, item_index) {
                    (Some((_, true)), Some(i)) if i < item_rows.len() => {
                        (item_sheet.clone(), item_rows[i])
                    }
                    _ => (sheet.clone(), *row),
                };
                Location {
                    sheet: Some(sheet),
                    row: Some(row),
                    column: Some(header.map_or(problem.field.clone(), |(h, _)| h.to_string())),
                    reason: problem.reason.clone(),
                }
            }
        }
    }
}

fn item_index(field: &str) -> Option<usize> {
    let rest = field.strip_prefix("items[")?;
    rest.split(']').next()?.parse().ok()
}

/// Reads a catalog file. A file that cannot be read at all (broken, unknown
/// headers, too big) is an error; bad cells are listed in `problems`.
pub fn read_catalog(bytes: &[u8], format: Format) -> Result<ParsedCatalog, Vec<Location>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(vec![Location {
            sheet: None,
            row: None,
            column: None,
            reason: format!(
                "文件过大（{} MB），上限为 {} MB",
                bytes.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        }]);
    }
    match format {
        Format::Json => json_io::read(bytes),
        Format::Csv => tabular::records(vec![csv_io::read(bytes)?]),
        Format::Xlsx => tabular::records(xlsx::read(bytes)?),
    }
}

/// Writes a catalog file; records are written in the order given.
pub fn write_catalog(records: &[CatalogRecord], format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Json => json_io::write(records),
        Format::Csv => Ok(csv_io::write(records)),
        Format::Xlsx => xlsx::write(records),
    }
}

/// A sheet's name and its rows of cell texts.
pub type SheetCells = (String, Vec<Vec<String>>);

/// Every sheet of an XLSX file as text cells (for comparing files cell by cell).
pub fn xlsx_cells(bytes: &[u8]) -> Result<Vec<SheetCells>, Vec<Location>> {
    Ok(xlsx::read(bytes)?
        .into_iter()
        .map(|sheet| {
            (
                sheet.name,
                sheet
                    .rows
                    .into_iter()
                    .map(|(_, cells)| cells.iter().map(columns::CellIn::text).collect())
                    .collect(),
            )
        })
        .collect())
}

pub(crate) fn whole_file(reason: impl Into<String>) -> Vec<Location> {
    vec![Location {
        sheet: None,
        row: None,
        column: None,
        reason: reason.into(),
    }]
}
