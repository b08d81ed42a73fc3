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
    /// 信息资源格式 in one cell (`数据库/KingbaseES`, `电子文件 pdf`): category and type.
    FormatPair,
    /// 是否向社会开放 answered 是 / 否 (开放条件 then decides conditional), or an open type.
    OpenAnswer,
    /// 数据类型 as the guide's name or letter, or a database type with its length
    /// (`VARCHAR2(18)`).
    DeclaredType,
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
    /// Read from files that use it, never written (another column holds the field).
    pub input_only: bool,
}

const fn col(header: &'static str, path: &'static str, kind: Kind, required: bool) -> Column {
    Column {
        header,
        aliases: &[],
        path,
        kind,
        required,
        input_only: false,
    }
}

/// A column some department templates use in place of others: read, never written.
const fn input_only(
    header: &'static str,
    aliases: &'static [&'static str],
    path: &'static str,
    kind: Kind,
) -> Column {
    Column {
        header,
        aliases,
        path,
        kind,
        required: false,
        input_only: true,
    }
}

/// The columns written to files (the template's own).
pub fn written(cols: &'static [Column]) -> impl Iterator<Item = &'static Column> {
    cols.iter().filter(|c| !c.input_only)
}

/// A required column and the one that may stand in for it in a file's header.
pub const STANDS_IN_FOR: &[(&str, &str)] = &[
    ("信息资源格式分类", "信息资源格式"),
    ("开放类型", "是否向社会开放"),
];

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
        input_only: false,
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
        &["开放属性"],
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
    // Last, so that the template's columns keep their places.
    input_only("信息资源格式", &["资源格式", "格式"], "format", FormatPair),
    input_only(
        "是否向社会开放",
        &["是否开放", "是否面向社会开放"],
        "_open_answer",
        OpenAnswer,
    ),
];

/// Columns describing one information item.
pub const ITEM_COLUMNS: &[Column] = &[
    alias("信息项名称", &["数据项名称"], "name", Text, true),
    alias("字段代码", &["字段名"], "column", Text, false),
    alias("数据类型", &["字段类型"], "data_type", DeclaredType, true),
    // Required, unless the data type states it (VARCHAR2(18)): see `settle_item`.
    alias("数据长度", &["长度", "字段长度"], "length", Int, false),
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
            (DeclaredType, Some(Value::String(s))) => CellOut::Text(
                Coded::DataType
                    .parse(s)
                    .map_or(s.clone(), |(_, l)| l.to_string()),
            ),
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
            FormatPair => {
                let (category, format_type) = split_format(text).ok_or_else(|| {
                    format!(
                        "“{text}”不是有效的信息资源格式，应写作“格式分类/格式类型”（如“数据库/Oracle”），格式分类可选：{}",
                        Coded::Format.choices()
                    )
                })?;
                if !format_type.is_empty() {
                    obj.insert("format_type".into(), Value::String(format_type));
                }
                obj.insert("format_category".into(), Value::String(category.into()));
                return Ok(());
            }
            OpenAnswer => match (parse_bool(text), Coded::OpenType.parse(text)) {
                (Some(yes), _) => Value::Bool(yes),
                (None, Some((code, _))) => {
                    obj.insert("open_type".into(), Value::String(code.into()));
                    return Ok(());
                }
                (None, None) => {
                    return Err(format!(
                        "“{text}”应为“是”或“否”，或开放类型：{}",
                        Coded::OpenType.choices()
                    ));
                }
            },
            DeclaredType => {
                let (t, length) = DataType::parse_declared(text).ok_or_else(|| {
                    format!(
                        "“{text}”不是有效的数据类型，可选：{}，或数据库类型（如 VARCHAR2(18)、NUMBER(10,2)、DATE）",
                        Coded::DataType.choices()
                    )
                })?;
                if let Some(n) = length {
                    obj.insert(DECLARED_LENGTH.into(), Value::from(n));
                }
                Value::String(t.code().into())
            }
        };
        set_path(obj, self.path, value);
        Ok(())
    }
}

/// Where a declared type's length waits until the row is settled.
const DECLARED_LENGTH: &str = "_declared_length";

/// `数据库/KingbaseES`, `电子表格(xlsx)`, `电子文件 pdf`, `数据库`: the category's code
/// and the type after it (maybe empty).
fn split_format(text: &str) -> Option<(&'static str, String)> {
    let t = text.trim();
    let category = FormatCategory::ALL
        .iter()
        .filter(|c| t.starts_with(c.label()))
        .max_by_key(|c| c.label().len())
        .copied()
        .or_else(|| {
            let head = t
                .split(['/', '／', ' ', '\u{3000}', ':', '：', '(', '（'])
                .next()?;
            FormatCategory::parse(head)
        })?;
    let rest = t
        .strip_prefix(category.label())
        .or_else(|| t.strip_prefix(category.code()))
        .unwrap_or_else(|| {
            t.split_once(['/', '／', ' ', ':', '：', '(', '（'])
                .map_or("", |(_, r)| r)
        });
    let format_type = rest
        .trim_start_matches([
            '/', '／', '\\', ':', '：', '-', '—', '(', '（', ' ', '\u{3000}',
        ])
        .trim_end_matches([')', '）'])
        .trim();
    Some((category.code(), format_type.to_string()))
}

/// What a resource row's cells mean together: 是否向社会开放 with 开放条件, a
/// classification written with its label. Problems by column header.
pub fn settle_resource(obj: &mut Map<String, Value>) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if obj.is_empty() {
        return problems;
    }
    if let Some(Value::Bool(yes)) = obj.remove("_open_answer")
        && !obj.contains_key("open_type")
    {
        let conditional = obj
            .get("open_condition")
            .and_then(Value::as_str)
            .is_some_and(|c| !c.trim().is_empty());
        let open = match (yes, conditional) {
            (false, _) => OpenType::Closed,
            (true, true) => OpenType::Conditional,
            (true, false) => OpenType::Open,
        };
        obj.insert("open_type".into(), Value::String(open.code().into()));
    }
    if let Some(Value::String(c)) = obj.get_mut("classification")
        && let Some(code) = classification_code(c)
    {
        *c = code;
    }
    for (field, header) in [
        ("format_category", "信息资源格式分类"),
        ("open_type", "开放类型"),
    ] {
        if !obj.contains_key(field) {
            problems.push((header, format!("“{header}”为必填项")));
        }
    }
    problems
}

/// The code of a classification written with its label (`基础信息资源/101001`,
/// `101001 自然人`, `１０１００１`): the one run of digits, when there is exactly one.
fn classification_code(text: &str) -> Option<String> {
    let narrow: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect();
    let runs: Vec<&str> = narrow
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    match runs.as_slice() {
        [one] if *one != text => Some(one.to_string()),
        _ => None,
    }
}

/// What an item row's cells mean together: a length the data type stated. Problems by
/// column header.
pub fn settle_item(obj: &mut Map<String, Value>) -> Vec<(&'static str, String)> {
    let declared = obj.remove(DECLARED_LENGTH);
    if obj.is_empty() {
        return vec![];
    }
    if !obj.contains_key("length") {
        match declared {
            Some(n) => {
                obj.insert("length".into(), n);
            }
            None => {
                return vec![(
                    "数据长度",
                    "“数据长度”为必填项（也可写在数据类型中，如 VARCHAR2(18)）".into(),
                )];
            }
        }
    }
    vec![]
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
