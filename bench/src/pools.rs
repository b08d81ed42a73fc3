//! Pool import of a generated person file (2% defective rows) by govshare, which
//! cleanses and checks every row, beside the databases' own loaders and Datasette's:
//! - the sqlite3 tool's `.import` into a table with the same primary key;
//! - `sqlite-utils insert` (the loader of Datasette) with the same primary key;
//! - `psql \copy` into the equivalent table: the same typed columns and primary key,
//!   loaded with the rows govshare accepted (COPY stops at the first bad row or
//!   repeated key, so it cannot take the raw file);
//! - `psql \copy` of the raw file into an all-text table without a key: the floor
//!   of what PostgreSQL can take in at all.

use govshare_domain::lifecycle::Action;
use govshare_store::prelude::*;
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
    person_resource(url, "conditional", false).await
}

/// A registered person resource shared as `sharing` (published when `publish`).
pub(crate) async fn person_resource(
    url: &str,
    sharing: &str,
    publish: bool,
) -> anyhow::Result<String> {
    person_resource_named(url, sharing, publish, "户籍人口基本信息（基准测试）").await
}

/// As `person_resource`, named `name`.
pub(crate) async fn person_resource_named(
    url: &str,
    sharing: &str,
    publish: bool,
    name: &str,
) -> anyhow::Result<String> {
    let store = Store::open(url).await?;
    let demo = govshare_demo::catalog();
    govshare_demo::seed::seed_reference(&store, &demo).await?;
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
    let condition = if sharing == "conditional" {
        "仅用于身份核验"
    } else {
        ""
    };
    let spec: govshare_domain::resource::ResourceSpec = serde_json::from_value(
        serde_json::json!({
            "classification": class, "name": name, "provider_code": police.credit_code,
            "summary": "基准测试用的户籍人口数据池", "format_category": "database", "format_type": "Oracle",
            "items": govshare_demo::persons::person_items(),
            "sharing_type": sharing, "sharing_condition": condition, "sharing_method": "api",
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
    if publish {
        store
            .transition_resource(&sys, &r.code, Action::Publish, "")
            .await?;
    }
    Ok(r.code)
}

/// Runs a command under /usr/bin/time; returns seconds and peak memory in MB.
pub(crate) fn timed(mut cmd: Command) -> anyhow::Result<(f64, Option<f64>, String)> {
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

pub(crate) fn govshare_bin() -> PathBuf {
    std::env::current_exe()
        .expect("bench path")
        .with_file_name("govshare")
}

pub(crate) fn govshare_import(
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

pub(crate) const COLUMNS: &str =
    "gmsfhm TEXT, xm TEXT, xb TEXT, csrq TEXT, hjdz TEXT, lxdh TEXT, hjqh TEXT";
/// The person pool's columns as govshare types them, with its key.
const TYPED_COLUMNS: &str = "gmsfhm TEXT NOT NULL PRIMARY KEY, xm TEXT, xb TEXT, csrq DATE, hjdz TEXT, lxdh TEXT, hjqh TEXT";

fn psql(url: &str, command: &str) -> Command {
    let mut c = Command::new("psql");
    c.arg(url).arg("-qc").arg(command);
    c
}

/// One table line; `ratio` is govshare's rows/s over this loader's.
fn line(loader: &str, checks: &str, rows: usize, secs: f64, mem: Option<f64>, ratio: Option<f64>) {
    println!(
        "| {loader} | {checks} | {rows} | {secs:.2} | {:.0} | {} | {} |",
        rows as f64 / secs,
        mem.map_or("–".into(), |m| format!("{m:.0} MB")),
        ratio.map_or(String::new(), |r| format!("{r:.2}×"))
    );
}

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
    println!(
        "| loader | checks | rows | seconds | rows/s | peak memory | govshare ÷ this (rows/s) |"
    );
    println!("|---|---|---|---|---|---|---|");

    // GOVSHARE_BENCH_SKIP_SQLITE=1 runs the PostgreSQL half alone (for profiling).
    if std::env::var_os("GOVSHARE_BENCH_SKIP_SQLITE").is_none() {
        let sqlite_url = format!("sqlite://{}", work.join("pool-bench.db").display());
        let code = person_pool(&sqlite_url).await?;
        let (g_secs, g_mem, g_out) = govshare_import(&sqlite_url, &code, &file, work)?;
        let g_rate = n as f64 / g_secs;
        let peer_db = work.join("peer-sqlite.db");
        let mut peer = Command::new("sqlite3");
        peer.arg(&peer_db)
            .arg(format!(
                "PRAGMA journal_mode=WAL; CREATE TABLE persons ({COLUMNS}, PRIMARY KEY (gmsfhm));"
            ))
            .arg(".mode csv")
            .arg(format!(".import --skip 1 {} persons", file.display()));
        let (p_secs, p_mem, _) = timed(peer)?;
        line(
            "sqlite3 .import (peer)",
            "none",
            n,
            p_secs,
            p_mem,
            Some(g_rate * p_secs / n as f64),
        );
        // sqlite-utils loads about 5,000 rows/s here: past 2 million rows it is left out.
        if n <= 2_000_000 && which("sqlite-utils") {
            let mut utils = Command::new("sqlite-utils");
            utils
                .arg("insert")
                .arg(work.join("peer-sqlite-utils.db"))
                .arg("persons")
                .arg(&file)
                .args(["--csv", "--pk", "gmsfhm", "--ignore"]);
            let (u_secs, u_mem, _) = timed(utils)?;
            line(
                "sqlite-utils insert (Datasette's loader)",
                "none",
                n,
                u_secs,
                u_mem,
                Some(g_rate * u_secs / n as f64),
            );
        }
        line("govshare → SQLite", "every cell", n, g_secs, g_mem, None);
        eprintln!("govshare: {}", g_out.trim());
    }
    if govshare_store::testing::backends().contains(&"postgres") {
        let pg_url = govshare_store::testing::fresh_database("postgres");
        let code = person_pool(&pg_url).await?;
        let (g_secs, g_mem, g_out) = govshare_import(&pg_url, &code, &file, work)?;
        let g_rate = n as f64 / g_secs;
        // The rows govshare accepted, as CSV, for COPY into the equivalent table.
        let store = Store::open(&pg_url).await?;
        let table = store
            .pool(&Caller::System("bench".into()), &code)
            .await?
            .table;
        let accepted = work.join("accepted.csv");
        timed(psql(
            &pg_url,
            &format!(
                "\\copy (SELECT gmsfhm, xm, xb, csrq, hjdz, lxdh, hjqh FROM \"{table}\") TO '{}' WITH (FORMAT csv, HEADER true)",
                accepted.display()
            ),
        ))?;
        let accepted_rows = store
            .pool(&Caller::System("bench".into()), &code)
            .await?
            .row_count as usize;
        timed(psql(
            &pg_url,
            &format!("CREATE TABLE persons_typed ({TYPED_COLUMNS})"),
        ))?;
        let (t_secs, t_mem, _) = timed(psql(
            &pg_url,
            &format!(
                "\\copy persons_typed FROM '{}' WITH (FORMAT csv, HEADER true)",
                accepted.display()
            ),
        ))?;
        // The fastest way PostgreSQL loads a keyed table: COPY first, key built after.
        let unkeyed = TYPED_COLUMNS.replace(" NOT NULL PRIMARY KEY", " NOT NULL");
        timed(psql(
            &pg_url,
            &format!("CREATE TABLE persons_late ({unkeyed})"),
        ))?;
        let mut late = psql(
            &pg_url,
            &format!(
                "\\copy persons_late FROM '{}' WITH (FORMAT csv, HEADER true)",
                accepted.display()
            ),
        );
        late.arg("-c")
            .arg("ALTER TABLE persons_late ADD PRIMARY KEY (gmsfhm)");
        let (l_secs, l_mem, _) = timed(late)?;
        timed(psql(
            &pg_url,
            &format!("CREATE TABLE persons_copy ({COLUMNS})"),
        ))?;
        let (c_secs, c_mem, _) = timed(psql(
            &pg_url,
            &format!(
                "\\copy persons_copy FROM '{}' WITH (FORMAT csv, HEADER true)",
                file.display()
            ),
        ))?;
        line(
            "psql \\copy, equivalent table (peer): accepted rows, typed, keyed",
            "none",
            accepted_rows,
            t_secs,
            t_mem,
            Some(g_rate * t_secs / accepted_rows as f64),
        );
        line(
            "psql \\copy, equivalent table, key built after the load (peer): accepted rows",
            "none",
            accepted_rows,
            l_secs,
            l_mem,
            Some(g_rate * l_secs / accepted_rows as f64),
        );
        line(
            "psql \\copy, raw file into all-text table, no key (floor)",
            "none",
            n,
            c_secs,
            c_mem,
            Some(g_rate * c_secs / n as f64),
        );
        line(
            "govshare → PostgreSQL",
            "every cell",
            n,
            g_secs,
            g_mem,
            None,
        );
        eprintln!("govshare (PostgreSQL): {}", g_out.trim());
    }
    println!();
    Ok(())
}

fn which(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
