//! The sharing decision: may this consumer read these items of this resource, which
//! of them masked, on what basis. The store turns the decision into the query's
//! projection; nothing is filtered out of results afterwards.
//!
//! - 无条件共享 (unconditional): any government app that registered its use
//!   (purpose and scenario) reads every item; sensitive items are masked.
//! - 有条件共享 (conditional): only under a live grant, only the granted items;
//!   sensitive items masked unless the grant names them unmasked.
//! - 不予共享 (not shared): the owner only.
//!
//! The owner organisation always reads its own data in clear.

use crate::error::{Error, Result};
use crate::item::Item;
use crate::labels::SharingType;
use serde::Serialize;

/// What a consumer holds for a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// The consumer's organisation provides the resource.
    Owner,
    /// A registered use of an unconditional resource.
    Registration { id: i64 },
    /// A live grant of a conditional resource: the items granted (column codes) and
    /// those granted in clear.
    Grant {
        id: i64,
        items: Vec<String>,
        unmasked: Vec<String>,
    },
    /// Nothing: no registration, no live grant.
    Nothing,
}

/// The basis a response is served under, named in every response and audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    Owner,
    Registration { id: i64 },
    Grant { id: i64 },
}

impl Basis {
    /// `owner`, `registration:7`, `grant:12`.
    pub fn label(&self) -> String {
        match self {
            Basis::Owner => "owner".into(),
            Basis::Registration { id } => format!("registration:{id}"),
            Basis::Grant { id } => format!("grant:{id}"),
        }
    }
}

/// The items a consumer may read, in the resource's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub basis: Basis,
    /// (index of the item in the resource, masked?)
    pub columns: Vec<(usize, bool)>,
}

impl Decision {
    pub fn masked_names<'a>(&self, items: &'a [Item]) -> Vec<&'a str> {
        self.columns
            .iter()
            .filter(|(_, m)| *m)
            .map(|(i, _)| items[*i].name.as_str())
            .collect()
    }
}

fn names(items: &[Item], idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| format!("“{}”", items[i].name))
        .collect::<Vec<_>>()
        .join("、")
}

