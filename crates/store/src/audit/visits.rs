//! A grant's visits counted from the audit log (授权访问计数). Each entry of a call
//! under a grant says how many visits it counted; the entries are added up per grant,
//! node and day (China time) in `grant_visits`, in the same transaction that moves the
//! node's count mark, as the data calls are (see `calls`). What a grant has used is
//! those counts, plus the entries past each node's mark, plus what was counted in
//! `share_grants.used_total` and `grant_usage` before entries carried visits.

use crate::db::conn::Conn;
use crate::{Result, params};
use govshare_domain::audit::AuditEntry;
use std::collections::BTreeMap;

/// Visits by grant and day (`2026-12-07`).
pub type Sums = BTreeMap<(i64, String), i64>;

/// Adds an entry's visits, if it counted any.
pub fn add(sums: &mut Sums, e: &AuditEntry) {
    if let Some((grant, visits)) = e.grant_visits() {
        let day = crate::clock::day_of(&e.at).map_or_else(String::new, |d| d.to_string());
        *sums.entry((grant, day)).or_default() += visits;
    }
}

/// The part of a logged entry (its `at`, `basis` and `visits`) that counts visits.
fn counting(r: &crate::value::Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        at: r.text("at")?,
        basis: r.text("basis")?,
        visits: r.i64("visits")?,
        ..Default::default()
    })
}

/// Adds `sums` of node `node`'s entries to the counts (in the caller's transaction),
/// in key order so that nodes adding at once never deadlock.
pub(crate) fn count(conn: &mut dyn Conn, node: &str, sums: &Sums) -> Result<()> {
    for ((grant, day), visits) in sums {
        conn.execute(
            "INSERT INTO grant_visits (grant_id, node_id, day, visits) VALUES (?, ?, ?, ?) \
             ON CONFLICT (grant_id, node_id, day) DO UPDATE SET visits = grant_visits.visits + excluded.visits",
            &params![*grant, node, day, *visits],
        )?;
    }
    Ok(())
}

/// The visits of node `node`'s entries after `after` up to `through`, from the log,
/// of one grant or of all.
pub(crate) fn in_range(
    conn: &mut dyn Conn,
    node: &str,
    after: i64,
    through: i64,
    grant: Option<i64>,
) -> Result<Sums> {
    let mut sql = "SELECT at, basis, visits FROM audit_log WHERE node_id = ? AND seq > ? AND seq <= ? AND visits <> 0".to_string();
    let mut p = params![node, after, through].to_vec();
    if let Some(g) = grant {
        sql.push_str(" AND basis = ?");
        p.push(format!("grant:{g}").into());
    }
    let mut sums = Sums::new();
    for r in conn.query(&sql, &p)? {
        add(&mut sums, &counting(&r)?);
    }
    Ok(sums)
}

/// What a grant has used by the log: in all, and on `day`; of node `node` alone, or
/// of every node. Legacy counts (before entries carried visits) are not included.
pub(crate) fn logged(
    conn: &mut dyn Conn,
    grant: i64,
    day: &str,
    node: Option<&str>,
) -> Result<(i64, i64)> {
    let (mut total, mut on_day) = (0, 0);
    let kept = match node {
        Some(n) => conn.query(
            "SELECT day, visits FROM grant_visits WHERE grant_id = ? AND node_id = ?",
            &params![grant, n],
        )?,
        None => conn.query(
            "SELECT day, visits FROM grant_visits WHERE grant_id = ?",
            &params![grant],
        )?,
    };
    for r in kept {
        let visits = r.i64("visits")?;
        total += visits;
        if r.text("day")? == day {
            on_day += visits;
        }
    }
    for m in conn.query("SELECT node_id, seq FROM share_calls_through", &[])? {
        let (n, through) = (m.text("node_id")?, m.i64("seq")?);
        if node.is_some_and(|wanted| wanted != n) {
            continue;
        }
        let (head, _) = crate::audit::chain::head(conn, &n)?;
        if head <= through {
            continue;
        }
        for ((_, d), visits) in in_range(conn, &n, through, head, Some(grant))? {
            total += visits;
            if d == day {
                on_day += visits;
            }
        }
    }
    Ok((total, on_day))
}

/// A grant's visits as kept that do not agree with the log: grant, node, day, and the
/// visits kept (counted, and past the mark) and logged.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VisitsDisagreement {
    pub grant_id: i64,
    pub node_id: String,
    pub day: String,
    pub kept: i64,
    pub logged: i64,
}

/// Recounts every grant's visits from the log and names the counts that differ from
/// it (edited, or made up).
pub(crate) fn check(conn: &mut dyn Conn) -> Result<Vec<VisitsDisagreement>> {
    type Key = (i64, String, String);
    let mut counts: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
    let logged = conn.query(
        "SELECT node_id, at, basis, visits FROM audit_log WHERE visits <> 0",
        &[],
    )?;
    for r in logged {
        let node = r.text("node_id")?;
        let mut sums = Sums::new();
        add(&mut sums, &counting(&r)?);
        for ((grant, day), n) in sums {
            counts.entry((grant, node.clone(), day)).or_default().1 += n;
        }
    }
    for r in conn.query(
        "SELECT grant_id, node_id, day, visits FROM grant_visits",
        &[],
    )? {
        let key = (r.i64("grant_id")?, r.text("node_id")?, r.text("day")?);
        counts.entry(key).or_default().0 += r.i64("visits")?;
    }
    for m in conn.query("SELECT node_id, seq FROM share_calls_through", &[])? {
        let (node, through) = (m.text("node_id")?, m.i64("seq")?);
        let (head, _) = crate::audit::chain::head(conn, &node)?;
        for ((grant, day), n) in in_range(conn, &node, through, head, None)? {
            counts.entry((grant, node.clone(), day)).or_default().0 += n;
        }
    }
    Ok(counts
        .into_iter()
        .filter(|(_, (kept, logged))| kept != logged)
        .map(
            |((grant_id, node_id, day), (kept, logged))| VisitsDisagreement {
                grant_id,
                node_id,
                day,
                kept,
                logged,
            },
        )
        .collect())
}
