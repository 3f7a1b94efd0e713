//! Fetching GitHub's meta document with a blocking `ureq` client (feature `meta`).

use std::time::Duration;

use crate::{FetchRanges, IpRanges, MetaError, parse_meta};

/// The longest a fetch may take, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest meta document read (GitHub's is about 200 KiB).
const MAX_DOCUMENT: u64 = 16 * 1024 * 1024;

/// Fetches the `hooks` ranges from a meta URL (`https://api.github.com/meta`, or
/// `https://HOST/api/v3/meta` for GitHub Enterprise). Blocking, with a 10 s limit on the
/// whole exchange: call it off any async executor.
///
/// An unreachable server, a timeout, an HTTP error status, garbage, or a document without a
/// `hooks` list of CIDRs are each a typed [`MetaError`].
pub fn load_github_hooks(url: &str) -> Result<IpRanges, MetaError> {
    MetaFetcher::new(url, DEFAULT_TIMEOUT).fetch()
}

/// A reusable fetcher of one meta URL, with connection reuse and a timeout.
pub struct MetaFetcher {
    agent: ureq::Agent,
    url: String,
}

impl MetaFetcher {
    /// A fetcher of `url` that gives up after `timeout` (connecting included).
    pub fn new(url: impl Into<String>, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("hookcore/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Self {
            agent,
            url: url.into(),
        }
    }
}

impl FetchRanges for MetaFetcher {
    fn fetch(&self) -> Result<IpRanges, MetaError> {
        let transport = |e: ureq::Error| MetaError::Transport(e.to_string());
        let mut response = self
            .agent
            .get(&self.url)
            .header("Accept", "application/json")
            .call()
            .map_err(transport)?;
        if !response.status().is_success() {
            return Err(MetaError::Http(response.status().as_u16()));
        }
        let document = response
            .body_mut()
            .with_config()
            .limit(MAX_DOCUMENT)
            .read_to_vec()
            .map_err(transport)?;
        parse_meta(&document)
    }
}

impl std::fmt::Debug for MetaFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetaFetcher")
            .field("url", &self.url)
            .finish()
    }
}
