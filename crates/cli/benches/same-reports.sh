#!/usr/bin/env bash
# Byte-identical output check for speed work: runs two leastrole binaries (before,
# after) on every fixture project and on each extra folder given (e.g. the bench's
# corpora, kept with LEASTROLE_BENCH_KEEP=1), and compares their JSON reports and exit
# codes. Exit 0 when every report is identical.
#
#   crates/cli/benches/same-reports.sh OLD_BIN NEW_BIN [FOLDER...]
set -euo pipefail
old=$1 new=$2
shift 2
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
folders=("$root"/fixtures/projects/*/ "$@")
differ=0
for dir in "${folders[@]}"; do
  name=$(printf '%s' "$dir" | tr '/' '_')
  for side in old new; do
    bin=${!side}
    set +e
    "$bin" generate "$dir" --format json -o "$work/$side$name.json" 2>/dev/null
    echo $? >"$work/$side$name.rc"
    set -e
  done
  # On an error exit (2) neither writes a report: both missing is the same.
  same_json=1
  if [ -e "$work/old$name.json" ] || [ -e "$work/new$name.json" ]; then
    cmp -s "$work/old$name.json" "$work/new$name.json" || same_json=0
  fi
  if ! cmp -s "$work/old$name.rc" "$work/new$name.rc" || [ "$same_json" = 0 ]; then
    echo "DIFFERENT: $dir"
    differ=1
  fi
done
[ "$differ" = 0 ] && echo "identical: ${#folders[@]} folders"
exit "$differ"
