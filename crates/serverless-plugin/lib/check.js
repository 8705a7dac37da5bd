'use strict';

// check mode: `leastrole check --manifest - --format json` and its findings, per function.
// The check document (kind "check") is documented in docs/output-schema.md.

// Kinds worth a line: what the code needs and the role lacks (or may lack: `unverified`),
// and what the role grants beyond the code. `framework` rows (permissions the framework
// adds) are left out.
const SHOWN = ['missing', 'unverified', 'broad', 'unused'];

function locationText(finding) {
  const at = (finding.locations || [])[0];
  if (!at || !at.file) return '';
  return at.line ? `${at.file}:${at.line}` : at.file;
}

function findingLine(finding) {
  const resource = finding.resource ? ` on ${finding.resource}` : '';
  const where = locationText(finding);
  const gate = finding.gating ? ' [fails]' : '';
  return `  ${finding.kind.padEnd(7)} ${finding.action}${resource}${where ? ` (${where})` : ''}${gate}`;
}

// Lines to print for a check report, per function, and counts per kind shown.
function describe(report) {
  const lines = [];
  const counts = Object.fromEntries(SHOWN.map((k) => [k, 0]));
  for (const f of (report && report.functions) || []) {
    if (f.status && f.status !== 'checked') {
      lines.push(`${f.name}: ${f.status}${f.reason ? ` (${f.reason})` : ''}`);
      continue;
    }
    const findings = (f.findings || []).filter((x) => SHOWN.includes(x.kind));
    if (!findings.length) continue;
    lines.push(`${f.name}${f.role ? ` (${f.role})` : ''}:`);
    for (const kind of SHOWN) {
      for (const x of findings.filter((y) => y.kind === kind)) {
        counts[kind] += 1;
        lines.push(findingLine(x));
      }
    }
  }
  return { lines, counts, gating: (report && report.summary && report.summary.gating_findings) || 0 };
}

function countsText(counts) {
  return SHOWN.map((k) => `${counts[k]} ${k}`).join(', ');
}

function parseReport(stdout) {
  const report = JSON.parse(stdout);
  if (!report || report.kind !== 'check' || !Array.isArray(report.functions)) {
    throw new Error('not a leastrole check report');
  }
  return report;
}

module.exports = { SHOWN, describe, parseReport, findingLine, countsText };
