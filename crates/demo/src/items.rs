//! Turns item specs into information items: the data type and byte length each
//! name calls for, and the ordered, de-duplicated candidate list of a resource.

use crate::model::{ItemSpec, Kind, Subject, parse_item};
use crate::pools::{
    FILE_ITEMS, IMAGE_ITEMS, ORG_REST, STATS_CORE, STATS_REST, is_company, pool, stats_metrics,
};
use crate::types::infer_cached;
use crate::variants::Variant;
use govshare_domain::item::{Item, looks_sensitive};
use govshare_domain::labels::DataType;
use std::collections::HashSet;

/// An item before its count is settled.
#[derive(Debug, Clone)]
pub struct Draft {
    pub name: String,
    pub data_type: DataType,
    pub length: u32,
    pub key: bool,
}

impl Draft {
    pub fn to_item(&self, required: bool) -> Item {
        Item {
            name: self.name.clone(),
            column: String::new(),
            data_type: self.data_type,
            length: self.length,
            key: self.key,
            required: required || self.key,
            sensitive: looks_sensitive(&self.name),
        }
    }
}

fn draft(spec: &ItemSpec, noun: &str) -> Draft {
    let name = if spec.name.contains("{n}") {
        spec.name.replace("{n}", noun)
    } else {
        spec.name.clone()
    };
    let (data_type, length) = spec.ty.unwrap_or_else(|| infer_cached(&name));
    Draft {
        name,
        data_type,
        length,
        key: spec.key,
    }
}

fn push_all(out: &mut Vec<Draft>, specs: &[&str], noun: &str) {
    out.extend(specs.iter().map(|s| draft(&parse_item(s), noun)));
}

/// The ordered candidate items of one resource; the first ones matter most, so a
/// resource that keeps fewer items keeps its key and core items.
pub fn candidates(
    subject: &Subject,
    variant: &Variant,
    file_like: bool,
    image: bool,
) -> Vec<Draft> {
    let noun = subject.noun();
    let mut out = Vec::new();
    if image {
        push_all(&mut out, IMAGE_ITEMS, noun);
    } else if file_like {
        push_all(&mut out, FILE_ITEMS, noun);
    } else if variant.stats || subject.kind == Kind::Stats {
        push_all(&mut out, STATS_CORE, noun);
        if subject.kind == Kind::Stats {
            // The subject's own items are its measures.
            out.extend(subject.items.iter().map(|s| Draft {
                key: false,
                ..draft(s, noun)
            }));
        }
        push_all(&mut out, stats_metrics(subject.kind), noun);
        push_all(&mut out, STATS_REST, noun);
    } else {
        let p = pool(subject.kind);
        let own_key = subject.items.iter().any(|i| i.key);
        if !subject.replace_core {
            let mut core = Vec::new();
            push_all(&mut core, p.core, noun);
            if own_key {
                core.iter_mut().for_each(|d| d.key = false);
            }
            out.extend(core);
        }
        out.extend(subject.items.iter().map(|s| draft(s, noun)));
        push_all(&mut out, variant.extras, noun);
        if subject.kind == Kind::Document {
            push_all(&mut out, FILE_ITEMS, noun);
        }
        let rest = if subject.kind == Kind::Entity && !is_company(&subject.stem) {
            ORG_REST
        } else {
            p.rest
        };
        push_all(&mut out, rest, noun);
    }
    let mut seen = HashSet::new();
    out.retain(|d| seen.insert(d.name.clone()));
    // Keys first, so that a resource keeping only its first items keeps its key.
    out.sort_by_key(|d| !d.key);
    out.truncate(30);
    out
}
