//! Turning a user's query into a tantivy query (jieba tokens over boosted fields,
//! most of them required), applying filters and visibility, and collecting hits,
//! the total and facet counts in one pass.

use crate::doc::first_text;
use crate::{Result, SearchError, SearchIndex, analyzer};
use govshare_domain::access::Visibility;
use serde::Serialize;
use std::collections::BTreeMap;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{TantivyDocument, Term};

/// The facets offered, by their field names.
pub const FACETS: &[&str] = &[
    "provider_code",
    "class",
    "theme",
    "sharing_type",
    "open_type",
    "format_category",
    "update_cycle",
];

const MAX_QUERY_CHARS: usize = 200;
const MAX_TOKENS: usize = 32;

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    /// Facet field → required value.
    pub filters: Vec<(String, String)>,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub code: String,
    pub name: String,
    pub provider: String,
    pub summary: String,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub results: Vec<Hit>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

/// The distinct tokens of a query that carry meaning (no punctuation or spaces).
pub fn tokens(q: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(q);
    let mut out: Vec<String> = Vec::new();
    while stream.advance() {
        let t = &stream.token().text;
        if t.chars().any(char::is_alphanumeric) && !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

fn term(field: Field, value: &str) -> Term {
    Term::from_field_text(field, value)
}

fn filter(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(term(field, value), IndexRecordOption::Basic)),
        0.0,
    ))
}

impl SearchIndex {
    fn facet_field(&self, name: &str) -> Option<Field> {
        let f = &self.fields;
        Some(match name {
            "provider_code" => f.provider_code,
            "class" => f.class,
            "theme" => f.theme,
            "sharing_type" => f.sharing_type,
            "open_type" => f.open_type,
            "format_category" => f.format_category,
            "update_cycle" => f.update_cycle,
            _ => return None,
        })
    }

