//! 信息资源分类 and 信息资源代码 (DOMAIN.md §3): the 类/项/目/细目 tree and the
//! resource codes built on it (classification code + "/" + sequence).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Digits of a 细目 code beyond the 目 (a provincial coding rule; three by default).
pub const DETAIL_DIGITS: usize = 3;
/// Digits of the sequence part of a resource code.
pub const SEQUENCE_DIGITS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassLevel {
    /// 类 (1 digit)
    Category,
    /// 项 (3 digits in all)
    Subject,
    /// 目 (6 digits in all)
    Catalog,
    /// 细目 (6 + DETAIL_DIGITS)
    Detail,
}

impl ClassLevel {
    pub fn of_code(code: &str) -> Option<ClassLevel> {
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match code.len() {
            1 => Some(ClassLevel::Category),
            3 => Some(ClassLevel::Subject),
            6 => Some(ClassLevel::Catalog),
            n if n == 6 + DETAIL_DIGITS => Some(ClassLevel::Detail),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClassLevel::Category => "类",
            ClassLevel::Subject => "项",
            ClassLevel::Catalog => "目",
            ClassLevel::Detail => "细目",
        }
    }

    /// Resources hang off 目 or 细目 nodes only.
    pub fn holds_resources(self) -> bool {
        matches!(self, ClassLevel::Catalog | ClassLevel::Detail)
    }
}

/// One node of the classification tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassNode {
    pub code: String,
    pub name: String,
}

impl ClassNode {
    pub fn new(code: &str, name: &str) -> Self {
        ClassNode {
            code: code.into(),
            name: name.into(),
        }
    }

    pub fn level(&self) -> Option<ClassLevel> {
        ClassLevel::of_code(&self.code)
    }

    /// The parent's code (none for a 类).
    pub fn parent_code(&self) -> Option<&str> {
        match self.level()? {
            ClassLevel::Category => None,
            ClassLevel::Subject => Some(&self.code[..1]),
            ClassLevel::Catalog => Some(&self.code[..3]),
            ClassLevel::Detail => Some(&self.code[..6]),
        }
    }

    /// Checks the code's form and the name. Whether the parent exists is the store's job.
    pub fn validate(&self) -> Result<()> {
        let level = self.level().ok_or_else(|| {
            Error::invalid(
                "code",
                format!(
                    "分类代码“{}”应为1位（类）、3位（项）、6位（目）或{}位（细目）数字",
                    self.code,
                    6 + DETAIL_DIGITS
                ),
            )
        })?;
        if level == ClassLevel::Category && !matches!(self.code.as_str(), "1" | "2" | "3") {
            return Err(Error::invalid("code", "类只能是 1 基础、2 主题、3 部门"));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            return Err(Error::invalid("name", "分类名称不能为空且不超过100字"));
        }
        Ok(())
    }
}

/// A resource code split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceCode {
    pub classification: String,
    pub sequence: u32,
}

impl ResourceCode {
    /// Parses `CLASS/SEQUENCE`, e.g. `101001/000123`.
    pub fn parse(code: &str) -> Result<ResourceCode, String> {
        let (class, seq) = code
            .split_once('/')
            .ok_or_else(|| format!("资源代码“{code}”应为“分类代码/顺序号”，如 101001/000001"))?;
        match ClassLevel::of_code(class) {
            Some(level) if level.holds_resources() => {}
            _ => {
                return Err(format!(
                    "资源代码“{code}”的分类部分“{class}”应为6位（目）或{}位（细目）数字",
                    6 + DETAIL_DIGITS
                ));
            }
        }
        if seq.len() != SEQUENCE_DIGITS || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "资源代码“{code}”的顺序号应为{SEQUENCE_DIGITS}位数字"
            ));
        }
        let sequence: u32 = seq
            .parse()
            .map_err(|_| format!("资源代码“{code}”的顺序号无效"))?;
        if sequence == 0 {
            return Err(format!("资源代码“{code}”的顺序号从000001开始"));
        }
        Ok(ResourceCode {
            classification: class.to_string(),
            sequence,
        })
    }

    pub fn format(classification: &str, sequence: u32) -> String {
        format!(
            "{classification}/{sequence:0width$}",
            width = SEQUENCE_DIGITS
        )
    }
}

/// The national lists: the three 类 and their 项 (DOMAIN.md §3). Two-digit 项 values
/// follow list order, which provinces may override.
pub fn national_classes() -> Vec<ClassNode> {
    let mut nodes = vec![
        ClassNode::new("1", "基础信息资源"),
        ClassNode::new("2", "主题信息资源"),
        ClassNode::new("3", "部门信息资源"),
    ];
    let base = [
        "人口",
        "法人单位",
        "自然资源和空间地理",
        "社会信用",
        "电子证照",
    ];
    let thematic = [
        "公共服务",
        "健康保障",
        "社会保障",
        "食品药品安全",
        "安全生产",
        "价格监管",
        "能源安全",
        "信用体系",
        "城乡建设",
        "社区治理",
        "生态环保",
        "应急维稳",
    ];
    let department = ["中央国家机关", "省级（直辖市）部门", "区县"];
    for (class, names) in [
        ("1", &base[..]),
        ("2", &thematic[..]),
        ("3", &department[..]),
    ] {
        for (i, name) in names.iter().enumerate() {
            nodes.push(ClassNode::new(&format!("{class}{:02}", i + 1), name));
        }
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_codes_follow_the_rule() {
        let c = ResourceCode::parse("101001/000123").unwrap();
        assert_eq!(c.classification, "101001");
        assert_eq!(c.sequence, 123);
        assert_eq!(ResourceCode::format("302015001", 7), "302015001/000007");
        assert!(ResourceCode::parse("101001-000123").is_err());
        assert!(ResourceCode::parse("101/000123").is_err());
        assert!(ResourceCode::parse("101001/12").is_err());
        assert!(ResourceCode::parse("101001/000000").is_err());
        assert!(ResourceCode::parse("10100A/000001").is_err());
    }

    #[test]
    fn national_tree_is_well_formed() {
        let nodes = national_classes();
        assert!(nodes.iter().all(|n| n.validate().is_ok()));
        assert!(nodes.iter().any(|n| n.code == "101" && n.name == "人口"));
        assert_eq!(ClassNode::new("302015", "x").parent_code(), Some("302"));
        assert!(ClassNode::new("4", "x").validate().is_err());
        assert!(ClassNode::new("12", "x").validate().is_err());
    }
}
