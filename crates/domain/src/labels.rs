//! Coded values of the catalog (sharing type, formats, update cycle, ...). Each has
//! a stable English code used by the JSON API and the Chinese label that the national
//! templates use; parsing accepts either, plus the numeric codes some templates use.

/// Declares an enum of coded values: `Variant = ("code", "中文", ["alias", ...])`.
macro_rules! coded_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($variant:ident = ($code:literal, $label:literal $(, [$($alias:literal),*])?)),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in JSON.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label used in spreadsheets and pages.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Accepts the code, the Chinese label or a known alias (trimmed).
            pub fn parse(text: &str) -> Option<Self> {
                let t = text.trim();
                $(
                    if t.eq_ignore_ascii_case($code) || t == $label $($(|| t == $alias)*)? {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// All accepted Chinese labels, for error messages.
            pub fn labels() -> String {
                Self::ALL.iter().map(|v| v.label()).collect::<Vec<_>>().join("、")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl $crate::labels::Coded for $name {
            const DOC_LINES: &'static [&'static str] = &[$($doc),*];
            fn all() -> &'static [Self] {
                $name::ALL
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom(format!(
                    "“{}”不是有效的{}，可选：{}", s, stringify!($name), $name::labels()
                )))
            }
        }
    };
}

pub(crate) use coded_enum;

/// What every coded value offers (for those that describe them all alike, such as the
/// API document).
pub trait Coded: Copy + 'static {
    /// The doc comment of the type, line by line.
    const DOC_LINES: &'static [&'static str];
    fn all() -> &'static [Self];
    /// The stable code used in JSON.
    fn code(self) -> &'static str;
    /// The Chinese label.
    fn label(self) -> &'static str;
}

coded_enum! {
    /// 数据类型 of an information item, by the single-letter code of the national guide.
    DataType {
        String = ("C", "字符型", ["string"]),
        Number = ("N", "数值型", ["number"]),
        Currency = ("Y", "货币型", ["currency"]),
        Date = ("D", "日期型", ["date"]),
        DateTime = ("T", "日期时间型", ["datetime"]),
        Boolean = ("L", "逻辑型", ["boolean"]),
        Memo = ("M", "备注型", ["memo"]),
        General = ("G", "通用型", ["general", "binary"]),
        Double = ("B", "双精度型", ["double"]),
        Integer = ("I", "整型", ["integer"]),
        Float = ("F", "浮点型", ["float"]),
    }
}

coded_enum! {
    /// 信息资源格式 category.
    FormatCategory {
        ElectronicFile = ("electronic_file", "电子文件"),
        Spreadsheet = ("spreadsheet", "电子表格"),
        Database = ("database", "数据库"),
        Image = ("image", "图形图像"),
        Streaming = ("streaming", "流媒体"),
        SelfDescribed = ("self_described", "自描述格式"),
        Service = ("service", "服务接口"),
        Other = ("other", "其他"),
    }
}

coded_enum! {
    /// 共享类型.
    SharingType {
        Unconditional = ("unconditional", "无条件共享", ["1", "无条件", "无条件共享类"]),
        Conditional = ("conditional", "有条件共享", ["2", "有条件", "有条件共享类"]),
        NotShared = ("not_shared", "不予共享", ["3", "不共享", "不予共享类"]),
    }
}

coded_enum! {
    /// 共享方式: the platform's three (table, API, file) and the off-platform two.
    SharingMethod {
        Table = ("table", "库表", ["数据库", "数据库(库表)", "数据库（库表）", "共享平台方式/库表"]),
        Api = ("api", "接口", ["服务", "接口(服务)", "接口（服务）", "共享平台方式/接口"]),
        File = ("file", "文件", ["共享平台方式/文件"]),
        Mail = ("mail", "邮件方式", ["邮件"]),
        Media = ("media", "介质方式", ["介质"]),
    }
}

