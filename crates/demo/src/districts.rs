//! The resources districts and counties catalog themselves (under 303, one 目 per
//! district): a pool of local subjects, a few of which each district provides.

use crate::model::{Kind, Subject, parse_item};

/// (unit suffix, subject, kind, items). Rural subjects are marked in `RURAL`.
const POOL: &[(&str, &str, Kind, &str)] = &[
    (
        "民政局",
        "城乡低保对象",
        Kind::Person,
        "保障类别、家庭保障人口数:I10、月保障金额、批准日期",
    ),
    (
        "民政局",
        "特困人员",
        Kind::Person,
        "供养方式、供养标准、认定日期",
    ),
    (
        "民政局",
        "临时救助",
        Kind::Payment,
        "救助类别、救助事由、救助金额",
    ),
    (
        "城市管理局",
        "城市管理综合执法案件",
        Kind::Case,
        "案件来源、问题类别、发生地点、处置部门",
    ),
    (
        "网格化服务管理中心",
        "网格化社会治理事件",
        Kind::Case,
        "网格编码、事件类型、上报人、上报时间、处置结果",
    ),
    (
        "住房城乡建委",
        "公共租赁住房保障对象",
        Kind::Person,
        "配租房源、租金标准、配租日期",
    ),
    (
        "发展改革委",
        "区级重点建设项目",
        Kind::Project,
        "年度计划投资、累计完成投资、项目责任单位",
    ),
    (
        "卫生健康委",
        "基层医疗卫生机构",
        Kind::Entity,
        "机构类别、床位数、执业科目",
    ),
    (
        "教委",
        "中小学校",
        Kind::Entity,
        "学校标识码、办学类型、在校生数、教职工数",
    ),
    (
        "规划自然资源局",
        "农村宅基地审批",
        Kind::Application,
        "宅基地面积、宅基地位置、批准文号",
    ),
    (
        "农业农村委",
        "农村集体经济组织",
        Kind::Entity,
        "组织类型、成员数:I10、集体资产总额",
    ),
    (
        "应急管理局",
        "安全生产风险点",
        Kind::Facility,
        "风险类型、风险等级、管控责任人",
    ),
    (
        "人力社保局",
        "公益性岗位安置人员",
        Kind::Person,
        "岗位名称、用人单位名称、安置日期",
    ),
    (
        "统计局",
        "主要经济指标",
        Kind::Stats,
        "地区生产总值、固定资产投资增速、社会消费品零售总额",
    ),
    (
        "水利局",
        "山坪塘",
        Kind::Facility,
        "容积:N18、灌溉面积、管护责任人",
    ),
    (
        "退役军人事务局",
        "退役军人服务站",
        Kind::Facility,
        "服务站级别、工作人员数:I10",
    ),
    (
        "市场监管局",
        "农贸市场",
        Kind::Facility,
        "摊位数:I10、开办单位名称、市场类型",
    ),
    (
        "乡村振兴局",
        "防返贫监测对象",
        Kind::Person,
        "监测对象类别、风险类型、纳入日期、帮扶措施",
    ),
    (
        "文化旅游委",
        "乡村旅游点",
        Kind::Facility,
        "旅游点类型、接待能力:I10",
    ),
    (
        "政务服务中心",
        "政务服务办件",
        Kind::Application,
        "办件编号、事项名称、办件类型",
    ),
    (
        "城市管理局",
        "公共停车场",
        Kind::Facility,
        "泊位数:I10、收费标准、开放时间",
    ),
    (
        "交通局",
        "农村公路",
        Kind::Facility,
        "路线编码、技术等级、里程、养护单位",
    ),
];

/// Subjects that only districts with countryside have.
const RURAL: &[&str] = &[
    "农村宅基地审批",
    "农村集体经济组织",
    "山坪塘",
    "防返贫监测对象",
    "乡村旅游点",
    "农村公路",
];

/// The nine central urban districts (中心城区), which have no rural subjects.
const URBAN: &[&str] = &[
    "渝中区",
    "大渡口区",
    "江北区",
    "沙坪坝区",
    "九龙坡区",
    "南岸区",
    "北碚区",
    "渝北区",
    "巴南区",
];

/// How many resources each district provides.
pub const PER_DISTRICT: usize = 5;

/// A district's own subject: its unit, the subject (with the district's name in
/// front, as districts name their resources) and the bare subject words.
pub struct LocalSubject {
    pub unit: String,
    pub subject: Subject,
    pub bare: &'static str,
}

/// The subjects district number `index` (0-based) provides: five of the pool,
/// spread so that every subject is used by several districts.
pub fn subjects_of(index: usize, district: &str) -> Vec<LocalSubject> {
    let urban = URBAN.contains(&district);
    let pool: Vec<_> = POOL
        .iter()
        .filter(|p| !(urban && RURAL.contains(&p.1)))
        .collect();
    (0..PER_DISTRICT)
        .map(|k| {
            let &(unit, stem, kind, items) = pool[(index * 7 + k * 3 + index / 3) % pool.len()];
            LocalSubject {
                unit: format!("{district}{unit}"),
                bare: stem,
                subject: Subject {
                    stem: format!("{district}{stem}"),
                    kind,
                    class: None,
                    primary: None,
                    max_variants: Some(1),
                    format: None,
                    share: None,
                    noun: Some(stem.to_string()),
                    replace_core: false,
                    items: items.split('、').map(parse_item).collect(),
                    aliases: Vec::new(),
                },
            }
        })
        .collect()
}
