#!/usr/bin/env bash
# A folder of real Python and JavaScript code for the scale bench, fetched from the
# package registries at pinned versions (nothing is committed): moto's sources (1,352
# Python modules with deep class hierarchies and thousands of call sites of shared
# helpers) and the Serverless Framework's `lib/` (307 JavaScript modules).
#
#   crates/cli/benches/real-corpus.sh DIR
#   LEASTROLE_BENCH_DIRS=DIR cargo bench -p leastrole --bench scale
set -euo pipefail
dir=${1:?usage: real-corpus.sh DIR}
moto=5.0.28
serverless=3.39.0
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --dest "$work" "moto==$moto"
(cd "$work" && npm pack --silent "serverless@$serverless" >/dev/null)
python3 - "$work/moto-$moto-py3-none-any.whl" "$dir" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    wheel.extractall(sys.argv[2], [n for n in wheel.namelist() if n.startswith("moto/")])
PY
# Only `lib/`: the package's `docs/` holds example `serverless.yml` files, which would
# make the folder a Serverless project instead of a plain one.
tar -xzf "$work/serverless-$serverless.tgz" -C "$work"
mkdir -p "$dir/serverless"
cp -R "$work/package/lib" "$dir/serverless/lib"
find "$dir" -name '*.py' -o -name '*.js' -o -name '*.ts' | wc -l | xargs echo "source files:"
