//! Grants → the smallest set of policy statements that allows exactly those grants.
//!
//! Merging is exact: the union of each statement's actions × resources (under its
//! condition) equals the input pairs, never more. Within one condition and one connected
//! group of pairs, two groupings are tried, the one with fewer statements kept (tie: the
//! shorter JSON; tie: the first):
//! 1. by action: action → resource set, then actions with identical resource sets share
//!    one statement;
//! 2. by resource: resource → action set, then resources with identical action sets share
//!    one statement.
//!
//! Pairs on `*` ([`Resource::is_any`]) go into a statement of their own per condition, so
//! `*` is never listed next to other resources. A resource covered by another one's
//! wildcard is kept: dropping it is a judgement for `check`, not for the generator.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::grant::{ConditionBlock, Grant};
use crate::resource::{ArnEnv, Resource};

/// The only policy language version we write (2008-10-17 lacks policy variables).
pub const POLICY_VERSION: &str = "2012-10-17";

/// Characters (whitespace not counted) all inline policies of one role may share.
pub const INLINE_LIMIT: usize = 10_240;

/// Characters (whitespace not counted) of one customer-managed policy.
pub const MANAGED_LIMIT: usize = 6_144;

/// A generated identity policy. `Effect` is always `Allow` and `Version` always
/// [`POLICY_VERSION`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Sorted by (service prefix of the first action, Sid); Sids unique.
    pub statements: Vec<Statement>,
}

/// One `Allow` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Unique within the policy, ASCII letters and digits only. See [`build_policy`].
    pub sid: String,
    /// Exact `prefix:Action` names, prefix lowercased, sorted, deduplicated.
    pub actions: Vec<String>,
    /// Sorted by rendered text, deduplicated; `*` only ever alone.
    pub resources: Vec<Resource>,
    /// Empty for none.
    pub condition: ConditionBlock,
}

/// One expanded permission: action, resource, condition.
pub type Pair = (String, Resource, ConditionBlock);

/// The policy size against the IAM limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SizeReport {
    /// Characters of the policy JSON, whitespace not counted (as IAM counts).
    pub chars: usize,
    pub inline_limit: usize,
    pub managed_limit: usize,
    pub over_inline: bool,
    pub over_managed: bool,
}

impl SizeReport {
    pub fn new(chars: usize) -> Self {
        SizeReport {
            chars,
            inline_limit: INLINE_LIMIT,
            managed_limit: MANAGED_LIMIT,
            over_inline: chars > INLINE_LIMIT,
            over_managed: chars > MANAGED_LIMIT,
        }
    }
}

/// `prefix:Action` with the service prefix lowercased (IAM prefixes are case-insensitive;
/// the action name keeps the canonical casing it was given).
pub fn canonical_action(action: &str) -> String {
    match action.split_once(':') {
        Some((prefix, name)) => format!("{}:{name}", prefix.to_ascii_lowercase()),
        None => action.to_string(),
    }
}

/// The service prefix of an action (`s3` for `s3:GetObject`); the whole text when it
/// has no colon.
pub fn service_prefix(action: &str) -> &str {
    action.split_once(':').map_or(action, |(prefix, _)| prefix)
}

