//! The shape of a resource's data pool: one typed column per information item, the
//! key item(s) as primary key, and the checks of each column.

use crate::error::{Error, Result};
use crate::item::Item;
use crate::labels::{DataType, FormatCategory, SharingMethod};
use crate::pool::check::{Check, infer_checks};
use crate::resource::Resource;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PoolColumn {
    pub column: String,
    pub name: String,
    pub data_type: DataType,
    pub length: u32,
    pub key: bool,
    pub required: bool,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PoolSchema {
    /// The pool's table, `pool_<resource id>`.
    pub table: String,
    pub columns: Vec<PoolColumn>,
}

/// Does this resource hold rows (a pool) rather than files?
pub fn is_data_backed(r: &Resource) -> bool {
    r.spec.format_category.is_structured()
        || matches!(
            r.spec.sharing_method,
            Some(SharingMethod::Table | SharingMethod::Api)
        )
        || r.spec.format_category == FormatCategory::SelfDescribed && !r.spec.items.is_empty()
}

impl PoolColumn {
    pub fn from_item(item: &Item) -> PoolColumn {
        PoolColumn {
            column: item.column.clone(),
            name: item.name.clone(),
            data_type: item.data_type,
            length: item.length,
            key: item.key,
            required: item.required || item.key,
            checks: infer_checks(&item.name),
        }
    }

    /// The item this column checks values against.
    pub fn as_item(&self) -> Item {
        Item {
            name: self.name.clone(),
            column: self.column.clone(),
            data_type: self.data_type,
            length: self.length,
            key: self.key,
            required: self.required,
            sensitive: false,
        }
    }
}

impl PoolSchema {
    /// The pool a resource's items call for; it needs at least one key item.
    pub fn for_resource(r: &Resource) -> Result<PoolSchema> {
        if !is_data_backed(r) {
            return Err(Error::invalid(
                "format_category",
                "文件类资源不建数据池，以文件方式共享",
            ));
        }
        if !r.spec.items.iter().any(|i| i.key) {
            return Err(Error::invalid("items", "建数据池需要至少一个主键信息项"));
        }
        Ok(PoolSchema {
            table: format!("pool_{}", r.id),
            columns: r.spec.items.iter().map(PoolColumn::from_item).collect(),
        })
    }

    pub fn keys(&self) -> impl Iterator<Item = &PoolColumn> {
        self.columns.iter().filter(|c| c.key)
    }

    /// The column a file header names: an item name (Chinese) or a column code.
    pub fn column_for_header(&self, header: &str) -> Option<usize> {
        let h = header.trim().trim_start_matches('\u{feff}');
        self.columns
            .iter()
            .position(|c| c.name == h || c.column.eq_ignore_ascii_case(h))
    }
}
