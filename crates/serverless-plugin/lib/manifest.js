'use strict';

// The manifest handed to `leastrole … --manifest -`: the service as the framework resolved
// it (never serverless.yml re-parsed) plus the CloudFormation template compiled so far.
// Format: docs/cli.md ("--manifest") and docs/manifest.schema.json in the repository.

const path = require('path');

const { serviceDir } = require('./binary');

const MANIFEST_VERSION = 1;

// Provider keys that are the framework's working state, not configuration.
const PROVIDER_INTERNAL = ['compiledCloudFormationTemplate', 'coreCloudFormationTemplate'];

// A JSON-safe deep copy: drops functions, undefined and back-references (the framework's
// objects point at `serverless` itself).
function plain(value) {
  const seen = new WeakSet();
  const copy = (v) => {
    if (v === null || typeof v !== 'object') {
      return typeof v === 'function' || v === undefined ? undefined : v;
    }
    if (seen.has(v)) return undefined;
    seen.add(v);
    let out;
    if (Array.isArray(v)) {
      out = v.map((item) => {
        const c = copy(item);
        return c === undefined ? null : c;
      });
    } else {
      out = {};
      for (const [k, item] of Object.entries(v)) {
        const c = copy(item);
        if (c !== undefined) out[k] = c;
      }
    }
    seen.delete(v);
    return out;
  };
  return copy(value);
}

// `package.artifact` as the user configured it, recorded before the framework packages
// (packaging writes its own zip paths there).
function snapshotArtifacts(serverless) {
  const service = serverless.service;
  const functions = {};
  for (const name of service.getAllFunctions()) {
    const f = service.getFunction(name);
    functions[name] = f.package ? f.package.artifact : undefined;
  }
  // Layers are packaged too: a layer's `path` is what leastrole reads, not the zip.
  const layers = {};
  for (const [name, layer] of Object.entries(service.layers || {})) {
    layers[name] = layer && layer.package ? layer.package.artifact : undefined;
  }
  return { service: service.package ? service.package.artifact : undefined, functions, layers };
}

function withArtifact(pkg, artifact) {
  if (!pkg || typeof pkg !== 'object') return pkg;
  const out = { ...pkg };
  if (artifact === undefined) delete out.artifact;
  else out.artifact = artifact;
  return out;
}

// The config file relative to the service folder, or null when it is not inside it.
function relativeConfig(dir, file) {
  if (!file) return null;
  const rel = path.isAbsolute(file) ? path.relative(dir, file) : file;
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : null;
}

function buildManifest(serverless, { artifacts } = {}) {
  const service = serverless.service;
  const dir = serviceDir(serverless);
  const provider = {};
  for (const [k, v] of Object.entries(service.provider || {})) {
    if (!PROVIDER_INTERNAL.includes(k)) provider[k] = v;
  }
  const functions = {};
  for (const name of service.getAllFunctions()) {
    const f = { ...service.getFunction(name) };
    if (artifacts) f.package = withArtifact(f.package, artifacts.functions[name]);
    functions[name] = f;
  }
  // The service's layers (`path`), which functions attach by `{Ref: <Name>LambdaLayer}`.
  const layers = {};
  for (const [name, layer] of Object.entries(service.layers || {})) {
    layers[name] =
      artifacts && layer && typeof layer === 'object'
        ? { ...layer, package: withArtifact(layer.package, (artifacts.layers || {})[name]) }
        : layer;
  }
  const configFile = serverless.configurationFilename || null;
  const manifest = {
    version: MANIFEST_VERSION,
    framework: 'serverless',
    frameworkVersion: serverless.version || null,
    serviceDir: dir,
    configurationFilename: relativeConfig(dir, configFile),
    service: {
      service: service.service,
      provider,
      functions,
      layers,
      custom: service.custom || {},
      resources: service.resources || {},
      package: artifacts ? withArtifact(service.package, artifacts.service) : service.package || {},
    },
    compiledTemplate: (service.provider && service.provider.compiledCloudFormationTemplate) || null,
  };
  return plain(manifest);
}

module.exports = { MANIFEST_VERSION, buildManifest, plain, snapshotArtifacts };
