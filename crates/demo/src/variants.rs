//! Name variants of a subject (基本信息, 变更信息, 年度统计信息 ...): the suffix each
//! adds to the subject, how the summary describes it and which items it adds.

use crate::model::{FormatHint, Kind};
use govshare_domain::labels::UpdateCycle;

#[derive(Debug, Clone, Copy)]
pub struct Variant {
    /// Appended to the subject to form the resource name.
    pub suffix: &'static str,
    /// How the summary describes the content; `{s}` is the subject.
    pub desc: &'static str,
    /// Items this variant adds to the subject's.
    pub extras: &'static [&'static str],
    /// Aggregated figures instead of individual records.
    pub stats: bool,
    pub cycle: Option<UpdateCycle>,
    pub format: Option<FormatHint>,
}

const fn v(suffix: &'static str, desc: &'static str, extras: &'static [&'static str]) -> Variant {
    Variant {
        suffix,
        desc,
        extras,
        stats: false,
        cycle: None,
        format: None,
    }
}

const fn stats(suffix: &'static str, desc: &'static str, cycle: UpdateCycle) -> Variant {
    Variant {
        suffix,
        desc,
        extras: &[],
        stats: true,
        cycle: Some(cycle),
        format: None,
    }
}

const fn with_cycle(mut x: Variant, cycle: UpdateCycle) -> Variant {
    x.cycle = Some(cycle);
    x
}

const fn with_format(mut x: Variant, f: FormatHint) -> Variant {
    x.format = Some(f);
    x
}

const CHANGE: &[&str] = &[
    "变更事项",
    "变更前内容",
    "变更后内容",
    "变更日期",
    "变更原因",
];
const CANCEL: &[&str] = &["注销日期", "注销原因", "注销机关"];
const CHECK: &[&str] = &["核查日期", "核查结果", "核查部门", "比对数据来源"];
const INSPECT: &[&str] = &[
    "检查编号",
    "检查日期",
    "检查机关",
    "检查方式",
    "检查结果",
    "处理措施",
];
const CREDIT: &[&str] = &["评价年度", "信用等级", "评价得分", "评价机关", "评价日期"];
const APPROVAL: &[&str] = &[
    "办件编号",
    "申请日期",
    "受理日期",
    "审批结果",
    "审批日期",
    "审批部门",
];
const RENEW: &[&str] = &[
    "延续申请日期",
    "原有效期截止日期",
    "延续后有效期截止日期",
    "审批日期",
];
const ELIC: &[&str] = &[
    "证照类型代码",
    "证照标识码",
    "电子证照文件",
    "签章时间",
    "证照颁发机构代码",
];
const ARCHIVE: &[&str] = &[
    "档案编号",
    "档案类别",
    "归档日期",
    "保管期限",
    "档案存放位置",
];
const ACCEPT: &[&str] = &[
    "受理编号",
    "受理日期",
    "受理窗口",
    "办理环节",
    "办理状态",
    "办结日期",
];
const RESULT: &[&str] = &["处理结果", "处理日期", "处理机关", "结果公开日期"];
const PROGRESS: &[&str] = &["当前环节", "环节开始时间", "承办人", "办理时限", "是否超期"];
const TRANSFER: &[&str] = &["线索编号", "移送日期", "接收部门", "移送原因", "反馈结果"];
const DIST: &[&str] = &["所在街道（乡镇）", "所属网格", "所在社区（村）", "空间坐标"];
const PATROL: &[&str] = &[
    "巡查日期",
    "巡查人员",
    "发现问题",
    "处置结果",
    "养护单位",
    "养护日期",
];
const OPMON: &[&str] = &["监测时间", "运行状态", "监测指标", "监测值", "告警标识"];
const REALTIME: &[&str] = &["采集时间", "数据状态", "传输时间"];
const DAILY: &[&str] = &["监测日期", "日均值", "日最大值", "达标情况"];
const WARN: &[&str] = &["预警编号", "预警级别", "预警时间", "预警内容", "解除时间"];
const DETAIL: &[&str] = &["发放月份", "发放标准", "实发金额", "发放银行"];
const AUDIT: &[&str] = &["审核日期", "审核结果", "审核部门", "审核意见"];
const ALLOC: &[&str] = &["拨付批次", "拨付金额", "拨付日期", "拨付文号"];
const MATERIAL: &[&str] = &["材料名称", "材料类型", "是否必要", "提交方式"];
const J_APPROVAL: &[&str] = &["审批类型", "审批文号", "审批日期", "审批部门"];
const J_PROGRESS: &[&str] = &["年度计划投资", "累计完成投资", "形象进度", "填报日期"];
const J_COMPLETE: &[&str] = &["竣工验收日期", "验收结论", "验收单位"];
const C_ADJUST: &[&str] = &["调整类型", "调整内容", "调整依据", "调整日期"];
const C_HISTORY: &[&str] = &["版本号", "版本生效日期", "版本失效日期"];
const F_APPROVE: &[&str] = &["*批复文号", "批复日期", "批复机关"];
const F_NOTICE: &[&str] = &["*公告编号", "公告日期", "公示期限"];
const F_CATALOG: &[&str] = &["*文件编号", "成文日期", "密级"];

