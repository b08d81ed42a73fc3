//! The API's wire types: every request and response body the OpenAPI document
//! describes, defined here and nowhere else. Each mirrors a domain or store type field
//! for field, with the same JSON, and converts from it (and, for request bodies, into
//! it) by naming every field, so a field added below fails to compile here until the
//! API decides whether to show it. Coded values (`State`, `SharingType`, ...) are
//! newtypes whose schema lists the codes and their Chinese labels.

mod audit;
mod catalog;
mod codes;
mod org;
mod pool;
mod search;
mod sharing;

pub use audit::*;
pub use catalog::*;
pub use codes::*;
pub use org::*;
pub use pool::*;
pub use search::*;
pub use sharing::*;

use chrono::NaiveDate;
use govshare_store::sharing::served::ServedRow;

/// Converts each element (a page of answers into wire types).
pub fn all<D, W: From<D>>(items: Vec<D>) -> Vec<W> {
    items.into_iter().map(W::from).collect()
}

/// A store answer and the wire type it goes out as (for code that handles answers of
/// several kinds alike, such as the audited data calls).
pub trait Wired: Sized {
    type Wire: From<Self> + serde::Serialize;
    /// The visits the answer counted under a grant, which its audit entry must say
    /// (the grant's quota is counted from the log).
    fn visits(&self) -> i64;
}

macro_rules! wired {
    ($($store:path => $wire:ty $({ $visits:ident })?),+ $(,)?) => {$(
        impl Wired for $store {
            type Wire = $wire;
            fn visits(&self) -> i64 {
                wired!(@visits self $($visits)?)
            }
        }
    )+};
    (@visits $self:ident $visits:ident) => { $self.$visits };
    (@visits $self:ident) => { 0 };
}

wired! {
    govshare_store::sharing::reads::SharedRow => SharedRow { visits },
    govshare_store::sharing::reads::Verification => Verification { visits },
    govshare_store::sharing::reads::SharedChanges => SharedChanges { visits },
    govshare_store::sharing::query::SharedRows => SharedRows { visits },
    govshare_store::catalog::files::SharedFiles => SharedFiles,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry of the demo city goes out exactly as its domain value would: same
    /// JSON, field for field (coded values as codes, the code once, flattened spec).
    #[test]
    fn wire_entries_serialize_as_the_domain_values_do() {
        let demo = govshare_demo::catalog();
        assert!(demo.resources.len() > 3000);
        for (i, record) in demo.resources.into_iter().enumerate() {
            let domain = govshare_domain::resource::Resource {
                id: i as i64 + 1,
                code: record.spec.code.clone().unwrap_or_default(),
                spec: record.spec,
                state: record.state,
                version: 3,
                owner_org_id: 7,
                created_at: "2026-12-01T00:00:00.000Z".into(),
                updated_at: "2026-12-02T00:00:00.000Z".into(),
            };
            let expected = serde_json::to_value(&domain).unwrap();
            assert_eq!(
                serde_json::to_value(Resource::from(domain)).unwrap(),
                expected,
                "entry {i}"
            );
        }
    }

    /// A request body read as its wire type and converted is what the domain type
    /// reads from the same JSON, labels and all; and unknown fields are refused alike.
    #[test]
    fn wire_requests_read_as_the_domain_types_do() {
        let demo = govshare_demo::catalog();
        for record in demo.resources.iter().take(500) {
            let mut json = serde_json::to_value(&record.spec).unwrap();
            // A clerk's form: Chinese labels where the API answers with codes.
            json["sharing_type"] = record.spec.sharing_type.label().into();
            json["update_cycle"] = record.spec.update_cycle.label().into();
            let via_wire: govshare_domain::resource::ResourceSpec =
                serde_json::from_value::<ResourceSpec>(json.clone())
                    .unwrap()
                    .into();
            let direct: govshare_domain::resource::ResourceSpec =
                serde_json::from_value(json.clone()).unwrap();
            assert_eq!(via_wire, direct);
            json["extra"] = "?".into();
            assert!(serde_json::from_value::<ResourceSpec>(json.clone()).is_err());
            assert!(
                serde_json::from_value::<govshare_domain::resource::ResourceSpec>(json).is_err()
            );
        }
    }
}
