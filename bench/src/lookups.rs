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
//! The servers compared take turns (`SLICES` turns of 2 s each), so that a shared
//! machine that speeds up or slows down during the run weighs on each alike; each one's
//! turns are joined (requests and time summed, latencies mixed by their weight).
//!
//! After each govshare run the audit log is counted against the answers wrk saw.

use crate::pools::{COLUMNS, govshare_bin, govshare_import, person_resource};
use govshare_store::prelude::*;
use govshare_store::{Caller, Store};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) const SECONDS: u32 = 20;
pub(crate) const CONNECTIONS: u32 = 32;

/// Latency quantiles kept of each load: every 0.01 % from 0.01 % to 99.99 %.
const QUANTILES: usize = 9999;

/// What wrk measured: its requests, errors and run time, and its latencies as
/// `QUANTILES` quantiles, so that slices of one server's load can be joined.
pub(crate) struct Wrk {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    micros: u64,
    quantiles: Vec<u64>,
}

/// A wrk script around `request`: the keys of `keys.txt` read into `keys` first, and
/// at the end the totals and the latency quantiles printed for `run_wrk`.
pub(crate) fn wrk_script(
    work: &Path,
    name: &str,
    request: &str,
) -> anyhow::Result<std::path::PathBuf> {
    let script = work.join(format!("{name}.lua"));
    std::fs::write(
        &script,
        format!(
            "local keys = {{}}\nfor line in io.lines(\"{keys}\") do keys[#keys + 1] = line end\n\
             math.randomseed(os.time())\n{request}\n\
             done = function(s, latency, requests)\n\
               local e = s.errors\n\
               io.write(string.format(\"result %d %d %d\\n\", s.requests, s.duration, e.connect + e.read + e.write + e.status + e.timeout))\n\
               for i = 1, {QUANTILES} do io.write(string.format(\"q %d\\n\", latency:percentile(i / 100))) end\n\
             end\n",
            keys = work.join("keys.txt").display()
        ),
    )?;
    Ok(script)
}

impl Wrk {
    pub(crate) fn rps(&self) -> f64 {
        self.requests as f64 * 1e6 / self.micros.max(1) as f64
    }

    /// Slices of one load taken together: the sums, and the quantiles of the mixture of
    /// their latencies (each slice weighs as much as it answered).
    pub(crate) fn joined(slices: &[Wrk]) -> Wrk {
        let mut weighted: Vec<(u64, f64)> = slices
            .iter()
            .flat_map(|s| {
                let w = s.requests as f64 / s.quantiles.len().max(1) as f64;
                s.quantiles.iter().map(move |&q| (q, w))
            })
            .collect();
        weighted.sort_unstable_by_key(|&(q, _)| q);
        let total: f64 = weighted.iter().map(|&(_, w)| w).sum();
        let mut quantiles = Vec::with_capacity(QUANTILES);
        let (mut seen, mut at) = (0.0, 0);
        for i in 1..=QUANTILES {
            let wanted = total * i as f64 / (QUANTILES + 1) as f64;
            while at < weighted.len() && seen + weighted[at].1 < wanted {
                seen += weighted[at].1;
                at += 1;
            }
            quantiles.push(weighted.get(at).map_or(0, |&(q, _)| q));
        }
        Wrk {
            requests: slices.iter().map(|s| s.requests).sum(),
            errors: slices.iter().map(|s| s.errors).sum(),
            micros: slices.iter().map(|s| s.micros).sum(),
            quantiles,
        }
    }

    /// The latency at `percent` (1 to 99.99), as wrk prints it.
    pub(crate) fn at(&self, percent: f64) -> String {
        shown(self.micros_at(percent))
    }

    /// The latency at `percent` in microseconds.
    pub(crate) fn micros_at(&self, percent: f64) -> u64 {
        let i = ((percent * 100.0).round() as usize).clamp(1, QUANTILES) - 1;
        self.quantiles.get(i).copied().unwrap_or(0)
    }
}