coded_enum! {
    /// 开放属性.
    OpenType {
        Open = ("open", "无条件开放", ["1"]),
        Conditional = ("conditional", "有条件开放", ["2"]),
        Closed = ("closed", "不予开放", ["3"]),
    }
}

coded_enum! {
    /// 更新周期.
    UpdateCycle {
        Realtime = ("realtime", "实时"),
        Daily = ("daily", "每日"),
        Weekly = ("weekly", "每周"),
        Monthly = ("monthly", "每月"),
        Quarterly = ("quarterly", "每季度"),
        HalfYearly = ("half_yearly", "每半年"),
        Yearly = ("yearly", "每年"),
        Irregular = ("irregular", "不定期"),
    }
}

impl DataType {
    /// A declared type in any form a department writes: the guide's name or letter
    /// (`字符型`, `C`), or a database's column type (`VARCHAR2(18)`, `NUMBER(10,2)`,
    /// `DATE`, `TIMESTAMP`). A database type gives its length when it has one.
    pub fn parse_declared(text: &str) -> Option<(DataType, Option<u32>)> {
        if let Some(t) = DataType::parse(text) {
            return Some((t, None));
        }
        let t = text
            .trim()
            .to_ascii_uppercase()
            .replace('（', "(")
            .replace('）', ")")
            .replace('，', ",");
        let (name, args) = match t.split_once('(') {
            Some((name, rest)) => (name.trim().to_string(), Some(rest.trim_end_matches(')'))),
            None => (t.trim().to_string(), None),
        };
        let nums: Vec<u32> = match args {
            Some(a) => a
                .split(',')
                .map(|n| n.trim().parse().ok())
                .collect::<Option<Vec<u32>>>()?,
            None => vec![],
        };
        let (precision, scale) = (nums.first().copied(), nums.get(1).copied().unwrap_or(0));
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        let t = match name.as_str() {
            "VARCHAR2" | "VARCHAR" | "NVARCHAR2" | "NVARCHAR" | "CHAR" | "NCHAR" | "CHARACTER"
            | "CHARACTER VARYING" | "STRING" | "BPCHAR" => DataType::String,
            "TEXT" | "CLOB" | "NCLOB" | "LONGTEXT" | "MEDIUMTEXT" | "LONG" => {
                if precision.is_some() {
                    DataType::String
                } else {
                    DataType::Memo
                }
            }
            "NUMBER" | "DECIMAL" | "NUMERIC" | "DEC" => match precision {
                Some(p) if scale == 0 && p <= 18 => DataType::Integer,
                _ => DataType::Number,
            },
            "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT" | "MEDIUMINT" | "INT2"
            | "INT4" | "INT8" | "SERIAL" | "BIGSERIAL" => DataType::Integer,
            "FLOAT" | "REAL" | "FLOAT4" | "BINARY_FLOAT" => DataType::Float,
            "DOUBLE" | "DOUBLE PRECISION" | "FLOAT8" | "BINARY_DOUBLE" => DataType::Double,
            "MONEY" => DataType::Currency,
            "DATE" => DataType::Date,
            "DATETIME"
            | "TIMESTAMP"
            | "TIMESTAMPTZ"
            | "TIMESTAMP WITH TIME ZONE"
            | "TIMESTAMP WITHOUT TIME ZONE"
            | "SMALLDATETIME" => DataType::DateTime,
            "BOOLEAN" | "BOOL" | "BIT" => DataType::Boolean,
            "BLOB" | "BYTEA" | "RAW" | "LONG RAW" | "BINARY" | "VARBINARY" | "IMAGE" => {
                DataType::General
            }
            _ => return None,
        };
        // A length the type states, in the guide's terms: characters or digits as
        // declared; dates, times and flags by their written form.
        let length = match t {
            DataType::Date => Some(10),
            DataType::DateTime => Some(19),
            DataType::Boolean => Some(1),
            DataType::Integer | DataType::Number | DataType::Currency => {
                precision.map(|p| p + u32::from(scale > 0) + 1).or(Some(20))
            }
            DataType::Float | DataType::Double => Some(crate::item::max_length(t)),
            _ => precision,
        };
        Some((t, length))
    }
}

