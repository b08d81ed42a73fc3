//! Sharing: rows as served, verifications, queries and change feeds; registrations,
//! requests and grants; error reports.

use govshare_domain as domain;
use govshare_store as store;

use super::*;

/// The basis a response is served under, named in every response and audit entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    Owner,
    Registration { id: i64 },
    Grant { id: i64 },
}

impl From<domain::sharing::policy::Basis> for Basis {
    fn from(v: domain::sharing::policy::Basis) -> Self {
        match v {
            domain::sharing::policy::Basis::Owner => Basis::Owner,
            domain::sharing::policy::Basis::Registration { id } => Basis::Registration { id },
            domain::sharing::policy::Basis::Grant { id } => Basis::Grant { id },
        }
    }
}

/// What a consumer asks for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Items wanted, by name or column code.
    pub items: Vec<String>,
    /// Sensitive items wanted in clear (a subset of `items`).
    #[serde(default)]
    pub unmasked: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// Visits a day (1–10,000,000).
    pub daily_quota: i64,
    /// Visits in all (1–10,000,000,000).
    pub total_quota: i64,
}

impl From<domain::sharing::request::Scope> for Scope {
    fn from(v: domain::sharing::request::Scope) -> Self {
        let domain::sharing::request::Scope {
            items,
            unmasked,
            valid_from,
            valid_to,
            daily_quota,
            total_quota,
        } = v;
        Scope {
            items,
            unmasked,
            valid_from,
            valid_to,
            daily_quota,
            total_quota,
        }
    }
}

impl From<Scope> for domain::sharing::request::Scope {
    fn from(v: Scope) -> Self {
        let Scope {
            items,
            unmasked,
            valid_from,
            valid_to,
            daily_quota,
            total_quota,
        } = v;
        domain::sharing::request::Scope {
            items,
            unmasked,
            valid_from,
            valid_to,
            daily_quota,
            total_quota,
        }
    }
}

/// A provider's answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Approve,
    Reject,
    /// Ask once for more material (all that is missing, at once).
    AskMore,
}

impl From<domain::sharing::request::Answer> for Answer {
    fn from(v: domain::sharing::request::Answer) -> Self {
        match v {
            domain::sharing::request::Answer::Approve => Answer::Approve,
            domain::sharing::request::Answer::Reject => Answer::Reject,
            domain::sharing::request::Answer::AskMore => Answer::AskMore,
        }
    }
}

