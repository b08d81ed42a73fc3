//! Default cleansing (清洗) of submitted text before it is typed: trimming,
//! full-width digits and letters to half-width in codes, the common Chinese date
//! forms to ISO, and empty text to null.

use chrono::NaiveDate;

/// Trims, and maps empty text to `None`.
pub fn trim_to_null(text: &str) -> Option<&str> {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}');
    (!t.is_empty()).then_some(t)
}

/// Full-width ASCII (Ａ-Ｚ, ０-９, …) to half-width, for codes and numbers.
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// A date written as eight digits, YYYYMMDD.
pub fn compact_date(digits: &str) -> Option<NaiveDate> {
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits[..4].parse().ok()?,
        digits[4..6].parse().ok()?,
        digits[6..].parse().ok()?,
    )
}

/// Reads the date forms people write: 2019-03-01, 2019/3/1, 2019.3.1, 2019年3月1日,
/// 20190301, and a date-time whose date part is one of these.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    // The ISO form, by far the most common, without any copying.
    let b = text.as_bytes();
    let iso = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if iso {
        return NaiveDate::from_ymd_opt(
            text[..4].parse().ok()?,
            text[5..7].parse().ok()?,
            text[8..].parse().ok()?,
        );
    }
    let t = half_width(text);
    let t = t.trim();
    let date_part = t.split([' ', 'T']).next().unwrap_or(t);
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        return compact_date(date_part);
    }
    let normalized: String = date_part
        .trim_end_matches('日')
        .chars()
        .map(|c| {
            if matches!(c, '/' | '.' | '年' | '月') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let mut parts = normalized.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || y.len() != 4 || ![y, m, d].into_iter().all(digits) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_common_form() {
        let d = NaiveDate::from_ymd_opt(2019, 3, 1);
        for text in [
            "2019-03-01",
            "2019/3/1",
            "2019.3.1",
            "2019年3月1日",
            "20190301",
            "２０１９-０３-０１",
            "2019-03-01 08:30:00",
        ] {
            assert_eq!(parse_date(text), d, "{text}");
        }
        assert_eq!(parse_date("2019-02-30"), None);
        assert_eq!(parse_date("2019-0a-01"), None);
        assert_eq!(parse_date("+019-03-01"), None);
        assert_eq!(compact_date("20190230"), None);
        assert_eq!(parse_date("19-3-1"), None);
        assert_eq!(parse_date("三月一日"), None);
    }

    #[test]
    fn trimming_and_width() {
        assert_eq!(trim_to_null("\u{3000} 张三 "), Some("张三"));
        assert_eq!(trim_to_null("   "), None);
        assert_eq!(half_width("９１５００１０３ＭＡ"), "91500103MA");
    }
}
