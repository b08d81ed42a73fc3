//! `kill -9` at any moment of a pool import leaves the pool exactly before or after
//! the batch, on every backend.

mod common;

use common::{pool_rows, prepared_pool};
use std::time::Duration;

#[tokio::test]
async fn a_killed_import_leaves_the_pool_before_or_after_the_batch() {
    for backend in common::backends() {
        // Enough rows that the early kills land mid-batch (PostgreSQL writes row by row).
        let rows: usize = if backend == "sqlite" { 60_000 } else { 15_000 };
        let (url, code) = prepared_pool(backend).await;
        let dir =
            std::env::temp_dir().join(format!("govshare_crash_{}_{backend}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut expected = 0i64;
        for (round, delay_ms) in [Some(0u64), Some(40), Some(120), Some(250), Some(500), None]
            .into_iter()
            .enumerate()
        {
            let mut csv = String::from("场所编号,场所名称,容量\n");
            for i in 0..rows {
                csv.push_str(&format!("R{round}-{i},第{i}号场所,{}\n", i % 500));
            }
            let file = dir.join(format!("batch-{round}.csv"));
            std::fs::write(&file, csv).unwrap();
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_govshare"))
                .args([
                    "--database-url",
                    &url,
                    "--data-dir",
                    dir.to_str().unwrap(),
                    "pool",
                    "import",
                    "--resource",
                    &code,
                ])
                .arg(&file)
                .env("GOVSHARE_LOG", "error")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let finished = match delay_ms {
                Some(ms) => {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    let done = child.try_wait().unwrap().is_some_and(|s| s.success());
                    let _ = child.kill(); // SIGKILL
                    let _ = child.wait();
                    done
                }
                // The last round is left to finish.
                None => child.wait().unwrap().success(),
            };
            let (recorded, actual) = pool_rows(&url, &code).await;
            assert_eq!(
                recorded, actual,
                "{backend} round {round}: recorded count disagrees with the table"
            );
            assert!(
                actual == expected || actual == expected + rows as i64,
                "{backend} round {round} (kill after {delay_ms:?} ms): {actual} rows, expected {expected} or {}",
                expected + rows as i64
            );
            if finished {
                assert_eq!(
                    actual,
                    expected + rows as i64,
                    "{backend}: a finished import must be complete"
                );
            }
            expected = actual;
        }
        assert!(
            expected > 0,
            "{backend}: at least the unhurried round completes"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
