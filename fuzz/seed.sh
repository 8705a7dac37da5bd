#!/usr/bin/env bash
# Seeds each fuzz target's corpus from the repository's fixtures (docs/robustness.md).
# The corpus is not committed: it grows with every run.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/python_frontend corpus/js_frontend corpus/config_loader
fixtures=../fixtures
find "$fixtures" -name '*.py' -size -64k | while read -r f; do
  cp "$f" "corpus/python_frontend/$(echo "${f#../fixtures/}" | tr "/" _)"
done
# js_frontend: the first byte picks the grammar (0 js, 1 mjs, 2 ts, 3 tsx).
find "$fixtures" \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.ts' -o -name '*.tsx' -o -name '*.mts' \) -size -64k |
  while read -r f; do
    case "$f" in *.tsx) b='\x03' ;; *.ts|*.mts) b='\x02' ;; *.mjs) b='\x01' ;; *) b='\x00' ;; esac
    { printf "$b"; cat "$f"; } > "corpus/js_frontend/$(echo "${f#../fixtures/}" | tr "/" _)"
  done
# config_loader: the first byte picks the file (0 serverless.yml, 1 template.yaml,
# 2 serverless.json, 3 template.json, 4 cdk.out template).
find "$fixtures" \( -name 'serverless.yml' -o -name 'template.yaml' -o -name '*.template.json' \) -size -64k |
  while read -r f; do
    case "$f" in *serverless.yml) b='\x00' ;; *template.yaml) b='\x01' ;; *) b='\x04' ;; esac
    { printf "$b"; cat "$f"; } > "corpus/config_loader/$(echo "${f#../fixtures/}" | tr "/" _)"
  done
echo "seeded: $(ls corpus/python_frontend | wc -l) python, $(ls corpus/js_frontend | wc -l) js, $(ls corpus/config_loader | wc -l) config"
