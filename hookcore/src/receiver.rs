//! The receiver: a configuration made ready to check requests, step by step in the contract's
//! order, for any server.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::headers::Seen;
use crate::signature::{Claimed, Keys};
use crate::{Config, ConfigError, Delivery, Error, FetchRanges, Incoming, IpRanges, RangeCache};

/// How an adapter runs blocking work off its async executor (tokio's `spawn_blocking`,
/// actix-web's `web::block`). `None` means the work did not come back (it panicked or was
/// cancelled).
pub trait Blocking {
    /// Runs `work` on a thread where blocking is allowed.
    fn run<T, F>(work: F) -> impl Future<Output = Option<T>> + Send
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;
}

/// Checks webhook requests against a [`Config`].
///
/// The steps, in the order the first failing one decides:
/// 1. [`Receiver::check_route`]: `POST` on the hook path, or 404 / 405;
/// 2. [`Receiver::check_source`]: the client address against GitHub's hook ranges (403, 503);
/// 3. [`Receiver::begin`] and [`Incoming::push`]: the body size (413);
/// 4. [`Incoming::finish`]: signature, headers, content type and JSON (400, 415).
///
/// [`Receiver::verify`] runs steps 3 and 4 on a body already in memory.
///
/// ```
/// use hookcore::{Config, Receiver, sign_sha256};
///
/// let rx = Receiver::new(Config::builder().secret("s3cret").validate_ip(false).build()?)?;
/// let body = br#"{"action":"opened","issue":{"number":7}}"#;
/// let request = http::Request::post("/hooks")
///     .header("X-Hub-Signature-256", sign_sha256(b"s3cret", body))
///     .header("X-GitHub-Event", "issues")
///     .header("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
///     .body(bytes::Bytes::from_static(body))?;
///
/// rx.check_route(request.method(), request.uri().path())?;
/// let delivery = rx.verify(request.headers(), request.body().clone())?;
/// assert_eq!((delivery.event(), delivery.action()), ("issues", Some("opened")));
/// assert_eq!(delivery.payload()["issue"]["number"], 7);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Receiver {
    config: Config,
    keys: Keys,
    trusted: IpRanges,
    ranges: Arc<RangeCache>,
}