/// Decides a read of `requested` items (names or column codes; `None`: all the
/// consumer may read) of a resource shared as `sharing`.
pub fn decide(
    sharing: SharingType,
    items: &[Item],
    standing: &Standing,
    requested: Option<&[String]>,
) -> Result<Decision> {
    let find = |name: &str| {
        items
            .iter()
            .position(|i| i.name == name || i.column.eq_ignore_ascii_case(name))
    };
    let wanted: Option<Vec<usize>> = match requested {
        None => None,
        Some(list) => {
            let mut idx = Vec::new();
            for name in list {
                match find(name) {
                    Some(i) if !idx.contains(&i) => idx.push(i),
                    Some(_) => {}
                    None => {
                        return Err(Error::invalid("items", format!("该资源没有信息项“{name}”")));
                    }
                }
            }
            idx.sort_unstable();
            Some(idx)
        }
    };
    let all: Vec<usize> = (0..items.len()).collect();
    let (basis, allowed, clear): (Basis, Vec<usize>, Vec<usize>) = match (sharing, standing) {
        (_, Standing::Owner) => (Basis::Owner, all.clone(), all.clone()),
        (SharingType::NotShared, _) => {
            return Err(Error::Forbidden("该资源不予共享，仅提供方可以使用".into()));
        }
        (SharingType::Unconditional, Standing::Registration { id }) => {
            let clear = all
                .iter()
                .copied()
                .filter(|&i| !items[i].sensitive)
                .collect();
            (Basis::Registration { id: *id }, all.clone(), clear)
        }
        (SharingType::Unconditional, _) => {
            return Err(Error::Forbidden(
                "无条件共享资源须先登记使用用途和场景".into(),
            ));
        }
        (
            SharingType::Conditional,
            Standing::Grant {
                id,
                items: granted,
                unmasked,
            },
        ) => {
            let of = |list: &[String]| -> Vec<usize> {
                all.iter()
                    .copied()
                    .filter(|&i| {
                        list.iter()
                            .any(|c| c.eq_ignore_ascii_case(&items[i].column))
                    })
                    .collect()
            };
            let allowed = of(granted);
            let clear = allowed
                .iter()
                .copied()
                .filter(|&i| !items[i].sensitive || of(unmasked).contains(&i))
                .collect();
            (Basis::Grant { id: *id }, allowed, clear)
        }
        (SharingType::Conditional, _) => {
            return Err(Error::Forbidden(
                "有条件共享资源须经提供方审核授权后使用".into(),
            ));
        }
    };
    let chosen = match wanted {
        None => allowed.clone(),
        Some(w) => {
            let outside: Vec<usize> = w.iter().copied().filter(|i| !allowed.contains(i)).collect();
            if !outside.is_empty() {
                return Err(Error::Forbidden(format!(
                    "信息项{}不在授权范围内",
                    names(items, &outside)
                )));
            }
            w
        }
    };
    Ok(Decision {
        basis,
        columns: chosen
            .into_iter()
            .map(|i| (i, !clear.contains(&i)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::DataType;

    fn items() -> Vec<Item> {
        let item = |name: &str, column: &str, key: bool, sensitive: bool| Item {
            name: name.into(),
            column: column.into(),
            data_type: DataType::String,
            length: 50,
            key,
            required: key,
            sensitive,
        };
        vec![
            item("公民身份号码", "gmsfhm", true, true),
            item("姓名", "xm", false, false),
            item("联系电话", "lxdh", false, true),
        ]
    }

    fn grant(items: &[&str], unmasked: &[&str]) -> Standing {
        Standing::Grant {
            id: 9,
            items: items.iter().map(|s| s.to_string()).collect(),
            unmasked: unmasked.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn each_sharing_type_needs_its_basis() {
        let it = items();
        use SharingType::*;
        let reg = Standing::Registration { id: 3 };
        let d = decide(Unconditional, &it, &reg, None).unwrap();
        assert_eq!(d.basis, Basis::Registration { id: 3 });
        assert_eq!(d.columns, [(0, true), (1, false), (2, true)]);
        assert!(decide(Unconditional, &it, &Standing::Nothing, None).is_err());
        assert!(decide(Conditional, &it, &reg, None).is_err());
        assert!(decide(NotShared, &it, &reg, None).is_err());
        assert!(decide(NotShared, &it, &grant(&["xm"], &[]), None).is_err());
        let own = decide(NotShared, &it, &Standing::Owner, None).unwrap();
        assert_eq!(own.columns, [(0, false), (1, false), (2, false)]);
    }

    #[test]
    fn grants_limit_items_and_unmask_only_what_they_name() {
        let it = items();
        let g = grant(&["gmsfhm", "xm"], &["gmsfhm"]);
        let d = decide(SharingType::Conditional, &it, &g, None).unwrap();
        assert_eq!(d.basis, Basis::Grant { id: 9 });
        assert_eq!(d.columns, [(0, false), (1, false)]);
        let only = decide(SharingType::Conditional, &it, &g, Some(&["姓名".into()])).unwrap();
        assert_eq!(only.columns, [(1, false)]);
        let err = decide(
            SharingType::Conditional,
            &it,
            &g,
            Some(&["联系电话".into()]),
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Forbidden(m) if m.contains("联系电话")),
            "{err:?}"
        );
        let unknown =
            decide(SharingType::Conditional, &it, &g, Some(&["籍贯".into()])).unwrap_err();
        assert!(matches!(unknown, Error::Invalid(_)));
        let masked = decide(
            SharingType::Conditional,
            &it,
            &grant(&["gmsfhm"], &[]),
            None,
        )
        .unwrap();
        assert_eq!(masked.masked_names(&it), ["公民身份号码"]);
    }
}
