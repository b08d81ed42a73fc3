//! The audit log (审计日志): append-only, one hash chain per node. Each entry holds
//! the hash of the one before it, so an entry edited, deleted, reordered or forged
//! breaks the chain at that point, and `verify` names it.

use crate::audit::calls::{self, Tally};
pub use crate::audit::chain::head;
use crate::db::conn::Conn;
use crate::{Result, Store, params};
pub use govshare_domain::audit::{AuditEntry, AuditRecord, ChainHead, GENESIS, chain, entry_hash};
use serde::Serialize;

/// Records one transaction moves from a journal into the log at most.
pub const MOVE_BATCH: usize = 10_000;

const COLUMNS: &str = "node_id, seq, at, actor, app_id, org_id, action, resource_code, items, purpose, basis, row_count, digest, outcome, detail, prev_hash, hash, visits";

/// Which entries of a scope a listing keeps: each field given narrows it.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The organisation the caller acted for.
    pub org_id: Option<i64>,
    pub app_id: Option<i64>,
    pub resource_code: Option<String>,
    /// `ok`, `denied`, `not_found`, …
    pub outcome: Option<String>,
    /// Entries at or after this time (RFC 3339, UTC).
    pub from: Option<String>,
    /// Entries before this time.
    pub to: Option<String>,
}

impl AuditFilter {
    /// The filter as SQL conditions (each ` AND …`) and their values.
    fn conditions(&self) -> (String, Vec<crate::value::Value>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        let mut add = |condition: &str, value: crate::value::Value| {
            sql.push_str(" AND ");
            sql.push_str(condition);
            values.push(value);
        };
        if let Some(v) = self.org_id {
            add("org_id = ?", v.into());
        }
        if let Some(v) = self.app_id {
            add("app_id = ?", v.into());
        }
        if let Some(v) = &self.resource_code {
            add("resource_code = ?", v.clone().into());
        }
        if let Some(v) = &self.outcome {
            add("outcome = ?", v.clone().into());
        }
        if let Some(v) = &self.from {
            add("at >= ?", v.clone().into());
        }
        if let Some(v) = &self.to {
            add("at < ?", v.clone().into());
        }
        (sql, values)
    }
}

