//! Selection rules (数据筛选) of a pool: which of the resource's items a batch takes
//! from submitted data, and which rows. Rows a rule leaves out are skipped: counted
//! in the batch, neither stored nor quarantined.

use crate::error::{Error, Result};
use crate::pool::schema::PoolSchema;
use crate::pool::value::{CellValue, parse_cell};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Items taken from submitted data, by name or column code; empty: all of them.
    /// Key and required items are always taken. Items left out keep what the pool
    /// holds; their cells in a file are ignored.
    #[serde(default)]
    pub items: Vec<String>,
    /// Conditions a row must meet, all of them, to be taken.
    #[serde(default)]
    pub rows: Vec<RowRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowRule {
    /// The item, by name or column code.
    pub item: String,
    pub op: RuleOp,
    /// The values compared with (typed as the item: dates, numbers, text).
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOp {
    /// The value is one of `values`.
    In,
    /// The value is none of `values` (an empty cell passes).
    NotIn,
    /// The text starts with one of `values` (e.g. a region code prefix).
    Prefix,
    /// The cell is not empty.
    NotEmpty,
    /// The value is at least `values[0]` (numbers, dates, text order).
    AtLeast,
    /// The value is at most `values[0]`.
    AtMost,
}

/// A rule checked against a schema: the column it reads and its typed values.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub column: usize,
    op: RuleOp,
    values: Vec<CellValue>,
}

