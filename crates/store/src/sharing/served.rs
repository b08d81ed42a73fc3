//! Rows as served (共享数据行): the decided items in the resource's order, each value
//! masked where the decision says. What does not change from row to row (the names,
//! each item's mask, the items the audit entry records) is worked out once per
//! decision, not once per row.

use crate::value::Value;
use crate::value::key_text_of;
use govshare_domain::resource::Resource;
use govshare_domain::sharing::{Decision, Mask};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::sync::Arc;

/// What a sharing read may touch: the resource and the decision, with the purpose
/// the consumer stated for its basis.
pub struct Access {
    pub resource: Resource,
    pub decision: Decision,
    pub purpose: String,
}

/// How a decision's rows go out.
#[derive(Debug, Clone)]
pub struct Shape {
    names: Arc<[String]>,
    /// Per decided item, the mask its values get (none: served in clear).
    masks: Vec<Option<Mask>>,
    /// The names of the items served masked.
    pub masked: Vec<String>,
    /// The items served, masked ones marked `*`, for the audit entry.
    pub audit_items: Arc<str>,
}

impl Shape {
    pub fn of(a: &Access) -> Shape {
        let items = &a.resource.spec.items;
        let columns = &a.decision.columns;
        let names: Vec<String> = columns
            .iter()
            .map(|(i, _)| items[*i].name.clone())
            .collect();
        let masks: Vec<Option<Mask>> = columns
            .iter()
            .map(|(i, masked)| masked.then(|| Mask::for_item(&items[*i].name)))
            .collect();
        let masked = a
            .decision
            .masked_names(items)
            .into_iter()
            .map(String::from)
            .collect();
        let audit_items = names
            .iter()
            .zip(&masks)
            .map(|(n, m)| {
                if m.is_some() {
                    format!("{n}*")
                } else {
                    n.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        Shape {
            names: names.into(),
            masks,
            masked,
            audit_items: audit_items.into(),
        }
    }

    /// A fetched row (the decided columns in order) as served.
    pub fn row(&self, values: Vec<Value>) -> ServedRow {
        let values = values
            .into_iter()
            .zip(self.masks.iter())
            .map(|(v, mask)| match (v, mask) {
                (v @ Value::Null, _) | (v, None) => json_of(v),
                (Value::Text(s), Some(m)) => m.apply(&s).into(),
                (v, Some(m)) => m.apply(&key_text_of(&v)).into(),
            })
            .collect();
        ServedRow {
            names: self.names.clone(),
            values,
        }
    }
}

fn json_of(v: Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => i.into(),
        Value::Real(f) => {
            serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Bool(b) => b.into(),
        Value::Text(s) => s.into(),
        other => key_text_of(&other).into(),
    }
}

/// One served row: item name → value (null when empty), in the resource's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedRow {
    names: Arc<[String]>,
    values: Vec<serde_json::Value>,
}

impl ServedRow {
    /// The value served for an item, by name.
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        let i = self.names.iter().position(|n| n == name)?;
        self.values.get(i)
    }

    /// The items served, by name, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }
}

impl Serialize for ServedRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.values.len()))?;
        for (name, value) in self.names.iter().zip(&self.values) {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}
