//! The columns of the national spreadsheet layout: Chinese header, the JSON path of
//! the field it holds, and how its cells are read and written. Both directions go
//! through the entry's JSON form, so the table below is the one place that knows
//! the layout.

use chrono::NaiveDate;
use govshare_domain::labels::{
    DataType, FormatCategory, OpenType, SharingMethod, SharingType, UpdateCycle,
};
use govshare_domain::lifecycle::State;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A coded value, written with its Chinese label.
    Coded(Coded),
    Bool,
    Int,
    Float,
    Date,
    /// Several values separated by `;`.
    List,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coded {
    DataType,
    Format,
    SharingType,
    SharingMethod,
    OpenType,
    UpdateCycle,
    State,
}

impl Coded {
    /// (code, label) of a text in any accepted form.
    fn parse(self, t: &str) -> Option<(&'static str, &'static str)> {
        macro_rules! pair {
            ($e:ty) => {
                <$e>::parse(t).map(|v| (v.code(), v.label()))
            };
        }
        match self {
            Coded::DataType => pair!(DataType),
            Coded::Format => pair!(FormatCategory),
            Coded::SharingType => pair!(SharingType),
            Coded::SharingMethod => pair!(SharingMethod),
            Coded::OpenType => pair!(OpenType),
            Coded::UpdateCycle => pair!(UpdateCycle),
            Coded::State => pair!(State),
        }
    }

    fn choices(self) -> String {
        match self {
            Coded::DataType => DataType::labels(),
            Coded::Format => FormatCategory::labels(),
            Coded::SharingType => SharingType::labels(),
            Coded::SharingMethod => SharingMethod::labels(),
            Coded::OpenType => OpenType::labels(),
            Coded::UpdateCycle => UpdateCycle::labels(),
            Coded::State => State::labels(),
        }
    }
}

pub struct Column {
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    /// JSON path inside the entry (or the item), dot-separated.
    pub path: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn col(header: &'static str, path: &'static str, kind: Kind, required: bool) -> Column {
    Column {
        header,
        aliases: &[],
        path,
        kind,
        required,
    }
}

const fn alias(
    header: &'static str,
    aliases: &'static [&'static str],
    path: &'static str,
    kind: Kind,
    required: bool,
) -> Column {
    Column {
        header,
        aliases,
        path,
        kind,
        required,
    }
}

use Kind::*;

/// Columns of the resources sheet, in template order.
pub const RESOURCE_COLUMNS: &[Column] = &[
    alias("信息资源代码", &["资源代码"], "code", Text, false),
    alias(
        "信息资源分类",
        &["资源分类", "分类代码"],
        "classification",
        Text,
        true,
    ),
    alias("信息资源名称", &["资源名称"], "name", Text, true),
    alias(
        "信息资源提供方",
        &["提供方", "提供单位"],
        "provider",
        Text,
        false,
    ),
    alias(
        "信息资源提供方代码",
        &["提供方代码"],
        "provider_code",
        Text,
        true,
    ),
    alias(
        "内设机构",
        &["提供方内设机构"],
        "provider_unit",
        Text,
        false,
    ),
    alias("信息资源摘要", &["摘要"], "summary", Text, true),
    alias(
        "信息资源格式分类",
        &["格式分类"],
        "format_category",
        Coded(self::Coded::Format),
        true,
    ),
    alias(
        "信息资源格式类型",
        &["格式类型"],
        "format_type",
        Text,
        false,
    ),
    col(
        "共享类型",
        "sharing_type",
        Coded(self::Coded::SharingType),
        true,
    ),
    col("共享条件", "sharing_condition", Text, false),
    col(
        "共享方式",
        "sharing_method",
        Coded(self::Coded::SharingMethod),
        false,
    ),
    col("不予共享依据", "not_shared_basis", Text, false),
    alias(
        "开放类型",
        &["开放属性", "是否向社会开放"],
        "open_type",
        Coded(self::Coded::OpenType),
        true,
    ),
    col("开放条件", "open_condition", Text, false),
    col(
        "更新周期",
        "update_cycle",
        Coded(self::Coded::UpdateCycle),
        true,
    ),
    col("发布日期", "published_on", Date, false),
    col("关联资源代码", "related_codes", List, false),
    alias("关键字", &["资源关键字", "标签"], "keywords", List, false),
    alias("所属主题", &["主题"], "themes", List, false),
    alias(
        "所属信息系统名称",
        &["信息系统名称"],
        "system_name",
        Text,
        false,
    ),
    col("存储位置", "storage_location", Text, false),
    col("在线链接", "online_link", Text, false),
    col("是否涉密", "secret", Bool, false),
    col("数据总存储量(GB)", "survey.total_storage_gb", Float, false),
    col("结构化数据记录数", "survey.structured_records", Int, false),
    col(
        "共享数据存储量(GB)",
        "survey.shared_storage_gb",
        Float,
        false,
    ),
    col("共享数据记录数", "survey.shared_records", Int, false),
    col(
        "开放数据存储量(GB)",
        "survey.opened_storage_gb",
        Float,
        false,
    ),
    col("开放数据记录数", "survey.opened_records", Int, false),
    alias(
        "状态",
        &["目录状态"],
        "state",
        Coded(self::Coded::State),
        false,
    ),
];

