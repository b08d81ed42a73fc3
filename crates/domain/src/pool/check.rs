//! Checks that attach to items: check digits of national identifiers, region codes,
//! phone numbers, and the code lists of coded items (性别, 民族, 婚姻状况, 户口类别).
//! Inferred from well-known item names and editable per item.
//!
//! Before a cell is typed, each of its column's checks settles it (`settle_cell`):
//! code-like values are made half-width (`１１０１…` → `1101…`, ID letters upper case),
//! and a coded item's label becomes its code (`男` → `1`), so that what is stored is
//! the code the item declares, whichever way the department wrote it.

use crate::ids::{CreditCheck, check_credit_code, validate_citizen_id, validate_org_code};
use crate::labels::coded_enum;
use crate::pool::cleanse::half_width;
use crate::pool::codes::{self, Code};
use crate::region::validate_region_code;
use std::borrow::Cow;

coded_enum! {
    /// A content check on one item's values.
    Check {
        CitizenId = ("citizen_id", "公民身份号码校验"),
        CreditCode = ("credit_code", "统一社会信用代码校验"),
        OrgCode = ("org_code", "组织机构代码校验"),
        RegionCode = ("region_code", "行政区划代码"),
        Gender = ("gender", "性别代码"),
        Phone = ("phone", "电话号码"),
        Nation = ("nation", "民族代码"),
        Marital = ("marital", "婚姻状况代码"),
        Household = ("household", "户口类别代码"),
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
            Check::Gender | Check::Nation | Check::Marital | Check::Household => {
                let (list, name) = self.code_list().expect("a coded check");
                list.iter().all(|c| c.code != v).then(|| {
                    Finding::Reject(format!("“{v}”不是{name}（{}）", codes::describe(list)))
                })
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

impl Check {
    /// The code list a coded check takes, and the standard's name for messages.
    pub fn code_list(self) -> Option<(&'static [Code], &'static str)> {
        match self {
            Check::Gender => Some((codes::GENDER, "GB/T 2261.1性别代码")),
            Check::Nation => Some((codes::NATION, "GB/T 3304民族代码")),
            Check::Marital => Some((codes::MARITAL, "GB/T 2261.2婚姻状况代码")),
            Check::Household => Some((codes::HOUSEHOLD, "户口类别代码")),
            _ => None,
        }
    }

    /// A cell as this check wants it stored: identifiers and phone numbers
    /// half-width (identifiers' letters upper case), a coded item's label as its code.
    /// What the check cannot read is left as it is, for `apply` to refuse.
    pub fn settle<'a>(self, value: &'a str) -> Cow<'a, str> {
        let narrow = |v: &'a str| -> Cow<'a, str> {
            if v.is_ascii() {
                Cow::Borrowed(v)
            } else {
                Cow::Owned(half_width(v))
            }
        };
        match self {
            Check::CitizenId | Check::CreditCode | Check::OrgCode => {
                let v = narrow(value);
                if v.bytes().any(|b| b.is_ascii_lowercase()) {
                    Cow::Owned(v.to_ascii_uppercase())
                } else {
                    v
                }
            }
            Check::RegionCode | Check::Phone => narrow(value),
            Check::Gender | Check::Nation | Check::Marital | Check::Household => {
                let (list, _) = self.code_list().expect("a coded check");
                let v = narrow(value);
                match codes::code_of(list, v.trim()) {
                    Some(code) if code != v => Cow::Owned(code.to_string()),
                    _ => v,
                }
            }
        }
    }
}

/// A submitted cell settled by each of its column's checks in turn (see `Check::settle`).
pub fn settle_cell<'a>(checks: &[Check], raw: &'a str) -> Cow<'a, str> {
    let mut cell = Cow::Borrowed(raw);
    for check in checks {
        if let Cow::Owned(changed) = check.settle(&cell) {
            cell = Cow::Owned(changed);
        }
    }
    cell
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
    if n == "民族" || n.ends_with("民族代码") {
        checks.push(Check::Nation);
    }
    if n == "婚姻状况" || n.ends_with("婚姻状况代码") {
        checks.push(Check::Marital);
    }
    if n == "户口类别" || n == "户别" || n.ends_with("户口类别代码") {
        checks.push(Check::Household);
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
    fn cells_are_settled_to_what_the_item_declares() {
        let id = [Check::CitizenId];
        assert_eq!(
            settle_cell(&id, "１１０１０５１９４９１２３１００２ｘ"),
            "11010519491231002X"
        );
        assert_eq!(
            Check::CitizenId.apply(&settle_cell(&id, "１１０１０５１９４９１２３１００２ｘ")),
            None
        );
        assert_eq!(
            settle_cell(&[Check::CreditCode], "９１３５０１００ｍ０００１００ｙ４４"),
            "91350100M000100Y44"
        );
        assert_eq!(
            settle_cell(&[Check::Phone], "１３８－００００－１２３４"),
            "138-0000-1234"
        );
        assert_eq!(settle_cell(&[Check::Gender], "男"), "1");
        assert_eq!(settle_cell(&[Check::Gender], "女性"), "2");
        assert_eq!(settle_cell(&[Check::Gender], "２"), "2");
        assert_eq!(settle_cell(&[Check::Nation], "汉族"), "01");
        assert_eq!(settle_cell(&[Check::Nation], "1"), "01");
        assert_eq!(settle_cell(&[Check::Marital], "已婚"), "20");
        assert_eq!(settle_cell(&[Check::Household], "集体户"), "2");
        // What no check can read stays as written, to be refused with its reason.
        assert_eq!(settle_cell(&[Check::Gender], "男的"), "男的");
        assert!(matches!(
            settle_cell(&[Check::Gender], "abc"),
            Cow::Borrowed(_)
        ));
        assert_eq!(infer_checks("民族"), [Check::Nation]);
        assert_eq!(infer_checks("婚姻状况"), [Check::Marital]);
        assert_eq!(infer_checks("户口类别"), [Check::Household]);
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
        let refused = Check::Nation.apply("火星族").unwrap();
        assert!(
            matches!(&refused, Finding::Reject(r) if r.contains("GB/T 3304") && r.contains("01 汉族")),
            "{refused:?}"
        );
        assert_eq!(Check::RegionCode.apply("500103"), None);
        assert!(Check::Phone.apply("138-0000-1234").is_none());
        assert!(Check::Phone.apply("电话").is_some());
    }
}
