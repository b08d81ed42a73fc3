//! Catalog entries and their items, the classification, themes, history, the change
//! feed, whole-catalog imports and the files of file-type resources.

use govshare_domain as domain;
use govshare_interchange as interchange;
use govshare_store as store;

use super::*;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClassLevel {
    /// 类 (1 digit)
    Category,
    /// 项 (3 digits in all)
    Subject,
    /// 目 (6 digits in all)
    Catalog,
    /// 细目 (6 + DETAIL_DIGITS)
    Detail,
}

impl From<domain::classification::ClassLevel> for ClassLevel {
    fn from(v: domain::classification::ClassLevel) -> Self {
        match v {
            domain::classification::ClassLevel::Category => ClassLevel::Category,
            domain::classification::ClassLevel::Subject => ClassLevel::Subject,
            domain::classification::ClassLevel::Catalog => ClassLevel::Catalog,
            domain::classification::ClassLevel::Detail => ClassLevel::Detail,
        }
    }
}

impl From<ClassLevel> for domain::classification::ClassLevel {
    fn from(v: ClassLevel) -> Self {
        match v {
            ClassLevel::Category => domain::classification::ClassLevel::Category,
            ClassLevel::Subject => domain::classification::ClassLevel::Subject,
            ClassLevel::Catalog => domain::classification::ClassLevel::Catalog,
            ClassLevel::Detail => domain::classification::ClassLevel::Detail,
        }
    }
}

/// One node of the classification tree.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ClassNode {
    pub code: String,
    pub name: String,
}

impl From<domain::classification::ClassNode> for ClassNode {
    fn from(v: domain::classification::ClassNode) -> Self {
        let domain::classification::ClassNode { code, name } = v;
        ClassNode { code, name }
    }
}

impl From<ClassNode> for domain::classification::ClassNode {
    fn from(v: ClassNode) -> Self {
        let ClassNode { code, name } = v;
        domain::classification::ClassNode { code, name }
    }
}

/// One thing wrong with an input: where (a field path such as `items[3].length`)
/// and why, in words a department's catalog clerk understands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub field: String,
    pub reason: String,
}

