#!/usr/bin/env python3
"""Prints BENCHMARKS.md's core tables from criterion's estimates (run `cargo bench -p hookcore` first)."""
import json, pathlib, sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")

def ns(*parts):
    est = json.loads((root.joinpath(*parts) / "new" / "estimates.json").read_text())
    return est["median"]["point_estimate"]

sizes = {"1KiB": 1 << 10, "8KiB": 8 << 10, "64KiB": 64 << 10, "1MiB": 1 << 20, "25MiB": 25 << 20}
print("| body | floor | full | full / floor | streamed (64 KiB chunks) | streamed / floor | full MB/s |")
print("|---|---|---|---|---|---|---|")
def fmt(t):
    return f"{t / 1e6:.2f} ms" if t >= 1e6 else f"{t / 1e3:.2f} µs"
for name, size in sizes.items():
    try:
        floor, full = ns("verify", "floor", name), ns("verify", "full", name)
        streamed = ns("verify", "full_streamed_64KiB_chunks", name)
    except FileNotFoundError:
        continue
    print(f"| {name} | {fmt(floor)} | {fmt(full)} | {full / floor:.2f} | {fmt(streamed)} | {streamed / floor:.2f} | {size / full * 1e3:.0f} |")
print()
print("| lookup | ns per address |")
print("|---|---|")
for name in ["github_6_cidrs", "10000_cidrs"]:
    try:
        print(f"| {name} | {ns('source', name) / 1024:.1f} |")
    except FileNotFoundError:
        pass
try:
    print(f"| dispatch: 3 registry lookups | {ns('dispatch_lookup'):.1f} |")
except FileNotFoundError:
    pass
