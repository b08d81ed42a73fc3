//! `govshare catalog import|export`.

use crate::config::Config;
use govshare_interchange::{Format, write_catalog};
use govshare_server::catalog_import::import_file;
use govshare_server::error::ApiError;
use govshare_store::Caller;
use govshare_store::catalog::import::{ImportMode, ImportOptions};
use govshare_store::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum CatalogCommand {
    /// Import a catalog file (XLSX, CSV or JSON). Nothing is imported unless every
    /// entry is valid, unless --valid-only is given.
    Import {
        file: PathBuf,
        /// Import the valid entries and report the others.
        #[arg(long)]
        valid_only: bool,
        /// Override format detection: xlsx, csv or json.
        #[arg(long)]
        format: Option<String>,
        /// Register the providers the file names (by name and credit code) that are
        /// not registered yet, in the same import.
        #[arg(long)]
        create_providers: bool,
    },
    /// Export the whole catalog, sorted by code.
    Export {
        #[arg(long)]
        format: String,
        #[arg(long, short)]
        output: PathBuf,
    },
}

fn parse_format(name: &str) -> anyhow::Result<Format> {
    Format::parse(name).ok_or_else(|| anyhow::anyhow!("不支持的格式“{name}”，可选 xlsx、csv、json"))
}

pub async fn run(command: CatalogCommand, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        CatalogCommand::Import {
            file,
            valid_only,
            format,
            create_providers,
        } => import(file, valid_only, format, create_providers, config).await,
        CatalogCommand::Export { format, output } => {
            let format = parse_format(&format)?;
            let store = super::open_store(&config).await?;
            let mut records: Vec<_> = store
                .all_resources()
                .await?
                .iter()
                .map(|r| r.to_record())
                .collect();
            records.sort_by(|a, b| a.spec.code.cmp(&b.spec.code));
            let bytes = write_catalog(&records, format).map_err(anyhow::Error::msg)?;
            let tmp = output.with_extension("partial");
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &output)?;
            println!(
                "已导出 {} 条目录到 {} (exported)",
                records.len(),
                output.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn import(
    file: PathBuf,
    valid_only: bool,
    format: Option<String>,
    create_providers: bool,
    config: Config,
) -> anyhow::Result<ExitCode> {
    let meta = std::fs::metadata(&file)
        .map_err(|e| anyhow::anyhow!("无法读取 {}: {e}", file.display()))?;
    if meta.len() as usize > govshare_interchange::MAX_FILE_BYTES {
        anyhow::bail!(
            "文件过大：{} 字节，上限 {} 字节",
            meta.len(),
            govshare_interchange::MAX_FILE_BYTES
        );
    }
    let bytes = std::fs::read(&file)?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let format = match format {
        Some(f) => parse_format(&f)?,
        None => Format::detect(name, &bytes),
    };
    let store = super::open_store(&config).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("  导入 {bar:40} {pos}/{len} {per_sec}")
            .expect("valid template"),
    );
    let b = bar.clone();
    let mode = if valid_only {
        ImportMode::ValidOnly
    } else {
        ImportMode::AllOrNothing
    };
    let caller = Caller::System("命令行导入".into());
    let options = ImportOptions {
        mode,
        create_providers,
    };
    let result = import_file(&store, &caller, bytes, format, options, move |n| {
        b.set_length(b.length().unwrap_or(0).max(n as u64));
        b.set_position(n as u64)
    })
    .await;
    bar.finish_and_clear();
    match result {
        Err(ApiError::InvalidFile(locations)) => {
            eprintln!(
                "文件有 {} 个问题，未导入任何内容 (nothing imported):",
                locations.len()
            );
            for l in &locations {
                eprintln!("  {l}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
        Ok(report) => {
            for l in &report.rejected {
                eprintln!("  {l}");
            }
            for p in &report.providers {
                println!("已登记提供方 (provider registered): {p}");
            }
            println!(
                "已导入 {} / {} 条目录 (imported)",
                report.imported, report.received
            );
            if !report.rejected.is_empty() {
                println!("有问题的目录已跳过，问题见上 (skipped entries listed above)");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
