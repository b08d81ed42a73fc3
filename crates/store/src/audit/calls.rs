//! Data calls counted as they are logged (共享调用汇总): calls and rows served per hour
//! (UTC, as the entries' times are), consumer organisation, resource and outcome.
//! Statistics read these counts instead of scanning a log that grows by millions of
//! entries a day.
//!
//! Each node's entries are counted up to a mark (`share_calls_through`), in the same
//! transaction that moves the mark, so nothing is counted twice or lost in a crash.
//! Entries past the mark are counted when statistics are read. Most paths count what
//! they store at once; a node's audit writer on SQLite, whose every commit holds up
//! the calls waiting for it, tallies its groups in memory and counts them about once a
//! second. `audit verify` recounts the log and compares.

use crate::db::conn::Conn;
use crate::{Result, params};
use govshare_domain::audit::AuditRecord;
use std::collections::BTreeMap;

/// The audit actions that are data calls.
pub const DATA_CALLS: [&str; 5] = [
    "share.lookup",
    "share.verify",
    "share.batch",
    "share.query",
    "share.changes",
];

/// The data call actions as an SQL list.
pub fn data_calls_sql() -> String {
    DATA_CALLS.map(|a| format!("'{a}'")).join(", ")
}

/// Where a count belongs: hour (`2026-12-06T09`), consumer organisation (0 when the
/// call had none), resource code, outcome.
pub type Key = (String, i64, String, String);

/// The data calls of a run of one node's records, not yet counted: the run's first
/// and last sequence numbers, and the calls and rows served by key.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    span: Option<(i64, i64)>,
    sums: BTreeMap<Key, (i64, i64)>,
    /// Records were added that did not follow the run (a group whose commit failed may
    /// be in the log after all): the run is then counted from the log.
    gap: bool,
    /// The visits counted under grants (see `visits`).
    visits: crate::audit::visits::Sums,
}

impl Tally {
    pub fn of(records: &[AuditRecord]) -> Tally {
        let mut t = Tally::default();
        t.add(records);
        t
    }

    /// Adds records that follow the run so far.
    pub fn add(&mut self, records: &[AuditRecord]) {
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return;
        };
        self.gap |= self.span.is_some_and(|(_, l)| first.seq != l + 1)
            || records.windows(2).any(|w| w[1].seq != w[0].seq + 1);
        self.span = Some((self.span.map_or(first.seq, |(f, _)| f), last.seq));
        for r in records {
            let e = &r.entry;
            crate::audit::visits::add(&mut self.visits, e);
            if !DATA_CALLS.contains(&e.action.as_str()) {
                continue;
            }
            let hour = e.at.get(..13).unwrap_or(&e.at).to_string();
            let key = (
                hour,
                e.org_id.unwrap_or(0),
                e.resource_code.clone(),
                e.outcome.clone(),
            );
            let sum = self.sums.entry(key).or_default();
            sum.0 += 1;
            sum.1 += e.row_count;
        }
    }
}

const ADD: &str = "ON CONFLICT (hour, org_id, resource_code, outcome) DO UPDATE \
     SET calls = share_calls.calls + excluded.calls, rows_served = share_calls.rows_served + excluded.rows_served";

/// Where node `node`'s entries are counted up to (0 before any).
fn mark(conn: &mut dyn Conn, node: &str) -> Result<i64> {
    conn.query_opt(
        "SELECT seq FROM share_calls_through WHERE node_id = ?",
        &params![node],
    )?
    .map_or(Ok(0), |r| r.i64("seq"))
}

/// Makes sure node `node` has a mark, so that statistics count its entries past it.
pub(crate) fn mark_node(conn: &mut dyn Conn, node: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO share_calls_through (node_id, seq) VALUES (?, 0) ON CONFLICT (node_id) DO NOTHING",
        &params![node],
    )?;
    Ok(())
}

