//! Backend-neutral SQL values and rows, so that repository code is written once
//! for SQLite and PostgreSQL.

use crate::error::{Result, StoreError};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Blob(Vec<u8>),
    Date(chrono::NaiveDate),
    DateTime(chrono::NaiveDateTime),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Builds an array of `Value`s from heterogeneous arguments.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { [$($crate::value::Value::from($v)),*] };
}

/// One result row: its values and the names of its columns (shared by every row of
/// one query). Repository code reads a column by its name; a name the query does not
/// give, or gives twice (two tables' `id` without an alias), is an error naming it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    names: Names,
    values: Vec<Value>,
}

/// The column names of a query's rows, made once per query and shared: one string,
/// the names separated by newlines (no column name holds one), so that a lookup of one
/// row costs one allocation for its names, not one per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Names(Arc<str>);

impl Names {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Names {
        let mut text = String::with_capacity(128);
        for (i, name) in names.into_iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(name);
        }
        Names(text.into())
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split('\n')
    }
}

impl Row {
    pub fn new(names: Names, values: Vec<Value>) -> Row {
        Row { names, values }
    }

    /// The values in the order the query selected them (for rows whose columns are
    /// not known in advance, such as a data pool's).
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The column names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter()
    }

    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    fn at(&self, name: &str) -> Result<&Value> {
        let mut found = self
            .names
            .iter()
            .zip(&self.values)
            .filter(|(n, _)| *n == name);
        match (found.next(), found.next()) {
            (Some((_, v)), None) => Ok(v),
            (None, _) => Err(StoreError::Db(format!(
                "column “{name}” missing from the row ({})",
                self.names.iter().collect::<Vec<_>>().join(", ")
            ))),
            (Some(_), Some(_)) => Err(StoreError::Db(format!(
                "column “{name}” is ambiguous: the query gives it twice"
            ))),
        }
    }

    pub fn i64(&self, name: &str) -> Result<i64> {
        match self.at(name)? {
            Value::Int(v) => Ok(*v),
            Value::Bool(b) => Ok(*b as i64),
            other => Err(StoreError::Db(format!(
                "column “{name}”: expected integer, got {other:?}"
            ))),
        }
    }

    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>> {
        match self.at(name)? {
            Value::Null => Ok(None),
            _ => self.i64(name).map(Some),
        }
    }

    pub fn bool(&self, name: &str) -> Result<bool> {
        match self.at(name)? {
            Value::Bool(b) => Ok(*b),
            Value::Int(v) => Ok(*v != 0),
            other => Err(StoreError::Db(format!(
                "column “{name}”: expected boolean, got {other:?}"
            ))),
        }
    }

    pub fn text(&self, name: &str) -> Result<String> {
        match self.at(name)? {
            Value::Text(s) => Ok(s.clone()),
            Value::Date(d) => Ok(d.to_string()),
            Value::DateTime(t) => Ok(t.format("%Y-%m-%d %H:%M:%S").to_string()),
            Value::Null => Ok(String::new()),
            other => Err(StoreError::Db(format!(
                "column “{name}”: expected text, got {other:?}"
            ))),
        }
    }

    pub fn opt_text(&self, name: &str) -> Result<Option<String>> {
        match self.at(name)? {
            Value::Null => Ok(None),
            _ => self.text(name).map(Some),
        }
    }

    /// A column's value as it came.
    pub fn value(&self, name: &str) -> Result<&Value> {
        self.at(name)
    }
}

/// The time now, as stored: RFC 3339 UTC with milliseconds (sorts as text).
pub fn now() -> String {
    crate::clock::now_utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A key as text: the key items' values joined by U+001F.
pub fn key_text(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| match v {
            Value::Null => String::new(),
            Value::Int(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            Value::Text(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
            Value::Date(d) => d.to_string(),
            Value::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        })
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

pub(crate) fn key_text_of(v: &Value) -> String {
    key_text(std::slice::from_ref(v))
}

pub fn to_value(v: govshare_domain::pool::CellValue) -> Value {
    match v {
        govshare_domain::pool::CellValue::Null => Value::Null,
        govshare_domain::pool::CellValue::Text(s) => Value::Text(s),
        govshare_domain::pool::CellValue::Int(i) => Value::Int(i),
        govshare_domain::pool::CellValue::Number(f) => Value::Real(f),
        govshare_domain::pool::CellValue::Bool(b) => Value::Bool(b),
        govshare_domain::pool::CellValue::Date(d) => Value::Date(d),
        govshare_domain::pool::CellValue::DateTime(t) => Value::DateTime(t),
    }
}
