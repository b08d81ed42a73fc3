//! A consumer's query filters made into SQL conditions: only items the basis allows may
//! be filtered on, and masked items only by equality (a prefix or a range would let a
//! caller read a masked value digit by digit), one value at a time, each such probe
//! counted. Values are typed as the item's stored values are; nothing the caller sends
//! reaches the SQL text but the column of an item it named.

use crate::Result;
use crate::value::{Value, to_value};
use govshare_domain::Error;
use govshare_domain::item::Item;
use govshare_domain::pool::parse_cell;
use serde::{Deserialize, Serialize};

/// Most values in one `in` filter (as many as keys in one batch lookup).
pub const MAX_VALUES: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    In,
    Prefix,
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// The item, by name or column code.
    pub item: String,
    pub op: FilterOp,
    /// One value (`in`: up to 1,000), typed as the item.
    pub values: Vec<String>,
}

/// The conditions of a query: SQL with `?` placeholders, their values, and how many
/// filters test a guessed value of a masked item.
#[derive(Debug, Default)]
pub struct Conditions {
    pub conds: Vec<String>,
    pub params: Vec<Value>,
    pub probes: i64,
}

/// The conditions for `filters` on `items`, of which the basis allows `allowed`
/// (item index, masked).
pub fn conditions(
    items: &[Item],
    allowed: &[(usize, bool)],
    filters: &[Filter],
) -> Result<Conditions> {
    let (mut conds, mut params) = (Vec::new(), Vec::new());
    let mut probes = 0;
    for f in filters {
        let Some(i) = items
            .iter()
            .position(|it| it.name == f.item || it.column.eq_ignore_ascii_case(&f.item))
        else {
            return Err(Error::invalid("filters", format!("该资源没有信息项“{}”", f.item)).into());
        };
        let Some(&(_, masked)) = allowed.iter().find(|(c, _)| *c == i) else {
            return Err(Error::Forbidden(format!(
                "信息项“{}”不在授权范围内，不能作为条件",
                f.item
            ))
            .into());
        };
        // A masked item is tested one guess at a time, as one verification would: a
        // list, a prefix or a range would test many at once.
        if masked {
            if f.op != FilterOp::Eq || f.values.len() != 1 {
                return Err(Error::Forbidden(format!(
                    "脱敏信息项“{}”只能按等于一个值查询",
                    f.item
                ))
                .into());
            }
            probes += 1;
        }
        let wanted = if f.op == FilterOp::In {
            1..=MAX_VALUES
        } else {
            1..=1
        };
        if !wanted.contains(&f.values.len()) {
            return Err(
                Error::invalid("filters", format!("条件“{}”的比较值个数不对", f.item)).into(),
            );
        }
        let col = format!("\"{}\"", items[i].column);
        match f.op {
            FilterOp::In => {
                conds.push(format!(
                    "{col} IN ({})",
                    vec!["?"; f.values.len()].join(", ")
                ));
                for v in &f.values {
                    params.push(typed(&items[i], v)?);
                }
            }
            FilterOp::Prefix => {
                let escaped = f.values[0]
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                conds.push(format!("{col} LIKE ? ESCAPE '\\'"));
                params.push(Value::Text(format!("{escaped}%")));
            }
            op => {
                let sym = match op {
                    FilterOp::Eq => "=",
                    FilterOp::Gt => ">",
                    FilterOp::Gte => ">=",
                    FilterOp::Lt => "<",
                    _ => "<=",
                };
                conds.push(format!("{col} {sym} ?"));
                params.push(typed(&items[i], &f.values[0])?);
            }
        }
    }
    Ok(Conditions {
        conds,
        params,
        probes,
    })
}

/// A typed filter value for an item.
fn typed(item: &Item, v: &str) -> Result<Value> {
    let lenient = Item {
        required: false,
        ..item.clone()
    };
    parse_cell(&lenient, v).map(to_value).map_err(|reason| {
        Error::invalid(
            "filters",
            format!("“{v}”不符合信息项“{}”：{reason}", item.name),
        )
        .into()
    })
}
