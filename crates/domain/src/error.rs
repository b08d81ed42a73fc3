//! The domain's one error type. Validation problems carry the field path and a
//! Chinese reason so that importers can name the sheet, row and column.

use serde::Serialize;

/// One thing wrong with an input: where (a field path such as `items[3].length`)
/// and why, in words a department's catalog clerk understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub field: String,
    pub reason: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Problem {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("输入无效 (invalid input): {}", join(.0))]
    Invalid(Vec<Problem>),
    #[error("{what} 不存在 (not found): {key}")]
    NotFound { what: &'static str, key: String },
    #[error("冲突 (conflict): {0}")]
    Conflict(String),
    #[error("超出容量配额 (quota exceeded): {0}")]
    QuotaExceeded(String),
    #[error("无权操作 (forbidden): {0}")]
    Forbidden(String),
    /// A grant's visits are used up (for the day or in all).
    #[error("授权访问次数已用完 (grant quota exhausted): {0}")]
    Exhausted(String),
    /// An app's probes of masked values are used up for the day.
    #[error("脱敏信息项取值查询已达上限 (probe limit reached): {0}")]
    ProbeLimit(String),
    /// A paging cursor the server did not issue for this query, or one past its time.
    #[error("分页游标无效 (bad cursor): {0}")]
    BadCursor(String),
    #[error("状态不允许此操作 (illegal transition): {action} 不能用于 {from} 状态")]
    IllegalTransition { action: String, from: String },
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid(vec![Problem::new(field, reason)])
    }
    pub fn not_found(what: &'static str, key: impl Into<String>) -> Self {
        Error::NotFound {
            what,
            key: key.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