impl Receiver {
    /// A receiver for `config`. The hook ranges are `config.allowed_ranges` when given, else
    /// fetched from `config.meta_url` (feature `meta`) when first needed.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        let cache = match &config.allowed_ranges {
            Some(nets) => RangeCache::fixed(nets.iter().copied().collect()),
            None => RangeCache::new(default_fetcher(&config), config.ranges_cache),
        };
        Self::with_ranges(config, cache)
    }

    /// A receiver whose hook ranges come from `fetcher` (a test double, another source).
    pub fn with_fetcher(config: Config, fetcher: impl FetchRanges) -> Result<Self, ConfigError> {
        let cache = RangeCache::new(fetcher, config.ranges_cache);
        Self::with_ranges(config, cache)
    }

    fn with_ranges(config: Config, cache: RangeCache) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            keys: Keys::new(config.secrets.iter().map(|s| s.expose())),
            trusted: config.trusted_proxies.iter().copied().collect(),
            ranges: Arc::new(cache),
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The cache of GitHub's hook ranges.
    pub fn ranges(&self) -> &Arc<RangeCache> {
        &self.ranges
    }

    /// Step 1: only `POST` on the hook path (a query string is not part of `path`).
    pub fn check_route(&self, method: &Method, path: &str) -> Result<(), Error> {
        if path != self.config.path {
            return Err(Error::NotFound);
        }
        self.check_method(method)
    }

    /// Step 1 for a route the framework has already matched: only `POST` (`HEAD` is 405 too).
    pub fn check_method(&self, method: &Method) -> Result<(), Error> {
        if method == Method::POST {
            Ok(())
        } else {
            Err(Error::MethodNotAllowed)
        }
    }

    /// The client address to check, or `None` when source checks are off. `peer` is the TCP
    /// peer's address; see [`client_ip`](crate::client_ip) for the forwarding rules.
    pub fn source_ip(
        &self,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
    ) -> Result<Option<IpAddr>, Error> {
        if !self.config.validate_ip {
            return Ok(None);
        }
        let peer = peer.ok_or(Error::PeerAddressUnknown)?;
        crate::client_ip(peer, headers, &self.trusted).map(Some)
    }

    /// Step 2, for async servers: the client address must lie in the hook ranges. When the
    /// ranges must be fetched first, the fetch runs through `B`, off the executor.
    pub async fn check_source<B: Blocking>(
        &self,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
    ) -> Result<(), Error> {
        let Some(ip) = self.source_ip(peer, headers)? else {
            return Ok(());
        };
        let ranges = match self.ranges.cached() {
            Some(ranges) => ranges,
            None => {
                let cache = self.ranges.clone();
                B::run(move || cache.load())
                    .await
                    .ok_or(Error::Internal)?
                    .map_err(Error::RangesUnavailable)?
            }
        };
        allow(&ranges, ip)
    }

    /// Step 2, for blocking servers: like [`Receiver::check_source`], fetching on this thread.
    pub fn check_source_blocking(
        &self,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
    ) -> Result<(), Error> {
        let Some(ip) = self.source_ip(peer, headers)? else {
            return Ok(());
        };
        let ranges = self.ranges.load().map_err(Error::RangesUnavailable)?;
        allow(&ranges, ip)
    }

    /// Step 3 begins: reads the headers and returns the delivery to feed the body into. A
    /// `Content-Length` over the limit fails here, before any body is read.
    pub fn begin(&self, headers: &HeaderMap) -> Result<Incoming, Error> {
        let seen = Seen::read(headers);
        let signature = self.config.validate_signature.then(|| {
            Claimed::from_headers(&seen, self.config.require_sha256).map(|c| self.keys.start(c))
        });
        Incoming::new(&seen, self.config.max_body, signature)
    }

    /// Steps 3 and 4 on a whole body: size, signature, headers, content type, JSON.
    pub fn verify(&self, headers: &HeaderMap, body: Bytes) -> Result<Delivery, Error> {
        let mut incoming = self.begin(headers)?;
        incoming.push_bytes(body)?;
        incoming.finish()
    }

    /// Steps 2 to 4 for async servers, the whole of what an adapter does between routing and
    /// dispatch: [`Receiver::check_source`], [`Receiver::begin`], each body chunk that
    /// `next_chunk` polls out of the framework's body stream into [`Incoming::push_bytes`]
    /// (stopping at the limit), then [`Receiver::finish`]. A body stream error is
    /// [`Error::BodyRead`].
    pub async fn receive<B, E>(
        &self,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
        mut next_chunk: impl FnMut(&mut Context<'_>) -> Poll<Option<Result<Bytes, E>>>,
    ) -> Result<Delivery, Error>
    where
        B: Blocking,
    {
        self.check_source::<B>(peer, headers).await?;
        // A block, so that the `Incoming`'s room in this future is free again (for the
        // finishing future) once it has been handed on.
        let finishing = {
            let mut incoming = self.begin(headers)?;
            while let Some(chunk) = std::future::poll_fn(&mut next_chunk).await {
                incoming.push_bytes(chunk.map_err(|_| Error::BodyRead)?)?;
            }
            self.finish::<B>(incoming)
        };
        finishing.await
    }

    /// Step 4 for async servers: [`Incoming::finish`], moved to a blocking thread through `B`
    /// when the body is at least `config.blocking_threshold` bytes, so that small deliveries
    /// are not held up behind the JSON pass over a large one. A smaller body is finished at
    /// once, on this thread, when this is called.
    //
    // Not an `async fn`: one would keep the 500-byte `Incoming` in its state beside what it
    // awaits, making every future that awaits this one larger, and each move of them slower.
    pub fn finish<B: Blocking>(
        &self,
        incoming: Incoming,
    ) -> impl Future<Output = Result<Delivery, Error>> + Send + use<B> {
        let finished = if incoming.len() < self.config.blocking_threshold {
            Ok(incoming.finish())
        } else {
            Err(B::run(move || incoming.finish()))
        };
        async move {
            match finished {
                Ok(done) => done,
                Err(offloaded) => offloaded.await.ok_or(Error::Internal)?,
            }
        }
    }
}

fn allow(ranges: &IpRanges, ip: IpAddr) -> Result<(), Error> {
    if ranges.contains(ip) {
        Ok(())
    } else {
        Err(Error::SourceNotAllowed)
    }
}

#[cfg(feature = "meta")]
fn default_fetcher(config: &Config) -> impl FetchRanges {
    crate::MetaFetcher::new(config.meta_url.clone(), config.meta_timeout)
}

#[cfg(not(feature = "meta"))]
fn default_fetcher(_: &Config) -> impl FetchRanges {
    || Err(crate::MetaError::NoFetcher)
}
#[cfg(all(test, feature = "tokio"))]
mod tests {
    use super::*;

    /// Adapters keep this future in every in-flight request and move it as they compose
    /// theirs: it must hold the `Incoming` once, not once per await that handles it.
    #[test]
    fn a_receiving_future_holds_one_incoming() {
        let config = Config::builder().secret("s").validate_ip(false).build();
        let rx = Receiver::new(config.unwrap()).unwrap();
        let headers = HeaderMap::new();
        let none = |_: &mut Context<'_>| Poll::<Option<Result<Bytes, ()>>>::Ready(None);
        let receiving = rx.receive::<crate::TokioBlocking, ()>(None, &headers, none);
        let incoming = std::mem::size_of::<Incoming>();
        assert!(
            std::mem::size_of_val(&receiving) < incoming * 3 / 2,
            "{} bytes for a {incoming}-byte Incoming",
            std::mem::size_of_val(&receiving)
        );
        let finishing = rx.finish::<crate::TokioBlocking>(rx.begin(&headers).unwrap());
        assert!(std::mem::size_of_val(&finishing) < incoming);
    }
}
