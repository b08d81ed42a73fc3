//! From sheets of cells to catalog records: header matching, the two-sheet layout
//! (resources + items linked by code or name) and the one-sheet layout (one row per
//! item, resource cells repeated or left blank as merged cells leave them).

use crate::columns::{
    CellIn, Column, ITEM_COLUMNS, ITEM_LINK, RESOURCE_COLUMNS, STANDS_IN_FOR, settle_item,
    settle_resource,
};
use crate::{Location, Origin, ParsedCatalog};
use govshare_domain::resource::CatalogRecord;
use serde_json::{Map, Value};
use std::collections::HashMap;

pub const RESOURCE_SHEET: &str = "信息资源";
pub const ITEM_SHEET: &str = "信息项";
const IGNORED: &[&str] = &["序号", "备注说明"];

/// One sheet: rows with their 1-based numbers; the first is the header.
pub struct Sheet {
    pub name: String,
    pub rows: Vec<(usize, Vec<CellIn>)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Resource(usize),
    Item(usize),
    LinkCode,
    LinkName,
}

fn loc(sheet: &str, row: usize, column: Option<&str>, reason: impl Into<String>) -> Location {
    Location {
        sheet: Some(sheet.into()),
        row: Some(row),
        column: column.map(Into::into),
        reason: reason.into(),
    }
}

fn find(cols: &[Column], header: &str) -> Option<usize> {
    cols.iter().position(|c| c.matches(header))
}

/// Maps each header cell to a column; unknown, duplicate and missing required headers are errors.
fn map_headers(
    sheet: &Sheet,
    resources: bool,
    items: bool,
    link: bool,
) -> Result<Vec<Option<Target>>, Vec<Location>> {
    let Some((row, header)) = sheet.rows.first() else {
        return Err(vec![loc(&sheet.name, 1, None, "工作表为空，缺少表头")]);
    };
    let mut problems = Vec::new();
    let mut targets = Vec::with_capacity(header.len());
    for cell in header {
        let h = cell.text();
        let h = h.trim();
        let t = if h.is_empty() || IGNORED.contains(&h) {
            None
        } else if link && crate::columns::RESOURCE_COLUMNS[0].matches(h) {
            Some(Target::LinkCode)
        } else if link && RESOURCE_COLUMNS[2].matches(h) {
            Some(Target::LinkName)
        } else if let Some(i) = find(RESOURCE_COLUMNS, h).filter(|_| resources) {
            Some(Target::Resource(i))
        } else if let Some(i) = find(ITEM_COLUMNS, h).filter(|_| items) {
            Some(Target::Item(i))
        } else {
            problems.push(loc(
                &sheet.name,
                *row,
                Some(h),
                "未知的列，请使用目录模板的表头",
            ));
            None
        };
        if t.is_some() && targets.contains(&t) {
            problems.push(loc(&sheet.name, *row, Some(h), "列重复"));
        }
        targets.push(t);
    }
    let mut required: Vec<&str> = Vec::new();
    if resources {
        let present = |header: &str| {
            find(RESOURCE_COLUMNS, header)
                .is_some_and(|i| targets.contains(&Some(Target::Resource(i))))
        };
        required.extend(
            RESOURCE_COLUMNS
                .iter()
                .filter(|c| c.required && !present(c.header))
                .filter(|c| {
                    !STANDS_IN_FOR
                        .iter()
                        .any(|(needed, other)| *needed == c.header && present(other))
                })
                .map(|c| c.header),
        );
    }
    if items && !link && resources {
        // One-sheet layout: item columns are optional as a group (file resources have none).
    } else if items {
        required.extend(
            ITEM_COLUMNS
                .iter()
                .enumerate()
                .filter(|(i, c)| c.required && !targets.contains(&Some(Target::Item(*i))))
                .map(|(_, c)| c.header),
        );
    }
    if link
        && !targets.contains(&Some(Target::LinkCode))
        && !targets.contains(&Some(Target::LinkName))
    {
        required.push(ITEM_LINK);
    }
    for h in required {
        problems.push(loc(&sheet.name, *row, Some(h), "缺少必需的列"));
    }
    if problems.is_empty() {
        Ok(targets)
    } else {
        Err(problems)
    }
}

fn is_blank(cells: &[CellIn]) -> bool {
    cells.iter().all(|c| c.text().trim().is_empty())
}

