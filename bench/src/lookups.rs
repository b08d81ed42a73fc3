//! Sharing lookups under load: wrk with 32 connections asks for random keys of the
//! same 1,000,000 person rows, 20 s each, from
//! - govshare: an app's authenticated, audited, masked lookup by key (SQLite, and
//!   PostgreSQL when configured), each answer sent only after its audit entry is
//!   durable;
//! - Datasette serving the same rows from SQLite through its row JSON endpoint;
//! - nginx returning a small static JSON file: the machine's ceiling;
//! - PostgreSQL's own point lookups of the same rows (`pgbench -M prepared`, one index
//!   probe of the 1,000,000-row pool table a statement), the ceiling of the
//!   PostgreSQL backend.
//!
//! After each govshare run the audit log is counted against the answers wrk saw.

use crate::pools::{COLUMNS, govshare_bin, govshare_import, person_resource};
use govshare_store::{Caller, Store};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SECONDS: u32 = 20;
const CONNECTIONS: u32 = 32;

struct Wrk {
    rps: f64,
    p50: String,
    p99: String,
    requests: u64,
    errors: u64,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn wait_ready(url: &str) -> anyhow::Result<()> {
    for _ in 0..300 {
        if std::process::Command::new("curl")
            .args(["-sf", "-o", "/dev/null", url])
            .status()
            .is_ok_and(|s| s.success())
        {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    anyhow::bail!("{url} did not come up")
}

/// Runs wrk against `base` with a Lua script that picks a random key for `path`
/// (`{key}` stands for it) and sends `header`.
fn wrk(work: &Path, base: &str, path: &str, header: Option<(&str, &str)>) -> anyhow::Result<Wrk> {
    let keys = work.join("keys.txt");
    let (prefix, suffix) = path.split_once("{key}").unwrap_or((path, ""));
    let headers = header.map_or("{}".to_string(), |(k, v)| {
        format!("{{[\"{k}\"] = \"{v}\"}}")
    });
    let script = work.join("lookup.lua");
    std::fs::write(
        &script,
        format!(
            "local keys = {{}}\nfor line in io.lines(\"{}\") do keys[#keys + 1] = line end\n\
             math.randomseed(os.time())\n\
             request = function()\n  local k = keys[math.random(#keys)]\n  return wrk.format(\"GET\", \"{prefix}\" .. k .. \"{suffix}\", {headers})\nend\n",
            keys.display()
        ),
    )?;
    run_wrk(&script, base, CONNECTIONS, SECONDS)
}

/// Batch lookups of 1,000 random keys a request (bodies made once, taken in turn),
/// 4 connections, 10 s.
fn wrk_batch(work: &Path, base: &str, code: &str, key: &str) -> anyhow::Result<Wrk> {
    let keys = work.join("keys.txt");
    let script = work.join("batch.lua");
    std::fs::write(
        &script,
        format!(
            "local keys = {{}}\nfor line in io.lines(\"{}\") do keys[#keys + 1] = line end\n\
             math.randomseed(os.time())\nlocal bodies = {{}}\n\
             for b = 1, 50 do\n  local picked = {{}}\n  for i = 1, 1000 do picked[i] = '\"' .. keys[math.random(#keys)] .. '\"' end\n\
               bodies[b] = '{{\"keys\": [' .. table.concat(picked, ',') .. ']}}'\nend\n\
             local n = 0\n\
             request = function()\n  n = n % #bodies + 1\n  return wrk.format(\"POST\", \"/api/v1/share/{code}/lookup\", \
               {{[\"X-Api-Key\"] = \"{key}\", [\"Content-Type\"] = \"application/json\"}}, bodies[n])\nend\n",
            keys.display()
        ),
    )?;
    run_wrk(&script, base, 4, 10)
}

fn run_wrk(script: &Path, base: &str, connections: u32, seconds: u32) -> anyhow::Result<Wrk> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(base)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let field = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split_whitespace().nth(1).map(String::from))
            .unwrap_or_default()
    };
    let requests = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let non2xx: u64 = field("Non-2xx").parse().unwrap_or(0);
    let non2xx = if non2xx == 0 {
        text.lines()
            .find(|l| l.contains("Non-2xx"))
            .and_then(|l| l.split_whitespace().last())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    } else {
        non2xx
    };
    let socket: u64 = text
        .lines()
        .find(|l| l.contains("Socket errors"))
        .map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Ok(Wrk {
        rps: field("Requests/sec:").parse().unwrap_or(0.0),
        p50: field("50%"),
        p99: field("99%"),
        requests,
        errors: non2xx + socket,
    })
}

