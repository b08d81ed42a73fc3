//! The consistency rules of a catalog entry (DOMAIN.md §2): required items, the
//! coding rule, sharing type ↔ method ↔ condition or basis, format ↔ method, opening,
//! information items. Checks that need the store (does the provider exist?) live there.

use crate::classification::{ClassLevel, ResourceCode};
use crate::error::Problem;
use crate::item::{assign_columns, is_valid_column, max_length};
use crate::labels::{FormatCategory, OpenType, SharingMethod, SharingType};
use crate::resource::ResourceSpec;
use std::collections::HashSet;

const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 4000;
const MAX_ITEMS: usize = 2000;

/// Trims text fields, fills missing column codes and marks key items required.
pub fn normalize(spec: &mut ResourceSpec) {
    for s in [
        &mut spec.classification,
        &mut spec.name,
        &mut spec.provider,
        &mut spec.provider_code,
        &mut spec.provider_unit,
        &mut spec.summary,
        &mut spec.format_type,
        &mut spec.sharing_condition,
        &mut spec.not_shared_basis,
        &mut spec.open_condition,
        &mut spec.system_name,
        &mut spec.storage_location,
        &mut spec.online_link,
    ] {
        let t = s.trim();
        if t.len() != s.len() {
            *s = t.to_string();
        }
    }
    if let Some(code) = &mut spec.code {
        *code = code.trim().to_string();
    }
    for item in &mut spec.items {
        item.name = item.name.trim().to_string();
        item.column = item.column.trim().to_string();
        if item.key {
            item.required = true;
        }
    }
    assign_columns(&mut spec.items);
}

/// Every rule the entry breaks, each with its field path.
pub fn validate(spec: &ResourceSpec) -> Vec<Problem> {
    let mut p = Vec::new();
    check_identity(spec, &mut p);
    check_items(spec, &mut p);
    check_sharing(spec, &mut p);
    check_opening(spec, &mut p);
    check_extensions(spec, &mut p);
    p
}

fn check_text(
    p: &mut Vec<Problem>,
    field: &str,
    label: &str,
    value: &str,
    required: bool,
    max: usize,
) {
    if required && value.is_empty() {
        p.push(Problem::new(field, format!("{label}为必填项")));
    } else if value.chars().count() > max {
        p.push(Problem::new(field, format!("{label}不能超过{max}字")));
    }
}

fn check_identity(spec: &ResourceSpec, p: &mut Vec<Problem>) {
    match ClassLevel::of_code(&spec.classification) {
        Some(level) if level.holds_resources() => {}
        _ if spec.classification.is_empty() => p.push(Problem::new(
            "classification",
            "请选择信息资源分类（目或细目）",
        )),
        _ => p.push(Problem::new(
            "classification",
            format!(
                "信息资源分类“{}”应为目（6位）或细目代码",
                spec.classification
            ),
        )),
    }
    if let Some(code) = &spec.code {
        match ResourceCode::parse(code) {
            Err(reason) => p.push(Problem::new("code", reason)),
            Ok(parsed) if parsed.classification != spec.classification => p.push(Problem::new(
                "code",
                format!(
                    "资源代码“{code}”的分类部分与信息资源分类“{}”不一致",
                    spec.classification
                ),
            )),
            Ok(_) => {}
        }
    }
    check_text(p, "name", "信息资源名称", &spec.name, true, MAX_NAME);
    check_text(
        p,
        "provider_code",
        "信息资源提供方代码",
        &spec.provider_code,
        true,
        18,
    );
    check_text(
        p,
        "provider",
        "信息资源提供方",
        &spec.provider,
        false,
        MAX_NAME,
    );
    check_text(
        p,
        "provider_unit",
        "内设机构",
        &spec.provider_unit,
        false,
        MAX_NAME,
    );
    check_text(p, "summary", "信息资源摘要", &spec.summary, true, MAX_TEXT);
    let needs_type = matches!(
        spec.format_category,
        FormatCategory::SelfDescribed | FormatCategory::Other
    );
    check_text(
        p,
        "format_type",
        "信息资源格式类型",
        &spec.format_type,
        needs_type,
        100,
    );
}

