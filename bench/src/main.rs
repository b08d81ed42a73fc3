//! govshare benchmarks, each beside a peer on the same data in the same run:
//! - catalog import of the whole demo catalog (XLSX, CSV, JSON) into SQLite (and
//!   PostgreSQL when GOVSHARE_TEST_POSTGRES_URL is set), beside the sqlite3 tool's
//!   `.import` of the same CSV into a plain table (no checks at all);
//! - search latency and top-5 accuracy over the demo's query set, in process and over
//!   HTTP, beside SQLite FTS5 (trigram, bm25) over the same text — what Datasette's
//!   full-text search would use;
//! - pool import of a generated 1,000,000-row person file with 2% defects, beside the
//!   sqlite3 tool's `.import` and `psql \copy`;
//! - sharing lookups under load (wrk) beside Datasette and nginx;
//! - conditional data: lookups and verifications under a grant (wrk) beside nginx and
//!   pgbench (`granted`);
//! - conditional lookups alone and during a 10,000,000-row load into another pool
//!   (`loading`);
//! - the console's pages at demo scale beside the API's answers for the same data,
//!   and each page's weight (`console`);
//! - the seed's 44,020,000 persons loaded by `govshare demo` (`bigload`, not in `all`).

mod bigload;
mod console;
mod granted;
mod import;
mod loading;
mod lookups;
mod pools;
mod search;

use std::time::Duration;

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    let work = std::env::temp_dir().join(format!("govshare-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    if which == "all" || which == "import" {
        import::run(&work).await?;
    }
    if which == "all" || which == "search" {
        search::run(&work).await?;
    }
    if which == "all" || which == "pools" {
        pools::run(&work).await?;
    }
    if which == "all" || which == "lookups" {
        lookups::run(&work).await?;
    }
    if which == "all" || which == "granted" {
        granted::run(&work).await?;
    }
    if which == "all" || which == "loading" {
        loading::run(&work).await?;
    }
    if which == "all" || which == "console" {
        console::run(&work).await?;
    }
    if which == "bigload" {
        bigload::run(&work).await?;
    }
    if std::env::var_os("GOVSHARE_BENCH_KEEP").is_some() {
        eprintln!("kept {}", work.display());
    } else {
        std::fs::remove_dir_all(&work)?;
    }
    Ok(())
}
