//! The compact text format of the department tables and its parser: departments,
//! their internal units (内设机构) and the business subjects each unit catalogs.
//!
//! ```text
//! D 全称|简称|检索词|权重|标志(b 大数据局, v 垂直管理, -)|系统名；系统名
//! U 内设机构
//! 主题词 类型 [@分类] [+首选后缀|+-] [!最多变体] [%img|%file|%api|%xls] [^N|^C|^U|^S] [#名词] [*]
//!        [= 信息项、*主键项、名称:C20] [~ 别名 ~ 别名]
//! ```
//! Lines starting with `--` are comments. `*` alone replaces the kind's core items
//! with the listed ones.

use govshare_domain::labels::DataType;

/// What a subject is, which decides its item pool, name variants and defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// P: a roll of persons (户籍人口, 低保对象).
    Person,
    /// E: a roll of organisations (养老机构, 重点排污单位).
    Entity,
    /// L: a licence held by an organisation (食品经营许可证).
    Licence,
    /// Q: a licence or qualification held by a person (医师执业注册, 驾驶证).
    Qualification,
    /// R: a registration or transaction record (婚姻登记, 不动产登记).
    Record,
    /// V: a case or event (行政处罚, 交通事故, 投诉举报).
    Case,
    /// O: a physical facility or object with a place (水库, 城市桥梁).
    Facility,
    /// M: monitoring data (空气质量, 水雨情).
    Monitor,
    /// S: statistics (地区生产总值).
    Stats,
    /// F: documents, plans and maps.
    Document,
    /// X: money paid out to people (养老金, 低保金).
    Payment,
    /// A: an application handled by the department (工伤认定, 宅基地审批).
    Application,
    /// J: an investment or construction project.
    Project,
    /// C: a list or catalog of items (收费项目, 地方标准).
    Listing,
}

impl Kind {
    fn from_letter(s: &str) -> Option<Kind> {
        Some(match s {
            "P" => Kind::Person,
            "E" => Kind::Entity,
            "L" => Kind::Licence,
            "Q" => Kind::Qualification,
            "R" => Kind::Record,
            "V" => Kind::Case,
            "O" => Kind::Facility,
            "M" => Kind::Monitor,
            "S" => Kind::Stats,
            "F" => Kind::Document,
            "X" => Kind::Payment,
            "A" => Kind::Application,
            "J" => Kind::Project,
            "C" => Kind::Listing,
            _ => return None,
        })
    }

