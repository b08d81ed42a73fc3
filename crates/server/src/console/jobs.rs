//! Loads that run while the user does something else. A file posted to a pool, or a
//! catalog file to import, is read and written in the background; its page shows the
//! rows (entries) done so far and the rate, and the user may leave and come back to it
//! from the workbench. The job is this node's and is kept in memory for a day after
//! it ends; what it wrote (a batch with its refused rows, imported entries) is in the
//! store and outlives the job.

use crate::AppState;
use crate::catalog_import::ImportReport;
use crate::pool_import::{DataFile, Source, import_data};
use govshare_domain::access::Principal;
use govshare_interchange::{Format, Location};
use govshare_store::Caller;
use govshare_store::catalog::import::ImportOptions;
use govshare_store::pool::batch::{BatchReport, IngestMode};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

/// How long an ended job stays listed.
const KEPT: Duration = Duration::from_secs(24 * 3600);

/// How a job ended.
#[derive(Clone)]
pub enum Outcome {
    Loaded(BatchReport),
    /// Why the file was refused as a whole (nothing of it was written).
    Refused(String),
    /// A catalog file imported (all of it, or its valid entries).
    Imported(Arc<ImportReport>),
    /// A catalog file with problems, none of it imported: each problem's place.
    FileProblems(Arc<Vec<Location>>),
}

/// One load in the background.
pub struct Job {
    pub id: String,
    /// The user who started it: only they see it.
    pub owner: i64,
    /// The pool loaded (empty for a catalog import).
    pub code: String,
    pub resource: String,
    pub file: String,
    /// A catalog import rather than a pool load.
    pub catalog: bool,
    pub started_at: String,
    started: Instant,
    rows: AtomicI64,
    ended: Mutex<Option<(Outcome, Duration)>>,
}

impl Job {
    /// Rows read so far.
    pub fn rows(&self) -> i64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// How it ended and how long it took, once it has.
    pub fn ended(&self) -> Option<(Outcome, Duration)> {
        self.ended.lock().expect("job lock").clone()
    }

    /// Time since it started (or its whole length, once ended).
    pub fn elapsed(&self) -> Duration {
        self.ended()
            .map_or_else(|| self.started.elapsed(), |(_, took)| took)
    }

    /// Rows a second so far.
    pub fn rate(&self) -> i64 {
        let secs = self.elapsed().as_secs_f64();
        if secs < 0.001 {
            0
        } else {
            (self.rows() as f64 / secs) as i64
        }
    }
}

static JOBS: LazyLock<Mutex<HashMap<String, Arc<Job>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// What a new job loads.
pub struct Upload {
    pub code: String,
    pub resource: String,
    pub file: String,
    pub bytes: Vec<u8>,
    pub mode: IngestMode,
}

/// A catalog file to import.
pub struct CatalogUpload {
    pub file: String,
    pub bytes: Vec<u8>,
    pub format: Format,
    pub options: ImportOptions,
}

/// A new job of `user`'s, listed (and the list rid of jobs past their day).
fn listed(
    user: &Principal,
    code: String,
    resource: String,
    file: String,
    catalog: bool,
) -> Arc<Job> {
    let job = Arc::new(Job {
        id: crate::auth::new_token()[..24].to_string(),
        owner: user.user_id,
        code,
        resource,
        file,
        catalog,
        started_at: govshare_store::now(),
        started: Instant::now(),
        rows: AtomicI64::new(0),
        ended: Mutex::new(None),
    });
    let mut jobs = JOBS.lock().expect("jobs lock");
    jobs.retain(|_, j| j.ended().is_none_or(|_| j.started.elapsed() < KEPT));
    jobs.insert(job.id.clone(), job.clone());
    job
}

impl Job {
    fn end(&self, outcome: Outcome) {
        *self.ended.lock().expect("job lock") = Some((outcome, self.started.elapsed()));
    }
}

/// Starts importing a catalog file as `user` (the API's import, which audits it);
/// the job's id.
pub fn start_import(state: AppState, user: Principal, upload: CatalogUpload) -> String {
    let job = listed(&user, String::new(), String::new(), upload.file, true);
    let id = job.id.clone();
    tokio::spawn(async move {
        let counter = job.clone();
        let progress = move |n: usize| counter.rows.store(n as i64, Ordering::Relaxed);
        let imported = crate::routes::catalog_files::run_import(
            &state,
            &user,
            upload.bytes,
            upload.format,
            upload.options,
            progress,
        )
        .await;
        job.end(match imported {
            Ok(report) => Outcome::Imported(Arc::new(report)),
            Err(crate::error::ApiError::InvalidFile(located)) => {
                Outcome::FileProblems(Arc::new(located))
            }
            Err(e) => Outcome::Refused(e.to_string()),
        });
    });
    id
}

/// Starts loading `upload` as `user`; the job's id.
pub fn start(state: AppState, user: Principal, upload: Upload) -> String {
    let job = listed(
        &user,
        upload.code.clone(),
        upload.resource,
        upload.file.clone(),
        false,
    );
    let id = job.id.clone();
    tokio::spawn(async move {
        let counter = job.clone();
        let file = DataFile {
            progress: Some(Box::new(move |n| counter.rows.store(n, Ordering::Relaxed))),
            code: upload.code.clone(),
            name: upload.file,
            source: Source::Bytes(upload.bytes),
            format: None,
            mode: upload.mode,
            client_batch_id: None,
        };
        let caller = Caller::User(user.clone());
        let outcome = match import_data(&*state.store.pools, &caller, file).await {
            Ok(report) => {
                job.rows.store(report.received, Ordering::Relaxed);
                if let Err(e) =
                    crate::routes::pools::record_load(&state, &user, &upload.code, &report).await
                {
                    tracing::warn!(error = %e, "a console load was not audited");
                }
                Outcome::Loaded(report)
            }
            Err(e) => Outcome::Refused(e.to_string()),
        };
        job.end(outcome);
    });
    id
}

/// The job `id`, if `user_id` started it.
pub fn of(id: &str, user_id: i64) -> Option<Arc<Job>> {
    JOBS.lock()
        .expect("jobs lock")
        .get(id)
        .filter(|j| j.owner == user_id)
        .cloned()
}

/// The jobs `user_id` started, newest first.
pub fn mine(user_id: i64) -> Vec<Arc<Job>> {
    let mut jobs: Vec<_> = JOBS
        .lock()
        .expect("jobs lock")
        .values()
        .filter(|j| j.owner == user_id)
        .cloned()
        .collect();
    jobs.sort_by_key(|j| std::cmp::Reverse(j.started));
    jobs
}
