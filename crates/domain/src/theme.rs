//! 主题目录: thematic catalogs that group resources of many departments around one
//! business theme (the seed's city keeps 13).

use crate::error::{Error, Problem, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeSpec {
    /// Short code, e.g. `T01`.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    #[serde(flatten)]
    pub spec: ThemeSpec,
    /// How many resources the theme holds.
    pub resource_count: i64,
}

impl ThemeSpec {
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        let code_ok = !self.code.is_empty()
            && self.code.len() <= 20
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !code_ok {
            problems.push(Problem::new(
                "code",
                "主题代码应为1-20位字母、数字、下划线或连字符",
            ));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            problems.push(Problem::new("name", "主题名称不能为空且不超过100字"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(problems))
        }
    }
}
