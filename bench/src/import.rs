//! Whole-catalog import: govshare (parse + every rule + store, one transaction)
//! beside `sqlite3 .import` of the same CSV into a table without any checks.

use govshare_interchange::{Format, write_catalog};
use govshare_server::catalog_import::import_file;
use govshare_store::catalog::import::ImportMode;
use govshare_store::{Caller, Store};
use std::path::Path;
use std::time::{Duration, Instant};

async fn fresh_store(url: &str) -> anyhow::Result<Store> {
    let store = Store::open(url).await?;
    govshare_demo::seed::seed_reference(&store, &govshare_demo::catalog()).await?;
    Ok(store)
}

async fn time_import(url: &str, bytes: &[u8], format: Format) -> anyhow::Result<(Duration, usize)> {
    let store = fresh_store(url).await?;
    let start = Instant::now();
    let report = import_file(
        &store,
        &Caller::System("bench".into()),
        bytes.to_vec(),
        format,
        ImportMode::AllOrNothing,
        |_| {},
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((start.elapsed(), report.imported))
}

fn sqlite3_import(dir: &Path, csv: &Path) -> anyhow::Result<Option<Duration>> {
    let db = dir.join("peer.db");
    let headers = govshare_interchange::columns::RESOURCE_COLUMNS.len()
        + govshare_interchange::columns::ITEM_COLUMNS.len();
    let cols: Vec<String> = (0..headers).map(|i| format!("c{i} TEXT")).collect();
    let create = format!(
        "PRAGMA journal_mode=WAL; CREATE TABLE catalog ({});",
        cols.join(", ")
    );
    let import = format!(".import --skip 1 {} catalog", csv.display());
    let start = Instant::now();
    let out = std::process::Command::new("sqlite3")
        .arg(&db)
        .args([create.as_str(), ".mode csv", import.as_str()])
        .output();
    match out {
        Ok(o) if o.status.success() => Ok(Some(start.elapsed())),
        Ok(o) => anyhow::bail!("sqlite3 failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => Ok(None),
    }
}

pub async fn run(work: &Path) -> anyhow::Result<()> {
    let demo = govshare_demo::catalog();
    let items: usize = demo.resources.iter().map(|r| r.spec.items.len()).sum();
    println!(
        "## Catalog import: {} entries, {} information items",
        demo.resources.len(),
        items
    );
    let mut files = Vec::new();
    for (format, ext) in [
        (Format::Xlsx, "xlsx"),
        (Format::Csv, "csv"),
        (Format::Json, "json"),
    ] {
        let bytes = write_catalog(&demo.resources, format).map_err(anyhow::Error::msg)?;
        let path = work.join(format!("catalog.{ext}"));
        std::fs::write(&path, &bytes)?;
        files.push((format, ext, bytes, path));
    }
    // The CSV without its BOM, for the sqlite3 tool.
    let csv_path = work.join("catalog-nobom.csv");
    std::fs::write(&csv_path, &files[1].2[3..])?;
    let peer = sqlite3_import(work, &csv_path)?;
    println!();
    println!(
        "| backend | format | file size | govshare import | entries/s | sqlite3 .import (no checks) | ratio govshare/sqlite3 |"
    );
    println!("|---|---|---|---|---|---|---|");
    for backend in govshare_store::testing::backends() {
        for (i, (format, ext, bytes, _)) in files.iter().enumerate() {
            let url = match backend {
                "sqlite" => format!(
                    "sqlite://{}",
                    work.join(format!("bench-{ext}.db")).display()
                ),
                _ => govshare_store::testing::fresh_database(backend),
            };
            let (took, n) = time_import(&url, bytes, *format).await?;
            let peer_cell = match (peer, i) {
                (Some(p), 1) => (
                    crate::ms(p),
                    format!("{:.1}×", took.as_secs_f64() / p.as_secs_f64()),
                ),
                _ => ("".into(), "".into()),
            };
            println!(
                "| {backend} | {ext} | {:.1} MB | {} | {:.0} | {} | {} |",
                bytes.len() as f64 / 1e6,
                crate::ms(took),
                n as f64 / took.as_secs_f64(),
                peer_cell.0,
                peer_cell.1
            );
        }
    }
    println!();
    Ok(())
}