/// Build the minimal exact policy for `grants` (see the module doc for the merging).
///
/// Input order does not matter: the same set of grants always gives the same policy.
///
/// **Sids** are derived from content, `<Service><Hint>`:
/// - `<Service>`: the distinct service prefixes of the statement's actions in sorted
///   order, each in UpperCamelCase with non-alphanumerics dropped (`s3` → `S3`,
///   `execute-api` → `ExecuteApi`); two are concatenated (`KmsS3`), three or more give
///   the first followed by `Etc` (`KmsEtc`).
/// - `<Hint>`: the action name for a single action (`S3GetObject`); otherwise `Read`
///   when every action is a read verb (`Get…`, `List…`, `Describe…`, `Head…`, `Query`,
///   `Scan`, `BatchGet…`, `Select…`, `Lookup…`, `Search…`, `Check…`, `Receive…`),
///   `Write` when none is, `ReadWrite` when mixed (`DynamodbReadWrite`).
/// - Collisions: statements are ordered by (service prefix, base Sid, actions, rendered
///   resources, condition); the first of a base keeps it, later ones take the smallest
///   suffix `2`, `3`, … not used by any other Sid in the policy. The order depends only on
///   content, so Sids are stable across runs and input orders.
pub fn build_policy(grants: &[Grant]) -> Policy {
    // condition → set of (action, resource)
    let mut by_condition: BTreeMap<ConditionBlock, BTreeSet<(String, Resource)>> = BTreeMap::new();
    for grant in grants {
        by_condition
            .entry(grant.condition.clone())
            .or_default()
            .insert((canonical_action(&grant.action), grant.resource.clone()));
    }

    let mut drafts: Vec<Draft> = Vec::new();
    for (condition, pairs) in by_condition {
        let (any, specific): (BTreeSet<_>, BTreeSet<_>) =
            pairs.into_iter().partition(|(_, r)| r.is_any());
        if !any.is_empty() {
            drafts.push(Draft::new(
                any.into_iter().map(|(a, _)| a).collect(),
                BTreeSet::from([Resource::any()]),
                condition.clone(),
            ));
        }
        for component in components(specific) {
            let by_action = group_by_action(&component, &condition);
            let by_resource = group_by_resource(&component, &condition);
            drafts.extend(pick(by_action, by_resource));
        }
    }
    Policy {
        statements: assign_sids(drafts),
    }
}

/// A statement before its Sid is known.
#[derive(Debug)]
struct Draft {
    actions: Vec<String>,
    resources: Vec<Resource>,
    condition: ConditionBlock,
}

impl Draft {
    fn new(
        actions: BTreeSet<String>,
        resources: BTreeSet<Resource>,
        condition: ConditionBlock,
    ) -> Self {
        let mut resources: Vec<Resource> = resources.into_iter().collect();
        resources.sort_by_cached_key(|r| (r.to_string(), r.clone()));
        Draft {
            actions: actions.into_iter().collect(),
            resources,
            condition,
        }
    }

    fn prefix(&self) -> &str {
        self.actions.first().map_or("", |a| service_prefix(a))
    }

    /// Content key for ordering drafts that share a base Sid.
    fn content_key(&self) -> (Vec<String>, Vec<String>, ConditionBlock) {
        (
            self.actions.clone(),
            self.resources.iter().map(Resource::to_string).collect(),
            self.condition.clone(),
        )
    }

    /// Compact JSON length without a Sid: the tie-breaker between groupings.
    fn chars(&self) -> usize {
        statement_json("", &self.actions, &self.resources, &self.condition, None)
            .to_string()
            .len()
    }
}

/// Split pairs into connected groups (pairs sharing an action or a resource, transitively).
/// Neither grouping ever merges across groups, so choosing per group is never worse than
/// choosing once for all.
#[expect(
    clippy::indexing_slicing,
    reason = "a union-find over indices built here from the same sets, never from input offsets"
)]
fn components(pairs: BTreeSet<(String, Resource)>) -> Vec<BTreeSet<(String, Resource)>> {
    let actions: BTreeSet<&String> = pairs.iter().map(|(a, _)| a).collect();
    let action_index: BTreeMap<&String, usize> =
        actions.iter().enumerate().map(|(i, a)| (*a, i)).collect();
    let resources: BTreeSet<&Resource> = pairs.iter().map(|(_, r)| r).collect();
    let resource_index: BTreeMap<&Resource, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (*r, actions.len() + i))
        .collect();

    let mut parent: Vec<usize> = (0..actions.len() + resources.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (a, r) in &pairs {
        let (ia, ir) = (action_index[a], resource_index[r]);
        let (ra, rr) = (find(&mut parent, ia), find(&mut parent, ir));
        if ra != rr {
            parent[ra.max(rr)] = ra.min(rr);
        }
    }

    let mut groups: BTreeMap<usize, BTreeSet<(String, Resource)>> = BTreeMap::new();
    for (a, r) in &pairs {
        let root = find(&mut parent, action_index[a]);
        groups
            .entry(root)
            .or_default()
            .insert((a.clone(), r.clone()));
    }
    groups.into_values().collect()
}

