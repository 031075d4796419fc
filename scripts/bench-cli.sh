#!/usr/bin/env bash
# Times "awssession env" as a shell would run it: with static keys (no STS
# call at all), for an MFA + role session and for a profile session served
# from a warm cache (the second run of the day), and "env --unset", which
# builds no session: the cost of starting the binary at all. Prints the median of RUNS runs of
# each, with AWS_CA_BUNDLE as set in the environment and unset; uses
# hyperfine when it is installed (apt-get install hyperfine), else a shell
# loop (which adds ~1 ms of fork and date per run). Then it runs the same
# command lines side by side with two reference programs (an empty Go
# program, and one that links the SDK's config package), in turn, round
# after round, for medians that a shared machine's drift does not skew.
# Everything runs on loopback against "awssession sts-server"; nothing
# reads ~/.aws or the user's cache.
#
#   scripts/bench-cli.sh [RUNS]                  (default 30)
#   CGO_ENABLED=0 scripts/bench-cli.sh [RUNS]    a static binary, which starts faster
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

# Isolation: shared files of our own (written below), no profile from the
# environment, a private cache.
export AWS_CONFIG_FILE=$tmp/config AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials AWSSESSION_CACHE_DIR=$tmp/cache
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
: >"$AWS_CONFIG_FILE"; : >"$AWS_SHARED_CREDENTIALS_FILE"

# alice with an MFA device; Admin trusts her with MFA, Deep trusts Admin.
printf '%s' '{"users":[{"name":"alice","mfa":true}],"roles":[{"name":"Admin","principals":["alice"],"requireMFA":true},{"name":"Deep","principals":["Admin"]}]}' >"$tmp/users.json"
"$bin" sts-server --users "$tmp/users.json" >"$tmp/sts.json" 2>"$tmp/sts.err" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/sts.err" 2>/dev/null && break; sleep 0.05; done
grep -q listening "$tmp/sts.err" || { cat "$tmp/sts.err" >&2; exit 1; }

field() { sed -n "s/.*\"$1\": \"\\([^\"]*\\)\".*/\\1/p" "$tmp/sts.json" | head -n 1; }
url=$(field url)
export AWSSESSION_SECRET_KEY; AWSSESSION_SECRET_KEY=$(field secretAccessKey)
export MFA_SEED; MFA_SEED=$(field secret)
access_key=$(field accessKeyId)
serial=$(field serialNumber)
role=$(sed -n 's/.*"arn": "\(arn:aws:iam::[0-9]*:role\/Admin\)".*/\1/p' "$tmp/sts.json" | head -n 1)
deep=$(sed -n 's/.*"arn": "\(arn:aws:iam::[0-9]*:role\/Deep\)".*/\1/p' "$tmp/sts.json" | head -n 1)

# Profiles as people write them: "bench" holds alice's keys, "admin" is a
# role on it that needs her MFA device, "deep" a role on admin. The first
# run of deep makes the MFA session, admin's hop and deep's hop; the runs
# measured read deep's cache entry, planned from the parsed files.
printf '[profile bench]\nregion = us-east-1\n\n[profile admin]\nsource_profile = bench\nrole_arn = %s\nmfa_serial = %s\n\n[profile deep]\nsource_profile = admin\nrole_arn = %s\n' \
  "$role" "$serial" "$deep" >"$AWS_CONFIG_FILE"
printf '[bench]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$access_key" "$AWSSESSION_SECRET_KEY" >"$AWS_SHARED_CREDENTIALS_FILE"

static=("$bin" env --silent --access-key "$access_key" --region us-east-1 --no-cache)
# The same with the cache on and the same endpoint, as the profile line runs: its
# baseline (the cache is opened, though static keys need no entry).
static_cached=("$bin" env --silent --access-key "$access_key" --region us-east-1 --sts-endpoint "$url")
profile=("$bin" env --silent --profile deep --sts-endpoint "$url" --mfa-totp-secret-env MFA_SEED)
session=(--access-key "$access_key" --region us-east-1 --sts-endpoint "$url"
  --mfa-serial "$serial" --mfa-totp-secret-env MFA_SEED --role-arn "$role")
warm=("$bin" env --silent "${session[@]}")
"${warm[@]}" >/dev/null # prime the cache: one AssumeRole with an MFA code
"${profile[@]}" >/dev/null # and the profile chain: an MFA session, admin's hop, deep's hop
echo "warm cache: $("$bin" explain "${session[@]}" | tail -n 1)" >&2

median_ms() { # command...: median wall time of $runs runs, in ms
  local times=() start end
  for _ in $(seq 3); do "$@" >/dev/null; done # warm-up
  for _ in $(seq "$runs"); do
    start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m/1000}'
}

floor=("$bin" env --unset)
names=("env, static keys" "env, MFA + role, warm cache" "env, profile chain, warm cache" "env --unset (start-up floor)")
measure() { # prints one line per command: name, median ms
  if command -v hyperfine >/dev/null; then
    q() { printf '%q ' "$@"; }
    hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/bench.json" \
      "$(q "${static[@]}")" "$(q "${warm[@]}")" "$(q "${profile[@]}")" "$(q "${floor[@]}")" >/dev/null 2>&1
    grep -o '"median": *[0-9.e+-]*' "$tmp/bench.json" | awk '{printf "%.2f\n", $2 * 1000}'
  else
    median_ms "${static[@]}"; echo
    median_ms "${warm[@]}"; echo
    median_ms "${profile[@]}"; echo
    median_ms "${floor[@]}"; echo
  fi | paste <(printf '%s\n' "${names[@]}") - | awk -F '\t' -v ca="$1" '{printf "%-32s %-26s %8s\n", $1, ca, $2}'
}

tool=loop; command -v hyperfine >/dev/null && tool=hyperfine
echo "median of $runs runs ($tool), build: CGO_ENABLED=$(go env CGO_ENABLED), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-32s %-26s %8s\n' "awssession" "AWS_CA_BUNDLE" "ms"
if [ -n "${AWS_CA_BUNDLE:-}" ]; then
  measure "set ($(basename "$AWS_CA_BUNDLE"))"
fi
(unset AWS_CA_BUNDLE; measure "unset")

# Side by side: the same command lines and two reference programs, in
# turn, round after round (scripts/interleave), so that the machine's
# drifting load hits them alike; the ratios to the empty program hold
# better than the medians above. "empty Go program" and "SDK config
# linked" are floors: the second is what any program that links the SDK's
# config package pays before main, awssession included.
go build -o "$tmp/empty" ./scripts/floor/empty
go build -o "$tmp/sdkconfig" ./scripts/floor/sdkconfig
go build -o "$tmp/interleave" ./scripts/interleave
echo
ca=unset; [ -n "${AWS_CA_BUNDLE:-}" ] && ca="set ($(basename "$AWS_CA_BUNDLE"))"
echo "AWS_CA_BUNDLE $ca, build: CGO_ENABLED=$(go env CGO_ENABLED), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$tmp/interleave" -rounds "$runs" \
  -names "empty Go program|SDK config linked|env --unset|env, static keys, --no-cache|env, static keys|env, MFA + role, warm cache|env, profile chain, warm cache" \
  "$tmp/empty" "$tmp/sdkconfig" "${floor[*]}" "${static[*]}" "${static_cached[*]}" "${warm[*]}" "${profile[*]}"
