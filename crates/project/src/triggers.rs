//! What invokes a function, from the configuration: the event sources wired to it
//! (`AWS::Lambda::EventSourceMapping`, Serverless `stream`/`sqs` events) and what kind
//! each is. `check` reads them as framework facts (the reads a poller needs are the
//! framework's, never `unused`); and every trigger of a function with what its events
//! carry ([`Trigger`]: the bucket and key filter of S3 notifications, the queue or stream
//! of a poller, the topic, an EventBridge pattern's values, the WebSocket API and stage,
//! the Cognito user pool, a custom resource's properties), which resolution reads for the
//! values the handler takes from its event.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use leastrole_core::Location;

use crate::cfn::Eval;
use crate::config::{Node, find_line};
use crate::declared::EventSource;
use crate::{Trigger, ValuePart};

/// The kind of event source an ARN is (`sqs`, `kinesis`, `dynamodb-stream`, `kafka`, `mq`).
pub(crate) fn source_kind(arn: &[ValuePart]) -> Option<&'static str> {
    for p in arn {
        match p {
            ValuePart::Ref {
                resource_type: Some(t),
                attribute,
                ..
            } => {
                return match t.as_str() {
                    "AWS::SQS::Queue" => Some("sqs"),
                    "AWS::Kinesis::Stream" => Some("kinesis"),
                    "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable"
                        if attribute.as_deref() == Some("StreamArn") =>
                    {
                        Some("dynamodb-stream")
                    }
                    "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => Some("kafka"),
                    "AWS::AmazonMQ::Broker" => Some("mq"),
                    // Terraform's resource types.
                    "aws_sqs_queue" => Some("sqs"),
                    "aws_kinesis_stream" => Some("kinesis"),
                    "aws_dynamodb_table" if attribute.as_deref() == Some("stream_arn") => {
                        Some("dynamodb-stream")
                    }
                    "aws_msk_cluster" | "aws_msk_serverless_cluster" => Some("kafka"),
                    "aws_mq_broker" => Some("mq"),
                    _ => None,
                };
            }
            ValuePart::Lit(s) => {
                for (service, kind) in [
                    (":sqs:", "sqs"),
                    (":kinesis:", "kinesis"),
                    (":dynamodb:", "dynamodb-stream"),
                    (":kafka:", "kafka"),
                    (":mq:", "mq"),
                ] {
                    if s.contains(service) {
                        return Some(kind);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The event sources `AWS::Lambda::EventSourceMapping`s of the template wire to the
/// function `function_id`.
pub(crate) fn event_source_mappings(eval: &Eval<'_>, function_id: &str) -> Vec<EventSource> {
    let mut out = Vec::new();
    for r in eval.template.resources.values() {
        if r.get("Type").and_then(Node::as_str) != Some("AWS::Lambda::EventSourceMapping") {
            continue;
        }
        let targets = r.at(&["Properties", "FunctionName"]).is_some_and(|n| {
            matches!(eval.value(n, 0).as_slice(),
                [ValuePart::Ref { logical_id, .. }] if logical_id == function_id)
        });
        if !targets {
            continue;
        }
        match r.at(&["Properties", "EventSourceArn"]) {
            Some(arn) => {
                let arn = eval.value(arn, 0);
                let kind = source_kind(&arn).unwrap_or("unknown");
                out.push(EventSource {
                    kind: kind.to_string(),
                    arn,
                });
            }
            None if r.at(&["Properties", "SelfManagedEventSource"]).is_some() => {
                out.push(EventSource {
                    kind: "kafka".to_string(),
                    arn: vec![ValuePart::Unknown("self-managed Kafka brokers".into())],
                });
            }
            None => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// What each trigger puts in the handler's event.
//
// Paths use the syntax of `leastrole_lang::Value::Event`. A trigger sets every path its
// events carry that names a resource; a field whose value is one unknown part at a path
// that holds more (`detail` of an EventBridge rule) stands for anything under it that no
// longer path of the same trigger sets (see `crate::Trigger`).

/// The bucket of an S3 notification's records.
const S3_BUCKET: &str = "Records[].s3.bucket.name";
const S3_BUCKET_ARN: &str = "Records[].s3.bucket.arn";
const S3_KEY: &str = "Records[].s3.object.key";
/// The queue or stream a poller read the records from.
const SOURCE_ARN: &str = "Records[].eventSourceARN";
const SNS_TOPIC: &str = "Records[].Sns.TopicArn";
/// Most triggers one EventBridge pattern gives (one per combination of the values it
/// allows at each path); past it, paths with several values are unknown.
const MAX_PATTERN_COMBINATIONS: usize = 16;

/// Where triggers are declared: the config file and its text, for lines.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Declared<'a> {
    pub(crate) file: &'a str,
    pub(crate) text: &'a str,
    /// Where the template's `Resources` are in the file (`resources.Resources` in a
    /// Serverless config).
    pub(crate) resources: &'a [&'a str],
}

impl Declared<'_> {
    /// The location of the key at `path` (or of its nearest parent found).
    fn at(&self, path: &[&str]) -> Option<Location> {
        let line = (1..=path.len())
            .rev()
            .find_map(|n| path.get(..n).and_then(|p| find_line(self.text, p)))
            .unwrap_or(1);
        Some(Location {
            file: self.file.to_string(),
            line,
            column: 1,
        })
    }
}

fn lit(s: &str) -> ValuePart {
    ValuePart::Lit(s.to_string())
}

fn trigger(kind: &str, describe: String, source: Option<Location>) -> Trigger {
    Trigger {
        kind: kind.to_string(),
        describe,
        source,
        fields: BTreeMap::new(),
    }
}

/// `arn:${AWS::Partition}:s3:::<bucket>`.
fn bucket_arn(bucket: &[ValuePart]) -> Vec<ValuePart> {
    let mut out = vec![
        lit("arn:"),
        ValuePart::Pseudo("AWS::Partition".into()),
        lit(":s3:::"),
    ];
    out.extend(bucket.iter().cloned());
    crate::cfn::normalize(out)
}

/// A key-name filter of an S3 notification.
#[derive(Debug, Default)]
pub(crate) struct KeyFilter {
    pub(crate) prefix: Vec<ValuePart>,
    pub(crate) suffix: Vec<ValuePart>,
}

impl KeyFilter {
    /// The keys the filter lets through: `prefix<unknown>suffix`, the unknown part
    /// naming the filter.
    fn key(&self, what: &str) -> Vec<ValuePart> {
        let shown = |parts: &[ValuePart]| crate::ValueParts(parts).to_string();
        let reason = match (self.prefix.is_empty(), self.suffix.is_empty()) {
            (true, true) => format!("any object key: {what} have no key filter"),
            (false, true) => format!(
                "the object key {what} send under their filter's prefix `{}`",
                shown(&self.prefix)
            ),
            (true, false) => format!(
                "the object key {what} send before their filter's suffix `{}`",
                shown(&self.suffix)
            ),
            (false, false) => format!(
                "the object key {what} send between their filter's prefix `{}` and suffix `{}`",
                shown(&self.prefix),
                shown(&self.suffix)
            ),
        };
        let mut out = self.prefix.clone();
        out.push(ValuePart::Unknown(reason));
        out.extend(self.suffix.iter().cloned());
        crate::cfn::normalize(out)
    }
}

/// An S3 notification trigger.
pub(crate) fn s3_trigger(
    describe: String,
    source: Option<Location>,
    bucket: Vec<ValuePart>,
    filter: &KeyFilter,
) -> Trigger {
    let what = format!("the S3 notifications of {}", crate::ValueParts(&bucket));
    let mut t = trigger("s3", describe, source);
    t.fields.insert(S3_KEY.to_string(), filter.key(&what));
    t.fields
        .insert(S3_BUCKET_ARN.to_string(), bucket_arn(&bucket));
    t.fields.insert(S3_BUCKET.to_string(), bucket);
    t
}

/// A poller's trigger: the queue or stream ARN in every record.
pub(crate) fn source_trigger(
    kind: &str,
    describe: String,
    source: Option<Location>,
    arn: Vec<ValuePart>,
) -> Trigger {
    let mut t = trigger(kind, describe, source);
    t.fields.insert(SOURCE_ARN.to_string(), arn);
    t
}

pub(crate) fn sns_trigger(
    describe: String,
    source: Option<Location>,
    topic: Vec<ValuePart>,
) -> Trigger {
    let mut t = trigger("sns", describe, source);
    t.fields.insert(SNS_TOPIC.to_string(), topic);
    t
}

fn cognito_trigger(describe: String, source: Option<Location>, pool: Vec<ValuePart>) -> Trigger {
    let mut t = trigger("cognito", describe, source);
    t.fields.insert("userPoolId".to_string(), pool);
    t
}

/// A WebSocket route's trigger: the API and stage in `requestContext`.
fn websocket_trigger(
    describe: String,
    source: Option<Location>,
    api: Vec<ValuePart>,
    stage: Vec<ValuePart>,
) -> Trigger {
    let mut t = trigger("websocket", describe, source);
    let mut domain = api.clone();
    domain.extend([
        lit(".execute-api."),
        ValuePart::Pseudo("AWS::Region".into()),
        lit("."),
        ValuePart::Pseudo("AWS::URLSuffix".into()),
    ]);
    t.fields.insert(
        "requestContext.domainName".to_string(),
        crate::cfn::normalize(domain),
    );
    t.fields.insert("requestContext.apiId".to_string(), api);
    t.fields.insert("requestContext.stage".to_string(), stage);
    t
}

/// The triggers an EventBridge pattern gives: what it fixes at each path (one trigger
/// per combination of allowed values), `detail` and `resources` open beyond that.
pub(crate) fn pattern_triggers(
    describe: &str,
    source: Option<Location>,
    pattern: Option<&Node>,
    value: &dyn Fn(&Node) -> Vec<ValuePart>,
) -> Vec<Trigger> {
    let mut paths: Vec<(String, Vec<Vec<ValuePart>>)> = Vec::new();
    if let Some(p) = pattern {
        pattern_paths(p, "", value, &mut paths, 0);
    }
    let is_s3 = paths.iter().any(|(path, values)| {
        path == "source"
            && values
                .iter()
                .any(|v| matches!(v.as_slice(), [ValuePart::Lit(s)] if s == "aws.s3"))
    });
    let describe = if is_s3 {
        format!("{describe} (S3 object events)")
    } else {
        describe.to_string()
    };
    let combinations = paths
        .iter()
        .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len().max(1)))
        .unwrap_or(usize::MAX);
    if combinations > MAX_PATTERN_COMBINATIONS {
        for (path, values) in &mut paths {
            if values.len() > 1 {
                *values = vec![vec![ValuePart::Unknown(format!(
                    "one of the {} values the pattern of {describe} allows at `{path}`",
                    values.len()
                ))]];
            }
        }
    }
    let mut base = trigger("eventbridge", describe.clone(), source);
    for open in ["detail", "resources"] {
        base.fields.insert(
            open.to_string(),
            vec![ValuePart::Unknown(format!(
                "any `{open}` of the events {describe} matches (its pattern does not fix it)"
            ))],
        );
    }
    let mut out = vec![base];
    for (path, values) in paths {
        if values.is_empty() {
            continue;
        }
        let mut next = Vec::new();
        for t in &out {
            for v in &values {
                let mut t = t.clone();
                t.fields.insert(path.clone(), v.clone());
                next.push(t);
            }
        }
        out = next;
    }
    out
}

/// The paths an event pattern constrains and the values each allows: literal values, a
/// `prefix`/`suffix`/`wildcard` matcher as text with an unknown part, any other matcher
/// as unknown.
fn pattern_paths(
    node: &Node,
    path: &str,
    value: &dyn Fn(&Node) -> Vec<ValuePart>,
    out: &mut Vec<(String, Vec<Vec<ValuePart>>)>,
    depth: usize,
) {
    if depth > crate::cfn::MAX_DEPTH {
        return;
    }
    match node {
        Node::Map(m) => {
            for (k, v) in m {
                // `resources` is a list in the event: a value matches any item.
                let key = if path.is_empty() && k == "resources" {
                    "resources[]".to_string()
                } else {
                    k.clone()
                };
                let p = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                pattern_paths(v, &p, value, out, depth + 1);
            }
        }
        Node::Seq(items) => {
            let values = items
                .iter()
                .map(|item| matcher(item, path, value))
                .collect();
            out.push((path.to_string(), values));
        }
        other => out.push((path.to_string(), vec![matcher(other, path, value)])),
    }
}

/// What one item of a pattern's list lets through.
fn matcher(item: &Node, path: &str, value: &dyn Fn(&Node) -> Vec<ValuePart>) -> Vec<ValuePart> {
    let Node::Map(m) = item else {
        return value(item);
    };
    let unknown =
        |what: &str| ValuePart::Unknown(format!("{what} at `{path}` in the rule's pattern"));
    match m.first() {
        Some((k, v)) if m.len() == 1 && k == "prefix" && v.as_str().is_some() => {
            let mut out = value(v);
            out.push(unknown("the rest after the prefix"));
            out
        }
        Some((k, v)) if m.len() == 1 && k == "suffix" && v.as_str().is_some() => {
            let mut out = vec![unknown("the start before the suffix")];
            out.extend(value(v));
            out
        }
        Some((k, Node::String(w))) if m.len() == 1 && k == "wildcard" => {
            let mut out = Vec::new();
            for (i, piece) in w.split('*').enumerate() {
                if i > 0 {
                    out.push(unknown("a `*` of the wildcard"));
                }
                out.push(lit(piece));
            }
            crate::cfn::normalize(out)
        }
        // A CloudFormation intrinsic giving the value (`!Ref Bucket`).
        _ if crate::intrinsic::Intrinsic::parse(item).is_some() => value(item),
        Some((k, _)) => vec![unknown(&format!("any value the `{k}` matcher allows"))],
        None => vec![unknown("any value")],
    }
}

// ---------------------------------------------------------------------------------------
// CloudFormation: resources of the template that invoke a function.

/// `Ref`/`Fn::GetAtt` of a resource of the template, as the template evaluates it.
fn reference(eval: &Eval<'_>, logical_id: &str, attribute: Option<&str>) -> Vec<ValuePart> {
    let node = match attribute {
        None => Node::Map(IndexMap::from([(
            "Ref".to_string(),
            Node::String(logical_id.to_string()),
        )])),
        Some(a) => Node::Map(IndexMap::from([(
            "Fn::GetAtt".to_string(),
            Node::String(format!("{logical_id}.{a}")),
        )])),
    };
    eval.value_with_vars(&node, 0)
}

/// The resources a value names (a function's `Ref`, its ARN, an ARN built around it as
/// an API Gateway integration URI is).
fn named_ids(parts: &[ValuePart], out: &mut BTreeSet<String>) {
    for p in parts {
        match p {
            ValuePart::Ref { logical_id, .. } => {
                out.insert(logical_id.clone());
            }
            ValuePart::Var { resolved, .. } => named_ids(resolved, out),
            _ => {}
        }
    }
}

/// The resource's `Properties`, or an empty mapping.
fn props(resource: &Node) -> &Node {
    static EMPTY: Node = Node::Null;
    resource.get("Properties").unwrap_or(&EMPTY)
}

fn items(node: Option<&Node>) -> &[Node] {
    match node {
        Some(Node::Seq(items)) => items,
        _ => &[],
    }
}

/// Every trigger the resources of a template wire to a function, by the function's
/// logical id (read once for all functions): S3 bucket notifications (and the CDK's
/// `Custom::S3BucketNotifications`), event source mappings, SNS subscriptions,
/// EventBridge rules, WebSocket API integrations, Cognito user pool triggers and custom
/// resources.
pub(crate) fn template_triggers(
    eval: &Eval<'_>,
    declared: Declared<'_>,
) -> BTreeMap<String, Vec<Trigger>> {
    let mut by_function: BTreeMap<String, Vec<Trigger>> = BTreeMap::new();
    let value = |n: &Node| eval.value_with_vars(n, 0);
    // The resources the values name (a function among them gets the trigger).
    let names = |nodes: &[Option<&Node>]| -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for n in nodes.iter().flatten() {
            named_ids(&value(n), &mut out);
        }
        out
    };
    let mut add = |ids: &BTreeSet<String>, triggers: Vec<Trigger>| {
        for id in ids {
            by_function
                .entry(id.clone())
                .or_default()
                .extend(triggers.iter().cloned());
        }
    };
    for (id, r) in &eval.template.resources {
        let kind = r.get("Type").and_then(Node::as_str).unwrap_or("");
        let p = props(r);
        let at = |path: &[&str]| {
            let mut full = declared.resources.to_vec();
            full.push(id.as_str());
            full.extend_from_slice(path);
            declared.at(&full)
        };
        match kind {
            // A bucket's own notifications, and the CDK's custom resource that sets them
            // on a bucket it names: the same configuration under other keys.
            "AWS::S3::Bucket" | "Custom::S3BucketNotifications" => {
                let own = kind == "AWS::S3::Bucket";
                let (list, function_key, rules, source): (_, _, [&str; 3], &[&str]) = if own {
                    (
                        "LambdaConfigurations",
                        "Function",
                        ["Filter", "S3Key", "Rules"],
                        &["Properties", "NotificationConfiguration"],
                    )
                } else {
                    (
                        "LambdaFunctionConfigurations",
                        "LambdaFunctionArn",
                        ["Filter", "Key", "FilterRules"],
                        &["Properties"],
                    )
                };
                let bucket = if own {
                    reference(eval, id, None)
                } else {
                    p.get("BucketName").map(value).unwrap_or_else(|| {
                        vec![ValuePart::Unknown(format!("{id} names no bucket"))]
                    })
                };
                let describe = if own {
                    format!("the S3 notifications of {id}")
                } else {
                    format!("the S3 notifications of {}", crate::ValueParts(&bucket))
                };
                for c in items(p.at(&["NotificationConfiguration", list])) {
                    let ids = names(&[c.get(function_key)]);
                    if ids.is_empty() {
                        continue;
                    }
                    let filter = key_filter(items(c.at(&rules)), "Name", "Value", &value);
                    add(
                        &ids,
                        vec![s3_trigger(
                            describe.clone(),
                            at(source),
                            bucket.clone(),
                            &filter,
                        )],
                    );
                }
            }
            "AWS::Lambda::EventSourceMapping" => {
                if let Some(arn) = p.get("EventSourceArn") {
                    let arn = value(arn);
                    if let Some(kind) = source_kind(&arn) {
                        add(
                            &names(&[p.get("FunctionName")]),
                            vec![source_trigger(
                                kind,
                                format!("the event source mapping {id}"),
                                at(&[]),
                                arn,
                            )],
                        );
                    }
                }
            }
            "AWS::SNS::Subscription"
                if p.get("Protocol").and_then(Node::as_str) == Some("lambda") =>
            {
                if let Some(topic) = p.get("TopicArn") {
                    add(
                        &names(&[p.get("Endpoint")]),
                        vec![sns_trigger(
                            format!("the SNS subscription {id}"),
                            at(&[]),
                            value(topic),
                        )],
                    );
                }
            }
            "AWS::SNS::Topic" => {
                for s in items(p.get("Subscription")) {
                    add(
                        &names(&[s.get("Endpoint")]),
                        vec![sns_trigger(
                            format!("the SNS topic {id}"),
                            at(&["Properties", "Subscription"]),
                            reference(eval, id, None),
                        )],
                    );
                }
            }
            "AWS::Events::Rule" => {
                let targets: Vec<Option<&Node>> = items(p.get("Targets"))
                    .iter()
                    .map(|t| t.get("Arn"))
                    .collect();
                let ids = names(&targets);
                if !ids.is_empty() {
                    add(
                        &ids,
                        pattern_triggers(
                            &format!("the EventBridge rule {id}"),
                            at(&[]),
                            p.get("EventPattern"),
                            &value,
                        ),
                    );
                }
            }
            "AWS::ApiGatewayV2::Integration" => {
                let ids = names(&[p.get("IntegrationUri")]);
                if !ids.is_empty() {
                    add(&ids, websocket_triggers(eval, id, p, declared));
                }
            }
            "AWS::Cognito::UserPool" => {
                let config: Vec<Option<&Node>> = p
                    .get("LambdaConfig")
                    .and_then(Node::as_map)
                    .into_iter()
                    .flat_map(|m| m.values())
                    .flat_map(|v| [Some(v), v.get("LambdaArn")])
                    .collect();
                let ids = names(&config);
                if !ids.is_empty() {
                    add(
                        &ids,
                        vec![cognito_trigger(
                            format!("the Cognito user pool {id}"),
                            at(&["Properties", "LambdaConfig"]),
                            reference(eval, id, None),
                        )],
                    );
                }
            }
            _ if kind.starts_with("Custom::") || kind == "AWS::CloudFormation::CustomResource" => {
                let ids = names(&[p.get("ServiceToken")]);
                if ids.is_empty() {
                    continue;
                }
                let mut t = trigger(
                    "custom-resource",
                    format!("the custom resource {id}"),
                    at(&[]),
                );
                if let Some(m) = p.as_map() {
                    for (k, v) in m {
                        t.fields.insert(format!("ResourceProperties.{k}"), value(v));
                    }
                }
                add(&ids, vec![t]);
            }
            _ => {}
        }
    }
    by_function
}

/// The prefix and suffix of S3 key filter rules (`{Name: prefix, Value: uploads/}`).
fn key_filter(
    rules: &[Node],
    name_key: &str,
    value_key: &str,
    value: &dyn Fn(&Node) -> Vec<ValuePart>,
) -> KeyFilter {
    let mut f = KeyFilter::default();
    for rule in rules {
        let name = rule
            .get(name_key)
            .and_then(Node::as_str)
            .map(str::to_ascii_lowercase);
        let Some(v) = rule.get(value_key) else {
            continue;
        };
        match name.as_deref() {
            Some("prefix") => f.prefix = value(v),
            Some("suffix") => f.suffix = value(v),
            _ => {}
        }
    }
    f
}

/// The WebSocket triggers of an `AWS::ApiGatewayV2::Integration` that invokes the
/// function: one per stage of its API the template declares.
fn websocket_triggers(
    eval: &Eval<'_>,
    integration: &str,
    p: &Node,
    declared: Declared<'_>,
) -> Vec<Trigger> {
    let Some(api) = p.get("ApiId") else {
        return Vec::new();
    };
    let api = eval.value_with_vars(api, 0);
    let api_id = match api.as_slice() {
        [ValuePart::Ref { logical_id, .. }] => Some(logical_id.clone()),
        _ => None,
    };
    // Only WebSocket APIs: an HTTP API's events carry no connection to manage.
    let is_websocket = api_id
        .as_ref()
        .and_then(|id| eval.template.resources.get(id))
        .is_none_or(|r| props(r).get("ProtocolType").and_then(Node::as_str) != Some("HTTP"));
    if !is_websocket {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, r) in &eval.template.resources {
        if r.get("Type").and_then(Node::as_str) != Some("AWS::ApiGatewayV2::Stage") {
            continue;
        }
        let sp = props(r);
        let same_api = sp
            .get("ApiId")
            .is_some_and(|a| eval.value_with_vars(a, 0) == api);
        if !same_api {
            continue;
        }
        let stage = sp
            .get("StageName")
            .map(|s| eval.value_with_vars(s, 0))
            .unwrap_or_else(|| vec![ValuePart::Unknown(format!("{id} names no stage"))]);
        out.push(websocket_trigger(
            format!(
                "the WebSocket API {} (integration {integration}, stage {id})",
                crate::ValueParts(&api)
            ),
            declared.at(&[declared.resources, &[integration]].concat()),
            api.clone(),
            stage,
        ));
    }
    if out.is_empty() {
        out.push(websocket_trigger(
            format!(
                "the WebSocket API {} (integration {integration})",
                crate::ValueParts(&api)
            ),
            declared.at(&[declared.resources, &[integration]].concat()),
            api,
            vec![ValuePart::Unknown(
                "the template declares no `AWS::ApiGatewayV2::Stage` of the API".into(),
            )],
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------
// SAM: a function's `Events`.

/// The triggers of an `AWS::Serverless::Function`'s `Events`.
pub(crate) fn sam_events(
    eval: &Eval<'_>,
    function_id: &str,
    props: &Node,
    declared: Declared<'_>,
) -> Vec<Trigger> {
    let mut out = Vec::new();
    let value = |n: &Node| eval.value_with_vars(n, 0);
    let Some(events) = props.get("Events").and_then(Node::as_map) else {
        return out;
    };
    for (name, event) in events {
        let source = declared.at(&["Resources", function_id, "Properties", "Events", name]);
        let p = event.get("Properties");
        let get = |key: &str| p.and_then(|p| p.get(key));
        let describe = |what: &str| format!("{what} (event {name})");
        match event.get("Type").and_then(Node::as_str).unwrap_or("") {
            "S3" => {
                let bucket = get("Bucket").map(value).unwrap_or_else(|| {
                    vec![ValuePart::Unknown(format!("event {name} names no bucket"))]
                });
                let filter = key_filter(
                    items(get("Filter").and_then(|f| f.at(&["S3Key", "Rules"]))),
                    "Name",
                    "Value",
                    &value,
                );
                out.push(s3_trigger(
                    describe(&format!(
                        "the S3 notifications of {}",
                        crate::ValueParts(&bucket)
                    )),
                    source,
                    bucket,
                    &filter,
                ));
            }
            kind @ ("SQS" | "Kinesis" | "DynamoDB") => {
                let (kind, key) = match kind {
                    "SQS" => ("sqs", "Queue"),
                    "Kinesis" => ("kinesis", "Stream"),
                    _ => ("dynamodb-stream", "Stream"),
                };
                if let Some(arn) = get(key) {
                    let arn = value(arn);
                    out.push(source_trigger(
                        kind,
                        describe(&format!("the {kind} source {}", crate::ValueParts(&arn))),
                        source,
                        arn,
                    ));
                }
            }
            "SNS" => {
                if let Some(topic) = get("Topic") {
                    let topic = value(topic);
                    out.push(sns_trigger(
                        describe(&format!("the SNS topic {}", crate::ValueParts(&topic))),
                        source,
                        topic,
                    ));
                }
            }
            "EventBridgeRule" | "CloudWatchEvent" => {
                out.extend(pattern_triggers(
                    &describe("the EventBridge rule"),
                    source,
                    get("Pattern"),
                    &value,
                ));
            }
            "Cognito" => {
                if let Some(pool) = get("UserPool") {
                    let pool = value(pool);
                    out.push(cognito_trigger(
                        describe(&format!(
                            "the Cognito user pool {}",
                            crate::ValueParts(&pool)
                        )),
                        source,
                        pool,
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Serverless: a function's `events`.

/// The triggers of a Serverless function's `events` (`key` is its name under
/// `functions`; `deref` reads a variable that names a whole mapping as that mapping).
pub(crate) fn serverless_events(
    eval: &Eval<'_>,
    deref: &dyn Fn(&Node) -> Node,
    key: &str,
    f: &Node,
    declared: Declared<'_>,
) -> Vec<Trigger> {
    let mut out = Vec::new();
    let value = |n: &Node| eval.value_with_vars(n, 0);
    let events = match f.get("events").map(deref) {
        Some(Node::Seq(events)) => events,
        _ => return out,
    };
    let lines = crate::config::item_lines(declared.text, &["functions", key, "events"]);
    for (i, event) in events.iter().enumerate() {
        let event = deref(event);
        let Some((kind, spec)) = event.as_map().and_then(|m| m.first()) else {
            continue;
        };
        let spec = deref(spec);
        let source = lines
            .get(i)
            .map(|&line| Location {
                file: declared.file.to_string(),
                line,
                column: 1,
            })
            .or_else(|| declared.at(&["functions", key, "events"]));
        let get = |k: &str| spec.get(k).map(deref);
        let describe = |what: &str| format!("{what} (`events` of {key})");
        match kind.as_str() {
            "s3" => {
                let (bucket, existing) = match &spec {
                    Node::Map(_) => (
                        get("bucket"),
                        get("existing").is_some_and(|e| {
                            matches!(e, Node::Bool(true))
                                || e.scalar_text().as_deref() == Some("true")
                        }),
                    ),
                    other => (Some(other.clone()), false),
                };
                let Some(bucket) = bucket else { continue };
                let bucket = value(&bucket);
                let mut filter = KeyFilter::default();
                for rule in items(get("rules").as_ref()) {
                    let rule = deref(rule);
                    if let Some(p) = rule.get("prefix") {
                        filter.prefix = value(p);
                    }
                    if let Some(s) = rule.get("suffix") {
                        filter.suffix = value(s);
                    }
                }
                // Without `existing`, the framework creates the bucket with exactly the
                // configured name; with it, the bucket is named but made elsewhere.
                let whose = if existing {
                    "the existing bucket"
                } else {
                    "the bucket the framework creates"
                };
                out.push(s3_trigger(
                    describe(&format!(
                        "the S3 notifications of {whose} `{}`",
                        crate::ValueParts(&bucket)
                    )),
                    source,
                    bucket,
                    &filter,
                ));
            }
            "sqs" | "stream" => {
                let arn = match &spec {
                    Node::Map(m) if m.contains_key("arn") => get("arn").map(|a| value(&a)),
                    Node::Map(_) if crate::intrinsic::Intrinsic::parse(&spec).is_none() => None,
                    other => Some(value(other)),
                };
                let Some(arn) = arn else { continue };
                let typed = get("type").and_then(|t| t.as_str().map(str::to_string));
                let kind = match (kind.as_str(), typed.as_deref()) {
                    ("sqs", _) => "sqs",
                    (_, Some("dynamodb")) => "dynamodb-stream",
                    (_, Some("kinesis")) => "kinesis",
                    _ => source_kind(&arn).unwrap_or("kinesis"),
                };
                out.push(source_trigger(
                    kind,
                    describe(&format!("the {kind} source {}", crate::ValueParts(&arn))),
                    source,
                    arn,
                ));
            }
            "sns" => {
                let (arn, name) = match &spec {
                    Node::Map(m) if m.contains_key("arn") => (get("arn"), None),
                    Node::Map(m) if m.contains_key("topicName") => (None, get("topicName")),
                    Node::Map(_) if crate::intrinsic::Intrinsic::parse(&spec).is_some() => {
                        (Some(spec.clone()), None)
                    }
                    Node::Map(_) => (None, None),
                    other => {
                        let text = value(other);
                        let is_arn = matches!(text.first(), Some(ValuePart::Lit(s)) if s.starts_with("arn:"));
                        if is_arn {
                            (Some(other.clone()), None)
                        } else {
                            (None, Some(other.clone()))
                        }
                    }
                };
                let topic = match (arn, name) {
                    (Some(arn), _) => value(&arn),
                    // The framework creates the topic with that name.
                    (None, Some(name)) => {
                        let mut parts = vec![
                            lit("arn:"),
                            ValuePart::Pseudo("AWS::Partition".into()),
                            lit(":sns:"),
                            ValuePart::Pseudo("AWS::Region".into()),
                            lit(":"),
                            ValuePart::Pseudo("AWS::AccountId".into()),
                            lit(":"),
                        ];
                        parts.extend(value(&name));
                        crate::cfn::normalize(parts)
                    }
                    (None, None) => continue,
                };
                out.push(sns_trigger(
                    describe(&format!("the SNS topic {}", crate::ValueParts(&topic))),
                    source,
                    topic,
                ));
            }
            "eventBridge" | "cloudwatchEvent" => {
                let pattern = get(if kind == "eventBridge" {
                    "pattern"
                } else {
                    "event"
                });
                // A schedule carries no resource.
                if pattern.is_none() && get("schedule").is_some() {
                    continue;
                }
                out.extend(pattern_triggers(
                    &describe("the EventBridge rule"),
                    source,
                    pattern.as_ref(),
                    &value,
                ));
            }
            "websocket" => {
                // The service's own WebSocket API, deployed to the stage read.
                let api = vec![ValuePart::Ref {
                    logical_id: "WebsocketsApi".into(),
                    attribute: None,
                    arn: false,
                    physical: None,
                    resource_type: Some("AWS::ApiGatewayV2::Api".into()),
                }];
                let stage = eval.value_with_vars(&Node::String("${sls:stage}".into()), 0);
                out.push(websocket_trigger(
                    describe("the service's WebSocket API"),
                    source,
                    api,
                    stage,
                ));
            }
            "cognitoUserPool" => {
                let Some(pool) = get("pool") else { continue };
                let existing = get("existing").is_some_and(|e| matches!(e, Node::Bool(true)));
                let shown = crate::ValueParts(&value(&pool)).to_string();
                let id = if existing {
                    vec![ValuePart::Unknown(format!(
                        "the id of the existing user pool `{shown}` (the configuration names it, not its id)"
                    ))]
                } else {
                    let alnum: String = shown.chars().filter(char::is_ascii_alphanumeric).collect();
                    let mut chars = alnum.chars();
                    let first = chars.next().map(|c| c.to_ascii_uppercase().to_string());
                    vec![ValuePart::Ref {
                        logical_id: format!(
                            "CognitoUserPool{}{}",
                            first.unwrap_or_default(),
                            chars.as_str()
                        ),
                        attribute: None,
                        arn: false,
                        physical: None,
                        resource_type: Some("AWS::Cognito::UserPool".into()),
                    }]
                };
                out.push(cognito_trigger(
                    describe(&format!("the Cognito user pool `{shown}`")),
                    source,
                    id,
                ));
            }
            _ => {}
        }
    }
    out
}
