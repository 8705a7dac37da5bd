'use strict';

// Finding the leastrole binary, checking its version, and running it (arguments without a
// shell, the manifest on stdin, JSON on stdout, messages on stderr).

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const { fail } = require('./config');
const pluginVersion = require('../package.json').version;

const ENV = 'LEASTROLE_BINARY';

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

// `leastrole` in one of the PATH folders (with PATHEXT on Windows).
function onPath(env) {
  const dirs = (env.PATH || '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? (env.PATHEXT || '.EXE').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, `leastrole${ext}`);
      if (isFile(candidate)) return candidate;
    }
  }
  return null;
}

// The binary of the `leastrole` npm package (the published plugin depends on it; it holds
// the binary of this machine's platform through an optional dependency): { binary } or,
// when it is missing or has no binary for this platform, { why }.
function packagedBinary() {
  let leastrole;
  try {
    leastrole = require('leastrole');
  } catch {
    return { why: 'the leastrole npm package is not installed' };
  }
  try {
    const p = leastrole.binaryPath();
    return isFile(p) ? { binary: p } : { why: `the leastrole npm package has no file at ${p}` };
  } catch (e) {
    return { why: e.message };
  }
}

// The binary to run: custom.leastrole.binary (relative to the service folder), then
// $LEASTROLE_BINARY, then the leastrole npm package's, then `leastrole` on PATH. A path
// that is given but missing is an error rather than a silent fall-through.
function findBinary(serverless, config, env = process.env, packaged = packagedBinary) {
  if (config.binary) {
    const p = path.resolve(serviceDir(serverless), config.binary);
    if (!isFile(p)) throw fail(serverless, `custom.leastrole.binary: no file at ${p}`);
    return p;
  }
  if (env[ENV]) {
    const p = path.resolve(env[ENV]);
    if (!isFile(p)) throw fail(serverless, `${ENV}: no file at ${p}`);
    return p;
  }
  const fromPackage = packaged();
  if (fromPackage.binary) return fromPackage.binary;
  const found = onPath(env);
  if (found) return found;
  throw fail(
    serverless,
    `cannot find the leastrole binary (${fromPackage.why}). Set custom.leastrole.binary in ` +
      `serverless.yml, or the ${ENV} environment variable, or install the leastrole npm ` +
      'package, or put `leastrole` on PATH (pip install leastrole, or a release binary)'
  );
}

function serviceDir(serverless) {
  return serverless.serviceDir || (serverless.config && serverless.config.servicePath) || process.cwd();
}

function parseVersion(text) {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text || '');
  return m ? m.slice(1, 4).map(Number) : null;
}

// Binaries this plugin can drive: the same major version, and for 0.x the same minor
// (0.x minor releases may change the manifest or the JSON it reads).
function compatible(binary, plugin) {
  if (binary[0] !== plugin[0]) return false;
  return plugin[0] !== 0 || binary[1] === plugin[1];
}

const checked = new Map();

// `leastrole --version` must answer and be compatible; checked once per binary.
function checkVersion(serverless, binary) {
  if (checked.has(binary)) return checked.get(binary);
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    const why = out.error ? out.error.message : (out.stderr || '').trim() || `exit ${out.status}`;
    throw fail(serverless, `${binary} --version failed: ${why}`);
  }
  const version = parseVersion(out.stdout);
  const wanted = parseVersion(pluginVersion);
  if (!/^leastrole /.test(out.stdout) || !version) {
    throw fail(
      serverless,
      `${binary} does not look like leastrole (--version printed ${JSON.stringify(out.stdout.trim())})`
    );
  }
  if (!compatible(version, wanted)) {
    const range = wanted[0] === 0 ? `0.${wanted[1]}.x` : `${wanted[0]}.x`;
    throw fail(
      serverless,
      `${binary} is leastrole ${version.join('.')}, but serverless-leastrole ${pluginVersion} needs ${range}`
    );
  }
  const v = version.join('.');
  checked.set(binary, v);
  return v;
}

// Run the binary with `args`, `input` on stdin. Resolves { code, stdout, stderr }; exit
// codes are the caller's to judge, a failure to start is an error.
function run(serverless, binary, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: serviceDir(serverless), stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (d) => stdout.push(d));
    child.stderr.on('data', (d) => stderr.push(d));
    child.on('error', (e) => reject(fail(serverless, `cannot run ${binary}: ${e.message}`)));
    child.on('close', (code, signal) => {
      resolve({
        // Killed by a signal: the shell's convention, 128 + its number, so that no
        // caller takes it for success or for leastrole's own exit codes (0, 1, 2).
        code: code === null ? 128 + (os.constants.signals[signal] || 0) : code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    // A binary that exits before reading all of stdin closes the pipe: not our error.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

// How a run ended, for a message: `exit 2`, or `killed by SIGKILL` (an out-of-memory
// kill, a timeout) rather than an exit code the binary never chose.
function ending(out) {
  return out.signal ? `killed by ${out.signal}` : `exit ${out.code}`;
}

module.exports = {
  ENV,
  findBinary,
  checkVersion,
  compatible,
  ending,
  packagedBinary,
  parseVersion,
  run,
  serviceDir,
};
