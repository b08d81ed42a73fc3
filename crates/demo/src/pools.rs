//! Item pools per subject kind: the natural key and core items that come first, and
//! the common items that fill a resource up. `{n}` stands for the subject's noun;
//! `*` marks a key item and `:C20` fixes a type and length.

use crate::model::Kind;

pub struct Pool {
    pub core: &'static [&'static str],
    pub rest: &'static [&'static str],
}

pub fn pool(kind: Kind) -> Pool {
    let (core, rest): (&[&str], &[&str]) = match kind {
        Kind::Person => (
            &["*公民身份号码", "姓名", "性别", "出生日期"],
            &[
                "民族",
                "户籍地址",
                "现居住地址",
                "联系电话",
                "婚姻状况",
                "文化程度",
                "行政区划代码",
                "所属街道（乡镇）",
                "登记日期",
                "登记单位",
                "数据来源",
                "数据更新时间",
            ],
        ),
        Kind::Entity => (
            &["*统一社会信用代码", "单位名称", "法定代表人", "单位类型"],
            &[
                "注册地址",
                "成立日期",
                "注册资本",
                "登记机关",
                "经营范围",
                "联系人",
                "联系电话",
                "行政区划代码",
                "经营状态",
                "从业人数",
                "数据来源",
                "数据更新时间",
            ],
        ),
        Kind::Licence => (
            &[
                "*证照编号",
                "持证主体名称",
                "统一社会信用代码",
                "法定代表人",
            ],
            &[
                "发证机关",
                "发证日期",
                "有效期起始日期",
                "有效期截止日期",
                "许可事项",
                "许可范围",
                "经营场所",
                "证照状态",
                "联系电话",
                "行政区划代码",
                "数据更新时间",
            ],
        ),
        Kind::Qualification => (
            &["*证照编号", "姓名", "公民身份号码", "性别"],
            &[
                "发证机关",
                "发证日期",
                "有效期起始日期",
                "有效期截止日期",
                "出生日期",
                "工作单位",
                "证照状态",
                "联系电话",
                "行政区划代码",
                "数据更新时间",
            ],
        ),
        Kind::Record => (
            &[
                "*业务流水号",
                "当事人姓名",
                "当事人公民身份号码",
                "登记类型",
            ],
            &[
                "登记日期",
                "登记机关",
                "办理地点",
                "经办人",
                "联系电话",
                "行政区划代码",
                "备注",
                "数据更新时间",
            ],
        ),
        Kind::Case => (
            &[
                "*案件编号",
                "当事人名称",
                "当事人证件类型",
                "当事人证件号码",
            ],
            &[
                "案由",
                "违法事实",
                "处理依据",
                "处理结果",
                "决定日期",
                "执法机关",
                "罚款金额",
                "案件状态",
                "公示截止日期",
                "行政区划代码",
                "数据更新时间",
            ],
        ),
        Kind::Facility => (
            &["*{n}编码", "{n}名称", "所在区县", "详细地址"],
            &[
                "经度",
                "纬度",
                "管理单位",
                "投入使用日期",
                "运行状态",
                "责任人",
                "联系电话",
                "数据来源",
                "数据更新时间",
            ],
        ),
        Kind::Monitor => (
            &["*监测记录编号", "监测点位编码", "监测点位名称", "监测时间"],
            &[
                "监测项目",
                "监测值",
                "计量单位",
                "所在区县",
                "经度",
                "纬度",
                "数据状态",
                "数据来源",
                "数据更新时间",
            ],
        ),
        Kind::Stats => (STATS_CORE, STATS_REST),
        Kind::Document => (
            &["文件名称", "文号", "发布机关", "发布日期"],
            &["文件类型", "有效性", "主题分类", "成文日期", "附件", "备注"],
        ),
        Kind::Payment => (
            &["*发放记录编号", "姓名", "公民身份号码", "发放金额"],
            &[
                "发放年月",
                "发放类别",
                "发放方式",
                "发放机构",
                "银行账号",
                "开户银行",
                "行政区划代码",
                "所属街道（乡镇）",
                "数据更新时间",
            ],
        ),
        Kind::Application => (
            &["*申请编号", "申请人名称", "申请人证件号码", "申请事项"],
            &[
                "申请日期",
                "受理日期",
                "受理部门",
                "办理状态",
                "办结日期",
                "办理结果",
                "联系电话",
                "行政区划代码",
                "数据更新时间",
            ],
        ),
        Kind::Project => (
            &["*项目代码", "项目名称", "项目单位名称", "建设地点"],
            &[
                "建设性质",
                "建设规模及内容",
                "总投资",
                "计划开工日期",
                "计划竣工日期",
                "项目状态",
                "所属行业",
                "项目单位统一社会信用代码",
                "行政区划代码",
                "数据更新时间",
            ],
        ),
        Kind::Listing => (
            &["*{n}编码", "{n}名称", "类别"],
            &[
                "设定依据",
                "实施主体",
                "适用范围",
                "标准",
                "生效日期",
                "失效日期",
                "状态",
                "备注",
                "数据更新时间",
            ],
        ),
    };
    Pool { core, rest }
}

