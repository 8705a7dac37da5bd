#!/usr/bin/env node
'use strict';

// The `leastrole` command of the npm package: runs the platform package's binary with
// the same arguments and standard streams, and exits as it did.

const { spawnSync } = require('child_process');
const { binaryPath } = require('..');

let binary;
try {
  binary = binaryPath();
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(2);
}
const out = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
if (out.error) {
  process.stderr.write(`leastrole: cannot run ${binary}: ${out.error.message}\n`);
  process.exit(2);
}
if (out.signal) process.kill(process.pid, out.signal);
process.exit(out.status === null ? 2 : out.status);
