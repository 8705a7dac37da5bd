//! `leastrole check`: each function's needed grants (the generated report) against the
//! role its project declares.
//!
//! A needed grant is covered when an `Allow` statement's action pattern matches its
//! action and the statement's resource covers its resource (see `pattern`), and no
//! `Deny` statement's action matches it on an overlapping resource. Every declared
//! (action, resource) element of an `Allow` statement is then classified: covering
//! nothing (unused), covering something but granting more actions or a wider resource
//! (broad), covering only what the framework needs (framework), or exact (no row).
//! Unused and framework rows of one statement are then grouped (see `group`).
//!
//! A needed grant nothing covers is `missing`, unless leastrole cannot tell: its
//! resource holds a part it could not resolve (`*`) and an `Allow` grants the action on
//! resources that part may name (the element is then taken to be used, never `unused`),
//! or the role holds grants whose content is unknown (a managed policy leastrole does
//! not embed). Those are `unverified`, with a note that says why.

use std::collections::{BTreeMap, BTreeSet};

use leastrole_core::Code;
use leastrole_lang::Diagnostic;
use leastrole_maps::{AccessLevel, MapsError};
use leastrole_policy::{ArnEnv, FunctionReport, Grant};
use leastrole_project::declared::{
    Declared, DeclaredRole, DeclaredStatement, Effect, FrameworkFacts,
};
use leastrole_project::{EnvValue, Function, ValuePart, ValueParts};

use crate::actions::{Catalog, action_matches, is_wildcard};
use crate::model::{
    Finding, FunctionReview, FunctionStatus, Kind, Review, ReviewKind, Risk, SourceRef, assess,
};
use crate::pattern::{Canon, Match, Pattern, covers, overlaps};

/// Lambda writes its logs with these, on its log group.
pub const FRAMEWORK_LOGS: &[&str] = &[
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
];

/// X-Ray tracing (`AWSXrayWriteOnlyAccess`).
pub const FRAMEWORK_TRACING: &[&str] = &[
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
];

/// A function in a VPC (`AWSLambdaVPCAccessExecutionRole`).
pub const FRAMEWORK_VPC: &[&str] = &[
    "ec2:AssignPrivateIpAddresses",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:UnassignPrivateIpAddresses",
];

/// What the event source mapping reads with the function's role, per source kind
/// (the Lambda execution-role managed policies). Sorted by kind, then action.
pub const FRAMEWORK_EVENT_SOURCES: &[(&str, &[&str])] = &[
    (
        "dynamodb-stream",
        &[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ],
    ),
    (
        "kafka",
        &[
            "kafka:DescribeCluster",
            "kafka:DescribeClusterV2",
            "kafka:GetBootstrapBrokers",
        ],
    ),
    (
        "kinesis",
        &[
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
            "kinesis:ListStreams",
            "kinesis:SubscribeToShard",
        ],
    ),
    (
        "mq",
        &["mq:DescribeBroker", "secretsmanager:GetSecretValue"],
    ),
    (
        "sqs",
        &[
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ReceiveMessage",
        ],
    ),
];

/// Sending failed events to the dead-letter target.
pub const FRAMEWORK_DEAD_LETTER: &[&str] = &["sns:Publish", "sqs:SendMessage"];

/// What `check` needs besides each function.
#[derive(Debug)]
pub struct CheckContext<'a> {
    pub catalog: &'a Catalog<'a>,
    /// `--partition`, `--region`, `--account`.
    pub env: ArnEnv,
}

/// One function to check.
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'a> {
    pub report: &'a FunctionReport,
    pub declared: Option<&'a Declared>,
    /// The function's discovered form, for the resource types of the logical ids its
    /// environment names.
    pub function: Option<&'a Function>,
}

/// Check every function. A role several functions share is judged once, against the
/// union of what they need (see [`Review::roles`]): each of its functions keeps only its
/// `missing` rows, so a statement another function needs is never called unused.
pub fn check(
    ctx: &CheckContext<'_>,
    inputs: &[CheckInput<'_>],
    diagnostics: Vec<Diagnostic>,
) -> Result<Review, MapsError> {
    let groups = shared_roles(inputs);
    let mut functions = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let group = groups.iter().find(|g| g.contains(&i));
        // A shared role's declared rows are judged once, for the whole group, below.
        let rows = if group.is_some() {
            Rows::NeededOnly
        } else {
            Rows::All
        };
        let mut review = check_one(ctx, input, None, rows)?;
        if let Some(group) = group
            && matches!(review.status, FunctionStatus::Checked { .. })
        {
            let others: Vec<&str> = group
                .iter()
                .filter(|&&j| j != i)
                .filter_map(|&j| inputs.get(j).map(|x| x.report.name.as_str()))
                .collect();
            review.notes.insert(format!(
                "the role is shared with {}: its unused, broad and framework rows are judged once, against what they all need (see the shared role)",
                others.join(", ")
            ));
        }
        functions.push(review);
    }
    functions.sort_by(|a, b| a.name.cmp(&b.name));
    let mut roles = groups
        .iter()
        .map(|g| check_shared(ctx, inputs, g))
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Review {
        kind: ReviewKind::Check,
        functions,
        diagnostics,
        roles,
    })
}

