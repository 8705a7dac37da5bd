// The logic of the leastrole GitHub Action (../action.yml runs it; docs/ci.md documents it).
//
//   node action/run.mjs install   put a leastrole binary in place (a release archive, or a
//                                 build of the action's own checkout with `version: source`)
//   node action/run.mjs run       review: `leastrole diff --git` and/or `leastrole check`,
//                                 annotations, job summary, SARIF, one sticky PR comment
//
// Inputs come as INPUT_* variables (action.yml maps each input to one), the rest from the
// variables every GitHub runner sets (GITHUB_EVENT_PATH, GITHUB_API_URL, GITHUB_OUTPUT, …).
// Node's standard library only, so it runs on any runner with node 18 or later without an
// install step; crates/cli/tests/action.rs runs action.yml's steps (and so this script)
// against a fixture repository and a fake GitHub API.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The action's folder: the leastrole repository at the ref the workflow `uses`. */
const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where release archives are published (`LEASTROLE_DOWNLOAD_URL` replaces it: a mirror, the tests). */
const RELEASES = 'https://github.com/leastrole/leastrole/releases/download';

/** GitHub refuses a comment over 65,536 characters. */
const COMMENT_LIMIT = 65_000;

/** The Rust target of each runner platform the release matrix builds (docs/ci.md). */
const TARGETS = {
  'linux-x64': 'x86_64-unknown-linux-musl',
  'linux-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
};

/** A problem with the action's inputs or environment: `::error::`, exit 2. */
class ActionError extends Error {}

// ---------------------------------------------------------------------------------------
// Workflow commands and files

/** Escaping for a workflow command's message. */
function escapeData(s) {
  return String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function command(name, message) {
  process.stdout.write(`::${name}::${escapeData(message)}\n`);
}

function input(name, fallback = '') {
  const value = process.env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

function booleanInput(name, fallback) {
  const value = input(name, fallback).toLowerCase();
  if (['true', 'yes', '1'].includes(value)) return true;
  if (['false', 'no', '0'].includes(value)) return false;
  throw new ActionError(`input ${name} must be true or false, not "${value}"`);
}

function setOutput(name, value) {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) return;
  const text = String(value);
  if (/[\r\n]/.test(text)) throw new Error(`output ${name} holds a line break`);
  fs.appendFileSync(file, `${name}=${text}\n`);
}

/** The runner's temporary folder (emptied after each job), else the system's. */
function tempRoot() {
  return process.env.RUNNER_TEMP || os.tmpdir();
}

// ---------------------------------------------------------------------------------------
// install

/** The version this checkout of the action is: its workspace `Cargo.toml`'s. */
function actionVersion() {
  let text;
  try {
    text = fs.readFileSync(path.join(ACTION_DIR, 'Cargo.toml'), 'utf8');
  } catch (e) {
    throw new ActionError(`no version input, and the action's Cargo.toml cannot be read: ${e.message}`);
  }
  const section = text.split(/^\[/m).find((s) => s.startsWith('workspace.package]'));
  const m = section && /^version\s*=\s*"([^"]+)"/m.exec(section);
  if (!m) throw new ActionError("no version input, and the action's Cargo.toml has no [workspace.package] version");
  return m[1];
}

function releaseTarget() {
  const key = `${process.platform}-${process.arch}`;
  const target = TARGETS[key];
  if (!target) {
    throw new ActionError(
      `no leastrole release is built for ${key} (only ${Object.keys(TARGETS).join(', ')}): ` +
        'set `version: source` to build it with cargo'
    );
  }
  return target;
}

async function download(url) {
  let res;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (e) {
    throw new ActionError(`cannot download ${url}: ${e.cause?.message ?? e.message}`);
  }
  if (!res.ok) {
    throw new ActionError(
      `cannot download ${url}: HTTP ${res.status} (is it a leastrole release? ` +
        "`version: source` builds the action's own checkout instead)"
    );
  }
  return Buffer.from(await res.arrayBuffer());
}

function run(program, args, options = {}) {
  const r = spawnSync(program, args, { encoding: 'utf8', ...options });
  if (r.error) throw new ActionError(`cannot run ${program}: ${r.error.message}`);
  return r;
}

