//! The versioned JSON form of a review (docs/output-schema.md, docs/review.schema.json).
//! Within a version, fields are only added.

use leastrole_review::{Finding, FunctionReview, FunctionStatus, Review, SourceRef};
use serde_json::{Map, Value, json};

use super::{ReviewOptions, actions, resources};
use crate::{diagnostic_json, pretty};

/// Version of the check/diff JSON schema. 2: check's finding kind `unverified` and the
/// `--fail-on unverified` level (a consumer that switches on `kind` sees a new value);
/// every field of version 1 is kept. 3: a monorepo's functions are named `path:name`,
/// with a `project` field (only then: a one-project review is unchanged but for the
/// version).
pub const REVIEW_VERSION: u32 = 3;

pub fn review_json(review: &Review, options: &ReviewOptions) -> String {
    let counts: Map<String, Value> = review
        .counts()
        .iter()
        .map(|(k, n)| (k.as_str().to_string(), json!(n)))
        .collect();
    let gating = review.gating(options.fail_on).count();
    let mut out = json!({
        "version": REVIEW_VERSION,
        "kind": review.kind.as_str(),
        "summary": {
            "functions": review.functions.len(),
            "findings": counts,
            "fail_on": options.fail_on.as_str(),
            "gating_findings": gating,
            "failed": gating > 0,
        },
        "functions": review.functions.iter().map(|f| function(f, options)).collect::<Vec<_>>(),
        "diagnostics": review.diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    });
    // check: roles several functions share, judged once (only present when there is one).
    if !review.roles.is_empty()
        && let Some(o) = out.as_object_mut()
    {
        o.insert(
            "roles".into(),
            Value::Array(review.roles.iter().map(|r| function(r, options)).collect()),
        );
    }
    // Only present when the command stops with exit 2, whatever the gate says.
    if let Some(error) = &options.error
        && let Some(summary) = out.get_mut("summary").and_then(Value::as_object_mut)
    {
        summary.insert("error".into(), json!(error));
    }
    pretty(&out)
}

fn function(f: &FunctionReview, options: &ReviewOptions) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(f.name));
    if let Some(project) = &f.project {
        m.insert("project".into(), json!(project));
    }
    m.insert("status".into(), json!(f.status.as_str()));
    match &f.status {
        FunctionStatus::Checked { role } => {
            m.insert("role".into(), json!(role));
        }
        FunctionStatus::NotCheckable { reason } => {
            m.insert("reason".into(), json!(reason));
        }
        _ => {}
    }
    m.insert("unchanged".into(), json!(f.unchanged));
    m.insert(
        "findings".into(),
        Value::Array(
            f.findings
                .iter()
                .map(|x| finding(x, options.fail_on.trips(x), options))
                .collect(),
        ),
    );
    m.insert("notes".into(), json!(f.notes));
    m.insert(
        "diagnostics".into(),
        Value::Array(f.diagnostics.iter().map(diagnostic_json).collect()),
    );
    Value::Object(m)
}

fn finding(x: &Finding, gating: bool, options: &ReviewOptions) -> Value {
    json!({
        "kind": x.kind.as_str(),
        "severity": x.severity().as_str(),
        "gating": gating,
        "action": x.action,
        "resource": x.resource,
        "actions": actions(x),
        "resources": resources(x),
        "effect": if x.deny { "Deny" } else { "Allow" },
        "access": x.access.map(|a| a.as_str()),
        "risks": x.risks.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "expands_to": x.expands_to,
        "unneeded": x.unneeded,
        "note": x.note,
        "locations": x.locations.iter().map(|r| location(r, options)).collect::<Vec<_>>(),
    })
}

fn location(r: &SourceRef, options: &ReviewOptions) -> Value {
    json!({
        "file": r.file.as_ref().map(|f| format!("{}{f}", options.uri_prefix)),
        "line": r.line,
        "column": r.column,
        "text": r.text,
    })
}
