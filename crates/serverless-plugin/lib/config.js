'use strict';

// custom.leastrole: the schema the framework validates, and the plugin's own reading of
// it (defaults, and checks the schema cannot express such as unknown function names).

const MODES = ['generate', 'check', 'off'];
// leastrole check --fail-on levels (docs/cli.md).
const FAIL_ON = ['never', 'missing', 'unverified', 'broadening', 'write', 'permissions-management', 'any'];

const statementList = { type: 'array', items: { type: 'object' } };

const customSchema = {
  properties: {
    leastrole: {
      type: 'object',
      properties: {
        mode: { enum: MODES },
        failOn: { enum: FAIL_ON },
        functions: { type: 'array', items: { type: 'string' } },
        exclude: { type: 'array', items: { type: 'string' } },
        statements: { type: 'object', additionalProperties: statementList },
        inheritStatements: { type: 'boolean' },
        binary: { type: 'string' },
      },
      additionalProperties: false,
    },
  },
};

// Declare the schema so the framework neither warns about nor rejects our keys. Older or
// newer frameworks may lack the handler or the method: feature-detect, never branch on
// serverless.version (osls reports 4.x while being v3-shaped).
function defineSchema(serverless) {
  const handler = serverless && serverless.configSchemaHandler;
  if (handler && typeof handler.defineCustomProperties === 'function') {
    handler.defineCustomProperties(customSchema);
  }
}

function fail(serverless, message) {
  const ServerlessError = (serverless.classes && serverless.classes.Error) || Error;
  return new ServerlessError(`serverless-leastrole: ${message}`);
}

function isStringList(value) {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

// The plugin's settings with defaults applied; throws the framework's error on bad input.
function readConfig(serverless) {
  const custom = (serverless.service && serverless.service.custom) || {};
  const raw = custom.leastrole == null ? {} : custom.leastrole;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw fail(serverless, 'custom.leastrole must be an object');
  }
  const config = {
    mode: raw.mode === undefined ? 'check' : raw.mode,
    failOn: raw.failOn,
    functions: raw.functions,
    exclude: raw.exclude || [],
    statements: raw.statements || {},
    inheritStatements: raw.inheritStatements === undefined ? false : raw.inheritStatements,
    binary: raw.binary,
  };
  if (!MODES.includes(config.mode)) {
    throw fail(
      serverless,
      `custom.leastrole.mode must be one of ${MODES.join(', ')}, not ${JSON.stringify(config.mode)}`
    );
  }
  if (config.failOn !== undefined && !FAIL_ON.includes(config.failOn)) {
    throw fail(
      serverless,
      `custom.leastrole.failOn must be one of ${FAIL_ON.join(', ')} (as leastrole check --fail-on), not ${JSON.stringify(config.failOn)}`
    );
  }
  if (config.functions !== undefined && !isStringList(config.functions)) {
    throw fail(serverless, 'custom.leastrole.functions must be a list of function names');
  }
  if (!isStringList(config.exclude)) {
    throw fail(serverless, 'custom.leastrole.exclude must be a list of function names');
  }
  if (typeof config.statements !== 'object' || Array.isArray(config.statements)) {
    throw fail(serverless, 'custom.leastrole.statements must map function names to statement lists');
  }
  for (const [name, list] of Object.entries(config.statements)) {
    if (!Array.isArray(list) || !list.every((s) => s && typeof s === 'object' && !Array.isArray(s))) {
      throw fail(serverless, `custom.leastrole.statements.${name} must be a list of IAM statements`);
    }
  }
  if (typeof config.inheritStatements !== 'boolean') {
    throw fail(serverless, 'custom.leastrole.inheritStatements must be true or false');
  }
  if (config.binary !== undefined && (typeof config.binary !== 'string' || !config.binary)) {
    throw fail(serverless, 'custom.leastrole.binary must be a path to the leastrole binary');
  }
  const known = serverless.service.getAllFunctions();
  const named = [
    ['functions', config.functions || []],
    ['exclude', config.exclude],
    ['statements', Object.keys(config.statements)],
  ];
  for (const [key, names] of named) {
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length) {
      throw fail(
        serverless,
        `custom.leastrole.${key} names ${unknown.map((n) => `"${n}"`).join(', ')}, ` +
          `which ${unknown.length === 1 ? 'is not a function' : 'are not functions'} of this service ` +
          `(functions: ${known.join(', ') || 'none'})`
      );
    }
  }
  return config;
}

// The functions the plugin works on: `functions` (default all) minus `exclude`, and, for
// the command, the `--function` names.
function selectedFunctions(serverless, config, only) {
  let names = serverless.service.getAllFunctions();
  if (config.functions) names = names.filter((n) => config.functions.includes(n));
  names = names.filter((n) => !config.exclude.includes(n));
  if (only && only.length) {
    const unknown = only.filter((n) => !serverless.service.getAllFunctions().includes(n));
    if (unknown.length) {
      throw fail(serverless, `no function named ${unknown.map((n) => `"${n}"`).join(', ')}`);
    }
    names = names.filter((n) => only.includes(n));
  }
  return names;
}

module.exports = { MODES, FAIL_ON, customSchema, defineSchema, readConfig, selectedFunctions, fail };