impl From<domain::error::Problem> for Problem {
    fn from(v: domain::error::Problem) -> Self {
        let domain::error::Problem { field, reason } = v;
        Problem { field, reason }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
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

impl From<domain::item::Item> for Item {
    fn from(v: domain::item::Item) -> Self {
        let domain::item::Item {
            name,
            column,
            data_type,
            length,
            key,
            required,
            sensitive,
        } = v;
        Item {
            name,
            column,
            data_type: data_type.into(),
            length,
            key,
            required,
            sensitive,
        }
    }
}

impl From<Item> for domain::item::Item {
    fn from(v: Item) -> Self {
        let Item {
            name,
            column,
            data_type,
            length,
            key,
            required,
            sensitive,
        } = v;
        domain::item::Item {
            name,
            column,
            data_type: data_type.into(),
            length,
            key,
            required,
            sensitive,
        }
    }
}

/// Everything a department states about a resource. The same shape is used to
/// create, update, import and export entries.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// 信息资源代码: classification code + "/" + six-digit sequence. Generated
    /// when left out; validated against the coding rule when given.
    #[serde(default)]
    pub code: Option<String>,
    /// 信息资源分类: a 目 or 细目 code of the classification tree.
    pub classification: String,
    /// 信息资源名称.
    pub name: String,
    /// 信息资源提供方 (the department's name; informational, the code decides).
    #[serde(default)]
    pub provider: String,
    /// 信息资源提供方代码: the provider's unified social credit code.
    pub provider_code: String,
    /// 内设机构: the internal unit that keeps the resource.
    #[serde(default)]
    pub provider_unit: String,
    /// 信息资源摘要.
    pub summary: String,
    /// 信息资源格式分类.
    pub format_category: FormatCategory,
    /// 信息资源格式类型, e.g. xlsx, Oracle, pdf.
    #[serde(default)]
    pub format_type: String,
    /// 信息项.
    #[serde(default)]
    pub items: Vec<Item>,
    /// 共享类型.
    pub sharing_type: SharingType,
    /// 共享条件 (required when conditional).
    #[serde(default)]
    pub sharing_condition: String,
    /// 共享方式 (none when not shared).
    #[serde(default)]
    pub sharing_method: Option<SharingMethod>,
    /// 不予共享依据 (required when not shared).
    #[serde(default)]
    pub not_shared_basis: String,
    /// 开放属性.
    pub open_type: OpenType,
    /// 开放条件 (required when open on condition).
    #[serde(default)]
    pub open_condition: String,
    /// 更新周期.
    pub update_cycle: UpdateCycle,
    /// 发布日期.
    #[serde(default)]
    pub published_on: Option<NaiveDate>,
    /// 关联资源代码.
    #[serde(default)]
    pub related_codes: Vec<String>,
    /// 关键字: everyday words people use for this resource (e.g. 社保卡, 狗证); searched.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// 所属主题 (thematic catalog codes).
    #[serde(default)]
    pub themes: Vec<String>,
    /// 所属信息系统名称.
    #[serde(default)]
    pub system_name: String,
    /// 存储位置.
    #[serde(default)]
    pub storage_location: String,
    /// 在线链接.
    #[serde(default)]
    pub online_link: String,
    /// 是否涉密.
    #[serde(default)]
    pub secret: bool,
    /// 资源普查数据: storage and record counts.
    #[serde(default)]
    pub survey: Survey,
}

impl From<domain::resource::ResourceSpec> for ResourceSpec {
    fn from(v: domain::resource::ResourceSpec) -> Self {
        let domain::resource::ResourceSpec {
            code,
            classification,
            name,
            provider,
            provider_code,
            provider_unit,
            summary,
            format_category,
            format_type,
            items,
            sharing_type,
            sharing_condition,
            sharing_method,
            not_shared_basis,
            open_type,
            open_condition,
            update_cycle,
            published_on,
            related_codes,
            keywords,
            themes,
            system_name,
            storage_location,
            online_link,
            secret,
            survey,
        } = v;
        ResourceSpec {
            code,
            classification,
            name,
            provider,
            provider_code,
            provider_unit,
            summary,
            format_category: format_category.into(),
            format_type,
            items: items.into_iter().map(Into::into).collect(),
            sharing_type: sharing_type.into(),
            sharing_condition,
            sharing_method: sharing_method.map(Into::into),
            not_shared_basis,
            open_type: open_type.into(),
            open_condition,
            update_cycle: update_cycle.into(),
            published_on,
            related_codes,
            keywords,
            themes,
            system_name,
            storage_location,
            online_link,
            secret,
            survey: survey.into(),
        }
    }
}

impl From<ResourceSpec> for domain::resource::ResourceSpec {
    fn from(v: ResourceSpec) -> Self {
        let ResourceSpec {
            code,
            classification,
            name,
            provider,
            provider_code,
            provider_unit,
            summary,
            format_category,
            format_type,
            items,
            sharing_type,
            sharing_condition,
            sharing_method,
            not_shared_basis,
            open_type,
            open_condition,
            update_cycle,
            published_on,
            related_codes,
            keywords,
            themes,
            system_name,
            storage_location,
            online_link,
            secret,
            survey,
        } = v;
        domain::resource::ResourceSpec {
            code,
            classification,
            name,
            provider,
            provider_code,
            provider_unit,
            summary,
            format_category: format_category.into(),
            format_type,
            items: items.into_iter().map(Into::into).collect(),
            sharing_type: sharing_type.into(),
            sharing_condition,
            sharing_method: sharing_method.map(Into::into),
            not_shared_basis,
            open_type: open_type.into(),
            open_condition,
            update_cycle: update_cycle.into(),
            published_on,
            related_codes,
            keywords,
            themes,
            system_name,
            storage_location,
            online_link,
            secret,
            survey: survey.into(),
        }
    }
}

/// The six survey figures of the national template.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// 数据总存储量 (GB).
    #[serde(default)]
    pub total_storage_gb: Option<f64>,
    /// 结构化数据记录数.
    #[serde(default)]
    pub structured_records: Option<i64>,
    /// 共享数据存储量 (GB).
    #[serde(default)]
    pub shared_storage_gb: Option<f64>,
    /// 共享数据记录数.
    #[serde(default)]
    pub shared_records: Option<i64>,
    /// 开放数据存储量 (GB).
    #[serde(default)]
    pub opened_storage_gb: Option<f64>,
    /// 开放数据记录数.
    #[serde(default)]
    pub opened_records: Option<i64>,
}

impl From<domain::resource::Survey> for Survey {
    fn from(v: domain::resource::Survey) -> Self {
        let domain::resource::Survey {
            total_storage_gb,
            structured_records,
            shared_storage_gb,
            shared_records,
            opened_storage_gb,
            opened_records,
        } = v;
        Survey {
            total_storage_gb,
            structured_records,
            shared_storage_gb,
            shared_records,
            opened_storage_gb,
            opened_records,
        }
    }
}

