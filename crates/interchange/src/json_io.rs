//! JSON catalogs: `{"resources": [entry, ...]}`, each entry holding its `items`.

use crate::{Location, Origin, ParsedCatalog, whole_file};
use govshare_domain::resource::CatalogRecord;
use serde_json::Value;

pub fn read(bytes: &[u8]) -> Result<ParsedCatalog, Vec<Location>> {
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(|e| {
            whole_file(format!(
                "JSON 文件必须是 UTF-8 编码（第{}字节处无效）",
                e.valid_up_to()
            ))
        })?;
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        whole_file(format!(
            "JSON 格式错误：第{}行第{}列：{e}",
            e.line(),
            e.column()
        ))
    })?;
    let list = match doc {
        Value::Object(mut o) => match o.remove("resources") {
            Some(Value::Array(a)) => a,
            _ => return Err(whole_file("JSON 应为 {\"resources\": [...]} 形式")),
        },
        Value::Array(a) => a,
        _ => return Err(whole_file("JSON 应为 {\"resources\": [...]} 形式")),
    };
    let received = list.len();
    let mut records = Vec::with_capacity(list.len());
    let mut origins = Vec::with_capacity(list.len());
    let mut problems = Vec::new();
    for (index, mut v) in list.into_iter().enumerate() {
        if let Value::Object(o) = &mut v {
            o.entry("state")
                .or_insert_with(|| Value::String("draft".into()));
            if let Some(unknown) = o.keys().find(|k| !known_field(k)) {
                problems.push(Location {
                    sheet: None,
                    row: None,
                    column: Some(format!("resources[{index}].{unknown}")),
                    reason: format!("未知字段“{unknown}”"),
                });
                continue;
            }
        }
        match serde_json::from_value::<CatalogRecord>(v) {
            Ok(r) => {
                records.push(r);
                origins.push(Origin::Json { index });
            }
            Err(e) => problems.push(Location {
                sheet: None,
                row: None,
                column: Some(format!("resources[{index}]")),
                reason: e.to_string(),
            }),
        }
    }
    Ok(ParsedCatalog {
        received,
        records,
        origins,
        problems,
    })
}

/// The top-level fields of an entry: those of the spreadsheet columns, its items and state.
fn known_field(key: &str) -> bool {
    key == "items"
        || crate::columns::RESOURCE_COLUMNS
            .iter()
            .any(|c| c.path.split('.').next() == Some(key))
}

pub fn write(records: &[CatalogRecord]) -> Result<Vec<u8>, String> {
    let doc = serde_json::json!({ "resources": records });
    let mut out = serde_json::to_vec_pretty(&doc).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(out)
}
