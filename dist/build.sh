#!/usr/bin/env bash
# Builds, for the machine it runs on (or for $LEASTROLE_TARGET, a Rust target triple),
# everything a user installs, ready to publish (docs/ci.md, "Releases"):
#   OUT/archive/leastrole-<version>-<target>.tar.gz (.zip on Windows) and its .sha256
#   OUT/npm/leastrole-<version>.tgz                  the `leastrole` command (a Node shim)
#   OUT/npm/leastrole-<os>-<cpu>-<version>.tgz       this platform's binary
#   OUT/npm/serverless-leastrole-<version>.tgz       the plugin, depending on `leastrole`
#   OUT/python/leastrole-<version>-*.whl             the binary as a wheel (maturin, bin)
# One release compile (the `dist` profile: release, stripped): maturin runs cargo with the
# same profile, target folder and features as the build below, so it finds it all built.
# $LEASTROLE_PROFILE names another cargo profile (the install test's `dist-check`: the
# same packages from an unoptimised compile, a quarter of the time).
# Needs cargo, node and npm, maturin (PyPI, pinned in .ci/run), tar (zip on Windows).
# Usage: dist/build.sh OUT
set -euo pipefail
# (Arrays expand as ${a[@]+"${a[@]}"}: an empty one under `set -u` fails in bash 3.2, macOS's.)

if [ $# -ne 1 ]; then
  echo "usage: dist/build.sh OUT" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"

version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$root/Cargo.toml")"
host="$(rustc -vV | sed -n 's/^host: //p')"
target="${LEASTROLE_TARGET:-$host}"
target_args=()
if [ "$target" != "$host" ]; then
  target_args=(--target "$target")
fi
profile="${LEASTROLE_PROFILE:-dist}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
if [ "$target" != "$host" ]; then
  bin_dir="$target_dir/$target/$profile"
else
  bin_dir="$target_dir/$profile"
fi

# npm's names for the target's platform; a static musl binary runs on any Linux, so
# only a glibc build restricts `libc`.
case "$target" in
  x86_64-*-linux-*) os=linux cpu=x64 ;;
  aarch64-*-linux-*) os=linux cpu=arm64 ;;
  x86_64-apple-darwin) os=darwin cpu=x64 ;;
  aarch64-apple-darwin) os=darwin cpu=arm64 ;;
  x86_64-pc-windows-*) os=win32 cpu=x64 ;;
  *)
    echo "dist/build.sh: no npm platform for target $target" >&2
    exit 2
    ;;
esac
libc=""
case "$target" in *-linux-gnu) libc=glibc ;; esac
exe=leastrole
if [ "$os" = win32 ]; then exe=leastrole.exe; fi

# Paths reach node as arguments, never inside its script text: Git Bash on Windows rewrites
# arguments (/d/a/... to D:/a/...), not the text.
plugin_version="$(node -p 'require(process.argv[1]).version' "$root/crates/serverless-plugin/package.json")"
if [ "$plugin_version" != "$version" ]; then
  echo "dist/build.sh: serverless-leastrole is $plugin_version, the crates $version" >&2
  exit 2
fi

step() { printf '\n==> %s\n' "$*" >&2; }

step "cargo build --profile $profile ($target)"
cargo build --profile "$profile" --locked -p leastrole ${target_args[@]+"${target_args[@]}"} --manifest-path "$root/Cargo.toml"
binary="$bin_dir/$exe"
"$binary" --version >&2

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi
}

step "archive"
rm -rf "$out/archive" "$out/npm" "$out/python"
mkdir -p "$out/archive" "$out/npm" "$out/python"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
name="leastrole-$version-$target"
mkdir -p "$stage/archive/$name"
cp "$binary" "$root/README.md" "$root/LICENSE" "$stage/archive/$name/"
if [ "$os" = win32 ]; then
  archive="$name.zip"
  (cd "$stage/archive" && 7z a -tzip -bso0 "$out/archive/$archive" "$name")
else
  archive="$name.tar.gz"
  tar -czf "$out/archive/$archive" -C "$stage/archive" "$name"
fi
(cd "$out/archive" && sha256 "$archive" >"$archive.sha256")

step "npm packages"
platform_pkg="leastrole-$os-$cpu"
# The platform package: the binary and a package.json npm matches against the machine.
mkdir -p "$stage/npm/platform/bin" "$stage/npm/leastrole" "$stage/npm/plugin"
cp "$binary" "$stage/npm/platform/bin/"
NAME="$platform_pkg" VERSION="$version" OS="$os" CPU="$cpu" LIBC="$libc" node -e '
  const e = process.env;
  const pkg = {
    name: e.NAME, version: e.VERSION,
    description: `The leastrole binary for ${e.OS}-${e.CPU} (installed by the leastrole package)`,
    license: "Apache-2.0",
    repository: { type: "git", url: "git+https://github.com/leastrole/leastrole.git" },
    os: [e.OS], cpu: [e.CPU], ...(e.LIBC ? { libc: [e.LIBC] } : {}),
    files: ["bin/"], preferUnplugged: true,
  };
  process.stdout.write(JSON.stringify(pkg, null, 2) + "\n");
' >"$stage/npm/platform/package.json"
# `leastrole`: the shim, with an optional dependency on every platform of the release.
cp -R "$root/dist/npm/leastrole/." "$stage/npm/leastrole/"
cp "$root/LICENSE" "$stage/npm/leastrole/"
VERSION="$version" node -e '
  const e = process.env;
  const { PLATFORMS } = require(process.argv[1]);
  const pkg = {
    name: "leastrole", version: e.VERSION,
    description: "Least-privilege IAM policies for AWS Lambda functions, read from their source",
    license: "Apache-2.0",
    repository: { type: "git", url: "git+https://github.com/leastrole/leastrole.git" },
    main: "index.js", bin: { leastrole: "bin/leastrole.js" },
    files: ["index.js", "bin/", "README.md"],
    engines: { node: ">=18" },
    optionalDependencies: Object.fromEntries(PLATFORMS.map((p) => [`leastrole-${p}`, e.VERSION])),
  };
  process.stdout.write(JSON.stringify(pkg, null, 2) + "\n");
' "$root/dist/npm/leastrole/index.js" >"$stage/npm/leastrole/package.json"
# serverless-leastrole: the plugin as it is, plus its dependency on `leastrole` (added
# here, not in its package.json, whose lockfile is for the plugin's own tests).
plugin="$root/crates/serverless-plugin"
cp -R "$plugin/index.js" "$plugin/lib" "$plugin/README.md" "$plugin/package.json" "$stage/npm/plugin/"
VERSION="$version" node -e '
  const fs = require("fs");
  const file = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.dependencies = { ...(pkg.dependencies || {}), leastrole: process.env.VERSION };
  delete pkg.devDependencies;
  delete pkg.scripts;
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$stage/npm/plugin/package.json"
for dir in platform leastrole plugin; do
  (cd "$stage/npm/$dir" && npm pack --silent --pack-destination "$out/npm" >/dev/null)
done

step "python wheel"
# A static musl binary runs on any Linux: tag its wheel for glibc (manylinux) and musl
# pips both. Elsewhere maturin picks the tag from what the binary links.
compat=()
case "$target" in *-linux-musl) compat=(--compatibility manylinux2014 musllinux_1_2) ;; esac
(cd "$root/dist/python" &&
  maturin build --profile "$profile" --locked ${target_args[@]+"${target_args[@]}"} ${compat[@]+"${compat[@]}"} --out "$out/python")

step "done"
(cd "$out" && find . -type f | sort) >&2
