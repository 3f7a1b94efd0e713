//! Each example application over real loopback sockets, with a real local meta server: peer
//! addresses and X-Forwarded-For behind trusted proxies, 403 and 503, recovery and caching of
//! the ranges, a stalled meta server, 1 MiB and 25 MiB bodies, and many concurrent deliveries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::net::{Meta, Mode, Server, Wire, delivery_headers, send};
use common::{SECRET, github_ranges};
use hookcore::{Config, ConfigBuilder, Receiver};

const PING: &[u8] = br#"{"zen":"Speak like a human.","hook_id":1}"#;
const GITHUB: &[&str] = &["192.30.252.0/22", "140.82.112.0/20", "2606:50c0::/32"];

fn start<S: Server>(config: Config) -> std::net::SocketAddr {
    S::start(common::hooks(Receiver::new(config).unwrap()))
}

fn fetching(meta: &Meta) -> ConfigBuilder {
    Config::builder().secret(SECRET).meta_url(meta.url.clone())
}

fn ping(addr: std::net::SocketAddr, extra: &[(&'static str, &str)]) -> Wire {
    let mut headers = delivery_headers("ping", PING);
    headers.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    send(addr, "/hooks", &headers, PING.to_vec(), false)
}

fn peer_and_forwarding<S: Server>() {
    // The loopback peer itself inside the hook ranges.
    let meta = Meta::start(&["127.0.0.0/8"], Mode::Up);
    let addr = start::<S>(fetching(&meta).build().unwrap());
    let w = ping(addr, &[]);
    assert_eq!((w.status, w.body.as_str()), (200, "pong"), "{}", S::NAME);

    // GitHub's ranges only: the loopback peer is refused, and without trusting it, its
    // X-Forwarded-For is not believed.
    let meta = Meta::start(GITHUB, Mode::Up);
    let addr = start::<S>(fetching(&meta).build().unwrap());
    assert_eq!(ping(addr, &[]).status, 403);
    let w = ping(addr, &[("x-forwarded-for", "140.82.112.5")]);
    assert_eq!(
        (w.status, w.body.as_str()),
        (403, "Source address not allowed\n")
    );

    // Trusting the loopback proxy: the right-most untrusted entry decides.
    let config = fetching(&meta)
        .trusted_proxy("127.0.0.1/32".parse().unwrap())
        .build()
        .unwrap();
    let addr = start::<S>(config);
    assert_eq!(
        ping(addr, &[("x-forwarded-for", "140.82.112.5")]).status,
        200
    );
    assert_eq!(
        ping(addr, &[("x-forwarded-for", "140.82.112.5, 8.8.8.8")]).status,
        403
    );
    assert_eq!(
        ping(addr, &[("x-forwarded-for", "8.8.8.8, 140.82.112.5")]).status,
        200
    );
    let lines = [
        ("x-forwarded-for", "8.8.8.8"),
        ("x-forwarded-for", "140.82.112.5, 127.0.0.1"),
    ];
    assert_eq!(
        ping(addr, &lines).status,
        200,
        "several lines read as one list"
    );
    assert_eq!(ping(addr, &[("x-forwarded-for", "bogus")]).status, 403);
    assert_eq!(
        ping(addr, &[]).status,
        403,
        "the proxy itself is not GitHub"
    );
    assert_eq!(
        meta.hits(),
        2,
        "each of the two servers on this document fetched it once"
    );
}

fn unavailable_recovers_and_caches<S: Server>() {
    let meta = Meta::start(&["127.0.0.0/8"], Mode::Failing);
    let addr = start::<S>(fetching(&meta).build().unwrap());
    let w = ping(addr, &[]);
    assert_eq!(
        (w.status, w.body.as_str()),
        (503, "GitHub hook ranges unavailable\n")
    );
    assert_eq!(ping(addr, &[]).status, 503);
    assert_eq!(
        meta.hits(),
        2,
        "a failure is not remembered: each request tried again"
    );
    meta.set(Mode::Up);
    for _ in 0..20 {
        assert_eq!(ping(addr, &[]).status, 200);
    }
    assert_eq!(meta.hits(), 3, "one good fetch serves every later request");
}

fn stalled_meta_is_503_without_blocking<S: Server>() {
    let meta = Meta::start(&["127.0.0.0/8"], Mode::Stalled);
    // The default 10 s fetch timeout: the contract's limit is 15 s.
    let addr = start::<S>(fetching(&meta).build().unwrap());
    let started = Instant::now();
    let waiting: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(move || ping(addr, &[])))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // While four requests wait on the fetch, the server still answers at once.
    let quick = Instant::now();
    let w = send(addr, "/elsewhere", &[], Vec::new(), false);
    assert_eq!(w.status, 404);
    assert!(
        quick.elapsed() < Duration::from_secs(2),
        "{:?}",
        quick.elapsed()
    );
    for t in waiting {
        assert_eq!(t.join().unwrap().status, 503);
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert!(
        meta.hits() <= 2,
        "the waiting requests shared one fetch ({})",
        meta.hits()
    );
}

fn push_of(len: usize) -> Vec<u8> {
    let mut body = br#"{"ref":"refs/heads/big","pad":""#.to_vec();
    body.resize(len - 2, b'x');
    body.extend_from_slice(b"\"}");
    body
}

fn body_limits<S: Server>() {
    let config = Config::builder()
        .secret(SECRET)
        .allowed_ranges(github_ranges())
        .trusted_proxy("127.0.0.1/32".parse().unwrap())
        .build()
        .unwrap();
    let addr = start::<S>(config);
    let from_github = ("x-forwarded-for", "140.82.112.5".to_owned());
    for (len, chunked, status) in [
        (1024 * 1024, false, 200),
        (hookcore::GITHUB_MAX_BODY, false, 200),
        (hookcore::GITHUB_MAX_BODY, true, 200),
        (hookcore::GITHUB_MAX_BODY + 1, false, 413),
        (hookcore::GITHUB_MAX_BODY + 1, true, 413),
    ] {
        let body = push_of(len);
        let mut headers = delivery_headers("push", &body);
        headers.push(from_github.clone());
        let w = send(addr, "/hooks", &headers, body, chunked);
        assert_eq!(
            w.status,
            status,
            "{} {len} chunked={chunked}: {:?}",
            S::NAME,
            w.body
        );
        let expected = if status == 200 {
            "New push to refs/heads/big"
        } else {
            "Payload too large\n"
        };
        assert_eq!(w.body, expected);
    }
}

fn concurrent_deliveries<S: Server>() {
    let config = Config::builder()
        .secret(SECRET)
        .validate_ip(false)
        .build()
        .unwrap();
    let addr = start::<S>(config);
    let threads: Vec<_> = (0..16)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..16 {
                    let body = format!(
                        r#"{{"action":"opened","issue":{{"number":{}}}}}"#,
                        t * 100 + i
                    );
                    let w = send(
                        addr,
                        "/hooks",
                        &delivery_headers("issues", body.as_bytes()),
                        body.into_bytes(),
                        false,
                    );
                    assert_eq!(
                        (w.status, w.body),
                        (200, format!("Opened issue #{}", t * 100 + i))
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

macro_rules! over_sockets {
    ($($module:ident: $server:ty),*) => {$(
        mod $module {
            #[test]
            fn peer_address_and_forwarding() {
                super::peer_and_forwarding::<$server>();
            }
            #[test]
            fn ranges_unavailable_then_recovered_and_cached() {
                super::unavailable_recovers_and_caches::<$server>();
            }
            #[test]
            fn stalled_meta_server_is_503_without_blocking() {
                super::stalled_meta_is_503_without_blocking::<$server>();
            }
            #[test]
            fn one_mib_and_twenty_five_mib_bodies() {
                super::body_limits::<$server>();
            }
            #[test]
            fn many_concurrent_deliveries() {
                super::concurrent_deliveries::<$server>();
            }
        }
    )*};
}

over_sockets!(axum: crate::common::net::AxumServer, actix: crate::common::net::ActixServer, warp: crate::common::net::WarpServer);