/// Common items of organisations that are not companies (schools, associations,
/// public institutions), instead of the company items of the entity pool.
pub const ORG_REST: &[&str] = &[
    "住所",
    "成立日期",
    "开办资金",
    "登记管理机关",
    "业务范围",
    "负责人",
    "联系电话",
    "行政区划代码",
    "单位状态",
    "从业人数",
    "数据来源",
    "数据更新时间",
];

/// Does an entity subject name companies (which have capital and a business scope)?
pub fn is_company(stem: &str) -> bool {
    const WORDS: &[&str] = &[
        "企业",
        "公司",
        "商户",
        "个体",
        "店",
        "行",
        "厂",
        "场",
        "网点",
        "平台",
        "经营者",
        "纳税人",
        "非正常户",
        "欠税",
        "机构",
        "车间",
        "养殖",
        "合作社",
        "农场",
        "商",
        "供应商",
        "主体",
        "零售户",
        "名录",
        "出资",
        "年度报告",
        "单位",
    ];
    WORDS.iter().any(|w| stem.contains(w))
}

/// Key and leading items of aggregated figures.
pub const STATS_CORE: &[&str] = &["*统计期别", "*行政区划代码", "区域名称", "统计口径"];
/// Trailing items of aggregated figures.
pub const STATS_REST: &[&str] = &[
    "计量单位",
    "同比增长率",
    "环比增长率",
    "数据来源",
    "填报单位",
    "发布日期",
    "备注",
    "数据更新时间",
];

/// The measures of a statistics variant of a subject of this kind.
pub fn stats_metrics(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Person => &[
            "{n}总数:I10",
            "新增人数",
            "减少人数",
            "男性人数",
            "女性人数",
        ],
        Kind::Entity => &["{n}数量:I10", "新增数量", "注销数量", "从业人员总数"],
        Kind::Licence | Kind::Qualification => &[
            "发证数量",
            "有效证照数量",
            "新增数量",
            "注销数量",
            "按时办结率",
        ],
        Kind::Record => &["办理数量", "新增数量", "网上办理数量", "网办率"],
        Kind::Case => &["立案数量", "结案数量", "结案率", "涉案金额"],
        Kind::Facility => &["{n}数量:I10", "新增数量", "总规模:N18", "完好率"],
        Kind::Monitor => &[
            "监测次数",
            "平均值",
            "最大值",
            "最小值",
            "超标次数",
            "达标率",
        ],
        Kind::Stats => &["指标名称", "指标值", "累计值:N18"],
        Kind::Document => &["文件数量"],
        Kind::Payment => &["发放人数", "发放金额", "人均发放金额", "发放户数"],
        Kind::Application => &["申请数量", "受理数量", "办结数量", "按时办结率"],
        Kind::Project => &[
            "项目数量",
            "总投资",
            "当年完成投资",
            "开工项目数",
            "竣工项目数",
        ],
        Kind::Listing => &["{n}数量:I10", "新增数量"],
    }
}

/// Items of file-like resources that describe the files.
pub const FILE_ITEMS: &[&str] = &[
    "文件名称",
    "文号",
    "发布机关",
    "发布日期",
    "文件类型",
    "有效性",
    "主题分类",
    "附件",
];
/// Items of image resources.
pub const IMAGE_ITEMS: &[&str] = &[
    "图幅编号",
    "图件名称",
    "比例尺",
    "坐标系",
    "成图日期",
    "数据格式",
    "覆盖范围",
];
