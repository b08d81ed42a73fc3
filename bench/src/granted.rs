//! Conditional data under load: wrk with 32 connections asks for random keys of
//! 1,000,000 persons in a conditional pool, as an app holding a grant (lookups, and
//! verifications 核验 of a claimed name), each answer sent only after its audit entry
//! is durable and its visit counted, beside
//! - nginx returning a small static JSON file (SQLite's ceiling on this machine);
//! - PostgreSQL's own point lookups of the same rows (`pgbench -M prepared`).
//!
//! The servers take turns as in `lookups`. After each govshare run the log is checked:
//! one entry per answered call, and the visits counted under the grant equal to the
//! calls answered.

use crate::lookups::{
    CONNECTIONS, Govshare, SECONDS, SLICES, Wrk, district, entries_per_answer, in_turns, line,
    lookup_script, nginx, pgbench, run_wrk, settle, turn_ratios, write_keys, wrk_script,
};
use crate::pools::{govshare_import, person_resource};
use govshare_store::prelude::*;
use govshare_store::{Caller, Store};
use std::path::{Path, PathBuf};

/// A conditional pool of the persons, a district app granted it (10,000,000 visits a
/// day), and 10,000 of its keys in `keys.txt`: the code, the app's key and the table.
pub(crate) async fn prepared(
    url: &str,
    file: &Path,
    work: &Path,
) -> anyhow::Result<(String, String, String)> {
    let code = person_resource(url, "conditional", true).await?;
    govshare_import(url, &code, file, work)?;
    let store = Store::open(url).await?;
    let district = district();
    let key = granted_app(&store, &district, &code, "基准测试应用（授权）", 10_000_000).await?;
    let table = write_keys(&store, &code, work).await?;
    Ok((code, key, table))
}

/// A district app granted `quota` visits a day and in all on `code`: its key.
async fn granted_app(
    store: &Store,
    district: &str,
    code: &str,
    name: &str,
    quota: i64,
) -> anyhow::Result<String> {
    let sys = Caller::System("bench".into());
    let (key, prefix, hash) = govshare_server::auth::new_app_key();
    let app = store
        .create_app(&sys, district, name, &prefix, &hash, None)
        .await?;
    let today = govshare_store::clock::today();
    let asked = store
        .apply(
            &sys,
            govshare_store::sharing::requests::NewRequest {
                app_id: app.id,
                resource: code.to_string(),
                scope: govshare_domain::sharing::request::Scope {
                    items: ["公民身份号码", "姓名", "性别", "出生日期"]
                        .map(String::from)
                        .to_vec(),
                    unmasked: vec![],
                    valid_from: today,
                    valid_to: today.succ_opt().expect("a next day"),
                    daily_quota: quota,
                    total_quota: quota,
                },
                purpose: "基准测试：按身份号码查询与核验".into(),
                legal_basis: "基准测试".into(),
                material: String::new(),
            },
        )
        .await?;
    store
        .answer_request(
            &sys,
            asked.id,
            govshare_domain::sharing::request::Answer::Approve,
            String::new(),
            None,
        )
        .await?;
    Ok(key)
}

/// Visits of the two-node run's grant.
const SHARED_QUOTA: i64 = 100_000;