impl From<Survey> for domain::resource::Survey {
    fn from(v: Survey) -> Self {
        let Survey {
            total_storage_gb,
            structured_records,
            shared_storage_gb,
            shared_records,
            opened_storage_gb,
            opened_records,
        } = v;
        domain::resource::Survey {
            total_storage_gb,
            structured_records,
            shared_storage_gb,
            shared_records,
            opened_storage_gb,
            opened_records,
        }
    }
}

/// A stored catalog entry. Its code appears once in JSON, as the spec's `code`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Resource {
    pub id: i64,
    #[serde(flatten)]
    pub spec: ResourceSpec,
    pub state: State,
    /// Incremented on every change; send it back in `If-Match` to update safely.
    pub version: i64,
    pub owner_org_id: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<domain::resource::Resource> for Resource {
    fn from(v: domain::resource::Resource) -> Self {
        let domain::resource::Resource {
            id,
            spec,
            state,
            version,
            owner_org_id,
            created_at,
            updated_at,
            code: _,
        } = v;
        Resource {
            id,
            spec: spec.into(),
            state: state.into(),
            version,
            owner_org_id,
            created_at,
            updated_at,
        }
    }
}

/// A catalog entry as exchanged in files: the spec (with its code) and its state.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct CatalogRecord {
    #[serde(flatten)]
    pub spec: ResourceSpec,
    pub state: State,
}