/** The leastrole binary under `dir`: at its top, or in the archive's one folder. */
function findBinary(dir, name) {
  for (const candidate of [path.join(dir, name), ...fs.readdirSync(dir).map((d) => path.join(dir, d, name))]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new ActionError(`the release archive holds no ${name}`);
}

async function installRelease(version) {
  const target = releaseTarget();
  const windows = process.platform === 'win32';
  const archive = `leastrole-${version}-${target}.${windows ? 'zip' : 'tar.gz'}`;
  const url = `${process.env.LEASTROLE_DOWNLOAD_URL || RELEASES}/v${version}/${archive}`;
  const data = await download(url);
  // The checksum file is published with the archive (`sha256sum` format).
  const sums = (await download(`${url}.sha256`)).toString('utf8');
  const expected = sums.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const actual = createHash('sha256').update(data).digest('hex');
  if (!/^[0-9a-f]{64}$/.test(expected)) throw new ActionError(`${url}.sha256 holds no SHA-256 digest`);
  if (expected !== actual) {
    throw new ActionError(`${archive} does not match its checksum (sha256 ${actual}, expected ${expected})`);
  }
  const dir = path.join(tempRoot(), `leastrole-${version}-${target}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, archive);
  fs.writeFileSync(file, data);
  const r = windows
    ? run('powershell', ['-NoProfile', '-Command', 'Expand-Archive', '-LiteralPath', file, '-DestinationPath', dir])
    : run('tar', ['-xzf', file, '-C', dir]);
  if (r.status !== 0) throw new ActionError(`cannot unpack ${archive}: ${r.stderr.trim()}`);
  fs.rmSync(file);
  const binary = findBinary(dir, windows ? 'leastrole.exe' : 'leastrole');
  if (!windows) fs.chmodSync(binary, 0o755);
  return binary;
}

function buildFromSource() {
  const root = path.join(tempRoot(), 'leastrole-source');
  const crate = path.join(ACTION_DIR, 'crates', 'cli');
  console.log(`cargo install --path ${crate} --locked --root ${root}`);
  const r = run('cargo', ['install', '--path', crate, '--locked', '--root', root], { stdio: 'inherit' });
  if (r.status !== 0) throw new ActionError(`cargo install failed (exit ${r.status})`);
  return path.join(root, 'bin', process.platform === 'win32' ? 'leastrole.exe' : 'leastrole');
}

async function install() {
  const wanted = input('version') || actionVersion();
  let binary;
  let version = null;
  if (wanted === 'source') {
    binary = buildFromSource();
  } else {
    version = wanted.replace(/^v/, '');
    if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
      throw new ActionError(`input version must be a release (0.1.0) or "source", not "${wanted}"`);
    }
    binary = await installRelease(version);
  }
  const r = run(binary, ['--version']);
  const said = r.stdout.trim();
  if (r.status !== 0 || (version !== null && said !== `leastrole ${version}`)) {
    throw new ActionError(`${binary} --version says "${said}" (exit ${r.status}), not leastrole ${version}`);
  }
  console.log(`${said}: ${binary}`);
  if (process.env.GITHUB_PATH) fs.appendFileSync(process.env.GITHUB_PATH, `${path.dirname(binary)}\n`);
  setOutput('binary', binary);
}

// ---------------------------------------------------------------------------------------
// run

/** Splits `args` as a shell would split words (quotes, backslashes), without expanding anything. */
function splitArgs(text) {
  const words = [];
  let word = null;
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word ??= '';
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < text.length) word += text[++i];
      else word += c;
    }
  }
  if (quote) throw new ActionError(`input args has an unclosed ${quote}`);
  if (word !== null) words.push(word);
  return words;
}

/**
 * `fail-on`: empty (each command's own default), one level for every command, or a level per
 * command (`diff=broadening,check=missing`). Levels are passed to leastrole as they are: it
 * validates them.
 */
function parseFailOn(text) {
  if (!text) return {};
  if (!/[=:]/.test(text)) return { diff: text, check: text };
  const levels = {};
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(diff|check)[=:](.+)$/.exec(part);
    if (!m) throw new ActionError(`input fail-on: "${part}" is neither a level nor diff=LEVEL or check=LEVEL`);
    levels[m[1]] = m[2];
  }
  return levels;
}

/** The hidden first line that finds the comment again: one per project folder. */
function markerFor(projectPath) {
  const p = path.posix.normalize(projectPath.replace(/\\/g, '/')).replace(/\/+$/, '');
  return p === '.' || p === '' ? '<!-- leastrole -->' : `<!-- leastrole: ${p.replace(/-->/g, '--&gt;')} -->`;
}

function readEvent() {
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ActionError(`cannot read the event GITHUB_EVENT_PATH names: ${e.message}`);
  }
}

/** The revision a pull request (or a merge queue group, or a push) starts from. */
function baseFromEvent(event) {
  const sha = event.pull_request?.base?.sha ?? event.merge_group?.base_sha ?? event.before;
  return typeof sha === 'string' && !/^0+$/.test(sha) ? sha : '';
}

/**
 * A shallow checkout (actions/checkout's default) lacks the base commit: fetch just that
 * commit, so `diff --git` can read its tree. When that fails leastrole says what is missing.
 */
function ensureCommit(base, projectPath) {
  const has = () => run('git', ['-C', projectPath, 'cat-file', '-e', `${base}^{commit}`]).status === 0;
  if (has()) return;
  console.log(`fetching the base revision ${base}`);
  const r = run('git', ['-C', projectPath, 'fetch', '--no-tags', '--depth=1', 'origin', base], { stdio: 'inherit' });
  if (r.status !== 0 || !has()) command('warning', `cannot fetch ${base}: set fetch-depth: 0 on actions/checkout`);
}

/**
 * One leastrole command in the three formats the action needs. Its annotations (and the job
 * summary, which `--format github` appends) go straight to the log; the Markdown is returned
 * for the comment. The status is the worst of the three runs (they analyse the same tree).
 */
function review(binary, name, baseArgs, sarifFile, tmp) {
  command('group', ['leastrole', ...baseArgs].join(' '));
  const github = run(binary, [...baseArgs, '--format', 'github'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
  process.stdout.write(github.stdout);
  process.stderr.write(github.stderr);
  command('endgroup', '');
  let status = github.status ?? 2;
  // An error leastrole did not annotate itself (an unknown base revision, a bad argument):
  // an annotation, so the pull request's checks say why, not just "exit code 2".
  const lines = github.stderr.split(/\r?\n/).filter((l) => l.trim());
  const why = (lines.findLast((l) => /error/.test(l)) ?? lines.at(-1) ?? '').trim();
  if (status >= 2 && !/^::error /m.test(github.stdout)) {
    command('error', `leastrole ${name} could not give a verdict (exit ${status})${why ? `: ${why}` : ''}`);
  }

  // The same analysis again for the other formats; their diagnostics went to the log above.
  const quiet = (format, file) => {
    const r = run(binary, [...baseArgs, '--format', format, '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    // An error the annotations run did not have (it printed its own).
    if ((r.status ?? 2) >= 2 && (github.status ?? 2) < 2) process.stderr.write(r.stderr);
    status = Math.max(status, r.status ?? 2);
    return fs.existsSync(file);
  };
  const mdFile = path.join(tmp, `${name}.md`);
  const markdown = quiet('markdown', mdFile)
    ? fs.readFileSync(mdFile, 'utf8').trimEnd()
    : `### leastrole ${name}\n\n**error: leastrole could not give a verdict (exit ${status})**\n\n> ${why.replace(/[<>]/g, '')}`;
  const sarif = sarifFile !== null && quiet('sarif', sarifFile);
  return { status, markdown, sarif };
}

function commentBody(marker, sections, footer) {
  let body = [marker, ...sections].join('\n\n');
  const tail = `\n\n${footer}`;
  if (body.length + tail.length > COMMENT_LIMIT) {
    const cut = body.lastIndexOf('\n', COMMENT_LIMIT - tail.length - 200);
    body = `${body.slice(0, cut)}\n\n_The review was cut at GitHub's comment size limit: the job summary has all of it._`;
  }
  return body + tail;
}

class ApiError extends Error {}

/** Creates the pull request's comment that starts with `marker`, or updates it in place. */
async function upsertComment({ api, repository, token, pr, marker, body }) {
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token}`,
    'user-agent': 'leastrole-action',
    'x-github-api-version': '2022-11-28',
  };
  const call = async (method, url, payload) => {
    const res = await fetch(url, {
      method,
      headers: payload ? { ...headers, 'content-type': 'application/json' } : headers,
      body: payload ? JSON.stringify(payload) : undefined,
    });
    if (!res.ok) {
      const detail = (await res.text()).slice(0, 300);
      throw new ApiError(`${method} ${url}: HTTP ${res.status} ${detail}`);
    }
    return res;
  };
  const firstLine = (text) => (typeof text === 'string' ? text.split(/\r?\n/, 1)[0].trim() : '');
  let url = `${api}/repos/${repository}/issues/${pr}/comments?per_page=100`;
  let found = null;
  while (url && !found) {
    const res = await call('GET', url);
    found = (await res.json()).find((c) => firstLine(c.body) === marker) ?? null;
    url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
  }
  const res = found
    ? await call('PATCH', `${api}/repos/${repository}/issues/comments/${found.id}`, { body })
    : await call('POST', `${api}/repos/${repository}/issues/${pr}/comments`, { body });
  const comment = await res.json();
  return { url: comment.html_url ?? '', updated: found !== null };
}

async function reviewAll() {
  const projectPath = input('path', '.');
  const which = input('command', 'both');
  if (!['diff', 'check', 'both'].includes(which)) {
    throw new ActionError(`input command must be diff, check or both, not "${which}"`);
  }
  const failOn = parseFailOn(input('fail-on'));
  const wantComment = booleanInput('comment', 'true');
  const sarifInput = input('sarif', 'false');
  const stage = input('stage');
  const extra = splitArgs(input('args'));
  const binary = process.env.LEASTROLE_BINARY || 'leastrole';
  const event = readEvent();
  const base = input('base') || baseFromEvent(event);
  if (!fs.existsSync(projectPath)) throw new ActionError(`input path: ${projectPath} does not exist`);

  let commands = which === 'both' ? ['diff', 'check'] : [which];
  if (commands.includes('diff') && !base) {
    if (which === 'diff') {
      throw new ActionError('diff needs a base revision: run on pull_request, or set the base input');
    }
    command('notice', 'no base revision (not a pull request): leastrole check only');
    commands = ['check'];
  }
  // Code scanning keeps one analysis per category: the check's (the role against the code
  // now) when it runs, else the diff's.
  const sarifCommand = commands.includes('check') ? 'check' : 'diff';
  let sarifFile = null;
  if (!['false', 'no', '0'].includes(sarifInput.toLowerCase())) {
    sarifFile = path.resolve(
      ['true', 'yes', '1'].includes(sarifInput.toLowerCase()) ? path.join(tempRoot(), 'leastrole.sarif') : sarifInput
    );
    fs.mkdirSync(path.dirname(sarifFile), { recursive: true });
    fs.rmSync(sarifFile, { force: true });
  }

  const tmp = fs.mkdtempSync(path.join(tempRoot(), 'leastrole-'));
  let status = 0;
  const sections = [];
  let sarifWritten = false;
  try {
    for (const name of commands) {
      const args = name === 'diff' ? ['diff', '--git', base, projectPath] : ['check', projectPath];
      if (name === 'diff') ensureCommit(base, projectPath);
      if (stage) args.push('--stage', stage);
      args.push(...extra);
      if (failOn[name]) args.push('--fail-on', failOn[name]);
      const r = review(binary, name, args, name === sarifCommand ? sarifFile : null, tmp);
      status = Math.max(status, r.status);
      sections.push(r.markdown);
      sarifWritten ||= r.sarif;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  if (sarifWritten) setOutput('sarif-file', sarifFile);
  setOutput('exit-code', status);

  const pr = event.pull_request?.number;
  if (wantComment && pr === undefined) {
    command('notice', 'not a pull request: no comment (annotations and the job summary have the review)');
  } else if (wantComment) {
    const token = process.env.GITHUB_TOKEN;
    const repository = process.env.GITHUB_REPOSITORY;
    const api = (process.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
    const server = process.env.GITHUB_SERVER_URL || 'https://github.com';
    const runId = process.env.GITHUB_RUN_ID;
    const footer = runId
      ? `<sub>[leastrole](https://github.com/leastrole/leastrole) · [workflow run](${server}/${repository}/actions/runs/${runId})</sub>`
      : '<sub>[leastrole](https://github.com/leastrole/leastrole)</sub>';
    const marker = markerFor(projectPath);
    if (!token || !repository) {
      command('warning', 'no GITHUB_TOKEN or GITHUB_REPOSITORY: the pull-request comment was not posted');
    } else {
      try {
        const c = await upsertComment({
          api,
          repository,
          token,
          pr,
          marker,
          body: commentBody(marker, sections, footer),
        });
        console.log(`${c.updated ? 'updated' : 'posted'} the pull-request comment ${c.url}`);
        setOutput('comment-url', c.url);
      } catch (e) {
        if (!(e instanceof ApiError || e instanceof TypeError)) throw e;
        // The review is in the annotations and the summary, and the gate stands: a comment
        // that cannot be written (a fork's read-only token) is a warning, not a failure.
        command(
          'warning',
          `the pull-request comment could not be written (needs permissions: pull-requests: write; ` +
            `a pull request from a fork gets a read-only token): ${e.message}`
        );
      }
    }
  }

  const verdict = ['passed', 'failed: findings at the fail-on level', 'error: leastrole could not give a verdict'];
  console.log(`leastrole: ${verdict[status] ?? verdict[2]} (exit ${status})`);
  return status;
}

// ---------------------------------------------------------------------------------------

async function main() {
  if (typeof fetch !== 'function') throw new ActionError(`node ${process.version} has no fetch: use node 18 or later`);
  switch (process.argv[2]) {
    case 'install':
      await install();
      return 0;
    case 'run':
      return await reviewAll();
    default:
      throw new ActionError(`usage: node run.mjs install|run (got ${process.argv[2] ?? 'nothing'})`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (status) => {
      process.exitCode = status;
    },
    (e) => {
      if (!(e instanceof ActionError)) throw e;
      command('error', `leastrole action: ${e.message}`);
      process.exitCode = 2;
    }
  );
}
