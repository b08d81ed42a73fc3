//! Search latency and top-5 accuracy over the demo query set: govshare in process
//! and over HTTP, beside SQLite FTS5 (trigram tokenizer, bm25) over the same fields.

use crate::{ms, percentile};
use govshare_domain::access::Visibility;
use govshare_search::SearchRequest;
use std::path::Path;
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;

struct Outcome {
    latencies: Vec<Duration>,
    hits: usize,
    empty: usize,
}

impl Outcome {
    fn row(&mut self, name: &str, cases: usize) {
        self.latencies.sort();
        println!(
            "| {name} | {} | {} | {} | {:.1}% | {} |",
            ms(percentile(&self.latencies, 0.5)),
            ms(percentile(&self.latencies, 0.99)),
            ms(*self.latencies.last().unwrap_or(&Duration::ZERO)),
            100.0 * self.hits as f64 / cases as f64,
            self.empty
        );
    }
}

fn run_cases(
    cases: &[govshare_demo::SearchCase],
    mut search: impl FnMut(&str) -> Vec<String>,
) -> Outcome {
    let mut out = Outcome {
        latencies: Vec::new(),
        hits: 0,
        empty: 0,
    };
    for round in 0..ROUNDS {
        for case in cases {
            let start = Instant::now();
            let codes = search(&case.query);
            out.latencies.push(start.elapsed());
            if round == 0 {
                out.hits += codes.contains(&case.expected_code) as usize;
                out.empty += codes.is_empty() as usize;
            }
        }
    }
    out
}

fn fts5_peer(
    work: &Path,
    demo: &govshare_demo::DemoCatalog,
) -> anyhow::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(work.join("fts5.db"))?;
    conn.execute_batch(
        "CREATE VIRTUAL TABLE fts USING fts5(code UNINDEXED, name, keywords, provider, summary, items, tokenize = 'trigram');",
    )?;
    let tx = conn.unchecked_transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO fts VALUES (?, ?, ?, ?, ?, ?)")?;
        for r in &demo.resources {
            let s = &r.spec;
            let items: Vec<&str> = s.items.iter().map(|i| i.name.as_str()).collect();
            insert.execute((
                s.code.as_deref(),
                &s.name,
                s.keywords.join(" "),
                &s.provider,
                &s.summary,
                items.join(" "),
            ))?;
        }
    }
    tx.commit()?;
    Ok(conn)
}

/// FTS5 as a Datasette user gets it: MATCH on quoted words, bm25 ranking. Trigrams
/// need three characters, so shorter words fall back to LIKE scans.
fn fts5_search(conn: &rusqlite::Connection, q: &str) -> Vec<String> {
    let words: Vec<&str> = q.split_whitespace().collect();
    let (sql, params): (String, Vec<String>) = if words.iter().all(|w| w.chars().count() >= 3) {
        let m = words
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" AND ");
        (
            "SELECT code FROM fts WHERE fts MATCH ?1 ORDER BY bm25(fts, 0, 10, 8, 4, 1, 1) LIMIT 5"
                .into(),
            vec![m],
        )
    } else {
        let cond = (1..=words.len())
            .map(|i| format!("(name || keywords || provider || summary || items) LIKE ?{i}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        (
            format!("SELECT code FROM fts WHERE {cond} ORDER BY length(name) LIMIT 5"),
            words.iter().map(|w| format!("%{w}%")).collect(),
        )
    };
    let Ok(mut stmt) = conn.prepare_cached(&sql) else {
        return vec![];
    };
    stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        r.get::<_, String>(0)
    })
    .map(|rows| rows.filter_map(Result::ok).collect())
    .unwrap_or_default()
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub async fn run(work: &Path) -> anyhow::Result<()> {
    let demo = govshare_demo::catalog();
    let cases = govshare_demo::search_cases(&demo);
    let store =
        govshare_store::Store::open(&format!("sqlite://{}", work.join("search.db").display()))
            .await?;
    govshare_demo::seed::seed_demo(&store, |_| {}).await?;
    let state = govshare_server::AppState::new(store, Default::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "## Search: {} queries with an expected resource, {} entries, {ROUNDS} rounds",
        cases.len(),
        demo.resources.len()
    );
    println!();
    println!("| engine | p50 | p99 | max | expected in top 5 | queries with no result |");
    println!("|---|---|---|---|---|---|");

    let index = state.search.clone();
    let mut govshare = run_cases(&cases, |q| {
        let req = SearchRequest {
            q: q.to_string(),
            limit: 5,
            ..Default::default()
        };
        index
            .search(&req, Visibility::All)
            .map(|r| r.results.into_iter().map(|h| h.code).collect())
            .unwrap_or_default()
    });
    govshare.row("govshare (in process: tantivy + jieba)", cases.len());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(govshare_server::serve(
        listener,
        state.clone(),
        async move {
            let _ = rx.await;
        },
    ));
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": "Admin@2026"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["token"].as_str().unwrap_or_default().to_string();
    let mut http = Outcome {
        latencies: Vec::new(),
        hits: 0,
        empty: 0,
    };
    for round in 0..ROUNDS {
        for case in &cases {
            let start = Instant::now();
            let res: serde_json::Value = client
                .get(format!(
                    "{base}/api/v1/search?limit=5&q={}",
                    url_encode(&case.query)
                ))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            http.latencies.push(start.elapsed());
            let codes: Vec<&str> = res["results"]
                .as_array()
                .map(|a| a.iter().filter_map(|h| h["code"].as_str()).collect())
                .unwrap_or_default();
            if round == 0 {
                http.hits += codes.contains(&case.expected_code.as_str()) as usize;
                http.empty += codes.is_empty() as usize;
            }
        }
    }
    http.row("govshare (HTTP API, signed in)", cases.len());
    let _ = tx.send(());

    let conn = fts5_peer(work, &demo)?;
    let mut peer = run_cases(&cases, |q| fts5_search(&conn, q));
    peer.row("SQLite FTS5 trigram + bm25 (peer)", cases.len());
    println!();
    println!(
        "p50 ratio FTS5/govshare in process: {:.2}×; p99 ratio: {:.2}×",
        percentile(&peer.latencies, 0.5).as_secs_f64()
            / percentile(&govshare.latencies, 0.5).as_secs_f64(),
        percentile(&peer.latencies, 0.99).as_secs_f64()
            / percentile(&govshare.latencies, 0.99).as_secs_f64()
    );
    println!();
    Ok(())
}
