#!/usr/bin/env bash
# Runs every Go benchmark of the module COUNT times (default 6) and
# summarises them with benchstat (median and spread of each), and prints the
# ratio the performance target is about: CreateSession over
# config.LoadDefaultConfig for static keys (target <= 1.1), from
# BenchmarkCreateSessionRatio, which interleaves the two calls.
#
#   scripts/bench.sh [COUNT] [BENCH-REGEXP]
#
# AWS_CA_BUNDLE is honoured as the SDK honours it: with it set, every
# config.LoadDefaultConfig parses the bundle. Compare with
#   env -u AWS_CA_BUNDLE scripts/bench.sh
# Raw results stay in $BENCH_OUT (default: a new file under /tmp), for
# "benchstat old.txt new.txt" comparisons. No benchmark asserts a time.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-6}
pattern=${2:-.}
out=${BENCH_OUT:-$(mktemp /tmp/awssession-bench.XXXXXX)}
# One exact version, so that every run summarises the same way.
benchstat=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

echo "AWS_CA_BUNDLE=${AWS_CA_BUNDLE:-(unset)}; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); raw results: $out" >&2
go test -run '^$' -bench "$pattern" -benchmem -count "$count" ./... | tee "$out" >&2

echo "AWS_CA_BUNDLE=${AWS_CA_BUNDLE:-(unset)}"
if ! go run "$benchstat" "$out" 2>/dev/null; then
  echo "(benchstat unavailable; raw results above)"
fi

# The target ratio: BenchmarkCreateSessionRatio interleaves the two calls
# in one loop, so the machine's drift hits both alike.
awk '
  $1 ~ /^BenchmarkCreateSessionRatio/ { for (i = 3; i < NF; i++) if ($(i+1) == "ratio") r[++n] = $i }
  $1 ~ /^BenchmarkCreateSessionStatic/ { ca = $7 }
  $1 ~ /^BenchmarkLoadDefaultConfigStatic/ { la = $7 }
  END {
    if (!n) exit
    for (i = 2; i <= n; i++) for (j = i; j > 1 && r[j-1] > r[j]; j--) { t = r[j]; r[j] = r[j-1]; r[j-1] = t }
    printf "\nCreateSession / LoadDefaultConfig, static keys, interleaved: %.3f (median of %d; min %.3f, max %.3f; target <= 1.1)\n", (n % 2) ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2, n, r[1], r[n]
    if (ca && la) printf "allocations per call: CreateSession %d, LoadDefaultConfig %d\n", ca, la
  }' "$out"
