#!/usr/bin/env bash
# Runs the benchmarks in release mode and prints Markdown tables with ratios.
#   bench/run.sh            # catalog import and search, SQLite
#   GOVSHARE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bench/run.sh import
#   bench/run.sh pools | lookups | granted  # pool loading; sharing lookups under wrk;
#                                           # lookups and verifications under a grant
#   bench/run.sh loading   # lookups under a grant alone and during a 10M-row load
#   bench/run.sh console   # console pages under wrk -c16 beside the API, page weights
#   bench/run.sh bigload   # govshare demo --persons 44020000 (GOVSHARE_BENCH_PERSONS)
#   GOVSHARE_BENCH_BASELINE=/path/to/older/govshare GOVSHARE_BENCH_BASELINE_SCHEMA=N \
#     bench/run.sh lookups           # also an older build, in the same turns (BENCHMARKS.md)
#   GOVSHARE_BENCH_BASELINE_SQL="UPDATE ..."  # more SQL on the older build's copy of the data
# The peers are installed when missing: sqlite3, wrk, nginx (Debian), sqlite-utils and
# datasette (PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=0
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/govshare-target}"
need() { command -v "$1" >/dev/null 2>&1; }
if ! need sqlite3 || ! need wrk || ! need nginx; then
  (apt-get update -qq && apt-get install -y -qq sqlite3 wrk nginx-light) >/dev/null 2>&1 || echo "could not install sqlite3/wrk/nginx" >&2
fi
need sqlite-utils || pip install -q sqlite-utils >/dev/null 2>&1 || echo "could not install sqlite-utils" >&2
need datasette || pip install -q datasette >/dev/null 2>&1 || echo "could not install datasette" >&2
cargo build --release -q -p govshare-bench -p govshare
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); sqlite3 $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
"$CARGO_TARGET_DIR/release/govshare-bench" "${1:-all}"
