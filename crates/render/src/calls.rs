//! `leastrole calls`: the SDK calls found, with locations, in the SDK's vocabulary.

use std::fmt::Write as _;

use leastrole_lang::{CallKind, Program, SdkCall, ServiceRef};
use serde_json::json;

use crate::json::diagnostic_json;
use crate::pretty;
use crate::text::diagnostic_line;

pub fn calls_text(program: &Program) -> String {
    let mut s = String::new();
    for call in program.all_calls() {
        writeln!(
            s,
            "{}  {} {}  {}",
            call.location,
            call.sdk.as_str(),
            describe(call),
            call.text
        )
        .ok();
    }
    let diags = program.all_diagnostics();
    if !diags.is_empty() {
        s.push('\n');
        for d in diags {
            writeln!(s, "{}", diagnostic_line(d)).ok();
        }
    }
    s
}

pub fn calls_json(program: &Program) -> String {
    let calls: Vec<_> = program
        .all_calls()
        .into_iter()
        .map(|c| serde_json::to_value(c).unwrap_or(serde_json::Value::Null))
        .collect();
    pretty(&json!({
        "version": 1,
        "calls": calls,
        "diagnostics": program.all_diagnostics().into_iter().map(diagnostic_json).collect::<Vec<_>>(),
    }))
}

fn describe(call: &SdkCall) -> String {
    let service = match &call.service {
        ServiceRef::Known { name } => name.clone(),
        ServiceRef::Dynamic { .. } => "<dynamic>".to_string(),
    };
    let what = match &call.call {
        CallKind::Method { name } => name.clone(),
        CallKind::Command { name } => format!("send({name})"),
        CallKind::Paginator { name } => format!("paginate({name})"),
        CallKind::Waiter { name } => format!("wait({name})"),
        CallKind::Presign { name } => format!("presign({name})"),
        CallKind::Resource { path, method } => {
            let steps: Vec<&str> = path.iter().map(|s| s.name.as_str()).collect();
            format!("resource {}.{method}", steps.join("."))
        }
        CallKind::Helper { object, method } => format!("{object}.{method}"),
    };
    format!("{service} {what}")
}
