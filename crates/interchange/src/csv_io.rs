//! CSV in the one-sheet layout: one row per information item, the resource's cells
//! repeated. Reads UTF-8 (with or without BOM) and GBK/GB18030; writes UTF-8 with a
//! BOM so that Excel opens it correctly.

use crate::columns::{CellIn, CellOut, ITEM_COLUMNS, RESOURCE_COLUMNS, written};
use crate::tabular::Sheet;
use crate::{Location, whole_file};
use govshare_domain::resource::CatalogRecord;

const SHEET: &str = "CSV";

/// Decodes text: UTF-8 (BOM or valid), else GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|e| format!("文件声明为UTF-8但第{}字节处编码无效", e.valid_up_to() + 3));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err("文件编码无法识别：既不是UTF-8也不是GBK/GB18030".into());
    }
    Ok(text.into_owned())
}

pub fn read(bytes: &[u8]) -> Result<Sheet, Vec<Location>> {
    let text = decode(bytes).map_err(whole_file)?;
    if text.contains('\0') {
        return Err(whole_file("文件含有二进制内容，不是CSV文本"));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut width = None;
    for record in reader.records() {
        let record = record.map_err(|e| {
            vec![Location {
                sheet: Some(SHEET.into()),
                row: Some(rows.len() + 1),
                column: None,
                reason: format!("CSV格式错误：{e}"),
            }]
        })?;
        // Rows are counted as a spreadsheet shows them (a quoted line break stays in its row).
        let line = rows.len() + 1;
        let w = *width.get_or_insert(record.len());
        if record.len() != w && !(record.len() == 1 && record[0].trim().is_empty()) {
            return Err(vec![Location {
                sheet: Some(SHEET.into()),
                row: Some(line),
                column: None,
                reason: format!("该行有{}列，表头有{w}列（可能是引号不配对）", record.len()),
            }]);
        }
        rows.push((
            line,
            record
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        CellIn::Empty
                    } else {
                        CellIn::Text(crate::formula::unguard(s).into_owned())
                    }
                })
                .collect(),
        ));
    }
    Ok(Sheet {
        name: SHEET.into(),
        rows,
    })
}

/// The cells of the one-sheet layout, header first; used by CSV.
pub fn flat_rows(records: &[CatalogRecord]) -> Vec<Vec<CellOut>> {
    let header: Vec<CellOut> = written(RESOURCE_COLUMNS)
        .chain(written(ITEM_COLUMNS))
        .map(|c| CellOut::Text(c.header.into()))
        .collect();
    let mut rows = vec![header];
    for r in records {
        let obj = serde_json::to_value(r).unwrap_or_default();
        let resource: Vec<CellOut> = written(RESOURCE_COLUMNS).map(|c| c.write(&obj)).collect();
        let items = obj["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            let mut row = resource.clone();
            row.extend(written(ITEM_COLUMNS).map(|_| CellOut::Empty));
            rows.push(row);
        }
        for item in &items {
            let mut row = resource.clone();
            row.extend(written(ITEM_COLUMNS).map(|c| c.write(item)));
            rows.push(row);
        }
    }
    rows
}

pub fn write(records: &[CatalogRecord]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        for row in flat_rows(records) {
            // Writing to memory cannot fail.
            let _ = w.write_record(row.iter().map(CellOut::as_csv));
        }
        let _ = w.flush();
    }
    out
}