use UpdateCycle::*;

const PERSON: &[Variant] = &[
    v("基本信息", "{s}的基本情况", &[]),
    v("变更信息", "{s}的信息变更记录", CHANGE),
    stats("年度统计信息", "{s}按年度、分区县汇总的统计数据", Yearly),
    v("注销信息", "{s}的注销和退出记录", CANCEL),
    v("核查比对信息", "{s}与相关部门数据的核查比对结果", CHECK),
    stats(
        "分布统计信息",
        "{s}按区县和街道（乡镇）的分布统计",
        Quarterly,
    ),
];

const ENTITY: &[Variant] = &[
    v("基本信息", "{s}的基本登记情况", &[]),
    v("变更信息", "{s}的变更记录", CHANGE),
    stats("年度统计信息", "{s}按年度、分区县汇总的统计数据", Yearly),
    v("监管检查信息", "{s}接受监督检查的情况和结果", INSPECT),
    v("注销信息", "{s}的注销记录", CANCEL),
    v("信用评价信息", "{s}的信用评价结果", CREDIT),
];

const LICENCE: &[Variant] = &[
    v("信息", "{s}的发证和持证情况", &[]),
    v("变更信息", "{s}的变更记录", CHANGE),
    v("注销信息", "{s}的注销、吊销和撤销记录", CANCEL),
    v("审批结果信息", "{s}申请的受理和审批结果", APPROVAL),
    v("延续信息", "{s}的延续审批记录", RENEW),
    v("监管检查信息", "{s}持证主体接受监督检查的结果", INSPECT),
    stats("年度统计信息", "{s}办理情况的年度统计数据", Yearly),
    v("电子证照信息", "{s}的电子证照数据", ELIC),
];

const QUALIFICATION: &[Variant] = &[
    v("信息", "{s}的发证和持证情况", &[]),
    v("变更信息", "{s}的变更记录", CHANGE),
    v("注销信息", "{s}的注销和吊销记录", CANCEL),
    v("电子证照信息", "{s}的电子证照数据", ELIC),
    stats("年度统计信息", "{s}办理情况的年度统计数据", Yearly),
    v("审批结果信息", "{s}申请的受理和审批结果", APPROVAL),
];

const RECORD: &[Variant] = &[
    v("信息", "{s}的办理记录", &[]),
    stats("年度统计信息", "{s}业务量的年度统计数据", Yearly),
    v("变更信息", "{s}的变更记录", CHANGE),
    v("注销信息", "{s}的注销记录", CANCEL),
    v("档案信息", "{s}的档案管理信息", ARCHIVE),
    v("业务受理信息", "{s}业务的受理和办理过程记录", ACCEPT),
];

const CASE: &[Variant] = &[
    v("信息", "{s}的立案和办理情况", &[]),
    v("处理结果信息", "{s}的处理结果", RESULT),
    stats("年度统计信息", "{s}的年度统计数据", Yearly),
    v("办理进度信息", "{s}的办理进度", PROGRESS),
    v("线索移送信息", "{s}相关线索的移送和反馈情况", TRANSFER),
];

const FACILITY: &[Variant] = &[
    v("基本信息", "{s}的名称、位置、管理单位等基本情况", &[]),
    v("分布信息", "{s}的空间分布", DIST),
    v("巡查养护信息", "{s}的日常巡查和养护记录", PATROL),
    stats("年度统计信息", "{s}数量和规模的年度统计数据", Yearly),
    with_cycle(v("运行监测信息", "{s}的运行状态监测数据", OPMON), Realtime),
    v("变更信息", "{s}的变更记录", CHANGE),
];

