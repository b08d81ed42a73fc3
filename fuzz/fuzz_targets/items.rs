//! One item of each data type, for targets that type values as a pool would.

use govshare_domain::item::Item;
use govshare_domain::labels::DataType;

/// Items `c0`, `c1`, … one per data type; the even ones required, the odd ones sensitive.
pub fn one_of_each_type(length: u32) -> Vec<Item> {
    DataType::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| Item {
            name: format!("信息项{i}"),
            column: format!("c{i}"),
            data_type: *t,
            length,
            key: i == 0,
            required: i % 2 == 0,
            sensitive: i % 2 == 1,
        })
        .collect()
}
