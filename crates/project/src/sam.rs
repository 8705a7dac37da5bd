//! AWS SAM applications: `template.yaml` / `.yml` / `.json` with
//! `Transform: AWS::Serverless-2016-10-31` (a string or a list holding it), and plain
//! CloudFormation templates of the same names (no transform, at least one
//! `AWS::Lambda::Function`), read by the same code.
//!
//! Read: every `AWS::Serverless::Function` (`CodeUri` is the code root, relative to the
//! template; `Handler` is relative to it), with `Globals.Function` defaults for `Runtime`,
//! `Handler`, `CodeUri`, `PackageType` and `Environment.Variables` (merged, the function
//! wins). `PackageType: Image`, `InlineCode` and S3 `CodeUri`s are listed as unsupported.
//! `AWS::Lambda::Function` resources are read the same way: a `Code` that is a local path
//! (as `aws cloudformation package` takes it) is the code root; inline `Code.ZipFile`,
//! `Code.S3Bucket`/`S3Key` and `Code.ImageUri` are listed as unsupported. Parameter references give
//! the parameter's `Default` (not `samconfig.toml` overrides).

use std::collections::BTreeMap;
use std::path::Path;

use leastrole_core::{Code, Confine, Diagnostic, Level, Location};

use crate::cfn::{self, Eval, Literal, Template};
use crate::config::config_error;
use crate::config::{self, KeyLines, Node};
use crate::configured::Configured;
use crate::declared::{Declared, EventSource};
use crate::role::{self, Reader, RoleBuilder, SAM_MANAGED, Site};
use crate::{DiscoverOptions, Discovery, EnvValue, Framework, ValuePart};

pub(crate) const TEMPLATE_FILES: &[&str] = &["template.yaml", "template.yml", "template.json"];
const TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// The functions of the SAM application at `root`: `None` without a SAM template,
/// `Err` when the template cannot be read.
pub(crate) fn discover(
    root: &Path,
    _options: &DiscoverOptions,
    confine: &Confine,
) -> Option<Result<Discovery, Vec<Diagnostic>>> {
    let file = TEMPLATE_FILES.iter().find(|f| root.join(f).is_file())?;
    if let Some(refused) = crate::confine::refused_config(confine, &root.join(file), file) {
        return Some(Err(vec![refused]));
    }
    let (text, node) = match config::load(&root.join(file)) {
        Ok(loaded) => loaded,
        Err(e) => return Some(Err(vec![config_error(file, &e)])),
    };
    let framework = template_kind(&node)?;
    // A template whose `Resources` is not a mapping declares nothing: refuse it, so that
    // discovery falls back to reading the folder rather than finding no functions.
    if let Some(found) = node.get("Resources").filter(|r| r.as_map().is_none()) {
        let mut d = crate::config::wrong_type(
            file,
            &text,
            &["Resources"],
            "a mapping of logical ids to resources",
            found,
        );
        d.level = Level::Error;
        return Some(Err(vec![d]));
    }
    Some(Ok(read_template(root, file, &text, &node, framework)))
}

/// How [`discover`] reads a template: SAM with the transform, plain CloudFormation
/// without it when it declares an `AWS::Lambda::Function`; `None` otherwise (a template
/// of other resources beside the code, or another kind of file of that name), so that
/// the folder is read as a plain folder as before.
fn template_kind(template: &Node) -> Option<Framework> {
    if has_transform(template) {
        return Some(Framework::Sam);
    }
    let has_lambda = template
        .get("Resources")
        .and_then(Node::as_map)
        .is_some_and(|r| {
            r.values()
                .any(|res| res.get("Type").and_then(Node::as_str) == Some("AWS::Lambda::Function"))
        });
    has_lambda.then_some(Framework::CloudFormation)
}

/// Whether a template declares the SAM transform.
fn has_transform(template: &Node) -> bool {
    match template.get("Transform") {
        Some(Node::String(t)) => t == TRANSFORM,
        Some(Node::Seq(items)) => items.iter().any(|t| t.as_str() == Some(TRANSFORM)),
        _ => false,
    }
}

