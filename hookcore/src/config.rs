//! Configuration: a plain struct with a builder, `Default`, and [`Config::from_env`].

use std::time::Duration;

use ipnet::IpNet;

use crate::CachePolicy;
use crate::ranges::parse_net;

/// GitHub's own limit on a delivery's body: 25 MiB.
pub const GITHUB_MAX_BODY: usize = 25 * 1024 * 1024;

/// Where GitHub.com publishes its hook ranges.
pub const GITHUB_META_URL: &str = "https://api.github.com/meta";

/// A webhook secret. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// The secret's bytes, as HMAC keys them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.as_bytes().to_vec())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s.into_bytes())
    }
}

impl From<&[u8]> for Secret {
    fn from(s: &[u8]) -> Self {
        Self(s.to_vec())
    }
}

impl From<Vec<u8>> for Secret {
    fn from(s: Vec<u8>) -> Self {
        Self(s)
    }
}

/// How deliveries are checked. Build one with [`Config::builder`], [`Config::from_env`], or
/// `Config::default()` and field assignment; [`Receiver::new`](crate::Receiver::new) checks
/// that it is coherent.
///
/// | field | environment variable | default |
/// |---|---|---|
/// | `secrets` | `GITHUB_WEBHOOKS_KEY` (one secret) | none |
/// | `validate_signature` | `VALIDATE_SIGNATURE` | `true` |
/// | `validate_ip` | `VALIDATE_IP` | `true` |
/// | `require_sha256` | | `false` |
/// | `max_body` | `HOOKS_MAX_BODY` | 25 MiB |
/// | `meta_url` | `GITHUB_META_URL` | `https://api.github.com/meta` |
/// | `allowed_ranges` | | fetched from `meta_url` |
/// | `trusted_proxies` | `TRUSTED_PROXIES` | none |
/// | `path` | `HOOKS_PATH` | `/hooks` |
///
/// ```
/// use hookcore::Config;
/// let config = Config::builder()
///     .secret("new secret")
///     .secret("old secret") // both verify while the hook is switched over
///     .trusted_proxy("10.0.0.0/8".parse().unwrap())
///     .build()
///     .unwrap();
/// assert!(!format!("{config:?}").contains("secret\""));
/// assert!(config.validate_ip);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Secrets a signature may be made with; any one verifies (to rotate without downtime).
    pub secrets: Vec<Secret>,
    /// Check the HMAC signature of every delivery.
    pub validate_signature: bool,
    /// Check that the client address lies in GitHub's hook ranges.
    pub validate_ip: bool,
    /// Refuse deliveries that carry only the legacy sha1 `X-Hub-Signature`.
    pub require_sha256: bool,
    /// The largest body accepted, in bytes.
    pub max_body: usize,
    /// Where the hook ranges are fetched from.
    pub meta_url: String,
    /// A fixed list of allowed ranges, used instead of fetching `meta_url`.
    pub allowed_ranges: Option<Vec<IpNet>>,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// The path the hook is served on.
    pub path: String,
    /// How fetched ranges are cached.
    pub ranges_cache: CachePolicy,
    /// The longest a fetch of the meta document may take.
    pub meta_timeout: Duration,
    /// Bodies at least this large are verified on a blocking thread by the adapters, so small
    /// deliveries are not held up behind them (default 1 MiB).
    pub blocking_threshold: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            validate_signature: true,
            validate_ip: true,
            require_sha256: false,
            max_body: GITHUB_MAX_BODY,
            meta_url: GITHUB_META_URL.to_owned(),
            allowed_ranges: None,
            trusted_proxies: Vec::new(),
            path: "/hooks".to_owned(),
            ranges_cache: CachePolicy::default(),
            meta_timeout: Duration::from_secs(10),
            blocking_threshold: 1024 * 1024,
        }
    }
}

