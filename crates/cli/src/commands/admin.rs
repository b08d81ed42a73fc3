//! `govshare user add` and `govshare healthcheck`.

use crate::config::Config;
use govshare_domain::access::Role;
use govshare_store::Caller;
use govshare_store::org::users::NewUser;
use govshare_store::prelude::*;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create a user (the first bureau admin of a new installation, for example).
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// bureau_admin, org_admin or org_operator.
        #[arg(long)]
        role: String,
        /// Credit code of the user's organisation.
        #[arg(long)]
        org: String,
        /// The password; read from GOVSHARE_NEW_PASSWORD when absent.
        #[arg(long, env = "GOVSHARE_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

pub async fn user(command: UserCommand, config: Config) -> anyhow::Result<ExitCode> {
    let UserCommand::Add {
        username,
        name,
        role,
        org,
        password,
    } = command;
    let role = Role::parse(&role).ok_or_else(|| {
        anyhow::anyhow!("未知角色“{role}”，可选 bureau_admin、org_admin、org_operator")
    })?;
    govshare_domain::password::check_password(&username, &password)?;
    let store = super::open_store(&config).await?;
    let org_id = store.org_by_code(&org).await?.id;
    let password_hash =
        govshare_server::auth::hash_password(&password).map_err(anyhow::Error::msg)?;
    let user = store
        .create_user(
            &Caller::System("命令行".into()),
            NewUser {
                username,
                display_name: name,
                password_hash,
                role,
                org_id,
            },
        )
        .await?;
    println!("已创建用户 {} ({})", user.username, user.role.label());
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct InitArgs {
    /// The bureau's name, e.g. 重庆市大数据应用发展管理局.
    #[arg(long)]
    org_name: String,
    /// The bureau's unified social credit code (check digit verified).
    #[arg(long)]
    credit_code: String,
    /// GB/T 2260 region code of the city, e.g. 500000.
    #[arg(long)]
    region: String,
    /// provincial, city or county (default provincial, as for a municipality).
    #[arg(long, default_value = "provincial")]
    level: String,
    #[arg(long, default_value = "admin")]
    admin_username: String,
    #[arg(long, default_value = "大数据局管理员")]
    admin_name: String,
    /// The admin's password; read from GOVSHARE_NEW_PASSWORD when absent.
    #[arg(long, env = "GOVSHARE_NEW_PASSWORD", hide_env_values = true)]
    password: String,
}

pub async fn init(args: InitArgs, config: Config) -> anyhow::Result<ExitCode> {
    let level = govshare_domain::org::OrgLevel::parse(&args.level)
        .ok_or_else(|| anyhow::anyhow!("未知级别“{}”", args.level))?;
    let bureau = govshare_domain::org::OrgSpec {
        credit_code: args.credit_code,
        name: args.org_name,
        short_name: String::new(),
        kind: govshare_domain::org::OrgKind::Bureau,
        level,
        region_code: args.region,
        parent_code: None,
    };
    let store = super::open_store(&config).await?;
    let inst = govshare_server::install::Installation {
        bureau,
        admin_username: args.admin_username.clone(),
        admin_name: args.admin_name,
        admin_password: args.password,
    };
    let created = govshare_server::install::init_installation(&store, inst).await?;
    println!(
        "已登记大数据局并载入国家分类目录 (bureau registered, national classification loaded)"
    );
    if created {
        println!(
            "已创建管理员 {} (bureau admin created)",
            args.admin_username
        );
    } else {
        println!(
            "管理员 {} 已存在，密码未改变 (admin exists, password unchanged)",
            args.admin_username
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn healthcheck(url: Option<String>, config: Config) -> anyhow::Result<ExitCode> {
    let base = url.unwrap_or_else(|| format!("http://{}", config.listen));
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    match client.get(format!("{base}/healthz")).send().await {
        Ok(resp) if resp.status().is_success() => {
            println!("{}", resp.text().await.unwrap_or_default());
            Ok(ExitCode::SUCCESS)
        }
        Ok(resp) => {
            eprintln!("不健康 (unhealthy): HTTP {}", resp.status());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("无法连接 (unreachable) {base}: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