/// A property of a function, else of `Globals.Function`.
fn property<'a>(props: &'a Node, globals: &'a Node, key: &str) -> Option<&'a Node> {
    props.get(key).or_else(|| globals.get(key))
}

fn read_template(
    root: &Path,
    file: &str,
    text: &str,
    node: &Node,
    framework: Framework,
) -> Discovery {
    let mut d = Discovery::default();
    let template = Template::from_node(node);
    let eval = Eval {
        template: &template,
        strings: &Literal,
    };
    d.encrypted = crate::encryption::encrypted(&eval);
    let literal = |n: &Node| -> Option<String> {
        match eval.value(n, 0).as_slice() {
            [ValuePart::Lit(s)] => Some(s.clone()),
            _ => None,
        }
    };
    let empty = Node::Null;
    for path in [&["Globals"][..], &["Globals", "Function"], &["Parameters"]] {
        if let Some(found) = node.at(path).filter(|n| n.as_map().is_none()) {
            d.diagnostics.push(crate::config::wrong_type(
                file,
                text,
                path,
                "a mapping",
                found,
            ));
        }
    }
    let globals = node.at(&["Globals", "Function"]).unwrap_or(&empty);
    let lines = KeyLines::under(text, &["Resources"]);
    // What the template's resources wire to each function, read once for all.
    let mut from_template = crate::triggers::template_triggers(
        &eval,
        crate::triggers::Declared {
            file,
            text,
            resources: &["Resources"],
        },
    );
    for (id, resource) in &template.resources {
        let kind = resource.get("Type").and_then(Node::as_str).unwrap_or("");
        // `AWS::Serverless::Function` only means something under the transform.
        let is_sam_function = kind == "AWS::Serverless::Function" && framework == Framework::Sam;
        if !is_sam_function && kind != "AWS::Lambda::Function" {
            continue;
        }
        let props = resource.get("Properties").unwrap_or(&empty);
        if props.as_map().is_none() && *props != Node::Null {
            d.diagnostics.push(crate::config::wrong_type(
                file,
                text,
                &["Resources", id, "Properties"],
                "a mapping",
                props,
            ));
        }
        let globals = if is_sam_function { globals } else { &empty };
        let code_key = if is_sam_function { "CodeUri" } else { "Code" };
        let source = Some(Location {
            file: file.to_string(),
            line: lines.get(id).unwrap_or(1),
            column: 1,
        });
        let mut unsupported = None;
        let code = property(props, globals, code_key);
        let code_root = match code {
            None => root.to_path_buf(),
            // `AWS::Lambda::Function`'s `Code` as CloudFormation deploys it (a local path
            // is only what `aws cloudformation package` takes).
            Some(code @ Node::Map(_)) if !is_sam_function => {
                unsupported = Some((Level::Warning, lambda_code_reason(code)));
                root.to_path_buf()
            }
            Some(uri) => match literal(uri) {
                Some(uri) if is_archive(&uri) => {
                    unsupported = Some((
                        Level::Warning,
                        format!("its {code_key} `{uri}` is a prebuilt archive, not source"),
                    ));
                    root.to_path_buf()
                }
                Some(uri) if !uri.starts_with("s3://") => {
                    root.join(crate::walk::clean_path(Path::new(&uri)))
                }
                _ => {
                    unsupported = Some((
                        Level::Warning,
                        format!(
                            "its {code_key} is not a local folder (code in S3 is not analysed)"
                        ),
                    ));
                    root.to_path_buf()
                }
            },
        };
        let is_image = property(props, globals, "PackageType")
            .and_then(&literal)
            .as_deref()
            == Some("Image");
        if is_image {
            unsupported = Some((
                Level::Warning,
                "a container image (`PackageType: Image`) is not analysed".into(),
            ));
        } else if props.get("InlineCode").is_some() {
            unsupported = Some((
                Level::Warning,
                "inline code (`InlineCode`) is not analysed".into(),
            ));
        }
        let mut environment: BTreeMap<String, EnvValue> = BTreeMap::new();
        for (vars, path) in [
            (
                globals.at(&["Environment", "Variables"]),
                &["Globals", "Function", "Environment", "Variables"][..],
            ),
            (
                props.at(&["Environment", "Variables"]),
                &[
                    "Resources",
                    id.as_str(),
                    "Properties",
                    "Environment",
                    "Variables",
                ],
            ),
        ] {
            match vars {
                Some(Node::Map(m)) => {
                    for (k, v) in m {
                        environment.insert(k.clone(), cfn::env_value(eval.value(v, 0)));
                    }
                }
                Some(Node::Null) | None => {}
                Some(found) => d.diagnostics.push(crate::config::wrong_type(
                    file,
                    text,
                    path,
                    "a mapping of variable names to values",
                    found,
                )),
            }
        }
        // References kept (`worker-${Stage}`), so output that keeps them names the log
        // group of the stage deployed; only when the name is known.
        let function_name = props
            .get("FunctionName")
            .and_then(|n| eval.physical(n, 0).map(|_| eval.value(n, 0)));
        let resource_line = |id: &str| lines.get(id).unwrap_or(1);
        let declared = if is_sam_function {
            sam_declared(&eval, id, props, globals, file, text, &resource_line)
        } else {
            role::lambda_function(&eval, id, props, file, &resource_line, None)
        };
        let at = crate::triggers::Declared {
            file,
            text,
            resources: &["Resources"],
        };
        let mut triggers = if is_sam_function {
            crate::triggers::sam_events(&eval, id, props, at)
        } else {
            Vec::new()
        };
        triggers.extend(from_template.remove(id).unwrap_or_default());
        // SAM's Globals lists are additive: the global layers come first.
        let layer_items: Vec<&Node> = [globals.get("Layers"), props.get("Layers")]
            .into_iter()
            .flatten()
            .flat_map(|list| match list {
                Node::Seq(items) => items.iter().collect(),
                Node::Null => Vec::new(),
                other => vec![other],
            })
            .collect();
        let layers = crate::layers::template_layers(
            &layer_items,
            &template.resources,
            &literal,
            root,
            &crate::layers::Site {
                function: id,
                at: &source,
            },
            &mut d.diagnostics,
        );
        let configured = Configured {
            name: id.clone(),
            handler: property(props, globals, "Handler").and_then(&literal),
            runtime: if is_image {
                None
            } else {
                property(props, globals, "Runtime").and_then(&literal)
            },
            code_root,
            environment,
            framework,
            source,
            unsupported,
            function_name,
            default_runtime: None,
            declared: Some(declared),
            entry_points: resource
                .at(&["Metadata", "BuildProperties", "EntryPoints"])
                .and_then(|e| match e {
                    Node::Seq(items) => Some(items.iter().filter_map(&literal).collect()),
                    _ => None,
                })
                .unwrap_or_default(),
            triggers,
            layers,
        };
        d.functions
            .push(configured.resolve(root, &mut d.diagnostics));
    }
    if globals.get("Policies").is_some() {
        d.diagnostics.push(Diagnostic::new(
            Level::Warning,
            Code::SamGlobalsPolicies,
            format!(
                "{file}: `Policies` is not a property SAM takes from `Globals.Function` (the transform rejects it); it is ignored"
            ),
            Some(Location {
                file: file.to_string(),
                line: config::find_line(text, &["Globals", "Function", "Policies"]).unwrap_or(1),
                column: 1,
            }),
        ));
    }
    if d.functions.is_empty() {
        d.diagnostics.push(Diagnostic::new(
            Level::Warning,
            Code::NoFunctions,
            format!(
                "{file}: no AWS::Serverless::Function and no AWS::Lambda::Function resource; nothing to analyse"
            ),
            Some(Location {
                file: file.to_string(),
                line: config::find_line(text, &["Resources"]).unwrap_or(1),
                column: 1,
            }),
        ));
    }
    d
}

