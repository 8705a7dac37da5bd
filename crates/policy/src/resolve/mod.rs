//! SDK calls → grants: which operations a call sends (`target`), which actions each
//! operation needs under the call's parameters (`condition`), and which resources, by
//! filling the tables' ARN templates with the parameter values (`arn`).
//!
//! Anything seen but not understood becomes a diagnostic; a wildcard in a resource
//! always comes with one saying which parameter could not be resolved and why.

mod arn;
mod boto3_resources;
mod condition;
mod target;
mod values;

use std::collections::{BTreeMap, BTreeSet};

use leastrole_lang::{Diagnostic, Level, SdkCall, Value};
use leastrole_maps::{ActionRule, Binding, Maps, MapsError, ResourceRule};

pub use arn::EnvContext;

use crate::grant::{ConditionBlock, Grant, Provenance};
use crate::resource::{Part, Resource};
use arn::Text;
use values::Lookup;

/// Options that change which conditional actions apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Customer-managed KMS keys: include the `option: kms` actions.
    pub kms: bool,
}

impl Options {
    pub(crate) fn enabled(&self, name: &str) -> bool {
        match name {
            "kms" => self.kms,
            _ => false,
        }
    }
}

/// The grants and diagnostics of a set of calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Merged: one grant per (action, resource, condition), sources unioned; sorted.
    pub grants: Vec<Grant>,
    /// Sorted, deduplicated.
    pub diagnostics: Vec<Diagnostic>,
}

/// Most resources one call may expand to before the tool gives up on listing them.
const MAX_RESOURCES_PER_RULE: usize = 64;

/// Resolve every call (e.g. those reachable from one handler).
pub fn resolve_calls<'a>(
    maps: &Maps,
    calls: impl IntoIterator<Item = &'a SdkCall>,
    env: &EnvContext,
    options: &Options,
) -> Result<Resolved, MapsError> {
    let mut grants: BTreeMap<(String, Resource, ConditionBlock), BTreeSet<Provenance>> =
        BTreeMap::new();
    let mut diagnostics = BTreeSet::new();
    for call in calls {
        let (call_grants, call_diags) = resolve_call(maps, call, env, options)?;
        for g in call_grants {
            grants
                .entry((g.action, g.resource, g.condition))
                .or_default()
                .extend(g.sources);
        }
        diagnostics.extend(call_diags);
    }
    Ok(Resolved {
        grants: grants
            .into_iter()
            .map(|((action, resource, condition), sources)| Grant {
                action,
                resource,
                condition,
                sources,
            })
            .collect(),
        diagnostics: diagnostics.into_iter().collect(),
    })
}

/// Resolve one call into grants and diagnostics.
pub fn resolve_call(
    maps: &Maps,
    call: &SdkCall,
    env: &EnvContext,
    options: &Options,
) -> Result<(Vec<Grant>, Vec<Diagnostic>), MapsError> {
    let targets = target::requests(maps, call)?;
    let mut diagnostics = targets.diagnostics;
    let mut grants = Vec::new();
    let provenance = Provenance {
        file: call.location.file.clone(),
        line: call.location.line,
        column: call.location.column,
        call: call.text.clone(),
    };
    for request in &targets.requests {
        let service = &request.service;
        let Some((op_name, op)) = service.operation(&request.operation) else {
            continue;
        };
        if op.no_permission.is_some() {
            continue;
        }
        if op.actions.is_empty() {
            diagnostics.push(Diagnostic::new(
                Level::Warning,
                "unmapped-operation",
                format!(
                    "{} {op_name}{} has no known IAM action ({}); `{}` is not in the policy",
                    service.name(),
                    request
                        .via
                        .as_deref()
                        .map(|v| format!(" ({v})"))
                        .unwrap_or_default(),
                    op.unmapped.as_deref().unwrap_or("no reason recorded"),
                    call.text
                ),
                Some(call.location.clone()),
            ));
            continue;
        }
        for rule in &op.actions {
            if let Some(when) = &rule.when {
                match condition::eval(when, &request.params, options) {
                    Some(false) => continue,
                    Some(true) => {}
                    None => diagnostics.push(Diagnostic::new(
                        Level::Info,
                        "conditional-action-kept",
                        format!(
                            "{} is needed only under a condition the code does not show ({}); kept for `{}`",
                            rule.action,
                            describe_condition(when),
                            call.text
                        ),
                        Some(call.location.clone()),
                    )),
                }
            }
            for resource in resources(rule, &request.params, env, call, op_name, &mut diagnostics) {
                grants.push(Grant {
                    action: rule.action.clone(),
                    resource,
                    condition: ConditionBlock::new(),
                    sources: BTreeSet::from([provenance.clone()]),
                });
            }
        }
    }
    Ok((grants, diagnostics))
}

