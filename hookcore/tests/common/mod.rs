//! Helpers shared by hookcore's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use http::{HeaderMap, HeaderName, HeaderValue};

pub const SECRET: &str = "It's a Secret to Everybody";

/// A receiver with `SECRET` and source checks off: the usual one for these tests.
pub fn receiver() -> hookcore::Receiver {
    let config = hookcore::Config::builder()
        .secret(SECRET)
        .validate_ip(false)
        .build();
    hookcore::Receiver::new(config.unwrap()).unwrap()
}

/// Headers of a delivery signed with sha256 under `SECRET`.
pub fn signed(event: &str, body: &[u8]) -> HeaderMap {
    headers(&[
        (
            "x-hub-signature-256",
            &hookcore::sign_sha256(SECRET.as_bytes(), body),
        ),
        ("x-github-event", event),
        ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("content-type", "application/json"),
    ])
}

pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    map
}

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on this thread.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => thread::park(),
        }
    }
}

/// A `Blocking` runner that uses a fresh OS thread, as a runtime's blocking pool would.
pub struct OsThread;

impl hookcore::Blocking for OsThread {
    fn run<T, F>(work: F) -> impl Future<Output = Option<T>> + Send
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let handle = thread::spawn(work);
        async move { handle.join().ok() }
    }
}
