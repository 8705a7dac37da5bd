#!/usr/bin/env node
'use strict';

// A stand-in for the leastrole binary in unit tests. It records its arguments and stdin
// in $FAKE_LEASTROLE_RECORD (JSON lines) and answers from $FAKE_LEASTROLE_ANSWERS, a JSON
// file mapping the subcommand (`generate`, `check`) to { stdout, stderr, code } or
// { signal } (it then kills itself with that signal, as the OOM killer would).
// `--version` prints `leastrole $FAKE_LEASTROLE_VERSION` (default 0.1.0).

const fs = require('fs');

const args = process.argv.slice(2);
if (args[0] === '--version') {
  process.stdout.write(`leastrole ${process.env.FAKE_LEASTROLE_VERSION || '0.1.0'}\n`);
  process.exit(0);
}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const stdin = Buffer.concat(chunks).toString('utf8');
  if (process.env.FAKE_LEASTROLE_RECORD) {
    fs.appendFileSync(process.env.FAKE_LEASTROLE_RECORD, `${JSON.stringify({ args, stdin })}\n`);
  }
  const answers = JSON.parse(fs.readFileSync(process.env.FAKE_LEASTROLE_ANSWERS, 'utf8'));
  const answer = answers[args[0]] || { stderr: `fake: no answer for ${args[0]}\n`, code: 2 };
  if (answer.signal) process.kill(process.pid, answer.signal);
  process.stdout.write(answer.stdout || '');
  process.stderr.write(answer.stderr || '');
  process.exitCode = answer.code || 0;
});
