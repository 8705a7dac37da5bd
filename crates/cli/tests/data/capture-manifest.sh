#!/usr/bin/env bash
# Regenerates orders-v3.manifest.json, the input of crates/cli/tests/manifest_cmd.rs: the
# manifest the Serverless plugin sends to leastrole at `serverless package`
# (before:package:finalize) for the plugin's fixture service, with serverless@3 as pinned
# in crates/serverless-plugin/package-lock.json. Run it after changing the fixture
# service or the plugin's manifest, then review `git diff`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
plugin="$root/crates/serverless-plugin"
fixture="$plugin/test/fixtures/orders-v3"

(cd "$plugin" && { [ -d node_modules/serverless ] || npm ci --no-audit --no-fund; })
# The fixture names the plugin as a user would; resolve it to this checkout.
[ -e "$plugin/node_modules/serverless-leastrole" ] || ln -s .. "$plugin/node_modules/serverless-leastrole"
cargo build --quiet --manifest-path "$root/Cargo.toml" -p leastrole
real="$root/target/debug/leastrole"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# A stand-in binary that keeps a copy of the manifest (stdin) and runs the real one.
cat >"$tmp/leastrole" <<SH
#!/usr/bin/env bash
[ "\$1" = --version ] && exec "$real" --version
tee "$tmp/manifest.json" | "$real" "\$@"
SH
chmod +x "$tmp/leastrole"

(
  cd "$fixture"
  LEASTROLE_BINARY="$tmp/leastrole" SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
    node "$plugin/node_modules/serverless/bin/serverless.js" package --package "$tmp/out" >/dev/null
)
# The service folder is machine-specific: the test puts its own in place of the marker.
python3 - "$tmp/manifest.json" "$here/orders-v3.manifest.json" "$fixture" <<'PY'
import json, sys
source, target, service_dir = sys.argv[1:]
manifest = json.load(open(source, encoding="utf-8"))
assert manifest["serviceDir"] == service_dir, manifest["serviceDir"]
manifest["serviceDir"] = "@SERVICE_DIR@"
with open(target, "w", encoding="utf-8") as out:
    json.dump(manifest, out, indent=2, ensure_ascii=False)
    out.write("\n")
PY
echo "wrote $here/orders-v3.manifest.json"
