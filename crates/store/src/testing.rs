//! Fresh databases for tests: a temporary SQLite file always, and a new PostgreSQL
//! database per call when `GOVSHARE_TEST_POSTGRES_URL` is set.

use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        n
    )
}

/// The database URLs a storage test should run against: SQLite always, PostgreSQL when configured.
pub fn backends() -> Vec<&'static str> {
    let mut v = vec!["sqlite"];
    if std::env::var("GOVSHARE_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        v.push("postgres");
    } else {
        skipped_postgres();
    }
    v
}

/// Starts the clock at 10:00 China time on 2026-12-07 (once per process; it runs on
/// from there), so that no test sees midnight pass. Every test database is made after
/// this.
pub fn pin_clock() {
    static PINNED: std::sync::Once = std::sync::Once::new();
    PINNED.call_once(|| {
        let start = chrono::DateTime::parse_from_rfc3339("2026-12-07T10:00:00+08:00")
            .expect("a fixed moment")
            .with_timezone(&chrono::Utc);
        crate::clock::start_at(start);
    });
}

/// A new, empty database of the given backend; returns its URL. Pins the clock.
pub fn fresh_database(backend: &str) -> String {
    pin_clock();
    match backend {
        "sqlite" => {
            let dir = std::env::temp_dir().join(unique("govshare_test"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}", dir.join("govshare.db").display())
        }
        "postgres" => {
            let base =
                std::env::var("GOVSHARE_TEST_POSTGRES_URL").expect("GOVSHARE_TEST_POSTGRES_URL");
            let name = unique("govshare_test");
            // The blocking client runs its own runtime: keep it off the caller's async thread.
            let (url, db) = (base.clone(), name.clone());
            std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&url, postgres::NoTls)
                    .expect("connect to test PostgreSQL");
                client
                    .batch_execute(&format!("CREATE DATABASE {db}"))
                    .expect("create test database");
            })
            .join()
            .expect("create test database");
            let (head, _) = base.rsplit_once('/').expect("URL with a database name");
            let query = base
                .split_once('?')
                .map(|(_, q)| format!("?{q}"))
                .unwrap_or_default();
            format!("{head}/{name}{query}")
        }
        other => panic!("unknown backend {other}"),
    }
}

/// Says, once per test process, that the PostgreSQL half of the storage tests is
/// skipped (shown with `--nocapture`, and in the log of a failing test).
fn skipped_postgres() {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        eprintln!(
            "PostgreSQL skipped: GOVSHARE_TEST_POSTGRES_URL is not set, so these tests ran on SQLite only"
        );
    });
}
