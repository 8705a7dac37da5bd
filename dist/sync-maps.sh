#!/usr/bin/env bash
# Copies the service-maps files crates/maps embeds into the crate (default
# crates/maps/service-maps, git-ignored), so `cargo package -p leastrole-maps` packages
# them: a published crate cannot read ../../service-maps. service-maps/ stays the one
# source; crates/maps/tests/package.rs fails when the copy differs from it.
# Usage: dist/sync-maps.sh [DEST]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/service-maps"
dest="${1:-$root/crates/maps/service-maps}"
rm -rf "$dest"
mkdir -p "$dest/sam" "$dest/managed-policies"
for dir in services iam helpers; do
  mkdir -p "$dest/$dir"
  cp "$src/$dir"/*.json "$dest/$dir/"
done
cp "$src/sam/policy_templates.json" "$dest/sam/"
cp "$src/managed-policies/aws.jsonl" "$dest/managed-policies/"
cp "$src/index.json" "$src/NOTICE" "$dest/"
