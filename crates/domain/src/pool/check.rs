//! Checks that attach to items: check digits of national identifiers, region codes,
//! gender codes. Inferred from well-known item names and editable per item.

use crate::ids::{CreditCheck, check_credit_code, validate_citizen_id, validate_org_code};
use crate::labels::coded_enum;
use crate::region::validate_region_code;

coded_enum! {
    /// A content check on one item's values.
    Check {
        CitizenId = ("citizen_id", "公民身份号码校验"),
        CreditCode = ("credit_code", "统一社会信用代码校验"),
        OrgCode = ("org_code", "组织机构代码校验"),
        RegionCode = ("region_code", "行政区划代码"),
        Gender = ("gender", "性别代码"),
        Phone = ("phone", "电话号码"),
    }
}

/// What a check found wrong: a rejection, or (for legal but suspicious values) a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Reject(String),
    Warn(String),
}

impl Check {
    /// Checks one non-empty value.
    pub fn apply(self, value: &str) -> Option<Finding> {
        let v = value.trim();
        match self {
            Check::CitizenId => validate_citizen_id(v).err().map(Finding::Reject),
            Check::CreditCode => match check_credit_code(v) {
                Err(reason) => Some(Finding::Reject(reason)),
                // Some early pilot codes fail the check digit and are still legal.
                Ok(CreditCheck::CheckDigitMismatch { expected }) => Some(Finding::Warn(format!(
                    "统一社会信用代码校验位不符（应为“{expected}”），可能为早期试点代码"
                ))),
                Ok(CreditCheck::Valid) => None,
            },
            Check::OrgCode => validate_org_code(v).err().map(Finding::Reject),
            Check::RegionCode => validate_region_code(v).err().map(Finding::Reject),
            // GB/T 2261.1: 0 未知, 1 男, 2 女, 9 未说明; the words are accepted too.
            Check::Gender => {
                (!matches!(v, "0" | "1" | "2" | "9" | "男" | "女" | "未知" | "未说明"))
                    .then(|| Finding::Reject(format!("“{v}”不是GB/T 2261.1性别代码（0、1、2、9）")))
            }
            Check::Phone => {
                let digits: String = v
                    .chars()
                    .filter(|c| !matches!(c, '-' | ' ' | '+'))
                    .collect();
                let ok =
                    digits.chars().all(|c| c.is_ascii_digit()) && (7..=15).contains(&digits.len());
                (!ok).then(|| Finding::Reject(format!("“{v}”不是有效电话号码")))
            }
        }
    }
}

/// The checks an item's name implies (公民身份号码 → citizen ID check digit, ...).
pub fn infer_checks(item_name: &str) -> Vec<Check> {
    let n = item_name;
    let mut checks = Vec::new();
    if (n.contains("身份证") || n.contains("身份号码")) && !n.contains("类型") {
        checks.push(Check::CitizenId);
    }
    if n.contains("统一社会信用代码") {
        checks.push(Check::CreditCode);
    }
    if n.contains("组织机构代码") {
        checks.push(Check::OrgCode);
    }
    if n.contains("行政区划代码") || n == "区划代码" {
        checks.push(Check::RegionCode);
    }
    if n == "性别" || n.ends_with("性别代码") {
        checks.push(Check::Gender);
    }
    if n.contains("手机") || n.contains("联系电话") {
        checks.push(Check::Phone);
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_inferred_from_names() {
        assert_eq!(infer_checks("公民身份号码"), [Check::CitizenId]);
        assert_eq!(infer_checks("法定代表人身份证号"), [Check::CitizenId]);
        assert_eq!(infer_checks("证件类型"), []);
        assert_eq!(infer_checks("统一社会信用代码"), [Check::CreditCode]);
        assert_eq!(infer_checks("性别"), [Check::Gender]);
        assert_eq!(infer_checks("联系电话"), [Check::Phone]);
    }

    #[test]
    fn check_digits_and_code_lists() {
        assert_eq!(Check::CitizenId.apply("11010519491231002X"), None);
        assert!(matches!(
            Check::CitizenId.apply("110105194912310021"),
            Some(Finding::Reject(_))
        ));
        assert!(matches!(
            Check::CreditCode.apply("91350100M000100Y44"),
            Some(Finding::Warn(_))
        ));
        assert!(matches!(
            Check::CreditCode.apply("91350100M000100Y4"),
            Some(Finding::Reject(_))
        ));
        assert_eq!(Check::Gender.apply("2"), None);
        assert!(Check::Gender.apply("3").is_some());
        assert_eq!(Check::RegionCode.apply("500103"), None);
        assert!(Check::Phone.apply("138-0000-1234").is_none());
        assert!(Check::Phone.apply("电话").is_some());
    }
}
