//! The organisations of the demo: the bureau, the 71 municipal departments, the 38
//! districts and counties, and the platforms above and below, each with a valid
//! unified social credit code (GB 32100) built from an organisation code (GB 11714).

use crate::model::Dept;
use crate::rng::Rng;
use govshare_domain::ids::{credit_code_check_char, org_code_check_char};
use govshare_domain::org::{OrgKind, OrgLevel, OrgSpec};
use govshare_domain::region::CHONGQING;
use std::collections::HashSet;

/// The districts and counties (without the city itself), in list order.
pub fn districts() -> impl Iterator<Item = (&'static str, &'static str)> {
    CHONGQING
        .iter()
        .copied()
        .filter(|(code, _)| *code != "500000")
}

/// The full name of a district's government.
pub fn district_org_name(name: &str) -> String {
    format!("重庆市{name}人民政府")
}

/// Hands out unique credit codes for government bodies ("11" + region + subject id + check).
struct CodeMaker {
    rng: Rng,
    used: HashSet<String>,
}

impl CodeMaker {
    fn next(&mut self, region: &str) -> String {
        loop {
            // The subject identifier is an organisation code: 8 characters and its check.
            let body = if self.rng.chance(0.7) {
                format!("00{:06}", self.rng.below(1_000_000))
            } else {
                format!("MB{}{:05}", 1 + self.rng.below(9), self.rng.below(100_000))
            };
            let org_check = org_code_check_char(&body).expect("valid organisation code body");
            let first17 = format!("11{region}{body}{org_check}");
            let check = credit_code_check_char(&first17).expect("valid credit code body");
            let code = format!("{first17}{check}");
            if self.used.insert(code.clone()) {
                return code;
            }
        }
    }
}

fn spec(
    code: String,
    name: &str,
    short: &str,
    kind: OrgKind,
    level: OrgLevel,
    region: &str,
    parent: Option<&str>,
) -> OrgSpec {
    OrgSpec {
        credit_code: code,
        name: name.to_string(),
        short_name: short.to_string(),
        kind,
        level,
        region_code: region.to_string(),
        parent_code: parent.map(str::to_string),
    }
}

/// All organisations: bureau first, then departments (in table order), districts,
/// the upper platform and the lower platforms. `depts[0]` must be the bureau.
pub fn build(depts: &[Dept]) -> Vec<OrgSpec> {
    let mut codes = CodeMaker {
        rng: Rng::new(0x0C0_5000),
        used: HashSet::new(),
    };
    let mut out = Vec::new();
    for d in depts {
        let kind = if d.bureau {
            OrgKind::Bureau
        } else {
            OrgKind::Department
        };
        out.push(spec(
            codes.next("500000"),
            &d.name,
            &d.short,
            kind,
            OrgLevel::Provincial,
            "500000",
            None,
        ));
    }
    for (code, name) in districts() {
        let org = district_org_name(name);
        out.push(spec(
            codes.next(code),
            &org,
            name,
            OrgKind::District,
            OrgLevel::County,
            code,
            None,
        ));
    }
    out.push(spec(
        codes.next("110000"),
        "国家政务数据共享平台",
        "国家平台",
        OrgKind::UpperPlatform,
        OrgLevel::National,
        "110000",
        None,
    ));
    let bureau = out[0].credit_code.clone();
    for (region, name, short) in [
        ("500103", "渝中区政务数据共享平台", "渝中区平台"),
        ("500107", "九龙坡区政务数据共享平台", "九龙坡区平台"),
    ] {
        out.push(spec(
            codes.next(region),
            name,
            short,
            OrgKind::LowerPlatform,
            OrgLevel::County,
            region,
            Some(&bureau),
        ));
    }
    out
}
