//! A grant's quota under load: calls under a grant are counted in memory and made
//! durable with their audit entries, and still no call is answered past the quota:
//! not under concurrent calls of every kind, not after the node starts again, and on
//! PostgreSQL not across two nodes sharing the grant. The log holds exactly the visits
//! answered.

mod common;

use common::TestServer;
use common::share::{Parties, grant_items, id, new_app, published, signed_in};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::Path;

/// A node named `name` over the database at `url`, keeping its audit key and journal
/// in `dir` (so that it can start again as the same node).
async fn node(url: &str, backend: &'static str, name: &str, dir: &Path) -> TestServer {
    let store = govshare_store::Store::open(url).await.unwrap();
    let config = govshare_server::ServerConfig {
        node_id: name.into(),
        audit_key_file: Some(dir.join(format!("{name}.key"))),
        audit_journal_dir: Some(dir.join(name)),
        app_calls_per_second: 1_000_000,
        ..TestServer::config()
    };
    TestServer::serve_with(store, backend, config).await
}

/// A fresh database with the demo city's organisations and users.
async fn city(backend: &'static str) -> String {
    let url = govshare_store::testing::fresh_database(backend);
    let store = govshare_store::Store::open(&url).await.unwrap();
    govshare_demo::seed::seed_reference(&store, &govshare_demo::catalog())
        .await
        .unwrap();
    url
}

fn work_dir(test: &str, backend: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "govshare_quota_{test}_{}_{backend}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Two persons in a conditional police entry, a district app granted `quota` visits
/// a day and in all: (code, app key, the persons' ID numbers).
async fn granted(p: &Parties, quota: i64) -> (String, String, Vec<String>) {
    let persons: Vec<String> = (1..=2)
        .map(|i| id(&format!("5001031980010{i}00{i}")))
        .collect();
    let rows: Vec<Value> = persons
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"公民身份号码": p, "姓名": format!("居民{i}")}))
        .collect();
    let code = published(
        &p.s,
        &p.police,
        &p.bureau,
        json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"}),
        &Value::from(rows),
    )
    .await;
    let (_, made) = new_app(&p.s, &p.district, "渝中区", "渝中区户籍核验").await;
    grant_items(
        p,
        &made["app"]["id"],
        &code,
        &["姓名", "公民身份号码"],
        &[],
        quota,
    )
    .await;
    (code, made["key"].as_str().unwrap().to_string(), persons)
}

/// Where calls go: a server's address and a client.
#[derive(Clone)]
struct At {
    client: reqwest::Client,
    base: String,
}

impl At {
    fn of(s: &TestServer) -> At {
        At {
            client: s.client.clone(),
            base: s.base.clone(),
        }
    }

    async fn send(&self, key: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-api-key", key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap().status().as_u16()
    }
}

/// One call under the grant, of kind `n % 3` (a lookup, a verification, a batch of two
/// keys): its status and the visits it asks for.
async fn call(at: &At, key: &str, code: &str, persons: &[String], n: usize) -> (u16, i64) {
    let person = &persons[n % persons.len()];
    match n % 3 {
        0 => {
            let path = format!("/api/v1/share/{code}/rows/{person}");
            (at.send(key, Method::GET, &path, None).await, 1)
        }
        1 => {
            let body = json!({"key": [person], "claims": {"姓名": "居民0"}});
            let path = format!("/api/v1/share/{code}/verify");
            (at.send(key, Method::POST, &path, Some(body)).await, 1)
        }
        _ => {
            let other = &persons[(n + 1) % persons.len()];
            let body = json!({"keys": [person, other]});
            let path = format!("/api/v1/share/{code}/lookup");
            (at.send(key, Method::POST, &path, Some(body)).await, 2)
        }
    }
}

/// `calls` calls at once, spread over `servers`: the visits answered (every status
/// other than 200 must be 429).
async fn burst(
    servers: &[&TestServer],
    key: &str,
    code: &str,
    persons: &[String],
    calls: usize,
) -> i64 {
    let mut running = tokio::task::JoinSet::new();
    for n in 0..calls {
        let at = At::of(servers[n % servers.len()]);
        let (key, code, persons) = (key.to_string(), code.to_string(), persons.to_vec());
        running.spawn(async move { call(&at, &key, &code, &persons, n).await });
    }
    let mut answered = 0;
    while let Some(done) = running.join_next().await {
        match done.unwrap() {
            (200, visits) => answered += visits,
            (429, _) => {}
            (other, _) => panic!("a call under the grant answered {other}"),
        }
    }
    answered
}

/// Single lookups at each server until every one refuses: the visits answered.
async fn drain(servers: &[&TestServer], key: &str, code: &str, persons: &[String]) -> i64 {
    let mut answered = 0;
    for s in servers {
        let at = At::of(s);
        loop {
            let (status, visits) = call(&at, key, code, persons, 0).await;
            match status {
                200 => answered += visits,
                429 => break,
                other => panic!("a lookup under the grant answered {other}"),
            }
        }
    }
    answered
}

/// The visits the node's audit log counts under grants, and the entries that count any.
async fn logged_visits(s: &TestServer, bureau: &str) -> (i64, usize) {
    let (status, log) = s.get_json("/api/v1/audit?limit=1000", Some(bureau)).await;
    assert_eq!(status, 200, "{log}");
    let counting: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["visits"].as_i64().is_some())
        .collect();
    for e in &counting {
        assert_eq!(e["outcome"], "ok", "only answered calls count: {e}");
        assert!(e["basis"].as_str().unwrap().starts_with("grant:"), "{e}");
    }
    (
        counting.iter().map(|e| e["visits"].as_i64().unwrap()).sum(),
        counting.len(),
    )
}