/// Counts node `node`'s entries up to the end of `tally`'s run (stored already, in the
/// caller's transaction) and moves the mark there. The counts come from the tally
/// when its run starts right after the mark, and otherwise (a node that stopped
/// before counting what it had logged) from the log itself. Keys are taken in order,
/// so that nodes adding to the same counts at once never deadlock.
pub(crate) fn count(conn: &mut dyn Conn, node: &str, tally: &Tally) -> Result<()> {
    let Some((first, last)) = tally.span else {
        return Ok(());
    };
    let through = mark(conn, node)?;
    if last <= through {
        return Ok(());
    }
    if first == through + 1 && !tally.gap {
        let add = format!(
            "INSERT INTO share_calls (hour, org_id, resource_code, outcome, calls, rows_served) VALUES (?, ?, ?, ?, ?, ?) {ADD}"
        );
        for ((hour, org, code, outcome), (calls, rows)) in &tally.sums {
            conn.execute(&add, &params![hour, *org, code, outcome, *calls, *rows])?;
        }
        crate::audit::visits::count(conn, node, &tally.visits)?;
    } else {
        conn.execute(
            &format!(
                "INSERT INTO share_calls (hour, org_id, resource_code, outcome, calls, rows_served) {} {ADD}",
                recount_range_sql()
            ),
            &params![node, through, last],
        )?;
        let visits = crate::audit::visits::in_range(conn, node, through, last, None)?;
        crate::audit::visits::count(conn, node, &visits)?;
    }
    conn.execute(
        "INSERT INTO share_calls_through (node_id, seq) VALUES (?, ?) ON CONFLICT (node_id) DO UPDATE SET seq = excluded.seq",
        &params![node, last],
    )?;
    Ok(())
}

/// The counts as the log `audit_log` (in `schema`, `""` or `"audit."`) gives them, for
/// the entries `filter` (`WHERE … AND`, or `WHERE`) picks, in key order (the order in
/// which every path adds to the counts).
fn recount_sql(schema: &str, filter: &str) -> String {
    format!(
        "SELECT substr(at, 1, 13) AS hour, COALESCE(org_id, 0) AS org_id, resource_code, outcome, \
         COUNT(*) AS calls, CAST(SUM(row_count) AS BIGINT) AS rows_served \
         FROM {schema}audit_log {filter} action IN ({}) GROUP BY substr(at, 1, 13), COALESCE(org_id, 0), resource_code, outcome \
         ORDER BY 1, 2, 3, 4",
        data_calls_sql()
    )
}

/// The counts of one node's entries in a range of sequence numbers (parameters: node,
/// after, through).
fn recount_range_sql() -> String {
    recount_sql("", "WHERE node_id = ? AND seq > ? AND seq <= ? AND")
}

/// A count: where it belongs, the calls and the rows they served.
pub type Counted = (Key, (i64, i64));

/// A count as read: hour, organisation, resource, outcome, calls, rows served.
fn counted(r: &crate::value::Row) -> Result<Counted> {
    Ok((
        (
            r.text("hour")?,
            r.i64("org_id")?,
            r.text("resource_code")?,
            r.text("outcome")?,
        ),
        (r.i64("calls")?, r.i64("rows_served")?),
    ))
}

/// The entries past each node's mark, counted: what statistics add to the counts kept.
/// Each node's range is read by itself, and only when its chain goes past its mark
/// (a query over all the marks at once may be planned as a scan of the whole log).
pub(crate) fn uncounted(conn: &mut dyn Conn) -> Result<Vec<Counted>> {
    let mut found = Vec::new();
    for m in conn.query("SELECT node_id, seq FROM share_calls_through", &[])? {
        let (node, through) = (m.text("node_id")?, m.i64("seq")?);
        let (head, _) = crate::audit::chain::head(conn, &node)?;
        if head <= through {
            continue;
        }
        let rows = conn.query(&recount_range_sql(), &params![node, through, head])?;
        for r in rows {
            found.push(counted(&r)?);
        }
    }
    Ok(found)
}

/// A count that does not agree with the log: where, and the calls and rows served as
/// kept and as the log has them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Disagreement {
    pub hour: String,
    pub org_id: i64,
    pub resource_code: String,
    pub outcome: String,
    pub kept: (i64, i64),
    pub logged: (i64, i64),
}

/// Recounts the log and names the counts (kept, and past the marks) that differ from
/// it (edited, or made up).
pub(crate) fn check(conn: &mut dyn Conn) -> Result<Vec<Disagreement>> {
    type Both = ((i64, i64), (i64, i64));
    let mut counts: BTreeMap<Key, Both> = BTreeMap::new();
    for r in conn.query(&recount_sql("", "WHERE"), &[])? {
        let (k, n) = counted(&r)?;
        counts.entry(k).or_default().1 = n;
    }
    let kept = conn.query(
        "SELECT hour, org_id, resource_code, outcome, calls, rows_served FROM share_calls",
        &[],
    )?;
    let mut add = |k: Key, (calls, rows): (i64, i64)| {
        let c = &mut counts.entry(k).or_default().0;
        c.0 += calls;
        c.1 += rows;
    };
    for (k, n) in kept.iter().map(counted).collect::<Result<Vec<_>>>()? {
        add(k, n);
    }
    for (k, n) in uncounted(conn)? {
        add(k, n);
    }
    Ok(counts
        .into_iter()
        .filter(|(_, (kept, logged))| kept != logged)
        .map(
            |((hour, org_id, resource_code, outcome), (kept, logged))| Disagreement {
                hour,
                org_id,
                resource_code,
                outcome,
                kept,
                logged,
            },
        )
        .collect())
}

