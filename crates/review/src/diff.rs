//! `leastrole diff`: two policy sets (generated reports or plain policy documents) as
//! (action, resource) pairs per function, compared as sets, so reordering or re-merging
//! statements changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use leastrole_maps::MapsError;
use leastrole_policy::{ArnEnv, Report};
use serde::Deserialize;
use serde_json::Value;

use crate::actions::{Catalog, is_wildcard};
use crate::model::{
    Finding, FunctionReview, FunctionStatus, Kind, Review, ReviewKind, SourceRef, assess,
};

/// One permission: a statement expanded to one action on one resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    pub deny: bool,
    /// Canonical casing for known actions; `NotAction a, b` for a `NotAction` statement.
    pub action: String,
    /// As written; `NotResource a, b` for a `NotResource` statement.
    pub resource: String,
    /// The `Condition` block as compact JSON with sorted keys and value lists, if any.
    pub condition: Option<String>,
}

/// Every function's pairs, each with the code lines behind it (reports only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySet {
    pub functions: BTreeMap<String, BTreeMap<Pair, BTreeSet<SourceRef>>>,
    /// A monorepo's functions: name → the project it belongs to (report version 2).
    pub projects: BTreeMap<String, String>,
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "neither a leastrole report (no `functions` list) nor an IAM policy document (no `Statement`)"
    )]
    Unknown,
    #[error("report version {0} is newer than this leastrole reads (2)")]
    Version(u64),
    #[error("{at}: {what}")]
    Malformed { at: String, what: String },
    #[error(transparent)]
    Maps(#[from] MapsError),
}

fn malformed(at: impl Into<String>, what: impl Into<String>) -> ReadError {
    ReadError::Malformed {
        at: at.into(),
        what: what.into(),
    }
}

#[derive(Deserialize)]
struct RawReport {
    #[serde(default)]
    version: Option<u64>,
    functions: Vec<RawFunction>,
}

#[derive(Deserialize)]
struct RawFunction {
    name: String,
    /// Version 2, in a monorepo's report.
    #[serde(default)]
    project: Option<String>,
    #[serde(default)]
    policy: Option<Value>,
    #[serde(default)]
    grants: Option<Vec<RawGrant>>,
}

#[derive(Deserialize)]
struct RawGrant {
    action: String,
    resource: String,
    #[serde(default)]
    condition: Option<Value>,
    #[serde(default)]
    sources: Vec<RawSource>,
}

#[derive(Deserialize)]
struct RawSource {
    file: String,
    line: u32,
    #[serde(default)]
    column: Option<u32>,
    #[serde(default)]
    call: Option<String>,
}

impl PolicySet {
    /// Read a `generate --format json` report, a policy document (one function named
    /// `name`), or `generate --format iam` output for several functions (an object of
    /// policy documents keyed by function name). Unknown fields are ignored.
    pub fn read(text: &str, name: &str, catalog: &Catalog<'_>) -> Result<PolicySet, ReadError> {
        let value: Value = serde_json::from_str(text)?;
        let Value::Object(map) = &value else {
            return Err(ReadError::Unknown);
        };
        if map.contains_key("functions") {
            let raw: RawReport = serde_json::from_value(value.clone())
                .map_err(|e| malformed("report", e.to_string()))?;
            // Version 2 names a monorepo's functions `path:name`, with `project`: read
            // as version 1 is, the project kept for the review.
            if let Some(v) = raw.version
                && v > 2
            {
                return Err(ReadError::Version(v));
            }
            let mut set = PolicySet::default();
            for (i, f) in raw.functions.into_iter().enumerate() {
                let pairs = match (f.grants, f.policy) {
                    (Some(grants), _) => {
                        let mut pairs: BTreeMap<Pair, BTreeSet<SourceRef>> = BTreeMap::new();
                        for g in grants {
                            let pair = Pair {
                                deny: false,
                                action: catalog.canonical(&g.action)?,
                                resource: g.resource,
                                condition: g.condition.as_ref().map(canonical_json),
                            };
                            let sources = g.sources.into_iter().map(|s| SourceRef {
                                file: Some(s.file),
                                line: Some(s.line),
                                column: s.column,
                                text: s.call.unwrap_or_default(),
                            });
                            pairs.entry(pair).or_default().extend(sources);
                        }
                        pairs
                    }
                    (None, Some(policy)) => {
                        policy_pairs(&policy, &format!("functions[{i}].policy"), catalog)?
                    }
                    (None, None) => {
                        return Err(malformed(
                            format!("functions[{i}] ({})", f.name),
                            "has neither `grants` nor `policy`",
                        ));
                    }
                };
                if let Some(project) = f.project {
                    set.projects.insert(f.name.clone(), project);
                }
                if set.functions.insert(f.name.clone(), pairs).is_some() {
                    return Err(malformed(
                        format!("functions[{i}]"),
                        format!("function `{}` is listed twice", f.name),
                    ));
                }
            }
            return Ok(set);
        }
        if map.contains_key("Statement") {
            let pairs = policy_pairs(&value, "policy", catalog)?;
            return Ok(PolicySet {
                functions: BTreeMap::from([(name.to_string(), pairs)]),
                projects: BTreeMap::new(),
            });
        }
        if !map.is_empty()
            && map
                .values()
                .all(|v| v.as_object().is_some_and(|o| o.contains_key("Statement")))
        {
            let mut set = PolicySet::default();
            for (fname, doc) in map {
                set.functions
                    .insert(fname.clone(), policy_pairs(doc, fname, catalog)?);
            }
            return Ok(set);
        }
        Err(ReadError::Unknown)
    }