/// Two nodes on one PostgreSQL database, one grant of `SHARED_QUOTA` visits: wrk at
/// both at once (16 connections each, 20 s) until well past the quota. Each node
/// answers within the visits it leased; together they must answer the quota exactly.
async fn two_nodes(url: &str, work: &Path, code: &str) -> anyhow::Result<()> {
    let store = Store::open(url).await?;
    let district = district();
    let key = granted_app(
        &store,
        &district,
        code,
        "基准测试应用（两节点）",
        SHARED_QUOTA,
    )
    .await?;
    let a = Govshare::start_node(url, work, "node-a")?;
    let b = Govshare::start_node(url, work, "node-b")?;
    let path = format!("/api/v1/share/{code}/rows/{{key}}");
    let script = lookup_script(work, "two-nodes", &path, Some(("X-Api-Key", &key)))?;
    let (wa, wb) = std::thread::scope(|s| {
        let at_a = s.spawn(|| run_wrk(&script, &a.base, CONNECTIONS / 2, SECONDS));
        let at_b = run_wrk(&script, &b.base, CONNECTIONS / 2, SECONDS);
        (at_a.join().expect("wrk thread"), at_b)
    });
    let (wa, wb) = (wa?, wb?);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let answered = [a.answered()?, b.answered()?];
    a.stop().await?;
    b.stop().await?;
    let outcomes = store
        .read(|c| {
            c.query(
                "SELECT node_id, outcome, COUNT(*) AS calls, CAST(COALESCE(SUM(visits), 0) AS BIGINT) AS visits \
                 FROM audit_log WHERE actor = '基准测试应用（两节点）' GROUP BY node_id, outcome ORDER BY 1, 2",
                &[],
            )
        })
        .await?;
    let leased = store
        .read(|c| {
            c.query_one(
                "SELECT CAST(COALESCE(SUM(l.leased), 0) AS BIGINT) AS leased FROM grant_leases l \
                 JOIN share_grants g ON g.id = l.grant_id JOIN apps a ON a.id = g.app_id WHERE a.name = '基准测试应用（两节点）'",
                &[],
            )?
            .i64("leased")
        })
        .await?;
    println!();
    println!(
        "Two nodes, one grant of {SHARED_QUOTA} visits (wrk -c{} at each, {SECONDS} s at once): {} + {} requests, \
         answered {} + {} = {} (the quota {}), leases {leased}",
        CONNECTIONS / 2,
        wa.requests,
        wb.requests,
        answered[0],
        answered[1],
        answered[0] + answered[1],
        if answered[0] + answered[1] == SHARED_QUOTA {
            "exactly".to_string()
        } else {
            format!("NOT EXACTLY: {SHARED_QUOTA}")
        }
    );
    for r in outcomes {
        println!(
            "- log of {}: {} {} calls, {} visits",
            r.text("node_id")?,
            r.i64("calls")?,
            r.text("outcome")?,
            r.i64("visits")?
        );
    }
    Ok(())
}

/// The wrk scripts of the granted calls: lookups by key, and verifications of a
/// claimed name (the same claim for every key: most do not match, as in life).
pub(crate) fn scripts(work: &Path, code: &str, key: &str) -> anyhow::Result<(PathBuf, PathBuf)> {
    let path = format!("/api/v1/share/{code}/rows/{{key}}");
    let lookup = lookup_script(work, "granted-lookup", &path, Some(("X-Api-Key", key)))?;
    let verify = wrk_script(
        work,
        "granted-verify",
        &format!(
            "request = function()\n  local k = keys[math.random(#keys)]\n  \
             return wrk.format(\"POST\", \"/api/v1/share/{code}/verify\", \
             {{[\"X-Api-Key\"] = \"{key}\", [\"Content-Type\"] = \"application/json\"}}, \
             '{{\"key\": [\"' .. k .. '\"], \"claims\": {{\"姓名\": \"张三\"}}}}')\nend"
        ),
    )?;
    Ok((lookup, verify))
}

/// The calls a run's log holds as answered under a grant, and the visits they counted.
async fn counted(url: &str) -> anyhow::Result<(i64, i64)> {
    let store = Store::open(url).await?;
    Ok(store
        .read(|c| {
            let r = c.query_one(
                "SELECT COUNT(*) AS calls, CAST(COALESCE(SUM(visits), 0) AS BIGINT) AS visits FROM audit_log \
                 WHERE action IN ('share.lookup', 'share.verify') AND outcome = 'ok' AND basis LIKE 'grant:%'",
                &[],
            )?;
            Ok((r.i64("calls")?, r.i64("visits")?))
        })
        .await?)
}

/// The lines on a run's log: entries per answer, visits per call.
pub(crate) async fn report_log(
    g: Govshare,
    backend: &str,
    url: &str,
    seen: u64,
) -> anyhow::Result<()> {
    std::thread::sleep(std::time::Duration::from_secs(1));
    let answered = g.answered()?;
    g.stop().await?;
    let (calls, visits) = counted(url).await?;
    println!();
    println!(
        "govshare ({backend}, under a grant): {seen} answers seen by wrk, {answered} answered by the server, \
         {calls} audit entries of answered calls ({}), {visits} visits counted ({}); chains verify",
        entries_per_answer(answered, calls),
        if visits == calls {
            "one per call".to_string()
        } else {
            format!("{} CALLS WITHOUT THEIR VISIT", calls - visits)
        }
    );
    Ok(())
}

