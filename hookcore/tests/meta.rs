//! The meta fetcher against a real HTTP server on loopback, started by the test.
#![cfg(feature = "meta")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use hookcore::{
    CachePolicy, Config, FetchRanges, MetaError, MetaFetcher, Receiver, load_github_hooks,
};

const META: &str = include_str!("fixtures/github-meta.json");

/// A one-route HTTP/1.1 server that answers every request with `status` and `body` (or never
/// answers, when `stall`), counting the requests.
struct Server {
    url: String,
    hits: Arc<AtomicUsize>,
}

fn serve(status: u16, body: &'static str, stall: bool) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/meta", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || answer(&mut stream, status, body, stall));
        }
    });
    Server { url, hits }
}

fn answer(stream: &mut TcpStream, status: u16, body: &str, stall: bool) {
    let mut buf = [0u8; 4096];
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    if stall {
        thread::sleep(Duration::from_secs(30));
        return;
    }
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[test]
fn a_good_document() {
    let server = serve(200, META, false);
    let ranges = load_github_hooks(&server.url).unwrap();
    assert_eq!(ranges.nets().len(), 6);
    assert!(ranges.contains("185.199.108.1".parse().unwrap()));
    assert!(ranges.contains("2a0a:a440::1".parse().unwrap()));
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
}

#[test]
fn garbage_no_hooks_and_http_errors_are_typed() {
    let garbage = serve(200, "<html>rate limited</html>", false);
    assert!(matches!(
        load_github_hooks(&garbage.url),
        Err(MetaError::Json(_))
    ));
    let no_hooks = serve(200, r#"{"web":["1.2.3.0/24"]}"#, false);
    assert!(matches!(
        load_github_hooks(&no_hooks.url),
        Err(MetaError::NoHooks)
    ));
    let bad_cidr = serve(200, r#"{"hooks":["1.2.3.0/24","nope"]}"#, false);
    assert!(matches!(load_github_hooks(&bad_cidr.url), Err(MetaError::BadCidr(c)) if c == "nope"));
    let error = serve(500, "oops", false);
    assert!(matches!(
        load_github_hooks(&error.url),
        Err(MetaError::Http(500))
    ));
    let not_found = serve(404, "{}", false);
    assert!(matches!(
        load_github_hooks(&not_found.url),
        Err(MetaError::Http(404))
    ));
}

#[test]
fn nothing_listening_is_a_transport_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = load_github_hooks(&format!("http://127.0.0.1:{port}/meta")).unwrap_err();
    assert!(matches!(err, MetaError::Transport(_)), "{err:?}");
}

#[test]
fn a_server_that_never_answers_is_given_up_on() {
    let server = serve(200, META, true);
    let start = Instant::now();
    let err = MetaFetcher::new(server.url.clone(), Duration::from_millis(800))
        .fetch()
        .unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, MetaError::Transport(_)), "{err:?}");
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[test]
fn the_default_fetch_gives_up_within_ten_seconds() {
    let server = serve(200, META, true);
    let start = Instant::now();
    assert!(load_github_hooks(&server.url).is_err());
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(13),
        "{took:?}"
    );
}

#[test]
fn a_burst_of_checks_makes_one_fetch() {
    let server = serve(200, META, false);
    let config = Config::builder()
        .secret("s")
        .meta_url(server.url.clone())
        .build()
        .unwrap();
    let rx = Arc::new(Receiver::new(config).unwrap());
    let threads: Vec<_> = (0..32)
        .map(|i| {
            let rx = rx.clone();
            thread::spawn(move || {
                let peer = if i % 2 == 0 {
                    "140.82.112.3"
                } else {
                    "8.8.8.8"
                };
                rx.check_source_blocking(Some(peer.parse().unwrap()), &http::HeaderMap::new())
                    .is_ok()
            })
        })
        .collect();
    let allowed = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(allowed, 16);
    for _ in 0..100 {
        assert!(
            rx.check_source_blocking(
                Some("140.82.112.3".parse().unwrap()),
                &http::HeaderMap::new()
            )
            .is_ok()
        );
    }
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
}

#[test]
fn an_expired_copy_is_fetched_again() {
    let server = serve(200, META, false);
    let policy = CachePolicy {
        ttl: Duration::from_millis(100),
        ..CachePolicy::default()
    };
    let config = Config::builder()
        .secret("s")
        .meta_url(server.url.clone())
        .ranges_cache(policy)
        .build()
        .unwrap();
    let rx = Receiver::new(config).unwrap();
    let peer = Some("140.82.112.3".parse().unwrap());
    assert!(
        rx.check_source_blocking(peer, &http::HeaderMap::new())
            .is_ok()
    );
    assert!(
        rx.check_source_blocking(peer, &http::HeaderMap::new())
            .is_ok()
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    thread::sleep(Duration::from_millis(150));
    assert!(
        rx.check_source_blocking(peer, &http::HeaderMap::new())
            .is_ok()
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
}
