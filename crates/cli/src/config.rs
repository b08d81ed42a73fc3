//! Configuration in layers: defaults → TOML file → `GOVSHARE_*` environment →
//! command-line flags. The database URL's password never appears when printed.

use figment::providers::Serialized;
use figment::value::{Dict, Map};
use figment::{Figment, Metadata, Profile, Provider};
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

/// Every setting, by its key in the file (the environment's name is `GOVSHARE_` and
/// the key in capitals).
const SETTINGS: &[&str] = &[
    "database_url",
    "listen",
    "data_dir",
    "session_hours",
    "log",
    "node_id",
    "app_calls_per_second",
    "audit_backlog",
    "probe_limit_per_day",
];

/// One layer of settings with the name it is reported by.
struct Layer {
    name: String,
    values: Dict,
}

impl Layer {
    /// The TOML file (read here, so that a file that cannot be read is named).
    fn file(path: &Path) -> anyhow::Result<Layer> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("无法读取配置文件 {}: {e}", path.display()))?;
        let table: toml::Table = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("配置文件 {} 有误: {e}", path.display()))?;
        let values = Figment::from(Serialized::defaults(table))
            .extract::<Dict>()
            .map_err(|e| anyhow::anyhow!("配置文件 {} 有误: {e}", path.display()))?;
        let layer = Layer {
            name: format!("配置文件 {}", path.display()),
            values,
        };
        // A mistake in the file stops the start even where a higher layer overrides
        // the setting: the file is checked on its own first.
        Figment::from(Serialized::defaults(Config::default()))
            .merge(&layer)
            .extract::<Config>()
            .map_err(|e| anyhow::anyhow!("配置文件 {} 有误：{}", path.display(), describe(e)))?;
        Ok(layer)
    }

    /// One environment variable, read as a value (`8` is a number, `a` text).
    fn variable(name: String, key: &str, value: &str) -> Layer {
        let value = value
            .parse()
            .unwrap_or_else(|never: std::convert::Infallible| match never {});
        Layer {
            name: format!("环境变量 {name}"),
            values: Dict::from([(key.to_string(), value)]),
        }
    }

    /// The flags given on the command line.
    fn flags(o: &Overrides) -> Layer {
        let mut values = Dict::new();
        let mut set = |key: &str, v: Option<String>| {
            if let Some(v) = v {
                values.insert(key.to_string(), v.into());
            }
        };
        set("database_url", o.database_url.clone());
        set("listen", o.listen.clone());
        set(
            "data_dir",
            o.data_dir.as_ref().map(|d| d.display().to_string()),
        );
        Layer {
            name: "命令行参数".into(),
            values,
        }
    }
}

/// What went wrong, with the setting and the layer it came from when figment knows them.
fn describe(e: figment::Error) -> String {
    let key = e
        .path
        .iter()
        .filter(|p| *p != "default")
        .cloned()
        .collect::<Vec<_>>()
        .join(".");
    let mut text = e.kind.to_string();
    if !key.is_empty() {
        text.push_str(&format!("（设置 {key}）"));
    }
    if let Some(source) = e.metadata.as_ref() {
        text.push_str(&format!("，来自{}", source.name));
    }
    text
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name.clone())
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Map::from([(Profile::Default, self.values.clone())]))
    }
}

impl Config {
    /// Builds the configuration from all layers (merged and typed by figment, so an
    /// error names the setting and the layer it came from); `env` is the process
    /// environment.
    pub fn load(o: &Overrides, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let mut layers = Figment::from(Serialized::defaults(Config::default()));
        let file = o.config.clone().or_else(|| {
            let default = Path::new("govshare.toml");
            default.exists().then(|| default.to_path_buf())
        });
        if let Some(path) = file {
            layers = layers.merge(Layer::file(&path)?);
        }
        for key in SETTINGS {
            let name = format!("GOVSHARE_{}", key.to_uppercase());
            if let Some(value) = env(&name) {
                layers = layers.merge(Layer::variable(name, key, &value));
            }
        }
        layers = layers.merge(Layer::flags(o));
        let mut c: Config = layers
            .extract()
            .map_err(|e| anyhow::anyhow!("{}", describe(e)))?;
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