pub async fn run(work: &Path) -> anyhow::Result<()> {
    let file = work.join("persons.csv");
    if !file.exists() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        govshare_demo::persons::write_person_csv(&mut out, 1_000_000, 0.02, 2026)?;
    }
    let sqlite_url = format!("sqlite://{}", work.join("granted-bench.db").display());
    let (code, key, _) = prepared(&sqlite_url, &file, work).await?;
    let (nginx_server, nginx_base) = nginx(&work.join("nginx"))?;
    let g = Govshare::start(&sqlite_url, work)?;
    let (lookup, verify) = scripts(work, &code, &key)?;
    let nginx_script = lookup_script(work, "nginx", "/{key}", None)?;
    let mut nginx_load = |s| run_wrk(&nginx_script, &nginx_base, CONNECTIONS, s);
    let mut lookup_load = |s| run_wrk(&lookup, &g.base, CONNECTIONS, s);
    let mut verify_load = |s| run_wrk(&verify, &g.base, CONNECTIONS, s);
    let turns = in_turns(&mut [&mut nginx_load, &mut lookup_load, &mut verify_load])?;
    drop(nginx_server);
    let [ceiling, looked, verified] = [0, 1, 2].map(|i| Wrk::joined(&turns[i]));
    println!(
        "## Conditional data: random keys of 1,000,000 persons under a grant, wrk -c{CONNECTIONS}, {SECONDS} s each in {SLICES} turns of {} s",
        SECONDS / SLICES
    );
    println!();
    println!("| server | requests/s | p50 | p99 | errors | ÷ nginx |");
    println!("|---|---|---|---|---|---|");
    line("nginx, static JSON file (ceiling)", &ceiling, &[None]);
    line(
        "govshare → SQLite: lookup under a grant (key, policy, masking, visit, audit)",
        &looked,
        &[Some(&ceiling)],
    );
    line(
        "govshare → SQLite: verification (核验) under a grant",
        &verified,
        &[Some(&ceiling)],
    );
    println!();
    println!(
        "Turn by turn: lookups ÷ nginx {}, verifications ÷ nginx {}",
        turn_ratios(&turns[1], &turns[0]),
        turn_ratios(&turns[2], &turns[0])
    );
    report_log(
        g,
        "SQLite",
        &sqlite_url,
        looked.requests + verified.requests,
    )
    .await?;

    if govshare_store::testing::backends().contains(&"postgres") {
        let pg_url = govshare_store::testing::fresh_database("postgres");
        let (code, key, table) = prepared(&pg_url, &file, work).await?;
        settle(&pg_url, &table)?;
        let g = Govshare::start(&pg_url, work)?;
        let (lookup, verify) = scripts(work, &code, &key)?;
        let mut pgbench_load = |s| pgbench(&pg_url, &table, work, s);
        let mut lookup_load = |s| run_wrk(&lookup, &g.base, CONNECTIONS, s);
        let mut verify_load = |s| run_wrk(&verify, &g.base, CONNECTIONS, s);
        let turns = in_turns(&mut [&mut pgbench_load, &mut lookup_load, &mut verify_load])?;
        let [ceiling, looked, verified] = [0, 1, 2].map(|i| Wrk::joined(&turns[i]));
        println!();
        println!("| server | requests/s | p50 | p99 | errors | ÷ pgbench |");
        println!("|---|---|---|---|---|---|");
        line(
            "PostgreSQL, pgbench -M prepared point lookups (ceiling)",
            &ceiling,
            &[None],
        );
        line(
            "govshare → PostgreSQL: lookup under a grant",
            &looked,
            &[Some(&ceiling)],
        );
        line(
            "govshare → PostgreSQL: verification (核验) under a grant",
            &verified,
            &[Some(&ceiling)],
        );
        println!();
        println!(
            "Turn by turn: lookups ÷ pgbench {}, verifications ÷ pgbench {}",
            turn_ratios(&turns[1], &turns[0]),
            turn_ratios(&turns[2], &turns[0])
        );
        report_log(
            g,
            "PostgreSQL",
            &pg_url,
            looked.requests + verified.requests,
        )
        .await?;
        two_nodes(&pg_url, work, &code).await?;
    }
    println!();
    Ok(())
}
