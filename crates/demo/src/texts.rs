//! Chinese text of the records: summaries, sharing conditions, bases for not
//! sharing, opening conditions and storage places.

use crate::model::Kind;
use crate::rng::Rng;
use govshare_domain::labels::UpdateCycle;

pub fn cycle_phrase(c: UpdateCycle) -> &'static str {
    match c {
        UpdateCycle::Realtime => "实时更新",
        UpdateCycle::Daily => "按日更新",
        UpdateCycle::Weekly => "按周更新",
        UpdateCycle::Monthly => "按月更新",
        UpdateCycle::Quarterly => "按季度更新",
        UpdateCycle::HalfYearly => "每半年更新一次",
        UpdateCycle::Yearly => "按年度更新",
        UpdateCycle::Irregular => "不定期更新",
    }
}

fn uses(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Person => &[
            "用于政务服务事项办理中的身份核验和信息复用，减少群众重复提交材料。",
            "支撑人口基础库建设和“一数一源”比对核查。",
            "可用于社会救助对象认定、待遇资格审核等跨部门业务协同。",
            "为人口分布分析和公共服务资源配置提供数据支撑。",
        ],
        Kind::Entity => &[
            "用于市场主体准入准营、行政审批和事中事后监管。",
            "支撑法人单位基础库建设和跨部门信息比对。",
            "可为企业融资、信用评价和精准服务提供数据支撑。",
            "供相关部门开展行业管理和统计分析使用。",
        ],
        Kind::Licence | Kind::Qualification => &[
            "用于行政审批“减证便民”，办理相关事项时可在线核验证照，免于提交纸质材料。",
            "支撑电子证照库建设和跨部门、跨地区证照互认。",
            "可用于事中事后监管和资格资质核验。",
        ],
        Kind::Record => &[
            "用于相关政务服务事项办理中的信息核验，实现“数据多跑路、群众少跑腿”。",
            "支撑基础数据库建设和跨部门业务协同。",
            "可用于业务统计分析和监督管理。",
        ],
        Kind::Case => &[
            "用于行政执法信息公示、信用联合奖惩和风险研判。",
            "可用于跨部门联合执法和监管协同。",
            "为问题线索分析和执法监督提供数据支撑。",
        ],
        Kind::Facility => &[
            "用于城市运行管理、规划建设和应急调度。",
            "支撑“一张图”资源展示和空间分析。",
            "可为公众查询和便民服务提供数据支撑。",
        ],
        Kind::Monitor => &[
            "用于实时监测预警、趋势分析和应急处置。",
            "可向社会公开发布，服务公众出行和生产生活。",
            "为相关规划编制和考核评估提供数据支撑。",
        ],
        Kind::Stats => &[
            "用于宏观经济分析、决策支持和统计信息公开。",
            "为相关规划编制、政策评估和绩效考核提供数据支撑。",
        ],
        Kind::Document => &[
            "供各部门查阅使用，作为规划建设、行政审批和监督管理的依据。",
            "可向社会公开，便于公众查询。",
        ],
        Kind::Payment => &[
            "用于资金发放监管、重复享受待遇比对和审计核查。",
            "可用于社会救助对象认定和精准帮扶。",
        ],
        Kind::Application => &[
            "用于办件进度查询、跨部门协同审批和“好差评”评价。",
            "可用于相关事项“一网通办”和材料免提交。",
            "为优化办事流程和绩效考核提供数据支撑。",
        ],
        Kind::Project => &[
            "用于项目全生命周期管理、投资调度和审计监督。",
            "可用于项目并联审批和跨部门协同监管。",
        ],
        Kind::Listing => &[
            "用于政务服务事项标准化管理和清单动态调整。",
            "供各部门和社会公众查询使用。",
        ],
    }
}

/// What the summary needs to know about a record.
pub struct SummaryInput<'a> {
    pub kind: Kind,
    /// The variant's description with the subject filled in.
    pub what: String,
    /// 全市 / 全区 / 全县.
    pub scope: &'a str,
    pub unit: &'a str,
    pub items: Vec<&'a str>,
    pub format_label: &'a str,
    pub file_format: Option<&'a str>,
    pub cycle: UpdateCycle,
    /// The base database the record feeds, if any.
    pub base: Option<&'static str>,
}

