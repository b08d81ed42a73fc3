//! Typing a cleansed cell by its item's data type and byte length (UTF-8 bytes, as
//! a database column declared in bytes holds them).

use crate::item::Item;
use crate::labels::DataType;
use crate::pool::cleanse::{half_width, parse_date, trim_to_null};
use chrono::{NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Null,
    Text(String),
    Int(i64),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let t = half_width(text).replace('T', " ");
    let t = t.trim();
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y%m%d%H%M%S",
        "%Y年%m月%d日 %H:%M:%S",
        "%Y年%m月%d日 %H时%M分%S秒",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(dt);
        }
    }
    parse_date(t).and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// Full-width digits (`２０１９－０３－０１`) made half-width; ASCII text as it is.
fn half_width_if_needed(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(half_width(text))
    }
}

fn parse_bool(t: &str) -> Option<bool> {
    match t {
        "是" | "1" | "Y" | "y" | "true" | "TRUE" | "True" | "T" => Some(true),
        "否" | "0" | "N" | "n" | "false" | "FALSE" | "False" | "F" => Some(false),
        _ => None,
    }
}

/// Cleanses and types one submitted cell for an item, or says why it cannot be.
pub fn parse_cell(item: &Item, raw: &str) -> Result<CellValue, String> {
    let Some(text) = trim_to_null(raw) else {
        return if item.required {
            Err("必填项为空".into())
        } else {
            Ok(CellValue::Null)
        };
    };
    let too_long = |len: usize| len > item.length as usize;
    match item.data_type {
        DataType::String | DataType::Memo | DataType::General => {
            if too_long(text.len()) {
                return Err(format!("长度{}字节，超过{}字节", text.len(), item.length));
            }
            Ok(CellValue::Text(text.to_string()))
        }
        DataType::Integer => {
            let t = half_width(text).replace(',', "");
            t.trim()
                .parse::<i64>()
                .map(CellValue::Int)
                .map_err(|_| format!("“{text}”不是整数"))
        }
        DataType::Number | DataType::Currency | DataType::Double | DataType::Float => {
            let t = half_width(text).replace([',', '¥', '￥'], "");
            let v: f64 = t.trim().parse().map_err(|_| format!("“{text}”不是数值"))?;
            if !v.is_finite() {
                return Err(format!("“{text}”不是有限数值"));
            }
            Ok(CellValue::Number(v))
        }
        DataType::Date => parse_date(&half_width_if_needed(text))
            .map(CellValue::Date)
            .ok_or_else(|| format!("“{text}”不是有效日期")),
        DataType::DateTime => parse_datetime(text)
            .map(CellValue::DateTime)
            .ok_or_else(|| format!("“{text}”不是有效日期时间")),
        DataType::Boolean => parse_bool(text)
            .map(CellValue::Bool)
            .ok_or_else(|| format!("“{text}”应为“是”或“否”")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(t: DataType, len: u32, required: bool) -> Item {
        Item {
            name: "x".into(),
            column: "x".into(),
            data_type: t,
            length: len,
            key: false,
            required,
            sensitive: false,
        }
    }

    #[test]
    fn full_width_dates_are_read() {
        assert_eq!(
            parse_cell(&item(DataType::Date, 10, false), "２０１９－０３－０１"),
            Ok(CellValue::Date(
                NaiveDate::from_ymd_opt(2019, 3, 1).unwrap()
            ))
        );
        assert_eq!(
            parse_cell(&item(DataType::Date, 10, false), "２０１９年３月１日"),
            Ok(CellValue::Date(
                NaiveDate::from_ymd_opt(2019, 3, 1).unwrap()
            ))
        );
    }

    #[test]
    fn cells_are_typed_by_their_item() {
        assert_eq!(
            parse_cell(&item(DataType::String, 6, false), " 张三 "),
            Ok(CellValue::Text("张三".into()))
        );
        assert!(
            parse_cell(&item(DataType::String, 5, false), "张三")
                .unwrap_err()
                .contains("超过5字节")
        );
        assert_eq!(
            parse_cell(&item(DataType::Integer, 10, false), "１,234"),
            Ok(CellValue::Int(1234))
        );
        assert_eq!(
            parse_cell(&item(DataType::Currency, 18, false), "￥1,234.50"),
            Ok(CellValue::Number(1234.5))
        );
        assert_eq!(
            parse_cell(&item(DataType::Date, 10, false), "2019年3月1日"),
            Ok(CellValue::Date(
                NaiveDate::from_ymd_opt(2019, 3, 1).unwrap()
            ))
        );
        assert!(matches!(
            parse_cell(&item(DataType::DateTime, 19, false), "2019/03/01 08:30"),
            Ok(CellValue::DateTime(_))
        ));
        assert_eq!(
            parse_cell(&item(DataType::Boolean, 1, false), "是"),
            Ok(CellValue::Bool(true))
        );
        assert_eq!(
            parse_cell(&item(DataType::Integer, 10, false), ""),
            Ok(CellValue::Null)
        );
        assert!(
            parse_cell(&item(DataType::Integer, 10, true), " ")
                .unwrap_err()
                .contains("必填")
        );
        assert!(parse_cell(&item(DataType::Number, 10, false), "NaN").is_err());
        assert!(parse_cell(&item(DataType::Integer, 10, false), "12.5").is_err());
    }
}
