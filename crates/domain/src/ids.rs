//! Check digits of the national identifiers (DOMAIN.md §6): citizen ID numbers
//! (GB 11643-1999), unified social credit codes (GB 32100-2015) and organisation
//! codes (GB 11714-1997).

/// Outcome of checking a unified social credit code. Early pilot codes may fail the
/// check digit and still be legal, so a failed check is a warning, not a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditCheck {
    Valid,
    CheckDigitMismatch { expected: char },
}

const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn credit_value(c: u8) -> Option<u32> {
    CREDIT_ALPHABET
        .iter()
        .position(|&a| a == c)
        .map(|p| p as u32)
}

/// The check character for the first 17 characters of a credit code.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (i, &b) in bytes.iter().enumerate() {
        sum += credit_value(b)? * CREDIT_WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(CREDIT_ALPHABET[check as usize] as char)
}

/// Checks the form of a unified social credit code: 18 characters from the
/// 31-character alphabet, with the region part numeric. Returns a reason on error.
pub fn check_credit_code(code: &str) -> Result<CreditCheck, String> {
    if code.chars().count() != 18 {
        return Err(format!(
            "统一社会信用代码应为18位，实际为{}位",
            code.chars().count()
        ));
    }
    if let Some(bad) = code
        .chars()
        .find(|&c| !c.is_ascii() || credit_value(c as u8).is_none())
    {
        return Err(format!("统一社会信用代码含非法字符“{bad}”"));
    }
    if !code[2..8].bytes().all(|b| b.is_ascii_digit()) {
        return Err("统一社会信用代码第3-8位应为行政区划码（数字）".into());
    }
    let expected = credit_code_check_char(&code[..17]).expect("validated above");
    if code.as_bytes()[17] as char == expected {
        Ok(CreditCheck::Valid)
    } else {
        Ok(CreditCheck::CheckDigitMismatch { expected })
    }
}

/// Strict form: the check digit must match.
pub fn validate_credit_code(code: &str) -> Result<(), String> {
    match check_credit_code(code)? {
        CreditCheck::Valid => Ok(()),
        CreditCheck::CheckDigitMismatch { expected } => {
            Err(format!("统一社会信用代码校验位错误，应为“{expected}”"))
        }
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The check character for the first 17 digits of a citizen ID number.
pub fn citizen_id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| (b - b'0') as u32 * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize] as char)
}

/// Validates an 18-character citizen ID number: digits, a real birth date and the
/// check character (an upper- or lower-case X is accepted).
pub fn validate_citizen_id(id: &str) -> Result<(), String> {
    if id.chars().count() != 18 {
        return Err(format!(
            "公民身份号码应为18位，实际为{}位",
            id.chars().count()
        ));
    }
    if !id.is_ascii() {
        return Err("公民身份号码只能含数字和校验位X".into());
    }
    let check = citizen_id_check_char(&id[..17]).ok_or("公民身份号码前17位应为数字")?;
    let birth = &id[6..14];
    if crate::pool::cleanse::compact_date(birth).is_none() {
        return Err(format!("公民身份号码中的出生日期“{birth}”无效"));
    }
    let last = id.as_bytes()[17].to_ascii_uppercase() as char;
    if last != check {
        return Err(format!("公民身份号码校验位错误，应为“{check}”"));
    }
    Ok(())
}

const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The check character for the 8-character body of an organisation code.
pub fn org_code_check_char(body: &str) -> Option<char> {
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in body.bytes().zip(ORG_WEIGHTS) {
        let v = match b {
            b'0'..=b'9' => (b - b'0') as u32,
            b'A'..=b'Z' => (b - b'A') as u32 + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).expect("single digit"),
    })
}

/// Validates an organisation code written as `XXXXXXXX-C` or `XXXXXXXXC`.
pub fn validate_org_code(code: &str) -> Result<(), String> {
    let compact: String = code.chars().filter(|&c| c != '-').collect();
    if compact.chars().count() != 9 {
        return Err("组织机构代码应为9位（8位本体+1位校验码）".into());
    }
    if !compact.is_ascii() {
        return Err("组织机构代码本体只能含数字和大写字母".into());
    }
    let expected =
        org_code_check_char(&compact[..8]).ok_or("组织机构代码本体只能含数字和大写字母")?;
    if compact.as_bytes()[8] as char != expected {
        return Err(format!("组织机构代码校验位错误，应为“{expected}”"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_id_example_from_the_standard() {
        assert_eq!(citizen_id_check_char("11010519491231002"), Some('X'));
        assert!(validate_citizen_id("11010519491231002X").is_ok());
        assert!(validate_citizen_id("11010519491231002x").is_ok());
        assert!(
            validate_citizen_id("110105194912310021")
                .unwrap_err()
                .contains("校验位")
        );
        assert!(
            validate_citizen_id("110105194902300028")
                .unwrap_err()
                .contains("出生日期")
        );
    }

    #[test]
    fn credit_code_example() {
        assert_eq!(credit_code_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(
            check_credit_code("91350100M000100Y43"),
            Ok(CreditCheck::Valid)
        );
        assert_eq!(
            check_credit_code("91350100M000100Y44"),
            Ok(CreditCheck::CheckDigitMismatch { expected: '3' })
        );
        assert!(check_credit_code("91350100M000100Y4").is_err());
        assert!(
            check_credit_code("91350100M00010OY43")
                .unwrap_err()
                .contains("非法字符")
        );
    }

    #[test]
    fn org_code_example() {
        assert_eq!(org_code_check_char("00251805"), Some('7'));
        assert!(validate_org_code("00251805-7").is_ok());
        assert!(validate_org_code("002518057").is_ok());
        assert!(validate_org_code("00251805-8").is_err());
    }

    /// Found by fuzzing: text whose bytes, not characters, have the code's length.
    #[test]
    fn wide_characters_are_refused_not_cut() {
        assert!(validate_org_code("有条件").unwrap_err().contains("9位"));
        assert!(
            validate_org_code("0025180５7")
                .unwrap_err()
                .contains("数字")
        );
        assert!(
            validate_citizen_id("11010519491231002é")
                .unwrap_err()
                .contains("只能含数字")
        );
        assert!(
            check_credit_code("91350100M000100Y4号")
                .unwrap_err()
                .contains("非法字符“号”")
        );
    }
}
