//! Data pools: columns and checks, selection rules, batches and their quarantine,
//! quotas and the change feed.

use govshare_domain as domain;
use govshare_store as store;

use super::*;

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct PoolColumn {
    pub column: String,
    pub name: String,
    pub data_type: DataType,
    pub length: u32,
    pub key: bool,
    pub required: bool,
    pub checks: Vec<Check>,
    /// A column whose item was removed from the catalog entry: its data is kept, it
    /// takes no new values.
    #[serde(default)]
    pub hidden: bool,
}

impl From<domain::pool::schema::PoolColumn> for PoolColumn {
    fn from(v: domain::pool::schema::PoolColumn) -> Self {
        let domain::pool::schema::PoolColumn {
            column,
            name,
            data_type,
            length,
            key,
            required,
            checks,
            hidden,
        } = v;
        PoolColumn {
            column,
            name,
            data_type: data_type.into(),
            length,
            key,
            required,
            checks: checks.into_iter().map(Into::into).collect(),
            hidden,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct PoolSchema {
    /// The pool's table, `pool_<resource id>`.
    pub table: String,
    pub columns: Vec<PoolColumn>,
    /// Which items and rows batches take (all, unless the pool's owner says otherwise).
    #[serde(default, skip_serializing_if = "Selection::is_empty")]
    pub selection: Selection,
}

impl From<domain::pool::schema::PoolSchema> for PoolSchema {
    fn from(v: domain::pool::schema::PoolSchema) -> Self {
        let domain::pool::schema::PoolSchema {
            table,
            columns,
            selection,
        } = v;
        PoolSchema {
            table,
            columns: columns.into_iter().map(Into::into).collect(),
            selection: selection.into(),
        }
    }
}

#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Items taken from submitted data, by name or column code; empty: all of them.
    /// Key and required items are always taken. Items left out keep what the pool
    /// holds; their cells in a file are ignored.
    #[serde(default)]
    pub items: Vec<String>,
    /// Conditions a row must meet, all of them, to be taken.
    #[serde(default)]
    pub rows: Vec<RowRule>,
}

impl Selection {
    /// All items and rows (left out of a schema's JSON).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.rows.is_empty()
    }
}

impl From<domain::pool::select::Selection> for Selection {
    fn from(v: domain::pool::select::Selection) -> Self {
        let domain::pool::select::Selection { items, rows } = v;
        Selection {
            items,
            rows: rows.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<Selection> for domain::pool::select::Selection {
    fn from(v: Selection) -> Self {
        let Selection { items, rows } = v;
        domain::pool::select::Selection {
            items,
            rows: rows.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RowRule {
    /// The item, by name or column code.
    pub item: String,
    pub op: RuleOp,
    /// The values compared with (typed as the item: dates, numbers, text).
    #[serde(default)]
    pub values: Vec<String>,
}

impl From<domain::pool::select::RowRule> for RowRule {
    fn from(v: domain::pool::select::RowRule) -> Self {
        let domain::pool::select::RowRule { item, op, values } = v;
        RowRule {
            item,
            op: op.into(),
            values,
        }
    }
}

impl From<RowRule> for domain::pool::select::RowRule {
    fn from(v: RowRule) -> Self {
        let RowRule { item, op, values } = v;
        domain::pool::select::RowRule {
            item,
            op: op.into(),
            values,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleOp {
    /// The value is one of `values`.
    In,
    /// The value is none of `values` (an empty cell passes).
    NotIn,
    /// The text starts with one of `values` (e.g. a region code prefix).
    Prefix,
    /// The cell is not empty.
    NotEmpty,
    /// The value is at least `values[0]` (numbers, dates, text order).
    AtLeast,
    /// The value is at most `values[0]`.
    AtMost,
}

impl From<domain::pool::select::RuleOp> for RuleOp {
    fn from(v: domain::pool::select::RuleOp) -> Self {
        match v {
            domain::pool::select::RuleOp::In => RuleOp::In,
            domain::pool::select::RuleOp::NotIn => RuleOp::NotIn,
            domain::pool::select::RuleOp::Prefix => RuleOp::Prefix,
            domain::pool::select::RuleOp::NotEmpty => RuleOp::NotEmpty,
            domain::pool::select::RuleOp::AtLeast => RuleOp::AtLeast,
            domain::pool::select::RuleOp::AtMost => RuleOp::AtMost,
        }
    }
}

impl From<RuleOp> for domain::pool::select::RuleOp {
    fn from(v: RuleOp) -> Self {
        match v {
            RuleOp::In => domain::pool::select::RuleOp::In,
            RuleOp::NotIn => domain::pool::select::RuleOp::NotIn,
            RuleOp::Prefix => domain::pool::select::RuleOp::Prefix,
            RuleOp::NotEmpty => domain::pool::select::RuleOp::NotEmpty,
            RuleOp::AtLeast => domain::pool::select::RuleOp::AtLeast,
            RuleOp::AtMost => domain::pool::select::RuleOp::AtMost,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IngestMode {
    /// Insert new keys, update existing ones.
    Upsert,
    /// Insert new keys; a key already in the pool is rejected.
    Insert,
    /// The batch becomes the whole pool.
    Replace,
    /// Remove the rows with these keys (other cells are ignored).
    Delete,
}

impl From<store::pool::batch::IngestMode> for IngestMode {
    fn from(v: store::pool::batch::IngestMode) -> Self {
        match v {
            store::pool::batch::IngestMode::Upsert => IngestMode::Upsert,
            store::pool::batch::IngestMode::Insert => IngestMode::Insert,
            store::pool::batch::IngestMode::Replace => IngestMode::Replace,
            store::pool::batch::IngestMode::Delete => IngestMode::Delete,
        }
    }
}

impl From<IngestMode> for store::pool::batch::IngestMode {
    fn from(v: IngestMode) -> Self {
        match v {
            IngestMode::Upsert => store::pool::batch::IngestMode::Upsert,
            IngestMode::Insert => store::pool::batch::IngestMode::Insert,
            IngestMode::Replace => store::pool::batch::IngestMode::Replace,
            IngestMode::Delete => store::pool::batch::IngestMode::Delete,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BatchReport {
    pub batch_id: i64,
    pub mode: IngestMode,
    pub received: i64,
    pub accepted: i64,
    pub rejected: i64,
    /// Rows the pool's selection rules left out (accepted + rejected + skipped =
    /// received; skipped is 0 for a pool without row rules).
    pub skipped: i64,
    /// True when this was a retry of a batch already recorded.
    pub replayed: bool,
}

impl From<store::pool::batch::BatchReport> for BatchReport {
    fn from(v: store::pool::batch::BatchReport) -> Self {
        let store::pool::batch::BatchReport {
            batch_id,
            mode,
            received,
            accepted,
            rejected,
            skipped,
            replayed,
        } = v;
        BatchReport {
            batch_id,
            mode: mode.into(),
            received,
            accepted,
            rejected,
            skipped,
            replayed,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct QuarantinedRow {
    pub row_number: i64,
    pub column: String,
    pub value: String,
    pub reason: String,
    /// The row as submitted.
    pub cells: Vec<String>,
}

impl From<store::pool::ingest::QuarantinedRow> for QuarantinedRow {
    fn from(v: store::pool::ingest::QuarantinedRow) -> Self {
        let store::pool::ingest::QuarantinedRow {
            row_number,
            column,
            value,
            reason,
            cells,
        } = v;
        QuarantinedRow {
            row_number,
            column,
            value,
            reason,
            cells,
        }
    }
}

/// What a batch refused: the submitted header and each problem of each refused row.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Quarantine {
    pub batch_id: i64,
    pub header: Vec<String>,
    pub rows: Vec<QuarantinedRow>,
}

impl From<store::pool::ingest::Quarantine> for Quarantine {
    fn from(v: store::pool::ingest::Quarantine) -> Self {
        let store::pool::ingest::Quarantine {
            batch_id,
            header,
            rows,
        } = v;
        Quarantine {
            batch_id,
            header,
            rows: rows.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PoolInfo {
    pub code: String,
    pub table: String,
    pub schema: PoolSchema,
    pub row_count: i64,
    pub last_batch_at: Option<String>,
}

impl From<store::pool::tables::PoolInfo> for PoolInfo {
    fn from(v: store::pool::tables::PoolInfo) -> Self {
        let store::pool::tables::PoolInfo {
            code,
            table,
            schema,
            row_count,
            last_batch_at,
        } = v;
        PoolInfo {
            code,
            table,
            schema: schema.into(),
            row_count,
            last_batch_at,
        }
    }
}

/// One change to a pool's rows, for incremental consumers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PoolChange {
    /// The change's sequence number in this pool. A row appears once, at its latest
    /// change: a consumer that applies the feed in order ends with the pool's state.
    pub seq: i64,
    pub batch_id: i64,
    /// upsert, delete, or replace (key `*`: the whole pool was replaced; the rows of
    /// the new snapshot follow).
    pub op: String,
    /// The key item values, joined by U+001F when there are several.
    pub key: String,
    pub at: String,
}

impl From<store::pool::tables::PoolChange> for PoolChange {
    fn from(v: store::pool::tables::PoolChange) -> Self {
        let store::pool::tables::PoolChange {
            seq,
            batch_id,
            op,
            key,
            at,
        } = v;
        PoolChange {
            seq,
            batch_id,
            op,
            key,
            at,
        }
    }
}

/// An organisation's capacity quota and what its pools use.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Quota {
    /// Most rows over all the organisation's pools (none: no limit).
    pub max_rows: Option<i64>,
    /// Most bytes of stored values (none: no limit).
    pub max_bytes: Option<i64>,
    #[serde(default)]
    pub rows: i64,
    #[serde(default)]
    pub bytes: i64,
}

impl From<store::pool::tables::Quota> for Quota {
    fn from(v: store::pool::tables::Quota) -> Self {
        let store::pool::tables::Quota {
            max_rows,
            max_bytes,
            rows,
            bytes,
        } = v;
        Quota {
            max_rows,
            max_bytes,
            rows,
            bytes,
        }
    }
}

impl From<Quota> for store::pool::tables::Quota {
    fn from(v: Quota) -> Self {
        let Quota {
            max_rows,
            max_bytes,
            rows,
            bytes,
        } = v;
        store::pool::tables::Quota {
            max_rows,
            max_bytes,
            rows,
            bytes,
        }
    }
}