impl crate::Store {
    /// The counts of data calls that do not agree with the log (none, unless someone
    /// changed either).
    pub async fn check_share_calls(&self) -> Result<Vec<Disagreement>> {
        self.read(check).await
    }

    /// Grants' visit counts that do not agree with the log (none, unless someone
    /// changed either).
    pub async fn check_grant_visits(
        &self,
    ) -> Result<Vec<crate::audit::visits::VisitsDisagreement>> {
        self.read(crate::audit::visits::check).await
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::audit::log::AuditEntry;
    use crate::testing::{backends, fresh_database};
    use govshare_domain::access::Visibility;

    fn call(at: &str, org: Option<i64>, action: &str, outcome: &str, rows: i64) -> AuditEntry {
        AuditEntry {
            at: at.into(),
            actor: "渝中区户籍核验".into(),
            org_id: org,
            action: action.into(),
            resource_code: "101001/000004".into(),
            row_count: rows,
            outcome: outcome.into(),
            ..Default::default()
        }
    }

    async fn kept(store: &Store) -> Vec<(String, i64, String, i64, i64)> {
        store
            .read(|c| {
                c.query(
                    "SELECT hour, org_id, outcome, calls, rows_served FROM share_calls ORDER BY hour, org_id, outcome",
                    &[],
                )?
                .iter()
                .map(|r| {
                    Ok((
                        r.text("hour")?,
                        r.i64("org_id")?,
                        r.text("outcome")?,
                        r.i64("calls")?,
                        r.i64("rows_served")?,
                    ))
                })
                .collect()
            })
            .await
            .unwrap()
    }

    /// Two nodes' data calls are counted by hour, organisation and outcome as they are
    /// logged (other entries not at all); statistics read the counts, China days
    /// included; a count changed by hand is named by the recount, and counting the log
    /// again gives the same counts as were kept.
    #[tokio::test]
    async fn counts_follow_the_log_and_agree_with_a_recount() {
        for backend in backends() {
            let store = Store::open(&fresh_database(backend)).await.unwrap();
            let first = vec![
                call("2026-12-01T09:10:00.000Z", Some(7), "share.lookup", "ok", 1),
                call("2026-12-01T09:20:00.000Z", Some(7), "share.batch", "ok", 5),
                call(
                    "2026-12-01T09:30:00.000Z",
                    Some(7),
                    "share.lookup",
                    "denied",
                    0,
                ),
                call("2026-12-01T09:40:00.000Z", Some(7), "login", "ok", 0),
            ];
            store.append_audit("n1", first).await.unwrap();
            let second = vec![
                call("2026-12-01T09:50:00.000Z", Some(7), "share.verify", "ok", 1),
                call("2026-12-01T16:05:00.000Z", None, "share.query", "ok", 3),
            ];
            store.append_audit("n2", second).await.unwrap();
            let counts = kept(&store).await;
            let expected = vec![
                ("2026-12-01T09".to_string(), 7, "denied".to_string(), 1, 0),
                ("2026-12-01T09".to_string(), 7, "ok".to_string(), 3, 7),
                ("2026-12-01T16".to_string(), 0, "ok".to_string(), 1, 3),
            ];
            assert_eq!(counts, expected, "{backend}");
            assert_eq!(
                store.check_share_calls().await.unwrap(),
                vec![],
                "{backend}"
            );

            let stats = store
                .share_stats(Visibility::All, None, None)
                .await
                .unwrap();
            assert_eq!((stats.total_calls, stats.rows_served), (4, 10), "{backend}");
            let days: Vec<(String, i64)> = stats
                .by_day
                .iter()
                .map(|d| (d.key.clone(), d.calls))
                .collect();
            // 16:05 UTC is past midnight in China.
            assert_eq!(
                days,
                [("2026-12-01".to_string(), 3), ("2026-12-02".to_string(), 1)],
                "{backend}"
            );
            let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 2);
            let one = store.share_stats(Visibility::All, day, day).await.unwrap();
            assert_eq!(one.total_calls, 1, "{backend}");

            store
                .write_audit(|c| c.batch("UPDATE share_calls SET rows_served = 70 WHERE outcome = 'ok' AND org_id = 7"))
                .await
                .unwrap();
            let differ = store.check_share_calls().await.unwrap();
            assert_eq!(differ.len(), 1, "{backend}: {differ:?}");
            assert_eq!(
                (differ[0].hour.as_str(), differ[0].kept, differ[0].logged),
                ("2026-12-01T09", (3, 70), (3, 7)),
                "{backend}"
            );
            store
                .write_audit(|c| {
                    c.batch("DELETE FROM share_calls; DELETE FROM share_calls_through")?;
                    crate::schema::steps::count_calls::recount(c, "")
                })
                .await
                .unwrap();
            assert_eq!(kept(&store).await, expected, "{backend}: counted again");
            assert_eq!(
                store.check_share_calls().await.unwrap(),
                vec![],
                "{backend}"
            );
        }
    }

