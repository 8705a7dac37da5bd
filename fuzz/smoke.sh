#!/usr/bin/env bash
# CI's short fuzz run (docs/robustness.md): builds the fuzz targets without
# instrumentation (stable Rust, debug build, so overflow checks and debug assertions are
# on), seeds their corpus from fixtures/, and runs each on a fixed number of mutated
# inputs with a fixed seed, so a run is reproducible. No coverage guidance: it catches a
# panic, overflow or hang on inputs near the fixtures, and that the targets still build
# against the libraries. Longer, instrumented runs: docs/robustness.md.
#
# FUZZ_SMOKE_RUNS overrides the number of inputs per target (default 20000).
set -euo pipefail
cd "$(dirname "$0")"

runs="${FUZZ_SMOKE_RUNS:-20000}"
cargo build --locked --quiet
./seed.sh
mkdir -p corpus/diff_reader artifacts
for target in python_frontend js_frontend config_loader diff_reader; do
  # -seed fixes the mutation sequence; -timeout fails an input that hangs; the corpus is
  # read but not grown (a fresh directory takes the new inputs and is dropped).
  scratch="$(mktemp -d)"
  if ! target/debug/"$target" "$scratch" corpus/"$target" -seed=1 -runs="$runs" -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="artifacts/$target-" -print_final_stats=1 \
    > "$scratch.log" 2>&1; then
    cat "$scratch.log"
    echo "fuzz smoke: $target failed; the input is in fuzz/artifacts/ (docs/robustness.md)" >&2
    rm -rf "$scratch" "$scratch.log"
    exit 1
  fi
  done_line="$(grep -E '^Done [0-9]+ runs' "$scratch.log" || true)"
  echo "fuzz smoke: $target: ${done_line:-done}"
  rm -rf "$scratch" "$scratch.log"
done
