//! 信息项: the information items of a resource (metadata item 8), with the data
//! type, byte length, key and sensitivity flags that data pools and masking use.

use crate::labels::DataType;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// 信息项名称, e.g. 公民身份号码.
    pub name: String,
    /// 字段代码: an ASCII identifier for the pool column; derived from the name's
    /// pinyin initials when left empty.
    #[serde(default)]
    pub column: String,
    /// 数据类型.
    pub data_type: DataType,
    /// 数据长度 in bytes.
    pub length: u32,
    /// 是否主键.
    #[serde(default)]
    pub key: bool,
    /// 是否必填.
    #[serde(default)]
    pub required: bool,
    /// 是否敏感 (ID numbers, phones, addresses): masked when shared unless granted.
    #[serde(default)]
    pub sensitive: bool,
}

/// The longest length accepted per data type, in bytes.
pub fn max_length(t: DataType) -> u32 {
    match t {
        DataType::String => 4000,
        DataType::Memo | DataType::General => 1 << 30,
        DataType::Date => 10,
        DataType::DateTime => 32,
        DataType::Boolean => 1,
        DataType::Number | DataType::Currency | DataType::Double | DataType::Float => 64,
        DataType::Integer => 20,
    }
}

/// Item names that are personal or otherwise sensitive by their nature.
pub fn looks_sensitive(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "身份证",
        "身份号码",
        "证件号",
        "手机",
        "电话",
        "联系方式",
        "住址",
        "地址",
        "银行账号",
        "账号",
        "护照",
        "病历",
        "诊断",
        "收入",
        "存款",
    ];
    WORDS.iter().any(|w| name.contains(w))
}

/// A column code for an item name: pinyin initials of its Chinese characters, ASCII
/// letters and digits kept, lower case, e.g. 公民身份号码 → `gmsfhm`.
pub fn column_code_for(name: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if let Some(p) = ch.to_pinyin() {
            out.push_str(p.first_letter());
        }
    }
    if out.is_empty() || out.as_bytes()[0].is_ascii_digit() {
        out.insert(0, 'f');
    }
    out
}

/// Is this a usable column code: ASCII letter first, then letters, digits or `_`,
/// at most 60 characters.
pub fn is_valid_column(code: &str) -> bool {
    let b = code.as_bytes();
    !b.is_empty()
        && b.len() <= 60
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Fills empty column codes from the names, making them unique within the list
/// by suffixing `_2`, `_3`, ...
pub fn assign_columns(items: &mut [Item]) {
    let mut taken: std::collections::HashSet<String> = items
        .iter()
        .filter(|i| !i.column.is_empty())
        .map(|i| i.column.clone())
        .collect();
    for item in items.iter_mut().filter(|i| i.column.is_empty()) {
        let base = column_code_for(&item.name);
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(candidate.clone());
        item.column = candidate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_codes_from_pinyin_initials() {
        assert_eq!(column_code_for("公民身份号码"), "gmsfhm");
        assert_eq!(column_code_for("GPS经度"), "gpsjd");
        assert_eq!(column_code_for("2020年人口"), "f2020nrk");
        assert!(is_valid_column("gmsfhm"));
        assert!(!is_valid_column("GMSFHM"));
        assert!(!is_valid_column("1abc"));
    }

    #[test]
    fn assigned_columns_are_unique() {
        let item = |name: &str| Item {
            name: name.into(),
            column: String::new(),
            data_type: DataType::String,
            length: 10,
            key: false,
            required: false,
            sensitive: false,
        };
        let mut items = vec![item("姓名"), item("性别"), item("星期")];
        assign_columns(&mut items);
        let cols: Vec<_> = items.iter().map(|i| i.column.as_str()).collect();
        assert_eq!(cols, ["xm", "xb", "xq"]);
        let mut dup = vec![item("姓名"), item("姓名")];
        assign_columns(&mut dup);
        assert_eq!(dup[1].column, "xm_2");
    }
}
