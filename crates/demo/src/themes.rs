//! The 13 thematic catalogs of the seed city and the rules that place resources in
//! them: words of the resource name, and the departments a theme mostly draws on.

use crate::rng::Rng;
use govshare_domain::theme::ThemeSpec;

pub struct ThemeDef {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// A resource whose name has one of these words belongs to the theme.
    pub words: &'static [&'static str],
    /// Department search words (`Dept::kw`) whose resources often belong to it.
    pub depts: &'static [&'static str],
}

pub const THEMES: &[ThemeDef] = &[
    ThemeDef {
        code: "T01",
        name: "行政审批",
        description: "汇聚行政许可、审批、备案等政务服务事项办理所需的证照和业务数据，支撑“一网通办”和“减证便民”。",
        words: &["许可", "审批", "核准", "备案", "办件", "政务服务", "一件事"],
        depts: &["大数据应用发展"],
    },
    ThemeDef {
        code: "T02",
        name: "社会治理",
        description: "汇聚人口、治安、信访、人民调解、网格化管理等数据，支撑基层社会治理和平安建设。",
        words: &[
            "治安",
            "网格",
            "信访",
            "矫正",
            "调解",
            "社区",
            "流动人口",
            "违法犯罪",
            "12345",
            "刑满释放",
            "吸毒",
            "户籍",
            "纠纷",
        ],
        depts: &["公安", "司法", "信访", "民政"],
    },
    ThemeDef {
        code: "T03",
        name: "社会信用",
        description: "汇聚市场主体和自然人的公共信用信息以及行政许可、行政处罚“双公示”信息，支撑守信联合激励和失信联合惩戒。",
        words: &[
            "信用",
            "失信",
            "行政处罚",
            "经营异常",
            "严重违法",
            "守信",
            "欠税",
            "非正常户",
            "限制消费",
        ],
        depts: &["发展和改革", "人民法院"],
    },
    ThemeDef {
        code: "T04",
        name: "精准扶贫",
        description: "汇聚防返贫监测对象、脱贫人口、低保特困、教育医疗救助等数据，支撑巩固拓展脱贫攻坚成果和乡村振兴。",
        words: &[
            "扶贫",
            "脱贫",
            "低保",
            "特困",
            "返贫",
            "救助",
            "乡村振兴",
            "雨露计划",
            "危房",
            "衔接",
            "帮扶",
            "小额信贷",
        ],
        depts: &["乡村振兴"],
    },
    ThemeDef {
        code: "T05",
        name: "生态环保",
        description: "汇聚环境质量监测、污染源、排污许可、自然生态保护等数据，支撑生态环境监管和长江上游生态屏障建设。",
        words: &[
            "环境",
            "排污",
            "污染",
            "水质",
            "空气",
            "生态",
            "废物",
            "自然保护",
            "河流",
            "水土",
            "森林",
            "林地",
            "公益林",
            "垃圾",
            "节能",
            "绿色",
        ],
        depts: &["生态环境", "林业"],
    },
    ThemeDef {
        code: "T06",
        name: "健康医疗",
        description: "汇聚医疗机构、医务人员、健康档案、医保结算和公共卫生数据，支撑“互联网+医疗健康”和卫生健康监管。",
        words: &[
            "医疗",
            "医师",
            "护士",
            "健康",
            "医院",
            "药品",
            "疫苗",
            "接种",
            "卫生",
            "出生医学",
            "急救",
            "中医",
            "医保",
            "病",
        ],
        depts: &["卫生健康", "医疗保障", "中医"],
    },
    ThemeDef {
        code: "T07",
        name: "社会保障",
        description: "汇聚社会保险、社会救助、住房公积金、优抚安置等数据，支撑社保待遇资格认证和精准救助。",
        words: &[
            "社会保险",
            "养老",
            "失业",
            "工伤",
            "医疗保险",
            "公积金",
            "低保",
            "救助",
            "优抚",
            "抚恤",
            "补贴",
            "残疾",
            "就业",
            "福利",
            "社会保障",
        ],
        depts: &["人力资源和社会保障", "医疗保障", "住房公积金", "退役军人"],
    },
    ThemeDef {
        code: "T08",
        name: "企业融资",
        description: "汇聚企业登记、纳税、社保缴费、公积金缴存、不动产抵押、知识产权质押等涉企数据，服务金融机构信贷审批和中小企业融资。",
        words: &[
            "营业执照",
            "纳税",
            "贷款",
            "抵押",
            "担保",
            "融资",
            "质押",
            "企业年度报告",
            "股东",
            "缴存",
            "社会保险缴费",
            "高新技术企业",
            "专精特新",
            "上市",
            "小额",
        ],
        depts: &["地方金融", "人民银行", "金融监督管理总局"],
    },
    ThemeDef {
        code: "T09",
        name: "市场监管",
        description: "汇聚市场主体登记、许可、抽检、投诉举报和执法数据，支撑“双随机、一公开”和信用风险分类监管。",
        words: &[
            "食品",
            "药品",
            "特种设备",
            "产品质量",
            "计量",
            "广告",
            "价格",
            "抽检",
            "抽查",
            "个体工商户",
            "消费者",
            "网络交易",
            "经营许可",
            "烟草",
            "化妆品",
            "医疗器械",
        ],
        depts: &["市场监督管理", "药品监督管理"],
    },
    ThemeDef {
        code: "T10",
        name: "城市管理",
        description: "汇聚市政设施、市容环卫、园林绿化、城市更新等数据，支撑数字化城市管理和城市运行“一网统管”。",
        words: &[
            "城市",
            "市政",
            "道路",
            "桥梁",
            "公园",
            "垃圾",
            "燃气",
            "公厕",
            "户外广告",
            "路灯",
            "绿地",
            "停车",
            "供水",
            "污水",
            "物业",
            "老旧小区",
            "地名",
            "地址",
        ],
        depts: &["城市管理", "住房和城乡建设"],
    },
    ThemeDef {
        code: "T11",
        name: "交通出行",
        description: "汇聚机动车、驾驶人、公共交通、道路运输和路况数据，支撑智慧交通和便民出行服务。",
        words: &[
            "交通",
            "机动车",
            "驾驶",
            "公交",
            "轨道",
            "出租汽车",
            "道路运输",
            "公路",
            "高速",
            "船舶",
            "港口",
            "网约车",
            "充电桩",
            "车辆",
            "班列",
            "航",
        ],
        depts: &["交通运输"],
    },
    ThemeDef {
        code: "T12",
        name: "教育文化",
        description: "汇聚学校、学生、教师、文化旅游和体育资源数据，支撑教育公共服务和文旅融合发展。",
        words: &[
            "学校",
            "学生",
            "教师",
            "学籍",
            "教育",
            "高考",
            "招生",
            "图书馆",
            "文化",
            "旅游",
            "景区",
            "博物馆",
            "文物",
            "非物质文化遗产",
            "体育",
            "科普",
            "演出",
            "幼儿园",
        ],
        depts: &["教育", "文化和旅游", "体育", "文物"],
    },
    ThemeDef {
        code: "T13",
        name: "应急管理",
        description: "汇聚安全生产、自然灾害、气象预警、消防救援和应急资源数据，支撑风险监测预警和应急指挥调度。",
        words: &[
            "应急",
            "安全生产",
            "危险化学品",
            "灾害",
            "地震",
            "消防",
            "火灾",
            "防汛",
            "水雨情",
            "山洪",
            "预警",
            "避难",
            "救援",
            "事故",
            "气象",
            "火险",
            "人防",
            "防空",
        ],
        depts: &["应急管理", "消防救援", "地震"],
    },
];

pub fn specs() -> Vec<ThemeSpec> {
    THEMES
        .iter()
        .map(|t| ThemeSpec {
            code: t.code.into(),
            name: t.name.into(),
            description: t.description.into(),
        })
        .collect()
}

/// The themes of a resource: those its name calls for first, then at random some of
/// those its department usually feeds; at most three, in code order.
pub fn assign(rng: &mut Rng, name: &str, dept_kw: &str) -> Vec<String> {
    let mut chosen: Vec<&str> = THEMES
        .iter()
        .filter(|t| t.words.iter().any(|w| name.contains(w)))
        .map(|t| t.code)
        .collect();
    chosen.truncate(3);
    for t in THEMES {
        if chosen.len() < 3
            && !chosen.contains(&t.code)
            && t.depts.contains(&dept_kw)
            && rng.chance(0.4)
        {
            chosen.push(t.code);
        }
    }
    chosen.sort_unstable();
    chosen.into_iter().map(String::from).collect()
}
