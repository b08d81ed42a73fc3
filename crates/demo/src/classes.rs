//! The classification tree of the demo: the national 类 and 项, the 目 of the base
//! and thematic resources, one 目 per department (302NNN) and per district (303NNN),
//! and one 细目 per internal unit (302NNNMMM).

use govshare_domain::classification::{ClassNode, national_classes};
use std::collections::{BTreeMap, BTreeSet};

/// 目 nodes of the base (1xx) and thematic (2xx) resources.
pub const CATALOG_NODES: &[(&str, &str)] = &[
    ("101001", "户籍人口"),
    ("101002", "流动人口"),
    ("101003", "人口出生和死亡"),
    ("101004", "婚姻和家庭"),
    ("101005", "教育和就业"),
    ("101006", "社会保险"),
    ("102001", "企业法人"),
    ("102002", "机关和事业单位法人"),
    ("102003", "社会组织法人"),
    ("102004", "个体工商户"),
    ("102005", "农民专业合作社"),
    ("103001", "基础测绘"),
    ("103002", "土地资源"),
    ("103003", "遥感影像"),
    ("103004", "地名地址"),
    ("103005", "水资源"),
    ("103006", "森林资源"),
    ("104001", "企业信用"),
    ("104002", "自然人信用"),
    ("104003", "信用评价"),
    ("104004", "失信惩戒"),
    ("105001", "身份类证照"),
    ("105002", "资格资质类证照"),
    ("105003", "经营许可类证照"),
    ("105004", "不动产类证照"),
    ("105005", "社会保障类证照"),
    ("105006", "教育类证照"),
    ("201001", "政务服务事项"),
    ("201002", "政务服务办件"),
    ("201003", "政务数据共享开放"),
    ("201004", "便民服务"),
    ("202001", "全民健康档案"),
    ("202002", "疾病预防控制"),
    ("203001", "社会保险待遇"),
    ("203002", "社会救助"),
    ("204001", "食品安全"),
    ("204002", "药品安全"),
    ("205001", "安全生产监管"),
    ("205002", "危险化学品"),
    ("206001", "价格监测"),
    ("207001", "能源生产和消费"),
    ("207002", "能源设施"),
    ("208001", "信用信息"),
    ("208002", "联合奖惩"),
    ("209001", "城市建设"),
    ("209002", "乡村建设"),
    ("210001", "网格化管理"),
    ("210002", "城乡社区"),
    ("211001", "环境质量"),
    ("211002", "污染源监管"),
    ("212001", "应急资源"),
    ("212002", "突发事件"),
    ("212003", "监测预警"),
];

pub fn catalog_node_name(code: &str) -> Option<&'static str> {
    CATALOG_NODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}

/// The 目 code of department number `n` (1-based) under 302.
pub fn dept_code(n: usize) -> String {
    format!("302{n:03}")
}

/// The 细目 code of unit number `m` (1-based) of department number `n`.
pub fn unit_code(n: usize, m: usize) -> String {
    format!("302{n:03}{m:03}")
}

/// The 目 code of district number `n` (1-based) under 303.
pub fn district_code(n: usize) -> String {
    format!("303{n:03}")
}

/// The national nodes followed by the given 目/细目 nodes that resources use (and
/// every 目 that a used 细目 hangs from), parents before children.
pub fn tree(named: &BTreeMap<String, String>, used: &BTreeSet<String>) -> Vec<ClassNode> {
    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    for code in used {
        wanted.insert(code);
        if code.len() > 6 {
            wanted.insert(&code[..6]);
        }
    }
    let mut out = national_classes();
    for code in wanted {
        let name = named
            .get(code)
            .map(String::as_str)
            .or_else(|| catalog_node_name(code));
        let name = name.unwrap_or_else(|| panic!("classification {code} has no name"));
        out.push(ClassNode::new(code, name));
    }
    out
}
