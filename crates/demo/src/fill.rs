//! Rows for any catalog entry's pool, made up from its items' names and types:
//! valid citizen ID numbers and credit codes, Chinese names, addresses, phones,
//! dates, amounts; unique keys; and a chosen share of defective rows.

use crate::rng::Rng;
use govshare_domain::ids::{citizen_id_check_char, credit_code_check_char};
use govshare_domain::item::Item;
use govshare_domain::labels::DataType;
use govshare_domain::region::CHONGQING;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "谭", "冉",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "静", "强", "磊", "军", "洋", "勇", "秀英", "建华", "志强", "晓燕",
];
const FIRMS: &[&str] = &[
    "山城", "渝新", "长江", "嘉陵", "巴渝", "两江", "朝天", "缙云",
];
const TRADES: &[&str] = &[
    "科技",
    "建筑工程",
    "商贸",
    "物流",
    "餐饮管理",
    "医药",
    "农业开发",
];
const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn citizen_id(rng: &mut Rng, i: usize) -> String {
    let (region, _) = CHONGQING[1 + rng.below(CHONGQING.len() - 1)];
    let (y, m, d) = (1940 + rng.below(80), 1 + rng.below(12), 1 + rng.below(28));
    // The sequence part and the day keep IDs unique for up to 1,000 × 28 × 12 × 80 rows.
    let first17 = format!("{region}{y:04}{m:02}{d:02}{:03}", i % 1000);
    format!(
        "{first17}{}",
        citizen_id_check_char(&first17).expect("digits")
    )
}

fn credit_code(i: usize) -> String {
    let mut body = String::new();
    let mut n = i;
    for _ in 0..9 {
        body.insert(0, CREDIT_ALPHABET[n % 31] as char);
        n /= 31;
    }
    let first17 = format!("91500103{body}");
    format!(
        "{first17}{}",
        credit_code_check_char(&first17).expect("alphabet")
    )
}

fn fit(mut s: String, max_bytes: u32) -> String {
    while s.len() > max_bytes as usize {
        s.pop();
    }
    s
}

/// A plausible value of an item for row `i`.
pub fn value_for(item: &Item, i: usize, rng: &mut Rng) -> String {
    let n = item.name.as_str();
    let v = match item.data_type {
        // Dates declared 8 bytes long are written compact (20190301), as such systems store them.
        DataType::Date => {
            let (y, m, d) = (2000 + rng.below(26), 1 + rng.below(12), 1 + rng.below(28));
            if item.length >= 10 {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}{m:02}{d:02}")
            }
        }
        DataType::DateTime => {
            let (y, mo, d) = (2015 + rng.below(11), 1 + rng.below(12), 1 + rng.below(28));
            let (h, mi) = (rng.below(24), rng.below(60));
            if item.length >= 19 {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:00")
            } else {
                format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}00")
            }
        }
        DataType::Integer => (if item.key { i } else { rng.below(10_000) }).to_string(),
        DataType::Number | DataType::Currency | DataType::Double | DataType::Float => {
            format!("{:.2}", rng.unit() * 100_000.0)
        }
        DataType::Boolean => if rng.below(2) == 0 { "是" } else { "否" }.to_string(),
        _ if n.contains("身份号码") || n.contains("身份证") => citizen_id(rng, i),
        _ if n.contains("统一社会信用代码") => credit_code(i),
        _ if n == "性别" => ["1", "2"][rng.below(2)].to_string(),
        _ if n.contains("电话") || n.contains("手机") => format!(
            "1{}{:09}",
            [3, 5, 8][rng.below(3)],
            rng.next_u64() % 1_000_000_000
        ),
        _ if n.contains("区划") => CHONGQING[1 + rng.below(CHONGQING.len() - 1)].0.to_string(),
        _ if n.contains("地址") || n.contains("住所") => format!(
            "重庆市{}{}路{}号",
            CHONGQING[1 + rng.below(CHONGQING.len() - 1)].1,
            FIRMS[rng.below(FIRMS.len())],
            1 + rng.below(500)
        ),
        _ if n.contains("姓名") || n.contains("法定代表人") || n.contains("负责人") => {
            format!(
                "{}{}",
                SURNAMES[rng.below(SURNAMES.len())],
                GIVEN[rng.below(GIVEN.len())]
            )
        }
        _ if n.contains("名称") => format!(
            "重庆{}{}有限公司",
            FIRMS[rng.below(FIRMS.len())],
            TRADES[rng.below(TRADES.len())]
        ),
        _ if item.key => format!(
            "{}{i:08}",
            if n.contains("编号") || n.contains("号") {
                "BH"
            } else {
                "K"
            }
        ),
        _ => format!("{}{}", n, 1 + rng.below(99)),
    };
    fit(v, item.length)
}

/// A header (the item names) and `n` rows for a pool, about `defect_rate` of them
/// broken the way real submissions are (a required cell empty, a value too long,
/// an impossible date, a repeated key).
pub fn sample_rows(
    items: &[Item],
    n: usize,
    defect_rate: f64,
    seed: u64,
) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rng = Rng::new(seed);
    let header = items.iter().map(|i| i.name.clone()).collect();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(n);
    for i in 0..n {
        let mut row: Vec<String> = items
            .iter()
            .map(|item| value_for(item, i, &mut rng))
            .collect();
        if rng.unit() < defect_rate && !items.is_empty() {
            let c = rng.below(items.len());
            match rng.below(3) {
                0 if items[c].required || items[c].key => row[c].clear(),
                1 if items[c].data_type == DataType::Date => row[c] = "2023-02-30".into(),
                _ if i > 0 => row = rows[i - 1].clone(),
                _ => row[c] = "x".repeat(items[c].length as usize + 1),
            }
        }
        rows.push(row);
    }
    (header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_identifiers_valid() {
        let demo = crate::catalog();
        let entry = demo
            .resources
            .iter()
            .find(|r| {
                r.spec
                    .items
                    .iter()
                    .any(|i| i.key && i.name.contains("统一社会信用代码"))
            })
            .unwrap();
        let (header, rows) = sample_rows(&entry.spec.items, 3000, 0.0, 1);
        assert_eq!(header.len(), entry.spec.items.len());
        let k = entry.spec.items.iter().position(|i| i.key).unwrap();
        let keys: std::collections::HashSet<&String> = rows.iter().map(|r| &r[k]).collect();
        assert_eq!(keys.len(), 3000);
        assert!(
            rows.iter()
                .all(|r| govshare_domain::ids::validate_credit_code(&r[k]).is_ok())
        );
        for (c, item) in entry.spec.items.iter().enumerate() {
            assert!(
                rows.iter().all(|r| r[c].len() <= item.length as usize),
                "{}",
                item.name
            );
        }
    }
}
