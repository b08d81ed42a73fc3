#!/usr/bin/env bash
# Runs the benchmarks in release mode and prints Markdown tables with ratios.
#   bench/run.sh            # catalog import and search, SQLite
#   GOVSHARE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bench/run.sh import
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=0
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/govshare-target}"
cargo build --release -q -p govshare-bench -p govshare
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); sqlite3 $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
"$CARGO_TARGET_DIR/release/govshare-bench" "${1:-all}"
