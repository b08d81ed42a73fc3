//! Everyday abbreviations of government terms (社保 for 社会保险 ...), so that a
//! citizen's word finds the catalog's formal name.

/// (what people type, what the catalog says).
const PAIRS: &[(&str, &str)] = &[
    ("社保", "社会保险"),
    ("医保", "医疗保险"),
    ("养老金", "养老保险"),
    ("公积金", "住房公积金"),
    ("身份证", "居民身份证"),
    ("驾照", "驾驶证"),
    ("户口", "户籍"),
    ("低保", "最低生活保障"),
    ("工商", "市场监督"),
    ("房产证", "不动产权证"),
    ("房产", "不动产"),
    ("车牌", "号牌"),
    ("结婚", "婚姻"),
    ("离婚", "婚姻"),
    ("失业金", "失业保险"),
    ("残疾证", "残疾人证"),
    ("营业证", "营业执照"),
    ("出生证", "出生医学证明"),
    ("企业信用", "信用信息"),
    ("环评", "环境影响评价"),
    ("安监", "安全生产"),
    ("食药", "食品药品"),
    ("人社", "人力资源和社会保障"),
    ("规自", "规划和自然资源"),
    ("卫健", "卫生健康"),
    ("住建", "住房和城乡建设"),
    ("发改", "发展和改革"),
    ("经信", "经济和信息化"),
    ("市监", "市场监督管理"),
];

/// The formal terms a token also stands for.
pub fn expansions(token: &str) -> impl Iterator<Item = &'static str> + '_ {
    PAIRS
        .iter()
        .filter(move |(short, _)| *short == token)
        .map(|(_, long)| *long)
}
