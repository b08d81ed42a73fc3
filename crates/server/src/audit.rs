//! The audit hook: handlers hand entries to one writer task, which commits whatever
//! has gathered in one transaction (group commit) and only then lets each caller go
//! on. A call whose entry could not be made durable is not answered with data: it
//! fails closed (503), as X-Road does.

use crate::error::ApiError;
use govshare_domain::sharing::checkpoint::NodeKey;
use govshare_store::Store;
use govshare_store::repo::audit::AuditEntry;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};

/// Entries one transaction takes at most.
const GROUP: usize = 1024;

type Outcome = Result<(), String>;
type Waiting = (AuditEntry, oneshot::Sender<Outcome>);

#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<Waiting>,
    node_id: std::sync::Arc<str>,
    key: std::sync::Arc<NodeKey>,
    store: Store,
    counts: std::sync::Arc<Counts>,
}

/// What this node has done since it started, for monitoring.
#[derive(Default)]
pub struct Counts {
    /// Entries made durable.
    pub entries: AtomicU64,
    /// Data calls answered with data (each after its entry was durable).
    pub answers: AtomicU64,
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

impl AuditLog {
    /// Starts the writer of this node's chain, signing checkpoints with `key`.
    pub fn start(store: Store, node_id: &str, key: NodeKey) -> AuditLog {
        let (tx, mut rx) = mpsc::channel::<Waiting>(8 * GROUP);
        let node: std::sync::Arc<str> = node_id.into();
        let writer_node = node.clone();
        let writer_store = store.clone();
        let counts = std::sync::Arc::new(Counts::default());
        let writer_counts = counts.clone();
        // The writer has a thread of its own (it waits on the disk, not on the
        // network) and keeps the chain's head between groups; after a failure it reads
        // the head again. It hands each group's outcome to one task on the runtime,
        // which lets the group's calls go on: one wake-up across threads per group
        // rather than one per call.
        let (done_tx, mut done_rx) =
            mpsc::unbounded_channel::<(Vec<oneshot::Sender<Outcome>>, Outcome)>();
        tokio::spawn(async move {
            while let Some((waiting, outcome)) = done_rx.recv().await {
                for w in waiting {
                    let _ = w.send(outcome.clone());
                }
            }
        });
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                let store = writer_store;
                let mut head = None;
                while let Some(first) = rx.blocking_recv() {
                    let mut group = vec![first];
                    while group.len() < GROUP {
                        match rx.try_recv() {
                            Ok(w) => group.push(w),
                            Err(_) => break,
                        }
                    }
                    let (entries, waiting): (Vec<_>, Vec<_>) = group.into_iter().unzip();
                    let outcome = store
                        .append_audit_now(&writer_node, head.take(), &entries)
                        .map_err(|e| e.to_string());
                    let outcome = match outcome {
                        Ok(new_head) => {
                            head = Some(new_head);
                            writer_counts
                                .entries
                                .fetch_add(entries.len() as u64, Ordering::Relaxed);
                            Ok(())
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "audit log not written: calls fail closed");
                            Err(e)
                        }
                    };
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
        AuditLog {
            tx,
            node_id: node,
            key: std::sync::Arc::new(key),
            store,
            counts,
        }
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
            .audit_checkpoint(&self.node_id, move |msg| key.sign(msg))
            .await?)
    }

    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// Records an entry and waits until it is durable.
    pub async fn record(&self, mut entry: AuditEntry) -> Result<(), ApiError> {
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