/// Sixty calls at once (lookups, verifications, batches of two) under a grant of 40
/// visits: the visits answered come to 40 exactly once lookups have taken what was
/// left, every other call is refused with 429, and the log counts the same 40. A node
/// started again counts them from the log and answers no more; the grant's use as
/// shown on revocation is the same.
#[tokio::test]
async fn concurrent_calls_never_pass_a_grants_quota_and_the_log_counts_every_visit() {
    for backend in common::backends() {
        let (url, dir) = (city(backend).await, work_dir("one", backend));
        let p = signed_in(node(&url, backend, "node-1", &dir).await).await;
        let (code, key, persons) = granted(&p, 40).await;
        let mut answered = burst(&[&p.s], &key, &code, &persons, 60).await;
        answered += drain(&[&p.s], &key, &code, &persons).await;
        assert_eq!(answered, 40, "{backend}");
        let bureau = p.bureau.clone();
        assert_eq!(logged_visits(&p.s, &bureau).await.0, 40, "{backend}");

        // The node starts again: what it counted comes back from the log.
        let Parties { s, police, .. } = p;
        drop(s);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let again = node(&url, backend, "node-1", &dir).await;
        assert_eq!(
            drain(&[&again], &key, &code, &persons).await,
            0,
            "{backend}"
        );
        let grants = again
            .store
            .read(|c| {
                c.query_one("SELECT MAX(id) AS id FROM share_grants", &[])?
                    .i64("id")
            })
            .await
            .unwrap();
        let (status, revoked) = again
            .send_json(
                Method::POST,
                &format!("/api/v1/share/grants/{grants}/revoke"),
                Some(&police),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{revoked}");
        assert_eq!(revoked["used_total"], 40, "{backend}: {revoked}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Two nodes on one PostgreSQL database share a grant of 300 visits: calls at both at
/// once, then lookups at each until both refuse. Each node answers only within the
/// visits it leased, the leases never come to more than the quota, and together the
/// nodes answer exactly 300.
#[tokio::test]
async fn two_nodes_share_one_grant_and_answer_exactly_its_quota() {
    if !common::backends().contains(&"postgres") {
        return;
    }
    let backend = "postgres";
    let (url, dir) = (city(backend).await, work_dir("two", backend));
    let p = signed_in(node(&url, backend, "node-1", &dir).await).await;
    let other = node(&url, backend, "node-2", &dir).await;
    let (code, key, persons) = granted(&p, 300).await;
    let mut answered = 0;
    for _ in 0..3 {
        answered += burst(&[&p.s, &other], &key, &code, &persons, 80).await;
    }
    answered += drain(&[&p.s, &other], &key, &code, &persons).await;
    assert_eq!(answered, 300);
    let leased = p
        .s
        .store
        .read(|c| {
            c.query_one(
                "SELECT CAST(SUM(leased) AS BIGINT) AS leased, COUNT(DISTINCT node_id) AS nodes FROM grant_leases",
                &[],
            )
            .and_then(|r| Ok((r.i64("leased")?, r.i64("nodes")?)))
        })
        .await
        .unwrap();
    assert_eq!(leased, (300, 2), "both nodes leased, 300 in all");
    let (one, _) = logged_visits(&p.s, &p.bureau).await;
    let (two, _) = logged_visits(&other, &p.bureau).await;
    assert_eq!(one + two, 300, "each node's log counts its own visits");
    assert!(one > 0 && two > 0, "{one} + {two}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A pool load holds the database's writer for seconds (here an upload that sends its
/// rows slowly); calls under a grant are answered meanwhile, none waiting for it: a
/// call's visits are counted in memory and made durable with its audit entry, which
/// is not written where the load writes.
#[tokio::test]
async fn calls_under_a_grant_are_answered_while_a_load_holds_the_writer() {
    use govshare_store::prelude::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    for backend in common::backends() {
        let (url, dir) = (city(backend).await, work_dir("load", backend));
        let p = signed_in(node(&url, backend, "node-1", &dir).await).await;
        let (code, key, persons) = granted(&p, 1000).await;
        let reading = std::sync::Arc::new(AtomicBool::new(false));
        let seen = reading.clone();
        let rows = (0..3000).map(move |i: u32| {
            seen.store(true, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(1));
            let first17 = format!(
                "5001031991{:02}{:02}{:03}",
                1 + i / 2800,
                1 + (i / 100) % 28,
                i % 100
            );
            Ok(vec![id(&first17), format!("新居民{i}"), String::new()])
        });
        let batch = govshare_store::pool::ingest::Batch {
            code: code.clone(),
            header: ["公民身份号码", "姓名", "联系电话"]
                .map(String::from)
                .to_vec(),
            rows: Box::new(rows),
            mode: govshare_store::pool::ingest::IngestMode::Upsert,
            source_name: "slow.csv".into(),
            source_sha256: "0".repeat(64),
            client_batch_id: None,
            progress: None,
        };
        let store = p.s.store.clone();
        let loading = tokio::spawn(async move {
            store
                .ingest(&govshare_store::Caller::System("test".into()), batch)
                .await
        });
        while !reading.load(Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let at = At::of(&p.s);
        for n in 0..30 {
            let (status, _) = call(&at, &key, &code, &persons, n).await;
            assert_eq!(status, 200, "{backend}: call {n} during the load");
        }
        assert!(
            !loading.is_finished(),
            "{backend}: the load ended before the calls did: the test proved nothing"
        );
        let report = loading.await.unwrap().unwrap();
        assert_eq!(report.accepted, 3000, "{backend}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
