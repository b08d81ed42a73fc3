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
    CONNECTIONS, Govshare, SECONDS, SLICES, Wrk, entries_per_answer, in_turns, line, lookup_script,
    nginx, pgbench, run_wrk, settle, turn_ratios, wrk_script,
};
use crate::pools::{govshare_import, person_resource};
use govshare_store::prelude::*;
use govshare_store::{Caller, Store};
use std::path::{Path, PathBuf};

/// A conditional pool of the persons, a district app granted it (10,000,000 visits a
/// day), and 10,000 of its keys in `keys.txt`: the code, the app's key and the table.
async fn prepared(url: &str, file: &Path, work: &Path) -> anyhow::Result<(String, String, String)> {
    let code = person_resource(url, "conditional", true).await?;
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
        .create_app(
            &sys,
            &district,
            "基准测试应用（授权）",
            &prefix,
            &hash,
            None,
        )
        .await?;
    let today = govshare_store::clock::today();
    let asked = store
        .apply(
            &sys,
            govshare_store::sharing::requests::NewRequest {
                app_id: app.id,
                resource: code.clone(),
                scope: govshare_domain::sharing::request::Scope {
                    items: ["公民身份号码", "姓名", "性别", "出生日期"]
                        .map(String::from)
                        .to_vec(),
                    unmasked: vec![],
                    valid_from: today,
                    valid_to: today.succ_opt().expect("a next day"),
                    daily_quota: 10_000_000,
                    total_quota: 10_000_000,
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
    let table = store.pool(&sys, &code).await?.table;
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
    Ok((code, key, pool_table))
}

/// The wrk scripts of the granted calls: lookups by key, and verifications of a
/// claimed name (the same claim for every key: most do not match, as in life).
fn scripts(work: &Path, code: &str, key: &str) -> anyhow::Result<(PathBuf, PathBuf)> {
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
async fn report_log(g: Govshare, backend: &str, url: &str, seen: u64) -> anyhow::Result<()> {
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
    }
    println!();
    Ok(())
}
