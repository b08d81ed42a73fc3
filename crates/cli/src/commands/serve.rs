//! `govshare serve` and `govshare demo`.

use crate::config::Config;
use govshare_demo::seed::seed_demo;
use govshare_server::{AppState, ServerConfig};
use std::process::ExitCode;

fn server_config(config: &Config) -> ServerConfig {
    ServerConfig {
        session_hours: config.session_hours,
        index_dir: Some(config.index_dir()),
        node_id: config.node_id.clone(),
        app_calls_per_second: config.app_calls_per_second,
        audit_key_file: Some(config.audit_key_file()),
        audit_journal_dir: Some(config.audit_journal_dir()),
        audit_backlog: config.audit_backlog,
        probe_limit_per_day: config.probe_limit_per_day,
        ..Default::default()
    }
}

/// Ctrl+C or SIGTERM (as sent by service managers) stops the server gracefully.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}

async fn run_server(
    config: &Config,
    state: AppState,
    banner: impl FnOnce(&str),
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("无法监听 {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    banner(&format!("http://{addr}"));
    govshare_server::serve(listener, state, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&config).await?;
    let state = AppState::new(store, server_config(&config))
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.with_cause()))?;
    run_server(&config, state, |url| {
        println!("govshare 已启动 (listening): {url}")
    })
    .await
}

pub async fn demo(
    config: Config,
    no_serve: bool,
    sizes: govshare_demo::seed::PoolSizes,
) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&config).await?;
    println!("正在载入演示数据 (loading the demo city)…");
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("  目录导入 {bar:40} {pos}/{len} {per_sec}")
            .expect("valid template"),
    );
    bar.set_length(3614);
    let progress_bar = bar.clone();
    let seeded = seed_demo(&store, move |n| progress_bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    if seeded.imported > 0 {
        println!(
            "已导入 {} 条信息资源目录 (imported catalog entries)",
            seeded.imported
        );
    } else {
        println!(
            "目录已存在，未重复导入 (catalog already loaded: {} entries)",
            seeded.resources
        );
    }
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_style(
        indicatif::ProgressStyle::with_template("  人口数据池 {pos} 行 {per_sec} {elapsed}")
            .expect("valid template"),
    );
    let counter = spinner.clone();
    let progress: Box<dyn FnMut(i64) + Send> = Box::new(move |n| counter.set_position(n as u64));
    let pools = govshare_demo::seed::seed_pools(&store, sizes, Some(progress)).await?;
    spinner.finish_and_clear();
    for p in &pools {
        println!(
            "数据池 {} {}：{} 行入池，{} 行隔离{} (data pool)",
            p.code,
            p.name,
            p.report.accepted,
            p.report.rejected,
            if p.report.replayed {
                "（已载入，未重复）"
            } else {
                ""
            }
        );
    }
    let keys = govshare_demo::seed_sharing::seed_sharing(&store, &pools, &config.node_id).await?;
    let state = AppState::new(store, server_config(&config))
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.with_cause()))?;
    let logins = seeded.logins;
    let banner = move |url: &str| {
        println!();
        println!("govshare 演示已启动 (demo running): {url}");
        println!("  政务控制台 (console): {url}/console/");
        println!("  检索 (search):   {url}/api/v1/search?q=营业执照");
        println!("  接口文档 (API):  {url}/api/v1/openapi.json");
        println!("  演示账号 (demo logins):");
        for l in &logins {
            println!(
                "    {:<14} 密码 {:<11} {} · {}",
                l.username,
                l.password,
                l.role.label(),
                l.org
            );
        }
        println!("  演示应用密钥 (demo app keys, send as X-Api-Key):");
        for k in &keys {
            println!("    {} · {}  {}", k.org, k.app, k.key);
        }
        println!("  按 Ctrl+C 停止 (press Ctrl+C to stop)");
    };
    if no_serve {
        banner("(not serving)");
        return Ok(ExitCode::SUCCESS);
    }
    run_server(&config, state, banner).await
}
