//! The audit log and the sharing statistics.

use govshare_domain as domain;
use govshare_store as store;

/// One thing that happened: a sharing call, a decision, a key change, a sign-in.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
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
    /// Visits counted under the grant `basis` names (absent when none): a grant's
    /// quota is counted from these. Hashed last, when present.
    #[serde(skip_serializing_if = "is_zero")]
    pub visits: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl From<domain::audit::AuditEntry> for AuditEntry {
    fn from(v: domain::audit::AuditEntry) -> Self {
        let domain::audit::AuditEntry {
            at,
            actor,
            app_id,
            org_id,
            action,
            resource_code,
            items,
            purpose,
            basis,
            row_count,
            digest,
            outcome,
            detail,
            visits,
        } = v;
        AuditEntry {
            at,
            actor,
            app_id,
            org_id,
            action,
            resource_code,
            items,
            purpose,
            basis,
            row_count,
            digest,
            outcome,
            detail,
            visits,
        }
    }
}

/// A stored entry with its place in the chain.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub node_id: String,
    pub seq: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

impl From<domain::audit::AuditRecord> for AuditRecord {
    fn from(v: domain::audit::AuditRecord) -> Self {
        let domain::audit::AuditRecord {
            node_id,
            seq,
            entry,
            prev_hash,
            hash,
        } = v;
        AuditRecord {
            node_id,
            seq,
            entry: entry.into(),
            prev_hash,
            hash,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Count {
    /// An organisation's credit code, a resource code, or a day.
    pub key: String,
    pub name: String,
    pub calls: i64,
}

impl From<store::audit::stats::Count> for Count {
    fn from(v: store::audit::stats::Count) -> Self {
        let store::audit::stats::Count { key, name, calls } = v;
        Count { key, name, calls }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ShareStats {
    /// Answered data calls in the period (the whole log when no period is given).
    pub total_calls: i64,
    /// Rows served by those calls.
    pub rows_served: i64,
    pub by_day: Vec<Count>,
    pub by_consumer: Vec<Count>,
    pub by_provider: Vec<Count>,
    pub by_resource: Vec<Count>,
}

impl From<store::audit::stats::ShareStats> for ShareStats {
    fn from(v: store::audit::stats::ShareStats) -> Self {
        let store::audit::stats::ShareStats {
            total_calls,
            rows_served,
            by_day,
            by_consumer,
            by_provider,
            by_resource,
        } = v;
        ShareStats {
            total_calls,
            rows_served,
            by_day: by_day.into_iter().map(Into::into).collect(),
            by_consumer: by_consumer.into_iter().map(Into::into).collect(),
            by_provider: by_provider.into_iter().map(Into::into).collect(),
            by_resource: by_resource.into_iter().map(Into::into).collect(),
        }
    }
}
