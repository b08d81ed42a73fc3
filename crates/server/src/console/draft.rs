//! A catalog entry as the entry form holds it (`Draft`): every field as the user typed
//! it, and the information-item table as rows. A draft comes from a stored entry (to
//! edit it) or from a posted form; it becomes a `ResourceSpec` with the problems the
//! form itself finds (a length that is no number, a date that is no date, a choice
//! that is not on the list), each named by the same field path the domain's rules use
//! (`items[2].length`), so that both kinds show beside the same field.

use crate::console::form::Fields;
use govshare_domain::error::Problem;
use govshare_domain::item::Item;
use govshare_domain::labels::{
    DataType, FormatCategory, OpenType, SharingMethod, SharingType, UpdateCycle,
};
use govshare_domain::resource::{ResourceSpec, Survey};
use std::collections::BTreeMap;

/// The entry's fields the form shows as text or a single choice, with their labels
/// (the national template's names), in the order of the form.
pub const FIELDS: &[(&str, &str)] = &[
    ("classification", "信息资源分类"),
    ("name", "信息资源名称"),
    ("provider_code", "信息资源提供方"),
    ("provider_unit", "内设机构"),
    ("summary", "信息资源摘要"),
    ("format_category", "信息资源格式分类"),
    ("format_type", "信息资源格式类型"),
    ("sharing_type", "共享类型"),
    ("sharing_condition", "共享条件"),
    ("sharing_method", "共享方式"),
    ("not_shared_basis", "不予共享依据"),
    ("open_type", "开放属性"),
    ("open_condition", "开放条件"),
    ("update_cycle", "更新周期"),
    ("published_on", "发布日期"),
    ("related_codes", "关联资源代码"),
    ("keywords", "关键字"),
    ("system_name", "所属信息系统名称"),
    ("storage_location", "存储位置"),
    ("online_link", "在线链接"),
    ("survey.total_storage_gb", "数据总存储量（GB）"),
    ("survey.structured_records", "结构化数据记录数"),
    ("survey.shared_storage_gb", "共享数据存储量（GB）"),
    ("survey.shared_records", "共享数据记录数"),
    ("survey.opened_storage_gb", "开放数据存储量（GB）"),
    ("survey.opened_records", "开放数据记录数"),
];

/// Labels of the fields the form does not show as text (for problems and history).
const OTHER_LABELS: &[(&str, &str)] = &[
    ("code", "信息资源代码"),
    ("provider", "信息资源提供方名称"),
    ("items", "信息项"),
    ("themes", "所属主题"),
    ("secret", "是否涉密"),
    ("survey", "资源普查数据"),
    ("state", "状态"),
];

/// The label of a field path (`items[2].length` → 信息项第3行·数据长度).
pub fn label_of(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("items[")
        && let Some((row, part)) = rest.split_once("].")
        && let Ok(row) = row.parse::<usize>()
    {
        let part = match part {
            "name" => "名称",
            "column" => "字段代码",
            "data_type" => "数据类型",
            "length" => "数据长度",
            other => other,
        };
        return format!("信息项第{}行·{part}", row + 1);
    }
    let base = field.split('[').next().unwrap_or(field);
    FIELDS
        .iter()
        .chain(OTHER_LABELS)
        .find(|(k, _)| *k == base)
        .map_or_else(|| field.to_string(), |(_, label)| label.to_string())
}

/// Where the form shows a problem: beside its item cell, or beside its field (a
/// problem of `themes[1]` beside the themes).
pub fn place_of(field: &str) -> String {
    if field.starts_with("items[") {
        field.to_string()
    } else {
        field.split('[').next().unwrap_or(field).to_string()
    }
}

/// One row of the information-item table as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemRow {
    pub name: String,
    pub column: String,
    pub data_type: String,
    pub length: String,
    pub key: bool,
    pub required: bool,
    pub sensitive: bool,
}

impl ItemRow {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.column.trim().is_empty()
            && self.length.trim().is_empty()
    }
}

/// An entry as the form holds it.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub values: BTreeMap<String, String>,
    pub themes: Vec<String>,
    pub secret: bool,
    pub items: Vec<ItemRow>,
    /// For each row, where it stood in the posted form (rows are reordered and blank
    /// ones dropped), so that a live check can point at the row the user sees.
    pub origin: Vec<usize>,
}