    fn text_query(&self, q: &str) -> Result<Box<dyn Query>> {
        let f = &self.fields;
        let q = q.trim();
        if q.is_empty() {
            return Ok(Box::new(AllQuery));
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::BadQuery(format!(
                "检索词不能超过{MAX_QUERY_CHARS}字"
            )));
        }
        let toks: Vec<String> = tokens(q).into_iter().take(MAX_TOKENS).collect();
        if toks.is_empty() {
            return Ok(Box::new(BooleanQuery::new(vec![])));
        }
        let weighted = [
            (f.name, 4.0),
            (f.keywords, 3.0),
            (f.provider, 2.0),
            (f.themes, 1.5),
            (f.items, 1.0),
            (f.summary, 1.0),
        ];
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in &toks {
            // A token matches as itself or as any formal term it abbreviates (all of
            // that term's own tokens required).
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, self.token_query(t, &weighted))];
            for long in crate::synonyms::expansions(t) {
                let parts: Vec<(Occur, Box<dyn Query>)> = tokens(long)
                    .iter()
                    .map(|p| (Occur::Must, self.token_query(p, &weighted)))
                    .collect();
                alternatives.push((Occur::Should, Box::new(BooleanQuery::new(parts))));
            }
            clauses.push((Occur::Should, Box::new(BooleanQuery::new(alternatives))));
        }
        // Most of the tokens must match: "营业执照" → 营业, 执照, 营业执照: two of three.
        let required = (toks.len() * 3).div_ceil(5).max(1);
        let mut text = BooleanQuery::new(clauses);
        text.set_minimum_number_should_match(required);
        let exact_code: Box<dyn Query> = Box::new(BoostQuery::new(
            Box::new(TermQuery::new(term(f.code, q), IndexRecordOption::Basic)),
            100.0,
        ));
        Ok(Box::new(BooleanQuery::new(vec![
            (Occur::Should, Box::new(text)),
            (Occur::Should, exact_code),
        ])))
    }

    /// One token over the weighted text fields.
    fn token_query(&self, token: &str, weighted: &[(Field, f32)]) -> Box<dyn Query> {
        let per_field: Vec<(Occur, Box<dyn Query>)> = weighted
            .iter()
            .map(|(field, boost)| {
                let tq = TermQuery::new(term(*field, token), IndexRecordOption::WithFreqs);
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(tq), *boost)) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(BooleanQuery::new(per_field))
    }

    fn visibility_query(&self, v: Visibility) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        match v {
            Visibility::All => None,
            Visibility::PublishedAndOwn(org) => Some(Box::new(BooleanQuery::new(vec![
                (Occur::Should, filter(f.state, "published")),
                (Occur::Should, filter(f.owner, &org.to_string())),
            ]))),
            Visibility::PublicOpen => Some(Box::new(BooleanQuery::new(vec![
                (Occur::Must, filter(f.state, "published")),
                (Occur::MustNot, filter(f.open_type, "closed")),
            ]))),
        }
    }

    /// Runs a search as seen by a caller with visibility `v`.
    pub fn search(&self, req: &SearchRequest, v: Visibility) -> Result<SearchResults> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, self.text_query(&req.q)?)];
        for (name, value) in &req.filters {
            let field = self
                .facet_field(name)
                .ok_or_else(|| SearchError::BadQuery(format!("未知的筛选项“{name}”")))?;
            clauses.push((Occur::Must, filter(field, value)));
        }
        if let Some(vq) = self.visibility_query(v) {
            clauses.push((Occur::Must, vq));
        }
        let query = BooleanQuery::new(clauses);
        let aggs: Aggregations = serde_json::from_value(serde_json::Value::Object(
            FACETS
                .iter()
                .map(|f| {
                    (
                        f.to_string(),
                        serde_json::json!({"terms": {"field": f, "size": 500}}),
                    )
                })
                .collect(),
        ))
        .map_err(|e| SearchError::BadQuery(e.to_string()))?;
        let agg = AggregationCollector::from_aggs(
            aggs,
            AggContextParams::new(Default::default(), self.index.tokenizers().clone()),
        );
        let top = TopDocs::with_limit(req.limit.max(1))
            .and_offset(req.offset)
            .order_by_score();
        let searcher = self.reader.searcher();
        let (top, total, agg_res) = searcher.search(&query, &(top, Count, agg))?;
        let f = &self.fields;
        let mut results = Vec::with_capacity(top.len());
        for (score, addr) in top.into_iter().take(req.limit) {
            let doc: TantivyDocument = searcher.doc(addr)?;
            results.push(Hit {
                code: first_text(&doc, f.code),
                name: first_text(&doc, f.name),
                provider: first_text(&doc, f.provider),
                summary: first_text(&doc, f.summary),
                score,
            });
        }
        let agg_json =
            serde_json::to_value(agg_res).map_err(|e| SearchError::BadQuery(e.to_string()))?;
        let mut facets = BTreeMap::new();
        for name in FACETS {
            let buckets = agg_json[*name]["buckets"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let counts = buckets
                .iter()
                .filter_map(|b| {
                    let value = b["key"].as_str()?.to_string();
                    let label = self.value_label(name, &value);
                    Some(FacetCount {
                        value,
                        label,
                        count: b["doc_count"].as_u64()?,
                    })
                })
                .collect();
            facets.insert(name.to_string(), counts);
        }
        Ok(SearchResults {
            total,
            results,
            facets,
        })
    }

    fn value_label(&self, facet: &str, value: &str) -> String {
        use govshare_domain::labels::*;
        let label = match facet {
            "provider_code" | "theme" => self.label(&format!("{facet}:{value}")),
            "class" => Some(
                match value {
                    "1" => "基础信息资源",
                    "2" => "主题信息资源",
                    _ => "部门信息资源",
                }
                .to_string(),
            ),
            "sharing_type" => SharingType::parse(value).map(|v| v.label().to_string()),
            "open_type" => OpenType::parse(value).map(|v| v.label().to_string()),
            "format_category" => FormatCategory::parse(value).map(|v| v.label().to_string()),
            "update_cycle" => UpdateCycle::parse(value).map(|v| v.label().to_string()),
            _ => None,
        };
        label.unwrap_or_else(|| value.to_string())
    }
}
