//! `govshare pool import` of files on disk: GBK files stream like UTF-8 ones, a row
//! with bytes that are no GBK is refused alone, and repeated keys are refused
//! wherever they fall in a large file.

#[path = "../../server/tests/common/mod.rs"]
mod common;

use common::{pool_rows, prepared_pool};
use govshare_store::prelude::*;

fn import(url: &str, dir: &std::path::Path, code: &str, file: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_govshare"))
        .args(["--database-url", url, "--data-dir"])
        .arg(dir)
        .args(["pool", "import", "--resource", code])
        .arg(file)
        .env("GOVSHARE_LOG", "error")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The numbers of the report line: received, accepted, refused.
fn counts(report: &str) -> (i64, i64, i64) {
    let n = |word: &str| -> i64 {
        let at = report
            .find(word)
            .unwrap_or_else(|| panic!("{word} in {report}"))
            + word.len();
        report[at..]
            .trim_start()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (n("收到"), n("入池"), n("隔离"))
}

#[tokio::test]
async fn gbk_files_stream_from_disk_and_repeated_keys_are_refused_anywhere() {
    for backend in common::backends() {
        let (url, code) = prepared_pool(backend).await;
        let dir = std::env::temp_dir().join(format!(
            "govshare_pool_import_{}_{backend}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // 30,000 rows in GBK (the first 64 KB decide the encoding, the rest streams);
        // row 20,002 holds bytes that are no GBK; rows 25,002 and 29,002 repeat the
        // keys of rows 2 and 12,002.
        let rows = 30_000;
        let mut gbk = encoding_rs::GBK
            .encode("场所编号,场所名称,容量\n")
            .0
            .to_vec();
        for i in 0..rows {
            let line = match i {
                20_000 => {
                    let mut l = format!("P{i},第{i}号").into_bytes();
                    l.extend_from_slice(b"\xff\xfe,7\n");
                    gbk.extend(l);
                    continue;
                }
                25_000 => "P0,重复的第0号,1\n".to_string(),
                29_000 => "P12000,重复的场所,2\n".to_string(),
                _ => format!("P{i},第{i}号场所（渝北区）,{}\n", i % 500),
            };
            gbk.extend_from_slice(&encoding_rs::GBK.encode(&line).0);
        }
        let file = dir.join("places-gbk.csv");
        std::fs::write(&file, &gbk).unwrap();
        let report = import(&url, &dir, &code, &file);
        assert_eq!(counts(&report), (rows, rows - 3, 3), "{backend}: {report}");
        assert_eq!(pool_rows(&url, &code).await, (rows - 3, rows - 3));

        let store = govshare_store::Store::open(&url).await.unwrap();
        let sys = govshare_store::Caller::System("t".into());
        let batch = store
            .read(|c| {
                c.query_one("SELECT MAX(id) AS last_id FROM pool_batches", &[])?
                    .i64("last_id")
            })
            .await
            .unwrap();
        let q = store.quarantine(&sys, batch).await.unwrap().rows;
        let refused: Vec<(i64, &str)> = q
            .iter()
            .map(|r| (r.row_number, r.reason.as_str()))
            .collect();
        assert_eq!(refused.len(), 3, "{backend}: {refused:?}");
        assert_eq!(refused[0].0, 20_002);
        assert!(refused[0].1.contains("GBK"), "{refused:?}");
        assert_eq!(
            (refused[1].0, refused[2].0),
            (25_002, 29_002),
            "{refused:?}"
        );
        assert!(refused[1..].iter().all(|r| r.1.contains("重复")));
        // The first of the repeated keys kept its own values.
        let pool = store.pool(&sys, &code).await.unwrap();
        let (table, key, name) = (
            pool.table,
            pool.schema.columns[0].column.clone(),
            pool.schema.columns[1].column.clone(),
        );
        let name = store
            .read(move |c| {
                c.query_one(
                    &format!("SELECT \"{name}\" AS name FROM \"{table}\" WHERE \"{key}\" = 'P0'"),
                    &[],
                )?
                .text("name")
            })
            .await
            .unwrap();
        assert_eq!(name, "第0号场所（渝北区）", "{backend}");
        // The load is an audit entry of the command line's chain, which verifies.
        let entries = store
            .audit_entries(
                govshare_store::audit::log::AuditScope::All,
                "node-1:cli",
                Default::default(),
                None,
                10,
            )
            .await
            .unwrap();
        assert_eq!(entries.len(), 1, "{backend}: {entries:?}");
        let e = &entries[0].entry;
        assert_eq!(
            (
                e.action.as_str(),
                e.resource_code.as_str(),
                e.row_count,
                e.outcome.as_str()
            ),
            ("pool.load", code.as_str(), rows - 3, "ok"),
            "{backend}"
        );
        assert!(
            e.actor.starts_with("命令行导入") && e.detail.contains("rejected 3"),
            "{e:?}"
        );
        let chains = store.verify_audit().await.unwrap();
        assert!(chains.iter().all(|c| c.first_bad.is_none()), "{chains:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
