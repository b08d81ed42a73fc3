//! What the index holds of a catalog entry.

use crate::Fields;
use govshare_domain::resource::Resource;
use std::collections::HashMap;
use tantivy::TantivyDocument;
use tantivy::schema::Value;

/// One catalog entry as indexed.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub summary: String,
    pub keywords: String,
    pub items: String,
    pub provider: String,
    pub provider_code: String,
    /// (code, name) of each theme.
    pub themes: Vec<(String, String)>,
    pub class: String,
    pub sharing_type: &'static str,
    pub open_type: &'static str,
    pub format_category: &'static str,
    pub update_cycle: &'static str,
    pub state: &'static str,
    pub owner_org_id: i64,
}

impl IndexDoc {
    /// Builds the document; `theme_names` maps theme codes to names.
    pub fn from_resource(r: &Resource, theme_names: &HashMap<String, String>) -> IndexDoc {
        let s = &r.spec;
        IndexDoc {
            id: r.id,
            code: r.code.clone(),
            name: s.name.clone(),
            summary: s.summary.clone(),
            keywords: s.keywords.join(" "),
            items: s
                .items
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            provider: s.provider.clone(),
            provider_code: s.provider_code.clone(),
            themes: s
                .themes
                .iter()
                .map(|t| (t.clone(), theme_names.get(t).cloned().unwrap_or_default()))
                .collect(),
            class: s.classification.chars().take(1).collect(),
            sharing_type: s.sharing_type.code(),
            open_type: s.open_type.code(),
            format_category: s.format_category.code(),
            update_cycle: s.update_cycle.code(),
            state: r.state.code(),
            owner_org_id: r.owner_org_id,
        }
    }

    pub(crate) fn to_document(&self, f: &Fields) -> TantivyDocument {
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, self.id as u64);
        d.add_text(f.code, &self.code);
        d.add_text(f.name, &self.name);
        d.add_text(f.summary, &self.summary);
        d.add_text(f.keywords, &self.keywords);
        d.add_text(f.items, &self.items);
        d.add_text(f.provider, &self.provider);
        d.add_text(f.provider_code, &self.provider_code);
        for (code, name) in &self.themes {
            d.add_text(f.theme, code);
            d.add_text(f.themes, name);
        }
        d.add_text(f.class, &self.class);
        d.add_text(f.sharing_type, self.sharing_type);
        d.add_text(f.open_type, self.open_type);
        d.add_text(f.format_category, self.format_category);
        d.add_text(f.update_cycle, self.update_cycle);
        d.add_text(f.state, self.state);
        d.add_text(f.owner, self.owner_org_id.to_string());
        d
    }
}

pub(crate) fn first_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// Reads the display names of provider and theme codes back from a stored document.
pub(crate) fn remember_labels(
    doc: &TantivyDocument,
    f: &Fields,
    labels: &mut HashMap<String, String>,
) {
    labels.insert(
        format!("provider_code:{}", first_text(doc, f.provider_code)),
        first_text(doc, f.provider),
    );
    let codes = doc.get_all(f.theme).filter_map(|v| v.as_str());
    let names = doc.get_all(f.themes).filter_map(|v| v.as_str());
    for (code, name) in codes.zip(names) {
        labels.insert(format!("theme:{code}"), name.to_string());
    }
}