impl From<Answer> for domain::sharing::request::Answer {
    fn from(v: Answer) -> Self {
        match v {
            Answer::Approve => domain::sharing::request::Answer::Approve,
            Answer::Reject => domain::sharing::request::Answer::Reject,
            Answer::AskMore => domain::sharing::request::Answer::AskMore,
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCorrection {
    /// The key items' values of the row, in order.
    pub key: Vec<String>,
    /// The item thought wrong, by name or column code.
    pub item: String,
    /// The value proposed instead.
    pub proposed: String,
    /// Why: the document or record that shows it (2–2,000 characters).
    pub evidence: String,
}

impl From<NewCorrection> for store::sharing::corrections::NewCorrection {
    fn from(v: NewCorrection) -> Self {
        let NewCorrection {
            key,
            item,
            proposed,
            evidence,
        } = v;
        store::sharing::corrections::NewCorrection {
            key,
            item,
            proposed,
            evidence,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Correction {
    pub id: i64,
    pub app_id: i64,
    pub resource_code: String,
    pub key: Vec<String>,
    pub item: String,
    pub proposed: String,
    pub evidence: String,
    /// `open`, `accepted` (the value was fixed) or `rejected`.
    pub state: String,
    pub deadline: NaiveDate,
    /// Open past its deadline.
    pub overdue: bool,
    pub note: String,
    pub reporter: String,
    pub handler: String,
    pub created_at: String,
    pub closed_at: Option<String>,
}

impl From<store::sharing::corrections::Correction> for Correction {
    fn from(v: store::sharing::corrections::Correction) -> Self {
        let store::sharing::corrections::Correction {
            id,
            app_id,
            resource_code,
            key,
            item,
            proposed,
            evidence,
            state,
            deadline,
            overdue,
            note,
            reporter,
            handler,
            created_at,
            closed_at,
        } = v;
        Correction {
            id,
            app_id,
            resource_code,
            key,
            item,
            proposed,
            evidence,
            state,
            deadline,
            overdue,
            note,
            reporter,
            handler,
            created_at,
            closed_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    In,
    Prefix,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl From<store::sharing::filters::FilterOp> for FilterOp {
    fn from(v: store::sharing::filters::FilterOp) -> Self {
        match v {
            store::sharing::filters::FilterOp::Eq => FilterOp::Eq,
            store::sharing::filters::FilterOp::In => FilterOp::In,
            store::sharing::filters::FilterOp::Prefix => FilterOp::Prefix,
            store::sharing::filters::FilterOp::Gt => FilterOp::Gt,
            store::sharing::filters::FilterOp::Gte => FilterOp::Gte,
            store::sharing::filters::FilterOp::Lt => FilterOp::Lt,
            store::sharing::filters::FilterOp::Lte => FilterOp::Lte,
        }
    }
}

impl From<FilterOp> for store::sharing::filters::FilterOp {
    fn from(v: FilterOp) -> Self {
        match v {
            FilterOp::Eq => store::sharing::filters::FilterOp::Eq,
            FilterOp::In => store::sharing::filters::FilterOp::In,
            FilterOp::Prefix => store::sharing::filters::FilterOp::Prefix,
            FilterOp::Gt => store::sharing::filters::FilterOp::Gt,
            FilterOp::Gte => store::sharing::filters::FilterOp::Gte,
            FilterOp::Lt => store::sharing::filters::FilterOp::Lt,
            FilterOp::Lte => store::sharing::filters::FilterOp::Lte,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// The item, by name or column code.
    pub item: String,
    pub op: FilterOp,
    /// One value (`in`: up to 1,000), typed as the item.
    pub values: Vec<String>,
}

impl From<store::sharing::filters::Filter> for Filter {
    fn from(v: store::sharing::filters::Filter) -> Self {
        let store::sharing::filters::Filter { item, op, values } = v;
        Filter {
            item,
            op: op.into(),
            values,
        }
    }
}

impl From<Filter> for store::sharing::filters::Filter {
    fn from(v: Filter) -> Self {
        let Filter { item, op, values } = v;
        store::sharing::filters::Filter {
            item,
            op: op.into(),
            values,
        }
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuerySpec {
    /// Conditions on items, all of which a row meets (at most 20).
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// Items wanted (default: all the basis allows).
    pub items: Option<Vec<String>>,
    /// The `next` of the previous page, exactly as it was answered (an opaque cursor,
    /// valid for an hour, for this app, resource, basis, filters and items only).
    pub after: Option<String>,
    /// 1–1,000, default 100.
    pub limit: Option<i64>,
}

impl From<QuerySpec> for store::sharing::query::QuerySpec {
    fn from(v: QuerySpec) -> Self {
        let QuerySpec {
            filters,
            items,
            after,
            limit,
        } = v;
        store::sharing::query::QuerySpec {
            filters: filters.into_iter().map(Into::into).collect(),
            items,
            after,
            limit,
        }
    }
}

/// A page of rows as served.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SharedRows {
    pub resource_code: String,
    pub basis: Basis,
    pub purpose: String,
    pub masked: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<ServedRow>,
    /// Keys asked for that no row has (batch lookups).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Vec<String>>,
    /// The cursor to pass as `after` for the next page (queries; none at the end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl From<store::sharing::query::SharedRows> for SharedRows {
    fn from(v: store::sharing::query::SharedRows) -> Self {
        let store::sharing::query::SharedRows {
            resource_code,
            basis,
            purpose,
            masked,
            rows,
            missing,
            next,
            audit_items: _,
            visits: _,
        } = v;
        SharedRows {
            resource_code,
            basis: basis.into(),
            purpose,
            masked,
            rows,
            missing,
            next,
        }
    }
}

/// A read of one row, as served.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SharedRow {
    pub resource_code: String,
    /// The basis the row is served under.
    pub basis: Basis,
    /// The purpose stated for that basis.
    pub purpose: String,
    /// Items served masked.
    pub masked: Vec<String>,
    /// Item name → value (null when empty); absent when no row has the key.
    #[schema(value_type = Option<Object>)]
    pub row: Option<ServedRow>,
}

impl From<store::sharing::reads::SharedRow> for SharedRow {
    fn from(v: store::sharing::reads::SharedRow) -> Self {
        let store::sharing::reads::SharedRow {
            resource_code,
            basis,
            purpose,
            masked,
            row,
            audit_items: _,
            visits: _,
        } = v;
        SharedRow {
            resource_code,
            basis: basis.into(),
            purpose,
            masked,
            row,
        }
    }
}

/// The answer to a verification: per claimed item, whether it matches. No data.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub resource_code: String,
    pub basis: Basis,
    pub purpose: String,
    /// False when no row has the key (then every item is a mismatch).
    pub found: bool,
    /// Item name → match.
    pub matches: std::collections::BTreeMap<String, bool>,
}

impl From<store::sharing::reads::Verification> for Verification {
    fn from(v: store::sharing::reads::Verification) -> Self {
        let store::sharing::reads::Verification {
            resource_code,
            basis,
            purpose,
            found,
            matches,
            // For the audit entry only.
            visits: _,
        } = v;
        Verification {
            resource_code,
            basis: basis.into(),
            purpose,
            found,
            matches,
        }
    }
}

/// A pool's change feed as a consumer sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SharedChanges {
    pub resource_code: String,
    pub basis: Basis,
    pub changes: Vec<SharedChange>,
}

impl From<store::sharing::reads::SharedChanges> for SharedChanges {
    fn from(v: store::sharing::reads::SharedChanges) -> Self {
        let store::sharing::reads::SharedChanges {
            resource_code,
            basis,
            changes,
            // For the audit entry only.
            visits: _,
        } = v;
        SharedChanges {
            resource_code,
            basis: basis.into(),
            changes: changes.into_iter().map(Into::into).collect(),
        }
    }
}

/// One change as a consumer sees it: the key as its basis shows it, and a reference to
/// the row that is the same each time the row changes (for this basis only).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SharedChange {
    pub seq: i64,
    pub batch_id: i64,
    /// upsert, delete, or replace (the whole pool was replaced; the rows of the new
    /// snapshot follow).
    pub op: String,
    /// The key item values (joined by U+001F when there are several), masked where the
    /// basis masks them; absent when the basis does not include every key item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// An opaque reference to the row, stable for this app's basis and unreadable to
    /// it (absent for `replace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    pub at: String,
}

impl From<store::sharing::reads::SharedChange> for SharedChange {
    fn from(v: store::sharing::reads::SharedChange) -> Self {
        let store::sharing::reads::SharedChange {
            seq,
            batch_id,
            op,
            key,
            row,
            at,
        } = v;
        SharedChange {
            seq,
            batch_id,
            op,
            key,
            row,
            at,
        }
    }
}

/// A registered use of an unconditional resource by an app.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Registration {
    pub id: i64,
    pub app_id: i64,
    pub app_name: String,
    pub resource_code: String,
    pub purpose: String,
    pub scenario: String,
    /// `approved`, `pending` (under manual review) or `rejected`.
    pub status: String,
    /// The provider's reason, when rejected.
    pub answer: String,
    pub answered_by: Option<String>,
    pub created_at: String,
}

impl From<store::sharing::registrations::Registration> for Registration {
    fn from(v: store::sharing::registrations::Registration) -> Self {
        let store::sharing::registrations::Registration {
            id,
            app_id,
            app_name,
            resource_code,
            purpose,
            scenario,
            status,
            answer,
            answered_by,
            created_at,
        } = v;
        Registration {
            id,
            app_id,
            app_name,
            resource_code,
            purpose,
            scenario,
            status,
            answer,
            answered_by,
            created_at,
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub app_id: i64,
    /// The resource code.
    pub resource: String,
    /// Items, period and visit quotas asked for.
    pub scope: Scope,
    /// 使用用途.
    pub purpose: String,
    /// 申请依据: the law, regulation or document the use rests on.
    pub legal_basis: String,
    /// Supporting text (授权书, 业务说明 …).
    #[serde(default)]
    pub material: String,
}

impl From<NewRequest> for store::sharing::requests::NewRequest {
    fn from(v: NewRequest) -> Self {
        let NewRequest {
            app_id,
            resource,
            scope,
            purpose,
            legal_basis,
            material,
        } = v;
        store::sharing::requests::NewRequest {
            app_id,
            resource,
            scope: scope.into(),
            purpose,
            legal_basis,
            material,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RequestInfo {
    pub id: i64,
    pub app_id: i64,
    pub resource_code: String,
    pub scope: Scope,
    pub purpose: String,
    pub legal_basis: String,
    pub material: String,
    pub state: RequestState,
    /// The day the provider's answer is due (working days, China time).
    pub deadline: NaiveDate,
    /// Still unanswered after its deadline: flagged to the bureau.
    pub overdue: bool,
    /// The provider's note: the reason of a refusal, the material asked for.
    pub note: String,
    pub applicant: String,
    pub decided_by: String,
    pub created_at: String,
    pub answered_at: Option<String>,
    /// The grant an approval made.
    pub grant_id: Option<i64>,
}

impl From<store::sharing::requests::RequestInfo> for RequestInfo {
    fn from(v: store::sharing::requests::RequestInfo) -> Self {
        let store::sharing::requests::RequestInfo {
            id,
            app_id,
            resource_code,
            scope,
            purpose,
            legal_basis,
            material,
            state,
            deadline,
            overdue,
            note,
            applicant,
            decided_by,
            created_at,
            answered_at,
            grant_id,
        } = v;
        RequestInfo {
            id,
            app_id,
            resource_code,
            scope: scope.into(),
            purpose,
            legal_basis,
            material,
            state: state.into(),
            deadline,
            overdue,
            note,
            applicant,
            decided_by,
            created_at,
            answered_at,
            grant_id,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct GrantInfo {
    pub id: i64,
    pub request_id: i64,
    pub app_id: i64,
    pub resource_code: String,
    pub scope: Scope,
    pub used_total: i64,
    pub revoked_at: Option<String>,
}

impl From<store::sharing::requests::GrantInfo> for GrantInfo {
    fn from(v: store::sharing::requests::GrantInfo) -> Self {
        let store::sharing::requests::GrantInfo {
            id,
            request_id,
            app_id,
            resource_code,
            scope,
            used_total,
            revoked_at,
        } = v;
        GrantInfo {
            id,
            request_id,
            app_id,
            resource_code,
            scope: scope.into(),
            used_total,
            revoked_at,
        }
    }
}
