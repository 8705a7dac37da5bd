//! SARIF 2.1.0 for code scanning: one rule per finding kind with a stable id
//! (`leastrole/missing-permission`…), results on the repo-relative line (missing,
//! unverified, added: the code line; unused, broad: the declaration line), `partialFingerprints` that do not
//! move with line numbers, and `security-severity` on the rules.
//!
//! One result per row: a grouped unused row (several actions and resources of one
//! declared statement) is one result, its fingerprint over the joined lists. Framework
//! and removed rows are not results: they ask nothing of the reader.

use leastrole_review::{Finding, FunctionReview, Kind, Review, ReviewKind, Severity};
use serde_json::{Value, json};

use super::{ReviewOptions, actions, error_diagnostics, message, resources};
use crate::pretty;

struct Rule {
    kind: Kind,
    name: &'static str,
    short: &'static str,
    full: &'static str,
    /// GitHub: 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0+ critical.
    security_severity: &'static str,
    level: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        kind: Kind::Missing,
        name: "MissingPermission",
        short: "The code needs a permission the declared role does not grant",
        full: "A call in the function's code needs this IAM action on this resource, and no statement of the role the project declares allows it (or a Deny takes it away): the call fails with AccessDenied at run time.",
        security_severity: "4.0",
        level: "error",
    },
    Rule {
        kind: Kind::Unverified,
        name: "UnverifiedPermission",
        short: "The code needs a permission leastrole cannot tell the declared role grants",
        full: "A call in the function's code needs this IAM action on this resource, no declared statement is known to allow it, and leastrole cannot tell whether the role grants it: part of the needed resource could not be resolved and the role grants the action on resources that part may name, or the role holds a grant whose content leastrole does not know (a managed policy it does not embed). The message says which; check it by hand or make the resource resolvable.",
        security_severity: "3.0",
        level: "warning",
    },
    Rule {
        kind: Kind::Unused,
        name: "UnusedPermission",
        short: "A declared permission nothing in the code needs",
        full: "The role the project declares allows these actions (or action patterns) on these resources, and no call in the function's code needs any of them, nor does the framework: over-privilege to remove. One result groups the elements of one declared statement with the same access level and risk flags.",
        security_severity: "6.0",
        level: "warning",
    },
    Rule {
        kind: Kind::Broad,
        name: "BroadPermission",
        short: "A declared permission wider than what the code needs",
        full: "This declared permission covers what the code needs, but also actions or resources it never uses (a wildcard action or resource): narrow it to the needed ones.",
        security_severity: "6.5",
        level: "warning",
    },
    Rule {
        kind: Kind::Added,
        name: "AddedPermission",
        short: "The change adds a permission",
        full: "Between the old and the new policy, this (action, resource) pair was added; the result points at the code line that needs it.",
        security_severity: "5.0",
        level: "warning",
    },
];

fn rules_for(kind: ReviewKind) -> Vec<&'static Rule> {
    RULES
        .iter()
        .filter(|r| match kind {
            ReviewKind::Check => matches!(
                r.kind,
                Kind::Missing | Kind::Unverified | Kind::Unused | Kind::Broad
            ),
            ReviewKind::Diff => r.kind == Kind::Added,
        })
        .collect()
}

/// FNV-1a, 64 bits: stable across runs and platforms.
fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn level(s: Severity) -> &'static str {
    s.as_str()
}

fn result(
    rule_index: usize,
    rule: &Rule,
    function: &FunctionReview,
    f: &Finding,
    options: &ReviewOptions,
) -> Value {
    let locations: Vec<Value> = f
        .locations
        .iter()
        .filter_map(|r| {
            let file = r.file.as_ref()?;
            let mut region = serde_json::Map::new();
            if let Some(l) = r.line {
                region.insert("startLine".into(), json!(l.max(1)));
            }
            if let Some(c) = r.column {
                region.insert("startColumn".into(), json!(c.max(1)));
            }
            let mut physical = serde_json::Map::new();
            physical.insert(
                "artifactLocation".into(),
                json!({"uri": format!("{}{file}", options.uri_prefix)}),
            );
            if !region.is_empty() {
                physical.insert("region".into(), Value::Object(region));
            }
            Some(json!({"physicalLocation": Value::Object(physical)}))
        })
        .take(10)
        .collect();
    let mut out = json!({
        "ruleId": rule.kind.rule_id(),
        "ruleIndex": rule_index,
        "level": level(f.severity()),
        "message": {"text": message(function, f)},
        "partialFingerprints": {
            "leastrole/v1": fingerprint(&[rule.kind.rule_id(), &function.name, &f.action, &f.resource]),
        },
        "properties": {
            "function": function.name,
            "action": f.action,
            "resource": f.resource,
            "actions": actions(f),
            "resources": resources(f),
            "access": f.access.map(|a| a.as_str()),
            "risks": f.risks.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        },
    });
    if !locations.is_empty()
        && let Some(o) = out.as_object_mut()
    {
        o.insert("locations".into(), Value::Array(locations));
    }
    out
}