pub fn summary(rng: &mut Rng, s: &SummaryInput) -> String {
    let lead = *rng.pick(&["记录", "汇集", "归集", "包含"]);
    let mut out = if s.items.len() >= 3 {
        format!(
            "{lead}{}{}，主要包括{}、{}、{}等{}个信息项。",
            s.scope,
            s.what,
            s.items[0],
            s.items[1],
            s.items[2],
            s.items.len()
        )
    } else {
        let fmt = s.file_format.unwrap_or(s.format_label);
        format!(
            "{}{}，以{fmt}格式的{}提供。",
            s.scope, s.what, s.format_label
        )
    };
    let maintain = format!(
        "数据由{}负责采集和维护，{}。",
        s.unit,
        cycle_phrase(s.cycle)
    );
    let use_text = *rng.pick(uses(s.kind));
    match rng.below(3) {
        0 => out.push_str(&maintain),
        1 => out.push_str(use_text),
        _ => {
            out.push_str(&maintain);
            out.push_str(use_text);
        }
    }
    if let Some(base) = s.base {
        out.push_str(&format!(
            "该资源已汇入{base}，按“一数一源”原则由本部门负责更新。"
        ));
    }
    out
}

pub fn base_name(class: &str) -> Option<&'static str> {
    Some(match class.get(..3)? {
        "101" => "人口基础库",
        "102" => "法人单位基础库",
        "103" => "自然资源和空间地理基础库",
        "104" => "社会信用基础库",
        "105" => "电子证照库",
        _ => return None,
    })
}

pub fn sharing_condition(rng: &mut Rng, kind: Kind) -> String {
    const PERSONAL: &[&str] = &[
        "仅限用于行政审批身份核验，需经提供部门审核同意",
        "仅限用于法定职责范围内的资格审核，需说明使用事由并经提供部门审核同意",
        "仅提供核验比对服务，不提供批量数据下载",
        "需签订数据安全保密协议，使用时对公民身份号码、联系电话等敏感信息进行脱敏处理",
        "仅向承担社会救助、社会保障职能的部门提供，需经提供部门审核同意",
        "按“最小必要”原则申请所需信息项，经提供部门审核同意后通过接口调用",
    ];
    const GENERAL: &[&str] = &[
        "仅限用于行政审批和事中事后监管，需经提供部门审核同意",
        "需说明数据用途和使用场景，经提供部门审核同意后共享",
        "涉及商业秘密的信息项需脱敏后提供，需经提供部门审核同意",
        "仅向承担相关行业监管职责的部门提供",
        "仅限用于执法办案和监督检查，需经提供部门审核同意",
        "共享前需签订数据使用协议，不得向第三方提供或用于其他用途",
    ];
    rng.pick(if kind.is_personal() {
        PERSONAL
    } else {
        GENERAL
    })
    .to_string()
}

pub fn not_shared_basis(rng: &mut Rng, kind: Kind, dept_kw: &str, secret: bool) -> String {
    let text = if secret {
        "依据《中华人民共和国保守国家秘密法》，该资源涉及国家秘密，不予共享"
    } else if dept_kw == "统计" || dept_kw == "调查总队" {
        "依据《中华人民共和国统计法》第二十五条，能够识别或者推断单个统计调查对象身份的资料不得对外提供"
    } else if dept_kw == "税务" {
        "依据《中华人民共和国税收征收管理法》第八条，纳税人、扣缴义务人的涉税情况依法予以保密"
    } else if dept_kw == "卫生健康" && rng.chance(0.5) {
        "依据《医疗机构病历管理规定》第六条，病历资料涉及患者隐私，不予共享"
    } else if dept_kw == "卫生健康" {
        "依据《中华人民共和国传染病防治法》第十二条，涉及个人隐私的有关信息、资料不得泄露"
    } else if dept_kw == "教育" {
        "依据《中华人民共和国未成年人保护法》第七十二条，未成年人个人信息依法予以特别保护，不予共享"
    } else if kind.is_personal() || rng.chance(0.5) {
        "依据《中华人民共和国个人信息保护法》第二十八条，该资源包含敏感个人信息，不予共享"
    } else {
        "依据《中华人民共和国数据安全法》第二十一条，该资源已列入重要数据目录实行重点保护，不予共享"
    };
    text.to_string()
}

pub fn open_condition(rng: &mut Rng) -> String {
    const TEXTS: &[&str] = &[
        "需在重庆市公共数据开放系统实名注册并签署数据使用协议",
        "仅向科研机构和高等院校开放，用于非营利性科学研究",
        "申请人需提交数据使用申请，说明用途和安全保障措施，经审核通过后开放",
        "仅开放脱敏后的汇总数据，申请人需签署数据利用承诺书",
        "面向依法登记的企业和社会组织开放，用于公益性应用开发",
    ];
    rng.pick(TEXTS).to_string()
}

pub fn storage_location(rng: &mut Rng, dept_short: &str, vertical: bool) -> String {
    if vertical && rng.chance(0.6) {
        return "国家部委垂直管理系统（重庆节点）".into();
    }
    match rng.below(10) {
        0..=5 => "市政务云".into(),
        6 | 7 => format!("市政务云（{dept_short}专区）"),
        8 => "部门自建机房".into(),
        _ => "市大数据资源中心部门数据资源池".into(),
    }
}