fn shown(us: u64) -> String {
    if us >= 1000 {
        format!("{:.2}ms", us as f64 / 1000.0)
    } else {
        format!("{us}us")
    }
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub(crate) fn wait_ready(url: &str) -> anyhow::Result<()> {
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

/// A wrk script that asks `path` (`{key}` stands for a random key of `keys.txt`) with
/// `header`.
pub(crate) fn lookup_script(
    work: &Path,
    name: &str,
    path: &str,
    header: Option<(&str, &str)>,
) -> anyhow::Result<std::path::PathBuf> {
    let (prefix, suffix) = path.split_once("{key}").unwrap_or((path, ""));
    let headers = header.map_or("{}".to_string(), |(k, v)| {
        format!("{{[\"{k}\"] = \"{v}\"}}")
    });
    wrk_script(
        work,
        name,
        &format!(
            "request = function()\n  local k = keys[math.random(#keys)]\n  return wrk.format(\"GET\", \"{prefix}\" .. k .. \"{suffix}\", {headers})\nend"
        ),
    )
}

/// Batch lookups of 1,000 random keys a request (bodies made once, taken in turn),
/// 4 connections, 10 s.
fn wrk_batch(work: &Path, base: &str, code: &str, key: &str) -> anyhow::Result<Wrk> {
    let script = wrk_script(
        work,
        "batch",
        &format!(
            "local bodies = {{}}\n\
             for b = 1, 50 do\n  local picked = {{}}\n  for i = 1, 1000 do picked[i] = '\"' .. keys[math.random(#keys)] .. '\"' end\n\
               bodies[b] = '{{\"keys\": [' .. table.concat(picked, ',') .. ']}}'\nend\n\
             local n = 0\n\
             request = function()\n  n = n % #bodies + 1\n  return wrk.format(\"POST\", \"/api/v1/share/{code}/lookup\", \
               {{[\"X-Api-Key\"] = \"{key}\", [\"Content-Type\"] = \"application/json\"}}, bodies[n])\nend"
        ),
    )?;
    run_wrk(&script, base, 4, 10)
}

pub(crate) fn run_wrk(
    script: &Path,
    base: &str,
    connections: u32,
    seconds: u32,
) -> anyhow::Result<Wrk> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "-s",
        ])
        .arg(script)
        .arg(base)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut result = None;
    let mut quantiles = Vec::with_capacity(QUANTILES);
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("result") => {
                let n: Vec<u64> = words.filter_map(|w| w.parse().ok()).collect();
                result = (n.len() == 3).then(|| (n[0], n[1], n[2]));
            }
            Some("q") => quantiles.extend(words.next().and_then(|w| w.parse::<u64>().ok())),
            _ => {}
        }
    }
    let Some((requests, micros, errors)) = result else {
        anyhow::bail!(
            "wrk printed no result: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    Ok(Wrk {
        requests,
        errors,
        micros,
        quantiles,
    })
}

pub(crate) struct Server(Child);

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
    let district = district();
    let (key, prefix, hash) = govshare_server::auth::new_app_key();
    let app = store
        .create_app(&sys, &district, "基准测试应用", &prefix, &hash, None)
        .await?;
    store
        .register_use(&sys, app.id, &code, "基准测试：按身份号码查询", "基准测试")
        .await?;
    let pool_table = write_keys(&store, &code, work).await?;
    // For profiling by hand against a kept work folder (GOVSHARE_BENCH_KEEP).
    std::fs::write(work.join("app.txt"), format!("{code}\n{key}\n"))?;
    Ok((code, key, pool_table))
}

/// The first 10,000 keys of pool `code` in `keys.txt` (what wrk asks for); the pool's
/// table.
pub(crate) async fn write_keys(store: &Store, code: &str, work: &Path) -> anyhow::Result<String> {
    let sys = Caller::System("bench".into());
    let table = store.pool(&sys, code).await?.table;
    let pool_table = table.clone();
    let keys = store
        .read(move |c| {
            c.query(
                &format!("SELECT gmsfhm AS k FROM \"{table}\" ORDER BY _seq LIMIT 10000"),
                &[],
            )
        })
        .await?;
    let keys: Vec<String> = keys.iter().map(|r| r.text("k")).collect::<Result<_, _>>()?;
    std::fs::write(work.join("keys.txt"), keys.join("\n") + "\n")?;
    Ok(pool_table)
}

