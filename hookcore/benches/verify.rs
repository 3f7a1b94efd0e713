//! The core's hot paths: full verification of push deliveries next to a floor measured in the
//! same run (HMAC-SHA256 of the body + a light serde_json pass that extracts `action`), the
//! source-address check, and dispatch lookup. `cargo bench -p hookcore`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::net::IpAddr;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use hookcore::{Config, Delivery, IpNet, IpRanges, Receiver, Registry};
use http::HeaderMap;
use sha2::Sha256;

const SECRET: &[u8] = b"It's a Secret to Everybody";

/// A realistic push payload of about `size` bytes: the recorded push, with as many commits
/// as it takes (or trimmed, below its own size).
pub fn push_of(size: usize) -> Vec<u8> {
    let fixture = include_bytes!("../../tests/fixtures/github/push/00.json");
    let mut v: serde_json::Value = serde_json::from_slice(fixture).unwrap();
    if size < fixture.len() {
        let keep = [
            "ref", "before", "after", "created", "deleted", "forced", "compare", "pusher",
        ];
        v.as_object_mut()
            .unwrap()
            .retain(|k, _| keep.contains(&k.as_str()));
        v["commits"] = serde_json::json!([]);
    }
    let commit = serde_json::json!({
        "id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
        "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433",
        "distinct": true,
        "message": "Update README.md\n\nA longer body, with \"quotes\", unicode — and numbers 12345.",
        "timestamp": "2015-05-05T19:40:15-04:00",
        "url": "https://github.com/baxterthehacker/public-repo/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
        "author": {"name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com", "username": "baxterthehacker"},
        "committer": {"name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com", "username": "baxterthehacker"},
        "added": [], "removed": [], "modified": ["README.md", "src/lib.rs"]
    });
    let step = commit.to_string().len() + 1;
    let now = v.to_string().len();
    let commits = v["commits"].as_array_mut().unwrap();
    for _ in 0..size.saturating_sub(now) / step {
        commits.push(commit.clone());
    }
    let mut body = v.to_string().into_bytes();
    // Pad with spaces (valid JSON whitespace) to the exact size.
    body.resize(size.max(body.len()), b' ');
    body
}

fn headers(body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "x-hub-signature-256",
        hookcore::sign_sha256(SECRET, body).parse().unwrap(),
    );
    h.insert("x-github-event", "push".parse().unwrap());
    h.insert(
        "x-github-delivery",
        "72d3162e-cc78-11e3-81ab-4c9367dc0958".parse().unwrap(),
    );
    h.insert("content-type", "application/json".parse().unwrap());
    h
}

/// The floor: what any correct implementation must at least do.
fn floor(expected: &[u8; 32], body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Light<'a> {
        #[serde(borrow)]
        action: Option<std::borrow::Cow<'a, str>>,
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).unwrap();
    mac.update(body);
    mac.verify_slice(expected).ok()?;
    let light: Light<'_> = serde_json::from_slice(body).ok()?;
    Some(light.action.map(|a| a.into_owned()).unwrap_or_default())
}

fn digest(body: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().into()
}

fn verification(c: &mut Criterion) {
    let rx = Receiver::new(
        Config::builder()
            .secret(SECRET)
            .validate_ip(false)
            .build()
            .unwrap(),
    )
    .unwrap();
    let mut group = c.benchmark_group("verify");
    for (name, size) in [
        ("1KiB", 1 << 10),
        ("8KiB", 8 << 10),
        ("64KiB", 64 << 10),
        ("1MiB", 1 << 20),
        ("25MiB", 25 << 20),
    ] {
        let body = Bytes::from(push_of(size));
        let h = headers(&body);
        let expected = digest(&body);
        assert!(floor(&expected, &body).is_some());
        assert!(rx.verify(&h, body.clone()).is_ok());
        group.throughput(Throughput::Bytes(body.len() as u64));
        if size >= 1 << 20 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::new("floor", name), &body, |b, body| {
            b.iter(|| floor(black_box(&expected), black_box(body)))
        });
        group.bench_with_input(BenchmarkId::new("full", name), &body, |b, body| {
            b.iter(|| {
                rx.verify(black_box(&h), black_box(body.clone()))
                    .map(|d| d.action().is_some())
            })
        });
        group.bench_with_input(
            BenchmarkId::new("full_streamed_64KiB_chunks", name),
            &body,
            |b, body| {
                b.iter(|| {
                    let mut incoming = rx.begin(black_box(&h)).unwrap();
                    for chunk in body.chunks(64 << 10) {
                        incoming.push(chunk).unwrap();
                    }
                    incoming.finish().map(|d| d.action().is_some())
                })
            },
        );
    }
    group.finish();
}

fn source_address(c: &mut Criterion) {
    let github =
        hookcore::parse_meta(include_bytes!("../tests/fixtures/github-meta.json")).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let many: IpRanges = (0..10_000)
        .map(|_| {
            let v = next();
            format!(
                "{}/{}",
                std::net::Ipv4Addr::from((v >> 32) as u32),
                16 + v % 17
            )
            .parse::<IpNet>()
            .unwrap()
        })
        .collect();
    let probes: Vec<IpAddr> = (0..1024)
        .map(|_| IpAddr::from(((next() >> 32) as u32).to_be_bytes()))
        .collect();
    let mut group = c.benchmark_group("source");
    for (name, ranges) in [("github_6_cidrs", &github), ("10000_cidrs", &many)] {
        group.throughput(Throughput::Elements(probes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| probes.iter().filter(|ip| ranges.contains(**ip)).count())
        });
    }
    group.finish();
}

fn dispatch(c: &mut Criterion) {
    let mut builder = Registry::builder();
    for event in [
        "push",
        "issues",
        "pull_request",
        "ping",
        "release",
        "star",
        "fork",
        "watch",
    ] {
        builder = builder.on(event, |_d: Delivery| async {
            Ok::<_, std::convert::Infallible>("ok")
        });
    }
    for action in ["opened", "closed", "edited", "labeled"] {
        builder = builder.on(&format!("issues.{action}"), |_d: Delivery| async {
            Ok::<_, std::convert::Infallible>("ok")
        });
    }
    let registry = builder.build().unwrap();
    c.bench_function("dispatch/lookup", |b| {
        b.iter(|| {
            registry.handles(black_box("issues"), black_box(Some("labeled")))
                & registry.handles(black_box("push"), None)
                & !registry.handles(black_box("gollum"), None)
        })
    });
}

criterion_group!(benches, verification, source_address, dispatch);
criterion_main!(benches);
