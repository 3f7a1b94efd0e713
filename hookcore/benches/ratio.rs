//! The full verification against the floor, paired: `cargo bench -p hookcore --bench ratio`.
//!
//! Each round alternates five short batches of floor runs with five of full runs and keeps the
//! fastest batch of each side; the round's ratio is full / floor of those. On a shared virtual
//! machine, other tenants' bursts only ever add time, and they land on one side of a long
//! batch as often as not: keeping each side's best of five interleaved batches drops the
//! bursts without favouring either side. The table gives the median over the rounds (at least
//! 41, about three seconds per size) and, for comparison, the median ratio of all batches
//! taken one by one.
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

/// Seconds per run of `f`, over a batch of `n`.
fn time(n: usize, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_secs_f64() / n as f64
}

fn show(s: f64) -> String {
    if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.2} µs", s * 1e6)
    }
}

fn main() {
    let rx = common::receiver();
    println!(
        "| body | floor | full | full / floor (best of 5 per round, median) | (every batch, median) |"
    );
    println!("|---|---|---|---|---|");
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
        let mut floor_run = || {
            black_box(floor(black_box(&expected), black_box(&body)));
        };
        let mut full_run = || {
            black_box(rx.verify(black_box(&h), black_box(body.clone())).is_ok());
        };
        // About 4 ms of work per batch.
        let batch = (4_000_000 / (body.len() + 2_000)).max(1);
        let warm = Instant::now();
        while warm.elapsed() < Duration::from_millis(300) {
            time(batch, &mut floor_run);
            time(batch, &mut full_run);
        }
        let (mut floors, mut fulls, mut best, mut every) = (vec![], vec![], vec![], vec![]);
        let start = Instant::now();
        while best.len() < 41 || start.elapsed() < Duration::from_secs(3) {
            let (mut f_min, mut v_min) = (f64::MAX, f64::MAX);
            for _ in 0..5 {
                let f = time(batch, &mut floor_run);
                let v = time(batch, &mut full_run);
                every.push(v / f);
                f_min = f_min.min(f);
                v_min = v_min.min(v);
            }
            floors.push(f_min);
            fulls.push(v_min);
            best.push(v_min / f_min);
        }
        println!(
            "| {name} | {} | {} | {:.2} | {:.2} |",
            show(median(floors)),
            show(median(fulls)),
            median(best),
            median(every)
        );
    }
}