/// Reads the cells of one row for the columns of one kind into a JSON object.
fn read_cells(
    sheet: &str,
    row: usize,
    cells: &[CellIn],
    targets: &[Option<Target>],
    pick: impl Fn(Target) -> Option<&'static Column>,
    problems: &mut Vec<Location>,
) -> Map<String, Value> {
    let mut obj = Map::new();
    let mut items = false;
    let before = problems.len();
    for (i, t) in targets.iter().enumerate() {
        let Some(col) = t.and_then(&pick) else {
            continue;
        };
        items |= matches!(t, Some(Target::Item(_)));
        let cell = cells.get(i).unwrap_or(&CellIn::Empty);
        if let Err(reason) = col.read(cell, &mut obj) {
            problems.push(loc(sheet, row, Some(col.header), reason));
        }
    }
    // Cells that mean something together (是否向社会开放 and 开放条件, a length the
    // data type states), once the row's own problems are known.
    let read_well = problems.len() == before;
    let settled = if items {
        settle_item(&mut obj)
    } else {
        settle_resource(&mut obj)
    };
    if read_well {
        for (header, reason) in settled {
            problems.push(loc(sheet, row, Some(header), reason));
        }
    }
    obj
}

fn resource_col(t: Target) -> Option<&'static Column> {
    if let Target::Resource(i) = t {
        Some(&RESOURCE_COLUMNS[i])
    } else {
        None
    }
}

fn item_col(t: Target) -> Option<&'static Column> {
    if let Target::Item(i) = t {
        Some(&ITEM_COLUMNS[i])
    } else {
        None
    }
}

struct Pending {
    /// A cell of this entry (or one of its items) could not be read.
    bad: bool,
    obj: Map<String, Value>,
    items: Vec<Value>,
    origin: (String, usize, String, Vec<usize>),
}

/// Builds the records; entries with unreadable cells are left out (their problems
/// are in `problems`) so that the rest can still be checked.
fn finish(
    pending: Vec<Pending>,
    mut problems: Vec<Location>,
) -> Result<ParsedCatalog, Vec<Location>> {
    let received = pending.len();
    let mut records = Vec::with_capacity(pending.len());
    let mut origins = Vec::with_capacity(pending.len());
    for p in pending.into_iter().filter(|p| !p.bad) {
        let (sheet, row, item_sheet, item_rows) = p.origin;
        let mut obj = p.obj;
        obj.insert("items".into(), Value::Array(p.items));
        obj.entry("state")
            .or_insert_with(|| Value::String("draft".into()));
        match serde_json::from_value::<CatalogRecord>(Value::Object(obj)) {
            Ok(r) => {
                records.push(r);
                origins.push(Origin::Rows {
                    sheet,
                    row,
                    item_sheet,
                    item_rows,
                });
            }
            Err(e) => problems.push(loc(&sheet, row, None, format!("记录无法读取：{e}"))),
        }
    }
    Ok(ParsedCatalog {
        received,
        records,
        origins,
        problems,
    })
}

pub fn records(sheets: Vec<Sheet>) -> Result<ParsedCatalog, Vec<Location>> {
    let item_sheet = sheets.iter().position(|s| s.name.trim() == ITEM_SHEET);
    match item_sheet {
        Some(i) => {
            let res = sheets
                .iter()
                .position(|s| s.name.trim() == RESOURCE_SHEET)
                .unwrap_or(if i == 0 { 1 } else { 0 });
            let resources = sheets
                .get(res)
                .ok_or_else(|| crate::whole_file(format!("缺少工作表“{RESOURCE_SHEET}”")))?;
            two_sheets(resources, &sheets[i])
        }
        None => {
            let first = sheets
                .first()
                .ok_or_else(|| crate::whole_file("文件中没有工作表"))?;
            one_sheet(first)
        }
    }
}

