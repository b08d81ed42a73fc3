#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 20), starting from the committed
# seeds and the corpus earlier runs grew (kept outside the checkout). A crash stops the
# run with the input that caused it saved under fuzz/artifacts/TARGET/.
#
#   .ci/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-20}"
shift || true
export CARGO_TARGET_DIR="${GOVSHARE_FUZZ_TARGET_DIR:-$HOME/.cache/govshare-fuzz-target}"
corpus_root="${GOVSHARE_FUZZ_CORPUS:-$HOME/.cache/govshare-fuzz-corpus}"
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz@0.13.2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
# Built once; the runs below use the binaries as built, whatever changes meanwhile.
cargo +nightly fuzz build -O 2>&1 | tail -1
bin_dir="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"
for t in "${targets[@]}"; do
  mkdir -p "$corpus_root/$t"
  printf '%-14s ' "$t"
  log="$corpus_root/$t.log"
  mkdir -p "artifacts/$t"
  if "$bin_dir/$t" "$corpus_root/$t" "seeds/$t" -artifact_prefix="artifacts/$t/" \
      -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" |
      sed 's/stat:://' | tr '\n' ' '
    grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1
  else
    echo "FAILED"
    grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -20
    exit 1
  fi
done