    /// A node's writer that stores groups without counting them: its entries past the
    /// mark are counted when statistics are read; a tally that follows the mark is
    /// counted from memory, and one with a gap (a group whose commit seemed to fail
    /// but was stored) from the log, so that nothing is lost or counted twice.
    #[tokio::test]
    async fn groups_stored_uncounted_are_counted_later_and_meanwhile_read() {
        use crate::audit::calls::Tally;
        use crate::audit::log::chain;
        for backend in backends() {
            let store = Store::open(&fresh_database(backend)).await.unwrap();
            let now = |s: &Store, records: Vec<_>, tally: Option<Tally>| {
                let s = s.clone();
                async move {
                    tokio::task::spawn_blocking(move || {
                        s.insert_audit_now(&records, tally.as_ref())
                    })
                    .await
                    .unwrap()
                    .unwrap()
                }
            };
            let s = store.clone();
            let head = tokio::task::spawn_blocking(move || {
                s.mark_audit_node_now("n1").unwrap();
                s.audit_head_now("n1").unwrap()
            })
            .await
            .unwrap();
            let at = "2026-12-01T09:00:00.000Z";
            let entries = (0..6)
                .map(|_| call(at, Some(7), "share.lookup", "ok", 1))
                .collect::<Vec<_>>();
            let records = chain("n1", head, entries);
            let (a, rest) = records.split_at(2);
            let (b, c) = rest.split_at(2);
            now(&store, a.to_vec(), None).await;
            now(&store, b.to_vec(), None).await;
            assert_eq!(kept(&store).await, vec![], "{backend}: nothing counted yet");
            let stats = store
                .share_stats(Visibility::All, None, None)
                .await
                .unwrap();
            assert_eq!(stats.total_calls, 4, "{backend}: read past the mark");
            assert_eq!(
                store.check_share_calls().await.unwrap(),
                vec![],
                "{backend}"
            );
            // The tally missed group b (as if its commit had failed): counted from the log.
            let mut tally = Tally::of(a);
            tally.add(c);
            now(&store, c.to_vec(), Some(tally)).await;
            assert_eq!(
                kept(&store).await,
                vec![("2026-12-01T09".to_string(), 7, "ok".to_string(), 6, 6)],
                "{backend}"
            );
            let stats = store
                .share_stats(Visibility::All, None, None)
                .await
                .unwrap();
            assert_eq!(stats.total_calls, 6, "{backend}: counted once");
            assert_eq!(
                store.check_share_calls().await.unwrap(),
                vec![],
                "{backend}"
            );
            // A tally of what is counted already adds nothing.
            now(&store, vec![], Some(Tally::of(c))).await;
            assert_eq!(kept(&store).await[0].3, 6, "{backend}");
        }
    }

    /// A log written before the counts were kept (by an older govshare) is counted
    /// when the database is opened: on PostgreSQL by migration 8, on SQLite when the
    /// audit file is opened.
    #[tokio::test]
    async fn a_log_written_before_the_counts_is_counted_when_opened() {
        for backend in backends() {
            let url = fresh_database(backend);
            let store = Store::open(&url).await.unwrap();
            let calls = (0..3)
                .map(|i| {
                    call(
                        &format!("2026-12-01T0{i}:00:00.000Z"),
                        Some(7),
                        "share.lookup",
                        "ok",
                        1,
                    )
                })
                .collect();
            store.append_audit("n1", calls).await.unwrap();
            // As before the counts were kept: no tables, and the migration that makes
            // them not applied (the audit file's 2 on SQLite, the main 8 on PostgreSQL).
            let version = if backend == "postgres" { 8 } else { 2 };
            store
                .write_audit(move |c| {
                    c.batch("DROP TABLE share_calls; DROP TABLE share_calls_through")?;
                    c.batch(&format!(
                        "DELETE FROM schema_migrations WHERE version = {version}; DELETE FROM schema_steps WHERE version = {version}"
                    ))
                })
                .await
                .unwrap();
            drop(store);
            let store = Store::open(&url).await.unwrap();
            assert_eq!(kept(&store).await.len(), 3, "{backend}");
            assert_eq!(
                store.check_share_calls().await.unwrap(),
                vec![],
                "{backend}"
            );
        }
    }
}
