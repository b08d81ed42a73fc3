//! govshare's HTTP layer: the JSON API under `/api/v1/`, health, and the OpenAPI
//! document. The server is a library: `app(state)` builds the router and `serve`
//! runs it on a listener, so tests start it in-process on port 0.

pub mod app_keys;
pub mod app_limit;
pub mod audit;
pub mod audit_net;
mod audit_writer;
pub mod auth;
pub mod catalog_import;
pub mod console;
pub mod error;
pub mod extract;
pub mod indexer;
pub mod install;
pub mod metrics;
pub mod openapi;
mod pages;
pub mod pool_import;
mod routes;
pub mod throttle;
pub mod wire;

use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use govshare_search::SearchIndex;
use govshare_store::Store;
use govshare_store::prelude::*;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Largest JSON request body accepted.
pub const MAX_JSON_BODY: usize = 2 * 1024 * 1024;
/// Longest query string accepted.
pub const MAX_QUERY_CHARS: usize = 4096;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// How long a sign-in lasts.
    pub session_hours: i64,
    /// Where this node keeps its search index (in memory when absent).
    pub index_dir: Option<PathBuf>,
    /// How often to look for catalog changes made elsewhere.
    pub follow_every: Duration,
    /// This node's name in the audit log (each node keeps its own chain).
    pub node_id: String,
    /// Sharing API calls one app may make per second on this node.
    pub app_calls_per_second: u32,
    /// This node's audit signing key (made there the first time; in memory when absent).
    pub audit_key_file: Option<PathBuf>,
    /// How often the node signs a checkpoint of its audit chain.
    pub checkpoint_every: Duration,
    /// This node's audit journal (a temporary directory when absent).
    pub audit_journal_dir: Option<PathBuf>,
    /// Audit entries journaled but not yet in the database beyond which data calls
    /// fail closed.
    pub audit_backlog: u64,
    /// Past this size a segment of the audit journal is closed.
    pub audit_segment_bytes: u64,
    /// Queries one app may make a day that test a value of an item it reads masked
    /// (counted in the database, across nodes).
    pub probe_limit_per_day: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            session_hours: 12,
            index_dir: None,
            follow_every: Duration::from_secs(2),
            node_id: "node-1".into(),
            app_calls_per_second: 2000,
            audit_key_file: None,
            checkpoint_every: Duration::from_secs(60),
            audit_journal_dir: None,
            audit_backlog: 1_000_000,
            audit_segment_bytes: govshare_store::db::journal::SEGMENT_BYTES,
            probe_limit_per_day: govshare_store::DEFAULT_PROBE_LIMIT as u64,
        }
    }
}

/// The store as the server uses it, one capability each. `of` takes them all from one
/// `Store`; a test may put a fake in place of one (say, sharing reads that fail) and
/// keep the real others.
#[derive(Clone)]
pub struct Backends {
    pub catalog: Arc<dyn CatalogStore>,
    pub pools: Arc<dyn PoolStore>,
    pub sharing: Arc<dyn SharingReads>,
    pub duties: Arc<dyn SharingDuties>,
    pub audit: Arc<dyn AuditStore>,
    pub audit_chain: Arc<dyn AuditChain>,
    pub orgs: Arc<dyn OrgStore>,
    pub liveness: Arc<dyn Liveness>,
}

impl Backends {
    pub fn of(store: &Store) -> Backends {
        let s = Arc::new(store.clone());
        Backends {
            catalog: s.clone(),
            pools: s.clone(),
            sharing: s.clone(),
            duties: s.clone(),
            audit: s.clone(),
            audit_chain: s.clone(),
            orgs: s.clone(),
            liveness: s,
        }
    }
}