fn group_by_action(pairs: &BTreeSet<(String, Resource)>, condition: &ConditionBlock) -> Vec<Draft> {
    let mut per_action: BTreeMap<&String, BTreeSet<Resource>> = BTreeMap::new();
    for (a, r) in pairs {
        per_action.entry(a).or_default().insert(r.clone());
    }
    let mut merged: BTreeMap<BTreeSet<Resource>, BTreeSet<String>> = BTreeMap::new();
    for (a, rs) in per_action {
        merged.entry(rs).or_default().insert(a.clone());
    }
    merged
        .into_iter()
        .map(|(rs, as_)| Draft::new(as_, rs, condition.clone()))
        .collect()
}

fn group_by_resource(
    pairs: &BTreeSet<(String, Resource)>,
    condition: &ConditionBlock,
) -> Vec<Draft> {
    let mut per_resource: BTreeMap<&Resource, BTreeSet<String>> = BTreeMap::new();
    for (a, r) in pairs {
        per_resource.entry(r).or_default().insert(a.clone());
    }
    let mut merged: BTreeMap<BTreeSet<String>, BTreeSet<Resource>> = BTreeMap::new();
    for (r, as_) in per_resource {
        merged.entry(as_).or_default().insert(r.clone());
    }
    merged
        .into_iter()
        .map(|(as_, rs)| Draft::new(as_, rs, condition.clone()))
        .collect()
}

/// Fewer statements wins; then fewer characters; then the first (by action).
fn pick(by_action: Vec<Draft>, by_resource: Vec<Draft>) -> Vec<Draft> {
    let cost = |drafts: &[Draft]| (drafts.len(), drafts.iter().map(Draft::chars).sum::<usize>());
    if cost(&by_resource) < cost(&by_action) {
        by_resource
    } else {
        by_action
    }
}

fn assign_sids(drafts: Vec<Draft>) -> Vec<Statement> {
    let mut keyed: Vec<(String, String, Draft)> = drafts
        .into_iter()
        .map(|d| (d.prefix().to_string(), base_sid(&d.actions), d))
        .collect();
    keyed.sort_by_cached_key(|(prefix, base, d)| (prefix.clone(), base.clone(), d.content_key()));

    let mut used: BTreeSet<String> = keyed.iter().map(|(_, base, _)| base.clone()).collect();
    let mut seen_bases: BTreeSet<String> = BTreeSet::new();
    let mut statements: Vec<(String, Statement)> = Vec::with_capacity(keyed.len());
    for (prefix, base, draft) in keyed {
        let sid = if seen_bases.insert(base.clone()) {
            base
        } else {
            let mut n = 2usize;
            loop {
                let candidate = format!("{base}{n}");
                if used.insert(candidate.clone()) {
                    break candidate;
                }
                n += 1;
            }
        };
        statements.push((
            prefix,
            Statement {
                sid,
                actions: draft.actions,
                resources: draft.resources,
                condition: draft.condition,
            },
        ));
    }
    statements.sort_by(|(pa, a), (pb, b)| (pa, &a.sid).cmp(&(pb, &b.sid)));
    statements.into_iter().map(|(_, s)| s).collect()
}

/// Verbs whose actions only read (for the Sid hint; IAM access levels are not on `Grant`).
const READ_VERBS: &[&str] = &[
    "BatchGet", "Check", "Describe", "Get", "Head", "List", "Lookup", "Query", "Receive", "Scan",
    "Search", "Select",
];

fn is_read(action: &str) -> bool {
    let name = action.split_once(':').map_or(action, |(_, n)| n);
    READ_VERBS.iter().any(|verb| {
        name.strip_prefix(verb).is_some_and(|rest| {
            rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_lowercase())
        })
    })
}

/// UpperCamelCase, ASCII alphanumerics only: `execute-api` → `ExecuteApi`.
fn camel(text: &str) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

fn base_sid(actions: &[String]) -> String {
    let prefixes: Vec<&str> = actions
        .iter()
        .map(|a| service_prefix(a))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut sid = match prefixes.as_slice() {
        [] => String::new(),
        [one] => camel(one),
        [a, b] => camel(a) + &camel(b),
        [first, ..] => camel(first) + "Etc",
    };
    match actions {
        [one] => {
            let name = one.split_once(':').map_or(one.as_str(), |(_, n)| n);
            sid.push_str(&camel(name));
        }
        _ => {
            let reads = actions.iter().filter(|a| is_read(a)).count();
            sid.push_str(if reads == actions.len() {
                "Read"
            } else if reads == 0 {
                "Write"
            } else {
                "ReadWrite"
            });
        }
    }
    if sid.is_empty() {
        sid.push_str("Allow");
    }
    sid
}

