'use strict';

// serverless-leastrole: per-function least-privilege IAM roles from the code, at
// `serverless package` time, by the leastrole binary. See README.md.

const { defineSchema, readConfig, selectedFunctions, fail } = require('./lib/config');
const { findBinary, checkVersion, ending, run } = require('./lib/binary');
const { buildManifest, snapshotArtifacts } = require('./lib/manifest');
const { compileRoles } = require('./lib/roles');
const { describe, parseReport, countsText } = require('./lib/check');
const { makeLogger, makeWriteText } = require('./lib/log');
const { list } = require('./lib/values');

function diagnosticText(d, fn) {
  const where = d.file ? ` (${d.file}${d.line ? `:${d.line}` : ''})` : '';
  return `leastrole: ${fn ? `${fn}: ` : ''}${d.message}${where}`;
}

class ServerlessLeastrole {
  constructor(serverless, cliOptions, utils) {
    this.serverless = serverless;
    this.options = cliOptions || {};
    this.log = makeLogger(serverless, utils);
    this.writeText = makeWriteText(utils);
    this.provider = 'aws';
    this.artifacts = null;
    defineSchema(serverless);

    this.commands = {
      leastrole: {
        usage:
          'Print the least-privilege policies leastrole generates (or, with --check, compare them with the declared ones)',
        lifecycleEvents: ['run'],
        options: {
          function: {
            usage: 'Only this function (repeatable)',
            shortcut: 'f',
            type: 'multiple',
          },
          format: {
            usage:
              'Output format: text (default), json, iam, cloudformation, serverless, sam, terraform (with --check: text, json, markdown, ...)',
            type: 'string',
          },
          check: {
            usage: 'Compare the declared roles with what the code needs (leastrole check)',
            type: 'boolean',
          },
          manifest: {
            usage: 'Print the manifest the plugin sends to leastrole, and stop',
            type: 'boolean',
          },
        },
      },
    };

    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.recordArtifacts(),
      'before:package:finalize': () => this.onPackage(),
      'leastrole:run': () => this.command(),
    };
  }

  // The user's `package.artifact` values, before packaging writes its own there.
  recordArtifacts() {
    this.artifacts = snapshotArtifacts(this.serverless);
  }

  async onPackage() {
    const config = readConfig(this.serverless);
    if (config.mode === 'off') {
      this.log.info('leastrole: mode off');
      return;
    }
    const names = selectedFunctions(this.serverless, config);
    if (!names.length) {
      this.log.notice('leastrole: no functions selected (custom.leastrole.functions / exclude)');
      return;
    }
    if (config.mode === 'generate') await this.generate(config, names);
    else await this.check(config, names);
  }

  binary(config) {
    const binary = findBinary(this.serverless, config);
    const version = checkVersion(this.serverless, binary);
    this.log.debug(`leastrole: using ${binary} (${version})`);
    return binary;
  }

  // `--function` for each name, unless every function is meant.
  functionArgs(names) {
    if (names.length === this.serverless.service.getAllFunctions().length) return [];
    return names.flatMap((n) => ['--function', n]);
  }

  async invoke(config, args) {
    const binary = this.binary(config);
    const manifest = JSON.stringify(buildManifest(this.serverless, { artifacts: this.artifacts }));
    return run(this.serverless, binary, args, manifest);
  }

  async generate(config, names) {
    const out = await this.invoke(config, [
      'generate',
      '--manifest',
      '-',
      '--format',
      'statements',
      ...this.functionArgs(names),
    ]);
    if (out.code !== 0) {
      throw fail(this.serverless, `leastrole generate failed (${ending(out)}): ${out.stderr.trim()}`);
    }
    let parsed;
    try {
      parsed = JSON.parse(out.stdout);
    } catch (e) {
      throw fail(this.serverless, `leastrole generate printed something that is not JSON: ${e.message}`);
    }
    if (!parsed || parsed.kind !== 'statements' || !Array.isArray(parsed.functions)) {
      throw fail(this.serverless, 'leastrole generate did not print a statements document (version mismatch?)');
    }
    this.report(parsed);
    const generated = new Map(
      parsed.functions.map((f) => [f.name, { statements: f.statements || [], analysed: Boolean(f.analysed) }])
    );
    const result = compileRoles({ serverless: this.serverless, config, names, generated, log: this.log });
    for (const r of result.roles) {
      this.log.info(`leastrole: ${r.name}: role ${r.role} (${r.roleName}), ${r.statements} statement(s)`);
    }
    for (const s of result.skipped) {
      this.log.notice(`leastrole: ${s.name} keeps its role: ${s.reason}`);
    }
    if (result.roles.length) {
      this.log.notice(
        `leastrole: least-privilege roles for ${result.roles.length} function(s)` +
          (result.removedSharedRole ? '; the shared role is gone' : '')
      );
    }
    return result;
  }

  // Diagnostics of the generated statements: warnings and errors always, the rest with
  // --verbose.
  report(parsed) {
    const emit = (d, fn) => {
      const text = diagnosticText(d, fn);
      if (d.level === 'error' || d.level === 'warning') this.log.warning(text);
      else this.log.info(text);
    };
    for (const d of parsed.diagnostics || []) emit(d);
    for (const f of parsed.functions) for (const d of f.diagnostics || []) emit(d, f.name);
  }

  checkArgs(config, format, names) {
    return [
      'check',
      '--manifest',
      '-',
      '--format',
      format,
      ...(config.failOn ? ['--fail-on', config.failOn] : []),
      ...this.functionArgs(names),
    ];
  }

  async check(config, names) {
    const out = await this.invoke(config, this.checkArgs(config, 'json', names));
    if (out.code !== 0 && out.code !== 1) {
      throw fail(this.serverless, `leastrole check failed (${ending(out)}): ${out.stderr.trim()}`);
    }
    let report;
    try {
      report = parseReport(out.stdout);
    } catch (e) {
      throw fail(this.serverless, `leastrole check printed no check report: ${e.message}`);
    }
    const { lines, counts, gating } = describe(report);
    if (lines.length) {
      const write = counts.missing ? this.log.warning : this.log.notice;
      write(`leastrole check: ${countsText(counts)}\n${lines.join('\n')}`);
    } else {
      this.log.notice('leastrole check: the declared roles match the code');
    }
    if (out.code === 1) {
      const failOn = (report.summary && report.summary.fail_on) || config.failOn;
      throw fail(
        this.serverless,
        `leastrole check failed (failOn: ${failOn}): ${gating} finding(s) to fail on; see above`
      );
    }
    return report;
  }

  async command() {
    if (this.options.manifest) {
      this.writeText(JSON.stringify(buildManifest(this.serverless), null, 2));
      return;
    }
    const config = readConfig(this.serverless);
    const only = list(this.options.function);
    const names = only.length
      ? selectedFunctions(this.serverless, { ...config, functions: undefined, exclude: [] }, only)
      : selectedFunctions(this.serverless, config);
    const format = this.options.format || 'text';
    const args = this.options.check
      ? this.checkArgs(config, format, names)
      : ['generate', '--manifest', '-', '--format', format, ...this.functionArgs(names)];
    const out = await this.invoke(config, args);
    if (out.stdout) this.writeText(out.stdout.replace(/\n$/, ''));
    if (out.code === 0 || (out.code === 1 && this.options.check)) {
      for (const line of out.stderr.split('\n').filter(Boolean)) this.log.warning(line);
    }
    if (out.code === 1 && this.options.check) {
      throw fail(
        this.serverless,
        `leastrole check: findings to fail on${config.failOn ? ` (failOn: ${config.failOn})` : ''}`
      );
    }
    if (out.code !== 0) {
      throw fail(this.serverless, `leastrole ${args[0]} failed (${ending(out)}): ${out.stderr.trim()}`);
    }
  }
}

module.exports = ServerlessLeastrole;