fn order(a: &CellValue, b: &CellValue) -> Option<Ordering> {
    use CellValue::*;
    match (a, b) {
        (Text(x), Text(y)) => Some(x.cmp(y)),
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Number(x), Number(y)) => x.partial_cmp(y),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Date(x), Date(y)) => Some(x.cmp(y)),
        (DateTime(x), DateTime(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn text_of(v: &CellValue) -> Option<&str> {
    match v {
        CellValue::Text(t) => Some(t),
        _ => None,
    }
}

impl CompiledRule {
    /// Does a row's typed value of the rule's column pass?
    pub fn passes(&self, v: &CellValue) -> bool {
        let eq = |x: &CellValue| order(v, x) == Some(Ordering::Equal);
        match self.op {
            RuleOp::In => self.values.iter().any(eq),
            RuleOp::NotIn => !self.values.iter().any(eq),
            RuleOp::NotEmpty => *v != CellValue::Null,
            RuleOp::Prefix => text_of(v).is_some_and(|t| {
                self.values
                    .iter()
                    .filter_map(text_of)
                    .any(|p| t.starts_with(p))
            }),
            RuleOp::AtLeast => order(v, &self.values[0]).is_some_and(Ordering::is_ge),
            RuleOp::AtMost => order(v, &self.values[0]).is_some_and(Ordering::is_le),
        }
    }
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.rows.is_empty()
    }

    /// Checks the rules against a pool's columns and returns them with every item
    /// named by its column code; every problem is named at once.
    pub fn normalise(&self, schema: &PoolSchema) -> Result<Selection> {
        let mut problems = Vec::new();
        let mut items = Vec::new();
        for (i, name) in self.items.iter().enumerate() {
            match schema.column_for_header(name) {
                Some(c) => items.push(schema.columns[c].column.clone()),
                None => problems.push(crate::Problem::new(
                    format!("items[{i}]"),
                    format!("数据池中没有信息项“{name}”"),
                )),
            }
        }
        let mut rows = Vec::new();
        for (i, rule) in self.rows.iter().enumerate() {
            let field = format!("rows[{i}]");
            let Some(c) = schema.column_for_header(&rule.item) else {
                problems.push(crate::Problem::new(
                    field,
                    format!("数据池中没有信息项“{}”", rule.item),
                ));
                continue;
            };
            let column = &schema.columns[c];
            let wanted = match rule.op {
                RuleOp::NotEmpty => 0..=0,
                RuleOp::AtLeast | RuleOp::AtMost => 1..=1,
                RuleOp::In | RuleOp::NotIn | RuleOp::Prefix => 1..=1000,
            };
            if !wanted.contains(&rule.values.len()) {
                problems.push(crate::Problem::new(
                    field.clone(),
                    format!(
                        "条件“{}”需要{}个比较值，给了{}个",
                        column.name,
                        if *wanted.end() > 1 {
                            "1至1000".to_string()
                        } else {
                            wanted.end().to_string()
                        },
                        rule.values.len()
                    ),
                ));
            }
            let mut item = column.as_item();
            item.required = false;
            for v in &rule.values {
                if let Err(reason) = parse_cell(&item, v) {
                    problems.push(crate::Problem::new(
                        field.clone(),
                        format!("比较值“{v}”不符合信息项“{}”：{reason}", column.name),
                    ));
                }
            }
            rows.push(RowRule {
                item: column.column.clone(),
                ..rule.clone()
            });
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(Selection { items, rows })
    }

    /// Is this column taken from submitted data? (Keys and required items always are.)
    pub fn takes(&self, schema: &PoolSchema, column: usize) -> bool {
        let c = &schema.columns[column];
        self.items.is_empty() || c.key || c.required || self.items.contains(&c.column)
    }

    /// The row rules, typed for checking rows (rules whose item is gone are dropped).
    pub fn compile(&self, schema: &PoolSchema) -> Vec<CompiledRule> {
        self.rows
            .iter()
            .filter_map(|rule| {
                let column = schema.column_for_header(&rule.item)?;
                let mut item = schema.columns[column].as_item();
                item.required = false;
                let values = rule
                    .values
                    .iter()
                    .filter_map(|v| parse_cell(&item, v).ok())
                    .collect();
                Some(CompiledRule {
                    column,
                    op: rule.op,
                    values,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::Item;
    use crate::labels::DataType;
    use crate::pool::schema::PoolColumn;

    fn schema() -> PoolSchema {
        let col = |name: &str, code: &str, t: DataType, key: bool| {
            PoolColumn::from_item(&Item {
                name: name.into(),
                column: code.into(),
                data_type: t,
                length: 50,
                key,
                required: key,
                sensitive: false,
            })
        };
        PoolSchema {
            table: "pool_1".into(),
            columns: vec![
                col("统一社会信用代码", "tyshxydm", DataType::String, true),
                col("登记状态", "djzt", DataType::String, false),
                col("成立日期", "clrq", DataType::Date, false),
                col("注册资本", "zczb", DataType::Number, false),
            ],
            selection: Selection::default(),
        }
    }

    fn rule(item: &str, op: RuleOp, values: &[&str]) -> RowRule {
        RowRule {
            item: item.into(),
            op,
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn rules_compare_typed_values() {
        let s = schema();
        let sel = Selection {
            items: vec!["登记状态".into()],
            rows: vec![
                rule("登记状态", RuleOp::In, &["存续", "在业"]),
                rule("成立日期", RuleOp::AtLeast, &["2000年1月1日"]),
                rule("zczb", RuleOp::AtMost, &["100"]),
            ],
        }
        .normalise(&s)
        .unwrap();
        assert_eq!(sel.items, ["djzt"]);
        let rules = sel.compile(&s);
        assert!(rules[0].passes(&CellValue::Text("在业".into())));
        assert!(!rules[0].passes(&CellValue::Text("注销".into())));
        let d = |y, m, d| CellValue::Date(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert!(rules[1].passes(&d(2000, 1, 1)) && !rules[1].passes(&d(1999, 12, 31)));
        assert!(!rules[1].passes(&CellValue::Null));
        assert!(rules[2].passes(&CellValue::Number(99.5)));
        assert!(!rules[2].passes(&CellValue::Number(100.5)));
        // Keys are always taken; the item left out is not.
        assert!(sel.takes(&s, 0) && sel.takes(&s, 1) && !sel.takes(&s, 2));
    }

    #[test]
    fn bad_rules_name_every_problem() {
        let err = Selection {
            items: vec!["不存在".into()],
            rows: vec![
                rule("成立日期", RuleOp::AtLeast, &["去年"]),
                rule("登记状态", RuleOp::In, &[]),
            ],
        }
        .normalise(&schema())
        .unwrap_err();
        let Error::Invalid(problems) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["items[0]", "rows[0]", "rows[1]"], "{problems:?}");
    }
}
