//! What a consumer or a visitor sends to ask for rows or entries: a query's JSON body
//! (filters on items, typed and allowed as the basis says) and the catalog list's query
//! string, each made into SQL conditions. Nothing sent may reach the SQL text but a
//! placeholder or the column of an item that exists.
#![no_main]

use govshare_domain::access::Visibility;
use govshare_store::catalog::resources::{ResourceFilter, where_clause};
use govshare_store::sharing::filters::conditions;
use govshare_store::sharing::query::QuerySpec;
use libfuzzer_sys::fuzz_target;

#[path = "items.rs"]
mod items;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    if pick % 2 == 0 {
        let Ok(spec) = serde_json::from_slice::<QuerySpec>(bytes) else {
            return;
        };
        let items = items::one_of_each_type(32);
        // The basis allows every item but the last, masking the odd ones.
        let allowed: Vec<(usize, bool)> = (0..items.len() - 1).map(|i| (i, i % 2 == 1)).collect();
        if let Ok(c) = conditions(&items, &allowed, &spec.filters) {
            let placeholders: usize = c.conds.iter().map(|s| s.matches('?').count()).sum();
            assert_eq!(placeholders, c.params.len());
            for cond in &c.conds {
                let column = cond.split('"').nth(1).unwrap_or_default();
                assert!(
                    items[..items.len() - 1]
                        .iter()
                        .any(|it| it.column == column),
                    "{cond}"
                );
            }
        }
    } else {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return;
        };
        let Ok(filter) = serde_urlencoded::from_str::<ResourceFilter>(text) else {
            return;
        };
        for v in [
            Visibility::All,
            Visibility::PublishedAndOwn(7),
            Visibility::PublicOpen,
        ] {
            if let Ok((sql, params)) = where_clause(&filter, v) {
                assert_eq!(sql.matches('?').count(), params.len(), "{sql}");
            }
        }
    }
});
