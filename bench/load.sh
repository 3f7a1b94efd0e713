#!/usr/bin/env bash
# End-to-end load, big-body latency and memory of the example servers, as in BENCHMARKS.md.
# Needs wrk, curl and openssl (apt-get install -y wrk curl openssl). Loopback only; every
# loop is bounded in time. Usage: bench/load.sh [seconds per run, default 10]
# (ROUNDS=3 alternating rounds; SECTIONS="load big memory"; FRAMEWORKS="axum actix warp")
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --examples -q
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export GITHUB_WEBHOOKS_KEY=bench-secret VALIDATE_IP=false
port=18080

# An 8 KiB push: the recorded push payload padded with JSON whitespace; a 25 MiB push.
python3 - "$work" <<'PY'
import json, sys
d = sys.argv[1]
push = open("tests/fixtures/github/push/00.json", "rb").read()
open(f"{d}/small.json", "wb").write(push + b" " * (8192 - len(push)))
v = json.loads(push)
commit = {
    "id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "distinct": True,
    "message": "Update README.md", "timestamp": "2015-05-05T19:40:15-04:00",
    "url": "https://github.com/baxterthehacker/public-repo/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
    "author": {"name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com"},
    "added": [], "removed": [], "modified": ["README.md"],
}
while len(json.dumps(v)) < 25 * 1024 * 1024 - 2048:
    v["commits"].extend([commit] * 200)
    if len(json.dumps(v)) > 25 * 1024 * 1024:
        v["commits"] = v["commits"][:-200]
        break
body = json.dumps(v).encode()
open(f"{d}/big.json", "wb").write(body + b" " * (25 * 1024 * 1024 - len(body)))
PY
sign() { printf 'sha256=%s' "$(openssl dgst -sha256 -hmac "$GITHUB_WEBHOOKS_KEY" < "$1" | sed 's/^.* //')"; }
small_sig=$(sign "$work/small.json")
big_sig=$(sign "$work/big.json")

start() { # start <command...>: runs a server on $port, waits until it listens
  HOOKS_ADDR=127.0.0.1:$port "$@" 2>"$work/server.log" &
  server=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && return; sleep 0.1; done
  echo "server did not start: $*" >&2; cat "$work/server.log" >&2; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; }
post_big() { # one signed 25 MiB push; prints the status code
  curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$port/hooks" \
    -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
    -H 'X-GitHub-Delivery: big' -H "X-Hub-Signature-256: $big_sig" \
    --data-binary @"$work/big.json"
}

# wrk with the signed small push; prints "req/s p50 p99 non2xx"
load() { # load <connections> <seconds>
  BODY_FILE="$work/small.json" SIGNATURE="$small_sig" \
    wrk -t1 -c"$1" -d"$2"s --latency -s bench/post.lua "http://127.0.0.1:$port/hooks" > "$work/wrk.txt"
  awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $5 }
    END { printf "%s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad) }' "$work/wrk.txt"
}

rounds=${ROUNDS:-3}
sections=${SECTIONS:-"load big memory"}
frameworks=${FRAMEWORKS:-"axum actix warp"}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
if [[ $sections == *load* ]]; then
echo "## End to end: 8 KiB signed push, wrk -t1 -c32 -d${secs}s, $rounds alternating rounds"
echo "| adapter | example req/s | p50 | p99 | non-2xx | bare req/s | bare p50 | bare p99 | ratio (median of rounds) | rounds' ratios |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for fw in $frameworks; do
  : > "$work/ex.txt"; : > "$work/bare.txt"
  for _ in $(seq "$rounds"); do
    start "target/release/examples/$fw"; load 32 2 >/dev/null; load 32 "$secs" >> "$work/ex.txt"; stop
    start target/release/examples/bare "$fw"; load 32 2 >/dev/null; load 32 "$secs" >> "$work/bare.txt"; stop
  done
  rps=$(cut -d' ' -f1 "$work/ex.txt" | median); brps=$(cut -d' ' -f1 "$work/bare.txt" | median)
  # p50/p99 of the median round by req/s
  read -r _ p50 p99 _ < <(grep "^$rps " "$work/ex.txt" | head -1)
  read -r _ bp50 bp99 _ < <(grep "^$brps " "$work/bare.txt" | head -1)
  bad=$(awk '{ s += $4 } END { print s }' "$work/ex.txt")
  # Paired: each round's example run against the bare run right after it.
  paste -d' ' <(cut -d' ' -f1 "$work/ex.txt") <(cut -d' ' -f1 "$work/bare.txt") |
    awk '{ printf "%.2f\n", $1 / $2 }' > "$work/ratios.txt"
  ratio=$(median < "$work/ratios.txt")
  spread=$(sort -g "$work/ratios.txt" | paste -sd' ')
  echo "| $fw | $rps | $p50 | $p99 | $bad | $brps | $bp50 | $bp99 | $ratio | $spread |"
done

fi

if [[ $sections == *big* ]]; then
echo
echo "## Small deliveries while 25 MiB deliveries arrive (2 senders), wrk -t1 -c8 -d${secs}s"
echo "| adapter | big bodies verified on | req/s | p50 | p99 | 25 MiB deliveries |"
echo "|---|---|---|---|---|---|"
for fw in $frameworks; do
  for threshold in 1048576 18446744073709551615; do
    HOOKS_BLOCKING_THRESHOLD=$threshold start "target/release/examples/$fw"
    : > "$work/big.count"
    senders=()
    for _ in 1 2; do
      ( end=$((SECONDS + secs + 1))
        while [ $SECONDS -lt $end ]; do
          post_big >> "$work/big.count"
        done ) &
      senders+=($!)
    done
    sleep 0.5
    read -r rps p50 p99 _ < <(load 8 "$secs")
    wait "${senders[@]}"
    stop
    where=$([ "$threshold" = 1048576 ] && echo "blocking pool (>= 1 MiB)" || echo "executor thread")
    echo "| $fw | $where | $rps | $p50 | $p99 | $(grep -c '^200$' "$work/big.count") |"
  done
done

fi

if [[ $sections == *memory* ]]; then
echo
echo "## Memory: one 25 MiB delivery"
echo "| adapter | idle RSS (KiB) | peak RSS (KiB) | peak - idle | / body size |"
echo "|---|---|---|---|---|"
for fw in $frameworks; do
  start "target/release/examples/$fw"
  sleep 0.3
  idle=$(awk '/VmRSS/ { print $2 }' /proc/$server/status)
  code=$(post_big)
  [ "$code" = 200 ] || { echo "25 MiB delivery answered $code" >&2; exit 1; }
  peak=$(awk '/VmHWM/ { print $2 }' /proc/$server/status)
  stop
  awk -v fw="$fw" -v i="$idle" -v p="$peak" 'BEGIN { printf "| %s | %d | %d | %d | %.2f |\n", fw, i, p, p - i, (p - i) / (25 * 1024) }'
done
fi
