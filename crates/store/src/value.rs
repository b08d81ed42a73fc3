//! Backend-neutral SQL values and rows, so that repository code is written once
//! for SQLite and PostgreSQL.

use crate::error::{Result, StoreError};

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

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> Result<&Value> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Db(format!("column {i} missing")))
    }

    pub fn i64(&self, i: usize) -> Result<i64> {
        match self.at(i)? {
            Value::Int(v) => Ok(*v),
            Value::Bool(b) => Ok(*b as i64),
            other => Err(StoreError::Db(format!(
                "column {i}: expected integer, got {other:?}"
            ))),
        }
    }

    pub fn opt_i64(&self, i: usize) -> Result<Option<i64>> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.i64(i).map(Some),
        }
    }

    pub fn bool(&self, i: usize) -> Result<bool> {
        match self.at(i)? {
            Value::Bool(b) => Ok(*b),
            Value::Int(v) => Ok(*v != 0),
            other => Err(StoreError::Db(format!(
                "column {i}: expected boolean, got {other:?}"
            ))),
        }
    }

    pub fn text(&self, i: usize) -> Result<String> {
        match self.at(i)? {
            Value::Text(s) => Ok(s.clone()),
            Value::Date(d) => Ok(d.to_string()),
            Value::DateTime(t) => Ok(t.format("%Y-%m-%d %H:%M:%S").to_string()),
            Value::Null => Ok(String::new()),
            other => Err(StoreError::Db(format!(
                "column {i}: expected text, got {other:?}"
            ))),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
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
