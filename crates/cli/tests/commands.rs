//! The `govshare` binary as an operator runs it: demo loading twice, export,
//! refused imports with located problems and exit codes, configuration printing.

use govshare_store::prelude::*;
use std::path::Path;
use std::process::{Command, Output};

fn govshare(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govshare"))
        .current_dir(dir)
        .env_remove("GOVSHARE_DATABASE_URL")
        .env("GOVSHARE_LOG", "warn")
        .args(args)
        .output()
        .expect("run govshare")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("govshare_cmd_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn demo_export_and_refused_import() {
    let dir = temp_dir("demo");
    let first = govshare(&dir, &["demo", "--no-serve"]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("已导入 3614 条"), "{}", text(&first));
    assert!(text(&first).contains("admin") && text(&first).contains("Admin@2026"));
    assert!(text(&first).contains("/console/"), "the console's address");
    let pools = text(&first)
        .lines()
        .filter(|l| l.starts_with("数据池"))
        .count();
    assert!(pools >= 3, "demo data pools: {}", text(&first));
    let again = govshare(&dir, &["demo", "--no-serve"]);
    assert!(text(&again).contains("未重复导入"), "{}", text(&again));
    assert!(text(&again).contains("已载入，未重复"), "{}", text(&again));
    // The demo apps' keys are printed, the same each time.
    let keys = |o: &Output| -> Vec<String> {
        text(o)
            .split_whitespace()
            .filter(|w| w.starts_with("gsk_"))
            .map(String::from)
            .collect()
    };
    assert!(keys(&first).len() >= 3, "{}", text(&first));
    assert_eq!(keys(&first), keys(&again));
    // What the demo made is in the node's audit chain, once, and the chain verifies.
    let verify = govshare(&dir, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    let url = format!(
        "sqlite://{}",
        dir.join("govshare-data/govshare.db").display()
    );
    let trail = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = govshare_store::Store::open(&url).await.unwrap();
        store
            .read(|c| {
                c.query(
                    "SELECT action, COUNT(*) AS entries FROM audit_log WHERE node_id = 'node-1' AND actor = '演示数据' GROUP BY action ORDER BY action",
                    &[],
                )
            })
            .await
            .unwrap()
    });
    let trail: Vec<(String, i64)> = trail
        .iter()
        .map(|r| (r.text("action").unwrap(), r.i64("entries").unwrap()))
        .collect();
    let count = |a: &str| trail.iter().find(|(x, _)| x == a).map_or(0, |(_, n)| *n);
    assert_eq!(count("app.create"), keys(&first).len() as i64, "{trail:?}");
    for action in [
        "share.register",
        "request.apply",
        "request.approve",
        "correction.report",
        "correction.answer",
        "file.upload",
    ] {
        assert!(count(action) >= 1, "{action}: {trail:?}");
    }
    // Every console page has something to show: a file-type entry's file, and a
    // registration waiting for the provider's review.
    let (files, waiting) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = govshare_store::Store::open(&url).await.unwrap();
        store
            .read(|c| {
                let n = |c: &mut dyn govshare_store::db::conn::Conn, sql: &str| {
                    c.query_one(sql, &[])?.i64("n")
                };
                Ok((
                    n(c, "SELECT COUNT(*) AS n FROM resource_files")?,
                    n(
                        c,
                        "SELECT COUNT(*) AS n FROM share_registrations WHERE status = 'pending'",
                    )?,
                ))
            })
            .await
            .unwrap()
    });
    assert_eq!((files, waiting), (1, 1), "made once, on the first run");

    // A demo app revoked by someone trying the API: the demo starts again, without
    // printing the revoked key.
    let revoked = keys(&first)[0].clone();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = govshare_store::Store::open(&url).await.unwrap();
        store
            .write(|c| c.execute("UPDATE apps SET revoked_at = '2026-12-01T00:00:00.000Z' WHERE id = (SELECT MIN(id) FROM apps)", &[]))
            .await
            .unwrap();
    });
    let third = govshare(&dir, &["demo", "--no-serve"]);
    assert!(third.status.success(), "{}", text(&third));
    assert_eq!(
        keys(&third).len(),
        keys(&first).len() - 1,
        "{}",
        text(&third)
    );
    assert!(!keys(&third).contains(&revoked));

    let export = govshare(
        &dir,
        &[
            "catalog",
            "export",
            "--format",
            "json",
            "--output",
            "catalog.json",
        ],
    );
    assert!(export.status.success(), "{}", text(&export));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("catalog.json")).unwrap()).unwrap();
    assert_eq!(doc["resources"].as_array().unwrap().len(), 3614);

    // Importing the same entries again: every code is taken, nothing changes, exit code 1.
    let refused = govshare(&dir, &["catalog", "import", "catalog.json"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("resources[0].code") && text(&refused).contains("已存在"));
    // A CSV with a broken cell names its row and column.
    std::fs::write(dir.join("bad.csv"), "信息资源分类,信息资源名称,信息资源提供方代码,信息资源摘要,信息资源格式分类,共享类型,开放类型,更新周期\n101001,测试,X,摘要,数据库,有时共享,不予开放,每日\n").unwrap();
    let bad = govshare(&dir, &["catalog", "import", "bad.csv"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad).contains("第2行") && text(&bad).contains("共享类型"),
        "{}",
        text(&bad)
    );
    let health = govshare(&dir, &["healthcheck", "--url", "http://127.0.0.1:9"]);
    assert_eq!(health.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn configuration_layers_and_hidden_secrets() {
    let dir = temp_dir("config");
    std::fs::write(
        dir.join("govshare.toml"),
        "listen = \"127.0.0.1:9001\"\ndatabase_url = \"postgres://gs:topsecret@db/gs\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_govshare"))
        .current_dir(&dir)
        .env("GOVSHARE_LISTEN", "127.0.0.1:9002")
        .env_remove("GOVSHARE_DATABASE_URL")
        .args(["config"])
        .output()
        .unwrap();
    let printed = text(&out);
    assert!(
        printed.contains("127.0.0.1:9002") && printed.contains("gs:***@db"),
        "{printed}"
    );
    assert!(!printed.contains("topsecret"));
    // Without a database URL, the database lies in the data directory.
    std::fs::remove_file(dir.join("govshare.toml")).unwrap();
    let moved = govshare(&dir, &["--data-dir", "/srv/gs", "config"]);
    assert!(
        text(&moved).contains("sqlite:///srv/gs/govshare.db"),
        "{}",
        text(&moved)
    );
    std::fs::write(dir.join("govshare.toml"), "listen = [1]\n").unwrap();
    let bad = govshare(&dir, &["config"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("配置"), "{}", text(&bad));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The rows a demo pool line reports as loaded: "数据池 CODE NAME：N 行入池，…".
fn loaded(line: &str) -> i64 {
    line.split('：')
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"))
}

#[test]
fn demo_population_size_is_bounded_and_streams() {
    let dir = temp_dir("persons");
    for bad in ["0", "44020001", "many"] {
        let out = govshare(&dir, &["demo", "--no-serve", "--persons", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out));
        assert!(text(&out).contains("--persons"), "{}", text(&out));
    }
    let out = govshare(
        &dir,
        &["demo", "--no-serve", "--rows", "50", "--persons", "30000"],
    );
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let pools: Vec<&str> = t.lines().filter(|l| l.starts_with("数据池")).collect();
    let (population, others): (Vec<&str>, Vec<&str>) =
        pools.iter().partition(|l| l.contains("人口"));
    // About 2% of the generated persons are defective and quarantined.
    assert_eq!(population.len(), 1, "{t}");
    assert!((29_000..30_000).contains(&loaded(population[0])), "{t}");
    assert!(
        !others.is_empty() && others.iter().all(|l| (45..=50).contains(&loaded(l))),
        "{t}"
    );
}

#[tokio::test]
async fn audit_verify_names_a_tampered_entry_and_fails() {
    let dir = temp_dir("audit");
    let url = format!("sqlite://{}", dir.join("audit.db").display());
    let store = govshare_store::Store::open(&url).await.unwrap();
    let entries = (0..5)
        .map(|i| govshare_store::audit::log::AuditEntry {
            at: format!("2026-12-01T09:00:0{i}.000Z"),
            actor: "admin".into(),
            action: "login".into(),
            outcome: "ok".into(),
            ..Default::default()
        })
        .collect();
    store.append_audit("node-1", entries).await.unwrap();
    let verify = || govshare(&dir, &["--database-url", &url, "audit", "verify"]);
    let good = verify();
    assert!(good.status.success(), "{}", text(&good));
    assert!(text(&good).contains("5 条，哈希链完整"), "{}", text(&good));
    // Cutting the last entries off is caught by the signed checkpoint.
    let key = govshare_domain::sharing::checkpoint::NodeKey::from_secret([3u8; 32]);
    store
        .register_audit_key("node-1", &key.public_hex())
        .await
        .unwrap();
    store
        .audit_checkpoint("node-1", Box::new(move |m| key.sign(m)))
        .await
        .unwrap();
    store
        .write_audit(|c| c.batch("DELETE FROM audit_log WHERE seq >= 4"))
        .await
        .unwrap();
    let cut = verify();
    assert_eq!(cut.status.code(), Some(1), "{}", text(&cut));
    assert!(text(&cut).contains("截断"), "{}", text(&cut));
    store
        .write(|c| c.batch("DELETE FROM audit_checkpoints"))
        .await
        .unwrap();
    store
        .write_audit(|c| c.batch("UPDATE audit_log SET actor = 'intruder' WHERE seq = 2"))
        .await
        .unwrap();
    let bad = verify();
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(text(&bad).contains("第 2 条起哈希链断裂"), "{}", text(&bad));
}

/// The counts that statistics read, and the visits counted under grants, are recounted
/// from the log by `audit verify`: one changed by hand is named, with both numbers,
/// and the command fails.
#[tokio::test]
async fn audit_verify_recounts_the_call_counts() {
    let dir = temp_dir("counts");
    let url = format!("sqlite://{}", dir.join("counts.db").display());
    let store = govshare_store::Store::open(&url).await.unwrap();
    let call = |outcome: &str| govshare_store::audit::log::AuditEntry {
        at: "2026-12-01T09:30:00.000Z".into(),
        actor: "渝中区户籍核验".into(),
        org_id: Some(7),
        action: "share.lookup".into(),
        resource_code: "101001/000004".into(),
        row_count: 1,
        outcome: outcome.into(),
        ..Default::default()
    };
    let granted = govshare_store::audit::log::AuditEntry {
        basis: "grant:3".into(),
        visits: 2,
        ..call("ok")
    };
    let entries = vec![call("ok"), granted, call("denied")];
    store.append_audit("node-1", entries).await.unwrap();
    let verify = || govshare(&dir, &["--database-url", &url, "audit", "verify"]);
    let good = verify();
    assert!(good.status.success(), "{}", text(&good));
    assert!(
        text(&good).contains("调用统计汇总与审计日志一致")
            && text(&good).contains("授权访问计数与审计日志一致"),
        "{}",
        text(&good)
    );
    // Visits under a grant made up in the counts (which quotas are enforced from) are
    // named as well.
    store
        .write_audit(|c| c.batch("UPDATE grant_visits SET visits = 1"))
        .await
        .unwrap();
    let forged = verify();
    assert_eq!(forged.status.code(), Some(1), "{}", text(&forged));
    assert!(
        text(&forged).contains("授权 3，节点 node-1，2026-12-01：计数 1 次，日志 2 次"),
        "{}",
        text(&forged)
    );
    store
        .write_audit(|c| c.batch("UPDATE grant_visits SET visits = 2"))
        .await
        .unwrap();
    store
        .write_audit(|c| c.batch("UPDATE share_calls SET calls = 20 WHERE outcome = 'ok'"))
        .await
        .unwrap();
    let bad = verify();
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        text(&bad).contains("2026-12-01T09 时（UTC），机构 7，资源 101001/000004，结果 ok：汇总 20 次 / 2 行，日志 2 次 / 2 行"),
        "{}",
        text(&bad)
    );
}

/// A second server started on a data directory already in use stops at once, and
/// says why instead of "internal error".
#[test]
fn a_second_server_on_a_data_directory_in_use_says_why_it_stops() {
    use std::io::BufRead;
    let dir = temp_dir("twice");
    let args = ["--listen", "127.0.0.1:0", "--data-dir", "data", "serve"];
    let mut first = Command::new(env!("CARGO_BIN_EXE_govshare"))
        .current_dir(&dir)
        .env_remove("GOVSHARE_DATABASE_URL")
        .env("GOVSHARE_LOG", "warn")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    std::io::BufReader::new(first.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    let second = govshare(&dir, &args);
    let _ = first.kill();
    let _ = first.wait();
    assert!(banner.contains("http://127.0.0.1:"), "{banner}");
    assert!(!second.status.success());
    let said = text(&second);
    assert!(
        said.contains("搜索索引") && said.contains("同一数据目录") && said.contains("data"),
        "{said}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
