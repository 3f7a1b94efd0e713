//! The core's hot paths: full verification of push deliveries next to a floor measured in the
//! same run (HMAC-SHA256 of the body + a light serde_json pass that extracts `action`), the
//! source-address check, and dispatch lookup. `cargo bench -p hookcore`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::net::IpAddr;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hookcore::{Delivery, IpNet, IpRanges, Registry};

mod common;

use common::{digest, floor, headers, push_of};

fn verification(c: &mut Criterion) {
    let rx = common::receiver();
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
