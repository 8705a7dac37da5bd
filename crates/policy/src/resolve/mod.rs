//! SDK calls → grants: which operations a call sends (`target`), which actions each
//! operation needs under the call's parameters (`condition`), and which resources, by
//! filling the tables' ARN templates with the parameter values (`arn`).
//!
//! Anything seen but not understood becomes a diagnostic; a wildcard in a resource
//! always comes with one saying which parameter could not be resolved and why.

mod arn;
mod boto3_resources;
mod condition;
mod kms;
mod request;
mod target;
mod values;

use std::collections::{BTreeMap, BTreeSet};

use leastrole_core::Code;
use leastrole_lang::{Diagnostic, Level, SdkCall, Value};
use leastrole_maps::{ActionRule, Binding, Maps, MapsError, ResourceRule};
use rayon::prelude::*;

pub use arn::{EnvContext, EventField, TriggerFields};
pub use kms::TemplateKey;

use crate::grant::{ConditionBlock, Grant, Provenance};
use crate::resource::{Part, Resource};
use arn::Text;
use values::Lookup;

/// Options that change which conditional actions apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Customer-managed KMS keys: include the `option: kms` actions.
    pub kms: bool,
    /// Include `iam:PassRole` for roles passed inside configuration maps
    /// (`option: pass-role`).
    pub pass_role: bool,
    /// S3 `HeadObject` callers that must tell a missing key (404) from a forbidden one
    /// (403): include `s3:ListBucket` (`option: s3-not-found`).
    pub s3_not_found: bool,
    /// The resources the project's template encrypts with a customer-managed key: a
    /// call on one gets its operation's `option: kms` actions on that key (without
    /// `kms`, which adds them for every call).
    pub template_keys: Vec<TemplateKey>,
}

