//! A cache in front of the hook ranges: reuse a good copy, keep serving a stale one while a
//! refresh fails, fetch one at a time.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::{IpRanges, MetaError};

/// Where fresh ranges come from. Blocking: call it only off an async executor.
pub trait FetchRanges: Send + Sync + 'static {
    /// Fetches the ranges now.
    fn fetch(&self) -> Result<IpRanges, MetaError>;
}

impl<F> FetchRanges for F
where
    F: Fn() -> Result<IpRanges, MetaError> + Send + Sync + 'static,
{
    fn fetch(&self) -> Result<IpRanges, MetaError> {
        self()
    }
}

/// How long fetched ranges are trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// A good copy younger than this is used without asking again (default 1 hour).
    pub ttl: Duration,
    /// While refreshes fail, a good copy keeps serving until it is this much older than
    /// `ttl` (default 24 hours). After that, requests get 503 until a fetch succeeds.
    pub max_stale: Duration,
    /// After a failed refresh, a stale copy is served without trying again for this long
    /// (default 30 s). With no good copy at all, every request tries again.
    pub retry_after: Duration,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(3600),
            max_stale: Duration::from_secs(24 * 3600),
            retry_after: Duration::from_secs(30),
        }
    }
}

/// The hook ranges, fetched when needed and cached under a [`CachePolicy`], or given once.
///
/// [`RangeCache::cached`] answers from memory and never blocks on I/O; [`RangeCache::load`]
/// may fetch and so blocks: adapters call it on a blocking thread. One fetch runs at a time;
/// callers that arrive meanwhile wait for its outcome (or take a usable stale copy at once).
pub struct RangeCache {
    source: Source,
}

enum Source {
    /// Ranges given once for all ([`RangeCache::fixed`]): answered without a lock or the
    /// clock, so they also serve where `Instant::now` panics (wasm32-unknown-unknown).
    Fixed(Arc<IpRanges>),
    Fetched(Fetched),
}

/// Ranges that come from a fetcher, and what is known of its last fetches.
struct Fetched {
    fetcher: Box<dyn FetchRanges>,
    policy: CachePolicy,
    state: Mutex<State>,
    done: Condvar,
}

#[derive(Default)]
struct State {
    good: Option<(Arc<IpRanges>, Instant)>,
    fetching: bool,
    /// Counts finished fetches, so a waiter can tell that the one it waited for is over.
    round: u64,
    failure: Option<(MetaError, Instant)>,
}

impl RangeCache {
    /// A cache that fetches with `fetcher`.
    pub fn new(fetcher: impl FetchRanges, policy: CachePolicy) -> Self {
        Self {
            source: Source::Fetched(Fetched {
                fetcher: Box::new(fetcher),
                policy,
                state: Mutex::default(),
                done: Condvar::new(),
            }),
        }
    }

    /// A cache that always answers `ranges` and never fetches.
    pub fn fixed(ranges: IpRanges) -> Self {
        Self {
            source: Source::Fixed(Arc::new(ranges)),
        }
    }

    /// The ranges if they can be answered without I/O: a fresh copy, or a usable stale one
    /// while a refresh is under way or was tried moments ago.
    pub fn cached(&self) -> Option<Arc<IpRanges>> {
        match &self.source {
            Source::Fixed(ranges) => Some(ranges.clone()),
            Source::Fetched(fetched) => fetched.answer_now(&fetched.lock(), Instant::now()),
        }
    }

    /// The ranges, fetching them first if needed. Blocks: never call it on an async executor.
    pub fn load(&self) -> Result<Arc<IpRanges>, MetaError> {
        match &self.source {
            Source::Fixed(ranges) => Ok(ranges.clone()),
            Source::Fetched(fetched) => fetched.load(),
        }
    }
}

