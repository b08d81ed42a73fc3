//! A deterministic demo catalog on the scale of the seed city (Chongqing): the
//! bureau, 71 municipal departments, 38 districts and counties, 3,614 resources
//! with about 49,500 information items, 13 thematic catalogs, and search cases
//! (query → expected resource) for judging search quality.

mod attrs;
mod build;
mod classes;
mod data;
mod districts;
pub mod fill;
mod items;
mod judge;
mod model;
mod orgs;
pub mod persons;
mod plan;
mod pools;
mod rng;
mod search;
pub mod seed;
pub mod seed_sharing;
mod texts;
mod themes;
mod types;
mod variants;

#[cfg(test)]
mod tests;

use govshare_domain::classification::ClassNode;
use govshare_domain::org::OrgSpec;
use govshare_domain::resource::CatalogRecord;
use govshare_domain::theme::ThemeSpec;
use serde::Serialize;

/// The generated catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoCatalog {
    /// The bureau first, then the 71 departments, the 38 districts and counties, the
    /// upper platform and the lower platforms.
    pub orgs: Vec<OrgSpec>,
    /// The national 类 and 项, then the 目 and 细目 nodes in use, parents before children.
    pub classes: Vec<ClassNode>,
    /// The 13 thematic catalogs, T01..T13.
    pub themes: Vec<ThemeSpec>,
    /// 3,614 records, each with its code.
    pub resources: Vec<CatalogRecord>,
}

/// The demo catalog; the same on every call.
pub fn catalog() -> DemoCatalog {
    build::build().0
}

/// A query a user would type and the resource that best answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchCase {
    pub query: String,
    pub expected_code: String,
}

/// At least 220 search cases over the demo catalog, each with a query whose words
/// appear in the expected resource's name (or a common abbreviation of it) and that
/// no other resource answers as well.
pub fn search_cases(catalog: &DemoCatalog) -> Vec<SearchCase> {
    search::cases(catalog)
}