/// Why an `AWS::Lambda::Function` whose `Code` is a mapping is not analysed.
fn lambda_code_reason(code: &Node) -> String {
    if code.get("ZipFile").is_some() {
        "inline code (`Code.ZipFile`) is not analysed".into()
    } else if code.get("ImageUri").is_some() {
        "a container image (`Code.ImageUri`) is not analysed".into()
    } else if code.get("S3Bucket").is_some() || code.get("S3Key").is_some() {
        "its `Code` is in S3 (`S3Bucket`/`S3Key`), not in the project; give the local folder as `Code: ./src` (as `aws cloudformation package` takes it) to analyse it".into()
    } else {
        "its `Code` names no local folder".into()
    }
}

/// A `CodeUri` naming a package rather than a folder.
fn is_archive(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    [".zip", ".jar"].iter().any(|e| lower.ends_with(e))
}

/// The role SAM gives an `AWS::Serverless::Function`: its `Role` when given (read when it
/// is an `AWS::IAM::Role` of the template, else not checkable), otherwise the role SAM
/// generates: `AWSLambdaBasicExecutionRole` (X-Ray and VPC managed policies with
/// `Tracing` and `VpcConfig`, the event sources' execution policies, the dead-letter
/// statement), all framework-managed, plus the function's `Policies`.
fn sam_declared(
    eval: &Eval<'_>,
    id: &str,
    props: &Node,
    globals: &Node,
    file: &str,
    text: &str,
    lines: &dyn Fn(&str) -> u32,
) -> Declared {
    let reader = Reader { eval };
    let line = lines(id);
    let site = Site {
        file,
        line,
        items: Vec::new(),
    };
    let mut b = match props.get("Role") {
        Some(r) => match role::role_in_template(eval, r) {
            Ok(role_id) => {
                let mut b = RoleBuilder::new(format!("AWS::IAM::Role {role_id}"));
                role::cfn_role(&reader, &mut b, &role_id, file, lines, None);
                b
            }
            Err(reason) => RoleBuilder::not_checkable(reason),
        },
        None => {
            let mut b = RoleBuilder::new(format!("the role SAM generates for {id}"));
            let basic = if property(props, globals, "DurableConfig").is_some() {
                "AWSLambdaBasicDurableExecutionRolePolicy"
            } else {
                "AWSLambdaBasicExecutionRole"
            };
            let mut framework = vec![basic];
            let tracing = property(props, globals, "Tracing").map(|t| eval.value(t, 0));
            if tracing
                .as_ref()
                .is_some_and(|t| !matches!(t.as_slice(), [ValuePart::Lit(s)] if s == "Disabled"))
            {
                framework.push("AWSXrayWriteOnlyAccess");
            }
            if property(props, globals, "VpcConfig").is_some() {
                framework.push("AWSLambdaVPCAccessExecutionRole");
            }
            for policy in event_policies(props) {
                if !framework.contains(&policy) {
                    framework.push(policy);
                }
            }
            for name in framework {
                reader.managed(
                    &mut b,
                    &Node::String(name.to_string()),
                    &format!("Resources.{id} (SAM)"),
                    &site,
                    Some(SAM_MANAGED),
                );
            }
            if let Some(dlq) = property(props, globals, "DeadLetterQueue") {
                let action = match dlq.get("Type").and_then(Node::as_str) {
                    Some("SQS") => Some("sqs:SendMessage"),
                    Some("SNS") => Some("sns:Publish"),
                    _ => None,
                };
                if let (Some(action), Some(target)) = (action, dlq.get("TargetArn")) {
                    let statement = Node::Map(
                        [
                            ("Effect".to_string(), Node::String("Allow".into())),
                            ("Action".to_string(), Node::String(action.into())),
                            ("Resource".to_string(), target.clone()),
                        ]
                        .into_iter()
                        .collect(),
                    );
                    reader.statements(
                        &mut b,
                        &statement,
                        &format!("Resources.{id}.Properties.DeadLetterQueue"),
                        &site,
                        Some(SAM_MANAGED),
                    );
                }
            }
            if let Some(policies) = props.get("Policies") {
                let path = format!("Resources.{id}.Properties.Policies");
                let policies_site = Site {
                    file,
                    line: config::find_line(text, &["Resources", id, "Properties", "Policies"])
                        .unwrap_or(line),
                    items: config::item_lines(text, &["Resources", id, "Properties", "Policies"]),
                };
                sam_policies(&reader, &mut b, policies, &path, &policies_site);
            }
            b
        }
    };
    let facts = &mut b.declared.framework;
    facts.tracing = property(props, globals, "Tracing").is_some_and(
        |t| matches!(eval.value(t, 0).as_slice(), [ValuePart::Lit(s)] if s == "Active"),
    );
    facts.vpc = property(props, globals, "VpcConfig").is_some();
    facts.dead_letter = property(props, globals, "DeadLetterQueue")
        .and_then(|d| d.get("TargetArn"))
        .map(|t| eval.value(t, 0));
    if let Some(events) = props.get("Events").and_then(Node::as_map) {
        for event in events.values() {
            let kind = event.get("Type").and_then(Node::as_str).unwrap_or("");
            let (kind, key) = match kind {
                "SQS" => ("sqs", "Queue"),
                "Kinesis" => ("kinesis", "Stream"),
                "DynamoDB" => ("dynamodb-stream", "Stream"),
                "MSK" => ("kafka", "Stream"),
                "MQ" => ("mq", "Broker"),
                "SelfManagedKafka" => ("kafka", ""),
                _ => continue,
            };
            let arn = event
                .at(&["Properties", key])
                .map(|a| eval.value(a, 0))
                .unwrap_or_else(|| vec![ValuePart::Unknown("self-managed Kafka brokers".into())]);
            facts.event_sources.push(EventSource {
                kind: kind.to_string(),
                arn,
            });
        }
    }
    facts
        .event_sources
        .extend(crate::triggers::event_source_mappings(eval, id));
    b.finish()
}