fn record(r: &crate::value::Row) -> Result<AuditRecord> {
    Ok(AuditRecord {
        node_id: r.text("node_id")?,
        seq: r.i64("seq")?,
        entry: AuditEntry {
            at: r.text("at")?,
            actor: r.text("actor")?,
            app_id: r.opt_i64("app_id")?,
            org_id: r.opt_i64("org_id")?,
            action: r.text("action")?,
            resource_code: r.text("resource_code")?,
            items: r.text("items")?,
            purpose: r.text("purpose")?,
            basis: r.text("basis")?,
            row_count: r.i64("row_count")?,
            digest: r.text("digest")?,
            outcome: r.text("outcome")?,
            detail: r.text("detail")?,
            visits: r.i64("visits")?,
        },
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

/// Stores records in one statement. Two writers of one node's chain cannot both
/// store the same place: the second meets the first's sequence numbers and fails.
fn insert(conn: &mut dyn Conn, records: &[AuditRecord]) -> Result<()> {
    let columns: Vec<String> = COLUMNS.split(", ").map(String::from).collect();
    let rows: Vec<_> = records
        .iter()
        .map(|r| {
            let e = &r.entry;
            params![
                &r.node_id,
                r.seq,
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
                &r.prev_hash,
                &r.hash,
                e.visits
            ]
            .to_vec()
        })
        .collect();
    conn.copy_in("audit_log", &columns, &rows)
}

/// Moves records of a node's journal into its chain: those the log holds already
/// (moved before a crash, or by another mover) are skipped once the place where they
/// meet is shown to be the same entry; the rest must follow the log's head. Returns
/// the new head.
pub fn move_records(conn: &mut dyn Conn, node: &str, records: &[AuditRecord]) -> Result<ChainHead> {
    let (seq, hash) = head(conn, node)?;
    let conflict = |why: String| -> crate::StoreError {
        govshare_domain::Error::Conflict(format!("节点“{node}”的审计暂存日志与数据库不符：{why}"))
            .into()
    };
    if let Some(same) = records.iter().find(|r| r.seq == seq)
        && same.hash != hash
    {
        return Err(conflict(format!(
            "第{seq}条在两处内容不同（是否有两个节点使用同一 node_id？）"
        )));
    }
    let fresh = &records[records.partition_point(|r| r.seq <= seq)..];
    let Some(first) = fresh.first() else {
        return Ok((seq, hash));
    };
    if first.seq != seq + 1 || first.prev_hash != hash {
        return Err(conflict(format!(
            "数据库中的日志止于第{seq}条，暂存日志接着的是第{}条，且前序哈希不衔接（数据库是否从更早的备份恢复？）",
            first.seq
        )));
    }
    insert(conn, fresh)?;
    calls::count(conn, node, &Tally::of(fresh))?;
    let last = fresh.last().expect("not empty");
    Ok((last.seq, last.hash.clone()))
}

/// What `verify` found in one node's chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainReport {
    pub node_id: String,
    pub entries: i64,
    /// Signed checkpoints checked.
    pub checkpoints: i64,
    /// The newest signed checkpoint: the entry it vouches for and when it was signed.
    pub last_checkpoint: Option<(i64, String)>,
    /// The first entry that does not hold: its sequence number and what is wrong.
    pub first_bad: Option<(i64, String)>,
}

/// Recomputes a node's chain from the start.
pub fn verify_chain(conn: &mut dyn Conn, node: &str) -> Result<ChainReport> {
    let rows = conn.query(
        &format!("SELECT {COLUMNS} FROM audit_log WHERE node_id = ? ORDER BY seq"),
        &params![node],
    )?;
    let mut prev = GENESIS.to_string();
    let mut first_bad = None;
    for (i, row) in rows.iter().enumerate() {
        let rec = record(row)?;
        let expected_seq = i as i64 + 1;
        let own_hash_holds = entry_hash(node, rec.seq, &rec.prev_hash, &rec.entry) == rec.hash;
        let problem = if rec.seq != expected_seq {
            Some((
                expected_seq,
                format!("第{expected_seq}条缺失（被删除），其后是第{}条", rec.seq),
            ))
        } else if rec.prev_hash != prev && own_hash_holds {
            // This entry is intact, but what comes before it is not what it was made
            // after: the entry before was replaced by a forgery.
            Some((
                expected_seq - 1,
                "该条目被替换（伪造）：下一条记录的前序哈希与之不符".to_string(),
            ))
        } else if rec.prev_hash != prev {
            Some((
                expected_seq,
                "该条目不在原来的位置（被调换、改号或删除了之前的条目）".to_string(),
            ))
        } else if !own_hash_holds {
            Some((expected_seq, "内容与哈希不符：该条目被修改".to_string()))
        } else {
            None
        };
        if let Some(found) = problem {
            first_bad = Some(found);
            break;
        }
        prev = rec.hash;
    }
    let hashes: Vec<String> = rows.iter().map(|r| r.text("hash")).collect::<Result<_>>()?;
    let (checkpoints, last_checkpoint, bad_checkpoint) = check_checkpoints(conn, node, &hashes)?;
    Ok(ChainReport {
        node_id: node.to_string(),
        entries: rows.len() as i64,
        checkpoints,
        last_checkpoint,
        first_bad: first_bad.or(bad_checkpoint),
    })
}

/// Checks a node's signed checkpoints against its chain (`hashes[i]` is entry i+1):
/// each signature, and that the chain still holds the entry each one vouched for.
/// Returns how many there are, the newest (its entry and time) and the first problem.
#[allow(clippy::type_complexity)]
fn check_checkpoints(
    conn: &mut dyn Conn,
    node: &str,
    hashes: &[String],
) -> Result<(i64, Option<(i64, String)>, Option<(i64, String)>)> {
    use govshare_domain::sharing::checkpoint::{message, verify};
    let public = conn
        .query_opt(
            "SELECT public_key FROM audit_nodes WHERE node_id = ?",
            &params![node],
        )?
        .map(|r| r.text("public_key"))
        .transpose()?;
    let cps = conn.query(
        "SELECT seq, hash, at, signature FROM audit_checkpoints WHERE node_id = ? ORDER BY seq",
        &params![node],
    )?;
    for cp in &cps {
        let (seq, hash, at, sig) = (
            cp.i64("seq")?,
            cp.text("hash")?,
            cp.text("at")?,
            cp.text("signature")?,
        );
        let signed = public
            .as_deref()
            .is_some_and(|p| verify(p, &message(node, seq, &hash, &at), &sig));
        let problem = if !signed {
            Some((
                seq,
                format!("第{seq}条的签名检查点无效：检查点或节点公钥被改动"),
            ))
        } else if seq as usize > hashes.len() {
            Some((
                hashes.len() as i64 + 1,
                format!(
                    "日志被截断：签名检查点确认过第{seq}条，现在只有{}条",
                    hashes.len()
                ),
            ))
        } else if hashes[seq as usize - 1] != hash {
            Some((
                seq,
                format!("与第{seq}条的签名检查点不符：该条及之前的条目被改写"),
            ))
        } else {
            None
        };
        if problem.is_some() {
            return Ok((cps.len() as i64, None, problem));
        }
    }
    let last = match cps.last() {
        Some(cp) => Some((cp.i64("seq")?, cp.text("at")?)),
        None => None,
    };
    Ok((cps.len() as i64, last, None))
}

/// One entry where it stands in its node's chain.
#[derive(Debug, Clone)]
pub struct AuditPlace {
    pub record: AuditRecord,
    /// Its hash recomputed from its content is the hash stored.
    pub intact: bool,
    /// The entry before it (or the chain's start) has the hash it was made after.
    pub linked: bool,
    /// Entries the node's chain holds now.
    pub chain_length: i64,
    /// The first signed checkpoint at or after it, which vouches for it.
    pub checkpoint: Option<CheckpointSeen>,
}

/// A signed checkpoint as one entry's page shows it.
#[derive(Debug, Clone)]
pub struct CheckpointSeen {
    pub seq: i64,
    pub at: String,
    /// Its signature holds under the node's key and the chain still holds the entry it
    /// signed.
    pub holds: bool,
}

/// Entry `seq` of `node` with its place in the chain, when `scope` may read it.
fn place(
    conn: &mut dyn Conn,
    scope: AuditScope,
    node: &str,
    seq: i64,
) -> Result<Option<AuditPlace>> {
    let (visible, mut values) = match scope {
        AuditScope::All => (String::new(), Vec::new()),
        AuditScope::Org(org) => (
            " AND (org_id = ? OR resource_code IN (SELECT code FROM resources WHERE owner_org_id = ?))".to_string(),
            params![org, org].to_vec(),
        ),
    };
    values.splice(0..0, params![node, seq].to_vec());
    let Some(row) = conn.query_opt(
        &format!("SELECT {COLUMNS} FROM audit_log WHERE node_id = ? AND seq = ?{visible}"),
        &values,
    )?
    else {
        return Ok(None);
    };
    let record = record(&row)?;
    let before = match seq {
        1 => Some(GENESIS.to_string()),
        _ => conn
            .query_opt(
                "SELECT hash FROM audit_log WHERE node_id = ? AND seq = ?",
                &params![node, seq - 1],
            )?
            .map(|r| r.text("hash"))
            .transpose()?,
    };
    let chain_length = conn
        .query_one(
            "SELECT COALESCE(MAX(seq), 0) AS n FROM audit_log WHERE node_id = ?",
            &params![node],
        )?
        .i64("n")?;
    let checkpoint = match conn.query_opt(
        "SELECT seq, hash, at, signature FROM audit_checkpoints WHERE node_id = ? AND seq >= ? ORDER BY seq LIMIT 1",
        &params![node, seq],
    )? {
        None => None,
        Some(cp) => {
            use govshare_domain::sharing::checkpoint::{message, verify};
            let (cp_seq, hash, at, signature) = (
                cp.i64("seq")?,
                cp.text("hash")?,
                cp.text("at")?,
                cp.text("signature")?,
            );
            let public = conn
                .query_opt("SELECT public_key FROM audit_nodes WHERE node_id = ?", &params![node])?
                .map(|r| r.text("public_key"))
                .transpose()?;
            let signed = public
                .is_some_and(|p| verify(&p, &message(node, cp_seq, &hash, &at), &signature));
            let still = conn
                .query_opt(
                    "SELECT hash FROM audit_log WHERE node_id = ? AND seq = ?",
                    &params![node, cp_seq],
                )?
                .map(|r| r.text("hash"))
                .transpose()?
                .is_some_and(|h| h == hash);
            Some(CheckpointSeen { seq: cp_seq, at, holds: signed && still })
        }
    };
    Ok(Some(AuditPlace {
        intact: entry_hash(node, seq, &record.prev_hash, &record.entry) == record.hash,
        linked: before.is_some_and(|h| h == record.prev_hash),
        record,
        chain_length,
        checkpoint,
    }))
}

/// Which entries a reader sees.
#[derive(Debug, Clone, Copy)]
pub enum AuditScope {
    /// Everything (the bureau, auditors).
    All,
    /// Entries by this organisation (its own use) or about its resources (who used
    /// its data).
    Org(i64),
}

impl Store {
    /// Records a node's public key the first time; a different key later for the
    /// same node is refused (its checkpoints could no longer be checked).
    pub(crate) async fn register_audit_key(&self, node: &str, public: &str) -> Result<()> {
        let (node, public) = (node.to_string(), public.to_string());
        self.write(move |c| {
            match c.query_opt("SELECT public_key FROM audit_nodes WHERE node_id = ?", &params![&node])? {
                Some(r) if r.text("public_key")? != public => Err(govshare_domain::Error::Conflict(format!(
                    "节点“{node}”的审计签名密钥与登记的不一致：请使用原密钥文件，或为新节点另取 node_id"
                ))
                .into()),
                Some(_) => Ok(()),
                None => c
                    .execute(
                        "INSERT INTO audit_nodes (node_id, public_key, created_at) VALUES (?, ?, ?)",
                        &params![&node, &public, crate::now()],
                    )
                    .map(|_| ()),
            }
        })
        .await
    }

    /// Refuses to go on with a chain shorter than its node's last signed checkpoint: its
    /// entries were lost (on SQLite, an audit file missing, cut, or restored from a
    /// backup older than the database). Appending would start a chain that no longer
    /// matches what the node signed.
    pub(crate) async fn check_audit_resumes(&self, node: &str) -> Result<()> {
        let node = node.to_string();
        self.read(move |c| {
            let seq = |sql: &str, c: &mut dyn Conn| -> Result<i64> {
                c.query_one(sql, &params![&node])?.i64("max_seq")
            };
            let head = seq(
                "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS max_seq FROM audit_log WHERE node_id = ?",
                c,
            )?;
            let signed = seq(
                "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS max_seq FROM audit_checkpoints WHERE node_id = ?",
                c,
            )?;
            if head < signed {
                return Err(govshare_domain::Error::Conflict(format!(
                    "节点“{node}”的审计日志只有{head}条，而它签名确认过{signed}条：审计日志缺失、被截断或来自更早的备份。请恢复与数据库一致的审计日志后再启动"
                ))
                .into());
            }
            Ok(())
        })
        .await
    }

    /// Signs a checkpoint of this node's chain when it has grown since the last one;
    /// returns the sequence number signed.
    pub(crate) async fn audit_checkpoint(
        &self,
        node: &str,
        sign: impl FnOnce(&[u8]) -> String + Send + 'static,
    ) -> Result<Option<i64>> {
        let node = node.to_string();
        // The head is read apart from the write: on SQLite the log is another file,
        // which the main file's writer does not hold. An entry once durable stays what
        // it is, so the head read is still true when the checkpoint is written.
        let head_node = node.clone();
        let (seq, hash) = self.read(move |c| head(c, &head_node)).await?;
        if seq == 0 {
            return Ok(None);
        }
        self.write(move |c| {
            let signed = c
                .query_one(
                    "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS max_seq FROM audit_checkpoints WHERE node_id = ?",
                    &params![&node],
                )?
                .i64("max_seq")?;
            if signed >= seq {
                return Ok(None);
            }
            let at = crate::now();
            let signature = sign(&govshare_domain::sharing::checkpoint::message(&node, seq, &hash, &at));
            c.execute(
                "INSERT INTO audit_checkpoints (node_id, seq, hash, at, signature) VALUES (?, ?, ?, ?, ?)",
                &params![&node, seq, &hash, &at, &signature],
            )?;
            Ok(Some(seq))
        })
        .await
    }

    /// Appends entries to this node's chain in one transaction: durable on return.
    pub(crate) async fn append_audit(&self, node: &str, entries: Vec<AuditEntry>) -> Result<()> {
        let (store, node) = (self.clone(), node.to_string());
        tokio::task::spawn_blocking(move || {
            store.audit_blocking(|c| {
                let head = self::head(c, &node)?;
                let records = chain(&node, head, entries);
                insert(c, &records)?;
                calls::count(c, &node, &Tally::of(&records))
            })
        })
        .await
        .map_err(|e| crate::StoreError::Unavailable(e.to_string()))?
        .map(|_| ())
    }

    /// The head of a node's chain as the log holds it, read on the caller's thread.
    pub(crate) fn audit_head_now(&self, node: &str) -> Result<ChainHead> {
        self.audit_blocking(|c| head(c, node))
    }

    /// Stores records made after the head the caller keeps (its node's one writer), in
    /// one transaction on the caller's thread: durable on return. Records that do not
    /// follow what the log holds meet its sequence numbers and fail. With `tally`
    /// (which must end with these records), the node's data calls are counted up to
    /// them in the same transaction.
    pub(crate) fn insert_audit_now(
        &self,
        records: &[AuditRecord],
        tally: Option<&Tally>,
    ) -> Result<()> {
        self.audit_blocking(|c| {
            insert(c, records)?;
            match (tally, records.first()) {
                (Some(t), Some(r)) => calls::count(c, &r.node_id, t),
                _ => Ok(()),
            }
        })
    }

    /// Gives node `node` a place in the call counts (see `share_calls`), so that its
    /// entries not yet counted are counted when statistics are read.
    pub(crate) fn mark_audit_node_now(&self, node: &str) -> Result<()> {
        self.audit_blocking(|c| calls::mark_node(c, node))
    }

    /// Moves journaled records into the log in one transaction, on the caller's
    /// thread (see `move_records`): durable on return, the log's new head returned.
    pub(crate) fn move_audit_now(&self, node: &str, records: &[AuditRecord]) -> Result<ChainHead> {
        self.audit_blocking(|c| move_records(c, node, records))
    }

    /// Moves what node `node`'s journal in `dir` holds into the log, leaving the
    /// journal as it is (a node may be writing it): for `audit verify` and for a node
    /// starting. Returns the records moved or found there already.
    pub(crate) async fn move_journal(&self, node: &str, dir: &std::path::Path) -> Result<usize> {
        let (store, node, dir) = (self.clone(), node.to_string(), dir.to_path_buf());
        tokio::task::spawn_blocking(move || {
            let found = crate::db::journal::read(&dir, &node, false)?;
            for part in found.records.chunks(MOVE_BATCH) {
                // Beside a running node its mover may store the same records first:
                // moved again, they are then found in the log and skipped.
                match store.move_audit_now(&node, part) {
                    Err(crate::StoreError::Unique(_)) => store.move_audit_now(&node, part)?,
                    moved => moved?,
                };
            }
            Ok(found.records.len())
        })
        .await
        .map_err(|e| crate::StoreError::Unavailable(e.to_string()))?
    }

    /// Verifies every node's chain.
    pub(crate) async fn verify_audit(&self) -> Result<Vec<ChainReport>> {
        self.read(|c| {
            let nodes = c.query(
                "SELECT node_id FROM audit_log UNION SELECT node_id FROM audit_checkpoints ORDER BY 1",
                &[],
            )?;
            nodes.iter().map(|n| verify_chain(c, &n.text("node_id")?)).collect()
        })
        .await
    }

    /// Entry `seq` of `node` and its place in the chain, if `scope` may read it.
    pub(crate) async fn audit_entry(
        &self,
        scope: AuditScope,
        node: &str,
        seq: i64,
    ) -> Result<Option<AuditPlace>> {
        let node = node.to_string();
        self.read(move |c| place(c, scope, &node, seq)).await
    }

    /// The newest entries a reader may see, newest first, before `before` (a sequence
    /// number of `node`), at most `limit`.
    pub(crate) async fn audit_entries(
        &self,
        scope: AuditScope,
        node: &str,
        filter: AuditFilter,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>> {
        let node = node.to_string();
        self.read(move |c| {
            let before = before.unwrap_or(i64::MAX);
            let (extra, extra_values) = filter.conditions();
            let newest = |c: &mut dyn Conn, column: &str, value: crate::value::Value| {
                c.query(
                    &format!("SELECT {COLUMNS} FROM audit_log WHERE node_id = ? AND {column} = ?{extra} AND seq < ? ORDER BY seq DESC LIMIT ?"),
                    &[params![&node].to_vec(), vec![value], extra_values.clone(), params![before, limit].to_vec()].concat(),
                )
            };
            let rows = match scope {
                AuditScope::All => c.query(
                    &format!("SELECT {COLUMNS} FROM audit_log WHERE node_id = ?{extra} AND seq < ? ORDER BY seq DESC LIMIT ?"),
                    &[params![&node].to_vec(), extra_values.clone(), params![before, limit].to_vec()].concat(),
                )?,
                // The organisation's own calls, and each of its resources' calls, read
                // newest first along their own index and merged: a walk of the whole
                // chain would read every entry to find an organisation that has few.
                AuditScope::Org(org) => {
                    let mut rows = newest(c, "org_id", org.into())?;
                    let codes = c.query(
                        "SELECT code FROM resources WHERE owner_org_id = ? ORDER BY code",
                        &params![org],
                    )?;
                    for code in codes {
                        rows.extend(newest(c, "resource_code", code.text("code")?.into())?);
                    }
                    let mut by_seq = std::collections::BTreeMap::new();
                    for r in rows {
                        by_seq.insert(std::cmp::Reverse(r.i64("seq")?), r);
                    }
                    by_seq.into_values().take(limit.max(0) as usize).collect()
                }
            };
            rows.iter().map(record).collect()
        })
        .await
    }
}