impl Options {
    pub(crate) fn enabled(&self, name: &str) -> bool {
        match name {
            "kms" => self.kms,
            "pass-role" => self.pass_role,
            "s3-not-found" => self.s3_not_found,
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

const RESOLVE_CHUNK: usize = 4096;

/// Resolve every call (e.g. those reachable from one handler). Calls are resolved in
/// parallel (a folder analysed as one unit has a hundred thousand) and merged in order.
pub fn resolve_calls<'a>(
    maps: &Maps,
    calls: impl IntoIterator<Item = &'a SdkCall>,
    env: &EnvContext,
    options: &Options,
) -> Result<Resolved, MapsError> {
    let calls: Vec<&SdkCall> = calls.into_iter().collect();
    let mut merged = Merged::default();
    // In chunks, so the unmerged grants of all calls are never held at once; a chunk is
    // merged (in call order, on one thread) while the next one is resolved.
    let mut pending = Vec::new();
    for chunk in calls.chunks(RESOLVE_CHUNK) {
        let (resolved, done) = rayon::join(
            || {
                chunk
                    .par_iter()
                    .map(|call| resolve_call(maps, call, env, options))
                    .collect::<Vec<_>>()
            },
            || merged.add(std::mem::take(&mut pending)),
        );
        done?;
        pending = resolved;
    }
    merged.add(pending)?;
    let Merged {
        grants,
        diagnostics,
    } = merged;
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

/// What one call resolves to: its grants, one per action and resource, and diagnostics.
type CallResolved = (Vec<Grant>, Vec<Diagnostic>);

/// The grants of the calls resolved so far, merged by action, resource and condition,
/// and their diagnostics.
#[derive(Default)]
struct Merged {
    grants: BTreeMap<(String, Resource, ConditionBlock), BTreeSet<Provenance>>,
    diagnostics: BTreeSet<Diagnostic>,
}

impl Merged {
    /// Add what each call of `resolved` gave, in order; the first error ends it.
    fn add(&mut self, resolved: Vec<Result<CallResolved, MapsError>>) -> Result<(), MapsError> {
        for result in resolved {
            let (call_grants, call_diags) = result?;
            for g in call_grants {
                self.grants
                    .entry((g.action, g.resource, g.condition))
                    .or_default()
                    .extend(g.sources);
            }
            self.diagnostics.extend(call_diags);
        }
        Ok(())
    }
}

/// Resolve one call into grants and diagnostics.
pub fn resolve_call(
    maps: &Maps,
    call: &SdkCall,
    env: &EnvContext,
    options: &Options,
) -> Result<CallResolved, MapsError> {
    let targets = target::requests(maps, call)?;
    let mut cx = CallContext {
        call,
        env,
        diagnostics: targets.diagnostics,
        unresolved: BTreeMap::new(),
        from_triggers: BTreeMap::new(),
    };
    let provenance = Provenance {
        file: call.location.file.clone(),
        line: call.location.line,
        column: call.location.column,
        call: call.text.clone(),
    };
    let mut grants = Vec::new();
    for request in &targets.requests {
        let service = &request.service;
        let Some((op_name, op)) = service.operation(&request.operation) else {
            continue;
        };
        if op.no_permission.is_some() {
            continue;
        }
        if op.actions.is_empty() {
            let via = request
                .via
                .as_deref()
                .map(|v| format!(" ({v})"))
                .unwrap_or_default();
            cx.warn(
                Code::UnmappedOperation,
                format!(
                    "{} {op_name}{via} has no known IAM action ({}); `{}` is not in the policy",
                    service.name(),
                    op.unmapped.as_deref().unwrap_or("no reason recorded"),
                    call.text
                ),
            );
            continue;
        }
        let first = grants.len();
        let mut kms_rules = Vec::new();
        for rule in &op.actions {
            if template_kms(rule, &request.params, options) {
                kms_rules.push(rule);
                continue;
            }
            if !cx.applies(rule, &request.params, options) {
                continue;
            }
            for resource in cx.resources(op_name, rule, &request.params) {
                grants.push(Grant {
                    action: rule.action.clone(),
                    resource,
                    condition: ConditionBlock::new(),
                    sources: BTreeSet::from([provenance.clone()]),
                });
            }
        }
        // The encrypted resources this request's grants name, and their keys.
        let named: Vec<&TemplateKey> = options
            .template_keys
            .iter()
            .filter(|k| {
                grants
                    .get(first..)
                    .unwrap_or_default()
                    .iter()
                    .any(|g| kms::names(&g.resource, k))
            })
            .collect();
        let keys: BTreeSet<&Resource> = named.iter().map(|k| &k.key).collect();
        for k in named
            .iter()
            .filter(|k| kms::NOT_COVERED.contains(&k.resource_type.as_str()))
        {
            cx.warn(
                Code::KmsKeyNotCovered,
                format!(
                    "{op_name}: {} ({}) is encrypted with a customer-managed key in the template; \
                     the service maps list no KMS action for this operation, so none is in the policy: \
                     add the ones it needs on {} by hand",
                    k.logical_id,
                    k.resource_type,
                    k.key.to_sub()
                ),
            );
        }
        for rule in kms_rules {
            for key in &keys {
                grants.push(Grant {
                    action: rule.action.clone(),
                    resource: (*key).clone(),
                    condition: ConditionBlock::new(),
                    sources: BTreeSet::from([provenance.clone()]),
                });
            }
        }
    }
    Ok((grants, cx.finish()))
}

/// One candidate value of a placeholder: its parts, and the triggers it can come from
/// (empty: any).
type Choice = (Vec<Part>, BTreeSet<String>);

/// Placeholder values chosen for one resource, and the triggers they can come from.
type Combo = (BTreeMap<String, Vec<Part>>, BTreeSet<String>);

/// Key of an unresolved parameter: (parameter, reasons).
type UnresolvedKey = (String, Vec<String>);

/// What an unresolved parameter affects: the worst level, the operations and the
/// (action on resource type) pairs.
type Affected = (Level, BTreeSet<String>, BTreeSet<String>);

/// Everything resolving one call needs, and what it found wrong.
struct CallContext<'a> {
    call: &'a SdkCall,
    env: &'a EnvContext,
    diagnostics: Vec<Diagnostic>,
    /// One diagnostic per unresolved parameter, naming every action it affects.
    unresolved: BTreeMap<UnresolvedKey, Affected>,
    /// Event path → the triggers whose values for it resources were built from.
    from_triggers: BTreeMap<String, BTreeSet<String>>,
}

impl CallContext<'_> {
    fn push(&mut self, level: Level, code: Code, message: String) {
        self.diagnostics.push(Diagnostic::new(
            level,
            code,
            message,
            Some(self.call.location.clone()),
        ));
    }

    fn warn(&mut self, code: Code, message: String) {
        self.push(Level::Warning, code, message);
    }

    /// Whether a rule's condition holds; an unknowable condition keeps the action.
    fn applies(&mut self, rule: &ActionRule, params: &Value, options: &Options) -> bool {
        let Some(when) = &rule.when else {
            return true;
        };
        match condition::eval(when, params, options) {
            Some(true) => true,
            Some(false) => {
                if condition::mentions_option(when, PASS_ROLE_OPTION) && !options.pass_role {
                    self.warn(
                        Code::PassRoleLeftOut,
                        format!(
                            "{} may be needed by `{}` when it passes a role inside its configuration; \
                             left out (use --pass-role to include it)",
                            rule.action, self.call.text
                        ),
                    );
                }
                false
            }
            None => {
                self.push(
                    Level::Info,
                    Code::ConditionalActionKept,
                    format!(
                        "{} is needed only under a condition the code does not show (when {}); kept for `{}`",
                        rule.action,
                        when,
                        self.call.text
                    ),
                );
                true
            }
        }
    }

    /// The resources one action rule needs for one request.
    fn resources(&mut self, op_name: &str, rule: &ActionRule, params: &Value) -> Vec<Resource> {
        if rule.resources.is_empty() {
            // A wildcard always says why, even the one IAM leaves no choice about.
            let why = match &rule.note {
                Some(note) => format!("the tables say: {note}"),
                None => "IAM defines no resource type for it (no resource-level permissions)"
                    .to_string(),
            };
            self.push(
                Level::Info,
                Code::NoResourceType,
                format!(
                    "{}: `*` is the only resource it can have; {why}",
                    rule.action
                ),
            );
            return vec![Resource::any()];
        }
        let mut out = BTreeSet::new();
        for r in &rule.resources {
            out.extend(self.resource_rule(op_name, rule, r, params));
        }
        out.into_iter().collect()
    }

    fn resource_rule(
        &mut self,
        op_name: &str,
        rule: &ActionRule,
        r: &ResourceRule,
        params: &Value,
    ) -> Vec<Resource> {
        let affected = format!("{} on {}", rule.action, r.resource_type);
        // A parameter that carries the whole ARN wins when its value is one.
        if let Some(p) = &r.arn_param
            && let Lookup::Found(found) = values::lookup_or(params, p, bound_default(r, p))
        {
            let texts: Vec<Text> = found
                .iter()
                .flat_map(|v| arn::texts_of(v, self.env))
                .collect();
            if texts.iter().all(|t| arn::is_whole_arn(&t.parts)) {
                self.note_triggers(&texts);
                self.note_unknown(op_name, p, &texts, true, &affected);
                return texts.into_iter().map(|t| Resource::new(t.parts)).collect();
            }
            // The ARN itself is unknown (from the event, an unset variable) and nothing
            // else names the resource: its reason is the one to give.
            if r.bind.is_empty() && texts.iter().any(Text::is_fully_unknown) {
                self.note_unknown(op_name, p, &texts, true, &affected);
                return vec![Resource::new(arn::fill(&r.arn, &BTreeMap::new()))];
            }
        }
        // Resources named whole by an ARN among a binding's values.
        let mut direct: Vec<Resource> = Vec::new();
        // Placeholder → candidate values (several for `RequestItems{}`-style paths), each
        // with the triggers it can come from.
        let mut choices: Vec<(String, Vec<Choice>)> = Vec::new();
        // Placeholders nothing fills, with why: the table's, and event values no trigger
        // of the function sets.
        let mut unbound = r.unbound.clone();
        for (placeholder, binding) in &r.bind {
            if let Binding::Event { event, unknown } = binding {
                let texts = arn::texts_of(
                    &Value::Event {
                        path: event.clone(),
                    },
                    self.env,
                );
                if texts.iter().any(Text::is_fully_unknown) {
                    unbound.insert(placeholder.clone(), unknown.clone());
                    continue;
                }
                self.note_triggers(&texts);
                self.note_unknown(op_name, event, &texts, false, &affected);
                choices.push((
                    placeholder.clone(),
                    texts.into_iter().map(|t| (t.parts, t.triggers)).collect(),
                ));
                continue;
            }
            let texts: Vec<Text> = match binding {
                Binding::Constant { constant } => vec![Text::literal(constant)],
                _ => match values::lookup_or(params, binding.path(), default_of(binding)) {
                    Lookup::Found(found) => found
                        .iter()
                        .flat_map(|v| match binding {
                            Binding::Path(_)
                            | Binding::Defaulted { .. }
                            | Binding::Prefixed { .. }
                            | Binding::Constant { .. }
                            | Binding::Event { .. } => arn::texts_of(v, self.env),
                            Binding::Parsed { parse, .. } => arn::parse(*parse, v, self.env),
                        })
                        .collect(),
                    Lookup::Absent => vec![Text::unknown(format!(
                        "{} is not given in the call",
                        binding.path()
                    ))],
                    Lookup::Unknown(reason) => vec![Text::unknown(reason)],
                },
            };
            let texts: Vec<Text> = match binding {
                Binding::Prefixed { prefix, .. } => {
                    texts.into_iter().map(|t| t.after(prefix)).collect()
                }
                _ => texts,
            };
            self.note_triggers(&texts);
            // A name parameter given as a full ARN (TableName, FunctionName, KeyId) is the
            // resource; with several values (`Entries[].EventBusName`: an ARN, a name,
            // the default), each ARN is its own resource and the rest fill the template.
            let mut texts = texts;
            if r.bind.len() == 1 && !texts.is_empty() {
                let (whole, rest): (Vec<Text>, Vec<Text>) =
                    texts.into_iter().partition(|t| arn::is_whole_arn(&t.parts));
                direct.extend(whole.into_iter().map(|t| Resource::new(t.parts)));
                if rest.is_empty() {
                    return direct;
                }
                texts = rest;
            }
            // A queue URL or function ARN in another region or account is that
            // region's and account's resource, whatever the deployment's are.
            if let Binding::Parsed { parse, .. } = binding
                && let Lookup::Found(found) = values::lookup(params, binding.path())
                && let [only] = found.as_slice()
                && let Some((region, account)) = arn::location(*parse, only, self.env)
            {
                choices.push(("Region".to_string(), vec![(region, BTreeSet::new())]));
                choices.push(("Account".to_string(), vec![(account, BTreeSet::new())]));
            }
            let primary = is_primary(r, placeholder);
            self.note_unknown(op_name, binding.path(), &texts, primary, &affected);
            choices.push((
                placeholder.clone(),
                texts.into_iter().map(|t| (t.parts, t.triggers)).collect(),
            ));
        }
        // Placeholders no request parameter fills are `*`, and say why (from the table):
        // one note for all of them.
        if !unbound.is_empty() {
            let names: Vec<&str> = unbound.keys().map(String::as_str).collect();
            let text = Text {
                parts: vec![Part::Wildcard],
                unknown: unbound
                    .iter()
                    .map(|(name, why)| format!("{name}: {why}"))
                    .collect(),
                from_triggers: BTreeSet::new(),
                triggers: BTreeSet::new(),
            };
            let primary = names.iter().any(|p| is_primary(r, p));
            self.note_unknown(
                op_name,
                &names.join(", "),
                std::slice::from_ref(&text),
                primary,
                &affected,
            );
        }
        // Values read from one event vary together: a bucket of one trigger goes with
        // the key filter of that trigger, not another's.
        let mut combos: Vec<Combo> = vec![(BTreeMap::new(), BTreeSet::new())];
        for (placeholder, options) in &choices {
            let mut next = Vec::new();
            for (combo, triggers) in &combos {
                for (parts, from) in options {
                    let Some(triggers) = arn::combine(triggers, from) else {
                        continue;
                    };
                    let mut c = combo.clone();
                    c.insert(placeholder.clone(), parts.clone());
                    next.push((c, triggers));
                }
            }
            combos = next;
            if combos.len() > MAX_RESOURCES_PER_RULE {
                self.warn(
                    Code::TooManyResources,
                    format!(
                        "{} would need more than {MAX_RESOURCES_PER_RULE} {} resources for `{}`; using a wildcard",
                        rule.action, r.resource_type, self.call.text
                    ),
                );
                return vec![Resource::new(arn::fill(&r.arn, &BTreeMap::new()))];
            }
        }
        direct
            .into_iter()
            .chain(
                combos
                    .iter()
                    .map(|(bound, _)| Resource::new(arn::fill(&r.arn, bound))),
            )
            .collect()
    }

    /// Record the event paths whose values came from the function's triggers.
    fn note_triggers(&mut self, texts: &[Text]) {
        for t in texts {
            for (path, trigger) in &t.from_triggers {
                self.from_triggers
                    .entry(path.clone())
                    .or_default()
                    .insert(trigger.clone());
            }
        }
    }

    /// Record the wildcards a parameter's values put into a resource. Warning when the
    /// resource's own name is wholly unknown, info when only a part inside it is.
    fn note_unknown(
        &mut self,
        op_name: &str,
        param: &str,
        texts: &[Text],
        primary: bool,
        affected: &str,
    ) {
        let reasons: Vec<String> = texts
            .iter()
            .flat_map(|t| t.unknown.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
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
        let key = (leastrole_maps::path::root(param).to_string(), reasons);
        let entry = self
            .unresolved
            .entry(key)
            .or_insert((level, BTreeSet::new(), BTreeSet::new()));
        entry.0 = entry.0.max(level);
        entry.1.insert(op_name.to_string());
        entry.2.insert(affected.to_string());
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        // Never a silent assumption: each value taken from the triggers is said.
        for (path, triggers) in std::mem::take(&mut self.from_triggers) {
            let triggers: Vec<String> = triggers.into_iter().collect();
            self.push(
                Level::Info,
                Code::EventValueFromTrigger,
                format!(
                    "`{}` reads `{path}` from its event: the resources use what the function's triggers put there ({}); the policy assumes only they invoke it",
                    self.call.text,
                    triggers.join("; ")
                ),
            );
        }
        for ((param, reasons), (level, ops, affected)) in std::mem::take(&mut self.unresolved) {
            let ops: Vec<String> = ops.into_iter().collect();
            let affected: Vec<String> = affected.into_iter().collect();
            self.push(
                level,
                Code::UnresolvedResource,
                format!(
                    "{}: `{param}` could not be resolved ({}); {} uses `*` in its place",
                    ops.join(", "),
                    reasons.join("; "),
                    affected.join(", ")
                ),
            );
        }
        self.diagnostics
    }
}

/// Whether a rule is a KMS action only a customer-managed key calls for, and the
/// template may name that key: it applies with `--kms`, not without, and `--kms` is off.
fn template_kms(rule: &ActionRule, params: &Value, options: &Options) -> bool {
    let Some(when) = &rule.when else {
        return false;
    };
    if options.kms || options.template_keys.is_empty() || !condition::mentions_option(when, "kms") {
        return false;
    }
    let with_kms = Options {
        kms: true,
        ..Options::default()
    };
    condition::eval(when, params, options) == Some(false)
        && condition::eval(when, params, &with_kms) != Some(false)
}

/// The documented default of a binding, if it has one.
fn default_of(binding: &Binding) -> Option<&str> {
    match binding {
        Binding::Defaulted { default, .. } => Some(default),
        Binding::Path(_)
        | Binding::Parsed { .. }
        | Binding::Prefixed { .. }
        | Binding::Constant { .. }
        | Binding::Event { .. } => None,
    }
}

/// The default a resource rule's bindings give the parameter at `path` (an `arn_param`
/// that is also a defaulted binding: an entry without it goes to the default resource,
/// which the ARN branch must not lose).
fn bound_default<'r>(r: &'r ResourceRule, path: &str) -> Option<&'r str> {
    r.bind
        .values()
        .find(|b| b.path() == path)
        .and_then(default_of)
}

/// The option that turns on `iam:PassRole` for roles passed inside configuration maps.
const PASS_ROLE_OPTION: &str = "pass-role";

/// The placeholder that names the resource itself (bucket, table, function), as opposed
/// to a part inside it (object key, index): the first one in the template.
fn is_primary(r: &ResourceRule, placeholder: &str) -> bool {
    leastrole_maps::validate::placeholders(&r.arn)
        .into_iter()
        .find(|p| !leastrole_maps::validate::ENVIRONMENT_PLACEHOLDERS.contains(p))
        == Some(placeholder)
}
