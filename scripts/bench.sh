#!/usr/bin/env bash
# Runs every Go benchmark of the module COUNT times (default 6) and
# summarises them with benchstat (median and spread of each). Then measures
# the ratio the performance target is about, CreateSession over
# config.LoadDefaultConfig for static keys (target <= 1.1), in COUNT rounds
# that each run the pair back to back, so that the machine's drift hits
# both sides alike; it prints the median of the per-round ratios.
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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One exact version, so that every run summarises the same way.
benchstat=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

echo "AWS_CA_BUNDLE=${AWS_CA_BUNDLE:-(unset)}; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); raw results: $out" >&2
go test -run '^$' -bench "$pattern" -benchmem -count "$count" ./... | tee "$out" >&2

echo "AWS_CA_BUNDLE=${AWS_CA_BUNDLE:-(unset)}"
if ! go run "$benchstat" "$out" 2>/dev/null; then
  echo "(benchstat unavailable; raw results above)"
fi

go test -c -o "$tmp/root.test" .
for _ in $(seq "$count"); do
  "$tmp/root.test" -test.run '^$' -test.bench '^Benchmark(CreateSession|LoadDefaultConfig)Static$' -test.benchmem
done > "$tmp/pair.txt"
cat "$tmp/pair.txt" >> "$out"
awk '
  $1 ~ /^BenchmarkCreateSessionStatic/ { a[++na] = $3; aa = $7 }
  $1 ~ /^BenchmarkLoadDefaultConfigStatic/ { b[++nb] = $3; ba = $7 }
  function median(v, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
    return (n % 2) ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
  }
  END {
    m = (na < nb) ? na : nb
    for (i = 1; i <= m; i++) r[i] = a[i] / b[i]
    printf "\nCreateSession / LoadDefaultConfig, static keys, %d rounds side by side:\n", m
    printf "  ratio %.3f (median of rounds; target <= 1.1)\n", median(r, m)
    printf "  CreateSession %.1f us, %d allocs; LoadDefaultConfig %.1f us, %d allocs (medians)\n", median(a, na) / 1000, aa, median(b, nb) / 1000, ba
  }' "$tmp/pair.txt"
