#!/usr/bin/env bash
# A folder of generated and compiled JavaScript for the scale bench, fetched from npm at
# a pinned version (nothing is committed): aws-cdk-lib's 2,440 `.js` files (47 MB, one
# import component with a cycle through most of it, and single-line files of megabytes).
# Every other file is removed, so the folder is a plain one.
#
#   crates/cli/benches/cdk-corpus.sh DIR
#   LEASTROLE_BENCH_DIRS=DIR cargo bench -p leastrole --bench scale
set -euo pipefail
dir=${1:?usage: cdk-corpus.sh DIR}
version=2.170.0
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "aws-cdk-lib@$version" >/dev/null)
tar -xzf "$work/aws-cdk-lib-$version.tgz" -C "$work"
find "$work/package" -type f ! -name '*.js' -delete
cp -R "$work/package/." "$dir/"
find "$dir" -name '*.js' | wc -l | xargs echo "source files:"
