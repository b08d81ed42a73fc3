//! Code lists of coded items (代码项): the national standards' codes and the labels
//! people write instead. A pool column with a code list stores the code; a cell that
//! gives the label (性别 “男”, 民族 “汉族”) is stored as its code, and anything else is
//! refused with the list's name.

/// One code of a list: the code, its label, and other ways it is written.
pub struct Code {
    pub code: &'static str,
    pub label: &'static str,
    pub aliases: &'static [&'static str],
}

const fn c(code: &'static str, label: &'static str, aliases: &'static [&'static str]) -> Code {
    Code {
        code,
        label,
        aliases,
    }
}

/// GB/T 2261.1-2003 人的性别代码.
pub const GENDER: &[Code] = &[
    c("0", "未知的性别", &["未知"]),
    c("1", "男性", &["男"]),
    c("2", "女性", &["女"]),
    c("9", "未说明的性别", &["未说明"]),
];

/// GB/T 2261.2-2003 婚姻状况代码.
pub const MARITAL: &[Code] = &[
    c("10", "未婚", &[]),
    c("20", "已婚", &["有配偶"]),
    c("21", "初婚", &[]),
    c("22", "再婚", &[]),
    c("23", "复婚", &[]),
    c("30", "丧偶", &[]),
    c("40", "离婚", &["离异"]),
    c("90", "未说明的婚姻状况", &["未说明"]),
];

/// 户口类别: the household a person is registered in (家庭户, 集体户).
pub const HOUSEHOLD: &[Code] = &[
    c("1", "家庭户口", &["家庭户", "家庭"]),
    c("2", "集体户口", &["集体户", "集体"]),
];

/// GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码 (the two-digit codes).
pub const NATION: &[Code] = &[
    c("01", "汉族", &["汉"]),
    c("02", "蒙古族", &["蒙古"]),
    c("03", "回族", &["回"]),
    c("04", "藏族", &["藏"]),
    c("05", "维吾尔族", &["维吾尔"]),
    c("06", "苗族", &["苗"]),
    c("07", "彝族", &["彝"]),
    c("08", "壮族", &["壮"]),
    c("09", "布依族", &["布依"]),
    c("10", "朝鲜族", &["朝鲜"]),
    c("11", "满族", &["满"]),
    c("12", "侗族", &["侗"]),
    c("13", "瑶族", &["瑶"]),
    c("14", "白族", &["白"]),
    c("15", "土家族", &["土家"]),
    c("16", "哈尼族", &["哈尼"]),
    c("17", "哈萨克族", &["哈萨克"]),
    c("18", "傣族", &["傣"]),
    c("19", "黎族", &["黎"]),
    c("20", "傈僳族", &["傈僳"]),
    c("21", "佤族", &["佤"]),
    c("22", "畲族", &["畲"]),
    c("23", "高山族", &["高山"]),
    c("24", "拉祜族", &["拉祜"]),
    c("25", "水族", &["水"]),
    c("26", "东乡族", &["东乡"]),
    c("27", "纳西族", &["纳西"]),
    c("28", "景颇族", &["景颇"]),
    c("29", "柯尔克孜族", &["柯尔克孜"]),
    c("30", "土族", &["土"]),
    c("31", "达斡尔族", &["达斡尔"]),
    c("32", "仫佬族", &["仫佬"]),
    c("33", "羌族", &["羌"]),
    c("34", "布朗族", &["布朗"]),
    c("35", "撒拉族", &["撒拉"]),
    c("36", "毛南族", &["毛南"]),
    c("37", "仡佬族", &["仡佬"]),
    c("38", "锡伯族", &["锡伯"]),
    c("39", "阿昌族", &["阿昌"]),
    c("40", "普米族", &["普米"]),
    c("41", "塔吉克族", &["塔吉克"]),
    c("42", "怒族", &["怒"]),
    c("43", "乌孜别克族", &["乌孜别克"]),
    c("44", "俄罗斯族", &["俄罗斯"]),
    c("45", "鄂温克族", &["鄂温克"]),
    c("46", "德昂族", &["德昂"]),
    c("47", "保安族", &["保安"]),
    c("48", "裕固族", &["裕固"]),
    c("49", "京族", &["京"]),
    c("50", "塔塔尔族", &["塔塔尔"]),
    c("51", "独龙族", &["独龙"]),
    c("52", "鄂伦春族", &["鄂伦春"]),
    c("53", "赫哲族", &["赫哲"]),
    c("54", "门巴族", &["门巴"]),
    c("55", "珞巴族", &["珞巴"]),
    c("56", "基诺族", &["基诺"]),
    c("97", "其他", &["其他族"]),
    c("98", "外国血统中国籍人士", &["外国血统"]),
];

/// The code a cell stands for: the code itself (a one-digit form of a two-digit
/// code, `1` for `01`, is read as that code), its label or an alias.
pub fn code_of(list: &'static [Code], text: &str) -> Option<&'static str> {
    let t = text.trim();
    let found = list
        .iter()
        .find(|c| c.code == t || c.label == t || c.aliases.contains(&t));
    if let Some(c) = found {
        return Some(c.code);
    }
    // A spreadsheet that read "01" as a number wrote it back as "1".
    match t.as_bytes() {
        [d] if d.is_ascii_digit() => list
            .iter()
            .find(|c| c.code.as_bytes() == [b'0', *d])
            .map(|c| c.code),
        _ => None,
    }
}

/// The list's codes with their labels, for an error message: `1 男性、2 女性…`.
pub fn describe(list: &'static [Code]) -> String {
    let shown: Vec<String> = list
        .iter()
        .take(8)
        .map(|c| format!("{} {}", c.code, c.label))
        .collect();
    let more = if list.len() > 8 { "…" } else { "" };
    format!("{}{more}", shown.join("、"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_codes_both_read_as_the_code() {
        assert_eq!(code_of(GENDER, "男"), Some("1"));
        assert_eq!(code_of(GENDER, "女性"), Some("2"));
        assert_eq!(code_of(GENDER, "未知"), Some("0"));
        assert_eq!(code_of(GENDER, "2"), Some("2"));
        assert_eq!(code_of(GENDER, "3"), None);
        assert_eq!(code_of(NATION, "汉族"), Some("01"));
        assert_eq!(code_of(NATION, "土家族"), Some("15"));
        assert_eq!(
            code_of(NATION, "1"),
            Some("01"),
            "a code that lost its zero"
        );
        assert_eq!(code_of(NATION, "57"), None);
        assert_eq!(code_of(MARITAL, "离异"), Some("40"));
        assert_eq!(code_of(HOUSEHOLD, "集体户"), Some("2"));
        assert_eq!(NATION.len(), 58);
    }

    #[test]
    fn codes_and_labels_are_unique_within_a_list() {
        for list in [GENDER, MARITAL, HOUSEHOLD, NATION] {
            let mut seen = std::collections::HashSet::new();
            for c in list {
                for t in std::iter::once(c.code)
                    .chain(std::iter::once(c.label))
                    .chain(c.aliases.iter().copied())
                {
                    assert!(seen.insert(t), "{t} appears twice");
                }
            }
        }
    }
}