/// The indexes of the inputs that run with one role, for each role more than one input
/// runs with: same description, same user statements and unknown grants (the
/// framework's own statements, such as each function's log group, differ).
fn shared_roles(inputs: &[CheckInput<'_>]) -> Vec<Vec<usize>> {
    fn user_statements(d: &Declared) -> Vec<&DeclaredStatement> {
        d.statements
            .iter()
            .filter(|s| s.origin.framework_managed.is_none())
            .collect()
    }
    let mut groups: Vec<(&Declared, Vec<usize>)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let Some(declared) = input.declared else {
            continue;
        };
        let DeclaredRole::Checkable { description } = &declared.role else {
            continue;
        };
        let same = groups.iter_mut().find(|(d, _)| {
            matches!(&d.role, DeclaredRole::Checkable { description: other } if other == description)
                && d.unknown_grants == declared.unknown_grants
                && user_statements(d) == user_statements(declared)
        });
        match same {
            Some((_, members)) => members.push(i),
            None => groups.push((declared, vec![i])),
        }
    }
    groups
        .into_iter()
        .map(|(_, members)| members)
        .filter(|members| members.len() > 1)
        .collect()
}

/// What a shared role's check knows besides one function: which functions need each
/// grant, and the resource types all of their environments name.
struct Shared {
    users: BTreeMap<(String, leastrole_policy::Resource), BTreeSet<String>>,
    types: BTreeMap<String, String>,
}

