//! Generated natural-person records for population pools and benchmarks: valid
//! citizen ID numbers (Chongqing region codes, real birth dates, sex from the
//! sequence, correct check character), names, addresses and phones, with a chosen
//! share of the defects real submissions carry.

use crate::rng::Rng;
use govshare_domain::ids::citizen_id_check_char;
use govshare_domain::region::CHONGQING;
use std::io::Write;

/// The CSV header, as the population pool's item names.
pub const PERSON_HEADER: &str = "公民身份号码,姓名,性别,出生日期,户籍地址,联系电话,户籍区划";

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "罗", "谭", "冉", "向", "秦", "袁", "邓",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "桂兰", "建华", "志强", "晓燕", "小红", "国庆", "德明", "春梅", "玉兰",
];
const STREETS: &[&str] = &[
    "解放碑街道",
    "朝天门街道",
    "观音桥街道",
    "杨家坪街道",
    "南坪街道",
    "沙坪坝街道",
    "天生街道",
    "龙溪街道",
    "鱼洞街道",
    "两路街道",
];

/// Which defect a row carries, about `defect_rate` of rows carrying one.
fn defect(rng: &mut Rng, defect_rate: f64) -> u8 {
    if rng.unit() >= defect_rate {
        0
    } else {
        1 + rng.below(5) as u8
    }
}

/// Writes `n` person rows (after the header) as CSV. Defects: a wrong check character,
/// an impossible birth date, a missing name, a repeated ID number, an address too long.
pub fn write_person_csv(
    out: &mut impl Write,
    n: usize,
    defect_rate: f64,
    seed: u64,
) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    writeln!(out, "{PERSON_HEADER}")?;
    let divisions = &CHONGQING[1..];
    let mut previous_id = String::new();
    for i in 0..n {
        let (region, district) = divisions[rng.below(divisions.len())];
        let year = 1940 + rng.below(81) as i32;
        let month = 1 + rng.below(12) as u32;
        let day = 1 + rng.below(28) as u32;
        let seq = (i % 1000) as u32;
        let first17 = format!("{region}{year:04}{month:02}{day:02}{seq:03}");
        let mut id = format!(
            "{first17}{}",
            citizen_id_check_char(&first17).expect("17 digits")
        );
        let sex = if seq % 2 == 1 { "1" } else { "2" };
        let mut name = format!(
            "{}{}",
            SURNAMES[rng.below(SURNAMES.len())],
            GIVEN[rng.below(GIVEN.len())]
        );
        let mut birth = format!("{year:04}-{month:02}-{day:02}");
        let mut address = format!(
            "重庆市{district}{}{}号",
            STREETS[rng.below(STREETS.len())],
            1 + rng.below(300)
        );
        match defect(&mut rng, defect_rate) {
            1 => {
                let last = id.pop().unwrap_or('0');
                id.push(if last == '0' { '1' } else { '0' });
            }
            2 => birth = format!("{year:04}-02-30"),
            3 => name.clear(),
            4 if !previous_id.is_empty() => id = previous_id.clone(),
            5 => address = address.repeat(10),
            _ => {}
        }
        let phone = format!(
            "1{}{:09}",
            [3, 5, 7, 8, 9][rng.below(5)],
            rng.next_u64() % 1_000_000_000
        );
        writeln!(out, "{id},{name},{sex},{birth},{address},{phone},{region}")?;
        previous_id = id;
    }
    Ok(())
}

/// The items of a population pool matching `write_person_csv`.
pub fn person_items() -> Vec<govshare_domain::item::Item> {
    use govshare_domain::labels::DataType::*;
    let item = |name: &str, data_type, length, key, required| govshare_domain::item::Item {
        name: name.into(),
        column: std::string::String::new(),
        data_type,
        length,
        key,
        required,
        sensitive: govshare_domain::item::looks_sensitive(name),
    };
    vec![
        item("公民身份号码", String, 18, true, true),
        item("姓名", String, 50, false, true),
        item("性别", String, 1, false, false),
        item("出生日期", Date, 10, false, false),
        item("户籍地址", String, 200, false, false),
        item("联系电话", String, 20, false, false),
        item("户籍区划", String, 6, false, false),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_rows_pass_the_checks_and_defects_fail_them() {
        let mut buf = Vec::new();
        write_person_csv(&mut buf, 2000, 0.0, 7).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let ids: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(ids.len(), 2000);
        assert!(
            ids.iter()
                .all(|id| govshare_domain::ids::validate_citizen_id(id).is_ok())
        );
        let mut buf = Vec::new();
        write_person_csv(&mut buf, 10_000, 0.02, 7).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let bad = text.lines().skip(1).filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            govshare_domain::ids::validate_citizen_id(f[0]).is_err()
                || f[1].is_empty()
                || f[3].ends_with("02-30")
                || f[4].len() > 200
        });
        let n = bad.count();
        assert!((100..=260).contains(&n), "{n} defective rows of 10,000");
    }
}
