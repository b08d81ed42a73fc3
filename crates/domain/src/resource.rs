//! 政务信息资源: a catalog entry with the 13 core metadata items of the national
//! compilation guide and the common extensions of the national templates.

use crate::item::Item;
use crate::labels::{FormatCategory, OpenType, SharingMethod, SharingType, UpdateCycle};
use crate::lifecycle::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Everything a department states about a resource. The same shape is used to
/// create, update, import and export entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// The six survey figures of the national template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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

/// A stored catalog entry. Its code appears once in JSON, as the spec's `code`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resource {
    pub id: i64,
    #[serde(skip)]
    pub code: String,
    #[serde(flatten)]
    pub spec: ResourceSpec,
    pub state: State,
    /// Incremented on every change; send it back in `If-Match` to update safely.
    pub version: i64,
    pub owner_org_id: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A catalog entry as exchanged in files: the spec (with its code) and its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogRecord {
    #[serde(flatten)]
    pub spec: ResourceSpec,
    pub state: State,
}

impl Resource {
    pub fn to_record(&self) -> CatalogRecord {
        let mut spec = self.spec.clone();
        spec.code = Some(self.code.clone());
        CatalogRecord {
            spec,
            state: self.state,
        }
    }
}
