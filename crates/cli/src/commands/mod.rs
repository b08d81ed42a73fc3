//! Command-line parsing and dispatch.

mod admin;
mod audit;
mod catalog;
mod pool;
mod serve;

use crate::config::{Config, Overrides};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "govshare",
    version,
    about = "govshare 政务数据资源中心 (government data resource center)"
)]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (启动服务).
    Serve,
    /// Load the demo city (重庆, 71 departments, 38 districts, 3,614 resources) and serve it.
    Demo {
        /// Load the data and exit without serving.
        #[arg(long)]
        no_serve: bool,
        /// Rows generated for each demo data pool.
        #[arg(long, default_value_t = 2000)]
        rows: usize,
        /// Persons in the population pool, 1 to 44,020,000 (the seed's natural-person
        /// base); default: as many as --rows.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=govshare_demo::fill::MAX_PERSONS as u64))]
        persons: Option<u64>,
    },
    /// Prepare a new installation: register the bureau, load the national
    /// classification lists and create the first bureau admin (初始化).
    Init(admin::InitArgs),
    /// Catalog files (目录导入导出).
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Data pools (数据池).
    #[command(subcommand)]
    Pool(pool::PoolCommand),
    /// Users (用户管理).
    #[command(subcommand)]
    User(admin::UserCommand),
    /// The audit log (审计日志).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Ask a running server whether it is healthy (exit 0 when it is).
    Healthcheck {
        /// Base URL of the server (default: from the listen address).
        #[arg(long)]
        url: Option<String>,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Print the effective configuration (secrets hidden).
    Config,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli.overrides, |k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("配置错误 (configuration error): {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(run(cli.command, config));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 (error): {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => serve::serve(config).await,
        Command::Demo {
            no_serve,
            rows,
            persons,
        } => {
            let persons = persons.map_or(rows, |p| p as usize);
            serve::demo(
                config,
                no_serve,
                govshare_demo::seed::PoolSizes { rows, persons },
            )
            .await
        }
        Command::Catalog(c) => catalog::run(c, config).await,
        Command::Pool(c) => pool::run(c, config).await,
        Command::User(c) => admin::user(c, config).await,
        Command::Audit(c) => audit::run(c, config).await,
        Command::Init(args) => admin::init(args, config).await,
        Command::Healthcheck { url } => admin::healthcheck(url, config).await,
        Command::Openapi => {
            print!("{}", govshare_server::openapi::document());
            Ok(ExitCode::SUCCESS)
        }
        Command::Config => {
            println!("{config:#?}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Opens the configured database (migrating it) with a message that names the URL.
pub(crate) async fn open_store(config: &Config) -> anyhow::Result<govshare_store::Store> {
    govshare_store::Store::open(&config.database_url)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "无法打开数据库 {}: {e}",
                crate::config::redact_url(&config.database_url)
            )
        })
}
