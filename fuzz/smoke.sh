#!/usr/bin/env bash
# CI's short fuzz run (docs/robustness.md): builds the fuzz targets without
# instrumentation (stable Rust, debug build, so overflow checks and debug assertions are
# on), seeds their corpus from fixtures/, and runs each on a fixed number of mutated
# inputs with a fixed seed, so a run is reproducible. No coverage guidance: it catches a
# panic, overflow or hang on inputs near the fixtures, and that the targets still build
# against the libraries. Longer, instrumented runs: docs/robustness.md.
#
# FUZZ_SMOKE_RUNS overrides the number of inputs per target (default 20000);
# FUZZ_SMOKE_JOBS the targets run at once (default: one per core; each run is one thread).
set -euo pipefail
cd "$(dirname "$0")"

export FUZZ_SMOKE_RUNS="${FUZZ_SMOKE_RUNS:-20000}"
jobs="${FUZZ_SMOKE_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}"
cargo build --locked --quiet
./seed.sh
mkdir -p corpus/diff_reader artifacts

# One target's run; its log is shown only when it fails.
run_target() {
  local target="$1" scratch done_line
  # -seed fixes the mutation sequence; -timeout fails an input that hangs; the corpus is
  # read but not grown (a fresh directory takes the new inputs and is dropped).
  scratch="$(mktemp -d)"
  if ! target/debug/"$target" "$scratch" corpus/"$target" -seed=1 -runs="$FUZZ_SMOKE_RUNS" \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="artifacts/$target-" \
    -print_final_stats=1 > "$scratch.log" 2>&1; then
    cat "$scratch.log"
    echo "fuzz smoke: $target failed; the input is in fuzz/artifacts/ (docs/robustness.md)" >&2
    rm -rf "$scratch" "$scratch.log"
    return 1
  fi
  done_line="$(grep -E '^Done [0-9]+ runs' "$scratch.log" || true)"
  echo "fuzz smoke: $target: ${done_line:-done}"
  rm -rf "$scratch" "$scratch.log"
}
export -f run_target

# The two slowest first, so they do not end up one after the other.
printf '%s\n' python_frontend js_frontend config_loader diff_reader |
  xargs -P "$jobs" -I{} bash -c 'run_target "$1"' _ {} ||
  { echo "fuzz smoke: a target failed (see above)" >&2; exit 1; }
