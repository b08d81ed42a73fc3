//! The threads behind the audit log. The writer takes whatever entries have gathered,
//! places them in the chain, makes them durable with one sync (group commit), and only
//! then lets their calls go on. On PostgreSQL it appends them to the node's journal,
//! and the mover takes the journaled records into the database many at a time and
//! removes a journal segment once all its records are there. On SQLite the audit
//! file's own write-ahead log is such a journal, local and synced at each commit, so
//! the writer commits each group there and no second copy is made.

use crate::Backends;
use govshare_store::audit::calls::Tally;
use govshare_store::audit::log::{AuditEntry, AuditRecord, ChainHead, MOVE_BATCH, chain};
use govshare_store::db::journal::{self, Journal};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};

/// Entries one group takes at most.
pub const GROUP: usize = 1024;
/// How long the mover waits before it tries again after the database refused.
const RETRY: Duration = Duration::from_millis(250);
/// How often the mover takes what has gathered into the database, unless a reader of
/// the log is waiting: under load, one transaction of about a hundred entries rather
/// than one per group. The writer does not wake it for each group (a wake-up per group
/// cost as much as moving the group). Every 100 ms, a thousand entries at a time, the
/// database's work on them held a core for 10-15 ms at once, and the calls answered
/// meanwhile made the p99; every 10 ms the same work comes in slices a tenth as long.
const MOVE_EVERY: Duration = Duration::from_millis(10);

pub type Outcome = Result<(), String>;
pub type Waiting = (AuditEntry, oneshot::Sender<Outcome>);

/// What the writer hands the mover, in the order it happened.
pub enum Journaled {
    Records(Vec<AuditRecord>),
    /// A segment closed after the record with this sequence number.
    Closed(PathBuf, i64),
}

/// Wakes the mover (when there is one) to move what has gathered now rather than
/// when it is due.
#[derive(Clone, Default)]
pub struct Nudge(Option<std::thread::Thread>);

impl Nudge {
    pub fn now(&self) {
        if let Some(mover) = &self.0 {
            mover.unpark();
        }
    }
}

/// Where the chain stands: journaled (answered) and moved into the database.
pub struct Heads {
    pub written: AtomicI64,
    pub moved: watch::Sender<i64>,
}

/// Where the writer makes a group durable.
pub enum Sink {
    /// The node's journal, moved into the database by the mover.
    Journal(Journal),
    /// The database itself, one commit per group; after a failure the head is read
    /// again (the commit may have happened). The groups' data calls are tallied and
    /// counted about once every `COUNT_EVERY`, with a group, rather than with each.
    Database {
        reread: bool,
        tally: Tally,
        counted: std::time::Instant,
    },
}

impl Sink {
    /// Writes each group to the database itself.
    pub fn database() -> Sink {
        Sink::Database {
            reread: false,
            tally: Tally::default(),
            counted: std::time::Instant::now(),
        }
    }
}

/// How often at most a writer to the database counts the data calls it has logged
/// (see `share_calls`): a commit that also adds to the counts writes one page more,
/// and on SQLite every commit holds up the calls waiting for it.
const COUNT_EVERY: Duration = Duration::from_secs(1);

pub struct Writer {
    pub node: Arc<str>,
    pub store: Backends,
    pub sink: Sink,
    pub head: ChainHead,
    /// Entries journaled but not yet moved at which new groups fail closed.
    pub backlog: u64,
    pub heads: Arc<Heads>,
    pub entries: Arc<AtomicU64>,
}