/// Items of a list typed one per line or separated by the usual marks.
fn list(text: &str) -> Vec<String> {
    text.split(['\n', '\r', ';', '；', ',', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl Draft {
    /// The form of a stored (or new) entry.
    pub fn of_spec(spec: &ResourceSpec) -> Draft {
        let s = &spec.survey;
        let number = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let count = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
        let values = [
            ("classification", spec.classification.clone()),
            ("name", spec.name.clone()),
            ("provider_code", spec.provider_code.clone()),
            ("provider_unit", spec.provider_unit.clone()),
            ("summary", spec.summary.clone()),
            ("format_category", spec.format_category.code().into()),
            ("format_type", spec.format_type.clone()),
            ("sharing_type", spec.sharing_type.code().into()),
            ("sharing_condition", spec.sharing_condition.clone()),
            (
                "sharing_method",
                spec.sharing_method
                    .map_or(String::new(), |m| m.code().into()),
            ),
            ("not_shared_basis", spec.not_shared_basis.clone()),
            ("open_type", spec.open_type.code().into()),
            ("open_condition", spec.open_condition.clone()),
            ("update_cycle", spec.update_cycle.code().into()),
            (
                "published_on",
                spec.published_on.map_or(String::new(), |d| d.to_string()),
            ),
            ("related_codes", spec.related_codes.join("\n")),
            ("keywords", spec.keywords.join("、")),
            ("system_name", spec.system_name.clone()),
            ("storage_location", spec.storage_location.clone()),
            ("online_link", spec.online_link.clone()),
            ("survey.total_storage_gb", number(s.total_storage_gb)),
            ("survey.structured_records", count(s.structured_records)),
            ("survey.shared_storage_gb", number(s.shared_storage_gb)),
            ("survey.shared_records", count(s.shared_records)),
            ("survey.opened_storage_gb", number(s.opened_storage_gb)),
            ("survey.opened_records", count(s.opened_records)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Draft {
            values,
            themes: spec.themes.clone(),
            secret: spec.secret,
            origin: (0..spec.items.len()).collect(),
            items: spec
                .items
                .iter()
                .map(|i| ItemRow {
                    name: i.name.clone(),
                    column: i.column.clone(),
                    data_type: i.data_type.code().into(),
                    length: i.length.to_string(),
                    key: i.key,
                    required: i.required,
                    sensitive: i.sensitive,
                })
                .collect(),
        }
    }

    /// The form as posted. Item rows come in the order of their 序号 (rows whose 序号
    /// is no number keep their place); rows ticked for removal and blank rows are
    /// left out.
    pub fn of_form(f: &Fields) -> Draft {
        let values = FIELDS
            .iter()
            .map(|(k, _)| (k.to_string(), f.get(k).to_string()))
            .collect();
        let column = |name: &str| f.all(name);
        let (names, columns, types, lengths, orders) = (
            column("item_name"),
            column("item_column"),
            column("item_type"),
            column("item_length"),
            column("item_order"),
        );
        let ticked = |name: &str, i: usize| f.all(name).iter().any(|v| v == &i.to_string());
        let cell = |list: &Vec<String>, i: usize| list.get(i).cloned().unwrap_or_default();
        let mut rows: Vec<(f64, usize, ItemRow)> = (0..names.len())
            .filter(|&i| !ticked("item_drop", i))
            .map(|i| {
                let order = cell(&orders, i).trim().parse::<f64>().ok();
                let row = ItemRow {
                    name: cell(&names, i),
                    column: cell(&columns, i),
                    data_type: cell(&types, i),
                    length: cell(&lengths, i),
                    key: ticked("item_key", i),
                    required: ticked("item_required", i),
                    sensitive: ticked("item_sensitive", i),
                };
                (
                    order.filter(|o| o.is_finite()).unwrap_or(i as f64 + 1.0),
                    i,
                    row,
                )
            })
            .filter(|(_, _, row)| !row.is_blank())
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        Draft {
            values,
            themes: f.all("themes"),
            secret: f.get("secret") == "1",
            origin: rows.iter().map(|(_, i, _)| *i).collect(),
            items: rows.into_iter().map(|(_, _, row)| row).collect(),
        }
    }

    /// A field path as the posted form shows it: an item's problem on the row where
    /// the user typed the item.
    pub fn on_screen(&self, field: &str) -> String {
        if let Some(rest) = field.strip_prefix("items[")
            && let Some((row, part)) = rest.split_once(']')
            && let Some(origin) = row.parse::<usize>().ok().and_then(|r| self.origin.get(r))
        {
            return format!("items[{origin}]{part}");
        }
        field.to_string()
    }

    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", |v| v.trim())
    }

    /// The entry this form describes, and what the form could not read. A field that
    /// could not be read takes a stand-in value, and its problem says why.
    pub fn to_spec(&self) -> (ResourceSpec, Vec<Problem>) {
        let mut p = Vec::new();
        let spec = ResourceSpec {
            code: None,
            classification: self.value("classification").to_string(),
            name: self.value("name").to_string(),
            provider: String::new(),
            provider_code: self.value("provider_code").to_string(),
            provider_unit: self.value("provider_unit").to_string(),
            summary: self.value("summary").to_string(),
            format_category: self.choice("format_category", &mut p),
            format_type: self.value("format_type").to_string(),
            items: self.items(&mut p),
            sharing_type: self.choice("sharing_type", &mut p),
            sharing_condition: self.value("sharing_condition").to_string(),
            sharing_method: match self.value("sharing_method") {
                "" => None,
                _ => Some(self.choice::<SharingMethod>("sharing_method", &mut p)),
            },
            not_shared_basis: self.value("not_shared_basis").to_string(),
            open_type: self.choice::<OpenType>("open_type", &mut p),
            open_condition: self.value("open_condition").to_string(),
            update_cycle: self.choice::<UpdateCycle>("update_cycle", &mut p),
            published_on: self.date("published_on", &mut p),
            related_codes: list(self.value("related_codes")),
            keywords: list(self.value("keywords")),
            themes: self.themes.clone(),
            system_name: self.value("system_name").to_string(),
            storage_location: self.value("storage_location").to_string(),
            online_link: self.value("online_link").to_string(),
            secret: self.secret,
            survey: Survey {
                total_storage_gb: self.number("survey.total_storage_gb", &mut p),
                structured_records: self.count("survey.structured_records", &mut p),
                shared_storage_gb: self.number("survey.shared_storage_gb", &mut p),
                shared_records: self.count("survey.shared_records", &mut p),
                opened_storage_gb: self.number("survey.opened_storage_gb", &mut p),
                opened_records: self.count("survey.opened_records", &mut p),
            },
        };
        (spec, p)
    }

    fn choice<T: Choice>(&self, field: &str, p: &mut Vec<Problem>) -> T {
        T::parse_text(self.value(field)).unwrap_or_else(|| {
            p.push(Problem::new(field, format!("请选择{}", label_of(field))));
            T::first()
        })
    }

    fn date(&self, field: &str, p: &mut Vec<Problem>) -> Option<chrono::NaiveDate> {
        let text = self.value(field);
        if text.is_empty() {
            return None;
        }
        let read = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d"]
            .iter()
            .find_map(|f| chrono::NaiveDate::parse_from_str(text, f).ok());
        if read.is_none() {
            p.push(Problem::new(field, "请填写日期，如2026-12-01"));
        }
        read
    }

    fn number(&self, field: &str, p: &mut Vec<Problem>) -> Option<f64> {
        let text = self.value(field).replace([',', '，'], "");
        if text.is_empty() {
            return None;
        }
        let read = text.parse::<f64>().ok().filter(|v| v.is_finite());
        if read.is_none() {
            p.push(Problem::new(field, "请填写数字，如12.5"));
        }
        read
    }

    fn count(&self, field: &str, p: &mut Vec<Problem>) -> Option<i64> {
        let text = self.value(field).replace([',', '，'], "");
        if text.is_empty() {
            return None;
        }
        let read = text.parse::<i64>().ok();
        if read.is_none() {
            p.push(Problem::new(field, "请填写整数，如120000"));
        }
        read
    }

    fn items(&self, p: &mut Vec<Problem>) -> Vec<Item> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let field = |part: &str| format!("items[{i}].{part}");
                let data_type = DataType::parse(row.data_type.trim()).unwrap_or_else(|| {
                    p.push(Problem::new(field("data_type"), "请选择数据类型"));
                    DataType::String
                });
                let length = match row.length.trim() {
                    "" => {
                        p.push(Problem::new(field("length"), "请填写数据长度"));
                        0
                    }
                    text => text.parse::<u32>().unwrap_or_else(|_| {
                        p.push(Problem::new(
                            field("length"),
                            format!("数据长度“{text}”应为正整数"),
                        ));
                        0
                    }),
                };
                Item {
                    name: row.name.trim().to_string(),
                    column: row.column.trim().to_string(),
                    data_type,
                    length,
                    key: row.key,
                    required: row.required,
                    sensitive: row.sensitive,
                }
            })
            .collect()
    }
}

/// A choice list of the national template, read from its code or its label.
trait Choice: Sized {
    fn parse_text(text: &str) -> Option<Self>;
    fn first() -> Self;
}

macro_rules! choice {
    ($($t:ty),*) => {$(
        impl Choice for $t {
            fn parse_text(text: &str) -> Option<Self> {
                <$t>::parse(text)
            }
            fn first() -> Self {
                <$t as govshare_domain::labels::Coded>::all()[0]
            }
        }
    )*};
}
choice!(
    FormatCategory,
    SharingType,
    SharingMethod,
    OpenType,
    UpdateCycle
);

/// Every problem of a draft: what the form could not read, then what the domain's
/// rules refuse (the same rules the API applies), each once per field, by where the
/// form shows it.
pub fn problems(spec: &ResourceSpec, read: Vec<Problem>) -> BTreeMap<String, String> {
    let mut checked = spec.clone();
    govshare_domain::rules::normalize(&mut checked);
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let unread: Vec<String> = read.iter().map(|p| p.field.clone()).collect();
    let ruled = govshare_domain::rules::validate(&checked)
        .into_iter()
        .filter(|p| !unread.contains(&p.field));
    for problem in read.into_iter().chain(ruled) {
        merge(&mut out, problem);
    }
    out
}

/// Adds a problem to those shown beside its field.
pub fn merge(out: &mut BTreeMap<String, String>, problem: Problem) {
    let place = place_of(&problem.field);
    match out.get_mut(&place) {
        Some(text) if !text.contains(&problem.reason) => {
            text.push('；');
            text.push_str(&problem.reason);
        }
        Some(_) => {}
        None => {
            out.insert(place, problem.reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Draft {
        Draft::of_form(&Fields::parse(body))
    }

    #[test]
    fn rows_follow_their_order_numbers_and_removed_and_blank_rows_go() {
        let d = form(
            "item_name=A&item_column=&item_type=C&item_length=10&item_order=3\
             &item_name=B&item_column=&item_type=C&item_length=5&item_order=1&item_key=1\
             &item_name=C&item_column=&item_type=C&item_length=5&item_order=2&item_drop=2\
             &item_name=&item_column=&item_type=C&item_length=&item_order=4",
        );
        let names: Vec<_> = d.items.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["B", "A"]);
        assert!(d.items[0].key, "the tick follows its row");
        assert!(!d.items[1].key);
        assert_eq!(d.on_screen("items[0].length"), "items[1].length");
        assert_eq!(d.on_screen("items[1].name"), "items[0].name");
        assert_eq!(d.on_screen("name"), "name");
    }

    #[test]
    fn what_the_form_cannot_read_is_named_by_the_rules_field_paths() {
        let d = form(
            "format_category=database&sharing_type=%E6%97%A0%E6%9D%A1%E4%BB%B6%E5%85%B1%E4%BA%AB\
             &open_type=nope&update_cycle=daily&published_on=2026-13-01&survey.shared_records=12x\
             &item_name=X&item_type=C&item_length=ten",
        );
        let (spec, read) = d.to_spec();
        assert_eq!(
            spec.sharing_type,
            SharingType::Unconditional,
            "labels are read"
        );
        let fields: Vec<_> = read.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "items[0].length",
                "open_type",
                "published_on",
                "survey.shared_records"
            ]
        );
        let shown = problems(&spec, read);
        assert!(shown["items[0].length"].contains("ten"));
        assert!(shown.contains_key("name"), "{shown:?}");
    }

    #[test]
    fn a_stored_entry_comes_back_from_its_form_unchanged() {
        let spec: ResourceSpec = serde_json::from_value(serde_json::json!({
            "classification": "201001", "name": "户籍人口", "provider_code": "11500000MB1234567X",
            "summary": "s", "format_category": "database", "sharing_type": "conditional",
            "sharing_condition": "依申请", "sharing_method": "api", "open_type": "closed",
            "update_cycle": "daily", "keywords": ["户口", "户籍"], "related_codes": ["201001/000002"],
            "survey": {"total_storage_gb": 1.5, "structured_records": 100},
            "items": [{"name": "姓名", "column": "xm", "data_type": "C", "length": 50, "key": false, "required": true, "sensitive": false}]
        }))
        .unwrap();
        let d = Draft::of_spec(&spec);
        let (back, read) = d.to_spec();
        assert!(read.is_empty(), "{read:?}");
        assert_eq!(back, spec);
        assert_eq!(label_of("items[2].length"), "信息项第3行·数据长度");
        assert_eq!(label_of("themes[0]"), "所属主题");
    }
}
