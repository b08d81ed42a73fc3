//! Pool import of a generated person file (2% defective rows) by govshare, which
//! cleanses and checks every row, beside the databases' own loaders: the sqlite3
//! tool's `.import` into a table with the same primary key, and `psql \copy` into a
//! table of the same columns (without the key: COPY stops at the first duplicate).

use govshare_domain::lifecycle::Action;
use govshare_store::{Caller, Store};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn rows() -> usize {
    std::env::var("GOVSHARE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

async fn person_pool(url: &str) -> anyhow::Result<String> {
    let store = Store::open(url).await?;
    let demo = govshare_demo::catalog();
    govshare::seed::seed_reference(&store, &demo).await?;
    let police = demo
        .orgs
        .iter()
        .find(|o| o.name.contains("公安局"))
        .expect("demo police");
    let class = demo
        .resources
        .iter()
        .find(|r| r.spec.provider_code == police.credit_code)
        .expect("police entry")
        .spec
        .classification
        .clone();
    let spec: govshare_domain::resource::ResourceSpec = serde_json::from_value(
        serde_json::json!({
            "classification": class, "name": "户籍人口基本信息（基准测试）", "provider_code": police.credit_code,
            "summary": "基准测试用的户籍人口数据池", "format_category": "database", "format_type": "Oracle",
            "items": govshare_demo::persons::person_items(),
            "sharing_type": "conditional", "sharing_condition": "仅用于身份核验", "sharing_method": "api",
            "open_type": "closed", "update_cycle": "daily"
        }),
    )?;
    let sys = Caller::System("bench".into());
    let r = store.create_resource(&sys, spec).await?;
    store
        .transition_resource(&sys, &r.code, Action::Submit, "")
        .await?;
    store
        .transition_resource(&sys, &r.code, Action::Register, "")
        .await?;
    Ok(r.code)
}

/// Runs a command under /usr/bin/time; returns seconds and peak memory in MB.
fn timed(mut cmd: Command) -> anyhow::Result<(f64, Option<f64>, String)> {
    let start = Instant::now();
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .arg("-f")
        .arg("GOVSHARE_MAXRSS=%M")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            wrapped.env(k, v);
        }
    }
    let out = wrapped.output().or_else(|_| cmd.output())?;
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let rss = stderr
        .lines()
        .find_map(|l| l.strip_prefix("GOVSHARE_MAXRSS="))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    if !out.status.success() {
        anyhow::bail!("{:?} failed: {stderr}", cmd.get_program());
    }
    Ok((secs, rss, String::from_utf8_lossy(&out.stdout).to_string()))
}

fn govshare_bin() -> PathBuf {
    std::env::current_exe()
        .expect("bench path")
        .with_file_name("govshare")
}

fn govshare_import(
    url: &str,
    code: &str,
    file: &Path,
    dir: &Path,
) -> anyhow::Result<(f64, Option<f64>, String)> {
    let mut cmd = Command::new(govshare_bin());
    cmd.args(["--database-url", url, "--data-dir"])
        .arg(dir)
        .args(["pool", "import", "--resource", code])
        .arg(file)
        .env("GOVSHARE_LOG", "error");
    timed(cmd)
}

const COLUMNS: &str = "gmsfhm TEXT, xm TEXT, xb TEXT, csrq TEXT, hjdz TEXT, lxdh TEXT, hjqh TEXT";

pub async fn run(work: &Path) -> anyhow::Result<()> {
    let n = rows();
    let file = work.join("persons.csv");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        govshare_demo::persons::write_person_csv(&mut out, n, 0.02, 2026)?;
    }
    let size = std::fs::metadata(&file)?.len() as f64 / 1e6;
    println!("## Pool import: {n} person rows, 2% defective, {size:.0} MB CSV");
    println!();
    println!("| loader | checks | seconds | rows/s | peak memory | ratio govshare/peer (rows/s) |");
    println!("|---|---|---|---|---|---|");
    let fmt_mem = |m: Option<f64>| m.map_or("–".into(), |m| format!("{m:.0} MB"));

    // GOVSHARE_BENCH_SKIP_SQLITE=1 runs the PostgreSQL half alone (for profiling).
    if std::env::var_os("GOVSHARE_BENCH_SKIP_SQLITE").is_none() {
        let sqlite_url = format!("sqlite://{}", work.join("pool-bench.db").display());
        let code = person_pool(&sqlite_url).await?;
        let (g_secs, g_mem, g_out) = govshare_import(&sqlite_url, &code, &file, work)?;
        let peer_db = work.join("peer-sqlite.db");
        let mut peer = Command::new("sqlite3");
        peer.arg(&peer_db)
            .arg(format!(
                "PRAGMA journal_mode=WAL; CREATE TABLE persons ({COLUMNS}, PRIMARY KEY (gmsfhm));"
            ))
            .arg(".mode csv")
            .arg(format!(".import --skip 1 {} persons", file.display()));
        let (p_secs, p_mem, _) = timed(peer)?;
        println!(
            "| sqlite3 .import (peer) | none | {p_secs:.2} | {:.0} | {} | |",
            n as f64 / p_secs,
            fmt_mem(p_mem)
        );
        println!(
            "| govshare → SQLite | every cell | {g_secs:.2} | {:.0} | {} | {:.2}× |",
            n as f64 / g_secs,
            fmt_mem(g_mem),
            p_secs / g_secs
        );
        eprintln!("govshare: {}", g_out.trim());
    }
    if govshare_store::testing::backends().contains(&"postgres") {
        let pg_url = govshare_store::testing::fresh_database("postgres");
        let code = person_pool(&pg_url).await?;
        let mut create = Command::new("psql");
        create
            .arg(&pg_url)
            .arg("-qc")
            .arg(format!("CREATE TABLE persons_copy ({COLUMNS})"));
        timed(create)?;
        let mut copy = Command::new("psql");
        copy.arg(&pg_url).arg("-qc").arg(format!(
            "\\copy persons_copy FROM '{}' WITH (FORMAT csv, HEADER true)",
            file.display()
        ));
        let (c_secs, c_mem, _) = timed(copy)?;
        let (g_secs, g_mem, g_out) = govshare_import(&pg_url, &code, &file, work)?;
        println!(
            "| psql \\copy (peer, no key) | none | {c_secs:.2} | {:.0} | {} | |",
            n as f64 / c_secs,
            fmt_mem(c_mem)
        );
        println!(
            "| govshare → PostgreSQL | every cell | {g_secs:.2} | {:.0} | {} | {:.2}× |",
            n as f64 / g_secs,
            fmt_mem(g_mem),
            c_secs / g_secs
        );
        eprintln!("govshare (PostgreSQL): {}", g_out.trim());
    }
    println!();
    Ok(())
}
