//! Search answers and their facets.

use govshare_search as search_index;

use std::collections::BTreeMap;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub code: String,
    pub name: String,
    pub provider: String,
    pub summary: String,
    pub score: f32,
}

impl From<search_index::Hit> for Hit {
    fn from(v: search_index::Hit) -> Self {
        let search_index::Hit {
            code,
            name,
            provider,
            summary,
            score,
        } = v;
        Hit {
            code,
            name,
            provider,
            summary,
            score,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub label: String,
    pub count: u64,
}

impl From<search_index::FacetCount> for FacetCount {
    fn from(v: search_index::FacetCount) -> Self {
        let search_index::FacetCount {
            value,
            label,
            count,
        } = v;
        FacetCount {
            value,
            label,
            count,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub total: usize,
    pub results: Vec<Hit>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

impl From<search_index::SearchResults> for SearchResults {
    fn from(v: search_index::SearchResults) -> Self {
        let search_index::SearchResults {
            total,
            results,
            facets,
        } = v;
        SearchResults {
            total,
            results: results.into_iter().map(Into::into).collect(),
            facets: facets
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().map(Into::into).collect()))
                .collect(),
        }
    }
}