/// The managed policies SAM attaches for a function's pull events.
fn event_policies(props: &Node) -> Vec<&'static str> {
    let Some(events) = props.get("Events").and_then(Node::as_map) else {
        return Vec::new();
    };
    events
        .values()
        .filter_map(|e| match e.get("Type").and_then(Node::as_str)? {
            "SQS" => Some("AWSLambdaSQSQueueExecutionRole"),
            "Kinesis" => Some("AWSLambdaKinesisExecutionRole"),
            "DynamoDB" => Some("AWSLambdaDynamoDBExecutionRole"),
            "MSK" => Some("AWSLambdaMSKExecutionRole"),
            _ => None,
        })
        .collect()
}

/// SAM `Policies`: a managed policy name or ARN (string or intrinsic), an inline policy
/// document (`Statement:`), a policy template (`DynamoDBCrudPolicy: {TableName: …}`), or a
/// list of them.
fn sam_policies(
    reader: &Reader<'_>,
    b: &mut RoleBuilder,
    policies: &Node,
    path: &str,
    site: &Site<'_>,
) {
    let list: Vec<&Node> = match policies {
        Node::Seq(items) => items.iter().collect(),
        one => vec![one],
    };
    let single = !matches!(policies, Node::Seq(_));
    for (i, p) in list.into_iter().enumerate() {
        let item_path = if single {
            path.to_string()
        } else {
            format!("{path}[{i}]")
        };
        let item_site = if single { site.clone() } else { site.item(i) };
        match p {
            Node::String(_) => reader.managed(b, p, &item_path, &item_site, None),
            Node::Map(m) if m.contains_key("Statement") => {
                reader.document(b, p, &item_path, &item_site, None);
            }
            Node::Map(_) if crate::intrinsic::Intrinsic::parse(p).is_some() => {
                reader.managed(b, p, &item_path, &item_site, None);
            }
            Node::Map(m) if m.len() == 1 => {
                if let Some((name, values)) = m.first() {
                    reader.sam_template(b, name, values, &item_path, &item_site);
                }
            }
            other => b.unknown_grant(
                item_path.clone(),
                &format!(
                    "{} is neither a managed policy, a policy document nor a policy template",
                    other.kind()
                ),
                &Some(Location {
                    file: site.file.to_string(),
                    line: item_site.line,
                    column: 1,
                }),
            ),
        }
    }
}