/// A configuration that cannot work, or an environment variable that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Signatures are checked but no secret is set.
    #[error(
        "GITHUB_WEBHOOKS_KEY: no webhook secret is set, but signature validation \
         (VALIDATE_SIGNATURE) is on"
    )]
    NoSecret,
    /// A secret is empty.
    #[error("GITHUB_WEBHOOKS_KEY: a webhook secret is empty")]
    EmptySecret,
    /// `max_body` is zero.
    #[error("HOOKS_MAX_BODY: the body limit must be at least 1 byte")]
    ZeroMaxBody,
    /// The hook path is not an absolute path.
    #[error("HOOKS_PATH: {0:?} is not a path starting with '/' (without query or spaces)")]
    Path(String),
    /// The meta URL is not an http(s) URL.
    #[error("GITHUB_META_URL: {0:?} is not an http:// or https:// URL")]
    MetaUrl(String),
    /// An environment variable's value does not parse.
    #[error("{var}: {reason}")]
    Env {
        /// The variable.
        var: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
}

impl Config {
    /// A builder starting from the defaults.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Reads the configuration from the process environment (see the table on [`Config`]).
    ///
    /// Booleans accept `true/false/1/0/yes/no/on/off` in any case. A value that does not
    /// parse, or signature validation with no (or an empty) `GITHUB_WEBHOOKS_KEY`, is an error
    /// naming the variable: there is no silent fallback.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|var| std::env::var_os(var).map(|v| v.into_string()))
    }

    /// Like [`Config::from_env`], reading variables through `lookup` (`None`: unset;
    /// `Some(Err(_))`: set but not UTF-8).
    pub fn from_lookup<F, E>(lookup: F) -> Result<Self, ConfigError>
    where
        F: Fn(&str) -> Option<Result<String, E>>,
    {
        let get = |var: &'static str| -> Result<Option<String>, ConfigError> {
            match lookup(var) {
                None => Ok(None),
                Some(Ok(v)) => Ok(Some(v)),
                Some(Err(_)) => Err(env_error(var, "is not valid UTF-8")),
            }
        };
        let mut config = Config::default();
        if let Some(key) = get("GITHUB_WEBHOOKS_KEY")?.filter(|k| !k.is_empty()) {
            config.secrets.push(Secret::from(key));
        }
        if let Some(v) = get("VALIDATE_SIGNATURE")? {
            config.validate_signature = parse_bool("VALIDATE_SIGNATURE", &v)?;
        }
        if let Some(v) = get("VALIDATE_IP")? {
            config.validate_ip = parse_bool("VALIDATE_IP", &v)?;
        }
        if let Some(v) = get("GITHUB_META_URL")? {
            config.meta_url = v.trim().to_owned();
        }
        if let Some(v) = get("TRUSTED_PROXIES")? {
            config.trusted_proxies = parse_proxies(&v)?;
        }
        if let Some(v) = get("HOOKS_PATH")? {
            config.path = v;
        }
        if let Some(v) = get("HOOKS_MAX_BODY")? {
            config.max_body = v.trim().parse().map_err(|_| {
                env_error("HOOKS_MAX_BODY", format!("{v:?} is not a number of bytes"))
            })?;
        }
        config.validate()?;
        Ok(config)
    }

    /// Checks that the configuration can work.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.validate_signature && self.secrets.is_empty() {
            return Err(ConfigError::NoSecret);
        }
        if self.secrets.iter().any(|s| s.0.is_empty()) {
            return Err(ConfigError::EmptySecret);
        }
        if self.max_body == 0 {
            return Err(ConfigError::ZeroMaxBody);
        }
        let path_ok = self.path.starts_with('/')
            && !self
                .path
                .bytes()
                .any(|b| b == b'?' || b == b'#' || b.is_ascii_whitespace() || b.is_ascii_control());
        if !path_ok {
            return Err(ConfigError::Path(self.path.clone()));
        }
        if self.validate_ip && self.allowed_ranges.is_none() && !is_http_url(&self.meta_url) {
            return Err(ConfigError::MetaUrl(self.meta_url.clone()));
        }
        Ok(())
    }
}

fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://"].iter().any(|scheme| {
        lower
            .strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
    }) && !url.bytes().any(|b| b.is_ascii_whitespace())
}

