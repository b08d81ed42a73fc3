//! The seed's natural-person base in one load: `govshare demo --persons 44020000
//! --no-serve` on SQLite (`GOVSHARE_BENCH_PERSONS` for another size), timed under
//! /usr/bin/time for its peak memory, with the write-ahead log's size sampled every
//! 200 ms. `GOVSHARE_BENCH_BIGLOAD_POSTGRES=1` runs the same on PostgreSQL after.

use crate::pools::{govshare_bin, timed};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

fn persons() -> u64 {
    std::env::var("GOVSHARE_BENCH_PERSONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(44_020_000)
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// Runs the demo load into `dir` (over `url` when given); returns seconds, peak memory
/// and the largest write-ahead log seen beside `dir/govshare.db`.
fn demo_load(
    dir: &Path,
    url: Option<&str>,
    persons: u64,
) -> anyhow::Result<(f64, Option<f64>, u64)> {
    std::fs::create_dir_all(dir)?;
    let wal = dir.join("govshare.db-wal");
    let largest = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (largest, done, wal) = (largest.clone(), done.clone(), wal.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                largest.fetch_max(size(&wal), Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        })
    };
    let mut cmd = std::process::Command::new(govshare_bin());
    if let Some(url) = url {
        cmd.args(["--database-url", url]);
    }
    cmd.arg("--data-dir")
        .arg(dir)
        .args(["demo", "--persons", &persons.to_string(), "--no-serve"])
        .env("GOVSHARE_LOG", "warn");
    let timed = timed(cmd);
    done.store(true, Ordering::SeqCst);
    let _ = sampler.join();
    let (secs, mem, _) = timed?;
    Ok((secs, mem, largest.load(Ordering::SeqCst)))
}

fn report(
    backend: &str,
    persons: u64,
    secs: f64,
    mem: Option<f64>,
    wal: &str,
    after: &str,
    db: &str,
) {
    println!(
        "| {backend} | {persons} | {:.1} | {:.0} | {} | {wal} | {after} | {db} |",
        secs / 60.0,
        persons as f64 / secs,
        mem.map_or("?".into(), |m| format!("{m:.0} MB"))
    );
}

pub async fn run(work: &Path) -> anyhow::Result<()> {
    let persons = persons();
    println!("## One very large load: govshare demo --persons {persons} --no-serve");
    println!();
    println!(
        "| backend | persons | minutes | persons/s | peak memory | largest write-ahead log | log after | database |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let dir = work.join("bigload-sqlite");
    let (secs, mem, largest) = demo_load(&dir, None, persons)?;
    report(
        "SQLite",
        persons,
        secs,
        mem,
        &gib(largest),
        &gib(size(&dir.join("govshare.db-wal"))),
        &gib(size(&dir.join("govshare.db"))),
    );
    let _ = std::fs::remove_dir_all(&dir);
    if std::env::var_os("GOVSHARE_BENCH_BIGLOAD_POSTGRES").is_some()
        && govshare_store::testing::backends().contains(&"postgres")
    {
        let url = govshare_store::testing::fresh_database("postgres");
        let dir = work.join("bigload-postgres");
        let (secs, mem, _) = demo_load(&dir, Some(&url), persons)?;
        report(
            "PostgreSQL",
            persons,
            secs,
            mem,
            "(PostgreSQL's own)",
            "",
            "",
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!();
    Ok(())
}
