//! Data types and byte lengths of information items, inferred from their names
//! the way catalog compilers choose them (日期 → D8, 金额 → Y18, 地址 → C200 ...).

use crate::rng::hash_str;
use govshare_domain::labels::DataType;

const EXACT: &[(&str, DataType, u32)] = &[
    ("公民身份号码", DataType::String, 18),
    ("统一社会信用代码", DataType::String, 18),
    ("性别", DataType::String, 1),
    ("民族", DataType::String, 2),
    ("行政区划代码", DataType::String, 6),
    ("邮政编码", DataType::String, 6),
    ("车辆识别代号", DataType::String, 17),
    ("号牌号码", DataType::String, 15),
    ("手机号码", DataType::String, 11),
    ("统计期别", DataType::String, 8),
    ("经度", DataType::Double, 8),
    ("纬度", DataType::Double, 8),
    ("比例尺", DataType::String, 20),
    ("坐标系", DataType::String, 50),
    ("办理时限", DataType::Integer, 10),
    ("经营范围", DataType::Memo, 4000),
    ("计量单位", DataType::String, 20),
    ("密级", DataType::String, 10),
];

fn ends(name: &str, suffixes: &[&str]) -> bool {
    suffixes.iter().any(|s| name.ends_with(s))
}

/// The data type and length an item name calls for.
pub fn infer(name: &str) -> (DataType, u32) {
    use DataType::*;
    if let Some(&(_, t, l)) = EXACT.iter().find(|(n, _, _)| *n == name) {
        return (t, l);
    }
    let flip = hash_str(name).is_multiple_of(3);
    if name.starts_with("是否") {
        (Boolean, 1)
    } else if ends(name, &["身份号码", "信用代码"]) {
        (String, 18)
    } else if ends(name, &["电话", "联系方式"]) {
        (String, 20)
    } else if name.ends_with("日期") {
        (Date, if flip { 10 } else { 8 })
    } else if name.ends_with("时间") {
        (DateTime, if flip { 19 } else { 14 })
    } else if ends(name, &["年度", "年份"]) {
        (String, 4)
    } else if ends(name, &["年月", "月份"]) {
        (String, 6)
    } else if ends(name, &["率", "比例", "涨跌幅"]) {
        (Number, 10)
    } else if ends(name, &["指数", "系数"]) {
        (Number, 18)
    } else if ends(
        name,
        &[
            "金额",
            "资本",
            "资金",
            "价格",
            "价款",
            "单价",
            "总价",
            "工资",
            "费用",
            "收入",
            "投资",
            "基数",
            "造价",
            "票价",
            "余额",
            "缴存额",
            "税额",
            "总额",
        ],
    ) {
        (Currency, 18)
    } else if ends(
        name,
        &[
            "总数",
            "人数",
            "户数",
            "次数",
            "件数",
            "床位数",
            "数量",
            "个数",
            "车道数",
            "在校生数",
            "教职工数",
            "项目数",
            "记分",
        ],
    ) {
        (Integer, 10)
    } else if ends(
        name,
        &[
            "面积",
            "长度",
            "重量",
            "体重",
            "容量",
            "库容",
            "浓度",
            "降水量",
            "气温",
            "湿度",
            "风速",
            "气压",
            "能见度",
            "得分",
            "分值",
            "值",
            "产量",
            "总量",
            "里程",
        ],
    ) {
        (Number, 18)
    } else if ends(name, &["照片", "附件", "电子证照文件", "影像"]) {
        (General, 1_048_576)
    } else if name.ends_with("备注") {
        (String, 500)
    } else if ends(
        name,
        &[
            "内容", "范围", "事实", "描述", "说明", "情况", "意见", "依据", "措施", "问题", "摘要",
            "简介", "用途", "事由",
        ],
    ) {
        (Memo, 2000)
    } else if ends(
        name,
        &[
            "地址",
            "住址",
            "住所",
            "地点",
            "坐落",
            "位置",
            "校址",
            "场所",
            "建设地点",
            "空间坐标",
        ],
    ) {
        (String, 200)
    } else if name.ends_with("名称") {
        let long = ["单位", "企业", "主体", "机构", "组织", "学校", "项目"]
            .iter()
            .any(|w| name.contains(w));
        (String, if long { 200 } else { 100 })
    } else if ends(name, &["姓名", "人", "负责人", "户主", "责任医生", "河长"]) {
        (String, 50)
    } else if ends(
        name,
        &[
            "编号",
            "编码",
            "代码",
            "代号",
            "文号",
            "证号",
            "号码",
            "账号",
            "卡号",
            "字号",
            "号",
            "标识码",
        ],
    ) {
        (String, if flip { 32 } else { 50 })
    } else if ends(
        name,
        &[
            "类型",
            "类别",
            "种类",
            "状态",
            "等级",
            "级别",
            "方式",
            "性质",
            "车型",
            "标识",
            "程度",
            "状况",
            "渠道",
            "有效性",
        ],
    ) {
        (String, 20)
    } else if ends(name, &["结果", "结论"]) {
        (String, 200)
    } else if ends(name, &["期限", "年限"]) {
        (String, 50)
    } else {
        (String, 100)
    }
}

/// `infer` with a per-thread memo: the same few hundred names recur thousands of times.
pub fn infer_cached(name: &str) -> (DataType, u32) {
    thread_local! {
        static MEMO: std::cell::RefCell<std::collections::HashMap<String, (DataType, u32)>> = Default::default();
    }
    MEMO.with(|m| {
        *m.borrow_mut()
            .entry(name.to_string())
            .or_insert_with(|| infer(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_the_names() {
        assert_eq!(infer("公民身份号码"), (DataType::String, 18));
        assert_eq!(infer("男方公民身份号码"), (DataType::String, 18));
        assert_eq!(infer("是否超期"), (DataType::Boolean, 1));
        assert_eq!(infer("注册资本"), (DataType::Currency, 18));
        assert_eq!(infer("在校生数"), (DataType::Integer, 10));
        assert_eq!(infer("同比增长率"), (DataType::Number, 10));
        assert_eq!(infer("经营范围"), (DataType::Memo, 4000));
        assert_eq!(infer("户籍地址"), (DataType::String, 200));
        assert!(matches!(infer("发证日期"), (DataType::Date, 8 | 10)));
        assert!(matches!(infer("监测时间"), (DataType::DateTime, 14 | 19)));
    }
}
