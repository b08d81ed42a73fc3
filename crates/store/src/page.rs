//! One page of a list that grows (requests, registrations, error reports): newest
//! first, by id; the next page starts below the last id seen (keyset, so a page never
//! repeats or skips rows added meanwhile).

use crate::value::Value;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    /// Only ids below this one.
    pub before: Option<i64>,
    pub limit: i64,
}

impl Page {
    pub const DEFAULT: i64 = 100;
    pub const MAX: i64 = 1000;

    /// A page as asked for; `None` when `limit` is out of 1..=1000.
    pub fn new(before: Option<i64>, limit: Option<i64>) -> Option<Page> {
        let limit = limit.unwrap_or(Self::DEFAULT);
        (1..=Self::MAX)
            .contains(&limit)
            .then_some(Page { before, limit })
    }

    /// `WHERE`, `ORDER BY` and `LIMIT` over `id` for conditions `conds` (their values in
    /// `values`, to which the page adds its own).
    pub fn clause(&self, id: &str, mut conds: Vec<String>, values: &mut Vec<Value>) -> String {
        if let Some(before) = self.before {
            conds.push(format!("{id} < ?"));
            values.push(Value::Int(before));
        }
        let filter = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        format!("{filter} ORDER BY {id} DESC LIMIT {}", self.limit)
    }
}
