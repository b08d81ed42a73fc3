//! Chinese full-text search over the catalog: a tantivy index with jieba
//! segmentation, facets by terms aggregation, and the caller's visibility applied
//! inside the query. Each node keeps its own index and follows the store's change feed.

mod doc;
mod query;
mod synonyms;

pub use doc::IndexDoc;
pub use query::{FACETS, FacetCount, Hit, SearchRequest, SearchResults, tokens};

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, RwLock};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Dir(String),
    #[error("{0}")]
    BadQuery(String),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

const TOKENIZER: &str = "jieba_lower";

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub code: Field,
    pub name: Field,
    pub summary: Field,
    pub keywords: Field,
    pub items: Field,
    pub provider: Field,
    pub themes: Field,
    pub provider_code: Field,
    pub class: Field,
    pub theme: Field,
    pub sharing_type: Field,
    pub open_type: Field,
    pub format_category: Field,
    pub update_cycle: Field,
    pub state: Field,
    pub owner: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let idx = TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(idx);
        if stored { o.set_stored() } else { o }
    };
    let facet = STRING | FAST;
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST | STORED),
        code: b.add_text_field("code", STRING | STORED),
        name: b.add_text_field("name", text(true)),
        summary: b.add_text_field("summary", text(true)),
        keywords: b.add_text_field("keywords", text(false)),
        items: b.add_text_field("items", text(false)),
        provider: b.add_text_field("provider", text(true)),
        themes: b.add_text_field("themes", text(true)),
        provider_code: b.add_text_field("provider_code", facet.clone() | STORED),
        class: b.add_text_field("class", facet.clone()),
        theme: b.add_text_field("theme", facet.clone() | STORED),
        sharing_type: b.add_text_field("sharing_type", facet.clone()),
        open_type: b.add_text_field("open_type", facet.clone()),
        format_category: b.add_text_field("format_category", facet.clone()),
        update_cycle: b.add_text_field("update_cycle", facet.clone()),
        state: b.add_text_field("state", facet.clone()),
        owner: b.add_text_field("owner", facet),
    };
    (b.build(), fields)
}

pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
        .filter(LowerCaser)
        .build()
}

/// The catalog's search index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Display names of facet values that are codes (providers, themes).
    labels: RwLock<HashMap<String, String>>,
}

impl SearchIndex {
    /// Opens the index in `dir` (created if missing), or an in-memory one.
    pub fn open(dir: Option<&Path>) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        let index = match dir {
            None => Index::create_in_ram(schema),
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| SearchError::Dir(format!("{}: {e}", dir.display())))?;
                let mmap = tantivy::directory::MmapDirectory::open(dir)
                    .map_err(|e| SearchError::Dir(e.to_string()))?;
                let fresh = !Index::exists(&mmap).map_err(|e| SearchError::Dir(e.to_string()))?;
                let index = Index::open_or_create(mmap, schema.clone())?;
                if !fresh && index.schema() != schema {
                    drop(index);
                    std::fs::remove_dir_all(dir).map_err(|e| SearchError::Dir(e.to_string()))?;
                    return SearchIndex::open(Some(dir));
                }
                index
            }
        };
        index.tokenizers().register(TOKENIZER, analyzer());
        let writer = index.writer_with_num_threads(1, 50_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let search = SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            labels: RwLock::new(HashMap::new()),
        };
        search.load_labels()?;
        Ok(search)
    }

    /// The change-feed sequence number the index has caught up to (0 when new).
    pub fn indexed_seq(&self) -> i64 {
        self.index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Adds or replaces documents and records the change-feed position, in one commit.
    /// With `replace_all`, everything else is removed first (a rebuild).
    pub fn upsert(&self, docs: &[IndexDoc], seq: i64, replace_all: bool) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if replace_all {
            writer.delete_all_documents()?;
        }
        {
            let mut labels = self.labels.write().unwrap_or_else(|e| e.into_inner());
            for d in docs {
                writer.delete_term(Term::from_field_u64(self.fields.id, d.id as u64));
                writer.add_document(d.to_document(&self.fields))?;
                labels.insert(
                    format!("provider_code:{}", d.provider_code),
                    d.provider.clone(),
                );
                for (code, name) in &d.themes {
                    labels.insert(format!("theme:{code}"), name.clone());
                }
            }
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&seq.to_string());
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn load_labels(&self) -> Result<()> {
        let searcher = self.reader.searcher();
        let mut labels = self.labels.write().unwrap_or_else(|e| e.into_inner());
        for segment in searcher.segment_readers() {
            let store = segment
                .get_store_reader(16)
                .map_err(|e| SearchError::Dir(e.to_string()))?;
            for doc_id in segment.doc_ids_alive() {
                let doc: tantivy::TantivyDocument = store.get(doc_id)?;
                doc::remember_labels(&doc, &self.fields, &mut labels);
            }
        }
        Ok(())
    }

    pub(crate) fn label(&self, key: &str) -> Option<String> {
        self.labels
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }
}