impl FormatCategory {
    /// Formats whose data is structured rows that a data pool can hold.
    pub fn is_structured(self) -> bool {
        matches!(
            self,
            FormatCategory::Database | FormatCategory::Spreadsheet | FormatCategory::Service
        )
    }

    /// Formats that can only be shared as files.
    pub fn is_file_like(self) -> bool {
        matches!(
            self,
            FormatCategory::ElectronicFile | FormatCategory::Image | FormatCategory::Streaming
        )
    }
}

impl SharingMethod {
    /// The method's category (共享方式分类).
    pub fn category_label(self) -> &'static str {
        match self {
            SharingMethod::Table | SharingMethod::Api | SharingMethod::File => "共享平台方式",
            SharingMethod::Mail => "邮件方式",
            SharingMethod::Media => "介质方式",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_labels_and_aliases() {
        assert_eq!(SharingType::parse("2"), Some(SharingType::Conditional));
        assert_eq!(
            SharingType::parse(" 不予共享 "),
            Some(SharingType::NotShared)
        );
        assert_eq!(DataType::parse("c"), Some(DataType::String));
        assert_eq!(DataType::parse("日期时间型"), Some(DataType::DateTime));
        assert_eq!(
            SharingMethod::parse("接口（服务）"),
            Some(SharingMethod::Api)
        );
        assert_eq!(UpdateCycle::parse("每半年"), Some(UpdateCycle::HalfYearly));
        assert_eq!(DataType::parse("X"), None);
        assert_eq!(
            SharingType::parse("无条件"),
            Some(SharingType::Unconditional)
        );
        assert_eq!(SharingType::parse("有条件"), Some(SharingType::Conditional));
        assert_eq!(SharingType::parse("不共享"), Some(SharingType::NotShared));
    }

    #[test]
    fn database_column_types_are_read_with_their_length() {
        let d = DataType::parse_declared;
        assert_eq!(d("字符型"), Some((DataType::String, None)));
        assert_eq!(d("c"), Some((DataType::String, None)));
        assert_eq!(d("VARCHAR2(18)"), Some((DataType::String, Some(18))));
        assert_eq!(d(" varchar2 ( 18 ) "), Some((DataType::String, Some(18))));
        assert_eq!(d("NVARCHAR2（50）"), Some((DataType::String, Some(50))));
        assert_eq!(d("CHAR(1)"), Some((DataType::String, Some(1))));
        assert_eq!(d("NUMBER(10,2)"), Some((DataType::Number, Some(12))));
        assert_eq!(d("NUMBER(10)"), Some((DataType::Integer, Some(11))));
        assert_eq!(d("NUMBER"), Some((DataType::Number, Some(20))));
        assert_eq!(d("DECIMAL(18,4)"), Some((DataType::Number, Some(20))));
        assert_eq!(d("INTEGER"), Some((DataType::Integer, Some(20))));
        assert_eq!(d("DATE"), Some((DataType::Date, Some(10))));
        assert_eq!(d("TIMESTAMP(6)"), Some((DataType::DateTime, Some(19))));
        assert_eq!(
            d("timestamp with time zone"),
            Some((DataType::DateTime, Some(19)))
        );
        assert_eq!(d("CLOB"), Some((DataType::Memo, None)));
        assert_eq!(d("BLOB"), Some((DataType::General, None)));
        assert_eq!(d("VARCHAR2(abc)"), None);
        assert_eq!(d("GEOMETRY"), None);
    }

    #[test]
    fn json_uses_codes_and_rejects_unknown_values_with_choices() {
        assert_eq!(serde_json::to_string(&DataType::Integer).unwrap(), "\"I\"");
        let back: OpenType = serde_json::from_str("\"有条件开放\"").unwrap();
        assert_eq!(back, OpenType::Conditional);
        let err = serde_json::from_str::<UpdateCycle>("\"hourly\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("每季度"), "{err}");
    }
}