/// What every handler shares, behind one pointer: a request clones the state once or
/// twice, and one counter is cheaper to move than a dozen.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub store: Backends,
    pub search: Arc<SearchIndex>,
    pub config: Arc<ServerConfig>,
    pub logins: Arc<throttle::LoginThrottle>,
    pub audit: audit::AuditLog,
    pub app_limits: Arc<app_limit::AppLimiter>,
    pub app_keys: Arc<app_keys::KeyCache>,
    indexing: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// Opens the search index and brings it up to date with the store.
    pub async fn new(store: Store, config: ServerConfig) -> Result<AppState, error::ApiError> {
        store.set_probe_limit(i64::try_from(config.probe_limit_per_day).unwrap_or(i64::MAX));
        store.set_node(&config.node_id);
        AppState::with_backends(Backends::of(&store), config).await
    }

    /// As `new`, over capabilities that need not all be one `Store`.
    pub async fn with_backends(
        store: Backends,
        config: ServerConfig,
    ) -> Result<AppState, error::ApiError> {
        let dir = config.index_dir.clone();
        let shown = dir.as_ref().map(|d| d.display().to_string());
        let search = tokio::task::spawn_blocking(move || SearchIndex::open(dir.as_deref()))
            .await
            .map_err(|e| error::ApiError::Internal(e.to_string()))?
            .map_err(|e| {
                error::ApiError::Unavailable(format!(
                    "搜索索引 {} 打开失败（同一数据目录是否已有 govshare 在运行？）: {e}",
                    shown.as_deref().unwrap_or("(内存)")
                ))
            })?;
        // The hash unknown usernames are checked against, made before the first sign-in.
        tokio::task::spawn_blocking(auth::unknown_user_hash)
            .await
            .map_err(|e| error::ApiError::Internal(e.to_string()))?;
        let key = audit::load_or_create_key(config.audit_key_file.as_deref())
            .map_err(|e| error::ApiError::Unavailable(format!("audit key: {e}")))?;
        let journal = audit::JournalConfig {
            dir: config.audit_journal_dir.clone(),
            backlog: config.audit_backlog,
            segment_bytes: config.audit_segment_bytes,
        };
        let audit = audit::AuditLog::start(store.clone(), &config.node_id, key, journal).await?;
        store
            .audit
            .register_audit_key(&config.node_id, &audit.public_key())
            .await?;
        store.audit.check_audit_resumes(&config.node_id).await?;
        let state = AppState(Arc::new(Shared {
            audit,
            app_limits: Arc::new(app_limit::AppLimiter::new(config.app_calls_per_second)),
            app_keys: Default::default(),
            store,
            search: Arc::new(search),
            config: Arc::new(config),
            logins: Default::default(),
            indexing: Default::default(),
        }));
        indexer::sync(&state).await?;
        Ok(state)
    }
}

/// Headers every answer carries: no sniffing of types, no framing, no referrer sent
/// off-site, and a policy that lets pages load only what this server serves.
fn add_security_headers(response: &mut Response) {
    use axum::http::HeaderValue;
    use axum::http::header;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
}

/// Scripts, images, fonts and frames from this server only; styles from it or inline
/// (the pages carry their stylesheet); forms post back to it; nothing may frame it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Refuses query strings past `MAX_QUERY_CHARS` before routing, and gives every answer
/// its security headers.
async fn guard_http(req: Request, next: Next) -> Response {
    let mut response = if req.uri().query().is_some_and(|q| q.len() > MAX_QUERY_CHARS) {
        error::ApiError::UriTooLong(MAX_QUERY_CHARS).into_response()
    } else {
        next.run(req).await
    };
    add_security_headers(&mut response);
    response
}

/// A handler that panicked answers 500 with the usual error body (the cause goes to
/// the log), inside the audit net, so that the call is still accounted for.
fn panicked(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let cause = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    error::ApiError::Internal(format!("handler panicked: {cause}")).into_response()
}

pub fn app(state: AppState) -> Router {
    metrics::handle();
    routes::router()
        .merge(console::routes())
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit_net::audit_unrecorded,
        ))
        .route("/", axum::routing::get(pages::index))
        .route("/search", axum::routing::get(pages::search))
        .route(
            "/resources/{class}/{seq}",
            axum::routing::get(pages::resource),
        )
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(axum::middleware::from_fn(guard_http))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves, following the change feed in the background.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let follower = tokio::spawn(indexer::follow(state.clone(), state.config.follow_every));
    let audit = state.audit.clone();
    let every = state.config.checkpoint_every;
    let checkpoints = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = audit.checkpoint().await {
                tracing::error!(error = %e, "audit checkpoint not signed");
            }
        }
    });
    let last = state.audit.clone();
    let result = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    follower.abort();
    checkpoints.abort();
    // Everything answered into the database, and a last checkpoint, so that what this
    // node answered is vouched for.
    if let Err(e) = last.flush().await {
        tracing::error!(error = %e, "audit journal not fully moved into the database at shutdown; it is moved at the next start");
    }
    if let Err(e) = last.checkpoint().await {
        tracing::error!(error = %e, "audit checkpoint not signed at shutdown");
    }
    result
}