fn statement_json(
    sid: &str,
    actions: &[String],
    resources: &[Resource],
    condition: &ConditionBlock,
    env: Option<&ArnEnv>,
) -> Value {
    let default_env = ArnEnv::default();
    let env = env.unwrap_or(&default_env);
    let mut rendered: Vec<String> = resources.iter().map(|r| r.render(env)).collect();
    // Different parts can render to the same text (`*` partition and a wildcard).
    rendered.sort();
    rendered.dedup();

    let mut obj = Map::new();
    obj.insert("Sid".into(), json!(sid));
    obj.insert("Effect".into(), json!("Allow"));
    obj.insert("Action".into(), json!(actions));
    obj.insert("Resource".into(), json!(rendered));
    if !condition.is_empty() {
        let mut ops = Map::new();
        for (op, keys) in condition {
            let mut kv = Map::new();
            for (key, values) in keys {
                kv.insert(key.clone(), json!(values));
            }
            ops.insert(op.clone(), Value::Object(kv));
        }
        obj.insert("Condition".into(), Value::Object(ops));
    }
    Value::Object(obj)
}

impl Statement {
    /// `{"Sid", "Effect": "Allow", "Action": [..], "Resource": [..], "Condition"?}`.
    pub fn to_json(&self, env: &ArnEnv) -> Value {
        statement_json(
            &self.sid,
            &self.actions,
            &self.resources,
            &self.condition,
            Some(env),
        )
    }
}

impl Policy {
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The IAM policy document, keys in AWS's documented order.
    pub fn to_json(&self, env: &ArnEnv) -> Value {
        let statements: Vec<Value> = self.statements.iter().map(|s| s.to_json(env)).collect();
        let mut obj = Map::new();
        obj.insert("Version".into(), json!(POLICY_VERSION));
        obj.insert("Statement".into(), Value::Array(statements));
        Value::Object(obj)
    }

    /// Characters of the policy JSON without whitespace, as IAM counts against its limits.
    pub fn size(&self, env: &ArnEnv) -> usize {
        self.to_json(env)
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .count()
    }

    pub fn size_report(&self, env: &ArnEnv) -> SizeReport {
        SizeReport::new(self.size(env))
    }

    /// Every (action, resource, condition) the policy allows, as listed (no wildcard
    /// matching): the inverse of [`build_policy`] up to provenance.
    pub fn pairs(&self) -> BTreeSet<Pair> {
        self.statements
            .iter()
            .flat_map(|s| {
                s.actions.iter().flat_map(move |a| {
                    s.resources
                        .iter()
                        .map(move |r| (a.clone(), r.clone(), s.condition.clone()))
                })
            })
            .collect()
    }
}

