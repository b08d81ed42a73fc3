//! Conditional calls while a large batch loads: wrk (32 connections) asks a govshare node
//! for random keys of 1,000,000 persons under a grant, first with nothing else running,
//! then while `govshare pool import` (a second process, as an operator loads a large
//! file) loads 10,000,000 persons into another pool of the same database. Both
//! measurements are taken in the same run; a wrk slice that the load's end falls into
//! is left out, so the second figure is the load's alone.
//! `GOVSHARE_BENCH_LOAD_ROWS` sets the size of the load.

use crate::granted::{prepared, report_log, scripts};
use crate::lookups::{CONNECTIONS, Govshare, Wrk, line, run_wrk, settle};
use crate::pools::{govshare_bin, person_resource_named};
use std::path::Path;
use std::time::Instant;

/// Seconds of each wrk slice during the load.
const SLICE: u32 = 5;
/// Seconds of the measurement with nothing else running.
const ALONE: u32 = 20;

fn load_rows() -> usize {
    std::env::var("GOVSHARE_BENCH_LOAD_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000)
}

/// The person file of `rows` rows in `work` (written once).
fn person_file(work: &Path, rows: usize, seed: u64) -> anyhow::Result<std::path::PathBuf> {
    let file = work.join(format!("persons-{rows}.csv"));
    if !file.exists() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        govshare_demo::persons::write_person_csv(&mut out, rows, 0.02, seed)?;
    }
    Ok(file)
}

async fn one_backend(
    backend: &str,
    url: &str,
    work: &Path,
    small: &Path,
    big: &Path,
    rows: usize,
) -> anyhow::Result<()> {
    let (code, key, table) = prepared(url, small, work).await?;
    let target =
        person_resource_named(url, "unconditional", false, "户籍人口基本信息（加载基准）").await?;
    if backend == "PostgreSQL" {
        settle(url, &table)?;
    }
    let g = Govshare::start(url, work)?;
    let (lookup, _) = scripts(work, &code, &key)?;
    let alone = run_wrk(&lookup, &g.base, CONNECTIONS, ALONE)?;
    let started = Instant::now();
    let mut import = std::process::Command::new(govshare_bin())
        .args(["--database-url", url, "--data-dir"])
        .arg(work)
        .args(["pool", "import", "--resource", &target])
        .arg(big)
        .env("GOVSHARE_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let mut during = Vec::new();
    let mut straddled = 0;
    loop {
        let slice = run_wrk(&lookup, &g.base, CONNECTIONS, SLICE)?;
        if import.try_wait()?.is_some() {
            straddled += slice.requests;
            break;
        }
        during.push(slice);
    }
    let status = import.wait()?;
    let load_secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(status.success(), "the load failed: {status}");
    let loading = Wrk::joined(&during);
    println!();
    println!(
        "### {backend}: lookups under a grant, wrk -c{CONNECTIONS}, alone ({ALONE} s) and during a load of {rows} persons into another pool ({} slices of {SLICE} s)",
        during.len()
    );
    println!();
    println!("| lookups under a grant | requests/s | p50 | p99 | errors | ÷ alone |");
    println!("|---|---|---|---|---|---|");
    line("nothing else running", &alone, &[None]);
    line("during the load", &loading, &[Some(&alone)]);
    println!();
    println!(
        "The load: {rows} rows in {load_secs:.1} s ({:.0} rows/s) while the node answered.",
        rows as f64 / load_secs
    );
    report_log(
        g,
        backend,
        url,
        alone.requests + loading.requests + straddled,
    )
    .await
}

pub async fn run(work: &Path) -> anyhow::Result<()> {
    let rows = load_rows();
    let small = person_file(work, 1_000_000, 2026)?;
    let big = person_file(work, rows, 2027)?;
    let sqlite_url = format!("sqlite://{}", work.join("loading-bench.db").display());
    println!("## Conditional lookups during a large load");
    one_backend("SQLite", &sqlite_url, work, &small, &big, rows).await?;
    if govshare_store::testing::backends().contains(&"postgres") {
        let pg_url = govshare_store::testing::fresh_database("postgres");
        one_backend("PostgreSQL", &pg_url, work, &small, &big, rows).await?;
    }
    println!();
    Ok(())
}