fn check_items(spec: &ResourceSpec, p: &mut Vec<Problem>) {
    if spec.format_category.is_structured() && spec.items.is_empty() {
        p.push(Problem::new(
            "items",
            format!(
                "“{}”格式的资源至少需要一个信息项",
                spec.format_category.label()
            ),
        ));
    }
    if spec.items.len() > MAX_ITEMS {
        p.push(Problem::new(
            "items",
            format!("信息项不能超过{MAX_ITEMS}个"),
        ));
    }
    let mut names = HashSet::new();
    let mut columns = HashSet::new();
    for (i, item) in spec.items.iter().enumerate() {
        let f = |name: &str| format!("items[{i}].{name}");
        if item.name.is_empty() || item.name.chars().count() > 100 {
            p.push(Problem::new(f("name"), "信息项名称不能为空且不超过100字"));
        } else if !names.insert(item.name.as_str()) {
            p.push(Problem::new(
                f("name"),
                format!("信息项名称“{}”重复", item.name),
            ));
        }
        if !is_valid_column(&item.column) {
            p.push(Problem::new(
                f("column"),
                format!(
                    "字段代码“{}”应以小写字母开头，只含小写字母、数字和下划线，不超过60位",
                    item.column
                ),
            ));
        } else if !columns.insert(item.column.as_str()) {
            p.push(Problem::new(
                f("column"),
                format!("字段代码“{}”重复", item.column),
            ));
        }
        let max = max_length(item.data_type);
        if item.length == 0 || item.length > max {
            p.push(Problem::new(
                f("length"),
                format!(
                    "“{}”的数据长度应在1到{max}字节之间，实际为{}",
                    item.data_type.label(),
                    item.length
                ),
            ));
        }
    }
}

fn check_sharing(spec: &ResourceSpec, p: &mut Vec<Problem>) {
    let method = spec.sharing_method;
    match spec.sharing_type {
        SharingType::Unconditional => {
            if method.is_none() {
                p.push(Problem::new(
                    "sharing_method",
                    "无条件共享的资源必须填写共享方式",
                ));
            }
            if !spec.sharing_condition.is_empty() {
                p.push(Problem::new(
                    "sharing_condition",
                    "无条件共享的资源不应填写共享条件",
                ));
            }
        }
        SharingType::Conditional => {
            if method.is_none() {
                p.push(Problem::new(
                    "sharing_method",
                    "有条件共享的资源必须填写共享方式",
                ));
            }
            if spec.sharing_condition.is_empty() {
                p.push(Problem::new(
                    "sharing_condition",
                    "有条件共享的资源必须填写共享条件",
                ));
            }
        }
        SharingType::NotShared => {
            if method.is_some() {
                p.push(Problem::new(
                    "sharing_method",
                    "不予共享的资源不应填写共享方式",
                ));
            }
            if spec.not_shared_basis.is_empty() {
                p.push(Problem::new(
                    "not_shared_basis",
                    "不予共享的资源必须填写不予共享依据（法律法规或政策依据）",
                ));
            }
        }
    }
    if spec.sharing_type != SharingType::NotShared && !spec.not_shared_basis.is_empty() {
        p.push(Problem::new(
            "not_shared_basis",
            "只有不予共享的资源才填写不予共享依据",
        ));
    }
    check_text(
        p,
        "sharing_condition",
        "共享条件",
        &spec.sharing_condition,
        false,
        MAX_TEXT,
    );
    check_text(
        p,
        "not_shared_basis",
        "不予共享依据",
        &spec.not_shared_basis,
        false,
        MAX_TEXT,
    );
    if let Some(m) = method {
        let fits = match spec.format_category {
            c if c.is_file_like() => matches!(
                m,
                SharingMethod::File | SharingMethod::Mail | SharingMethod::Media
            ),
            FormatCategory::Database => matches!(m, SharingMethod::Table | SharingMethod::Api),
            FormatCategory::Service => m == SharingMethod::Api,
            _ => true,
        };
        if !fits {
            p.push(Problem::new(
                "sharing_method",
                format!(
                    "“{}”格式的资源不能以“{}”方式共享",
                    spec.format_category.label(),
                    m.label()
                ),
            ));
        }
    }
}