impl Fetched {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn answer_now(&self, st: &State, now: Instant) -> Option<Arc<IpRanges>> {
        let (ranges, at) = st.good.as_ref()?;
        let age = now.saturating_duration_since(*at);
        if age < self.policy.ttl {
            return Some(ranges.clone());
        }
        let usable = age < self.policy.ttl.saturating_add(self.policy.max_stale);
        let backing_off = st
            .failure
            .as_ref()
            .is_some_and(|(_, t)| now.saturating_duration_since(*t) < self.policy.retry_after);
        (usable && (st.fetching || backing_off)).then(|| ranges.clone())
    }

    fn load(&self) -> Result<Arc<IpRanges>, MetaError> {
        let mut st = self.lock();
        if let Some(ranges) = self.answer_now(&st, Instant::now()) {
            return Ok(ranges);
        }
        if st.fetching {
            let round = st.round;
            while st.fetching && st.round == round {
                st = self.done.wait(st).unwrap_or_else(PoisonError::into_inner);
            }
            return self.outcome(&st);
        }
        st.fetching = true;
        drop(st);
        {
            let mut fetch = Fetch {
                cache: self,
                result: None,
            };
            fetch.result = Some(self.fetcher.fetch());
        }
        self.outcome(&self.lock())
    }

    /// What the fetch that just finished leaves callers with.
    fn outcome(&self, st: &State) -> Result<Arc<IpRanges>, MetaError> {
        if let Some(ranges) = self.answer_now(st, Instant::now()) {
            return Ok(ranges);
        }
        Err(st
            .failure
            .as_ref()
            .map_or(MetaError::NoFetcher, |(e, _)| e.clone()))
    }
}

/// One fetch under way. Dropping it records the result and wakes the waiters in one step,
/// also when the fetcher panics, so nobody is left waiting for a fetch that ended.
struct Fetch<'a> {
    cache: &'a Fetched,
    result: Option<Result<IpRanges, MetaError>>,
}

impl Drop for Fetch<'_> {
    fn drop(&mut self) {
        let now = Instant::now();
        let mut st = self.cache.lock();
        match self.result.take() {
            Some(Ok(ranges)) => {
                st.good = Some((Arc::new(ranges), now));
                st.failure = None;
            }
            failed => {
                let err = match failed {
                    Some(Err(err)) => err,
                    _ => MetaError::Transport("the fetcher panicked".into()),
                };
                log::warn!("fetching GitHub hook ranges failed: {err}");
                st.failure = Some((err, now));
            }
        }
        st.fetching = false;
        st.round = st.round.wrapping_add(1);
        drop(st);
        self.cache.done.notify_all();
    }
}