/// Columns describing one information item.
pub const ITEM_COLUMNS: &[Column] = &[
    alias("信息项名称", &["数据项名称"], "name", Text, true),
    alias("字段代码", &["字段名"], "column", Text, false),
    col("数据类型", "data_type", Coded(self::Coded::DataType), true),
    alias("数据长度", &["长度"], "length", Int, true),
    col("是否主键", "key", Bool, false),
    col("是否必填", "required", Bool, false),
    col("是否敏感", "sensitive", Bool, false),
];

/// The column that links an item row to its resource.
pub const ITEM_LINK: &str = "信息资源代码";

impl Column {
    pub fn matches(&self, header: &str) -> bool {
        let h = normalize_header(header);
        h == normalize_header(self.header) || self.aliases.iter().any(|a| normalize_header(a) == h)
    }

    /// The cell text of this column's field in an entry's JSON.
    pub fn write(&self, obj: &Value) -> CellOut {
        let v = get_path(obj, self.path);
        match (self.kind, v) {
            (_, None | Some(Value::Null)) => CellOut::Empty,
            (Coded(c), Some(Value::String(s))) => {
                CellOut::Text(c.parse(s).map_or(s.clone(), |(_, l)| l.to_string()))
            }
            (Bool, Some(Value::Bool(b))) => CellOut::Text(if *b { "是" } else { "否" }.into()),
            (Int | Float, Some(Value::Number(n))) => {
                CellOut::Number(n.as_f64().unwrap_or_default())
            }
            (List, Some(Value::Array(a))) => CellOut::Text(
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            (_, Some(Value::String(s))) => CellOut::Text(s.clone()),
            (_, Some(other)) => CellOut::Text(other.to_string()),
        }
    }

    /// Reads a cell into `obj` at this column's path, or says what is wrong with it.
    pub fn read(&self, cell: &CellIn, obj: &mut Map<String, Value>) -> Result<(), String> {
        let text = cell.text();
        let text = text.trim();
        if text.is_empty() {
            return if self.required {
                Err(format!("“{}”为必填项", self.header))
            } else {
                Ok(())
            };
        }
        let value = match self.kind {
            Text => Value::String(text.to_string()),
            Coded(c) => match c.parse(text) {
                Some((code, _)) => Value::String(code.to_string()),
                None => {
                    return Err(format!(
                        "“{text}”不是有效的{}，可选：{}",
                        self.header,
                        c.choices()
                    ));
                }
            },
            Bool => Value::Bool(parse_bool(text).ok_or_else(|| format!("“{text}”应为“是”或“否”"))?),
            Int => Value::from(parse_int(cell, text).ok_or_else(|| format!("“{text}”应为整数"))?),
            Float => {
                let f: f64 = cell
                    .number()
                    .or_else(|| text.parse().ok())
                    .filter(|f: &f64| f.is_finite())
                    .ok_or_else(|| format!("“{text}”应为数字"))?;
                Value::from(f)
            }
            Date => Value::String(
                parse_date(cell, text)
                    .ok_or_else(|| format!("“{text}”不是有效日期，应为 YYYY-MM-DD"))?
                    .to_string(),
            ),
            List => Value::Array(
                text.split([';', '；', ',', '，', '、'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.into()))
                    .collect(),
            ),
        };
        set_path(obj, self.path, value);
        Ok(())
    }
}

fn normalize_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .trim_start_matches('*')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

fn parse_bool(t: &str) -> Option<bool> {
    match t {
        "是" | "Y" | "y" | "1" | "true" | "TRUE" | "True" => Some(true),
        "否" | "N" | "n" | "0" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn parse_int(cell: &CellIn, t: &str) -> Option<i64> {
    if let Some(f) = cell.number() {
        return (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64);
    }
    t.parse().ok()
}

fn parse_date(cell: &CellIn, t: &str) -> Option<NaiveDate> {
    if let CellIn::Date(d) = cell {
        return Some(*d);
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
            return Some(d);
        }
    }
    None
}

fn get_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(obj, |v, key| v.get(key))
}

fn set_path(obj: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let child = obj.entry(head).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = child {
                set_path(m, rest, value);
            }
        }
    }
}

/// A cell as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum CellIn {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl CellIn {
    pub fn text(&self) -> String {
        match self {
            CellIn::Empty => String::new(),
            CellIn::Text(s) => s.clone(),
            CellIn::Number(f) => f.to_string(),
            CellIn::Date(d) => d.to_string(),
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            CellIn::Number(f) => Some(*f),
            _ => None,
        }
    }
}

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum CellOut {
    Empty,
    Text(String),
    Number(f64),
}

impl CellOut {
    pub fn as_csv(&self) -> String {
        match self {
            CellOut::Empty => String::new(),
            CellOut::Text(s) => crate::formula::guard(s).into_owned(),
            CellOut::Number(f) => f.to_string(),
        }
    }
}

/// The header of the column that holds a field path such as `items[3].length` or
/// `survey.shared_records`, and whether it is an item column.
pub fn header_of(field: &str) -> Option<(&'static str, bool)> {
    let plain: String = {
        let mut out = String::new();
        let mut depth = 0;
        for c in field.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                c if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    };
    if let Some(rest) = plain.strip_prefix("items.") {
        return ITEM_COLUMNS
            .iter()
            .find(|c| c.path == rest)
            .map(|c| (c.header, true));
    }
    if plain == "items" {
        return Some(("信息项", true));
    }
    RESOURCE_COLUMNS
        .iter()
        .find(|c| c.path == plain)
        .map(|c| (c.header, false))
}
