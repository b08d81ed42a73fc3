//! Judges whether a query has one right answer: among all resources whose name
//! (or provider) carries the query's words, the expected one must rank strictly
//! first (the subject itself before its variants, then the shorter name), and few
//! resources may match at all.

use crate::variants::MARKERS;
use std::collections::{HashMap, HashSet};

/// What is left of a name after the query that still reads as "the subject itself".
const GENERIC: &[&str] = &[
    "",
    "信息",
    "基本信息",
    "登记信息",
    "签发信息",
    "名单信息",
    "数据",
    "监测信息",
    "统计信息",
    "发放信息",
    "文件",
    "公开文件",
    "公示信息",
];

/// More matches than this and a query is too vague to have one right answer.
const MAX_MATCHES: usize = 12;

pub struct Doc<'a> {
    pub name: &'a str,
    pub provider: &'a str,
}

fn matches(doc: &Doc, terms: &[&str]) -> bool {
    terms
        .iter()
        .all(|t| doc.name.contains(t) || doc.provider.contains(t))
}

fn rank(name: &str, terms: &[&str]) -> (bool, bool, usize) {
    let mut rest = name.to_string();
    for t in terms {
        if let Some(pos) = rest.find(t) {
            rest.replace_range(pos..pos + t.len(), "");
        }
    }
    let derived = MARKERS.iter().any(|m| rest.contains(m));
    (
        derived,
        !GENERIC.contains(&rest.as_str()),
        name.chars().count(),
    )
}

pub struct Judge<'a> {
    docs: Vec<Doc<'a>>,
    /// For each character, the documents whose name or provider has it.
    by_char: HashMap<char, Vec<usize>>,
}

impl<'a> Judge<'a> {
    pub fn new(docs: Vec<Doc<'a>>) -> Self {
        let mut by_char: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            let mut seen = HashSet::new();
            for c in d.name.chars().chain(d.provider.chars()) {
                if seen.insert(c) {
                    by_char.entry(c).or_default().push(i);
                }
            }
        }
        Judge { docs, by_char }
    }

    /// The documents that could contain every term: those with the query's rarest character.
    fn candidates(&self, terms: &[&str]) -> &[usize] {
        terms
            .iter()
            .flat_map(|t| t.chars())
            .map(|c| self.by_char.get(&c).map_or(&[][..], Vec::as_slice))
            .min_by_key(|v| v.len())
            .unwrap_or(&[])
    }

    /// Is resource `expected` the single best answer to `query`?
    pub fn accepts(&self, query: &str, expected: usize) -> bool {
        let terms: Vec<&str> = query.split_whitespace().collect();
        let exp = &self.docs[expected];
        if !matches(exp, &terms) || !terms.iter().any(|t| exp.name.contains(t)) {
            return false;
        }
        let hits: Vec<usize> = self
            .candidates(&terms)
            .iter()
            .copied()
            .filter(|&i| matches(&self.docs[i], &terms))
            .collect();
        if hits.len() > MAX_MATCHES {
            return false;
        }
        let best = rank(exp.name, &terms);
        hits.iter()
            .all(|&i| i == expected || rank(self.docs[i].name, &terms) > best)
    }

    /// An everyday word that is not in the name (社保缴费 for 社会保险缴费): no other
    /// resource may carry it literally.
    pub fn accepts_alias(&self, alias: &str, expected: usize) -> bool {
        if self.docs[expected].name.contains(alias) {
            return self.accepts(alias, expected);
        }
        !self
            .candidates(&[alias])
            .iter()
            .any(|&i| self.docs[i].name.contains(alias))
    }
}
