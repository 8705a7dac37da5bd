'use strict';

// Where the leastrole binary of this machine's platform package is. The package
// `leastrole` holds no binary: it lists one optional dependency per platform of the
// release (`leastrole-<os>-<cpu>`, each with `os`/`cpu` set), and npm installs the one
// that matches, as esbuild and biome do.

const path = require('path');

// The platforms the release builds (dist/build.sh names the packages this way).
const PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];

function platformPackage(platform = process.platform, arch = process.arch) {
  return `leastrole-${platform}-${arch}`;
}

// The binary's path; throws an Error saying which platform has none, and why.
function binaryPath(platform = process.platform, arch = process.arch) {
  const key = `${platform}-${arch}`;
  const pkg = platformPackage(platform, arch);
  const exe = platform === 'win32' ? 'leastrole.exe' : 'leastrole';
  let dir;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    const why = PLATFORMS.includes(key)
      ? `its package ${pkg} is not installed (was npm run with --omit=optional or --no-optional?)`
      : `no prebuilt binary is published for it (only for ${PLATFORMS.join(', ')})`;
    throw new Error(
      `leastrole: no binary for this platform (${key}): ${why}. ` +
        'Build one with `cargo install --locked --git https://github.com/leastrole/leastrole leastrole`.'
    );
  }
  return path.join(dir, 'bin', exe);
}

module.exports = { PLATFORMS, binaryPath, platformPackage };
