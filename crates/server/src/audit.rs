//! The audit hook: handlers hand entries to one writer, which makes whatever has
//! gathered durable in the node's journal with one sync (group commit) and only then
//! lets each caller go on; a mover takes them on into the database. A call whose
//! entry could not be made durable is not answered with data: it fails closed (503),
//! as X-Road does.

use crate::Backends;
use crate::audit_writer::{Heads, Nudge, Sink, Waiting, Writer};
use crate::error::ApiError;
use govshare_domain::sharing::checkpoint::NodeKey;
use govshare_store::audit::log::{AuditEntry, MOVE_BATCH};
use govshare_store::db::journal::{self, Journal};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// How long a reader of the log waits for what was answered to reach the database.
const FLUSH_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<Waiting>,
    node_id: Arc<str>,
    key: Arc<NodeKey>,
    store: Backends,
    counts: Arc<Counts>,
    heads: Arc<Heads>,
    mover: Nudge,
    /// A journal of its own in a temporary directory, when none was configured.
    _scratch: Option<Arc<tempfile::TempDir>>,
}

/// What this node has done since it started, for monitoring.
#[derive(Default)]
pub struct Counts {
    /// Entries made durable.
    pub entries: Arc<AtomicU64>,
    /// Data calls answered with data (each after its entry was durable).
    pub answers: AtomicU64,
}

/// Where the node keeps its journal and how far the database may fall behind it.
pub struct JournalConfig {
    /// The journal's directory (a temporary one, removed with the log, when absent).
    pub dir: Option<PathBuf>,
    /// Entries journaled but not yet in the database beyond which calls fail closed.
    pub backlog: u64,
    /// Past this size a journal segment is closed (removed once moved).
    pub segment_bytes: u64,
}

