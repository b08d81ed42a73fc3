//! `kill -9` at any moment of a pool import leaves the pool exactly before or after
//! the batch, on every backend.

#[path = "../../server/tests/common/mod.rs"]
mod common;

use common::{pool_rows, prepared_pool};
use govshare_store::prelude::*;
use std::time::Duration;

/// Rows of a round whose capacity is not a number (refused into quarantine).
fn is_bad(i: usize) -> bool {
    i % 997 == 13
}

#[tokio::test]
async fn a_killed_import_leaves_the_pool_before_or_after_the_batch() {
    for backend in common::backends() {
        // Enough rows that the early kills land mid-batch (PostgreSQL writes row by row).
        let rows: usize = if backend == "sqlite" { 60_000 } else { 30_000 };
        let bad = (0..rows).filter(|i| is_bad(*i)).count() as i64;
        let (url, code) = prepared_pool(backend).await;
        let dir =
            std::env::temp_dir().join(format!("govshare_crash_{}_{backend}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut expected = 0i64;
        let mut completed: Vec<usize> = Vec::new();
        // Kills after the importer said it had read rows, and before it finished.
        let mut killed_inside = 0;
        use Kill::*;
        for (round, kill) in [At(0), At(40), WhenRead, At(250), At(500), Never]
            .into_iter()
            .enumerate()
        {
            let mut csv = String::from("场所编号,场所名称,容量\n");
            for i in 0..rows {
                let capacity = if is_bad(i) {
                    "很多".to_string()
                } else {
                    (i % 500).to_string()
                };
                csv.push_str(&format!("R{round}-{i},第{i}号场所,{capacity}\n"));
            }
            let file = dir.join(format!("batch-{round}.csv"));
            std::fs::write(&file, csv).unwrap();
            let marker = dir.join(format!("progress-{round}"));
            let finished = import(&url, &dir, &code, &file, round, "upsert", kill).await;
            let read = read_so_far(&marker);
            if !finished && read > 0 && read < rows as i64 {
                killed_inside += 1;
            }
            settled(&url).await;
            let (recorded, actual) = pool_rows(&url, &code).await;
            assert_eq!(
                recorded, actual,
                "{backend} round {round}: recorded count disagrees with the table"
            );
            let good = rows as i64 - bad;
            assert!(
                actual == expected || actual == expected + good,
                "{backend} round {round} (kill {kill:?}): {actual} rows, expected {expected} or {}",
                expected + good
            );
            if finished {
                assert_eq!(
                    actual,
                    expected + good,
                    "{backend}: a finished import must be complete"
                );
            }
            if actual > expected {
                completed.push(round);
            }
            expected = actual;
            check_contents(&url, &code, round, &completed, good, bad).await;
        }
        assert!(
            completed.contains(&5),
            "{backend}: at least the unhurried round completes"
        );
        assert!(
            killed_inside > 0,
            "{backend}: no kill landed inside a batch (after rows were read, before the end): the test proved nothing"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Runs `govshare pool import` of `file` into `code` as batch `round-{round}` in
/// `mode`, and kills it (`kill -9`) as `kill` says: whether it finished and succeeded.
async fn import(
    url: &str,
    dir: &std::path::Path,
    code: &str,
    file: &std::path::Path,
    round: usize,
    mode: &str,
    kill: Kill,
) -> bool {
    let marker = dir.join(format!("progress-{round}"));
    let mut child = govshare(
        url,
        dir,
        &[
            "pool",
            "import",
            "--resource",
            code,
            "--mode",
            mode,
            "--batch-id",
            &format!("round-{round}"),
            "--progress-file",
            marker.to_str().unwrap(),
        ],
    )
    .arg(file)
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    match kill {
        Kill::At(_) | Kill::WhenRead => {
            if let Kill::At(ms) = kill {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            } else {
                // As soon as the importer says it has read rows.
                for _ in 0..15_000 {
                    if read_so_far(&marker) > 0 || child.try_wait().unwrap().is_some() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            let done = child.try_wait().unwrap().is_some_and(|s| s.success());
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            done
        }
        // Left to finish.
        Kill::Never => child.wait().unwrap().success(),
    }
}

/// `kill -9` at any moment of a batch that replaces a pool (on SQLite loaded in steps
/// into a table of its own beside the pool): the pool is the old one or the new one,
/// whole; once the database is opened again nothing of a killed load is left (no
/// table, no batch record, no lock file), and its batch id can be used again.
#[tokio::test]
async fn a_killed_replacement_leaves_the_old_pool_whole_and_nothing_of_itself() {
    for backend in common::backends() {
        let rows: usize = if backend == "sqlite" { 80_000 } else { 30_000 };
        let (url, code) = prepared_pool(backend).await;
        let dir = std::env::temp_dir().join(format!(
            "govshare_crash_replace_{}_{backend}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // The round whose rows the pool holds.
        let mut holds: Option<usize> = None;
        let mut killed_inside = 0;
        use Kill::*;
        let plan = [Never, WhenRead, At(400), At(900), At(1500), Never];
        for (round, kill) in plan.into_iter().enumerate() {
            // A killed round's batch id is used again by the round after it.
            let name = if round > 0 && holds != Some(round - 1) {
                round - 1
            } else {
                round
            };
            let mut csv = String::from("场所编号,场所名称,容量\n");
            for i in 0..rows {
                csv.push_str(&format!("R{round}-{i},第{i}号场所,{}\n", i % 500));
            }
            let file = dir.join(format!("replace-{round}.csv"));
            std::fs::write(&file, csv).unwrap();
            let _ = std::fs::remove_file(dir.join(format!("progress-{name}")));
            let finished = import(&url, &dir, &code, &file, name, "replace", kill).await;
            let read = read_so_far(&dir.join(format!("progress-{name}")));
            settled(&url).await;
            let store = govshare_store::Store::open(&url).await.unwrap();
            let (recorded, actual) = pool_rows(&url, &code).await;
            assert_eq!(
                (recorded, actual),
                (rows as i64, rows as i64),
                "{backend} round {round}: the pool is whole"
            );
            let pool = store
                .pool(&govshare_store::Caller::System("t".into()), &code)
                .await
                .unwrap();
            let (table, key) = (pool.table, pool.schema.columns[0].column.clone());
            let prefix = format!("R{round}-%");
            let new = store
                .read(move |c| {
                    c.query_one(
                        &format!("SELECT COUNT(*) AS new FROM \"{table}\" WHERE \"{key}\" LIKE ?"),
                        &[prefix.into()],
                    )?
                    .i64("new")
                })
                .await
                .unwrap();
            assert!(
                new == 0 || new == rows as i64,
                "{backend} round {round}: {new} of the new rows (all or none)"
            );
            if finished {
                assert_eq!(
                    new, rows as i64,
                    "{backend} round {round}: a finished replacement is the pool"
                );
            }
            if new > 0 {
                holds = Some(round);
            } else if read > 0 {
                killed_inside += 1;
            }
            let batch_name = format!("round-{name}");
            let recorded_batch = store
                .read(move |c| {
                    c.query_opt(
                        "SELECT id FROM pool_batches WHERE client_batch_id = ?",
                        &[batch_name.into()],
                    )
                })
                .await
                .unwrap();
            assert_eq!(
                recorded_batch.is_some(),
                new > 0,
                "{backend} round {round}: the batch is recorded if and only if it is the pool"
            );
            if backend == "sqlite" {
                let leftovers = store
                    .read(|c| {
                        c.query_one(
                            "SELECT COUNT(*) AS n FROM sqlite_master WHERE name LIKE '%\\_\\_load\\_%' ESCAPE '\\'",
                            &[],
                        )?
                        .i64("n")
                    })
                    .await
                    .unwrap();
                assert_eq!(
                    leftovers, 0,
                    "round {round}: a load's table was left behind"
                );
                let db = std::path::PathBuf::from(url.trim_start_matches("sqlite://"));
                let locks: Vec<_> = std::fs::read_dir(db.parent().unwrap())
                    .unwrap()
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().contains(".load-"))
                    .collect();
                assert!(
                    locks.is_empty(),
                    "round {round}: a load's lock file was left behind"
                );
            }
        }
        assert_eq!(
            holds,
            Some(plan.len() - 1),
            "{backend}: the last round is the pool"
        );
        assert!(
            killed_inside > 0,
            "{backend}: no kill landed inside a load: the test proved nothing"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// When a round's importer is killed.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// So many milliseconds after it started.
    At(u64),
    /// As soon as its progress file says it has read rows.
    WhenRead,
    /// Not at all: it is left to finish.
    Never,
}

/// The rows the importer has said it read (0 before it says anything).
fn read_so_far(marker: &std::path::Path) -> i64 {
    std::fs::read_to_string(marker)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}

/// After a round: each completed round's rows are all there (its key prefix), with its
/// batch record, its quarantine and its change-feed entries; a killed round left none
/// of these.
async fn check_contents(
    url: &str,
    code: &str,
    round: usize,
    completed: &[usize],
    good: i64,
    bad: i64,
) {
    let store = govshare_store::Store::open(url).await.unwrap();
    let sys = govshare_store::Caller::System("t".into());
    let pool = store.pool(&sys, code).await.unwrap();
    let (table, key) = (pool.table, pool.schema.columns[0].column.clone());
    let feed = store.pool_changes(&sys, code, 0, 10_000_000).await.unwrap();
    for r in 0..=round {
        let prefix = format!("R{r}-%");
        let (t, k, p) = (table.clone(), key.clone(), prefix.clone());
        let stored = store
            .read(move |c| {
                c.query_one(
                    &format!("SELECT COUNT(*) AS stored FROM \"{t}\" WHERE \"{k}\" LIKE ?"),
                    &[p.into()],
                )?
                .i64("stored")
            })
            .await
            .unwrap();
        let batch_id = format!("round-{r}");
        let batch = store
            .read(move |c| {
                c.query_opt(
                    "SELECT id, accepted, rejected FROM pool_batches WHERE client_batch_id = ?",
                    &[batch_id.into()],
                )
            })
            .await
            .unwrap();
        let in_feed = feed
            .iter()
            .filter(|c| c.key.starts_with(&format!("R{r}-")))
            .count() as i64;
        if completed.contains(&r) {
            assert_eq!(stored, good, "round {r}: every good row is stored");
            let b = batch.unwrap_or_else(|| panic!("round {r}: its batch record"));
            assert_eq!(
                (b.i64("accepted").unwrap(), b.i64("rejected").unwrap()),
                (good, bad),
                "round {r}"
            );
            let q = store
                .quarantine(&sys, b.i64("id").unwrap())
                .await
                .unwrap()
                .rows;
            assert_eq!(q.len() as i64, bad, "round {r}: its refused rows");
            assert!(
                q.iter().all(|x| x.column == "容量" && x.value == "很多"),
                "round {r}"
            );
            assert_eq!(in_feed, good, "round {r}: one change per stored row");
        } else {
            assert_eq!(
                (stored, batch.is_some(), in_feed),
                (0, false, 0),
                "round {r}: a killed batch left nothing"
            );
        }
    }
}

/// Waits until what a killed client left running on the server has ended: PostgreSQL
/// carries out what the client sent before it died (a `COMMIT` included) and only then
/// notices it is gone, so a read right after the kill can see the old state and a
/// moment later the new one.
async fn settled(url: &str) {
    if !url.starts_with("postgres") {
        return;
    }
    let store = govshare_store::Store::open(url).await.unwrap();
    for _ in 0..200 {
        let busy = store
            .read(|c| {
                c.query_one(
                    "SELECT COUNT(*) AS busy FROM pg_stat_activity WHERE datname = current_database() \
                     AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'",
                    &[],
                )?
                .i64("busy")
            })
            .await
            .unwrap();
        if busy == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("a killed client's session is still running after 10 s");
}

/// Whether the server at `base` answers its health check within 10 s.
async fn up(client: &reqwest::Client, base: &str) -> bool {
    for _ in 0..200 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A published pool of 200 places shared as `sharing`, and a district app that may
/// read it (registered, or under a grant of `quota` visits): the URL, code and key.
async fn served_pool(backend: &'static str, sharing: &str, quota: i64) -> (String, String, String) {
    use govshare_store::{Caller, Store};
    let (url, code) = common::prepared_pool_as(backend, sharing).await;
    let store = Store::open(&url).await.unwrap();
    let sys = Caller::System("test".into());
    store
        .transition_resource(&sys, &code, govshare_domain::lifecycle::Action::Publish, "")
        .await
        .unwrap();
    let rows: Vec<Result<Vec<String>, String>> = (0..200)
        .map(|i| Ok(vec![format!("P{i}"), format!("第{i}号场所"), "10".into()]))
        .collect();
    let batch = govshare_store::pool::ingest::Batch {
        code: code.clone(),
        header: ["场所编号", "场所名称", "容量"].map(String::from).to_vec(),
        rows: Box::new(rows.into_iter()),
        mode: govshare_store::pool::ingest::IngestMode::Upsert,
        source_name: "t".into(),
        source_sha256: "0".repeat(64),
        client_batch_id: None,
        progress: None,
    };
    store.ingest(&sys, batch).await.unwrap();
    let (key, prefix, hash) = govshare_server::auth::new_app_key();
    let district = common::org_code("渝中区");
    let app = store
        .create_app(&sys, &district, "压力测试", &prefix, &hash, None)
        .await
        .unwrap();
    if sharing == "conditional" {
        let today = govshare_store::clock::today();
        let asked = store
            .apply(
                &sys,
                govshare_store::sharing::requests::NewRequest {
                    app_id: app.id,
                    resource: code.clone(),
                    scope: govshare_domain::sharing::request::Scope {
                        items: vec!["场所编号".into(), "场所名称".into()],
                        unmasked: vec![],
                        valid_from: today,
                        valid_to: today + chrono::Duration::days(1),
                        daily_quota: quota,
                        total_quota: quota,
                    },
                    purpose: "压力测试查询场所".into(),
                    legal_basis: "测试".into(),
                    material: String::new(),
                },
            )
            .await
            .unwrap();
        store
            .answer_request(
                &sys,
                asked.id,
                govshare_domain::sharing::request::Answer::Approve,
                String::new(),
                None,
            )
            .await
            .unwrap();
    } else {
        store
            .register_use(&sys, app.id, &code, "压力测试查询场所", "测试")
            .await
            .unwrap();
    }
    (url, code, key)
}

/// Eight clients looking places up at `base` until it stops answering (or, with
/// `until_refused`, until it refuses): the answers received in full, counted in
/// `answered`.
fn load(
    base: &str,
    key: &str,
    code: &str,
    answered: &std::sync::Arc<std::sync::atomic::AtomicU64>,
    until_refused: bool,
) -> tokio::task::JoinSet<()> {
    let client = reqwest::Client::new();
    let mut load = tokio::task::JoinSet::new();
    for t in 0..8 {
        let (client, base, key, code, answered) = (
            client.clone(),
            base.to_string(),
            key.to_string(),
            code.to_string(),
            answered.clone(),
        );
        load.spawn(async move {
            for i in 0.. {
                let url = format!("{base}/api/v1/share/{code}/rows/P{}", (i * 8 + t) % 200);
                match client.get(url).header("x-api-key", &key).send().await {
                    Ok(r) if r.status() == 200 => {
                        // Counted only once the whole answer has arrived.
                        if r.bytes().await.is_ok() {
                            answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                    Ok(r) if until_refused && r.status() == 429 => break,
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        });
    }
    load
}

/// Starts `govshare` over `url` with its data in `dir`.
fn govshare(url: &str, dir: &std::path::Path, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_govshare"));
    c.args(["--database-url", url, "--data-dir"])
        .arg(dir)
        .args(args)
        .env("GOVSHARE_LOG", "error")
        .env("GOVSHARE_APP_CALLS_PER_SECOND", "1000000")
        .stdout(std::process::Stdio::null());
    c
}

/// A node started over `url` on a free port (its standard error to `stderr`): the
/// process and its address.
fn serving(
    url: &str,
    dir: &std::path::Path,
    stderr: std::process::Stdio,
) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let child = govshare(url, dir, &["--listen", &listen, "serve"])
        .stderr(stderr)
        .spawn()
        .unwrap();
    (child, format!("http://{listen}"))
}

/// A node serving over `url`, killed with `kill -9` once it has answered more than
/// `before_kill` calls under load: the answers received.
async fn killed_mid_load(
    url: &str,
    dir: &std::path::Path,
    code: &str,
    key: &str,
    before_kill: u64,
) -> i64 {
    let (mut server, base) = serving(url, dir, std::process::Stdio::null());
    assert!(
        up(&reqwest::Client::new(), &base).await,
        "the node did not start"
    );
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut running = load(&base, key, code, &answered, false);
    // Let answers flow, then kill the server mid-load.
    for _ in 0..100 {
        if answered.load(std::sync::atomic::Ordering::SeqCst) > before_kill {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = server.kill(); // SIGKILL
    let _ = server.wait();
    while running.join_next().await.is_some() {}
    answered.load(std::sync::atomic::Ordering::SeqCst) as i64
}

/// `audit verify` over `url`: moves what a killed node left in its journal into the
/// log, and must find every chain whole and the counts in agreement.
fn verified(url: &str, dir: &std::path::Path, backend: &str) {
    let verified = govshare(url, dir, &["audit", "verify"])
        .stdout(std::process::Stdio::piped())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&verified.stdout).to_string();
    assert!(verified.status.success(), "{backend}: {said}");
    assert!(said.contains("哈希链完整"), "{backend}: {said}");
    assert!(
        said.contains("调用统计汇总与审计日志一致"),
        "{backend}: {said}"
    );
}

/// `kill -9` while apps are being answered: every answer a client received has its
/// audit entry, and the chain verifies.
#[tokio::test]
async fn a_killed_server_left_no_answered_call_without_its_audit_entry() {
    use govshare_store::Store;
    for backend in common::backends() {
        let (url, code, key) = served_pool(backend, "unconditional", 0).await;
        let dir =
            std::env::temp_dir().join(format!("govshare_kill_{}_{backend}", std::process::id()));
        let seen = killed_mid_load(&url, &dir, &code, &key, 200).await;
        assert!(seen > 0, "{backend}: no answers before the kill");
        // What the node answered last may be only in its journal: `audit verify`
        // moves it into the log, and the node, started again, resumes after it.
        verified(&url, &dir, backend);
        let (mut again, base) = serving(&url, &dir, std::process::Stdio::piped());
        let started = up(&reqwest::Client::new(), &base).await;
        let _ = again.kill();
        let out = again.wait_with_output().unwrap();
        assert!(
            started,
            "{backend}: the node did not start again: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let store = Store::open(&url).await.unwrap();
        let audited = store
            .read(|c| {
                c.query_one(
                    "SELECT COUNT(*) AS audited FROM audit_log WHERE action = 'share.lookup' AND outcome = 'ok'",
                    &[],
                )?
                .i64("audited")
            })
            .await
            .unwrap();
        assert!(
            audited >= seen,
            "{backend}: {seen} answers received, only {audited} audited"
        );
        let chains = store.verify_audit().await.unwrap();
        assert!(
            chains.iter().all(|c| c.first_bad.is_none()),
            "{backend}: {chains:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `kill -9` while an app calls under a grant of 1,500 visits, then the node started
/// again and called until it refuses: no more answers were received than the quota,
/// and the log counts exactly 1,500 visits (calls whose entries the kill lost were
/// never answered, so their visits are counted again after the restart).
#[tokio::test]
async fn a_killed_server_never_answers_past_a_grants_quota() {
    use govshare_store::Store;
    for backend in common::backends() {
        let quota = 1500;
        let (url, code, key) = served_pool(backend, "conditional", quota).await;
        let dir = std::env::temp_dir().join(format!(
            "govshare_kill_grant_{}_{backend}",
            std::process::id()
        ));
        let before = killed_mid_load(&url, &dir, &code, &key, 300).await;
        assert!(
            before > 0 && before < quota,
            "{backend}: {before} answered before the kill"
        );
        verified(&url, &dir, backend);
        let (mut again, base) = serving(&url, &dir, std::process::Stdio::null());
        assert!(
            up(&reqwest::Client::new(), &base).await,
            "{backend}: no restart"
        );
        let after = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut running = load(&base, &key, &code, &after, true);
        while running.join_next().await.is_some() {}
        let _ = again.kill();
        let _ = again.wait();
        let after = after.load(std::sync::atomic::Ordering::SeqCst) as i64;
        assert!(
            before + after <= quota,
            "{backend}: {before} + {after} answers under a grant of {quota}"
        );
        verified(&url, &dir, backend);
        let store = Store::open(&url).await.unwrap();
        let logged = store
            .read(|c| {
                c.query_one(
                    "SELECT CAST(COALESCE(SUM(visits), 0) AS BIGINT) AS logged FROM audit_log",
                    &[],
                )?
                .i64("logged")
            })
            .await
            .unwrap();
        assert_eq!(logged, quota, "{backend}: answered {before} + {after}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