fn two_sheets(res: &Sheet, items: &Sheet) -> Result<ParsedCatalog, Vec<Location>> {
    let rt = map_headers(res, true, false, false);
    let it = map_headers(items, false, true, true);
    let (rt, it) = match (rt, it) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => return Err([a.err(), b.err()].into_iter().flatten().flatten().collect()),
    };
    let mut problems = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (row, cells) in res.rows.iter().skip(1).filter(|(_, c)| !is_blank(c)) {
        let before = problems.len();
        let obj = read_cells(&res.name, *row, cells, &rt, resource_col, &mut problems);
        let n = pending.len();
        if let Some(code) = obj.get("code").and_then(Value::as_str) {
            match by_code.entry(code.to_string()) {
                std::collections::hash_map::Entry::Occupied(_) => {
                    problems.push(loc(
                        &res.name,
                        *row,
                        Some(ITEM_LINK),
                        format!("资源代码“{code}”在文件中重复"),
                    ));
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(n);
                }
            }
        }
        let bad = problems.len() > before;
        if let Some(name) = obj.get("name").and_then(Value::as_str) {
            by_name.entry(name.to_string()).or_default().push(n);
        }
        pending.push(Pending {
            bad,
            obj,
            items: vec![],
            origin: (res.name.clone(), *row, items.name.clone(), vec![]),
        });
    }
    for (row, cells) in items.rows.iter().skip(1).filter(|(_, c)| !is_blank(c)) {
        let cell = |t: Target| {
            it.iter()
                .position(|x| *x == Some(t))
                .and_then(|i| cells.get(i))
                .map(|c| c.text().trim().to_string())
                .unwrap_or_default()
        };
        let (code, name) = (cell(Target::LinkCode), cell(Target::LinkName));
        let owner = if !code.is_empty() {
            by_code
                .get(&code)
                .copied()
                .ok_or_else(|| format!("信息资源代码“{code}”在“{}”表中不存在", res.name))
        } else {
            match by_name.get(&name).map(Vec::as_slice) {
                Some([one]) => Ok(*one),
                Some(_) => Err(format!(
                    "信息资源名称“{name}”对应多个资源，请填写信息资源代码"
                )),
                None if name.is_empty() => {
                    Err("请填写该信息项所属的信息资源代码或名称".to_string())
                }
                None => Err(format!("信息资源名称“{name}”在“{}”表中不存在", res.name)),
            }
        };
        match owner {
            Err(reason) => problems.push(loc(&items.name, *row, Some(ITEM_LINK), reason)),
            Ok(n) => {
                let before = problems.len();
                let item = read_cells(&items.name, *row, cells, &it, item_col, &mut problems);
                pending[n].bad |= problems.len() > before;
                pending[n].items.push(Value::Object(item));
                pending[n].origin.3.push(*row);
            }
        }
    }
    finish(pending, problems)
}

fn one_sheet(sheet: &Sheet) -> Result<ParsedCatalog, Vec<Location>> {
    let targets = map_headers(sheet, true, true, false)?;
    let mut problems = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut last: Option<usize> = None;
    for (row, cells) in sheet.rows.iter().skip(1).filter(|(_, c)| !is_blank(c)) {
        let obj = read_cells(
            &sheet.name,
            *row,
            cells,
            &targets,
            resource_col,
            &mut Vec::new(),
        );
        let resource_blank = obj.is_empty();
        let key = obj
            .get("code")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                let name = obj.get("name").and_then(Value::as_str)?;
                Some(format!(
                    "{name}\u{1}{}",
                    obj.get("provider_code")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ))
            });
        let n = match (key, last) {
            // A row whose resource cells are all blank continues the resource above (merged cells).
            (None, Some(n)) if resource_blank => n,
            (Some(k), _) if index.contains_key(&k) => {
                let n = index[&k];
                for (field, value) in &obj {
                    if pending[n].obj.get(field).is_some_and(|v| v != value) {
                        pending[n].bad = true;
                        let header = RESOURCE_COLUMNS
                            .iter()
                            .find(|c| c.path.split('.').next() == Some(field.as_str()))
                            .map(|c| c.header);
                        problems.push(loc(
                            &sheet.name,
                            *row,
                            header,
                            format!("与第{}行同一资源的内容不一致", pending[n].origin.1),
                        ));
                    }
                }
                n
            }
            (key, _) => {
                let before = problems.len();
                let obj = read_cells(
                    &sheet.name,
                    *row,
                    cells,
                    &targets,
                    resource_col,
                    &mut problems,
                );
                if let Some(k) = key {
                    index.insert(k, pending.len());
                }
                let bad = problems.len() > before;
                pending.push(Pending {
                    bad,
                    obj,
                    items: vec![],
                    origin: (sheet.name.clone(), *row, sheet.name.clone(), vec![]),
                });
                pending.len() - 1
            }
        };
        last = Some(n);
        let item_cells_blank = targets
            .iter()
            .zip(cells)
            .all(|(t, c)| !matches!(t, Some(Target::Item(_))) || c.text().trim().is_empty());
        if !item_cells_blank {
            let before = problems.len();
            let item = read_cells(&sheet.name, *row, cells, &targets, item_col, &mut problems);
            pending[n].bad |= problems.len() > before;
            pending[n].items.push(Value::Object(item));
            pending[n].origin.3.push(*row);
        }
    }
    finish(pending, problems)
}
