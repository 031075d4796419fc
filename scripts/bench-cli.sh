#!/usr/bin/env bash
# Times "awssession env" as a shell would run it: with static keys (no STS
# call at all), and for an MFA + role session served from a warm cache (the
# second run of the day). Prints the median of RUNS runs; uses hyperfine when
# it is installed. Everything runs on loopback against "awssession
# sts-server"; nothing reads ~/.aws or the user's cache.
#
#   scripts/bench-cli.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/awssession" ./cmd/awssession
bin=$tmp/awssession

# Isolation: no shared config, no profile, a private cache.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWSSESSION_CACHE_DIR=$tmp/cache
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

"$bin" sts-server >"$tmp/sts.json" 2>"$tmp/sts.err" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/sts.err" 2>/dev/null && break; sleep 0.05; done
grep -q listening "$tmp/sts.err" || { cat "$tmp/sts.err" >&2; exit 1; }

field() { sed -n "s/.*\"$1\": \"\\([^\"]*\\)\".*/\\1/p" "$tmp/sts.json" | head -n 1; }
url=$(field url)
export AWSSESSION_SECRET_KEY; AWSSESSION_SECRET_KEY=$(field secretAccessKey)
export MFA_SEED; MFA_SEED=$(field secret)
access_key=$(field accessKeyId)
serial=$(field serialNumber)
role=$(sed -n 's/.*"arn": "\(arn:aws:iam::[0-9]*:role\/[^"]*\)".*/\1/p' "$tmp/sts.json" | head -n 1)

static=("$bin" env --silent --access-key "$access_key" --region us-east-1 --no-cache)
session=(--access-key "$access_key" --region us-east-1 --sts-endpoint "$url"
  --mfa-serial "$serial" --mfa-totp-secret-env MFA_SEED --role-arn "$role")
warm=("$bin" env --silent "${session[@]}")
"${warm[@]}" >/dev/null # prime the cache: one AssumeRole with an MFA code
echo "warm cache: $("$bin" explain "${session[@]}" | tail -n 1)" >&2

median_ms() { # command...: median wall time of $runs runs, in ms
  local times=() start end
  for _ in $(seq "$runs"); do
    start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m/1000}'
}

if command -v hyperfine >/dev/null; then
  q() { printf '%q ' "$@"; }
  hyperfine --warmup 3 --runs "$runs" --export-markdown "$tmp/bench.md" \
    -n "env, static keys" "$(q "${static[@]}")" \
    -n "env, MFA + role, warm cache" "$(q "${warm[@]}")" >&2
  cat "$tmp/bench.md"
else
  printf '%-32s %s\n' "awssession (median of $runs)" "ms"
  printf '%-32s %s\n' "env, static keys" "$(median_ms "${static[@]}")"
  printf '%-32s %s\n' "env, MFA + role, warm cache" "$(median_ms "${warm[@]}")"
fi