struct Server(Child);

impl Drop for Server {
    /// Asks the server to stop (nginx's master then stops its workers, which a kill
    /// would leave running), and kills it if it has not after two seconds.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        for _ in 0..20 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A pool of the persons, an app of another organisation registered to use it, and
/// 10,000 of its keys in `keys.txt`. Returns the code and the app's key.
async fn prepared(url: &str, file: &Path, work: &Path) -> anyhow::Result<(String, String, String)> {
    let code = person_resource(url, "unconditional", true).await?;
    govshare_import(url, &code, file, work)?;
    let store = Store::open(url).await?;
    let sys = Caller::System("bench".into());
    let district = govshare_demo::catalog()
        .orgs
        .iter()
        .find(|o| o.name.contains("渝中区"))
        .expect("demo district")
        .credit_code
        .clone();
    let (key, prefix, hash) = govshare_server::auth::new_app_key();
    let app = store
        .create_app(&sys, &district, "基准测试应用", &prefix, &hash, None)
        .await?;
    store
        .register_use(&sys, app.id, &code, "基准测试：按身份号码查询", "基准测试")
        .await?;
    let table = store.pool(&sys, &code).await?.table;
    let pool_table = table.clone();
    let keys = store
        .read(move |c| {
            c.query(
                &format!("SELECT gmsfhm FROM \"{table}\" ORDER BY _seq LIMIT 10000"),
                &[],
            )
        })
        .await?;
    let keys: Vec<String> = keys.iter().map(|r| r.text(0)).collect::<Result<_, _>>()?;
    std::fs::write(work.join("keys.txt"), keys.join("\n") + "\n")?;
    // For profiling by hand against a kept work folder (GOVSHARE_BENCH_KEEP).
    std::fs::write(work.join("app.txt"), format!("{code}\n{key}\n"))?;
    Ok((code, key, pool_table))
}

/// Lets PostgreSQL finish with the load before anything is measured: the pool table
/// vacuumed (hint bits set, statistics taken) and a checkpoint written, so that
/// neither pgbench nor govshare runs beside the flushing of a million fresh rows.
fn settle(url: &str, table: &str) -> anyhow::Result<()> {
    for sql in [
        format!("VACUUM (ANALYZE) \"{table}\""),
        "CHECKPOINT".to_string(),
    ] {
        let out = Command::new("psql").args([url, "-qXc", &sql]).output()?;
        if !out.status.success() {
            anyhow::bail!("{sql}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    Ok(())
}

struct Pgbench {
    tps: f64,
    p50: String,
    p99: String,
}

/// The 50th and 99th percentile of pgbench's logged transaction latencies (the third
/// column of each line of `-l`, in microseconds), as wrk prints them.
fn pgbench_percentiles(work: &Path, prefix: &str) -> anyhow::Result<(String, String)> {
    let mut micros = Vec::new();
    for entry in std::fs::read_dir(work)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if !name.starts_with(prefix) {
            continue;
        }
        for line in std::fs::read_to_string(&path)?.lines() {
            if let Some(us) = line
                .split_whitespace()
                .nth(2)
                .and_then(|v| v.parse::<u64>().ok())
            {
                micros.push(us);
            }
        }
        std::fs::remove_file(&path)?;
    }
    if micros.is_empty() {
        anyhow::bail!("pgbench logged no transactions");
    }
    micros.sort_unstable();
    let at = |q: f64| micros[((micros.len() as f64 * q) as usize).min(micros.len() - 1)];
    let ms = |us: u64| format!("{:.2}ms", us as f64 / 1000.0);
    Ok((ms(at(0.50)), ms(at(0.99))))
}

/// PostgreSQL's own point lookups on the pool table: random rows of the first 10,000
/// by their indexed sequence number (the keys wrk asks for), prepared statements, 32
/// clients, as long as wrk runs.
fn pgbench(url: &str, table: &str, work: &Path) -> anyhow::Result<Pgbench> {
    let script = work.join("pgbench.sql");
    std::fs::write(
        &script,
        format!("\\set n random(1, 10000)\nSELECT * FROM \"{table}\" WHERE _seq = :n;\n"),
    )?;
    let prefix = "pgbench-log";
    let out = Command::new("pgbench")
        // One transaction in ten logged, for the percentiles (logging every one would
        // slow the ceiling down).
        .args([
            "-n",
            "-M",
            "prepared",
            "-j",
            "2",
            "-l",
            "--sampling-rate=0.1",
        ])
        .arg("--log-prefix")
        .arg(work.join(prefix))
        .arg(format!("-c{CONNECTIONS}"))
        .arg(format!("-T{SECONDS}"))
        .arg("-f")
        .arg(&script)
        .arg(url)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        anyhow::bail!("pgbench failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let (p50, p99) = pgbench_percentiles(work, prefix)?;
    let after = |label: &str| {
        text.lines()
            .find(|l| l.starts_with(label))
            .and_then(|l| l.split('=').nth(1))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    Ok(Pgbench {
        tps: after("tps")
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0),
        p50,
        p99,
    })
}

/// One govshare run under wrk: what wrk saw, the answers the server counted, the
/// audit entries of answered lookups, and then batch lookups.
async fn govshare_run(
    url: &str,
    work: &Path,
    code: &str,
    key: &str,
) -> anyhow::Result<(Wrk, i64, i64, Wrk)> {
    let port = free_port()?;
    let dir = work.join(format!("serve-{port}"));
    let server = Server(
        Command::new(govshare_bin())
            .args([
                "--database-url",
                url,
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(&dir)
            .arg("serve")
            .env("GOVSHARE_LOG", "error")
            .env("GOVSHARE_APP_CALLS_PER_SECOND", "1000000")
            .stdout(Stdio::null())
            .spawn()?,
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&format!("{base}/healthz"))?;
    let result = wrk(
        work,
        &base,
        &format!("/api/v1/share/{code}/rows/{{key}}"),
        Some(("X-Api-Key", key)),
    )?;
    // Calls still in flight when wrk stopped are answered too: the server's own count
    // is what the audit log must match.
    std::thread::sleep(Duration::from_secs(1));
    let metrics = Command::new("curl")
        .args(["-sf", &format!("{base}/metrics")])
        .output()?;
    let answered: i64 = String::from_utf8_lossy(&metrics.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("govshare_share_answers_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(-1);
    let batch = wrk_batch(work, &base, code, key)?;
    drop(server);
    let store = Store::open(url).await?;
    let audited = store
        .read(|c| {
            c.query_one(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'share.lookup' AND outcome = 'ok'",
                &[],
            )?
            .i64(0)
        })
        .await?;
    let chains = store.verify_audit().await?;
    if chains.iter().any(|c| c.first_bad.is_some()) {
        anyhow::bail!("the audit log does not verify after the run: {chains:?}");
    }
    Ok((result, answered, audited, batch))
}

/// How the audit entries of answered lookups compare with the server's answers: never
/// fewer; more only by calls whose client hung up before the answer went out.
fn entries_per_answer(answered: i64, audited: i64) -> String {
    match audited - answered {
        0 => "one entry per answer".into(),
        n if n > 0 => format!("one entry per answer, and {n} of calls whose client hung up first"),
        n => format!("{} ANSWERS WITHOUT AN ENTRY", -n),
    }
}

fn batch_line(backend: &str, w: &Wrk) {
    println!(
        "govshare ({backend}) batch lookups of 1,000 keys, wrk -c4 10 s: {:.0} requests/s = {:.0} keys/s, p50 {}, p99 {}, errors {}",
        w.rps,
        w.rps * 1000.0,
        w.p50,
        w.p99,
        w.errors
    );
}

fn line(who: &str, w: &Wrk, nginx: Option<f64>, datasette: Option<f64>) {
    let ratio = |peer: Option<f64>| peer.map_or(String::new(), |p| format!("{:.2}×", w.rps / p));
    println!(
        "| {who} | {:.0} | {} | {} | {} | {} | {} |",
        w.rps,
        w.p50,
        w.p99,
        w.errors,
        ratio(datasette),
        ratio(nginx)
    );
}

pub async fn run(work: &Path) -> anyhow::Result<()> {
    let file = work.join("persons.csv");
    if !file.exists() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        govshare_demo::persons::write_person_csv(&mut out, 1_000_000, 0.02, 2026)?;
    }
    let sqlite_url = format!("sqlite://{}", work.join("lookup-bench.db").display());
    let (code, key, _) = prepared(&sqlite_url, &file, work).await?;

    // nginx: a small static JSON file.
    let port = free_port()?;
    let root = work.join("nginx");
    std::fs::create_dir_all(root.join("logs"))?;
    std::fs::write(
        root.join("row.json"),
        r#"{"公民身份号码":"500103********1234","姓名":"张三"}"#,
    )?;
    std::fs::write(
        root.join("nginx.conf"),
        format!(
            "worker_processes auto; daemon off; pid {r}/nginx.pid; error_log {r}/logs/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{ access_log off; server {{ listen 127.0.0.1:{port}; root {r}; location / {{ try_files /row.json =404; }} }} }}\n",
            r = root.display()
        ),
    )?;
    let nginx = Server(
        Command::new("nginx")
            .args(["-p"])
            .arg(&root)
            .arg("-c")
            .arg(root.join("nginx.conf"))
            .stderr(Stdio::null())
            .spawn()?,
    );
    wait_ready(&format!("http://127.0.0.1:{port}/x"))?;
    let ceiling = wrk(work, &format!("http://127.0.0.1:{port}"), "/{key}", None)?;
    drop(nginx);

    // Datasette: the same rows in SQLite, its row JSON endpoint.
    let peer = work.join("peer.db");
    let _ = std::fs::remove_file(&peer);
    Command::new("sqlite3")
        .arg(&peer)
        .arg(format!(
            "CREATE TABLE persons ({COLUMNS}, PRIMARY KEY (gmsfhm));"
        ))
        .arg(".mode csv")
        .arg(format!(".import --skip 1 {} persons", file.display()))
        .stderr(Stdio::null())
        .status()?;
    let port = free_port()?;
    let datasette = Server(
        Command::new("datasette")
            .args(["serve", "-i"])
            .arg(&peer)
            .args([
                "--port",
                &port.to_string(),
                "--setting",
                "num_sql_threads",
                "4",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    wait_ready(&format!("http://127.0.0.1:{port}/-/versions.json"))?;
    let ds = wrk(
        work,
        &format!("http://127.0.0.1:{port}"),
        "/peer/persons/{key}.json",
        None,
    )?;
    drop(datasette);

    let (g, answered, audited, batch) = govshare_run(&sqlite_url, work, &code, &key).await?;
    println!(
        "## Sharing lookups: random keys of 1,000,000 persons, wrk -c{CONNECTIONS}, {SECONDS} s each"
    );
    println!();
    println!("| server | requests/s | p50 | p99 | errors | ÷ Datasette | ÷ nginx |");
    println!("|---|---|---|---|---|---|---|");
    line("nginx, static JSON file (ceiling)", &ceiling, None, None);
    line("Datasette, row JSON (SQLite)", &ds, Some(ceiling.rps), None);
    line(
        "govshare → SQLite: app key, policy, masking, audit",
        &g,
        Some(ceiling.rps),
        Some(ds.rps),
    );
    println!();
    println!(
        "govshare (SQLite): {} answers seen by wrk, {answered} answered by the server, {audited} audit entries of answered lookups ({}); chains verify",
        g.requests,
        entries_per_answer(answered, audited)
    );
    batch_line("SQLite", &batch);
    if govshare_store::testing::backends().contains(&"postgres") {
        let pg_url = govshare_store::testing::fresh_database("postgres");
        let (code, key, table) = prepared(&pg_url, &file, work).await?;
        settle(&pg_url, &table)?;
        let ceiling = pgbench(&pg_url, &table, work)?;
        let (g, answered, audited, pg_batch) = govshare_run(&pg_url, work, &code, &key).await?;
        println!();
        println!("| server | requests/s | p50 | p99 | errors | ÷ pgbench | ÷ Datasette |");
        println!("|---|---|---|---|---|---|---|");
        println!(
            "| PostgreSQL, pgbench -M prepared point lookups (ceiling) | {:.0} | {} | {} | 0 | | |",
            ceiling.tps, ceiling.p50, ceiling.p99
        );
        println!(
            "| govshare → PostgreSQL: app key, policy, masking, audit | {:.0} | {} | {} | {} | {:.2}× | {:.2}× |",
            g.rps,
            g.p50,
            g.p99,
            g.errors,
            g.rps / ceiling.tps.max(1.0),
            g.rps / ds.rps.max(1.0)
        );
        println!();
        println!(
            "govshare (PostgreSQL): {} answers seen by wrk, {answered} answered by the server, {audited} audit entries ({}); chains verify",
            g.requests,
            entries_per_answer(answered, audited)
        );
        batch_line("PostgreSQL", &pg_batch);
    }
    println!();
    Ok(())
}
