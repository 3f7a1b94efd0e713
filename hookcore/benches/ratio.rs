//! The full verification against the floor, paired: each round times a batch of floor runs and
//! a batch of full runs back to back, so that the machine's drift (other load, clock changes)
//! hits both alike; the table gives the median of the per-round ratios.
//! `cargo bench -p hookcore --bench ratio`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{digest, floor, headers, push_of};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rx = common::receiver();
    println!("| body | floor (median) | full (median) | full / floor (median of paired rounds) |");
    println!("|---|---|---|---|");
    for (name, size) in [
        ("1 KiB", 1 << 10),
        ("8 KiB", 8 << 10),
        ("64 KiB", 64 << 10),
        ("1 MiB", 1 << 20),
        ("25 MiB", 25 << 20),
    ] {
        let body = Bytes::from(push_of(size));
        let h = headers(&body);
        let expected = digest(&body);
        // About 20 ms of work per batch, 41 rounds.
        let batch = (20_000_000 / (body.len() + 2_000)).max(1);
        let (mut floors, mut fulls, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..42 {
            let t = Instant::now();
            for _ in 0..batch {
                black_box(floor(black_box(&expected), black_box(&body)));
            }
            let f = t.elapsed();
            let t = Instant::now();
            for _ in 0..batch {
                black_box(rx.verify(black_box(&h), black_box(body.clone())).is_ok());
            }
            let v = t.elapsed();
            if round == 0 {
                continue; // warm-up
            }
            let per = |d: Duration| d.as_secs_f64() / batch as f64;
            floors.push(per(f));
            fulls.push(per(v));
            ratios.push(v.as_secs_f64() / f.as_secs_f64());
        }
        let show = |s: f64| {
            if s >= 1e-3 {
                format!("{:.2} ms", s * 1e3)
            } else {
                format!("{:.2} µs", s * 1e6)
            }
        };
        println!(
            "| {name} | {} | {} | {:.2} |",
            show(median(floors)),
            show(median(fulls)),
            median(ratios)
        );
    }
}
