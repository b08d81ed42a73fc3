//! `govshare catalog import|export`.

use crate::config::Config;
use govshare_interchange::{read_catalog, write_catalog, Format};
use govshare_store::repo::import::ImportMode;
use govshare_store::Caller;
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
        CatalogCommand::Import { file, valid_only, format } => import(file, valid_only, format, config).await,
        CatalogCommand::Export { format, output } => {
            let format = parse_format(&format)?;
            let store = super::open_store(&config).await?;
            let mut records: Vec<_> = store.all_resources().await?.iter().map(|r| r.to_record()).collect();
            records.sort_by(|a, b| a.spec.code.cmp(&b.spec.code));
            let bytes = write_catalog(&records, format).map_err(anyhow::Error::msg)?;
            let tmp = output.with_extension("partial");
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &output)?;
            println!("已导出 {} 条目录到 {} (exported)", records.len(), output.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn import(file: PathBuf, valid_only: bool, format: Option<String>, config: Config) -> anyhow::Result<ExitCode> {
    let meta = std::fs::metadata(&file).map_err(|e| anyhow::anyhow!("无法读取 {}: {e}", file.display()))?;
    if meta.len() as usize > govshare_interchange::MAX_FILE_BYTES {
        anyhow::bail!("文件过大：{} 字节，上限 {} 字节", meta.len(), govshare_interchange::MAX_FILE_BYTES);
    }
    let bytes = std::fs::read(&file)?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let format = match format {
        Some(f) => parse_format(&f)?,
        None => Format::detect(name, &bytes).ok_or_else(|| anyhow::anyhow!("无法判断文件格式，请用 --format 指定"))?,
    };
    let parsed = match read_catalog(&bytes, format) {
        Ok(p) => p,
        Err(locations) => {
            eprintln!("文件有误，未导入任何内容 (nothing imported): {} 个问题", locations.len());
            for l in &locations {
                eprintln!("  {l}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let store = super::open_store(&config).await?;
    let bar = indicatif::ProgressBar::new(parsed.records.len() as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("  导入 {bar:40} {pos}/{len} {per_sec}").expect("valid template"));
    let b = bar.clone();
    let mode = if valid_only { ImportMode::ValidOnly } else { ImportMode::AllOrNothing };
    let caller = Caller::System("命令行导入".into());
    let outcome = store.import_catalog(&caller, parsed.records.clone(), mode, move |n| b.set_position(n as u64)).await?;
    bar.finish_and_clear();
    for r in &outcome.rejected {
        for p in &r.problems {
            eprintln!("  {}", parsed.locate(r.index, p));
        }
    }
    if outcome.imported == 0 && !outcome.rejected.is_empty() {
        eprintln!("{} 条目录有问题，未导入任何内容 (nothing imported)", outcome.rejected.len());
        return Ok(ExitCode::FAILURE);
    }
    println!("已导入 {} / {} 条目录 (imported)", outcome.imported, outcome.received);
    if !outcome.rejected.is_empty() {
        println!("跳过 {} 条有问题的目录 (skipped, listed above)", outcome.rejected.len());
    }
    Ok(ExitCode::SUCCESS)
}