const MONITOR: &[Variant] = &[
    v("监测信息", "{s}的监测数据", &[]),
    with_format(
        with_cycle(v("实时监测数据", "{s}的实时监测数据", REALTIME), Realtime),
        FormatHint::Service,
    ),
    with_cycle(v("日报信息", "{s}的每日监测结果", DAILY), Daily),
    stats("月度统计信息", "{s}的月度统计数据", Monthly),
    with_cycle(v("预警信息", "{s}的超标和预警信息", WARN), Realtime),
    stats("年度统计信息", "{s}的年度统计数据", Yearly),
];

const STATS: &[Variant] = &[
    stats("统计信息", "{s}统计数据", Quarterly),
    stats("年度统计信息", "{s}的年度统计数据", Yearly),
    stats("月度统计信息", "{s}的月度统计数据", Monthly),
    stats("季度统计信息", "{s}的季度统计数据", Quarterly),
    stats("分区县统计信息", "{s}分区县统计数据", Yearly),
];

const DOCUMENT: &[Variant] = &[
    with_format(v("文件", "{s}正式文件", &[]), FormatHint::File),
    v("批复信息", "{s}的审批和批复情况", F_APPROVE),
    v("公告信息", "{s}的公告公示", F_NOTICE),
    with_format(v("图件", "{s}的图件成果", &[]), FormatHint::Image),
    v("目录信息", "{s}的文件目录", F_CATALOG),
];

const PAYMENT: &[Variant] = &[
    v("发放信息", "{s}的发放情况", &[]),
    with_cycle(v("发放明细信息", "{s}逐月发放明细", DETAIL), Monthly),
    stats("年度统计信息", "{s}发放人数和金额的年度统计数据", Yearly),
    v("审核信息", "{s}享受资格的审核结果", AUDIT),
    v("资金拨付信息", "{s}资金的拨付情况", ALLOC),
];

const APPLICATION: &[Variant] = &[
    v("信息", "{s}的申请和办理情况", &[]),
    v("审核结果信息", "{s}的审核结果", AUDIT),
    v("办理进度信息", "{s}的办理进度", PROGRESS),
    stats("年度统计信息", "{s}办理情况的年度统计数据", Yearly),
    v("申请材料信息", "{s}的申请材料目录", MATERIAL),
];

const PROJECT: &[Variant] = &[
    v("信息", "{s}的基本情况", &[]),
    v("审批信息", "{s}的审批、核准和备案情况", J_APPROVAL),
    with_cycle(
        v("建设进展信息", "{s}的建设和投资完成进度", J_PROGRESS),
        Monthly,
    ),
    v("变更信息", "{s}的变更情况", CHANGE),
    v("竣工验收信息", "{s}的竣工验收情况", J_COMPLETE),
    stats("年度统计信息", "{s}的年度统计数据", Yearly),
];

const LISTING: &[Variant] = &[
    v("信息", "{s}的内容", &[]),
    v("调整信息", "{s}的调整记录", C_ADJUST),
    v("历史版本信息", "{s}的历史版本", C_HISTORY),
];

pub fn variants(kind: Kind) -> &'static [Variant] {
    match kind {
        Kind::Person => PERSON,
        Kind::Entity => ENTITY,
        Kind::Licence => LICENCE,
        Kind::Qualification => QUALIFICATION,
        Kind::Record => RECORD,
        Kind::Case => CASE,
        Kind::Facility => FACILITY,
        Kind::Monitor => MONITOR,
        Kind::Stats => STATS,
        Kind::Document => DOCUMENT,
        Kind::Payment => PAYMENT,
        Kind::Application => APPLICATION,
        Kind::Project => PROJECT,
        Kind::Listing => LISTING,
    }
}

/// Words in a name that mark a derived variant rather than the subject itself.
pub const MARKERS: &[&str] = &[
    "变更",
    "注销",
    "统计",
    "核查",
    "监管检查",
    "信用评价",
    "审批结果",
    "延续",
    "电子证照",
    "档案",
    "受理",
    "处理结果",
    "办理进度",
    "线索",
    "分布",
    "巡查",
    "运行监测",
    "实时",
    "日报",
    "预警",
    "批复",
    "公告",
    "图件",
    "目录信息",
    "明细",
    "审核",
    "拨付",
    "申请材料",
    "审批信息",
    "建设进展",
    "竣工",
    "调整",
    "历史版本",
];