impl From<domain::resource::CatalogRecord> for CatalogRecord {
    fn from(v: domain::resource::CatalogRecord) -> Self {
        let domain::resource::CatalogRecord { spec, state } = v;
        CatalogRecord {
            spec: spec.into(),
            state: state.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeSpec {
    /// Short code, e.g. `T01`.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

impl From<domain::theme::ThemeSpec> for ThemeSpec {
    fn from(v: domain::theme::ThemeSpec) -> Self {
        let domain::theme::ThemeSpec {
            code,
            name,
            description,
        } = v;
        ThemeSpec {
            code,
            name,
            description,
        }
    }
}

impl From<ThemeSpec> for domain::theme::ThemeSpec {
    fn from(v: ThemeSpec) -> Self {
        let ThemeSpec {
            code,
            name,
            description,
        } = v;
        domain::theme::ThemeSpec {
            code,
            name,
            description,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Theme {
    #[serde(flatten)]
    pub spec: ThemeSpec,
    /// How many resources the theme holds.
    pub resource_count: i64,
}

impl From<domain::theme::Theme> for Theme {
    fn from(v: domain::theme::Theme) -> Self {
        let domain::theme::Theme {
            spec,
            resource_count,
        } = v;
        Theme {
            spec: spec.into(),
            resource_count,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Change {
    pub seq: i64,
    pub code: String,
    pub op: String,
    pub at: String,
}

impl From<store::catalog::changes::Change> for Change {
    fn from(v: store::catalog::changes::Change) -> Self {
        let store::catalog::changes::Change { seq, code, op, at } = v;
        Change { seq, code, op, at }
    }
}

/// One stored version of a resource's file.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FileVersion {
    pub version: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub note: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

impl From<store::catalog::files::FileVersion> for FileVersion {
    fn from(v: store::catalog::files::FileVersion) -> Self {
        let store::catalog::files::FileVersion {
            version,
            name,
            media_type,
            size,
            sha256,
            note,
            uploaded_by,
            uploaded_at,
        } = v;
        FileVersion {
            version,
            name,
            media_type,
            size,
            sha256,
            note,
            uploaded_by,
            uploaded_at,
        }
    }
}

/// The versions of a file as shared, with the basis they are served under.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SharedFiles {
    pub resource_code: String,
    pub basis: Basis,
    pub purpose: String,
    pub files: Vec<FileVersion>,
}

impl From<store::catalog::files::SharedFiles> for SharedFiles {
    fn from(v: store::catalog::files::SharedFiles) -> Self {
        let store::catalog::files::SharedFiles {
            resource_code,
            basis,
            purpose,
            files,
        } = v;
        SharedFiles {
            resource_code,
            basis: basis.into(),
            purpose,
            files: files.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub version: i64,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub reason: String,
    pub at: String,
    /// Top-level fields that differ from the previous version.
    pub changed: Vec<String>,
    /// The entry as it stood after this change.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

impl From<store::catalog::history::HistoryEntry> for HistoryEntry {
    fn from(v: store::catalog::history::HistoryEntry) -> Self {
        let store::catalog::history::HistoryEntry {
            version,
            action,
            from_state,
            to_state,
            actor,
            reason,
            at,
            changed,
            snapshot,
        } = v;
        HistoryEntry {
            version,
            action,
            from_state,
            to_state,
            actor,
            reason,
            at,
            changed,
            snapshot,
        }
    }
}

/// The problems of one entry, by its position in the input (0-based).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecordProblems {
    pub index: usize,
    pub code: Option<String>,
    pub name: String,
    pub problems: Vec<Problem>,
}

impl From<store::catalog::import::RecordProblems> for RecordProblems {
    fn from(v: store::catalog::import::RecordProblems) -> Self {
        let store::catalog::import::RecordProblems {
            index,
            code,
            name,
            problems,
        } = v;
        RecordProblems {
            index,
            code,
            name,
            problems: problems.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub received: usize,
    pub imported: usize,
    /// Entries not imported, with their reasons.
    pub rejected: Vec<RecordProblems>,
    /// Providers registered with the import (“name（code）”); when nothing was
    /// imported, those that would have been (and were not).
    pub providers: Vec<String>,
}

impl From<store::catalog::import::ImportOutcome> for ImportOutcome {
    fn from(v: store::catalog::import::ImportOutcome) -> Self {
        let store::catalog::import::ImportOutcome {
            received,
            imported,
            rejected,
            providers,
        } = v;
        ImportOutcome {
            received,
            imported,
            rejected: rejected.into_iter().map(Into::into).collect(),
            providers,
        }
    }
}

/// Filters of the resource list. Every field narrows the list.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ResourceFilter {
    /// Provider's unified social credit code.
    pub provider_code: Option<String>,
    /// Classification code prefix (类, 项, 目 or 细目).
    pub classification: Option<String>,
    pub state: Option<State>,
    pub sharing_type: Option<SharingType>,
    pub open_type: Option<OpenType>,
    pub format_category: Option<FormatCategory>,
    pub update_cycle: Option<UpdateCycle>,
    /// Thematic catalog code.
    pub theme: Option<String>,
    /// Part of the name.
    pub name: Option<String>,
    /// Keyset cursor: the `next` value of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
}

impl From<ResourceFilter> for store::catalog::resources::ResourceFilter {
    fn from(v: ResourceFilter) -> Self {
        let ResourceFilter {
            provider_code,
            classification,
            state,
            sharing_type,
            open_type,
            format_category,
            update_cycle,
            theme,
            name,
            after,
            limit,
        } = v;
        store::catalog::resources::ResourceFilter {
            provider_code,
            classification,
            state: state.map(Into::into),
            sharing_type: sharing_type.map(Into::into),
            open_type: open_type.map(Into::into),
            format_category: format_category.map(Into::into),
            update_cycle: update_cycle.map(Into::into),
            theme,
            name,
            after,
            limit,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ResourcePage {
    pub total: i64,
    pub results: Vec<Resource>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<i64>,
}

impl From<store::catalog::resources::ResourcePage> for ResourcePage {
    fn from(v: store::catalog::resources::ResourcePage) -> Self {
        let store::catalog::resources::ResourcePage {
            total,
            results,
            next,
        } = v;
        ResourcePage {
            total,
            results: results.into_iter().map(Into::into).collect(),
            next,
        }
    }
}

/// Where a problem is: sheet, row (1-based, as a spreadsheet shows it) and column
/// header for spreadsheets; a JSON path for JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Location {
    pub sheet: Option<String>,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub reason: String,
}

impl From<interchange::Location> for Location {
    fn from(v: interchange::Location) -> Self {
        let interchange::Location {
            sheet,
            row,
            column,
            reason,
        } = v;
        Location {
            sheet,
            row,
            column,
            reason,
        }
    }
}

/// What a catalog file import did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub received: usize,
    pub imported: usize,
    /// Each problem of each entry not imported, with its sheet, row and column.
    pub rejected: Vec<Location>,
    /// Providers registered with the import, “name（code）” (asked with
    /// `create_providers`; when nothing was imported, none was registered).
    pub providers: Vec<String>,
}

impl From<crate::catalog_import::ImportReport> for ImportReport {
    fn from(v: crate::catalog_import::ImportReport) -> Self {
        let crate::catalog_import::ImportReport {
            received,
            imported,
            rejected,
            providers,
        } = v;
        ImportReport {
            received,
            imported,
            rejected: super::all(rejected),
            providers,
        }
    }
}
