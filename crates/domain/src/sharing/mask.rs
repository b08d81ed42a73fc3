//! Masking sensitive values (脱敏) for consumers whose basis does not include them in
//! clear: the shape stays recognisable (length, region and tail of an ID number, the
//! carrier prefix of a phone), the identifying middle is starred.

/// Keeps `head` and `tail` characters and stars the rest (at least one star).
fn keep(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    let (head, tail) = if head + tail >= n {
        // Too short to keep both ends: keep a quarter of it at the front.
        (n / 4, 0)
    } else {
        (head, tail)
    };
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// How an item's values are masked, chosen once by the item's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mask {
    /// ID and passport numbers: region and tail kept.
    Identity,
    /// Phone numbers: carrier prefix and tail kept.
    Phone,
    /// Personal names: the surname kept.
    Name,
    /// Addresses: the first six characters kept.
    Address,
    /// Account and card numbers: the tail kept.
    Account,
    /// Anything else: a quarter kept at each end.
    Other,
}

impl Mask {
    pub fn for_item(item_name: &str) -> Mask {
        let has = |words: &[&str]| words.iter().any(|w| item_name.contains(w));
        if has(&["身份号码", "身份证", "证件号", "护照"]) {
            Mask::Identity
        } else if has(&["手机", "电话", "联系方式"]) {
            Mask::Phone
        } else if has(&["姓名", "法定代表人", "联系人", "负责人"]) {
            Mask::Name
        } else if has(&["地址", "住址", "住所"]) {
            Mask::Address
        } else if has(&["账号", "卡号"]) {
            Mask::Account
        } else {
            Mask::Other
        }
    }

    /// The masked form of a value.
    pub fn apply(self, value: &str) -> String {
        match self {
            Mask::Identity => keep(value, 6, 4),
            Mask::Phone => keep(value, 3, 4),
            Mask::Name => keep(value, 1, 0),
            Mask::Address => {
                let chars: Vec<char> = value.chars().collect();
                let head = chars.len().min(6);
                let mut out: String = chars[..head].iter().collect();
                if chars.len() > head {
                    out.push_str("****");
                }
                out
            }
            Mask::Account => keep(value, 0, 4),
            Mask::Other => {
                let len = value.chars().count();
                keep(value, len / 4, len / 4)
            }
        }
    }
}

/// The masked form of an item's value, chosen by the item's name.
pub fn mask(item_name: &str, value: &str) -> String {
    Mask::for_item(item_name).apply(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_shape_and_hide_the_middle() {
        assert_eq!(
            mask("公民身份号码", "500103199001011234"),
            "500103********1234"
        );
        assert_eq!(mask("联系电话", "13812345678"), "138****5678");
        assert_eq!(mask("姓名", "欧阳修"), "欧**");
        assert_eq!(
            mask("户籍地址", "重庆市渝中区解放碑路1号"),
            "重庆市渝中区****"
        );
        assert_eq!(mask("银行账号", "6222020200112233"), "************2233");
        assert_eq!(mask("病历摘要", "高血压二级"), "高***级");
        // Short values are never shown whole.
        assert_eq!(mask("手机", "110"), "***");
        assert_eq!(mask("备注", "x"), "*");
        assert_eq!(mask("备注", ""), "");
    }
}
