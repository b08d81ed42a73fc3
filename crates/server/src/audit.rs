//! The audit hook: handlers hand entries to one writer task, which commits whatever
//! has gathered in one transaction (group commit) and only then lets each caller go
//! on. A call whose entry could not be made durable is not answered with data: it
//! fails closed (503), as X-Road does.

use crate::error::ApiError;
use govshare_store::Store;
use govshare_store::repo::audit::AuditEntry;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

/// Entries one transaction takes at most.
const GROUP: usize = 1024;

type Waiting = (AuditEntry, oneshot::Sender<Result<(), String>>);

#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<Waiting>,
    node_id: std::sync::Arc<str>,
}

impl AuditLog {
    /// Starts the writer of this node's chain.
    pub fn start(store: Store, node_id: &str) -> AuditLog {
        let (tx, mut rx) = mpsc::channel::<Waiting>(8 * GROUP);
        let node: std::sync::Arc<str> = node_id.into();
        let writer_node = node.clone();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut group = vec![first];
                while group.len() < GROUP {
                    match rx.try_recv() {
                        Ok(w) => group.push(w),
                        Err(_) => break,
                    }
                }
                let (entries, waiting): (Vec<_>, Vec<_>) = group.into_iter().unzip();
                let outcome = store
                    .append_audit(&writer_node, entries)
                    .await
                    .map_err(|e| e.to_string());
                if let Err(e) = &outcome {
                    tracing::error!(error = %e, "audit log not written: calls fail closed");
                }
                for w in waiting {
                    let _ = w.send(outcome.clone());
                }
            }
        });
        AuditLog { tx, node_id: node }
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