impl Writer {
    /// Starts the writer and the mover; entries arrive on `rx`.
    pub fn spawn(self, mut rx: mpsc::Receiver<Waiting>) -> Nudge {
        // The writer hands each group's outcome to one task on the runtime, which
        // lets the group's calls go on: one wake-up across threads per group rather
        // than one per call.
        let (done_tx, mut done_rx) =
            mpsc::unbounded_channel::<(Vec<oneshot::Sender<Outcome>>, Outcome)>();
        tokio::spawn(async move {
            while let Some((waiting, outcome)) = done_rx.recv().await {
                for w in waiting {
                    let _ = w.send(outcome.clone());
                }
            }
        });
        let (move_tx, move_rx) = std::sync::mpsc::channel::<Journaled>();
        let mut nudge = Nudge::default();
        if matches!(self.sink, Sink::Journal(_)) {
            let mover = Mover {
                node: self.node.clone(),
                store: self.store.clone(),
                heads: self.heads.clone(),
            };
            let started = std::thread::Builder::new()
                .name("audit-mover".into())
                .spawn(move || mover.run(move_rx))
                .expect("start the audit mover");
            nudge = Nudge(Some(started.thread().clone()));
        }
        let mut writer = self;
        let wake = nudge.clone();
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut group = vec![first];
                    while group.len() < GROUP {
                        match rx.try_recv() {
                            Ok(w) => group.push(w),
                            Err(_) => break,
                        }
                    }
                    let (entries, waiting): (Vec<_>, Vec<_>) = group.into_iter().unzip();
                    let outcome = writer.write(entries, &move_tx, &wake);
                    if let Err(e) = &outcome {
                        tracing::error!(error = %e, "audit log not written: calls fail closed");
                    }
                    if let Err(mpsc::error::SendError((waiting, outcome))) =
                        done_tx.send((waiting, outcome))
                    {
                        for w in waiting {
                            let _ = w.send(outcome.clone());
                        }
                    }
                }
            })
            .expect("start the audit writer");
        nudge
    }

    fn write(
        &mut self,
        entries: Vec<AuditEntry>,
        mover: &std::sync::mpsc::Sender<Journaled>,
        wake: &Nudge,
    ) -> Outcome {
        let n = entries.len() as u64;
        match &mut self.sink {
            Sink::Journal(_) => {
                let unmoved = (self.head.0 - *self.heads.moved.borrow()) as u64;
                if unmoved >= self.backlog {
                    return Err(format!(
                        "{unmoved} 条审计记录尚未写入数据库（上限 {}）",
                        self.backlog
                    ));
                }
            }
            Sink::Database { reread, .. } => {
                if *reread {
                    self.head = self
                        .store
                        .audit_chain
                        .audit_head_now(&self.node)
                        .map_err(|e| e.to_string())?;
                    *reread = false;
                }
            }
        }
        let records = chain(&self.node, self.head.clone(), entries);
        let last = records.last().expect("a group has entries");
        let head = (last.seq, last.hash.clone());
        match &mut self.sink {
            Sink::Journal(journal) => {
                let closed = journal.append(&records).map_err(|e| e.to_string())?;
                let _ = mover.send(Journaled::Records(records));
                // Half the backlog the database may fall behind by: moved now, not when
                // the mover is due, before calls come near failing closed.
                if (head.0 - *self.heads.moved.borrow()) as u64 * 2 >= self.backlog {
                    wake.now();
                }
                if let Some(path) = closed {
                    let _ = mover.send(Journaled::Closed(path, head.0));
                }
            }
            Sink::Database {
                reread,
                tally,
                counted,
            } => {
                let due = (counted.elapsed() >= COUNT_EVERY).then(|| {
                    let mut all = tally.clone();
                    all.add(&records);
                    all
                });
                if let Err(e) = self
                    .store
                    .audit_chain
                    .insert_audit_now(&records, due.as_ref())
                {
                    *reread = true;
                    return Err(e.to_string());
                }
                if due.is_some() {
                    *tally = Tally::default();
                    *counted = std::time::Instant::now();
                } else {
                    tally.add(&records);
                }
                self.heads.moved.send_replace(head.0);
            }
        }
        self.head = head;
        self.heads.written.store(self.head.0, Ordering::SeqCst);
        self.entries.fetch_add(n, Ordering::Relaxed);
        Ok(())
    }
}

struct Mover {
    node: Arc<str>,
    store: Backends,
    heads: Arc<Heads>,
}

impl Mover {
    /// Every `MOVE_EVERY`, or at once when nudged, takes what the writer has handed
    /// over into the database; once the writer is gone, moves what is left and ends.
    fn run(self, rx: std::sync::mpsc::Receiver<Journaled>) {
        use std::sync::mpsc::TryRecvError;
        let mut pending: Vec<AuditRecord> = Vec::new();
        let mut closed: Vec<(PathBuf, i64)> = Vec::new();
        let mut failures = 0u64;
        let mut ended = false;
        while !(ended && pending.is_empty()) {
            if !ended {
                std::thread::park_timeout(MOVE_EVERY);
            }
            loop {
                match rx.try_recv() {
                    Ok(Journaled::Records(r)) => pending.extend(r),
                    Ok(Journaled::Closed(path, last)) => closed.push((path, last)),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        ended = true;
                        break;
                    }
                }
            }
            while !pending.is_empty() {
                let n = pending.len().min(MOVE_BATCH);
                match self
                    .store
                    .audit_chain
                    .move_audit_now(&self.node, &pending[..n])
                {
                    Ok((seq, _)) => {
                        pending.drain(..n);
                        failures = 0;
                        // Segments first: a reader told all is moved finds them gone.
                        self.remove_moved(&mut closed, seq);
                        self.heads.moved.send_replace(seq);
                    }
                    Err(e) => {
                        if failures.is_multiple_of(40) {
                            tracing::error!(error = %e, pending = pending.len(), "audit entries not moved into the database; retrying");
                        }
                        failures += 1;
                        std::thread::sleep(RETRY);
                        break;
                    }
                }
            }
        }
    }

    /// Removes the closed segments whose records are all in the database.
    fn remove_moved(&self, closed: &mut Vec<(PathBuf, i64)>, moved: i64) {
        closed.retain(|(path, last)| {
            if *last > moved {
                return true;
            }
            if let Err(e) = journal::remove(path) {
                tracing::warn!(error = %e, "moved audit journal segment not removed");
            }
            false
        });
    }
}
