//! The shape of a resource's data pool: one typed column per information item, the
//! key item(s) as primary key, and the checks of each column.

use crate::error::{Error, Result};
use crate::item::Item;
use crate::labels::{DataType, FormatCategory, SharingMethod};
use crate::pool::check::{Check, infer_checks};
use crate::pool::select::Selection;
use crate::resource::Resource;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolColumn {
    pub column: String,
    pub name: String,
    pub data_type: DataType,
    pub length: u32,
    pub key: bool,
    pub required: bool,
    pub checks: Vec<Check>,
    /// A column whose item was removed from the catalog entry: its data is kept, it
    /// takes no new values.
    #[serde(default)]
    pub hidden: bool,
}

/// How a pool follows an edit of its entry.
#[derive(Debug)]
pub struct Evolution {
    pub schema: PoolSchema,
    /// Columns to add.
    pub added: Vec<PoolColumn>,
    /// Columns whose stored values must fit a new definition; `true` when the type
    /// changes (the values are converted), `false` when only the length shrinks.
    pub recheck: Vec<(PoolColumn, bool)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolSchema {
    /// The pool's table, `pool_<resource id>`.
    pub table: String,
    pub columns: Vec<PoolColumn>,
    /// Which items and rows batches take (all, unless the pool's owner says otherwise).
    #[serde(default, skip_serializing_if = "Selection::is_empty")]
    pub selection: Selection,
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
            hidden: false,
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
            selection: Selection::default(),
        })
    }

    pub fn keys(&self) -> impl Iterator<Item = &PoolColumn> {
        self.columns.iter().filter(|c| c.key)
    }

    /// How the pool follows a change of the entry's items: new items become new
    /// columns, removed items are hidden (their data kept), and changes that stored
    /// rows could not follow are refused (a key's type or the key itself); a column
    /// whose type changes or whose length shrinks is listed for its stored values to
    /// be checked (and converted).
    pub fn evolve(&self, new: &PoolSchema, has_rows: bool) -> Result<Evolution> {
        let mut problems = Vec::new();
        let mut recheck = Vec::new();
        let old_keys: Vec<&str> = self.keys().map(|c| c.column.as_str()).collect();
        let new_keys: Vec<&str> = new.keys().map(|c| c.column.as_str()).collect();
        if has_rows && old_keys != new_keys {
            problems.push(crate::Problem::new(
                "items",
                "数据池已有数据，主键信息项不能修改",
            ));
        }
        let mut columns = Vec::new();
        let mut added = Vec::new();
        for old in &self.columns {
            match new.columns.iter().find(|c| c.column == old.column) {
                Some(c) => {
                    let retyped = c.data_type != old.data_type;
                    if has_rows && !old.hidden && !old.key && (retyped || c.length < old.length) {
                        // The stored values are checked against the new type and length.
                        recheck.push((c.clone(), retyped));
                    } else if has_rows && retyped && !old.hidden {
                        problems.push(crate::Problem::new(
                            "items",
                            format!(
                                "数据池已有数据，信息项“{}”的数据类型不能从“{}”改为“{}”",
                                c.name,
                                old.data_type.label(),
                                c.data_type.label()
                            ),
                        ));
                    }
                    columns.push(PoolColumn {
                        hidden: false,
                        // Checks stay as the pool's owner set them.
                        checks: old.checks.clone(),
                        data_type: if old.hidden {
                            old.data_type
                        } else {
                            c.data_type
                        },
                        ..c.clone()
                    });
                }
                None => columns.push(PoolColumn {
                    hidden: true,
                    key: old.key,
                    ..old.clone()
                }),
            }
        }
        for c in new
            .columns
            .iter()
            .filter(|c| !self.columns.iter().any(|o| o.column == c.column))
        {
            columns.push(c.clone());
            added.push(c.clone());
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(Evolution {
            schema: PoolSchema {
                table: self.table.clone(),
                columns,
                // Rules stay as the owner set them; a rule on a removed item is
                // dropped when rows are checked.
                selection: self.selection.clone(),
            },
            added,
            recheck,
        })
    }

    /// Sets the checks of the columns named (by item name or column code); the others
    /// keep theirs.
    pub fn set_checks(&mut self, checks: &[(String, Vec<Check>)]) -> Result<()> {
        let mut problems = Vec::new();
        for (name, list) in checks {
            match self.column_for_header(name) {
                Some(i) => {
                    let mut list = list.clone();
                    list.dedup();
                    self.columns[i].checks = list;
                }
                None => problems.push(crate::Problem::new(
                    "checks",
                    format!("数据池中没有信息项“{name}”"),
                )),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(problems))
        }
    }

    /// The column a file header names: an item name (Chinese) or a column code.
    pub fn column_for_header(&self, header: &str) -> Option<usize> {
        let h = header.trim().trim_start_matches('\u{feff}');
        self.columns
            .iter()
            .position(|c| !c.hidden && (c.name == h || c.column.eq_ignore_ascii_case(h)))
    }
}