fn describe_condition(c: &leastrole_maps::Condition) -> String {
    use leastrole_maps::Condition as C;
    match c {
        C::Present(p) => format!("when {p} is given"),
        C::Absent(p) => format!("when {p} is not given"),
        C::Equals { param, values } => format!("when {param} is {}", values.join(" or ")),
        C::StartsWith { param, prefixes } => {
            format!("when {param} starts with {}", prefixes.join(" or "))
        }
        C::Option(o) => format!("with --{o}"),
        C::All(cs) => cs
            .iter()
            .map(describe_condition)
            .collect::<Vec<_>>()
            .join(" and "),
        C::Any(cs) => cs
            .iter()
            .map(describe_condition)
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// The resources one action rule needs for one request.
fn resources(
    rule: &ActionRule,
    params: &Value,
    env: &EnvContext,
    call: &SdkCall,
    op_name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Resource> {
    if rule.resources.is_empty() {
        return vec![Resource::any()];
    }
    let mut out = BTreeSet::new();
    for r in &rule.resources {
        out.extend(resource_rule(
            rule,
            r,
            params,
            env,
            call,
            op_name,
            diagnostics,
        ));
    }
    out.into_iter().collect()
}

fn resource_rule(
    rule: &ActionRule,
    r: &ResourceRule,
    params: &Value,
    env: &EnvContext,
    call: &SdkCall,
    op_name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Resource> {
    // A parameter that carries the whole ARN wins when its value is one.
    if let Some(p) = &r.arn_param
        && let Lookup::Found(found) = values::lookup(params, p)
    {
        let texts: Vec<Text> = found.iter().map(|v| arn::text_of(v, env)).collect();
        if texts.iter().all(|t| arn::is_whole_arn(&t.parts)) {
            report_unknown(rule, r, p, &texts, true, call, op_name, diagnostics);
            return texts.into_iter().map(|t| Resource::new(t.parts)).collect();
        }
    }
    // Placeholder → candidate values (several for `RequestItems{}`-style paths).
    let mut choices: Vec<(String, Vec<Vec<Part>>)> = Vec::new();
    let mut first = true;
    for (placeholder, binding) in &r.bind {
        let texts: Vec<Text> = match values::lookup(params, binding.path()) {
            Lookup::Found(found) => found
                .iter()
                .map(|v| match binding {
                    Binding::Path(_) => arn::text_of(v, env),
                    Binding::Parsed { parse, .. } => arn::parse(*parse, v, env),
                })
                .collect(),
            Lookup::Absent => vec![Text {
                parts: vec![Part::Wildcard],
                unknown: vec![format!("{} is not given in the call", binding.path())],
            }],
            Lookup::Unknown(reason) => vec![Text {
                parts: vec![Part::Wildcard],
                unknown: vec![reason],
            }],
        };
        // A name parameter given as a full ARN (TableName, FunctionName, KeyId) is the resource.
        if texts.len() == 1 && arn::is_whole_arn(&texts[0].parts) && r.bind.len() == 1 {
            return vec![Resource::new(texts[0].parts.clone())];
        }
        let primary = is_primary(r, placeholder) && first;
        first = false;
        report_unknown(
            rule,
            r,
            binding.path(),
            &texts,
            primary,
            call,
            op_name,
            diagnostics,
        );
        choices.push((
            placeholder.clone(),
            texts.into_iter().map(|t| t.parts).collect(),
        ));
    }
    let mut combos: Vec<BTreeMap<String, Vec<Part>>> = vec![BTreeMap::new()];
    for (placeholder, options) in &choices {
        let mut next = Vec::new();
        for combo in &combos {
            for parts in options {
                let mut c = combo.clone();
                c.insert(placeholder.clone(), parts.clone());
                next.push(c);
            }
        }
        combos = next;
        if combos.len() > MAX_RESOURCES_PER_RULE {
            diagnostics.push(Diagnostic::new(
                Level::Warning,
                "too-many-resources",
                format!(
                    "{} would need more than {MAX_RESOURCES_PER_RULE} {} resources for `{}`; using a wildcard",
                    rule.action, r.resource_type, call.text
                ),
                Some(call.location.clone()),
            ));
            return vec![Resource::new(arn::fill(&r.arn, &BTreeMap::new()))];
        }
    }
    combos
        .iter()
        .map(|bound| Resource::new(arn::fill(&r.arn, bound)))
        .collect()
}

/// The placeholder that names the resource itself (bucket, table, function), as opposed
/// to a part inside it (object key, index): the first one in the template.
fn is_primary(r: &ResourceRule, placeholder: &str) -> bool {
    leastrole_maps::validate::placeholders(&r.arn)
        .into_iter()
        .find(|p| !leastrole_maps::validate::ENVIRONMENT_PLACEHOLDERS.contains(p))
        == Some(placeholder)
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; the values are all context for the message"
)]
fn report_unknown(
    rule: &ActionRule,
    r: &ResourceRule,
    param: &str,
    texts: &[Text],
    primary: bool,
    call: &SdkCall,
    op_name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let reasons: BTreeSet<&str> = texts
        .iter()
        .flat_map(|t| t.unknown.iter().map(String::as_str))
        .collect();
    if reasons.is_empty() {
        return;
    }
    let whole = texts.iter().any(Text::is_fully_unknown);
    let level = if primary && whole {
        Level::Warning
    } else {
        Level::Info
    };
    let reasons: Vec<&str> = reasons.into_iter().collect();
    diagnostics.push(Diagnostic::new(
        level,
        "unresolved-resource",
        format!(
            "{op_name}: `{}` could not be resolved ({}); {} on {} uses `*` in its place",
            leastrole_maps::path::root(param),
            reasons.join("; "),
            rule.action,
            r.resource_type
        ),
        Some(call.location.clone()),
    ));
}