/// The rule of error-level diagnostics (a configuration that cannot be read, a named
/// function that cannot be analysed); listed only when there is such a result.
const ERROR_RULE_ID: &str = "leastrole/error";

/// One result per error-level diagnostic, on its file and line when it has one.
fn error_results(review: &Review, rule_index: usize, options: &ReviewOptions) -> Vec<Value> {
    error_diagnostics(review)
        .map(|(function, d)| {
            let message = match function {
                Some(name) => format!("{name}: {}", d.message),
                None => d.message.clone(),
            };
            let mut out = json!({
                "ruleId": ERROR_RULE_ID,
                "ruleIndex": rule_index,
                "level": "error",
                "message": {"text": format!("[{}] {message}", d.code)},
                "partialFingerprints": {
                    "leastrole/v1": fingerprint(&[ERROR_RULE_ID, &d.code, function.unwrap_or(""), &d.message]),
                },
                "properties": {"code": d.code, "function": function},
            });
            if let Some(l) = &d.location
                && let Some(o) = out.as_object_mut()
            {
                o.insert(
                    "locations".into(),
                    json!([{"physicalLocation": {
                        "artifactLocation": {"uri": format!("{}{}", options.uri_prefix, l.file)},
                        "region": {"startLine": l.line.max(1), "startColumn": l.column.max(1)},
                    }}]),
                );
            }
            out
        })
        .collect()
}

pub fn review_sarif(review: &Review, options: &ReviewOptions) -> String {
    let rules = rules_for(review.kind);
    let mut results = error_results(review, rules.len(), options);
    let has_errors = !results.is_empty();
    for function in review.functions.iter().chain(&review.roles) {
        for f in &function.findings {
            if let Some((i, rule)) = rules.iter().enumerate().find(|(_, r)| r.kind == f.kind) {
                results.push(result(i, rule, function, f, options));
            }
        }
    }
    let mut rules_json: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.kind.rule_id(),
                "name": r.name,
                "shortDescription": {"text": r.short},
                "fullDescription": {"text": r.full},
                "helpUri": "https://github.com/leastrole/leastrole/blob/main/docs/cli.md",
                "defaultConfiguration": {"level": r.level},
                "properties": {
                    "security-severity": r.security_severity,
                    "tags": ["security", "iam", "least-privilege"],
                    "precision": "high",
                },
            })
        })
        .collect();
    if has_errors {
        rules_json.push(json!({
            "id": ERROR_RULE_ID,
            "name": "Error",
            "shortDescription": {"text": "leastrole could not read or analyse part of the project"},
            "fullDescription": {"text": "A configuration file that cannot be read, or a function named on the command line that cannot be analysed: the result is not a review of the project as deployed, and the command exits 2."},
            "helpUri": "https://github.com/leastrole/leastrole/blob/main/docs/cli.md",
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["leastrole"], "precision": "high"},
        }));
    }
    pretty(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "leastrole",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/leastrole/leastrole",
                "rules": rules_json,
            }},
            "automationDetails": {"id": format!("leastrole/{}/", review.kind.as_str())},
            "results": results,
        }],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable() {
        // FNV-1a of the empty input with one separator byte, computed by hand.
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
        assert_ne!(fingerprint(&["a", "b"]), fingerprint(&["ab"]));
        assert_eq!(fingerprint(&["x"]), fingerprint(&["x"]));
    }
}