/// Reads this node's signing key from `path`, or makes one there (readable by its
/// owner only) the first time; without a path the key lives in memory.
pub fn load_or_create_key(path: Option<&std::path::Path>) -> std::io::Result<NodeKey> {
    let fresh = || {
        use rand::RngCore;
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        NodeKey::from_secret(secret)
    };
    let Some(path) = path else {
        return Ok(fresh());
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                .ok_or_else(|| {
                    std::io::Error::other(format!("{} is not an audit key", path.display()))
                })?;
            Ok(NodeKey::from_secret(bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = fresh();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            std::io::Write::write_all(
                &mut options.open(path)?,
                hex::encode(key.secret()).as_bytes(),
            )?;
            Ok(key)
        }
        Err(e) => Err(e),
    }
}

/// Takes what a journal left (after a crash, or a stop that could not finish moving)
/// into the database; returns the chain's head and, when the node journals (on
/// PostgreSQL), the journal begun anew.
fn resume(
    store: &Backends,
    node: &str,
    dir: &Path,
    segment_bytes: u64,
) -> govshare_store::Result<(Sink, govshare_store::audit::log::ChainHead)> {
    let found = journal::read(dir, node, true)?;
    if found.torn_bytes > 0 {
        tracing::warn!(
            bytes = found.torn_bytes,
            "audit journal ended in a write cut short (its calls were not answered); cut off"
        );
    }
    let mut head = store.audit_chain.audit_head_now(node)?;
    for part in found.records.chunks(MOVE_BATCH) {
        head = store.audit_chain.move_audit_now(node, part)?;
    }
    for old in journal::segments(dir)? {
        journal::remove(&old)?;
    }
    // SQLite's audit file is synced at each commit on this node's own disk: a journal
    // already (see `audit_writer`).
    // Entries this node logs and has not counted yet are counted when statistics
    // are read.
    store.audit_chain.mark_audit_node_now(node)?;
    let sink = match store.liveness.backend_name() {
        "sqlite" => Sink::database(),
        _ => Sink::Journal(Journal::begin(dir, head.0 + 1)?.segment_bytes(segment_bytes)),
    };
    Ok((sink, head))
}

impl AuditLog {
    /// Starts the writer of this node's chain, signing checkpoints with `key`, after
    /// moving into the database whatever its journal held from before.
    pub async fn start(
        store: Backends,
        node_id: &str,
        key: NodeKey,
        config: JournalConfig,
    ) -> Result<AuditLog, ApiError> {
        let (dir, scratch) = match config.dir {
            Some(dir) => (dir, None),
            None => {
                let scratch = tempfile::tempdir()
                    .map_err(|e| ApiError::Unavailable(format!("audit journal: {e}")))?;
                (scratch.path().to_path_buf(), Some(Arc::new(scratch)))
            }
        };
        let node: Arc<str> = node_id.into();
        let (resume_store, resume_node) = (store.clone(), node.clone());
        let (sink, head) = tokio::task::spawn_blocking(move || {
            resume(&resume_store, &resume_node, &dir, config.segment_bytes)
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
        let heads = Arc::new(Heads {
            written: head.0.into(),
            moved: tokio::sync::watch::Sender::new(head.0),
        });
        let counts = Arc::new(Counts::default());
        let (tx, rx) = mpsc::channel::<Waiting>(8 * crate::audit_writer::GROUP);
        let mover = Writer {
            node: node.clone(),
            store: store.clone(),
            sink,
            head,
            backlog: config.backlog,
            heads: heads.clone(),
            entries: counts.entries.clone(),
        }
        .spawn(rx);
        Ok(AuditLog {
            tx,
            node_id: node,
            key: Arc::new(key),
            store,
            counts,
            heads,
            mover,
            _scratch: scratch,
        })
    }

    /// Waits until every entry journaled so far is in the database, so that a reader
    /// of the log sees every call answered before it asked.
    pub async fn flush(&self) -> Result<(), ApiError> {
        let target = self.heads.written.load(Ordering::SeqCst);
        let mut moved = self.heads.moved.subscribe();
        if *moved.borrow() < target {
            self.mover.now();
        }
        match tokio::time::timeout(FLUSH_WAIT, moved.wait_for(|m| *m >= target)).await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(ApiError::AuditUnavailable),
        }
    }

    /// Entries journaled but not yet in the database.
    pub fn backlog(&self) -> i64 {
        self.heads.written.load(Ordering::SeqCst) - *self.heads.moved.borrow()
    }

    /// What this node has written and answered since it started.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Counts a data call answered with data.
    pub fn answered(&self) {
        self.counts.answers.fetch_add(1, Ordering::Relaxed);
    }

    /// This node's public key (hex), to be recorded in the database.
    pub fn public_key(&self) -> String {
        self.key.public_hex()
    }

    /// Signs a checkpoint of the chain as it stands, if it grew since the last one.
    pub async fn checkpoint(&self) -> Result<Option<i64>, ApiError> {
        let key = self.key.clone();
        Ok(self
            .store
            .audit
            .audit_checkpoint(&self.node_id, Box::new(move |msg| key.sign(msg)))
            .await?)
    }

    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// Records an entry and waits until it is durable.
    pub async fn record(&self, mut entry: AuditEntry) -> Result<(), ApiError> {
        crate::audit_net::mark_audited();
        if entry.at.is_empty() {
            entry.at = govshare_store::now();
        }
        let (done, wait) = oneshot::channel();
        self.tx
            .send((entry, done))
            .await
            .map_err(|_| ApiError::AuditUnavailable)?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            _ => Err(ApiError::AuditUnavailable),
        }
    }
}

/// SHA-256 of a response body, for the audit entry.
pub fn digest(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// An entry for something a signed-in user did; the caller fills in the rest.
pub fn by_user(
    user: &govshare_domain::access::Principal,
    action: &str,
    outcome: &str,
) -> AuditEntry {
    AuditEntry {
        actor: user.username.clone(),
        org_id: Some(user.org_id),
        action: action.into(),
        outcome: outcome.into(),
        ..Default::default()
    }
}
