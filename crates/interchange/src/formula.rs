//! Cells that a spreadsheet would run as a formula (CSV injection). A text that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a
//! leading apostrophe, as OWASP advises, so that Excel or WPS shows it as text; on
//! the way back in the apostrophe is taken off again, so that a file exported and
//! imported keeps every value as it was. Numbers such as `-12.5` are left alone.

use std::borrow::Cow;

fn is_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A plain decimal number (which no spreadsheet runs): `-12`, `+3.5`.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty()
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().any(|c| c.is_ascii_digit())
}

/// Would a spreadsheet take this (after any apostrophes) as a formula?
fn needs_guard(s: &str) -> bool {
    let rest = s.trim_start_matches('\'');
    rest.starts_with(is_trigger) && !is_number(rest)
}

/// The cell as written to a CSV or XLSX export.
pub fn guard(s: &str) -> Cow<'_, str> {
    if needs_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The value of a cell read back from a file: `guard` undone.
pub fn unguard(s: &str) -> Cow<'_, str> {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => Cow::Owned(rest.to_string()),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_every_value_comes_back() {
        assert_eq!(
            guard("=HYPERLINK(\"http://evil.example/\",\"点击\")"),
            "'=HYPERLINK(\"http://evil.example/\",\"点击\")"
        );
        assert_eq!(guard("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard("\t=1"), "'\t=1");
        assert_eq!(guard("-12.5"), "-12.5");
        assert_eq!(guard("重庆市公安局"), "重庆市公安局");
        for v in [
            "=1+2",
            "+cmd",
            "-2+3+cmd|' /C calc'!A0",
            "@x",
            "\rx",
            "'=x",
            "''=x",
            "'abc",
            "-5",
            "'-5",
            "plain",
            "",
            "'",
            "-",
            "=",
        ] {
            assert_eq!(unguard(&guard(v)), v, "{v:?}");
            let g = guard(v);
            assert!(!g.starts_with(is_trigger) || is_number(&g), "{v:?} → {g:?}");
        }
    }
}
