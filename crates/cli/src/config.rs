//! Configuration in layers: defaults → TOML file → `GOVSHARE_*` environment →
//! command-line flags. The database URL's password never appears when printed.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/DB`; when not given,
    /// `govshare.db` in the data directory.
    pub database_url: String,
    /// Address the server listens on.
    pub listen: String,
    /// Where local files live (the search index).
    pub data_dir: PathBuf,
    /// How long a sign-in lasts, in hours.
    pub session_hours: i64,
    /// Log filter, e.g. `info` or `govshare=debug`.
    pub log: String,
    /// This node's name in the audit log: each node of a cluster keeps its own chain,
    /// so every node needs its own name.
    pub node_id: String,
    /// Sharing API calls one app may make per second on this node (429 past it).
    pub app_calls_per_second: u32,
    /// Audit entries journaled but not yet taken by the database beyond which data
    /// calls fail closed.
    pub audit_backlog: u64,
    /// Queries one app may make a day that test a value of an item it reads masked.
    pub probe_limit_per_day: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: String::new(),
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("govshare-data"),
            session_hours: 12,
            log: "info".into(),
            node_id: "node-1".into(),
            app_calls_per_second: 2000,
            audit_backlog: 1_000_000,
            probe_limit_per_day: 1000,
        }
    }
}

/// Hides the password of a URL such as `postgres://u:secret@h/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("session_hours", &self.session_hours)
            .field("log", &self.log)
            .field("node_id", &self.node_id)
            .field("app_calls_per_second", &self.app_calls_per_second)
            .field("audit_backlog", &self.audit_backlog)
            .field("probe_limit_per_day", &self.probe_limit_per_day)
            .finish()
    }
}

/// Values given on the command line (highest precedence).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Overrides {
    /// Configuration file (default: ./govshare.toml when it exists).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Database URL (sqlite://PATH or postgres://...).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Listen address, e.g. 127.0.0.1:8080.
    #[arg(long, global = true)]
    pub listen: Option<String>,
    /// Data directory.
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
}

