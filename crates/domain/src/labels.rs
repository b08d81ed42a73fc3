//! Coded values of the catalog (sharing type, formats, update cycle, ...). Each has
//! a stable English code used by the JSON API and the Chinese label that the national
//! templates use; parsing accepts either, plus the numeric codes some templates use.

/// Declares an enum of coded values: `Variant = ("code", "中文", ["alias", ...])`.
macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = ($code:literal, $label:literal $(, [$($alias:literal),*])?)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
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
        Unconditional = ("unconditional", "无条件共享", ["1"]),
        Conditional = ("conditional", "有条件共享", ["2"]),
        NotShared = ("not_shared", "不予共享", ["3"]),
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
