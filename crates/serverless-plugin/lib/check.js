'use strict';

// check mode: `leastrole check --manifest - --format json` and its findings, per function.
// The report's JSON (kind "check") is documented in docs/output-schema.md.

function resourceText(resource) {
  if (resource === undefined || resource === null) return '';
  if (typeof resource === 'string') return resource;
  if (Array.isArray(resource)) return resource.map(resourceText).join(', ');
  return JSON.stringify(resource);
}

function locationText(finding) {
  const source = (finding.sources && finding.sources[0]) || finding.source || finding;
  if (source && source.file) return source.line ? `${source.file}:${source.line}` : source.file;
  return '';
}

function findingLine(kind, finding) {
  if (typeof finding === 'string') return `  ${kind} ${finding}`;
  const action = finding.action || finding.Action || '?';
  const resource = resourceText(finding.resource !== undefined ? finding.resource : finding.Resource);
  const where = locationText(finding);
  return `  ${kind} ${action}${resource ? ` on ${resource}` : ''}${where ? ` (${where})` : ''}`;
}

// Lines to print for a check report: per function, missing then unused.
function describe(report) {
  const lines = [];
  let missing = 0;
  let unused = 0;
  for (const f of (report && report.functions) || []) {
    const m = f.missing || [];
    const u = f.unused || [];
    missing += m.length;
    unused += u.length;
    if (!m.length && !u.length) continue;
    lines.push(`${f.name}:`);
    for (const x of m) lines.push(findingLine('missing', x));
    for (const x of u) lines.push(findingLine('unused ', x));
  }
  return { lines, missing, unused };
}

function parseReport(stdout) {
  const report = JSON.parse(stdout);
  if (!report || report.kind !== 'check' || !Array.isArray(report.functions)) {
    throw new Error('not a leastrole check report');
  }
  return report;
}

module.exports = { describe, parseReport, findingLine };