impl Config {
    /// Builds the configuration from all layers; `env` is the process environment.
    pub fn load(o: &Overrides, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let mut c = match &o.config {
            Some(path) => Config::from_file(path)?,
            None if Path::new("govshare.toml").exists() => {
                Config::from_file(Path::new("govshare.toml"))?
            }
            None => Config::default(),
        };
        if let Some(v) = env("GOVSHARE_DATABASE_URL") {
            c.database_url = v;
        }
        if let Some(v) = env("GOVSHARE_LISTEN") {
            c.listen = v;
        }
        if let Some(v) = env("GOVSHARE_DATA_DIR") {
            c.data_dir = v.into();
        }
        let number = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| anyhow::anyhow!("{name} 应为非负整数：{v}"))
        };
        if let Some(v) = env("GOVSHARE_SESSION_HOURS") {
            c.session_hours = number("GOVSHARE_SESSION_HOURS", v)?
                .try_into()
                .unwrap_or(i64::MAX);
        }
        if let Some(v) = env("GOVSHARE_LOG") {
            c.log = v;
        }
        if let Some(v) = env("GOVSHARE_NODE_ID") {
            c.node_id = v;
        }
        if let Some(v) = env("GOVSHARE_APP_CALLS_PER_SECOND") {
            c.app_calls_per_second = number("GOVSHARE_APP_CALLS_PER_SECOND", v)?
                .try_into()
                .unwrap_or(u32::MAX);
        }
        if let Some(v) = env("GOVSHARE_AUDIT_BACKLOG") {
            c.audit_backlog = number("GOVSHARE_AUDIT_BACKLOG", v)?;
        }
        if let Some(v) = env("GOVSHARE_PROBE_LIMIT_PER_DAY") {
            c.probe_limit_per_day = number("GOVSHARE_PROBE_LIMIT_PER_DAY", v)?;
        }
        if let Some(v) = &o.database_url {
            c.database_url = v.clone();
        }
        if let Some(v) = &o.listen {
            c.listen = v.clone();
        }
        if let Some(v) = &o.data_dir {
            c.data_dir = v.clone();
        }
        if c.database_url.is_empty() {
            c.database_url = format!("sqlite://{}", c.data_dir.join("govshare.db").display());
        }
        if !(1..=24 * 30).contains(&c.session_hours) {
            anyhow::bail!("session_hours 应在1到720之间");
        }
        if !(1..=1_000_000).contains(&c.app_calls_per_second) {
            anyhow::bail!("app_calls_per_second 应在1到1000000之间");
        }
        if !(1..=10_000_000).contains(&c.probe_limit_per_day) {
            anyhow::bail!("probe_limit_per_day 应在1到10000000之间");
        }
        if !(1..=100_000_000).contains(&c.audit_backlog) {
            anyhow::bail!("audit_backlog 应在1到100000000之间");
        }
        let node_ok = |n: &str| {
            (1..=64).contains(&n.len())
                && n.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
        };
        if !node_ok(&c.node_id) {
            anyhow::bail!("node_id 应为1到64个字母、数字或 - _ .：{}", c.node_id);
        }
        Ok(c)
    }

    fn from_file(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("无法读取配置文件 {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("配置文件 {} 有误: {e}", path.display()))
    }

    /// This node's audit signing key: in the data directory, named for the node.
    pub fn audit_key_file(&self) -> PathBuf {
        self.data_dir.join(format!("audit-{}.key", self.node_id))
    }

    /// This node's audit journal: in the data directory, named for the node.
    pub fn audit_journal_dir(&self) -> PathBuf {
        self.data_dir
            .join(format!("audit-{}.journal", self.node_id))
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("search-index")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order_and_secrets_are_hidden() {
        let dir = std::env::temp_dir().join(format!("govshare_cfg_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("g.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nsession_hours = 4\ndatabase_url = \"postgres://gs:topsecret@db/gs\"\n").unwrap();
        let o = Overrides {
            config: Some(file.clone()),
            listen: Some("127.0.0.1:1".into()),
            ..Default::default()
        };
        let env = |k: &str| (k == "GOVSHARE_SESSION_HOURS").then(|| "8".to_string());
        let c = Config::load(&o, env).unwrap();
        assert_eq!((c.listen.as_str(), c.session_hours), ("127.0.0.1:1", 8));
        let printed = format!("{c:?}");
        assert!(
            !printed.contains("topsecret") && printed.contains("gs:***@db"),
            "{printed}"
        );
        std::fs::write(&file, "listen = 1\n").unwrap();
        assert!(Config::load(&o, |_| None).is_err());
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        assert!(
            Config::load(&o, |_| None)
                .unwrap_err()
                .to_string()
                .contains("lisen")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn numbers_from_the_environment_are_checked_and_named() {
        let o = Overrides::default();
        let with =
            |k: &'static str, v: &'static str| move |name: &str| (name == k).then(|| v.to_string());
        let c = Config::load(&o, with("GOVSHARE_AUDIT_BACKLOG", "5000")).unwrap();
        assert_eq!(c.audit_backlog, 5000);
        for (k, v, named) in [
            ("GOVSHARE_AUDIT_BACKLOG", "0", "audit_backlog"),
            ("GOVSHARE_AUDIT_BACKLOG", "-1", "GOVSHARE_AUDIT_BACKLOG"),
            (
                "GOVSHARE_SESSION_HOURS",
                "99999999999999999999",
                "GOVSHARE_SESSION_HOURS",
            ),
            (
                "GOVSHARE_APP_CALLS_PER_SECOND",
                "9999999999",
                "app_calls_per_second",
            ),
        ] {
            let err = Config::load(&o, with(k, v)).unwrap_err().to_string();
            assert!(err.contains(named), "{k}={v}: {err}");
        }
    }
}
