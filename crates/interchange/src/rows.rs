//! Data files for pools: CSV (UTF-8 or GBK/GB18030), XLSX (first sheet), JSON arrays
//! of objects and NDJSON, all turned into a header and rows of text cells. CSV rows
//! are read lazily; a row that cannot be read becomes an error row, not a failed file.

use crate::{Format, Location, whole_file};
use std::io::Read;

pub type Rows = Box<dyn Iterator<Item = Result<Vec<String>, String>> + Send>;

/// The formats a pool accepts (NDJSON in addition to the catalog's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    Csv,
    Xlsx,
    Json,
    Ndjson,
}

impl DataFormat {
    pub fn parse(name: &str) -> Option<DataFormat> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Some(DataFormat::Csv),
            "xlsx" => Some(DataFormat::Xlsx),
            "json" => Some(DataFormat::Json),
            "ndjson" | "jsonl" => Some(DataFormat::Ndjson),
            _ => None,
        }
    }

    /// By extension first (NDJSON has no signature), else as catalog files are detected.
    pub fn detect(file_name: &str, bytes: &[u8]) -> DataFormat {
        let ext = file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        if let Some(f) = DataFormat::parse(ext) {
            return f;
        }
        match Format::detect(file_name, bytes) {
            Format::Xlsx => DataFormat::Xlsx,
            Format::Json => DataFormat::Json,
            Format::Csv => DataFormat::Csv,
        }
    }
}

fn cell_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn object_rows(objects: Vec<serde_json::Value>) -> Result<(Vec<String>, Rows), Vec<Location>> {
    let header: Vec<String> = match objects.first() {
        Some(serde_json::Value::Object(o)) => o.keys().cloned().collect(),
        Some(_) => return Err(whole_file("JSON 数据应为对象数组，每个对象是一行")),
        None => vec![],
    };
    let h = header.clone();
    let rows = objects.into_iter().map(move |v| match v {
        serde_json::Value::Object(o) => {
            if let Some(extra) = o.keys().find(|k| !h.contains(k)) {
                return Err(format!("字段“{extra}”不在第一行的字段中"));
            }
            Ok(h.iter()
                .map(|k| o.get(k).map(cell_text).unwrap_or_default())
                .collect())
        }
        _ => Err("该行不是JSON对象".to_string()),
    });
    Ok((header, Box::new(rows)))
}

/// Reads a data file into its header and rows.
pub fn read_rows(bytes: Vec<u8>, format: DataFormat) -> Result<(Vec<String>, Rows), Vec<Location>> {
    match format {
        DataFormat::Csv => {
            if std::str::from_utf8(&bytes).is_ok() {
                read_csv_stream(std::io::Cursor::new(bytes))
            } else {
                read_gbk_csv_stream(std::io::Cursor::new(bytes))
            }
        }
        DataFormat::Xlsx => {
            let sheets = crate::xlsx::read(&bytes)?;
            let sheet = sheets
                .into_iter()
                .next()
                .ok_or_else(|| whole_file("文件中没有工作表"))?;
            let mut rows = sheet.rows.into_iter().map(|(_, cells)| {
                cells
                    .iter()
                    .map(crate::columns::CellIn::text)
                    .collect::<Vec<String>>()
            });
            let header = rows.next().unwrap_or_default();
            Ok((header, Box::new(rows.map(Ok))))
        }
        DataFormat::Json => {
            let doc: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                whole_file(format!(
                    "JSON 格式错误：第{}行第{}列：{e}",
                    e.line(),
                    e.column()
                ))
            })?;
            match doc {
                serde_json::Value::Array(a) => object_rows(a),
                _ => Err(whole_file("JSON 数据应为对象数组")),
            }
        }
        DataFormat::Ndjson => {
            let text =
                String::from_utf8(bytes).map_err(|_| whole_file("NDJSON 文件必须是 UTF-8 编码"))?;
            let mut objects = Vec::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let v: serde_json::Value = serde_json::from_str(line).map_err(|e| {
                    vec![Location {
                        sheet: None,
                        row: Some(i + 1),
                        column: None,
                        reason: format!("JSON 格式错误：{e}"),
                    }]
                })?;
                objects.push(v);
            }
            object_rows(objects)
        }
    }
}

/// Reads a UTF-8 CSV from a stream, row by row (from disk without holding the file).
/// A row that is not valid UTF-8 or CSV becomes an error row.
pub fn read_csv_stream(
    reader: impl std::io::Read + Send + 'static,
) -> Result<(Vec<String>, Rows), Vec<Location>> {
    csv_rows(reader, None)
}

/// Reads a CSV stream in GBK/GB18030 (decoded as it is read), row by row; a row
/// holding bytes that are not GB18030 becomes an error row.
pub fn read_gbk_csv_stream(
    reader: impl std::io::Read + Send + 'static,
) -> Result<(Vec<String>, Rows), Vec<Location>> {
    let (decoded, bad) = crate::gbk_stream::Gb18030Reader::new(reader);
    csv_rows(decoded, Some(bad))
}

/// Reads a CSV stream, UTF-8 or GB18030 by its first 64 KB.
pub fn read_csv_any(
    mut reader: impl std::io::Read + Send + 'static,
) -> Result<(Vec<String>, Rows), Vec<Location>> {
    let mut head = Vec::with_capacity(64 * 1024);
    (&mut reader)
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(|e| whole_file(format!("无法读取文件：{e}")))?;
    let whole = std::io::Read::chain(std::io::Cursor::new(head.clone()), reader);
    if looks_utf8(&head) {
        read_csv_stream(whole)
    } else {
        read_gbk_csv_stream(whole)
    }
}

fn csv_rows(
    reader: impl std::io::Read + Send + 'static,
    bad: Option<crate::gbk_stream::BadPlaces>,
) -> Result<(Vec<String>, Rows), Vec<Location>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| whole_file(format!("CSV表头无法读取：{e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let header_end = reader.position().byte();
    if let Some(b) = &bad
        && b.lock()
            .unwrap_or_else(|e| e.into_inner())
            .front()
            .is_some_and(|&p| p < header_end)
    {
        return Err(whole_file(
            "CSV表头含有无法识别的字节：既不是UTF-8也不是GBK/GB18030",
        ));
    }
    let mut record = csv::StringRecord::new();
    let rows = std::iter::from_fn(move || {
        let row = match reader.read_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => Ok(record
                .iter()
                .map(|c| crate::formula::unguard(c).into_owned())
                .collect()),
            Err(e) => Err(format!("CSV格式错误：{e}")),
        };
        // Undecodable bytes before the end of this row are in this row (earlier rows
        // took theirs).
        let end = reader.position().byte();
        let mut tainted = false;
        if let Some(b) = &bad {
            let mut places = b.lock().unwrap_or_else(|e| e.into_inner());
            while places.front().is_some_and(|&p| p < end) {
                places.pop_front();
                tainted = true;
            }
        }
        Some(if tainted {
            Err("该行含有无法识别的字节（不是有效的GBK/GB18030编码）".to_string())
        } else {
            row
        })
    });
    Ok((header, Box::new(rows)))
}

/// Does this start of a file look like UTF-8 (a character cut at the end is fine)?
pub fn looks_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
    }
}