    /// The pairs of a report built in this process (`diff --git`), resources rendered with
    /// `env` as `generate --format json` would.
    pub fn from_report(report: &Report, env: &ArnEnv) -> PolicySet {
        let mut set = PolicySet::default();
        for f in &report.functions {
            let mut pairs: BTreeMap<Pair, BTreeSet<SourceRef>> = BTreeMap::new();
            for g in &f.grants {
                let pair = Pair {
                    deny: false,
                    action: g.action.clone(),
                    resource: g.resource.render(env),
                    condition: (!g.condition.is_empty()).then(|| {
                        canonical_json(&serde_json::to_value(&g.condition).unwrap_or(Value::Null))
                    }),
                };
                pairs
                    .entry(pair)
                    .or_default()
                    .extend(g.sources.iter().map(|s| SourceRef {
                        file: Some(s.file.clone()),
                        line: Some(s.line),
                        column: Some(s.column),
                        text: s.call.clone(),
                    }));
            }
            set.functions.insert(f.name.clone(), pairs);
            if let Some(project) = &f.project {
                set.projects.insert(f.name.clone(), project.clone());
            }
        }
        set
    }
}

/// Strings or a list of strings.
fn strings(v: &Value, at: &str, key: &str) -> Result<Vec<String>, ReadError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| malformed(at, format!("`{key}` holds a non-string value")))
            })
            .collect(),
        _ => Err(malformed(
            at,
            format!("`{key}` is not a string or a list of strings"),
        )),
    }
}

fn policy_pairs(
    doc: &Value,
    at: &str,
    catalog: &Catalog<'_>,
) -> Result<BTreeMap<Pair, BTreeSet<SourceRef>>, ReadError> {
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => return Err(malformed(at, "`Statement` is not a list or an object")),
        None => return Err(malformed(at, "no `Statement`")),
    };
    let mut pairs = BTreeMap::new();
    for (i, s) in statements.into_iter().enumerate() {
        let here = format!("{at}.Statement[{i}]");
        let Value::Object(s) = s else {
            return Err(malformed(here, "is not an object"));
        };
        let deny = match s.get("Effect").and_then(Value::as_str) {
            Some("Allow") => false,
            Some("Deny") => true,
            Some(other) => {
                return Err(malformed(
                    here,
                    format!("`Effect` is `{other}`, not `Allow` or `Deny`"),
                ));
            }
            None => return Err(malformed(here, "has no `Effect`")),
        };
        let actions: Vec<String> = match (s.get("Action"), s.get("NotAction")) {
            (Some(a), None) => strings(a, &here, "Action")?
                .iter()
                .map(|a| catalog.canonical(a))
                .collect::<Result<_, _>>()?,
            (None, Some(n)) => vec![format!(
                "NotAction {}",
                strings(n, &here, "NotAction")?.join(", ")
            )],
            _ => {
                return Err(malformed(
                    here,
                    "needs exactly one of `Action` and `NotAction`",
                ));
            }
        };
        let resources: Vec<String> = match (s.get("Resource"), s.get("NotResource")) {
            (Some(r), None) => strings(r, &here, "Resource")?,
            (None, Some(n)) => vec![format!(
                "NotResource {}",
                strings(n, &here, "NotResource")?.join(", ")
            )],
            _ => {
                return Err(malformed(
                    here,
                    "needs exactly one of `Resource` and `NotResource`",
                ));
            }
        };
        let condition = s.get("Condition").map(canonical_json);
        for a in &actions {
            for r in &resources {
                pairs.insert(
                    Pair {
                        deny,
                        action: a.clone(),
                        resource: r.clone(),
                        condition: condition.clone(),
                    },
                    BTreeSet::new(),
                );
            }
        }
    }
    Ok(pairs)
}

