//! What the audit log is (审计日志), apart from where it is kept: an entry, its place in
//! its node's hash chain, and the hash that links it to the one before. Each entry
//! holds the hash of the one before it, so an entry edited, deleted, reordered or
//! forged breaks the chain at that point.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before a chain's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One thing that happened: a sharing call, a decision, a key change, a sign-in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: String,
    /// The user or app name that acted.
    pub actor: String,
    pub app_id: Option<i64>,
    /// The acting organisation.
    pub org_id: Option<i64>,
    /// e.g. `share.lookup`, `share.verify`, `share.register`, `app.create`, `login`.
    pub action: String,
    pub resource_code: String,
    /// The items served, comma-separated (masked ones marked `*`).
    pub items: String,
    pub purpose: String,
    /// The basis served under: `owner`, `registration:7`, `grant:12`.
    pub basis: String,
    pub row_count: i64,
    /// SHA-256 of the response body.
    pub digest: String,
    /// `ok`, `denied`, `not_found`, `invalid`, `failed`.
    pub outcome: String,
    pub detail: String,
    /// Visits counted under the grant `basis` names (0 under any other basis): the
    /// log is what a grant's quota is counted from.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub visits: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl AuditEntry {
    /// The grant whose visits this entry counts, and how many.
    pub fn grant_visits(&self) -> Option<(i64, i64)> {
        if self.visits == 0 {
            return None;
        }
        let id = self.basis.strip_prefix("grant:")?.parse().ok()?;
        Some((id, self.visits))
    }
}

/// A stored entry with its place in the chain.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub node_id: String,
    pub seq: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry at its place: SHA-256 over the node, sequence number, the
/// previous hash and every field, encoded unambiguously as a JSON array. Visits come
/// last and only when there are any, so that entries without (all those written
/// before entries had them) hash as they always did.
pub fn entry_hash(node: &str, seq: i64, prev: &str, e: &AuditEntry) -> String {
    let fields = (
        node,
        seq,
        prev,
        &e.at,
        &e.actor,
        e.app_id,
        e.org_id,
        &e.action,
        &e.resource_code,
        &e.items,
        &e.purpose,
        &e.basis,
        e.row_count,
        &e.digest,
        &e.outcome,
        &e.detail,
    );
    // A tuple serialises as the same compact JSON array, without building a tree.
    let mut bytes = serde_json::to_vec(&fields).expect("strings and numbers serialise");
    if e.visits != 0 {
        // `[fields…]` becomes `[fields…,visits]`.
        bytes.pop();
        bytes.extend_from_slice(format!(",{}]", e.visits).as_bytes());
    }
    hex::encode(Sha256::digest(&bytes))
}

/// The last entry of a node's chain: its sequence number and hash.
pub type ChainHead = (i64, String);

/// Entries placed in a node's chain after `head`: numbered and hashed.
pub fn chain(
    node: &str,
    head: ChainHead,
    entries: impl IntoIterator<Item = AuditEntry>,
) -> Vec<AuditRecord> {
    let (mut seq, mut prev) = head;
    entries
        .into_iter()
        .map(|entry| {
            seq += 1;
            let hash = entry_hash(node, seq, &prev, &entry);
            AuditRecord {
                node_id: node.to_string(),
                seq,
                entry,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chains written by earlier versions must still verify: the hash is SHA-256 of
    /// the fields as one compact JSON array, nulls for absent ids.
    #[test]
    fn the_hash_covers_every_field_as_one_json_array() {
        let e = AuditEntry {
            at: "2026-12-01T10:00:00.000Z".into(),
            actor: "渝中区\"平台\"".into(),
            app_id: Some(7),
            org_id: None,
            action: "share.lookup".into(),
            resource_code: "101001/000004".into(),
            items: "姓名,公民身份号码*".into(),
            row_count: 1,
            outcome: "ok".into(),
            ..Default::default()
        };
        let array = serde_json::json!([
            "node-a",
            3,
            GENESIS,
            e.at,
            e.actor,
            e.app_id,
            e.org_id,
            e.action,
            e.resource_code,
            e.items,
            e.purpose,
            e.basis,
            e.row_count,
            e.digest,
            e.outcome,
            e.detail
        ]);
        let expected = hex::encode(Sha256::digest(array.to_string().as_bytes()));
        assert_eq!(entry_hash("node-a", 3, GENESIS, &e), expected);
        let changed = AuditEntry {
            org_id: Some(1),
            ..e.clone()
        };
        assert_ne!(entry_hash("node-a", 3, GENESIS, &changed), expected);
    }

    /// An entry that counts visits under a grant has them hashed last, so a count
    /// edited breaks the chain as any field does.
    #[test]
    fn visits_are_hashed_last_when_there_are_any() {
        let e = AuditEntry {
            at: "2026-12-01T10:00:00.000Z".into(),
            action: "share.batch".into(),
            basis: "grant:12".into(),
            visits: 40,
            ..Default::default()
        };
        let array = serde_json::json!([
            "n", 1, GENESIS, e.at, "", null, null, e.action, "", "", "", e.basis, 0, "", "", "", 40
        ]);
        let expected = hex::encode(Sha256::digest(array.to_string().as_bytes()));
        assert_eq!(entry_hash("n", 1, GENESIS, &e), expected);
        let edited = AuditEntry {
            visits: 39,
            ..e.clone()
        };
        assert_ne!(entry_hash("n", 1, GENESIS, &edited), expected);
        assert_eq!(e.grant_visits(), Some((12, 40)));
        assert_eq!(edited.grant_visits(), Some((12, 39)));
        let registered = AuditEntry {
            basis: "registration:3".into(),
            ..e
        };
        assert_eq!(registered.grant_visits(), None);
    }
}
