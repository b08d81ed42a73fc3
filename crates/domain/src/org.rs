//! Organisations: the bureau, municipal departments, districts and counties, and the
//! platforms above and below. Districts stand on the same footing as departments.

use crate::error::{Error, Problem, Result};
use crate::ids::{CreditCheck, check_credit_code};
use crate::labels::coded_enum;
use crate::region::validate_region_code;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// What kind of body an organisation is.
    OrgKind {
        Bureau = ("bureau", "大数据主管部门"),
        Department = ("department", "市级部门"),
        District = ("district", "区县"),
        UpperPlatform = ("upper_platform", "上级平台"),
        LowerPlatform = ("lower_platform", "下级平台"),
    }
}

coded_enum! {
    /// Administrative level.
    OrgLevel {
        National = ("national", "国家级"),
        Provincial = ("provincial", "省级"),
        City = ("city", "市级"),
        County = ("county", "区县级"),
    }
}

/// What is needed to create or change an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    /// 统一社会信用代码.
    pub credit_code: String,
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    pub kind: OrgKind,
    pub level: OrgLevel,
    /// GB/T 2260 region code.
    pub region_code: String,
    /// Credit code of the parent organisation, if any.
    #[serde(default)]
    pub parent_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Org {
    pub id: i64,
    #[serde(flatten)]
    pub spec: OrgSpec,
}

impl OrgSpec {
    /// Checks the fields. A credit code whose check digit fails is refused here:
    /// new registrations must be correct (old records are checked leniently elsewhere).
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        match check_credit_code(&self.credit_code) {
            Err(reason) => problems.push(Problem::new("credit_code", reason)),
            Ok(CreditCheck::CheckDigitMismatch { expected }) => problems.push(Problem::new(
                "credit_code",
                format!(
                    "统一社会信用代码“{}”校验位错误，应为“{expected}”",
                    self.credit_code
                ),
            )),
            Ok(CreditCheck::Valid) => {}
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            problems.push(Problem::new("name", "机构名称不能为空且不超过100字"));
        }
        if let Err(reason) = validate_region_code(&self.region_code) {
            problems.push(Problem::new("region_code", reason));
        }
        if self.parent_code.as_deref() == Some(self.credit_code.as_str()) {
            problems.push(Problem::new("parent_code", "机构不能以自己为上级"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(problems))
        }
    }
}
