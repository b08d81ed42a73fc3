//! `govshare audit verify`: recomputes every node's audit chain and names the first
//! entry that was edited, deleted, reordered or forged, and recounts the log into the
//! call counts that statistics read.

use crate::config::Config;
use govshare_store::prelude::*;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit log's hash chains (exit 1 when one is broken).
    Verify,
}

pub async fn run(command: AuditCommand, config: Config) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify = command;
    let store = super::open_store(&config).await?;
    // What this node answered last may still be in its journal: moved in first (the
    // journal itself is left to the node).
    let journal = config.audit_journal_dir();
    let moved = store.move_journal(&config.node_id, &journal).await?;
    if moved > 0 {
        println!(
            "节点 {} 的暂存日志 {} 中有 {moved} 条，已并入审计日志 (journal moved in)",
            config.node_id,
            journal.display()
        );
    }
    let reports = store.verify_audit().await?;
    if reports.is_empty() {
        println!("审计日志为空 (the audit log is empty)");
    }
    let mut broken = false;
    for r in &reports {
        match &r.first_bad {
            None => println!(
                "节点 {}：{} 条，哈希链完整，{} 个签名检查点相符{} (chain intact)",
                r.node_id,
                r.entries,
                r.checkpoints,
                r.last_checkpoint
                    .as_ref()
                    .map(|(seq, at)| format!("，最近一个确认至第 {seq} 条（{at}）"))
                    .unwrap_or_default()
            ),
            Some((seq, why)) => {
                broken = true;
                println!(
                    "节点 {}：{} 条，第 {seq} 条起哈希链断裂 (chain broken at entry {seq})：{why}",
                    r.node_id, r.entries
                );
            }
        }
    }
    // The hourly counts that statistics read are recounted from the log.
    let counts = store.check_share_calls().await?;
    if counts.is_empty() {
        println!("调用统计汇总与审计日志一致 (call counts agree with the log)");
    }
    for d in &counts {
        broken = true;
        println!(
            "调用统计汇总与审计日志不符 (call counts differ from the log)：{} 时（UTC），机构 {}，资源 {}，结果 {}：汇总 {} 次 / {} 行，日志 {} 次 / {} 行",
            d.hour,
            d.org_id,
            d.resource_code,
            d.outcome,
            d.kept.0,
            d.kept.1,
            d.logged.0,
            d.logged.1
        );
    }
    // So are the visits counted under grants, which quotas are enforced from.
    let visits = store.check_grant_visits().await?;
    if visits.is_empty() {
        println!("授权访问计数与审计日志一致 (grant visit counts agree with the log)");
    }
    for d in &visits {
        broken = true;
        println!(
            "授权访问计数与审计日志不符 (grant visits differ from the log)：授权 {}，节点 {}，{}：计数 {} 次，日志 {} 次",
            d.grant_id, d.node_id, d.day, d.kept, d.logged
        );
    }
    Ok(if broken {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
