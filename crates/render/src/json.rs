//! The versioned JSON report (`--format json`), documented in docs/output-schema.md.
//! Fields are only ever added, never renamed or removed, within a version.

use leastrole_lang::Diagnostic;
use leastrole_policy::{FunctionReport, Grant, Report};
use serde_json::{Map, Value, json};

use crate::{RenderOptions, pretty};

/// Version of the report schema.
pub const REPORT_VERSION: u32 = 1;

pub fn report_json(report: &Report, options: &RenderOptions) -> String {
    let functions: Vec<Value> = report
        .functions
        .iter()
        .map(|f| function_json(f, options))
        .collect();
    pretty(&json!({
        "version": REPORT_VERSION,
        "functions": functions,
        "diagnostics": report.diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    }))
}

fn function_json(f: &FunctionReport, options: &RenderOptions) -> Value {
    let size = f.policy.size_report(&options.env);
    json!({
        "name": f.name,
        "handler": f.handler,
        "runtime": f.runtime,
        "files": f.files,
        "policy": f.policy.to_json(&options.env),
        "policy_size": {
            "chars": size.chars,
            "inline_limit": size.inline_limit,
            "managed_limit": size.managed_limit,
        },
        "grants": f.grants.iter().map(|g| grant_json(g, options)).collect::<Vec<_>>(),
        "diagnostics": f.diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    })
}

fn grant_json(g: &Grant, options: &RenderOptions) -> Value {
    let mut m = Map::new();
    m.insert("action".into(), json!(g.action));
    m.insert("resource".into(), json!(g.resource.render(&options.env)));
    if !g.condition.is_empty() {
        m.insert("condition".into(), json!(g.condition));
    }
    m.insert(
        "sources".into(),
        Value::Array(
            g.sources
                .iter()
                .map(
                    |s| json!({"file": s.file, "line": s.line, "column": s.column, "call": s.call}),
                )
                .collect(),
        ),
    );
    Value::Object(m)
}

/// `{"level", "code", "message", "file", "line", "column"}`; location fields are null
/// for project-level findings.
pub fn diagnostic_json(d: &Diagnostic) -> Value {
    json!({
        "level": d.level,
        "code": d.code,
        "message": d.message,
        "file": d.location.as_ref().map(|l| &l.file),
        "line": d.location.as_ref().map(|l| l.line),
        "column": d.location.as_ref().map(|l| l.column),
    })
}
