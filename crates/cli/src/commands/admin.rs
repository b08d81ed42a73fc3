//! `govshare user add` and `govshare healthcheck`.

use crate::config::Config;
use govshare_domain::access::Role;
use govshare_store::Caller;
use govshare_store::repo::users::NewUser;
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
    if password.chars().count() < 8 {
        anyhow::bail!("密码至少8位");
    }
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
