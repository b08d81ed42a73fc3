//! `govshare pool import`: load a data file into a resource's pool as one batch.

use crate::config::Config;
use govshare_interchange::rows::DataFormat;
use govshare_server::error::ApiError;
use govshare_server::pool_import::{DataFile, Source, import_data};
use govshare_store::Caller;
use govshare_store::pool::ingest::IngestMode;
use govshare_store::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

/// Largest data file the command line loads whole (CSV files are streamed).
const MAX_BYTES: u64 = 1 << 30;

#[derive(clap::Subcommand)]
pub enum PoolCommand {
    /// Load a CSV (UTF-8 or GBK), XLSX, JSON or NDJSON file into a pool.
    Import {
        /// The resource code, e.g. 101001/000001.
        #[arg(long)]
        resource: String,
        file: PathBuf,
        /// upsert, insert, replace or delete.
        #[arg(long, default_value = "upsert")]
        mode: String,
        /// csv, xlsx, json or ndjson (detected when absent).
        #[arg(long)]
        format: Option<String>,
        /// An id for this batch: running the same batch again changes nothing.
        #[arg(long)]
        batch_id: Option<String>,
        /// Writes the number of rows read so far to this file as the import goes
        /// (every 10,000 rows and at the end), for scripts that watch a long load.
        #[arg(long)]
        progress_file: Option<PathBuf>,
    },
}

pub async fn run(command: PoolCommand, config: Config) -> anyhow::Result<ExitCode> {
    let PoolCommand::Import {
        resource,
        file,
        mode,
        format,
        batch_id,
        progress_file,
    } = command;
    let mode: IngestMode = serde_json::from_value(serde_json::Value::String(mode.clone()))
        .map_err(|_| anyhow::anyhow!("未知模式“{mode}”，可选 upsert、insert、replace、delete"))?;
    let format = match format {
        Some(f) => Some(DataFormat::parse(&f).ok_or_else(|| anyhow::anyhow!("不支持的格式“{f}”"))?),
        None => None,
    };
    let size = std::fs::metadata(&file)
        .map_err(|e| anyhow::anyhow!("无法读取 {}: {e}", file.display()))?
        .len();
    let streamed = format.is_none_or(|f| f == DataFormat::Csv);
    if size > MAX_BYTES && !streamed {
        anyhow::bail!("文件过大：{size} 字节，上限 {MAX_BYTES} 字节（CSV 文件逐行读取，不受此限）");
    }
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("data")
        .to_string();
    let store = super::open_store(&config).await?;
    let started = std::time::Instant::now();
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_style(
        indicatif::ProgressStyle::with_template("  入池 {pos} 行 {per_sec} {elapsed}")
            .expect("valid template"),
    );
    let bar = spinner.clone();
    let resource_code = resource.clone();
    let data = DataFile {
        code: resource,
        name,
        source: Source::Path(file.clone()),
        format,
        mode,
        client_batch_id: batch_id,
        progress: Some(Box::new(move |n| {
            bar.set_position(n as u64);
            if let Some(path) = &progress_file {
                // Best effort: a watcher reads whatever was last written.
                let _ = std::fs::write(path, n.to_string());
            }
        })),
    };
    let outcome = import_data(&store, &Caller::System("命令行导入".into()), data).await;
    spinner.finish_and_clear();
    record_load(&store, &config, &resource_code, &outcome).await?;
    match outcome {
        Ok(r) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "批次 {}：收到 {} 行，入池 {} 行，隔离 {} 行（{:.1} 秒，{:.0} 行/秒）{}",
                r.batch_id,
                r.received,
                r.accepted,
                r.rejected,
                secs,
                r.received as f64 / secs.max(1e-9),
                if r.replayed {
                    " — 该批次此前已导入，未重复处理"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ApiError::InvalidFile(locations)) => {
            for l in &locations {
                eprintln!("  {l}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// Loads from the command line are audit entries too, in a chain of their own beside
/// the node's (`<node_id>:cli`: the server's writer keeps its chain's head, and a
/// second writer of it would fail): who ran it on which machine, the resource and what
/// the batch did. The load is not undone when the entry cannot be written; the command
/// fails, so the operator knows.
async fn record_load(
    store: &govshare_store::Store,
    config: &Config,
    code: &str,
    outcome: &Result<govshare_store::pool::ingest::BatchReport, ApiError>,
) -> anyhow::Result<()> {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let (outcome, rows, detail) = match outcome {
        Ok(r) => (
            "ok",
            r.accepted,
            govshare_server::pool_import::load_detail(r),
        ),
        Err(ApiError::InvalidFile(l)) => ("invalid", 0, format!("{} 处问题，未入池", l.len())),
        Err(e) => ("failed", 0, e.to_string()),
    };
    let entry = govshare_store::audit::log::AuditEntry {
        at: govshare_store::now(),
        actor: format!("命令行导入 {who}@{}", host.trim()),
        action: "pool.load".into(),
        resource_code: code.to_string(),
        row_count: rows,
        outcome: outcome.into(),
        detail,
        ..Default::default()
    };
    store
        .append_audit(&format!("{}:cli", config.node_id), vec![entry])
        .await
        .map_err(|e| anyhow::anyhow!("入池已完成，但审计日志未能写入：{e}"))
}