fn env_error(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Env {
        var,
        reason: reason.into(),
    }
}

fn parse_bool(var: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(env_error(
            var,
            format!("{value:?} is not a boolean (true/false/1/0/yes/no/on/off)"),
        )),
    }
}

fn parse_proxies(value: &str) -> Result<Vec<IpNet>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            parse_net(e, true).ok_or_else(|| {
                env_error(
                    "TRUSTED_PROXIES",
                    format!("{e:?} is not an IP address or CIDR"),
                )
            })
        })
        .collect()
}

/// Builds a [`Config`]; [`ConfigBuilder::build`] checks it.
#[derive(Debug, Clone, Default)]
pub struct ConfigBuilder(Config);

impl ConfigBuilder {
    /// Adds a secret (call it again to accept several while rotating).
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.0.secrets.push(secret.into());
        self
    }

    /// Whether signatures are checked (default true).
    pub fn validate_signature(mut self, on: bool) -> Self {
        self.0.validate_signature = on;
        self
    }

    /// Whether the source address is checked (default true).
    pub fn validate_ip(mut self, on: bool) -> Self {
        self.0.validate_ip = on;
        self
    }

    /// Whether the legacy sha1 signature alone is refused (default false).
    pub fn require_sha256(mut self, on: bool) -> Self {
        self.0.require_sha256 = on;
        self
    }

    /// The largest body accepted (default 25 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.0.max_body = bytes;
        self
    }

    /// Where the hook ranges are fetched from.
    pub fn meta_url(mut self, url: impl Into<String>) -> Self {
        self.0.meta_url = url.into();
        self
    }

    /// A fixed list of allowed ranges instead of fetching them.
    pub fn allowed_ranges(mut self, ranges: impl IntoIterator<Item = IpNet>) -> Self {
        self.0.allowed_ranges = Some(ranges.into_iter().collect());
        self
    }

    /// Adds a proxy range whose forwarding headers are believed.
    pub fn trusted_proxy(mut self, net: IpNet) -> Self {
        self.0.trusted_proxies.push(net);
        self
    }

    /// The hook path (default `/hooks`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.0.path = path.into();
        self
    }

    /// How fetched ranges are cached.
    pub fn ranges_cache(mut self, policy: CachePolicy) -> Self {
        self.0.ranges_cache = policy;
        self
    }

    /// The longest a meta fetch may take (default 10 s).
    pub fn meta_timeout(mut self, timeout: Duration) -> Self {
        self.0.meta_timeout = timeout;
        self
    }

    /// Bodies from this size on are verified on a blocking thread (default 1 MiB).
    pub fn blocking_threshold(mut self, bytes: usize) -> Self {
        self.0.blocking_threshold = bytes;
        self
    }

    /// The configuration, if it can work.
    pub fn build(self) -> Result<Config, ConfigError> {
        self.0.validate()?;
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned().map(Ok::<_, ()>))
    }

    fn failing_var(pairs: &[(&str, &str)]) -> String {
        env(pairs).unwrap_err().to_string()
    }

    #[test]
    fn defaults() {
        let c = env(&[("GITHUB_WEBHOOKS_KEY", "k")]).unwrap();
        assert!(c.validate_signature && c.validate_ip && !c.require_sha256);
        assert_eq!(c.max_body, 26_214_400);
        assert_eq!(c.meta_url, "https://api.github.com/meta");
        assert_eq!(c.path, "/hooks");
        assert!(c.trusted_proxies.is_empty());
        assert_eq!(c.ranges_cache.ttl, Duration::from_secs(3600));
    }

    #[test]
    fn booleans_in_every_spelling() {
        for (text, value) in [
            ("true", true),
            ("TRUE", true),
            ("1", true),
            ("yes", true),
            ("On", true),
            ("false", false),
            ("False", false),
            ("0", false),
            ("no", false),
            ("OFF", false),
        ] {
            let c = env(&[
                ("VALIDATE_IP", text),
                ("VALIDATE_SIGNATURE", text),
                ("GITHUB_WEBHOOKS_KEY", "k"),
            ])
            .unwrap();
            assert_eq!(
                (c.validate_ip, c.validate_signature),
                (value, value),
                "{text}"
            );
        }
        for bad in ["", "maybe", "2", "truee", "y"] {
            let msg = failing_var(&[("VALIDATE_IP", bad), ("GITHUB_WEBHOOKS_KEY", "k")]);
            assert!(msg.starts_with("VALIDATE_IP:"), "{msg}");
            let msg = failing_var(&[("VALIDATE_SIGNATURE", bad), ("GITHUB_WEBHOOKS_KEY", "k")]);
            assert!(msg.starts_with("VALIDATE_SIGNATURE:"), "{msg}");
        }
    }

    #[test]
    fn signature_validation_needs_a_secret() {
        assert!(failing_var(&[]).starts_with("GITHUB_WEBHOOKS_KEY:"));
        assert!(failing_var(&[("GITHUB_WEBHOOKS_KEY", "")]).starts_with("GITHUB_WEBHOOKS_KEY:"));
        assert!(env(&[("VALIDATE_SIGNATURE", "off")]).is_ok());
        assert!(Config::builder().build().is_err());
        assert_eq!(
            Config::builder().secret("").build().unwrap_err(),
            ConfigError::EmptySecret
        );
    }

    #[test]
    fn numbers_paths_urls_and_proxies() {
        let k = ("GITHUB_WEBHOOKS_KEY", "k");
        assert_eq!(
            env(&[k, ("HOOKS_MAX_BODY", "1024")]).unwrap().max_body,
            1024
        );
        for bad in ["", "-1", "1.5", "25MB", "0", "99999999999999999999999"] {
            let msg = failing_var(&[k, ("HOOKS_MAX_BODY", bad)]);
            assert!(msg.starts_with("HOOKS_MAX_BODY:"), "{bad}: {msg}");
        }
        assert_eq!(
            env(&[k, ("HOOKS_PATH", "/gh/hooks")]).unwrap().path,
            "/gh/hooks"
        );
        for bad in ["", "hooks", "/a b", "/a?b"] {
            assert!(
                failing_var(&[k, ("HOOKS_PATH", bad)]).starts_with("HOOKS_PATH:"),
                "{bad}"
            );
        }
        let c = env(&[k, ("GITHUB_META_URL", "https://ghe.example/api/v3/meta")]).unwrap();
        assert_eq!(c.meta_url, "https://ghe.example/api/v3/meta");
        for bad in ["", "ftp://x", "localhost:1/meta", "http://"] {
            let msg = failing_var(&[k, ("GITHUB_META_URL", bad)]);
            assert!(msg.starts_with("GITHUB_META_URL:"), "{bad}: {msg}");
        }
        // With IP checks off, the meta URL is never used, so it is not judged.
        assert!(env(&[k, ("VALIDATE_IP", "0"), ("GITHUB_META_URL", "x")]).is_ok());
        let c = env(&[k, ("TRUSTED_PROXIES", " 10.0.0.0/8, 127.0.0.1 ,::1,")]).unwrap();
        let shown: Vec<String> = c.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
        assert!(
            env(&[k, ("TRUSTED_PROXIES", "")])
                .unwrap()
                .trusted_proxies
                .is_empty()
        );
        let msg = failing_var(&[k, ("TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")]);
        assert!(
            msg.starts_with("TRUSTED_PROXIES:") && msg.contains("proxy.local"),
            "{msg}"
        );
    }

    #[test]
    fn non_utf8_values_are_named() {
        let err = Config::from_lookup(|k| (k == "VALIDATE_IP").then_some(Err::<String, ()>(())))
            .unwrap_err();
        assert!(err.to_string().starts_with("VALIDATE_IP:"));
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let c = Config::builder()
            .secret("hunter2-very-secret")
            .build()
            .unwrap();
        let shown = format!(
            "{c:?} {:?}",
            Config::builder().secret("hunter2-very-secret")
        );
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
