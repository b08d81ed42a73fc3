//! The store's handle: one `Store` over SQLite or PostgreSQL, chosen by the URL's
//! scheme. It runs repository code (functions over `&mut dyn Conn`) on blocking
//! threads, in read, write or audit transactions; the rooms (`catalog`, `pool`,
//! `sharing`, `audit`, `org`) add their methods to it.

use crate::db::conn::Conn;
use crate::db::{postgres, sqlite};
use crate::error::{Result, StoreError};
use crate::sharing::decided::{EPOCH, SharingCache};
use std::sync::Arc;

pub(crate) enum Backend {
    Sqlite(sqlite::SqliteBackend),
    Postgres(postgres::PostgresBackend),
}

impl Backend {
    /// Runs `f` in one write transaction.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        match self {
            Backend::Sqlite(b) => b.write(f),
            Backend::Postgres(b) => b.write(f),
        }
    }
}

/// The database behind govshare. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: Arc<Backend>,
    /// Sharing decisions this node has made, checked against the sharing epoch.
    pub(crate) sharing: Arc<SharingCache>,
    /// Seals what consumers are handed and give back (cursors, row references).
    pub(crate) sealer: Arc<govshare_domain::sharing::Sealer>,
    /// Probes (queries on a masked item's value) one app may make a day.
    pub(crate) probe_limit: Arc<std::sync::atomic::AtomicI64>,
    /// Visits under grants this node may answer, and has (see `sharing::meter`).
    pub(crate) meter: Arc<crate::sharing::meter::Meter>,
    /// Pools a batch is being loaded into by this process (SQLite).
    pub(crate) loading: Arc<crate::pool::loads::Loading>,
}

/// Probes one app may make a day unless the server says otherwise.
pub const DEFAULT_PROBE_LIMIT: i64 = 1000;

impl Store {
    /// Opens `sqlite://PATH` (relative, or absolute with a third slash) or
    /// `postgres://...`, and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let url = url.to_string();
        tokio::task::spawn_blocking(move || Store::open_blocking(&url))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }

    fn open_blocking(url: &str) -> Result<Store> {
        let backend = if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(StoreError::Unavailable(
                    "sqlite URL needs a file path".into(),
                ));
            }
            Backend::Sqlite(sqlite::SqliteBackend::open(std::path::Path::new(path))?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(postgres::PostgresBackend::open(url, 16, EPOCH)?)
        } else {
            return Err(StoreError::Unavailable(format!(
                "unknown database URL scheme in “{}”: use sqlite:// or postgres://",
                url.split(':').next().unwrap_or("")
            )));
        };
        // The schema brought up to date (on SQLite the audit file's too, and an older
        // layout's log moved into it), then the secret the store seals with (made by
        // the first node to start), before the store exists.
        backend.write(crate::schema::run)?;
        if let Backend::Sqlite(b) = &backend {
            b.write_audit(crate::schema::run_audit_file)?;
            b.on_both_files(crate::schema::audit_file::move_old_layout)?;
            b.write(|c| crate::pool::loads::recover(c, b.path()))?;
        }
        let secret = backend.write(|c| crate::org::secrets::installation_secret(c, "seal"))?;
        let store = Store {
            backend: Arc::new(backend),
            sharing: Arc::default(),
            sealer: Arc::new(govshare_domain::sharing::Sealer::new(&secret)),
            probe_limit: Arc::new(DEFAULT_PROBE_LIMIT.into()),
            meter: Arc::default(),
            loading: Arc::default(),
        };
        Ok(store)
    }

    /// Sets how many probes (queries on the value of an item served masked) one app
    /// may make a day.
    pub fn set_probe_limit(&self, per_day: i64) {
        self.probe_limit
            .store(per_day, std::sync::atomic::Ordering::Relaxed);
    }

    /// Names the node that serves through this store: leases of visits under grants
    /// are taken in its name, and its use is counted from its entries in the log.
    pub fn set_node(&self, node: &str) {
        self.meter.set_node(node);
    }

    /// "sqlite" or "postgres".
    pub(crate) fn backend_name(&self) -> &'static str {
        match &*self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    pub(crate) fn read_blocking<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        match &*self.backend {
            Backend::Sqlite(b) => b.read(f),
            Backend::Postgres(b) => b.read(f),
        }
    }

    pub(crate) fn write_blocking<T>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T>,
    ) -> Result<T> {
        self.backend.write(f)
    }

    /// Runs `f` in a transaction that writes the audit log alone. On SQLite the log is
    /// a file of its own with a writer of its own, which a long write on the main file
    /// does not hold up; on PostgreSQL, a transaction as any write.
    pub(crate) fn audit_blocking<T>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T>,
    ) -> Result<T> {
        match &*self.backend {
            Backend::Sqlite(b) => b.write_audit(f),
            Backend::Postgres(b) => b.write(f),
        }
    }

    /// Runs `run` on a blocking thread in a span named for the transaction's kind and
    /// the repository code that asked (its file and line): a slow request's trace then
    /// shows which store call its time went to (`GOVSHARE_LOG=govshare_store=debug`).
    #[track_caller]
    pub(crate) fn on_blocking<T, F>(
        &self,
        kind: &'static str,
        run: F,
    ) -> impl Future<Output = Result<T>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        let at = std::panic::Location::caller();
        let span =
            tracing::debug_span!("store", kind, at = %format_args!("{}:{}", at.file(), at.line()));
        let store = self.clone();
        let inner = span.clone();
        let work = async move {
            tokio::task::spawn_blocking(move || inner.in_scope(|| run(&store)))
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?
        };
        tracing::Instrument::instrument(work, span)
    }

    /// Runs repository code that writes the audit log alone (`audit_log`), in one
    /// transaction on a blocking thread. Other tables are not in reach on SQLite.
    #[track_caller]
    pub fn write_audit<T, F>(&self, f: F) -> impl Future<Output = Result<T>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
    {
        self.on_blocking("audit", move |s| s.audit_blocking(f))
    }

    /// Runs read-only repository code on a blocking thread.
    #[track_caller]
    pub fn read<T, F>(&self, f: F) -> impl Future<Output = Result<T>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
    {
        self.on_blocking("read", move |s| s.read_blocking(f))
    }

    /// Runs repository code in one transaction on a blocking thread: all or nothing.
    #[track_caller]
    pub fn write<T, F>(&self, f: F) -> impl Future<Output = Result<T>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
    {
        self.on_blocking("write", move |s| s.write_blocking(f))
    }

    /// Is the database answering?
    pub(crate) async fn ping(&self) -> Result<()> {
        self.read(|c| c.query_one("SELECT 1", &[]).map(|_| ()))
            .await
    }
}
