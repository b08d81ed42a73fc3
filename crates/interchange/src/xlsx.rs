//! XLSX in the two-sheet layout of the national template: 信息资源 (one row per
//! resource) and 信息项 (one row per item, linked by 信息资源代码).

use crate::columns::{CellIn, CellOut, Column, ITEM_COLUMNS, ITEM_LINK, RESOURCE_COLUMNS, written};
use crate::tabular::{ITEM_SHEET, RESOURCE_SHEET, Sheet};
use crate::{Location, whole_file};
use calamine::{Data, Reader, Xlsx};
use govshare_domain::resource::CatalogRecord;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

fn cell_in(d: &Data) -> CellIn {
    match d {
        Data::Empty => CellIn::Empty,
        Data::String(s) => CellIn::Text(crate::formula::unguard(s).into_owned()),
        Data::Int(i) => CellIn::Number(*i as f64),
        Data::Float(f) => CellIn::Number(*f),
        Data::Bool(b) => CellIn::Text(if *b { "是" } else { "否" }.into()),
        Data::DateTime(dt) => {
            // Excel's day zero is 1899-12-30.
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
            base.checked_add_days(chrono::Days::new(dt.as_f64().floor() as u64))
                .map_or(CellIn::Empty, CellIn::Date)
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => CellIn::Text(s.clone()),
        Data::Error(e) => CellIn::Text(format!("#{e:?}")),
    }
}

pub fn read(bytes: &[u8]) -> Result<Vec<Sheet>, Vec<Location>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| whole_file(format!("不是有效的XLSX文件（可能已损坏或被截断）：{e}")))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| whole_file(format!("无法读取工作表“{name}”：{e}")))?;
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        let first_col = range.start().map_or(0, |(_, c)| c as usize);
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                let mut v = vec![CellIn::Empty; first_col];
                v.extend(cells.iter().map(cell_in));
                (first_row + i + 1, v)
            })
            .collect();
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

fn put(ws: &mut Worksheet, row: u32, col: u16, cell: &CellOut) -> Result<(), XlsxError> {
    match cell {
        CellOut::Empty => {}
        CellOut::Text(s) => {
            ws.write_string(row, col, crate::formula::guard(s))?;
        }
        CellOut::Number(n) => {
            ws.write_number(row, col, *n)?;
        }
    }
    Ok(())
}

fn header(ws: &mut Worksheet, names: &[&str]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (i, name) in names.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *name, &bold)?;
        ws.set_column_width(i as u16, (name.chars().count() * 2 + 4).min(40) as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

pub fn write(records: &[CatalogRecord]) -> Result<Vec<u8>, String> {
    build(records).map_err(|e| e.to_string())
}

fn build(records: &[CatalogRecord]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // The workbook says what the catalog holds and nothing else: the same catalog
    // exports to the same bytes (so a digest of an export means something), which a
    // creation time of "now" would break. 1980-01-01 is the ZIP format's epoch.
    book.set_properties(
        &DocProperties::new()
            .set_title("政务信息资源目录")
            .set_creation_datetime(&ExcelDateTime::from_ymd(1980, 1, 1)?),
    );
    let ws = book.add_worksheet();
    ws.set_name(RESOURCE_SHEET)?;
    header(
        ws,
        &written(RESOURCE_COLUMNS)
            .map(|c| c.header)
            .collect::<Vec<_>>(),
    )?;
    let objs: Vec<serde_json::Value> = records
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or_default())
        .collect();
    for (r, obj) in objs.iter().enumerate() {
        for (c, col) in written(RESOURCE_COLUMNS).enumerate() {
            put(ws, r as u32 + 1, c as u16, &col.write(obj))?;
        }
    }
    let ws = book.add_worksheet();
    ws.set_name(ITEM_SHEET)?;
    let mut names = vec![ITEM_LINK];
    names.extend(written(ITEM_COLUMNS).map(|c: &Column| c.header));
    header(ws, &names)?;
    let mut row = 1u32;
    for obj in &objs {
        let code = obj["code"].as_str().unwrap_or_default();
        for item in obj["items"].as_array().into_iter().flatten() {
            ws.write_string(row, 0, code)?;
            for (c, col) in written(ITEM_COLUMNS).enumerate() {
                put(ws, row, c as u16 + 1, &col.write(item))?;
            }
            row += 1;
        }
    }
    book.save_to_buffer()
}