/// The demo city's district whose apps call in the benchmarks (渝中区): its credit code.
pub(crate) fn district() -> String {
    govshare_demo::catalog()
        .orgs
        .iter()
        .find(|o| o.name.contains("渝中区"))
        .expect("demo district")
        .credit_code
        .clone()
}

/// Lets PostgreSQL finish with the load before anything is measured: the pool table
/// vacuumed (hint bits set, statistics taken) and a checkpoint written, so that
/// neither pgbench nor govshare runs beside the flushing of a million fresh rows.
pub(crate) fn settle(url: &str, table: &str) -> anyhow::Result<()> {
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

/// The `QUANTILES` quantiles of pgbench's logged transaction latencies (the third column of
/// each line of `-l`, in microseconds); the logs are removed.
fn pgbench_quantiles(work: &Path, prefix: &str) -> anyhow::Result<Vec<u64>> {
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
    let n = micros.len();
    Ok((1..=QUANTILES)
        .map(|i| micros[(n * i / (QUANTILES + 1)).min(n - 1)])
        .collect())
}

/// PostgreSQL's own point lookups on the pool table for `seconds`: random rows of the
/// first 10,000 by their indexed sequence number (the keys wrk asks for), prepared
/// statements, 32 clients. Its rate is over its own measured time (without the
/// connections' set-up), as pgbench prints it.
pub(crate) fn pgbench(url: &str, table: &str, work: &Path, seconds: u32) -> anyhow::Result<Wrk> {
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
        .arg(format!("-T{seconds}"))
        .arg("-f")
        .arg(&script)
        .arg(url)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        anyhow::bail!("pgbench failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let number = |label: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(label))
            .and_then(|rest| {
                rest.trim_start_matches([' ', ':', '='])
                    .split_whitespace()
                    .next()
            })
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let requests = number("number of transactions actually processed");
    let tps = number("tps");
    Ok(Wrk {
        requests: requests as u64,
        errors: number("number of failed transactions") as u64,
        micros: (requests / tps.max(1.0) * 1e6) as u64,
        quantiles: pgbench_quantiles(work, prefix)?,
    })
}

/// A govshare server on `url` with its data folder in `work`.
pub(crate) struct Govshare {
    server: Server,
    pub(crate) base: String,
    url: String,
    /// What to run on its database once it has stopped, before it is read: a baseline's
    /// copy gets back the migrations it was made to forget.
    restore: Option<Command>,
}

impl Govshare {
    pub(crate) fn start(url: &str, work: &Path) -> anyhow::Result<Govshare> {
        Govshare::start_bin(&govshare_bin(), url, work, "node-1")
    }

    /// A server of this build named `node` (nodes sharing a database need their own).
    pub(crate) fn start_node(url: &str, work: &Path, node: &str) -> anyhow::Result<Govshare> {
        Govshare::start_bin(&govshare_bin(), url, work, node)
    }

    /// A server of this build whose data folder is `dir` (where its audit key is).
    pub(crate) fn start_in(url: &str, dir: &Path) -> anyhow::Result<Govshare> {
        Govshare::serve(&govshare_bin(), url, dir.to_path_buf(), "node-1")
    }

    /// A server of the build at `bin` (another build, to compare with in turns).
    fn start_bin(bin: &Path, url: &str, work: &Path, node: &str) -> anyhow::Result<Govshare> {
        let dir = work.join(format!("serve-{}", free_port()?));
        Govshare::serve(bin, url, dir, node)
    }

    fn serve(
        bin: &Path,
        url: &str,
        dir: std::path::PathBuf,
        node: &str,
    ) -> anyhow::Result<Govshare> {
        let port = free_port()?;
        let server = Server(
            Command::new(bin)
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
                .env("GOVSHARE_NODE_ID", node)
                .stdout(Stdio::null())
                .spawn()?,
        );
        let base = format!("http://127.0.0.1:{port}");
        wait_ready(&format!("{base}/healthz"))?;
        Ok(Govshare {
            server,
            base,
            url: url.to_string(),
            restore: None,
        })
    }

    /// The data calls the server has answered with data since it started.
    pub(crate) fn answered(&self) -> anyhow::Result<i64> {
        let metrics = Command::new("curl")
            .args(["-sf", &format!("{}/metrics", self.base)])
            .output()?;
        Ok(String::from_utf8_lossy(&metrics.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("govshare_share_answers_total "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(-1))
    }

    /// Stops the server; then the audit entries of answered lookups, once the chains
    /// are found to verify.
    pub(crate) async fn stop(self) -> anyhow::Result<i64> {
        let Govshare {
            server,
            url,
            restore,
            ..
        } = self;
        drop(server);
        if let Some(mut cmd) = restore {
            let out = cmd.output()?;
            anyhow::ensure!(
                out.status.success(),
                "restoring the baseline's migrations: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let store = Store::open(&url).await?;
        let audited = store
            .read(|c| {
                c.query_one(
                    "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'share.lookup' AND outcome = 'ok'",
                    &[],
                )?
                .i64("n")
            })
            .await?;
        let chains = store.verify_audit().await?;
        if chains.iter().any(|c| c.first_bad.is_some()) {
            anyhow::bail!("the audit log does not verify after the run: {chains:?}");
        }
        Ok(audited)
    }
}

/// Turns each load takes: the servers compared take turns, so that a shared machine
/// whose speed swings during the run weighs on each of them alike.
pub(crate) const SLICES: u32 = 10;

/// Each load's turns: `SECONDS` in all, in `SLICES` turns, loads one after another.
pub(crate) fn in_turns(
    loads: &mut [&mut dyn FnMut(u32) -> anyhow::Result<Wrk>],
) -> anyhow::Result<Vec<Vec<Wrk>>> {
    let mut slices: Vec<Vec<Wrk>> = loads.iter().map(|_| Vec::new()).collect();
    for _ in 0..SLICES {
        for (load, got) in loads.iter_mut().zip(&mut slices) {
            got.push(load(SECONDS / SLICES)?);
        }
    }
    Ok(slices)
}

/// The lowest and highest ratio of `ours` to `peer` over turns taken side by side.
pub(crate) fn turn_ratios(ours: &[Wrk], peer: &[Wrk]) -> String {
    let ratios: Vec<f64> = ours
        .iter()
        .zip(peer)
        .map(|(o, p)| o.rps() / p.rps().max(1.0))
        .collect();
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(0.0, f64::max);
    format!("{low:.2}–{high:.2}×")
}

/// How the audit entries of answered lookups compare with the server's answers: never
/// fewer; more only by calls whose client hung up before the answer went out.
pub(crate) fn entries_per_answer(answered: i64, audited: i64) -> String {
    match audited - answered {
        0 => "one entry per answer".into(),
        n if n > 0 => format!("one entry per answer, and {n} of calls whose client hung up first"),
        n => format!("{} ANSWERS WITHOUT AN ENTRY", -n),
    }
}

fn batch_line(backend: &str, w: &Wrk) {
    println!(
        "govshare ({backend}) batch lookups of 1,000 keys, wrk -c4 10 s: {:.0} requests/s = {:.0} keys/s, p50 {}, p99 {}, errors {}",
        w.rps(),
        w.rps() * 1000.0,
        w.at(50.0),
        w.at(99.0),
        w.errors
    );
}

/// A table row: the server's rate, latencies and errors, and its ratio to each peer.
pub(crate) fn line(who: &str, w: &Wrk, peers: &[Option<&Wrk>]) {
    let ratios: Vec<String> = peers
        .iter()
        .map(|p| {
            p.map_or(String::new(), |p| {
                format!("{:.2}×", w.rps() / p.rps().max(1.0))
            })
        })
        .collect();
    println!(
        "| {who} | {:.0} | {} | {} | {} | {} |",
        w.rps(),
        w.at(50.0),
        w.at(99.0),
        w.errors,
        ratios.join(" | ")
    );
}

/// The line on a govshare run's audit log and the batch lookups after it.
async fn audit_and_batch(
    g: Govshare,
    backend: &str,
    work: &Path,
    code: &str,
    key: &str,
    seen: &Wrk,
) -> anyhow::Result<()> {
    // Calls still in flight when wrk stopped are answered too: the server's own count
    // is what the audit log must match.
    std::thread::sleep(Duration::from_secs(1));
    let answered = g.answered()?;
    let batch = wrk_batch(work, &g.base, code, key)?;
    let audited = g.stop().await?;
    println!();
    println!(
        "govshare ({backend}): {} answers seen by wrk, {answered} answered by the server, {audited} audit entries of answered lookups ({}); chains verify",
        seen.requests,
        entries_per_answer(answered, audited)
    );
    batch_line(backend, &batch);
    Ok(())
}

/// A static file server of `root` on a free port: nginx, which stops its workers
/// when it is stopped.
pub(crate) fn nginx(root: &Path) -> anyhow::Result<(Server, String)> {
    let port = free_port()?;
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
    let server = Server(
        Command::new("nginx")
            .args(["-p"])
            .arg(root)
            .arg("-c")
            .arg(root.join("nginx.conf"))
            .stderr(Stdio::null())
            .spawn()?,
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&format!("{base}/x"))?;
    Ok((server, base))
}

/// Datasette serving the same rows from a SQLite file of its own, on a free port.
fn datasette(work: &Path, file: &Path) -> anyhow::Result<(Server, String)> {
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
    let server = Server(
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
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&format!("{base}/-/versions.json"))?;
    Ok((server, base))
}

/// The wrk script of govshare's lookups: rows of resource `code` by key, as the app
/// whose key is `key`.
fn govshare_script(work: &Path, code: &str, key: &str) -> anyhow::Result<std::path::PathBuf> {
    let path = format!("/api/v1/share/{code}/rows/{{key}}");
    lookup_script(work, "lookup", &path, Some(("X-Api-Key", key)))
}

/// Another build to compare with, in the same turns on a copy of the same data
/// (`GOVSHARE_BENCH_BASELINE=path/to/govshare`); the copy forgets the migrations past
/// `GOVSHARE_BENCH_BASELINE_SCHEMA` (their tables stay, and an older build ignores
/// them), so that an older build opens it.
const RESTORE: &str =
    "INSERT INTO schema_migrations SELECT * FROM bench_forgotten; DROP TABLE bench_forgotten";

struct Baseline {
    bin: std::path::PathBuf,
    schema: Option<i64>,
    /// More SQL for the baseline's copy (`GOVSHARE_BENCH_BASELINE_SQL`), e.g. the
    /// checksum an older build knows for a data step whose text followed an API change.
    sql: Option<String>,
}

impl Baseline {
    fn from_env() -> Option<Baseline> {
        let bin = std::env::var_os("GOVSHARE_BENCH_BASELINE")?.into();
        let schema = std::env::var("GOVSHARE_BENCH_BASELINE_SCHEMA")
            .ok()
            .and_then(|v| v.parse().ok());
        let sql = std::env::var("GOVSHARE_BENCH_BASELINE_SQL").ok();
        Some(Baseline { bin, schema, sql })
    }

    /// Hides the migrations past `schema` from an older build (kept aside, to be put
    /// back by `RESTORE` before this build reads the copy again), then runs `sql`.
    fn forget_newer(&self) -> String {
        let forget = self.schema.map(|n| {
            format!(
                "CREATE TABLE bench_forgotten AS SELECT * FROM schema_migrations WHERE version > {n}; \
                 DELETE FROM schema_migrations WHERE version > {n}"
            )
        });
        [forget, self.sql.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A server of the baseline build on `url`, its migrations put back when it stops.
    fn start(&self, tool: &str, target: &str, url: &str, work: &Path) -> anyhow::Result<Govshare> {
        let mut g = Govshare::start_bin(&self.bin, url, work, "node-1")?;
        if self.schema.is_some() {
            let mut cmd = Command::new(tool);
            if tool == "psql" {
                cmd.args([target, "-qc", RESTORE]);
            } else {
                cmd.args([target, RESTORE]);
            }
            g.restore = Some(cmd);
        }
        Ok(g)
    }

    /// A copy of the SQLite database at `db` (and its audit file) for the baseline.
    fn sqlite_copy(&self, db: &Path) -> anyhow::Result<String> {
        let copy = db.with_file_name("baseline-bench.db");
        for (from, to) in [
            (db.to_path_buf(), copy.clone()),
            (
                govshare_store::audit_path(db),
                govshare_store::audit_path(&copy),
            ),
        ] {
            std::fs::copy(&from, &to)?;
            let wal = |p: &Path| format!("{}-wal", p.display());
            if Path::new(&wal(&from)).exists() {
                std::fs::copy(wal(&from), wal(&to))?;
            }
        }
        let forget = self.forget_newer();
        if !forget.is_empty() {
            let out = Command::new("sqlite3").arg(&copy).arg(&forget).output()?;
            anyhow::ensure!(
                out.status.success(),
                "sqlite3: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(format!("sqlite://{}", copy.display()))
    }

    /// A copy of the PostgreSQL database at `url` for the baseline (no one may be
    /// connected to it while it is copied).
    fn postgres_copy(&self, url: &str) -> anyhow::Result<String> {
        let (server, db) = url
            .rsplit_once('/')
            .ok_or_else(|| anyhow::anyhow!("database URL"))?;
        let copy = format!("{db}_baseline");
        let admin = format!("{server}/postgres");
        for sql in [
            format!("DROP DATABASE IF EXISTS {copy}"),
            format!("CREATE DATABASE {copy} TEMPLATE {db}"),
        ] {
            let out = Command::new("psql").args([&admin, "-qc", &sql]).output()?;
            anyhow::ensure!(
                out.status.success(),
                "psql: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let copied = format!("{server}/{copy}");
        let forget = self.forget_newer();
        if !forget.is_empty() {
            let out = Command::new("psql")
                .args([&copied, "-qc", &forget])
                .output()?;
            anyhow::ensure!(
                out.status.success(),
                "psql: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(copied)
    }
}

/// The rows of this build and the baseline (`theirs`, served by `b`), their ratio turn
/// by turn, and the baseline's audit log and batch lookups.
#[allow(clippy::too_many_arguments)]
async fn report_baseline(
    b: Govshare,
    backend: &str,
    work: &Path,
    (code, key): (&str, &str),
    seen: &Wrk,
    ours: &[Wrk],
    theirs: &[Wrk],
    ceiling: &Wrk,
) -> anyhow::Result<()> {
    let base = Wrk::joined(theirs);
    println!();
    println!("| build | requests/s | p50 | p99 | errors | ÷ baseline | ÷ ceiling |");
    println!("|---|---|---|---|---|---|---|");
    line("this build", seen, &[Some(&base), Some(ceiling)]);
    line("baseline build", &base, &[None, Some(ceiling)]);
    println!();
    println!(
        "Turn by turn: this build ÷ baseline {}",
        turn_ratios(ours, theirs)
    );
    audit_and_batch(b, &format!("{backend}, baseline"), work, code, key, &base).await
}

pub async fn run(work: &Path) -> anyhow::Result<()> {
    let file = work.join("persons.csv");
    if !file.exists() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        govshare_demo::persons::write_person_csv(&mut out, 1_000_000, 0.02, 2026)?;
    }
    let sqlite_url = format!("sqlite://{}", work.join("lookup-bench.db").display());
    let (code, key, _) = prepared(&sqlite_url, &file, work).await?;

    let baseline = Baseline::from_env();
    let (nginx_server, nginx_base) = nginx(&work.join("nginx"))?;
    let (datasette_server, datasette_base) = datasette(work, &file)?;
    let base_server = match &baseline {
        Some(b) => {
            let url = b.sqlite_copy(&work.join("lookup-bench.db"))?;
            let file = url.trim_start_matches("sqlite://").to_string();
            Some(b.start("sqlite3", &file, &url, work)?)
        }
        None => None,
    };
    let g = Govshare::start(&sqlite_url, work)?;
    let nginx_script = lookup_script(work, "nginx", "/{key}", None)?;
    let datasette_script = lookup_script(work, "datasette", "/peer/persons/{key}.json", None)?;
    let script = govshare_script(work, &code, &key)?;
    let mut nginx_load = |s| run_wrk(&nginx_script, &nginx_base, CONNECTIONS, s);
    let mut datasette_load = |s| run_wrk(&datasette_script, &datasette_base, CONNECTIONS, s);
    let mut govshare_load = |s| run_wrk(&script, &g.base, CONNECTIONS, s);
    let base_url = base_server
        .as_ref()
        .map(|b| b.base.clone())
        .unwrap_or_default();
    let mut base_load = |s| run_wrk(&script, &base_url, CONNECTIONS, s);
    let turns = if base_server.is_some() {
        in_turns(&mut [
            &mut nginx_load,
            &mut datasette_load,
            &mut govshare_load,
            &mut base_load,
        ])?
    } else {
        in_turns(&mut [&mut nginx_load, &mut datasette_load, &mut govshare_load])?
    };
    let [ceiling, ds, seen] = [0, 1, 2].map(|i| Wrk::joined(&turns[i]));
    drop((nginx_server, datasette_server));
    println!(
        "## Sharing lookups: random keys of 1,000,000 persons, wrk -c{CONNECTIONS}, {SECONDS} s each in {SLICES} turns of {} s",
        SECONDS / SLICES
    );
    println!();
    println!("| server | requests/s | p50 | p99 | errors | ÷ Datasette | ÷ nginx |");
    println!("|---|---|---|---|---|---|---|");
    line("nginx, static JSON file (ceiling)", &ceiling, &[None, None]);
    line("Datasette, row JSON (SQLite)", &ds, &[None, Some(&ceiling)]);
    line(
        "govshare → SQLite: app key, policy, masking, audit",
        &seen,
        &[Some(&ds), Some(&ceiling)],
    );
    println!();
    println!(
        "Turn by turn ({SLICES} turns of {} s): govshare ÷ nginx {}, ÷ Datasette {}",
        SECONDS / SLICES,
        turn_ratios(&turns[2], &turns[0]),
        turn_ratios(&turns[2], &turns[1])
    );
    if let Some(b) = base_server {
        let (ours, theirs) = (&turns[2], &turns[3]);
        report_baseline(
            b,
            "SQLite",
            work,
            (&code, &key),
            &seen,
            ours,
            theirs,
            &ceiling,
        )
        .await?;
    }
    audit_and_batch(g, "SQLite", work, &code, &key, &seen).await?;
    if govshare_store::testing::backends().contains(&"postgres") {
        let pg_url = govshare_store::testing::fresh_database("postgres");
        let (code, key, table) = prepared(&pg_url, &file, work).await?;
        settle(&pg_url, &table)?;
        let base_server = match &baseline {
            Some(b) => {
                let url = b.postgres_copy(&pg_url)?;
                Some(b.start("psql", &url, &url, work)?)
            }
            None => None,
        };
        let g = Govshare::start(&pg_url, work)?;
        let script = govshare_script(work, &code, &key)?;
        let mut pgbench_load = |s| pgbench(&pg_url, &table, work, s);
        let mut govshare_load = |s| run_wrk(&script, &g.base, CONNECTIONS, s);
        let base_url = base_server
            .as_ref()
            .map(|b| b.base.clone())
            .unwrap_or_default();
        let mut base_load = |s| run_wrk(&script, &base_url, CONNECTIONS, s);
        let turns = if base_server.is_some() {
            in_turns(&mut [&mut pgbench_load, &mut govshare_load, &mut base_load])?
        } else {
            in_turns(&mut [&mut pgbench_load, &mut govshare_load])?
        };
        let [ceiling, seen] = [0, 1].map(|i| Wrk::joined(&turns[i]));
        println!();
        println!("| server | requests/s | p50 | p99 | errors | ÷ pgbench | ÷ Datasette |");
        println!("|---|---|---|---|---|---|---|");
        line(
            "PostgreSQL, pgbench -M prepared point lookups (ceiling)",
            &ceiling,
            &[None, None],
        );
        line(
            "govshare → PostgreSQL: app key, policy, masking, audit",
            &seen,
            &[Some(&ceiling), Some(&ds)],
        );
        println!();
        println!(
            "Turn by turn: govshare ÷ pgbench {}",
            turn_ratios(&turns[1], &turns[0])
        );
        if let Some(b) = base_server {
            let (ours, theirs) = (&turns[1], &turns[2]);
            report_baseline(
                b,
                "PostgreSQL",
                work,
                (&code, &key),
                &seen,
                ours,
                theirs,
                &ceiling,
            )
            .await?;
        }
        audit_and_batch(g, "PostgreSQL", work, &code, &key, &seen).await?;
    }
    println!();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(requests: u64, latency: u64) -> Wrk {
        Wrk {
            requests,
            errors: 1,
            micros: 1_000_000,
            quantiles: vec![latency; QUANTILES],
        }
    }

    /// Joined turns weigh by what each answered: three quarters of the calls at
    /// 100 µs put the median there and the 90th percentile in the slower turn.
    #[test]
    fn joined_turns_mix_their_latencies_by_weight() {
        let joined = Wrk::joined(&[slice(3000, 100), slice(1000, 300)]);
        assert_eq!(joined.requests, 4000);
        assert_eq!(joined.errors, 2);
        assert_eq!(joined.rps(), 2000.0);
        assert_eq!(joined.at(50.0), "100us");
        assert_eq!(joined.at(74.0), "100us");
        assert_eq!(joined.at(90.0), "300us");
        assert_eq!(joined.at(99.99), "300us");
    }

    /// A lookup script runs under wrk and `run_wrk` reads its totals and quantiles
    /// (skipped where wrk is not installed).
    #[test]
    fn a_lookup_script_runs_under_wrk() {
        if Command::new("wrk").arg("-v").output().is_err() {
            return;
        }
        let work = std::env::temp_dir().join(format!("govshare-bench-wrk-{}", std::process::id()));
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(work.join("keys.txt"), "a1\nb2\n").unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    use std::io::{BufRead, Write};
                    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
                    let mut out = stream;
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                        let ok =
                            line.starts_with("GET /rows/a1 ") || line.starts_with("GET /rows/b2 ");
                        while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                            line.clear();
                        }
                        let status = if ok { "200 OK" } else { "404 Not Found" };
                        let answer = format!("HTTP/1.1 {status}\r\nContent-Length: 2\r\n\r\n{{}}");
                        if out.write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                        line.clear();
                    }
                });
            }
        });
        let script = lookup_script(&work, "t", "/rows/{key}", Some(("X-Api-Key", "k"))).unwrap();
        let got = run_wrk(&script, &base, 2, 1).unwrap();
        std::fs::remove_dir_all(&work).unwrap();
        assert!(got.requests > 0);
        assert_eq!(
            got.errors, 0,
            "every key of keys.txt was asked for as given"
        );
        assert_eq!(got.quantiles.len(), QUANTILES);
        assert!(got.rps() > 0.0);
    }
}
