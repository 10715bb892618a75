#!/usr/bin/env bash
# Builds the fuzz target with libFuzzer's coverage instrumentation on the stable toolchain (the
# flags cargo-fuzz passes, minus the nightly-only sanitizer) and runs it.
#   fuzz/run.sh [SECONDS]     default 60; the seed corpus comes from fixtures/
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps RUSTFLAGS off build scripts and proc-macros, as cargo-fuzz does.
target=$(rustc -vV | sed -n "s/^host: //p")
cargo build --locked --release --bin validate --target "$target"
mkdir -p corpus/validate artifacts/validate
find ../fixtures -type f \( -name '*.json' -o -name '*.ndjson' \) -size -64k -exec cp {} corpus/validate/ \; 2>/dev/null || true
exec "target/$target/release/validate" corpus/validate -artifact_prefix=artifacts/validate/ \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=512 -max_len=65536