/// Compact JSON with object keys sorted and string lists sorted (condition values are
/// sets), so equal conditions written differently compare equal.
fn canonical_json(v: &Value) -> String {
    fn norm(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let sorted: BTreeMap<&String, Value> =
                    m.iter().map(|(k, v)| (k, norm(v))).collect();
                Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(items) => {
                let mut items: Vec<Value> = items.iter().map(norm).collect();
                if items.iter().all(Value::is_string) {
                    items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    items.dedup();
                }
                match items.as_slice() {
                    [one] if one.is_string() => one.clone(),
                    _ => Value::Array(items),
                }
            }
            Value::String(_) | Value::Null | Value::Bool(_) | Value::Number(_) => v.clone(),
        }
    }
    norm(v).to_string()
}

/// Compare OLD with NEW.
pub fn diff(old: &PolicySet, new: &PolicySet, catalog: &Catalog<'_>) -> Result<Review, MapsError> {
    let names: BTreeSet<&String> = old.functions.keys().chain(new.functions.keys()).collect();
    let empty = BTreeMap::new();
    let mut functions = Vec::new();
    for name in names {
        let o = old.functions.get(name);
        let n = new.functions.get(name);
        let (op, np) = (o.unwrap_or(&empty), n.unwrap_or(&empty));
        let mut findings = Vec::new();
        for (pair, sources) in np {
            if !op.contains_key(pair) {
                findings.push(finding(Kind::Added, pair, sources, catalog)?);
            }
        }
        for (pair, sources) in op {
            if !np.contains_key(pair) {
                findings.push(finding(Kind::Removed, pair, sources, catalog)?);
            }
        }
        let unchanged = np.keys().filter(|p| op.contains_key(*p)).count();
        let status = match (o, n) {
            (None, _) => FunctionStatus::Added,
            (_, None) => FunctionStatus::Removed,
            _ if findings.is_empty() => FunctionStatus::Unchanged,
            _ => FunctionStatus::Changed,
        };
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        functions.push(FunctionReview {
            name: name.clone(),
            project: new
                .projects
                .get(name)
                .or_else(|| old.projects.get(name))
                .cloned(),
            status,
            findings,
            unchanged,
            notes: BTreeSet::new(),
            diagnostics: Vec::new(),
        });
    }
    Ok(Review {
        kind: ReviewKind::Diff,
        functions,
        diagnostics: Vec::new(),
        roles: Vec::new(),
    })
}