/// The (action, resource, condition) pairs of `grants`, actions canonicalised as
/// [`build_policy`] does.
pub fn grant_pairs(grants: &[Grant]) -> BTreeSet<Pair> {
    grants
        .iter()
        .map(|g| {
            (
                canonical_action(&g.action),
                g.resource.clone(),
                g.condition.clone(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(action: &str, resource: &str) -> Grant {
        Grant {
            action: action.into(),
            resource: Resource::literal(resource),
            condition: ConditionBlock::new(),
            sources: BTreeSet::new(),
        }
    }

    fn cond(op: &str, key: &str, value: &str) -> ConditionBlock {
        BTreeMap::from([(
            op.to_string(),
            BTreeMap::from([(key.to_string(), BTreeSet::from([value.to_string()]))]),
        )])
    }

    /// (sid, actions, rendered resources) per statement.
    fn shape(policy: &Policy) -> Vec<(String, Vec<String>, Vec<String>)> {
        policy
            .statements
            .iter()
            .map(|s| {
                (
                    s.sid.clone(),
                    s.actions.clone(),
                    s.resources.iter().map(Resource::to_string).collect(),
                )
            })
            .collect()
    }

    fn owned(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    const T: &str = "arn:aws:dynamodb:us-east-1:1:table/Orders";
    const B: &str = "arn:aws:s3:::invoices/*";
    const C: &str = "arn:aws:s3:::reports/*";

    #[test]
    fn two_actions_on_one_resource_make_one_statement() {
        let p = build_policy(&[grant("dynamodb:PutItem", T), grant("dynamodb:GetItem", T)]);
        assert_eq!(
            shape(&p),
            [(
                "DynamodbReadWrite".to_string(),
                owned(&["dynamodb:GetItem", "dynamodb:PutItem"]),
                owned(&[T])
            )]
        );
    }

    #[test]
    fn one_action_on_two_resources_makes_one_statement() {
        let p = build_policy(&[grant("s3:GetObject", C), grant("s3:GetObject", B)]);
        assert_eq!(
            shape(&p),
            [(
                "S3GetObject".to_string(),
                owned(&["s3:GetObject"]),
                owned(&[B, C])
            )]
        );
    }

    #[test]
    fn non_rectangular_set_is_not_merged_into_one() {
        // GetObject on B and C, PutObject on B only: one statement would grant PutObject on C.
        let grants = [
            grant("s3:GetObject", B),
            grant("s3:GetObject", C),
            grant("s3:PutObject", B),
        ];
        let p = build_policy(&grants);
        assert_eq!(p.statements.len(), 2);
        assert_eq!(p.pairs(), grant_pairs(&grants));
        // By action and by resource both give two; by resource is shorter (B listed once).
        assert_eq!(
            shape(&p),
            [
                (
                    "S3GetObject".to_string(),
                    owned(&["s3:GetObject"]),
                    owned(&[C])
                ),
                (
                    "S3ReadWrite".to_string(),
                    owned(&["s3:GetObject", "s3:PutObject"]),
                    owned(&[B])
                ),
            ]
        );
    }

    #[test]
    fn grouping_by_resource_wins_when_it_gives_fewer_statements() {
        // By action: Send → {q1,q2}, GetQueueUrl → {q1,q2,q3}, Delete → {q3}: three.
        // By resource: {q1,q2} → {GetQueueUrl,Send}, {q3} → {Delete,GetQueueUrl}: two.
        let grants = [
            grant("sqs:SendMessage", "arn:aws:sqs:*:*:q1"),
            grant("sqs:SendMessage", "arn:aws:sqs:*:*:q2"),
            grant("sqs:GetQueueUrl", "arn:aws:sqs:*:*:q1"),
            grant("sqs:GetQueueUrl", "arn:aws:sqs:*:*:q2"),
            grant("sqs:GetQueueUrl", "arn:aws:sqs:*:*:q3"),
            grant("sqs:DeleteMessage", "arn:aws:sqs:*:*:q3"),
        ];
        let p = build_policy(&grants);
        assert_eq!(p.pairs(), grant_pairs(&grants));
        assert_eq!(
            shape(&p),
            [
                (
                    "SqsReadWrite".to_string(),
                    owned(&["sqs:DeleteMessage", "sqs:GetQueueUrl"]),
                    owned(&["arn:aws:sqs:*:*:q3"])
                ),
                (
                    "SqsReadWrite2".to_string(),
                    owned(&["sqs:GetQueueUrl", "sqs:SendMessage"]),
                    owned(&["arn:aws:sqs:*:*:q1", "arn:aws:sqs:*:*:q2"])
                ),
            ]
        );
    }

    #[test]
    fn conditions_are_kept_separate() {
        let mut with = grant("s3:ListBucket", "arn:aws:s3:::invoices");
        with.condition = cond("StringLike", "s3:prefix", "uploads/*");
        let without = grant("s3:ListBucket", "arn:aws:s3:::reports");
        let p = build_policy(&[with.clone(), without.clone()]);
        assert_eq!(p.statements.len(), 2);
        assert_eq!(p.pairs(), grant_pairs(&[with, without]));
        let j = p.to_json(&ArnEnv::default());
        let conditions: Vec<&Value> = j["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("Condition"))
            .collect();
        assert_eq!(
            conditions,
            [&json!({"StringLike": {"s3:prefix": ["uploads/*"]}})]
        );
    }

    #[test]
    fn star_resource_stays_alone() {
        let grants = [
            grant("xray:PutTraceSegments", "*"),
            grant("s3:GetObject", "*"),
            grant("s3:GetObject", B),
        ];
        let p = build_policy(&grants);
        assert_eq!(p.pairs(), grant_pairs(&grants));
        assert_eq!(
            shape(&p),
            [
                (
                    "S3GetObject".to_string(),
                    owned(&["s3:GetObject"]),
                    owned(&[B])
                ),
                (
                    "S3XrayReadWrite".to_string(),
                    owned(&["s3:GetObject", "xray:PutTraceSegments"]),
                    owned(&["*"])
                ),
            ]
        );
    }

    #[test]
    fn duplicates_and_prefix_case_are_folded() {
        let p = build_policy(&[
            grant("S3:GetObject", B),
            grant("s3:GetObject", B),
            grant("s3:GetObject", B),
        ]);
        assert_eq!(
            shape(&p),
            [(
                "S3GetObject".to_string(),
                owned(&["s3:GetObject"]),
                owned(&[B])
            )]
        );
    }

    #[test]
    fn sids_from_content() {
        let cases: &[(&[&str], &str)] = &[
            (&["s3:GetObject"], "S3GetObject"),
            (&["s3:GetObject", "s3:ListBucket"], "S3Read"),
            (
                &["dynamodb:PutItem", "dynamodb:DeleteItem"],
                "DynamodbWrite",
            ),
            (
                &["dynamodb:Query", "dynamodb:UpdateItem"],
                "DynamodbReadWrite",
            ),
            (
                &["execute-api:ManageConnections"],
                "ExecuteApiManageConnections",
            ),
            (&["kms:Decrypt", "s3:GetObject"], "KmsS3ReadWrite"),
            (
                &["kms:Decrypt", "s3:GetObject", "sqs:SendMessage"],
                "KmsEtcReadWrite",
            ),
            (&["s3-object-lambda:GetObject"], "S3ObjectLambdaGetObject"),
            // `Getaway` is not a `Get` verb; `Scan` alone is.
            (&["x:Getaway", "x:Scan"], "XReadWrite"),
        ];
        for (actions, want) in cases {
            let actions: Vec<String> = owned(actions);
            assert_eq!(base_sid(&actions), *want, "{actions:?}");
        }
    }

    #[test]
    fn sids_are_unique_stable_and_alphanumeric() {
        // The same base Sid three times: one action under three conditions.
        let mut grants = Vec::new();
        for v in ["c", "a", "b"] {
            let mut g = grant("s3:GetObject", B);
            g.condition = cond("StringEquals", "s3:ExistingObjectTag/k", v);
            grants.push(g);
        }
        let p = build_policy(&grants);
        let sids: Vec<&str> = p.statements.iter().map(|s| s.sid.as_str()).collect();
        assert_eq!(sids, ["S3GetObject", "S3GetObject2", "S3GetObject3"]);
        // The first Sid goes to the first condition in sorted order, whatever the input order.
        let first = p.statements.first().map(|s| s.condition.clone());
        assert_eq!(
            first,
            Some(cond("StringEquals", "s3:ExistingObjectTag/k", "a"))
        );
        grants.reverse();
        assert_eq!(build_policy(&grants), p);
        for s in &p.statements {
            assert!(
                s.sid.chars().all(|c| c.is_ascii_alphanumeric()),
                "{}",
                s.sid
            );
        }
    }

    #[test]
    fn suffixes_skip_sids_that_exist_as_bases() {
        let drafts = vec![
            Draft::new(
                BTreeSet::from(["a:X".to_string()]),
                BTreeSet::from([Resource::literal("r1")]),
                ConditionBlock::new(),
            ),
            Draft::new(
                BTreeSet::from(["a:X".to_string()]),
                BTreeSet::from([Resource::literal("r2")]),
                ConditionBlock::new(),
            ),
            Draft::new(
                BTreeSet::from(["a:X2".to_string()]),
                BTreeSet::from([Resource::literal("r3")]),
                ConditionBlock::new(),
            ),
        ];
        let sids: Vec<String> = assign_sids(drafts).into_iter().map(|s| s.sid).collect();
        assert_eq!(sids, ["AX", "AX2", "AX3"]);
    }

    #[test]
    fn statements_sorted_by_service_then_sid() {
        let p = build_policy(&[
            grant("sqs:SendMessage", "arn:aws:sqs:*:*:q"),
            grant("dynamodb:GetItem", T),
            grant("s3:PutObject", C),
            grant("s3:GetObject", B),
            grant(
                "dynamodb:PutItem",
                "arn:aws:dynamodb:us-east-1:1:table/Audit",
            ),
        ]);
        let sids: Vec<&str> = p.statements.iter().map(|s| s.sid.as_str()).collect();
        assert_eq!(
            sids,
            [
                "DynamodbGetItem",
                "DynamodbPutItem",
                "S3GetObject",
                "S3PutObject",
                "SqsSendMessage"
            ]
        );
    }

    #[test]
    fn json_shape_and_key_order() {
        let p = build_policy(&[grant("s3:GetObject", B)]);
        let j = p.to_json(&ArnEnv::default());
        assert_eq!(
            j.to_string(),
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"S3GetObject","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::invoices/*"]}]}"#
        );
    }

    #[test]
    fn json_renders_environment() {
        use crate::resource::Part;
        let r = Resource::new([
            Part::Lit {
                text: "arn:".into(),
            },
            Part::Partition,
            Part::Lit {
                text: ":sqs:".into(),
            },
            Part::Region,
            Part::Lit { text: ":".into() },
            Part::Account,
            Part::Lit { text: ":q".into() },
        ]);
        let g = Grant {
            action: "sqs:SendMessage".into(),
            resource: r,
            condition: ConditionBlock::new(),
            sources: BTreeSet::new(),
        };
        let env = ArnEnv {
            partition: Some("aws".into()),
            region: Some("eu-west-1".into()),
            account: Some("123456789012".into()),
        };
        let j = build_policy(&[g]).to_json(&env);
        assert_eq!(
            j["Statement"][0]["Resource"],
            json!(["arn:aws:sqs:eu-west-1:123456789012:q"])
        );
    }

    #[test]
    fn size_counts_non_whitespace_characters() {
        let p = build_policy(&[grant("s3:GetObject", B)]);
        let env = ArnEnv::default();
        let compact = p.to_json(&env).to_string();
        assert_eq!(p.size(&env), compact.len());
        let pretty = serde_json::to_string_pretty(&p.to_json(&env)).unwrap_or_default();
        assert!(pretty.len() > compact.len());
        assert_eq!(
            pretty.chars().filter(|c| !c.is_whitespace()).count(),
            p.size(&env)
        );
        assert_eq!(p.size(&env), 142);

        // Whitespace inside values is not counted either.
        let mut g = grant("s3:GetObject", "arn:aws:s3:::my bucket/*");
        g.condition = cond("StringEquals", "aws:RequestTag/team", "a b");
        let q = build_policy(&[g]);
        let text = q.to_json(&env).to_string();
        assert_eq!(q.size(&env), text.len() - 2);
    }

    #[test]
    fn size_report_against_limits() {
        assert_eq!(
            SizeReport::new(6_144),
            SizeReport {
                chars: 6_144,
                inline_limit: 10_240,
                managed_limit: 6_144,
                over_inline: false,
                over_managed: false,
            }
        );
        let r = SizeReport::new(6_145);
        assert!(r.over_managed && !r.over_inline);
        let r = SizeReport::new(10_241);
        assert!(r.over_managed && r.over_inline);

        let grants: Vec<Grant> = (0..200)
            .map(|i| {
                grant(
                    &format!("s3:Action{i}"),
                    &format!("arn:aws:s3:::bucket-{i}/*"),
                )
            })
            .collect();
        let p = build_policy(&grants);
        let report = p.size_report(&ArnEnv::default());
        assert_eq!(report.chars, p.size(&ArnEnv::default()));
        assert!(report.over_inline);
    }

    #[test]
    fn empty_input_gives_empty_policy() {
        let p = build_policy(&[]);
        assert!(p.is_empty());
        assert_eq!(
            p.to_json(&ArnEnv::default()),
            json!({"Version": "2012-10-17", "Statement": []})
        );
    }
}