/// One shared role against the union of what its analysed functions need: the role's
/// statements and framework facts are the union of its functions'.
fn check_shared(
    ctx: &CheckContext<'_>,
    inputs: &[CheckInput<'_>],
    group: &[usize],
) -> Result<FunctionReview, MapsError> {
    let members: Vec<&CheckInput<'_>> = group.iter().filter_map(|&i| inputs.get(i)).collect();
    let (analysed, not_analysed): (Vec<&CheckInput<'_>>, Vec<&CheckInput<'_>>) = members
        .iter()
        .copied()
        .partition(|m| m.report.not_analysed.is_none());
    let mut declared: Option<Declared> = None;
    let mut shared = Shared {
        users: BTreeMap::new(),
        types: BTreeMap::new(),
    };
    let mut grants: BTreeMap<(String, leastrole_policy::Resource), Grant> = BTreeMap::new();
    for m in &members {
        let Some(d) = m.declared else { continue };
        for (k, v) in reference_types(m.function, Some(d)) {
            shared.types.entry(k).or_insert(v);
        }
        match &mut declared {
            None => declared = Some(d.clone()),
            Some(all) => {
                for st in &d.statements {
                    if !all.statements.contains(st) {
                        all.statements.push(st.clone());
                    }
                }
                for e in &d.framework.event_sources {
                    if !all.framework.event_sources.contains(e) {
                        all.framework.event_sources.push(e.clone());
                    }
                }
                all.framework.vpc |= d.framework.vpc;
                all.framework.tracing |= d.framework.tracing;
                if all.framework.dead_letter.is_none() {
                    all.framework.dead_letter = d.framework.dead_letter.clone();
                }
                for diag in &d.diagnostics {
                    if !all.diagnostics.contains(diag) {
                        all.diagnostics.push(diag.clone());
                    }
                }
            }
        }
    }
    for m in &analysed {
        for g in &m.report.grants {
            let key = (g.action.clone(), g.resource.clone());
            shared
                .users
                .entry(key.clone())
                .or_default()
                .insert(m.report.name.clone());
            grants.entry(key).or_insert_with(|| g.clone());
        }
    }
    let description = match declared.as_ref().map(|d| &d.role) {
        Some(DeclaredRole::Checkable { description }) => description.clone(),
        _ => "shared role".to_string(),
    };
    let grants: Vec<Grant> = grants.into_values().collect();
    let report = FunctionReport {
        name: description.clone(),
        project: None,
        handler: None,
        runtime: None,
        files: Vec::new(),
        policy: leastrole_policy::build_policy(&grants),
        grants,
        diagnostics: Vec::new(),
        not_analysed: None,
        log_group: None,
    };
    let input = CheckInput {
        report: &report,
        declared: declared.as_ref(),
        function: None,
    };
    let mut review = check_one(ctx, &input, Some(&shared), Rows::All)?;
    // Its functions report what they miss (or may miss); here only what the role grants.
    review
        .findings
        .retain(|f| !matches!(f.kind, Kind::Missing | Kind::Unverified));
    let names = |ms: &[&CheckInput<'_>]| {
        ms.iter()
            .map(|m| m.report.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    review.status = FunctionStatus::Checked {
        role: format!("run by {}", names(&members)),
    };
    if !not_analysed.is_empty() {
        review.notes.insert(format!(
            "{} also run{} with this role and {} not analysed: a row called unused may be needed by {}",
            names(&not_analysed),
            if not_analysed.len() == 1 { "s" } else { "" },
            if not_analysed.len() == 1 { "was" } else { "were" },
            if not_analysed.len() == 1 { "it" } else { "them" },
        ));
    }
    Ok(review)
}

/// The action side of a declared element.
#[derive(Debug, Clone)]
enum ActionSpec {
    One(String),
    Not(Vec<String>),
}

impl ActionSpec {
    fn matches(&self, action: &str) -> bool {
        match self {
            ActionSpec::One(p) => action_matches(p, action),
            ActionSpec::Not(ps) => !ps.iter().any(|p| action_matches(p, action)),
        }
    }

    fn text(&self) -> String {
        match self {
            ActionSpec::One(p) => p.clone(),
            ActionSpec::Not(ps) => format!("NotAction {}", ps.join(", ")),
        }
    }

    fn is_wildcard(&self) -> bool {
        match self {
            ActionSpec::One(p) => is_wildcard(p),
            ActionSpec::Not(_) => true,
        }
    }

    fn expand(&self, catalog: &Catalog<'_>) -> Result<BTreeSet<String>, MapsError> {
        match self {
            ActionSpec::One(p) => catalog.expand(p),
            ActionSpec::Not(ps) => catalog.expand_not(ps),
        }
    }
}

/// The resource side of a declared element.
#[derive(Debug, Clone)]
enum ResourceSpec {
    One(Pattern),
    Not(Vec<Pattern>),
}

impl ResourceSpec {
    fn covers(&self, needed: &Pattern) -> Match {
        match self {
            ResourceSpec::One(p) => covers(p, needed),
            ResourceSpec::Not(ps) => {
                if ps.iter().any(|p| overlaps(p, needed)) {
                    Match::No
                } else {
                    Match::Exact
                }
            }
        }
    }

    fn overlaps(&self, other: &Pattern) -> bool {
        match self {
            ResourceSpec::One(p) => overlaps(p, other),
            ResourceSpec::Not(ps) => !ps.iter().any(|p| covers(p, other) != Match::No),
        }
    }

    fn is_any(&self) -> bool {
        match self {
            ResourceSpec::One(p) => p.is_any(),
            ResourceSpec::Not(_) => true,
        }
    }
}

/// One (action, resource) element of a declared statement.
#[derive(Debug)]
struct Element<'d> {
    statement: &'d DeclaredStatement,
    action: ActionSpec,
    resource: ResourceSpec,
    resource_text: String,
}

fn elements<'d>(canon: &Canon<'_>, s: &'d DeclaredStatement) -> Vec<Element<'d>> {
    let actions: Vec<ActionSpec> = if s.not_action {
        vec![ActionSpec::Not(s.actions.clone())]
    } else {
        s.actions.iter().cloned().map(ActionSpec::One).collect()
    };
    let resources: Vec<(ResourceSpec, String)> = if s.not_resource {
        vec![(
            ResourceSpec::Not(s.resources.iter().map(|r| canon.declared(r)).collect()),
            format!(
                "NotResource {}",
                s.resources
                    .iter()
                    .map(|r| ValueParts(r).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )]
    } else {
        s.resources
            .iter()
            .map(|r| {
                (
                    ResourceSpec::One(canon.declared(r)),
                    ValueParts(r).to_string(),
                )
            })
            .collect()
    };
    let mut out = Vec::new();
    for a in &actions {
        for (r, text) in &resources {
            out.push(Element {
                statement: s,
                action: a.clone(),
                resource: r.clone(),
                resource_text: text.clone(),
            });
        }
    }
    out
}

/// Every logical id → resource type the function's environment and declared role name.
pub fn reference_types(
    function: Option<&Function>,
    declared: Option<&Declared>,
) -> BTreeMap<String, String> {
    fn walk(parts: &[ValuePart], out: &mut BTreeMap<String, String>) {
        for p in parts {
            if let ValuePart::Ref {
                logical_id,
                resource_type,
                physical,
                ..
            } = p
            {
                if let Some(t) = resource_type {
                    out.entry(logical_id.clone()).or_insert_with(|| t.clone());
                }
                if let Some(ph) = physical {
                    walk(ph, out);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    if let Some(env) = function.and_then(|f| f.environment.as_ref()) {
        for v in env.values() {
            if let EnvValue::Template(parts) = v {
                walk(parts, &mut out);
            }
        }
    }
    if let Some(d) = declared {
        for s in &d.statements {
            for r in &s.resources {
                walk(r, &mut out);
            }
        }
        for e in &d.framework.event_sources {
            walk(&e.arn, &mut out);
        }
        if let Some(t) = &d.framework.dead_letter {
            walk(t, &mut out);
        }
    }
    out
}

/// A row about one declared element (its action pattern on its resource), located on the
/// statement that declares it.
fn element_finding(
    kind: Kind,
    e: &Element<'_>,
    (access, risks): (Option<AccessLevel>, BTreeSet<Risk>),
    expands_to: Option<usize>,
    unneeded: Option<usize>,
    note: Option<String>,
) -> Finding {
    let action = e.action.text();
    Finding {
        kind,
        actions: vec![action.clone()],
        resources: vec![e.resource_text.clone()],
        action,
        resource: e.resource_text.clone(),
        access,
        risks,
        locations: vec![origin_ref(e.statement)],
        expands_to,
        unneeded,
        deny: false,
        note,
    }
}

fn origin_ref(s: &DeclaredStatement) -> SourceRef {
    SourceRef {
        file: s.origin.location.as_ref().map(|l| l.file.clone()),
        line: s.origin.location.as_ref().map(|l| l.line),
        column: s.origin.location.as_ref().map(|l| l.column),
        text: s.origin.path.clone(),
    }
}

/// A grant's code lines; the report's paths are relative to the folder scanned already.
fn grant_refs(g: &Grant) -> Vec<SourceRef> {
    g.sources
        .iter()
        .map(|s| SourceRef {
            file: Some(s.file.clone()),
            line: Some(s.line),
            column: Some(s.column),
            text: s.call.clone(),
        })
        .collect()
}

/// Why the framework needs `action` on `resource`, if it does.
fn framework_reason(
    action: &str,
    resource: &ResourceSpec,
    facts: &FrameworkFacts,
    canon: &Canon<'_>,
) -> Option<String> {
    let is = |table: &[&str]| table.iter().any(|a| a.eq_ignore_ascii_case(action));
    if is(FRAMEWORK_LOGS) {
        return Some("Lambda writes the function's logs".into());
    }
    if facts.tracing && is(FRAMEWORK_TRACING) {
        return Some("X-Ray tracing is on".into());
    }
    if facts.vpc && is(FRAMEWORK_VPC) {
        return Some("the function runs in a VPC".into());
    }
    for source in &facts.event_sources {
        let Some((_, actions)) = FRAMEWORK_EVENT_SOURCES
            .iter()
            .find(|(kind, _)| *kind == source.kind)
        else {
            continue;
        };
        // Kafka and MQ read the cluster, broker and secret, not the source ARN alone.
        let on_source = matches!(source.kind.as_str(), "kafka" | "mq")
            || resource.is_any()
            || resource.overlaps(&canon.declared(&source.arn));
        if on_source && actions.iter().any(|a| a.eq_ignore_ascii_case(action)) {
            return Some(format!("{} event source", source.kind));
        }
    }
    if let Some(target) = &facts.dead_letter
        && is(FRAMEWORK_DEAD_LETTER)
        && resource.overlaps(&canon.declared(target))
    {
        return Some("dead-letter target".into());
    }
    None
}

/// Merge unused (and framework) rows of one declared statement that share kind, access
/// level, risk flags and note into one row per set of actions: rows are first gathered
/// per resource, then resources with the same set of actions are merged, so a row always
/// means every one of its actions on every one of its resources (a resource some of
/// whose actions are needed keeps a row of its own). Each input comes with the known
/// actions its pattern expands to, for the row's `expands_to`. Other rows pass through.
fn group(rows: Vec<(Finding, BTreeSet<String>)>) -> Vec<Finding> {
    type Key = (
        Kind,
        Vec<SourceRef>,
        Option<String>,
        Option<AccessLevel>,
        BTreeSet<Risk>,
        bool,
    );
    /// Per resource: the actions, whether any is counted (`expands_to`), the expansion.
    type PerResource = BTreeMap<String, (BTreeSet<String>, bool, BTreeSet<String>)>;
    let mut by_key: BTreeMap<Key, (Finding, PerResource)> = BTreeMap::new();
    let mut out = Vec::new();
    for (f, expanded) in rows {
        if !matches!(f.kind, Kind::Unused | Kind::Framework) {
            out.push(f);
            continue;
        }
        let key = (
            f.kind,
            f.locations.clone(),
            f.note.clone(),
            f.access,
            f.risks.clone(),
            f.deny,
        );
        let counted = f.expands_to.is_some();
        let (_, per_resource) = by_key
            .entry(key)
            .or_insert_with(|| (f.clone(), BTreeMap::new()));
        for resource in &f.resources {
            let entry = per_resource.entry(resource.clone()).or_default();
            entry.0.extend(f.actions.iter().cloned());
            entry.1 |= counted;
            entry.2.extend(expanded.iter().cloned());
        }
    }
    for (_, (template, per_resource)) in by_key {
        let mut by_actions: BTreeMap<BTreeSet<String>, (Vec<String>, bool, BTreeSet<String>)> =
            BTreeMap::new();
        for (resource, (actions, counted, expanded)) in per_resource {
            let entry = by_actions.entry(actions).or_default();
            entry.0.push(resource);
            entry.1 |= counted;
            entry.2.extend(expanded);
        }
        for (actions, (resources, counted, expanded)) in by_actions {
            let actions: Vec<String> = actions.into_iter().collect();
            out.push(Finding {
                action: actions.join(", "),
                resource: resources.join(", "),
                actions,
                resources,
                expands_to: counted.then_some(expanded.len()),
                ..template.clone()
            });
        }
    }
    out
}

/// Check one function (against its role alone, shared or not).
#[cfg(test)]
pub(crate) fn check_function(
    ctx: &CheckContext<'_>,
    input: &CheckInput<'_>,
) -> Result<FunctionReview, MapsError> {
    check_one(ctx, input, None, Rows::All)
}

/// Which rows a check produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// Missing and unverified, and every declared element's row (unused, broad,
    /// framework).
    All,
    /// Missing and unverified only: a function of a shared role, whose declared rows the
    /// role's own check gives.
    NeededOnly,
}

/// Check one function, or (with `shared`) a shared role against the union of its
/// functions' needs.
fn check_one(
    ctx: &CheckContext<'_>,
    input: &CheckInput<'_>,
    shared: Option<&Shared>,
    rows: Rows,
) -> Result<FunctionReview, MapsError> {
    let report = input.report;
    let mut review = FunctionReview {
        name: report.name.clone(),
        project: report.project.clone(),
        status: FunctionStatus::NoDeclaredRole,
        findings: Vec::new(),
        unchanged: 0,
        notes: BTreeSet::new(),
        diagnostics: Vec::new(),
    };
    let Some(declared) = input.declared else {
        review
            .notes
            .insert("the project declares no role for this function".into());
        return Ok(review);
    };
    review.diagnostics = declared.diagnostics.clone();
    // What a function needs is unknown when its code was not analysed (a container
    // image, a missing handler file or export): every declared statement would read as
    // unused, and a user removing them would break the function.
    if let Some(reason) = &report.not_analysed {
        review.status = FunctionStatus::NotCheckable {
            reason: format!("not analysed: {reason}"),
        };
        return Ok(review);
    }
    match &declared.role {
        DeclaredRole::NotCheckable { reason } => {
            review.status = FunctionStatus::NotCheckable {
                reason: reason.clone(),
            };
            return Ok(review);
        }
        DeclaredRole::Checkable { description } => {
            review.status = FunctionStatus::Checked {
                role: description.clone(),
            };
        }
    }
    let mut types = reference_types(input.function, Some(declared));
    if let Some(shared) = shared {
        for (k, v) in &shared.types {
            types.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let canon = Canon {
        env: Some(&ctx.env),
        types: Some(&types),
    };
    let all: Vec<Element<'_>> = declared
        .statements
        .iter()
        .flat_map(|s| elements(&canon, s))
        .collect();
    let (allows, denies): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|e| e.statement.effect == Effect::Allow);

    let covering = needed_pass(ctx, input, declared, &canon, &allows, &denies, &mut review)?;
    if let Some(shared) = shared {
        note_shared_users(shared, &allows, &covering.sure, &mut review);
    }
    if rows == Rows::All {
        declared_pass(
            ctx,
            declared,
            &canon,
            &allows,
            &covering,
            shared,
            &mut review,
        )?;
    }
    review
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(review)
}

/// Per element of a role's `Allow` statements, the needed grants it covers, and those
/// it may cover (their resource holds a part leastrole could not resolve that the
/// element's resource may name: the grant is `unverified`).
struct Covering<'r> {
    sure: Vec<Vec<&'r Grant>>,
    maybe: Vec<Vec<&'r Grant>>,
}

/// Needed grants → covered (counted, and remembered per declared `Allow` element that
/// covers them), unverified or missing (a row each).
fn needed_pass<'r>(
    ctx: &CheckContext<'_>,
    input: &CheckInput<'r>,
    declared: &Declared,
    canon: &Canon<'_>,
    allows: &[Element<'_>],
    denies: &[Element<'_>],
    review: &mut FunctionReview,
) -> Result<Covering<'r>, MapsError> {
    let report = input.report;
    let catalog = ctx.catalog;
    let mut covering = Covering {
        sure: vec![Vec::new(); allows.len()],
        maybe: vec![Vec::new(); allows.len()],
    };
    let mut assumed = false;
    for g in &report.grants {
        let needed = canon.needed(&g.resource);
        let mut by: Vec<usize> = Vec::new();
        for (i, e) in allows.iter().enumerate() {
            if !e.action.matches(&g.action) {
                continue;
            }
            match e.resource.covers(&needed) {
                Match::No => {}
                Match::Exact => by.push(i),
                Match::Assumed => {
                    assumed = true;
                    by.push(i);
                }
            }
        }
        let denied = denies
            .iter()
            .find(|e| e.action.matches(&g.action) && e.resource.overlaps(&needed));
        let resource = g.resource.render(&ctx.env);
        if by.is_empty() || denied.is_some() {
            let (access, risks) = assess(
                catalog,
                false,
                std::iter::once(&g.action),
                g.resource.is_any(),
            )?;
            // The elements that grant the action on resources the unresolved part of
            // the needed one may name.
            let may: Vec<usize> = if denied.is_none() && stands_for_unknown(catalog, g, &needed)? {
                allows
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.action.matches(&g.action) && e.resource.overlaps(&needed))
                    .map(|(i, _)| i)
                    .collect()
            } else {
                Vec::new()
            };
            let (kind, note) = match denied {
                Some(d) if !by.is_empty() => (
                    Kind::Missing,
                    Some(format!(
                        "allowed, but denied by {} ({} on {})",
                        d.statement.origin.path,
                        d.action.text(),
                        d.resource_text
                    )),
                ),
                _ if !may.is_empty() => {
                    let grants: Vec<String> = may
                        .iter()
                        .map(|&i| {
                            format!(
                                "{} on {} ({})",
                                allows[i].action.text(),
                                allows[i].resource_text,
                                allows[i].statement.origin.path
                            )
                        })
                        .collect();
                    for &i in &may {
                        covering.maybe[i].push(g);
                    }
                    (
                        Kind::Unverified,
                        Some(format!(
                            "{}, so the resource is {resource}; the role grants {}, which {} name it",
                            unresolved_reason(report, g),
                            grants.join(", "),
                            if may.len() == 1 { "may" } else { "may each" }
                        )),
                    )
                }
                // The role also holds grants whose content is unknown: the permission
                // may come from one of them, which leastrole cannot tell.
                _ if denied.is_none() && !declared.unknown_grants.is_empty() => (
                    Kind::Unverified,
                    Some(format!(
                        "not in the declared statements; may be granted by {} (content not known to leastrole)",
                        declared.unknown_grants.join(", ")
                    )),
                ),
                _ => (Kind::Missing, None),
            };
            review.findings.push(Finding {
                kind,
                action: g.action.clone(),
                resource: resource.clone(),
                actions: vec![g.action.clone()],
                resources: vec![resource],
                access,
                risks,
                locations: grant_refs(g),
                expands_to: None,
                unneeded: None,
                deny: false,
                note,
            });
            continue;
        }
        review.unchanged += 1;
        if by.iter().all(|&i| allows[i].statement.condition.is_some()) {
            review.notes.insert(format!(
                "{} on {resource} is granted only under a Condition ({}); leastrole assumes it holds",
                g.action, allows[by[0]].statement.origin.path
            ));
        }
        for i in by {
            covering.sure[i].push(g);
        }
    }
    if assumed {
        review.notes.insert(
            "needed ARNs leave partition, region or account open; the declared literal values were taken as the deployment's (pass --partition/--region/--account to compare exactly)"
                .into(),
        );
    }

    Ok(covering)
}

/// Whether a needed resource holds a part leastrole could not resolve (a `*` in it),
/// rather than the `*` an action IAM authorizes on no resource type must have.
fn stands_for_unknown(
    catalog: &Catalog<'_>,
    g: &Grant,
    needed: &Pattern,
) -> Result<bool, MapsError> {
    if !needed.has_unresolved() {
        return Ok(false);
    }
    if g.resource.is_any()
        && let Some(facts) = catalog.facts(&g.action)?
    {
        return Ok(facts.resource_level);
    }
    Ok(true)
}

/// Why a needed resource holds `*`: the analysis' `unresolved-resource` diagnostic on
/// the grant's call for its action (which parameter, and why), when there is one.
fn unresolved_reason(report: &FunctionReport, g: &Grant) -> String {
    let on_call = |d: &Diagnostic| {
        d.location.as_ref().is_some_and(|l| {
            g.sources
                .iter()
                .any(|s| s.file == l.file && s.line == l.line && s.column == l.column)
        })
    };
    let affected = format!("{} on ", g.action);
    let mut reasons: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::UnresolvedResource && on_call(d))
        .filter(|d| d.message.contains(&affected))
        .map(|d| {
            // `Op: `Param` could not be resolved (why); action on type uses `*` in its
            // place`: the middle says which part and why.
            let m = d.message.as_str();
            let from = m.find(": ").map_or(0, |i| i + 2);
            let to = m.rfind("; ").filter(|&i| i > from).unwrap_or(m.len());
            &m[from..to]
        })
        .collect();
    reasons.sort_unstable();
    reasons.dedup();
    if reasons.is_empty() {
        "a part of the resource could not be resolved".to_string()
    } else {
        reasons.join("; ")
    }
}

/// A shared role: which functions use each of its statements (a note per statement).
fn note_shared_users(
    shared: &Shared,
    allows: &[Element<'_>],
    covering: &[Vec<&Grant>],
    review: &mut FunctionReview,
) {
    let mut by_statement: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (e, covered) in allows.iter().zip(covering) {
        let users = by_statement.entry(&e.statement.origin.path).or_default();
        for g in covered {
            if let Some(names) = shared.users.get(&(g.action.clone(), g.resource.clone())) {
                users.extend(names.iter().map(String::as_str));
            }
        }
    }
    for (path, users) in by_statement {
        if !users.is_empty() {
            review.notes.insert(format!(
                "{path} is used by {}",
                users.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
}

/// Declared elements → unused, broad or framework rows (an element exactly as wide as
/// what it covers gives none). Unused and framework rows are grouped per declared
/// statement, each with the actions it stands for.
fn declared_pass(
    ctx: &CheckContext<'_>,
    declared: &Declared,
    canon: &Canon<'_>,
    allows: &[Element<'_>],
    covering: &Covering<'_>,
    shared: Option<&Shared>,
    review: &mut FunctionReview,
) -> Result<(), MapsError> {
    let catalog = ctx.catalog;
    let mut groupable: Vec<(Finding, BTreeSet<String>)> = Vec::new();
    for ((e, covered), maybe) in allows.iter().zip(&covering.sure).zip(&covering.maybe) {
        let expanded = e.action.expand(catalog)?;
        if let Some(managed) = &e.statement.origin.framework_managed {
            let (access, risks) = assess(
                catalog,
                e.action.is_wildcard(),
                &expanded,
                e.resource.is_any(),
            )?;
            let expands_to = e.action.is_wildcard().then_some(expanded.len());
            groupable.push((
                element_finding(
                    Kind::Framework,
                    e,
                    (access, risks),
                    expands_to,
                    None,
                    Some(format!("managed by the framework: {managed}")),
                ),
                expanded,
            ));
            continue;
        }
        // An element an unverified grant may rely on is taken to be used by it: calling
        // it unused could have the user remove the permission the function runs with.
        let needed_actions: BTreeSet<&str> = covered
            .iter()
            .chain(maybe)
            .map(|g| g.action.as_str())
            .collect();
        let mut framework: BTreeMap<&String, String> = BTreeMap::new();
        for a in &expanded {
            if needed_actions.iter().any(|n| n.eq_ignore_ascii_case(a)) {
                continue;
            }
            if let Some(why) = framework_reason(a, &e.resource, &declared.framework, canon) {
                framework.insert(a, why);
            }
        }
        let excess: BTreeSet<&String> = expanded
            .iter()
            .filter(|a| {
                !needed_actions.iter().any(|n| n.eq_ignore_ascii_case(a))
                    && !framework.contains_key(a)
            })
            .collect();
        let expands_to = e.action.is_wildcard().then_some(expanded.len());
        if covered.is_empty() && maybe.is_empty() && framework.is_empty() {
            let (access, risks) = assess(
                catalog,
                e.action.is_wildcard(),
                &expanded,
                e.resource.is_any(),
            )?;
            let note = if expanded.is_empty() {
                Some("matches no known IAM action".to_string())
            } else {
                None
            };
            let expands_to = Some(expanded.len());
            groupable.push((
                element_finding(Kind::Unused, e, (access, risks), expands_to, None, note),
                expanded,
            ));
            continue;
        }
        // The resource is wider than needed when no covered grant's resource covers the
        // declared one back (they are not the same set). Unknown when an unverified grant
        // may need it whole.
        let resource_broad = match &e.resource {
            ResourceSpec::One(p) => {
                !covered.is_empty()
                    && maybe.is_empty()
                    && p.has_wildcard()
                    && !covered.iter().any(|g| {
                        covers(&canon.needed(&g.resource).environment_as_star(), p) != Match::No
                    })
            }
            ResourceSpec::Not(_) => maybe.is_empty(),
        };
        if !excess.is_empty() || resource_broad {
            let about: Vec<&String> = if excess.is_empty() {
                expanded
                    .iter()
                    .filter(|a| needed_actions.iter().any(|n| n.eq_ignore_ascii_case(a)))
                    .collect()
            } else {
                excess.iter().copied().collect()
            };
            let (access, risks) = assess(
                catalog,
                e.action.is_wildcard() && !excess.is_empty(),
                about.iter().copied(),
                e.resource.is_any(),
            )?;
            let mut used: Vec<&str> = needed_actions.iter().copied().collect();
            used.extend(framework.keys().map(|a| a.as_str()));
            used.sort_unstable();
            used.dedup();
            // A shared role: which of its functions need the element.
            let users: BTreeSet<&str> = shared
                .map(|s| {
                    covered
                        .iter()
                        .filter_map(|g| s.users.get(&(g.action.clone(), g.resource.clone())))
                        .flatten()
                        .map(String::as_str)
                        .collect()
                })
                .unwrap_or_default();
            let by = if users.is_empty() {
                String::new()
            } else {
                format!("{} (", users.iter().copied().collect::<Vec<_>>().join(", "))
            };
            let mut why = Vec::new();
            if !excess.is_empty() {
                why.push(format!(
                    "{} of its {} actions not needed",
                    excess.len(),
                    expanded.len()
                ));
            }
            if resource_broad {
                let mut needed: Vec<String> = covered
                    .iter()
                    .map(|g| g.resource.render(&ctx.env))
                    .collect();
                needed.sort();
                needed.dedup();
                why.push(format!(
                    "resource wider than the needed {}",
                    needed.join(", ")
                ));
            }
            review.findings.push(element_finding(
                Kind::Broad,
                e,
                (access, risks),
                expands_to,
                (!excess.is_empty()).then_some(excess.len()),
                Some(format!(
                    "used by {by}{}{}; {}",
                    used.join(", "),
                    if by.is_empty() { "" } else { ")" },
                    why.join("; ")
                )),
            ));
        } else if covered.is_empty() && maybe.is_empty() {
            let (access, risks) = assess(
                catalog,
                e.action.is_wildcard(),
                framework.keys().copied(),
                e.resource.is_any(),
            )?;
            let mut reasons: Vec<&str> = framework.values().map(String::as_str).collect();
            reasons.sort_unstable();
            reasons.dedup();
            let framework_actions: BTreeSet<String> =
                framework.keys().map(|a| (*a).clone()).collect();
            groupable.push((
                element_finding(
                    Kind::Framework,
                    e,
                    (access, risks),
                    expands_to,
                    None,
                    Some(reasons.join("; ")),
                ),
                framework_actions,
            ));
        }
    }
    review.findings.extend(group(groupable));
    Ok(())
}

#[cfg(test)]
mod tests;