impl std::fmt::Debug for RangeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("RangeCache");
        match &self.source {
            Source::Fixed(ranges) => out.field("fixed", &ranges.nets().len()),
            Source::Fetched(fetched) => {
                let st = fetched.lock();
                out.field("policy", &fetched.policy)
                    .field("ranges", &st.good.as_ref().map(|(r, _)| r.nets().len()))
                    .field("fetching", &st.fetching)
            }
        }
        .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;

    fn ranges() -> IpRanges {
        ["140.82.112.0/20".parse().unwrap()].into_iter().collect()
    }

    /// A fetcher that counts its calls and answers from a switch.
    fn switchable(
        calls: Arc<AtomicUsize>,
        up: Arc<std::sync::atomic::AtomicBool>,
        delay: Duration,
    ) -> impl FetchRanges {
        move || {
            calls.fetch_add(1, Ordering::SeqCst);
            thread::sleep(delay);
            if up.load(Ordering::SeqCst) {
                Ok(ranges())
            } else {
                Err(MetaError::Http(500))
            }
        }
    }

    fn setup(
        policy: CachePolicy,
        up: bool,
        delay: Duration,
    ) -> (
        Arc<RangeCache>,
        Arc<AtomicUsize>,
        Arc<std::sync::atomic::AtomicBool>,
    ) {
        let calls = Arc::new(AtomicUsize::new(0));
        let switch = Arc::new(std::sync::atomic::AtomicBool::new(up));
        let cache = RangeCache::new(switchable(calls.clone(), switch.clone(), delay), policy);
        (Arc::new(cache), calls, switch)
    }

    #[test]
    fn a_good_copy_is_reused() {
        let (cache, calls, _) = setup(CachePolicy::default(), true, Duration::ZERO);
        assert!(cache.cached().is_none(), "nothing before the first fetch");
        for _ in 0..100 {
            assert!(
                cache
                    .load()
                    .unwrap()
                    .contains("140.82.112.5".parse().unwrap())
            );
        }
        assert!(cache.cached().is_some());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_burst_makes_one_fetch() {
        let (cache, calls, _) = setup(CachePolicy::default(), true, Duration::from_millis(200));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let cache = cache.clone();
                thread::spawn(move || cache.load().is_ok())
            })
            .collect();
        for t in threads {
            assert!(t.join().unwrap());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failed_burst_makes_one_fetch_and_all_fail() {
        let (cache, calls, _) = setup(CachePolicy::default(), false, Duration::from_millis(200));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                thread::spawn(move || cache.load())
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap().unwrap_err(), MetaError::Http(500));
        }
        // The burst may straddle two rounds at most: one fetch and the latecomers' retry.
        assert!(calls.load(Ordering::SeqCst) <= 2, "{calls:?}");
    }

    #[test]
    fn failures_are_not_remembered() {
        let (cache, calls, up) = setup(CachePolicy::default(), false, Duration::ZERO);
        assert!(cache.load().is_err());
        assert!(cache.load().is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2, "each request tries again");
        up.store(true, Ordering::SeqCst);
        assert!(cache.load().is_ok(), "recovers once the source is back");
    }

    #[test]
    fn stale_copy_serves_while_refresh_fails_then_expires() {
        let policy = CachePolicy {
            ttl: Duration::from_millis(50),
            max_stale: Duration::from_millis(300),
            retry_after: Duration::from_millis(100),
        };
        let (cache, calls, up) = setup(policy, true, Duration::ZERO);
        assert!(cache.load().is_ok());
        up.store(false, Ordering::SeqCst);
        thread::sleep(Duration::from_millis(80));
        assert!(
            cache.cached().is_none(),
            "stale and not backing off: ask again"
        );
        assert!(
            cache.load().is_ok(),
            "refresh failed: the stale copy serves"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(
            cache.cached().is_some(),
            "backing off: stale copy without a fetch"
        );
        assert!(cache.load().is_ok());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "no retry inside retry_after"
        );
        thread::sleep(Duration::from_millis(400));
        assert_eq!(
            cache.load().unwrap_err(),
            MetaError::Http(500),
            "too stale: gone"
        );
        up.store(true, Ordering::SeqCst);
        assert!(cache.load().is_ok());
    }

    #[test]
    fn fixed_ranges_never_fetch() {
        let cache = RangeCache::fixed(ranges());
        let cached = cache.cached().unwrap();
        assert!(cached.contains("140.82.115.1".parse().unwrap()));
        assert!(!cached.contains("192.0.2.1".parse().unwrap()));
        // The one copy given, from both calls, with no fetch state behind it.
        assert!(Arc::ptr_eq(&cached, &cache.load().unwrap()));
        assert!(matches!(cache.source, Source::Fixed(_)));
        assert_eq!(format!("{cache:?}"), "RangeCache { fixed: 1 }");
    }

    #[test]
    fn a_panicking_fetcher_strands_nobody() {
        let cache = Arc::new(RangeCache::new(
            || -> Result<IpRanges, MetaError> { panic!("fetcher bug") },
            CachePolicy::default(),
        ));
        let c = cache.clone();
        assert!(thread::spawn(move || c.load()).join().is_err());
        // The next caller is not left waiting for a fetch that will never end.
        let c = cache.clone();
        assert!(thread::spawn(move || c.load()).join().is_err());
    }
}