fn finding(
    kind: Kind,
    pair: &Pair,
    sources: &BTreeSet<SourceRef>,
    catalog: &Catalog<'_>,
) -> Result<Finding, MapsError> {
    let (expanded, wildcard) = match pair.action.strip_prefix("NotAction ") {
        Some(list) => {
            let patterns: Vec<String> = list.split(", ").map(str::to_string).collect();
            (catalog.expand_not(&patterns)?, true)
        }
        None if is_wildcard(&pair.action) => (catalog.expand(&pair.action)?, true),
        None => (BTreeSet::from([pair.action.clone()]), false),
    };
    let resource_any = pair.resource == "*" || pair.resource.starts_with("NotResource ");
    let (access, risks) = assess(catalog, wildcard, &expanded, resource_any)?;
    let mut notes = Vec::new();
    if pair.deny {
        notes.push("Deny".to_string());
    }
    if let Some(c) = &pair.condition {
        notes.push(format!("Condition {c}"));
    }
    Ok(Finding {
        kind,
        action: pair.action.clone(),
        resource: pair.resource.clone(),
        actions: vec![pair.action.clone()],
        resources: vec![pair.resource.clone()],
        access,
        risks,
        locations: sources.iter().cloned().collect(),
        expands_to: wildcard.then_some(expanded.len()),
        unneeded: None,
        deny: pair.deny,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use leastrole_maps::Maps;

    fn read(text: &str) -> Result<PolicySet, ReadError> {
        PolicySet::read(text, "fn", &Catalog::new(Maps::embedded()))
    }

    #[test]
    fn reordered_and_remerged_statements_are_no_change() {
        let old = read(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"},
              {"Effect":"Allow","Action":"dynamodb:GetItem","Resource":["arn:aws:dynamodb:us-east-1:1:table/t"],
               "Condition":{"StringEquals":{"aws:SourceVpc":["vpc-2","vpc-1"]}}}]}"#,
        )
        .unwrap();
        let new = read(
            r#"{"Statement":[
              {"Effect":"Allow","Action":"DynamoDB:getitem","Resource":"arn:aws:dynamodb:us-east-1:1:table/t",
               "Condition":{"StringEquals":{"aws:SourceVpc":["vpc-1","vpc-2"]}}},
              {"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},
              {"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*"]}]}"#,
        )
        .unwrap();
        let review = diff(&old, &new, &Catalog::new(Maps::embedded())).unwrap();
        assert_eq!(review.functions.len(), 1);
        assert_eq!(review.functions[0].status, FunctionStatus::Unchanged);
        assert!(review.functions[0].findings.is_empty());
        assert_eq!(review.functions[0].unchanged, 3);
    }

    #[test]
    fn an_added_pair_carries_access_and_risks() {
        let old = read(r#"{"Statement":[]}"#).unwrap();
        let new = read(
            r#"{"Statement":{"Effect":"Allow","Action":["iam:PassRole","s3:*"],"Resource":"*"}}"#,
        )
        .unwrap();
        let review = diff(&old, &new, &Catalog::new(Maps::embedded())).unwrap();
        let f = &review.functions[0];
        assert_eq!(f.status, FunctionStatus::Changed);
        let names: Vec<(&str, &str)> = f
            .findings
            .iter()
            .map(|x| (x.action.as_str(), x.kind.as_str()))
            .collect();
        assert_eq!(names, [("s3:*", "added"), ("iam:PassRole", "added")]);
        let s3 = &f.findings[0];
        assert!(s3.risks.contains(&crate::Risk::PermissionsManagement));
        assert!(s3.risks.contains(&crate::Risk::WildcardAction));
        assert!(s3.risks.contains(&crate::Risk::WildcardResource));
        assert!(s3.risks.contains(&crate::Risk::DataRead));
        let pass = &f.findings[1];
        assert!(pass.risks.contains(&crate::Risk::PassRole));
    }

    #[test]
    fn malformed_inputs_say_what_is_wrong() {
        let cases = [
            ("{", "not valid JSON"),
            ("[]", "neither a leastrole report"),
            (
                r#"{"Statement":[{"Action":"s3:GetObject","Resource":"*"}]}"#,
                "policy.Statement[0]: has no `Effect`",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":3,"Resource":"*"}]}"#,
                "`Action` is not a string",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#,
                "exactly one of `Resource`",
            ),
            (
                r#"{"Statement":[{"Effect":"Permit","Action":"s3:GetObject","Resource":"*"}]}"#,
                "`Effect` is `Permit`",
            ),
            (r#"{"version":3,"functions":[]}"#, "version 3 is newer"),
            (
                r#"{"version":1,"functions":[{"grants":[]}]}"#,
                "missing field `name`",
            ),
            (
                r#"{"version":1,"functions":[{"name":"a"}]}"#,
                "neither `grants` nor `policy`",
            ),
        ];
        for (text, want) in cases {
            let err = read(text)
                .err()
                .unwrap_or_else(|| panic!("{text} was accepted"));
            assert!(err.to_string().contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn reports_ignore_unknown_fields() {
        let set = read(
            r#"{"version":1,"future":true,"functions":[{"name":"a","extra":{},"grants":[
                 {"action":"s3:GetObject","resource":"arn:*:s3:::b/*","new_field":1,
                  "sources":[{"file":"app.py","line":3,"column":5,"call":"get()","more":0}]}]}]}"#,
        )
        .unwrap();
        let pairs = &set.functions["a"];
        assert_eq!(pairs.len(), 1);
        let (pair, sources) = pairs.iter().next().unwrap();
        assert_eq!(pair.action, "s3:GetObject");
        assert_eq!(sources.iter().next().unwrap().line, Some(3));
    }
}
