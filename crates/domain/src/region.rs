//! 行政区划代码 (GB/T 2260): six digits, province + prefecture + county. The seed
//! city is Chongqing; its 38 districts and counties are known by name.

/// Province-level prefixes of GB/T 2260 (including Hong Kong, Macao and Taiwan).
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// Chongqing (500000) and its districts and counties, from the reference list.
pub const CHONGQING: &[(&str, &str)] = &[
    ("500000", "重庆市"),
    ("500101", "万州区"),
    ("500102", "涪陵区"),
    ("500103", "渝中区"),
    ("500104", "大渡口区"),
    ("500105", "江北区"),
    ("500106", "沙坪坝区"),
    ("500107", "九龙坡区"),
    ("500108", "南岸区"),
    ("500109", "北碚区"),
    ("500110", "綦江区"),
    ("500111", "大足区"),
    ("500112", "渝北区"),
    ("500113", "巴南区"),
    ("500114", "黔江区"),
    ("500115", "长寿区"),
    ("500116", "江津区"),
    ("500117", "合川区"),
    ("500118", "永川区"),
    ("500119", "南川区"),
    ("500120", "璧山区"),
    ("500151", "铜梁区"),
    ("500152", "潼南区"),
    ("500153", "荣昌区"),
    ("500154", "开州区"),
    ("500155", "梁平区"),
    ("500156", "武隆区"),
    ("500229", "城口县"),
    ("500230", "丰都县"),
    ("500231", "垫江县"),
    ("500233", "忠县"),
    ("500235", "云阳县"),
    ("500236", "奉节县"),
    ("500237", "巫山县"),
    ("500238", "巫溪县"),
    ("500240", "石柱土家族自治县"),
    ("500241", "秀山土家族苗族自治县"),
    ("500242", "酉阳土家族苗族自治县"),
    ("500243", "彭水苗族土家族自治县"),
];

/// Checks a region code: six digits under a known province; inside Chongqing it
/// must be one of the listed divisions.
pub fn validate_region_code(code: &str) -> Result<(), String> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("行政区划代码“{code}”应为6位数字"));
    }
    if !PROVINCES.contains(&&code[..2]) {
        return Err(format!(
            "行政区划代码“{code}”的省级部分“{}”不存在",
            &code[..2]
        ));
    }
    if code.starts_with("50") && !CHONGQING.iter().any(|(c, _)| *c == code) {
        return Err(format!("“{code}”不是重庆市的区县代码"));
    }
    Ok(())
}

/// The name of a Chongqing division, if listed.
pub fn chongqing_name(code: &str) -> Option<&'static str> {
    CHONGQING.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes() {
        assert!(validate_region_code("500103").is_ok());
        assert!(validate_region_code("110105").is_ok());
        assert!(validate_region_code("500199").is_err());
        assert!(validate_region_code("990000").is_err());
        assert!(validate_region_code("5001").is_err());
        assert_eq!(CHONGQING.len(), 39);
        assert_eq!(chongqing_name("500243"), Some("彭水苗族土家族自治县"));
    }
}