    /// Does the subject describe individual people (personal information)?
    pub fn is_personal(self) -> bool {
        matches!(
            self,
            Kind::Person | Kind::Qualification | Kind::Record | Kind::Payment
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatHint {
    Image,
    File,
    Service,
    Sheet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareHint {
    NotShared,
    Conditional,
    Unconditional,
    /// 涉密: not shared, not open, secret.
    Secret,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ItemSpec {
    pub name: String,
    pub key: bool,
    pub ty: Option<(DataType, u32)>,
}

#[derive(Clone, Debug)]
pub struct Subject {
    pub stem: String,
    pub kind: Kind,
    /// A base (1xx) or thematic (2xx) classification instead of the unit's 细目.
    pub class: Option<String>,
    /// The suffix of the first name variant instead of the kind's default.
    pub primary: Option<String>,
    pub max_variants: Option<usize>,
    pub format: Option<FormatHint>,
    pub share: Option<ShareHint>,
    /// The noun used in item names such as `{noun}编码` (default: the stem).
    pub noun: Option<String>,
    /// The listed items replace the kind's core items.
    pub replace_core: bool,
    pub items: Vec<ItemSpec>,
    /// Everyday words people search this subject by.
    pub aliases: Vec<String>,
}

impl Subject {
    pub fn noun(&self) -> &str {
        self.noun.as_deref().unwrap_or(&self.stem)
    }
}

#[derive(Clone, Debug)]
pub struct Unit {
    pub name: String,
    pub subjects: Vec<Subject>,
}

#[derive(Clone, Debug)]
pub struct Dept {
    pub name: String,
    pub short: String,
    /// A word of the full name a user types to pick this department.
    pub kw: String,
    pub weight: u32,
    pub bureau: bool,
    pub vertical: bool,
    pub systems: Vec<String>,
    pub units: Vec<Unit>,
}

/// Parses one item spec: `[*]名称[:C20]`.
pub fn parse_item(text: &str) -> ItemSpec {
    let text = text.trim();
    let (key, rest) = match text.strip_prefix('*') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (name, ty) = match rest.split_once(':') {
        None => (rest, None),
        Some((name, ty)) => {
            let (letter, len) = ty.split_at(1);
            let dt = DataType::parse(letter).unwrap_or_else(|| panic!("bad data type in {text}"));
            let len: u32 = len
                .parse()
                .unwrap_or_else(|_| panic!("bad length in {text}"));
            (name, Some((dt, len)))
        }
    };
    assert!(!name.is_empty(), "empty item name");
    ItemSpec {
        name: name.to_string(),
        key,
        ty,
    }
}

fn parse_subject(line: &str) -> Subject {
    let mut parts = line.split('~');
    let main = parts.next().unwrap_or_default();
    let aliases: Vec<String> = parts
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let (header, items) = match main.split_once('=') {
        Some((h, i)) => (
            h,
            i.split('、')
                .filter(|s| !s.trim().is_empty())
                .map(parse_item)
                .collect(),
        ),
        None => (main, Vec::new()),
    };
    let mut tokens = header.split_whitespace();
    let stem = tokens
        .next()
        .unwrap_or_else(|| panic!("empty subject line"))
        .to_string();
    let kind = tokens
        .next()
        .and_then(Kind::from_letter)
        .unwrap_or_else(|| panic!("subject {stem}: missing or unknown kind"));
    let mut s = Subject {
        stem,
        kind,
        class: None,
        primary: None,
        max_variants: None,
        format: None,
        share: None,
        noun: None,
        replace_core: false,
        items,
        aliases,
    };
    for t in tokens {
        if let Some(c) = t.strip_prefix('@') {
            s.class = Some(c.to_string());
        } else if let Some(p) = t.strip_prefix('+') {
            s.primary = Some(if p == "-" {
                String::new()
            } else {
                p.to_string()
            });
        } else if let Some(n) = t.strip_prefix('!') {
            s.max_variants = Some(n.parse().unwrap_or_else(|_| panic!("bad !n in {}", s.stem)));
        } else if let Some(f) = t.strip_prefix('%') {
            s.format = Some(match f {
                "img" => FormatHint::Image,
                "file" => FormatHint::File,
                "api" => FormatHint::Service,
                "xls" => FormatHint::Sheet,
                _ => panic!("bad format hint {t} in {}", s.stem),
            });
        } else if let Some(h) = t.strip_prefix('^') {
            s.share = Some(match h {
                "N" => ShareHint::NotShared,
                "C" => ShareHint::Conditional,
                "U" => ShareHint::Unconditional,
                "S" => ShareHint::Secret,
                _ => panic!("bad share hint {t} in {}", s.stem),
            });
        } else if let Some(n) = t.strip_prefix('#') {
            s.noun = Some(n.to_string());
        } else if t == "*" {
            s.replace_core = true;
        } else {
            panic!("unknown token {t} in subject {}", s.stem);
        }
    }
    s
}

/// Parses a department table.
pub fn parse(text: &str) -> Vec<Dept> {
    let mut depts: Vec<Dept> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with("--") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("D ") {
            let f: Vec<&str> = rest.split('|').map(str::trim).collect();
            assert_eq!(f.len(), 6, "department line needs 6 fields: {line}");
            depts.push(Dept {
                name: f[0].to_string(),
                short: f[1].to_string(),
                kw: f[2].to_string(),
                weight: f[3]
                    .parse()
                    .unwrap_or_else(|_| panic!("bad weight: {line}")),
                bureau: f[4].contains('b'),
                vertical: f[4].contains('v'),
                systems: f[5]
                    .split('；')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                units: Vec::new(),
            });
        } else if let Some(rest) = line.strip_prefix("U ") {
            let dept = depts
                .last_mut()
                .unwrap_or_else(|| panic!("unit before department: {line}"));
            dept.units.push(Unit {
                name: rest.trim().to_string(),
                subjects: Vec::new(),
            });
        } else {
            let dept = depts
                .last_mut()
                .unwrap_or_else(|| panic!("subject before department: {line}"));
            let unit = dept
                .units
                .last_mut()
                .unwrap_or_else(|| panic!("subject before unit: {line}"));
            unit.subjects.push(parse_subject(line));
        }
    }
    depts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_compact_format() {
        let text = "D 重庆市公安局|市公安局|公安|170|v|系统甲；系统乙\nU 户政管理总队\n-- comment\n\
                    居民身份证 Q @105001 +签发信息 !4 ^C #证件 * = *公民身份号码、姓名、证件照片:G65536 ~ 身份证 ~ 二代证\n";
        let d = parse(text);
        assert_eq!(d.len(), 1);
        assert!(d[0].vertical && !d[0].bureau);
        assert_eq!(d[0].systems, ["系统甲", "系统乙"]);
        let s = &d[0].units[0].subjects[0];
        assert_eq!(s.kind, Kind::Qualification);
        assert_eq!(s.class.as_deref(), Some("105001"));
        assert_eq!(s.primary.as_deref(), Some("签发信息"));
        assert_eq!(s.max_variants, Some(4));
        assert_eq!(s.share, Some(ShareHint::Conditional));
        assert_eq!(s.noun(), "证件");
        assert!(s.replace_core);
        assert_eq!(s.items.len(), 3);
        assert!(s.items[0].key);
        assert_eq!(s.items[2].ty, Some((DataType::General, 65536)));
        assert_eq!(s.aliases, ["身份证", "二代证"]);
    }
}
