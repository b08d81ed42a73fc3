//! Rows for any catalog entry's pool, made up from its items' names and types:
//! valid citizen ID numbers and credit codes, Chinese names, addresses, phones,
//! dates, amounts; unique keys; and a chosen share of defective rows.

use crate::rng::Rng;
use govshare_domain::ids::{citizen_id_check_char, credit_code_check_char};
use govshare_domain::item::Item;
use govshare_domain::labels::DataType;
use govshare_domain::pool::Check;
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

/// The districts and counties IDs are drawn from (the city itself is not one).
const DISTRICTS: u64 = CHONGQING.len() as u64 - 1;
/// Distinct citizen IDs: districts × birth years × months × days × sequence numbers.
const ID_SPACE: u64 = DISTRICTS * 80 * 12 * 28 * 1000;
/// Most persons the demo makes (the seed's natural-person base holds 44.02 million).
pub const MAX_PERSONS: usize = 44_020_000;

/// The citizen ID of row `i`: row numbers are spread over the ID space by a bijection
/// (a multiplier prime to the space), so IDs are unique for up to a billion rows yet
/// look random in region and birth date.
pub fn citizen_id(i: usize) -> String {
    let mut j = ((i as u128 * 1_000_000_007 + 12_345) % u128::from(ID_SPACE)) as u64;
    let mut digit = |radix: u64| {
        let d = j % radix;
        j /= radix;
        d as usize
    };
    let (seq, d, m, y) = (digit(1000), 1 + digit(28), 1 + digit(12), 1940 + digit(80));
    let (region, _) = CHONGQING[1 + digit(DISTRICTS)];
    let first17 = format!("{region}{y:04}{m:02}{d:02}{seq:03}");
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
    // Coded items (民族, 婚姻状况, 户口类别) hold a code of their list, mostly its
    // first (汉族, 未婚, 家庭户口).
    let lists = govshare_domain::pool::infer_checks(n);
    if let Some((list, _)) = lists
        .iter()
        .filter(|c| **c != Check::Gender)
        .find_map(|c| c.code_list())
        && item.data_type == DataType::String
    {
        let pick = if rng.below(10) < 8 {
            0
        } else {
            rng.below(list.len())
        };
        return fit(list[pick].code.to_string(), item.length);
    }
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
        _ if n.contains("身份号码") || n.contains("身份证") => citizen_id(i),
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

/// Generated rows, made one at a time (a population of tens of millions never sits in
/// memory).
pub type GeneratedRows = Box<dyn Iterator<Item = Vec<String>> + Send>;

/// A header (the item names) and `n` rows for a pool, about `defect_rate` of them
/// broken the way real submissions are (a required cell empty, a value too long,
/// an impossible date, a repeated key).
pub fn sample_rows(
    items: &[Item],
    n: usize,
    defect_rate: f64,
    seed: u64,
) -> (Vec<String>, GeneratedRows) {
    let mut rng = Rng::new(seed);
    let header = items.iter().map(|i| i.name.clone()).collect();
    let items = items.to_vec();
    let mut previous: Option<Vec<String>> = None;
    let rows = (0..n).map(move |i| {
        let mut row: Vec<String> = items
            .iter()
            .map(|item| value_for(item, i, &mut rng))
            .collect();
        if rng.unit() < defect_rate && !items.is_empty() {
            let c = rng.below(items.len());
            match (rng.below(3), &previous) {
                (0, _) if items[c].required || items[c].key => row[c].clear(),
                (1, _) if items[c].data_type == DataType::Date => row[c] = "2023-02-30".into(),
                (_, Some(p)) => row = p.clone(),
                _ => row[c] = "x".repeat(items[c].length as usize + 1),
            }
        }
        previous = Some(row.clone());
        row
    });
    (header, Box::new(rows))
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
        let rows: Vec<Vec<String>> = rows.collect();
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

    #[test]
    fn citizen_ids_stay_unique_and_valid_at_population_scale() {
        // The bijection makes every row number its own ID; a sample of a
        // 44-million population, spread over it, checks digits and uniqueness.
        let ids: std::collections::HashSet<String> = (0..MAX_PERSONS)
            .step_by(97)
            .chain(0..50_000)
            .map(citizen_id)
            .collect();
        assert_eq!(
            ids.len(),
            MAX_PERSONS.div_ceil(97) + 50_000 - 50_000usize.div_ceil(97)
        );
        assert!(
            ids.iter()
                .all(|id| govshare_domain::ids::validate_citizen_id(id).is_ok())
        );
        // Spread over the districts, not one after another.
        let regions: std::collections::HashSet<&str> =
            ids.iter().take(2000).map(|id| &id[..6]).collect();
        assert!(regions.len() > 30, "{}", regions.len());
    }
}