fn check_opening(spec: &ResourceSpec, p: &mut Vec<Problem>) {
    if spec.open_type == OpenType::Conditional && spec.open_condition.is_empty() {
        p.push(Problem::new(
            "open_condition",
            "有条件开放的资源必须填写开放条件",
        ));
    }
    check_text(
        p,
        "open_condition",
        "开放条件",
        &spec.open_condition,
        false,
        MAX_TEXT,
    );
    if spec.sharing_type == SharingType::NotShared && spec.open_type != OpenType::Closed {
        p.push(Problem::new("open_type", "不予共享的资源不能向社会开放"));
    }
    if spec.secret
        && (spec.open_type != OpenType::Closed || spec.sharing_type != SharingType::NotShared)
    {
        p.push(Problem::new("secret", "涉密资源只能为不予共享、不予开放"));
    }
}

fn check_extensions(spec: &ResourceSpec, p: &mut Vec<Problem>) {
    let mut seen = HashSet::new();
    for (i, code) in spec.related_codes.iter().enumerate() {
        if let Err(reason) = ResourceCode::parse(code) {
            p.push(Problem::new(format!("related_codes[{i}]"), reason));
        } else if Some(code) == spec.code.as_ref() {
            p.push(Problem::new(
                format!("related_codes[{i}]"),
                "资源不能关联自身",
            ));
        } else if !seen.insert(code) {
            p.push(Problem::new(
                format!("related_codes[{i}]"),
                format!("关联资源代码“{code}”重复"),
            ));
        }
    }
    if spec.keywords.len() > 20 {
        p.push(Problem::new("keywords", "关键字不能超过20个"));
    }
    let mut words = HashSet::new();
    for (i, k) in spec.keywords.iter().enumerate() {
        if k.trim().is_empty() || k.trim() != k || k.chars().count() > 30 {
            p.push(Problem::new(
                format!("keywords[{i}]"),
                "关键字不能为空、不能有首尾空格且不超过30字",
            ));
        } else if !words.insert(k) {
            p.push(Problem::new(
                format!("keywords[{i}]"),
                format!("关键字“{k}”重复"),
            ));
        }
    }
    let mut themes = HashSet::new();
    for (i, t) in spec.themes.iter().enumerate() {
        if !themes.insert(t) {
            p.push(Problem::new(
                format!("themes[{i}]"),
                format!("主题“{t}”重复"),
            ));
        }
    }
    check_text(
        p,
        "system_name",
        "所属信息系统名称",
        &spec.system_name,
        false,
        MAX_NAME,
    );
    check_text(
        p,
        "storage_location",
        "存储位置",
        &spec.storage_location,
        false,
        MAX_NAME,
    );
    check_text(p, "online_link", "在线链接", &spec.online_link, false, 500);
    let link = &spec.online_link;
    if !(link.is_empty() || link.starts_with("http://") || link.starts_with("https://")) {
        p.push(Problem::new(
            "online_link",
            "在线链接应以 http:// 或 https:// 开头",
        ));
    }
    let s = &spec.survey;
    for (field, v) in [
        ("total_storage_gb", s.total_storage_gb),
        ("shared_storage_gb", s.shared_storage_gb),
        ("opened_storage_gb", s.opened_storage_gb),
    ] {
        if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
            p.push(Problem::new(format!("survey.{field}"), "存储量应为非负数"));
        }
    }
    for (field, v) in [
        ("structured_records", s.structured_records),
        ("shared_records", s.shared_records),
        ("opened_records", s.opened_records),
    ] {
        if v.is_some_and(|v| v < 0) {
            p.push(Problem::new(
                format!("survey.{field}"),
                "记录数应为非负整数",
            ));
        }
    }
    if let (Some(total), Some(shared)) = (s.structured_records, s.shared_records)
        && shared > total
    {
        p.push(Problem::new(
            "survey.shared_records",
            "共享数据记录数不能大于结构化数据记录数",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::Item;
    use crate::labels::{DataType, UpdateCycle};
    use crate::resource::Survey;

    pub(crate) fn sample() -> ResourceSpec {
        ResourceSpec {
            code: Some("101001/000001".into()),
            classification: "101001".into(),
            name: "户籍人口基本信息".into(),
            provider: "重庆市公安局".into(),
            provider_code: "11500000MB1532456X".into(),
            provider_unit: "户政管理总队".into(),
            summary: "全市户籍人口的姓名、身份号码、户籍地址等基本信息".into(),
            format_category: FormatCategory::Database,
            format_type: "Oracle".into(),
            items: vec![Item {
                name: "公民身份号码".into(),
                column: String::new(),
                data_type: DataType::String,
                length: 18,
                key: true,
                required: false,
                sensitive: true,
            }],
            sharing_type: SharingType::Conditional,
            sharing_condition: "用于政务服务身份核验".into(),
            sharing_method: Some(SharingMethod::Api),
            not_shared_basis: String::new(),
            open_type: OpenType::Closed,
            open_condition: String::new(),
            update_cycle: UpdateCycle::Daily,
            published_on: None,
            related_codes: vec![],
            keywords: vec![],
            themes: vec![],
            system_name: String::new(),
            storage_location: String::new(),
            online_link: String::new(),
            secret: false,
            survey: Survey::default(),
        }
    }

    fn problems_of(f: impl FnOnce(&mut ResourceSpec)) -> Vec<String> {
        let mut s = sample();
        f(&mut s);
        normalize(&mut s);
        validate(&s).into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_sound_entry_passes_and_gets_columns() {
        let mut s = sample();
        normalize(&mut s);
        assert_eq!(validate(&s), vec![]);
        assert_eq!(s.items[0].column, "gmsfhm");
        assert!(s.items[0].required);
    }

    #[test]
    fn sharing_rules() {
        assert_eq!(
            problems_of(|s| s.sharing_condition.clear()),
            ["sharing_condition"]
        );
        assert_eq!(problems_of(|s| s.sharing_method = None), ["sharing_method"]);
        assert_eq!(
            problems_of(|s| {
                s.sharing_type = SharingType::NotShared;
                s.sharing_condition.clear();
            }),
            ["sharing_method", "not_shared_basis"]
        );
        assert_eq!(
            problems_of(|s| {
                s.sharing_type = SharingType::Unconditional;
            }),
            ["sharing_condition"]
        );
    }

    #[test]
    fn format_and_method_must_fit() {
        assert_eq!(
            problems_of(|s| s.sharing_method = Some(SharingMethod::File)),
            ["sharing_method"]
        );
        assert_eq!(
            problems_of(|s| {
                s.format_category = FormatCategory::ElectronicFile;
                s.items.clear();
            }),
            ["sharing_method"]
        );
    }

    #[test]
    fn codes_and_items() {
        assert_eq!(
            problems_of(|s| s.code = Some("101002/000001".into())),
            ["code"]
        );
        assert_eq!(problems_of(|s| s.code = Some("ABC".into())), ["code"]);
        assert_eq!(problems_of(|s| s.items[0].length = 0), ["items[0].length"]);
        assert_eq!(problems_of(|s| s.items.clear()), ["items"]);
        assert_eq!(problems_of(|s| s.summary = "  ".into()), ["summary"]);
        assert_eq!(
            problems_of(|s| s.open_type = OpenType::Conditional),
            ["open_condition"]
        );
        assert_eq!(
            problems_of(|s| s.related_codes = vec!["101001/000001".into()]),
            ["related_codes[0]"]
        );
    }
}
