#!/usr/bin/env bash
# End-to-end load, big-body latency and memory of the example servers, as in BENCHMARKS.md.
# Needs wrk, curl and openssl (apt-get install -y wrk curl openssl). Loopback only; every
# loop is bounded in time. Usage: bench/load.sh [seconds per run, default 10]
# (ROUNDS=3 alternating rounds; SECTIONS="load big memory instructions"; FRAMEWORKS="axum actix
# warp"; the instructions section also needs valgrind: apt-get install -y valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --examples -q
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export GITHUB_WEBHOOKS_KEY=bench-secret VALIDATE_IP=false
port=18080

# An 8 KiB and a 25 MiB push, built like the core benchmark's (hookcore/benches/common): the
# recorded push grown with commits, padded with JSON whitespace only for the last few bytes.
python3 - "$work" <<'PY'
import json, sys
d = sys.argv[1]
push = json.load(open("tests/fixtures/github/push/00.json", "rb"))
user = {"name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com",
        "username": "baxterthehacker"}
commit = {
    "id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
    "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433", "distinct": True,
    "message": "Update README.md\n\nA longer body, with \"quotes\", unicode \u2014 and numbers 12345.",
    "timestamp": "2015-05-05T19:40:15-04:00",
    "url": "https://github.com/baxterthehacker/public-repo/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
    "author": user, "committer": user,
    "added": [], "removed": [], "modified": ["README.md", "src/lib.rs"],
}
compact = lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()
step = len(compact(commit)) + 1
for name, size in (("small", 8192), ("big", 25 * 1024 * 1024)):
    v = dict(push, commits=[commit] * ((size - len(compact(push))) // step))
    body = compact(v)
    open(f"{d}/{name}.json", "wb").write(body + b" " * (size - len(body)))
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
sections=${SECTIONS:-"load big memory instructions"}
frameworks=${FRAMEWORKS:-"axum actix warp"}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
if [[ $sections == *load* ]]; then
echo "## End to end: 8 KiB signed push, wrk -t1 -c32 -d${secs}s, $rounds rounds of example, floor route, bare"
echo "| adapter | server | req/s | p50 | p99 | non-2xx | / bare (median of rounds) | rounds' ratios |"
echo "|---|---|---|---|---|---|---|---|"
for fw in $frameworks; do
  : > "$work/example.txt"; : > "$work/floor.txt"; : > "$work/bare.txt"
  for _ in $(seq "$rounds"); do
    for kind in example floor bare; do
      case $kind in
        example) start "target/release/examples/$fw" ;;
        floor) start target/release/examples/bare "$fw" floor ;;
        bare) start target/release/examples/bare "$fw" ;;
      esac
      load 32 2 >/dev/null; load 32 "$secs" >> "$work/$kind.txt"; stop
    done
  done
  for kind in example floor bare; do
    rps=$(cut -d' ' -f1 "$work/$kind.txt" | median)
    # p50/p99 of the median round by req/s
    read -r _ p50 p99 _ < <(grep "^$rps " "$work/$kind.txt" | head -1)
    bad=$(awk '{ s += $4 } END { print s }' "$work/$kind.txt")
    # Paired: each round's run against the bare run of the same round.
    paste -d' ' <(cut -d' ' -f1 "$work/$kind.txt") <(cut -d' ' -f1 "$work/bare.txt") |
      awk '{ printf "%.2f\n", $1 / $2 }' > "$work/ratios.txt"
    ratio=$(median < "$work/ratios.txt")
    spread=$(sort -g "$work/ratios.txt" | paste -sd' ')
    name=$([ "$kind" = floor ] && echo "floor route" || echo "$kind")
    [ "$kind" = bare ] && { ratio=1; spread=; }
    echo "| $fw | $name | $rps | $p50 | $p99 | $bad | $ratio | $spread |"
  done
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

if [[ $sections == *instructions* ]]; then
command -v callgrind_control >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }
# User-space instructions per request, counted by callgrind: unlike seconds, the same for the
# same binary and load whatever else the machine does. Under valgrind sha2 runs its portable
# code (no SHA-NI), so the floor's share is larger than on the hardware; the differences
# between the three servers of one framework are what this section is for.
instructions() { # instructions <command...>: prints Ir per request
  HOOKS_ADDR=127.0.0.1:$port valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$@" \
    2>"$work/server.log" &
  server=$!
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  BODY_FILE="$work/small.json" SIGNATURE="$small_sig" \
    wrk -t1 -c4 -d2s -s bench/post.lua "http://127.0.0.1:$port/hooks" >/dev/null
  callgrind_control -z "$server" >/dev/null 2>&1
  BODY_FILE="$work/small.json" SIGNATURE="$small_sig" \
    wrk -t1 -c4 -d"$secs"s -s bench/post.lua "http://127.0.0.1:$port/hooks" > "$work/wrk.txt"
  callgrind_control -d "$server" >/dev/null 2>&1
  stop
  grep -q Non-2xx "$work/wrk.txt" && { echo "non-2xx answers under callgrind: $*" >&2; exit 1; }
  ir=$(callgrind_annotate "$work/cg.1" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
  awk -v ir="$ir" '/requests in/ { printf "%d\n", ir / $1 }' "$work/wrk.txt"
  rm -f "$work"/cg*
}
echo
echo "## Instructions per request (callgrind, user space), 8 KiB signed push, wrk -t1 -c4 -d${secs}s"
echo "| adapter | bare | floor route | example | example - floor route | example / floor route |"
echo "|---|---|---|---|---|---|"
for fw in $frameworks; do
  bare=$(instructions target/release/examples/bare "$fw")
  floor=$(instructions target/release/examples/bare "$fw" floor)
  example=$(instructions "target/release/examples/$fw")
  awk -v fw="$fw" -v b="$bare" -v f="$floor" -v e="$example" \
    'BEGIN { printf "| %s | %d | %d | %d | %+d | %.3f |\n", fw, b, f, e, e - f, e / f }'
done
fi
