//! Serverless Framework services: `serverless.yml` / `.yaml` / `.json` at the project root.
//!
//! Read: `functions` (a mapping, or a list of mappings as old configs write it), each
//! function's `handler`, `runtime` (else `provider.runtime`), `image` (listed, not
//! analysed), `environment` merged over `provider.environment` (the function wins), and
//! `resources` (`Resources`, `Parameters`, `Mappings`; a list of them too) for references.
//! Each function also gets the `<Name>LambdaFunction` and `<Name>LogGroup` resources the
//! framework compiles (unless `resources:` overrides them), so
//! `!GetAtt WorkerLambdaFunction.Arn` in an environment value resolves.
//!
//! Code root: handlers are relative to the service folder, whatever `package.individually`
//! and `package.patterns` say (they choose what is zipped, not where paths start). Two
//! keys do change it: `module:` (serverless-python-requirements: the handler is relative
//! to that folder) and `package.artifact` (a prebuilt zip: when the handler's source is not
//! in the service folder the function is listed as unsupported).
//! `serverless.ts` / `.js` configs are code and are not read.

use std::collections::BTreeMap;
use std::path::Path;

use indexmap::IndexMap;
use leastrole_core::{Code, Confine, Diagnostic, Level, Location};

use crate::cfn::{self, Eval, Strings, Template};
use crate::config::config_error;
use crate::config::{self, KeyLines, Node, find_line};
use crate::configured::Configured;
use crate::declared::{Declared, EventSource};
use crate::role::{self, Reader, RoleBuilder, Site};
use crate::vars::{Confined, Seg, Val, Vars};
use crate::{DiscoverOptions, Discovery, EnvValue, Framework, ValuePart};

pub(crate) const CONFIG_FILES: &[&str] = &["serverless.yml", "serverless.yaml", "serverless.json"];
const CODE_CONFIG_FILES: &[&str] = &[
    "serverless.ts",
    "serverless.js",
    "serverless.cjs",
    "serverless.mjs",
];

/// Plain strings of a Serverless config evaluate through its variables.
struct SlsStrings<'a> {
    vars: &'a Vars<'a>,
    template: &'a Template,
}

impl Strings for SlsStrings<'_> {
    fn string(&self, s: &str, depth: usize) -> Vec<ValuePart> {
        let mut out = Vec::new();
        for seg in self.vars.segments(s, depth) {
            match seg {
                Seg::Lit(t) => out.push(ValuePart::Lit(t)),
                Seg::Var { val, text } => match val {
                    Val::Node(n) => {
                        let text_node =
                            matches!(n, Node::String(_) | Node::Number(_) | Node::Bool(_));
                        let resolved = self.eval().value_with_vars(&n, depth + 1);
                        out.extend(variable(text, resolved, text_node));
                    }
                    Val::Parts(p) => out.extend(variable(text, cfn::normalize(p), true)),
                    Val::Unknown(u) => out.push(ValuePart::Unknown(u)),
                    Val::Missing => out.push(ValuePart::Unknown(format!("{text} (not set)"))),
                },
            }
        }
        out
    }
}

/// A variable's resolved parts, kept as the variable ([`ValuePart::Var`]) when they are
/// text (`text_node`: not a whole mapping or list) made of literals, pseudo parameters
/// and other such variables; else the parts themselves, as before variables were kept: a
/// reference is written as the reference, an unknown part stays unknown.
fn variable(text: String, resolved: Vec<ValuePart>, text_node: bool) -> Vec<ValuePart> {
    fn is_text(p: &ValuePart) -> bool {
        match p {
            ValuePart::Lit(_) | ValuePart::Pseudo(_) => true,
            ValuePart::Var { resolved, .. } => resolved.iter().all(is_text),
            ValuePart::Ref { .. } | ValuePart::Unknown(_) => false,
        }
    }
    if text_node && !resolved.is_empty() && resolved.iter().all(is_text) {
        vec![ValuePart::Var { text, resolved }]
    } else {
        resolved
    }
}

impl SlsStrings<'_> {
    fn eval(&self) -> Eval<'_> {
        Eval {
            template: self.template,
            strings: self,
        }
    }
}

/// The function key as the framework normalizes it for logical ids.
fn normalized(function: &str) -> String {
    let normalized = function.replace('-', "Dash").replace('_', "Underscore");
    let mut chars = normalized.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}", first.unwrap_or_default(), chars.as_str())
}

/// `<Name>LambdaFunction`, as the framework names a function's compiled resource.
pub(crate) fn logical_id(function: &str) -> String {
    format!("{}LambdaFunction", normalized(function))
}

/// `<Name>LambdaLayer`, as the framework names the compiled resource of `layers.<name>`
/// (its `getLambdaLayerLogicalId`).
pub(crate) fn layer_logical_id(layer: &str) -> String {
    format!("{}LambdaLayer", normalized(layer))
}

/// `<Name>LogGroup`, the function's compiled log group.
fn log_group_id(function: &str) -> String {
    format!("{}LogGroup", normalized(function))
}

/// The functions of the Serverless service at `root`: `None` without a config file,
/// `Err` when the config cannot be read.
pub(crate) fn discover(
    root: &Path,
    options: &DiscoverOptions,
    confine: &Confine,
) -> Option<Result<Discovery, Vec<Diagnostic>>> {
    let Some(file) = CONFIG_FILES.iter().find(|f| root.join(f).is_file()) else {
        let code = CODE_CONFIG_FILES.iter().find(|f| root.join(f).is_file())?;
        return Some(Err(vec![Diagnostic::new(
            Level::Warning,
            Code::ConfigNotRead,
            format!(
                "{code} is code, which leastrole does not run; write the config as serverless.yml, or pass --handler"
            ),
            Some(Location {
                file: (*code).to_string(),
                line: 1,
                column: 1,
            }),
        )]));
    };
    if let Some(refused) = crate::confine::refused_config(confine, &root.join(file), file) {
        return Some(Err(vec![refused]));
    }
    let (text, root_node) = match config::load(&root.join(file)) {
        Ok(loaded) => loaded,
        Err(e) => return Some(Err(vec![config_error(file, &e)])),
    };
    if !matches!(root_node, Node::Map(_)) {
        return Some(Err(vec![config_error(
            file,
            &config::ConfigError {
                line: Some(1),
                column: None,
                message: format!("expected a mapping at the top, found {}", root_node.kind()),
            },
        )]));
    }
    let vars =
        Vars::new(&root_node, root, options.stage.as_deref(), options.use_env).confined(Confined {
            confine,
            file,
            text: &text,
        });
    Some(Ok(read_service(root, file, &text, &root_node, &vars)))
}

/// The major version `frameworkVersion` names (`'3'`, `^3.38.0`, `>=4` → 3, 3, 4).
pub(crate) fn major_version(config: &Node) -> Option<u32> {
    let version = match config.get("frameworkVersion")? {
        Node::String(s) | Node::Number(s) => s.clone(),
        _ => return None,
    };
    let digits: String = version
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Hook for `manifest.rs`: a service the framework already resolved (its variables are
/// gone, `resources` holds the compiled template too), read like a config file. `file`
/// and `text` only place declarations on lines.
pub(crate) fn read_resolved(root: &Path, file: &str, text: &str, config: &Node) -> Discovery {
    read_service(root, file, text, config, &Vars::resolved(config, root))
}

fn read_service(root: &Path, file: &str, text: &str, config: &Node, vars: &Vars<'_>) -> Discovery {
    let mut d = Discovery {
        framework_version: major_version(config),
        ..Discovery::default()
    };
    let provider = config
        .get("provider")
        .map(|p| vars.deref(p, 0))
        .unwrap_or(Node::Null);
    if let Some(name) = provider.get("name").and_then(|n| vars.literal(n, 0))
        && name != "aws"
    {
        d.diagnostics.push(Diagnostic::new(
            Level::Warning,
            Code::NotAws,
            format!("{file}: provider `{name}` is not AWS; no functions read"),
            Some(Location {
                file: file.to_string(),
                line: find_line(text, &["provider"]).unwrap_or(1),
                column: 1,
            }),
        ));
        return d;
    }

    let functions = function_nodes(vars, config);
    let mut template = Template::default();
    if let Some(resources) = config.get("resources") {
        let sections = match vars.deref(resources, 0) {
            Node::Seq(items) => items.iter().map(|i| vars.deref(i, 0)).collect(),
            other => vec![other],
        };
        for section in &sections {
            match section.get("Resources") {
                Some(Node::Map(_)) | None => {}
                Some(found) => d.diagnostics.push(crate::config::wrong_type(
                    file,
                    text,
                    &["resources", "Resources"],
                    "a mapping of logical ids to resources",
                    found,
                )),
            }
            template.merge(section);
        }
    }
    for (key, f) in &functions {
        let deployed = f
            .get("name")
            .cloned()
            .unwrap_or_else(|| Node::String(format!("${{self:service}}-${{sls:stage}}-{key}")));
        let log_group = deployed
            .as_str()
            .map(|name| Node::String(format!("/aws/lambda/{name}")));
        let compiled = [
            (
                logical_id(key),
                "AWS::Lambda::Function",
                "FunctionName",
                Some(deployed),
            ),
            (
                log_group_id(key),
                "AWS::Logs::LogGroup",
                "LogGroupName",
                log_group,
            ),
        ];
        for (id, kind, name_property, name) in compiled {
            if template.resources.contains_key(&id) {
                continue;
            }
            let properties = name
                .map(|n| IndexMap::from([(name_property.to_string(), n)]))
                .unwrap_or_default();
            let resource = Node::Map(IndexMap::from([
                ("Type".to_string(), Node::String(kind.into())),
                ("Properties".to_string(), Node::Map(properties)),
            ]));
            template.resources.insert(id, resource);
        }
    }

    let strings = SlsStrings {
        vars,
        template: &template,
    };
    let eval = strings.eval();
    d.encrypted = crate::encryption::encrypted(&eval);
    let provider_env =
        environment(vars, &eval, provider.get("environment")).unwrap_or_else(|found| {
            d.diagnostics.push(crate::config::wrong_type(
                file,
                text,
                &["provider", "environment"],
                "a mapping of variable names to values",
                &found,
            ));
            BTreeMap::new()
        });
    let provider_runtime = provider.get("runtime").and_then(|r| vars.literal(r, 0));
    let service_artifact = config
        .at(&["package", "artifact"])
        .and_then(|a| vars.literal(a, 0));

    let service_layers = crate::layers::Serverless {
        declared: config.get("layers").cloned(),
        provider: provider.get("layers").map(|l| vars.deref(l, 0)),
        resources: &template.resources,
    };
    let lines = KeyLines::under(text, &["functions"]);
    // What the `resources:` section wires to each function, read once for all.
    let mut from_template = crate::triggers::template_triggers(
        &eval,
        crate::triggers::Declared {
            file,
            text,
            resources: &["resources", "Resources"],
        },
    );
    for (key, f) in &functions {
        if !matches!(f, Node::Map(_) | Node::Null) {
            d.diagnostics.push(crate::config::wrong_type(
                file,
                text,
                &["functions", key],
                "a mapping with `handler`",
                f,
            ));
        }
        let source = Some(Location {
            file: file.to_string(),
            line: lines.get(key).unwrap_or(1),
            column: 1,
        });
        let handler = f.get("handler").and_then(|h| vars.literal(h, 0));
        let runtime = f
            .get("runtime")
            .and_then(|r| vars.literal(r, 0))
            .or_else(|| provider_runtime.clone());
        let code_root = match f.get("module").and_then(|m| vars.literal(m, 0)) {
            Some(module) => root.join(crate::walk::clean_path(Path::new(&module))),
            None => root.to_path_buf(),
        };
        let mut env = provider_env.clone();
        match environment(vars, &eval, f.get("environment")) {
            Ok(own) => env.extend(own),
            Err(found) => d.diagnostics.push(crate::config::wrong_type(
                file,
                text,
                &["functions", key, "environment"],
                "a mapping of variable names to values",
                &found,
            )),
        }
        let artifact = f
            .at(&["package", "artifact"])
            .and_then(|a| vars.literal(a, 0))
            .or_else(|| service_artifact.clone());
        let is_image = f.get("image").is_some();
        let runtime = if is_image { None } else { runtime };
        let other_runtime = runtime
            .as_deref()
            .is_some_and(|r| crate::style_for_runtime(r).is_none());
        let unsupported = if is_image {
            Some((
                Level::Warning,
                "a container image (`image:`) is not analysed".to_string(),
            ))
        } else if other_runtime {
            None
        } else if let (Some(artifact), Some(h)) = (&artifact, &handler) {
            crate::handler::resolve_handler(&code_root, "", h, runtime.as_deref())
                .err()
                .map(|_| {
                    (Level::Warning, format!(
                        "it is deployed from the prebuilt artifact `{artifact}` and the handler's source is not in the service folder"
                    ))
                })
        } else {
            None
        };
        let function_name = template
            .resources
            .get(&logical_id(key))
            .and_then(|r| r.at(&["Properties", "FunctionName"]))
            .and_then(|n| eval.physical(n, 0));
        let declared = ServiceRole {
            vars,
            eval: &eval,
            config,
            provider: &provider,
            file,
            text,
        }
        .function(key, f, lines.get(key).unwrap_or(1));
        let mut triggers = crate::triggers::serverless_events(
            &eval,
            &|n| vars.deref(n, 0),
            key,
            f,
            crate::triggers::Declared {
                file,
                text,
                resources: &["resources", "Resources"],
            },
        );
        // Resources of its `resources:` section that invoke it (a bucket's notifications,
        // an event source mapping written out).
        triggers.extend(from_template.remove(&logical_id(key)).unwrap_or_default());
        let layers = service_layers.function_layers(
            f,
            &|n| vars.deref(n, 0),
            &|n| vars.literal(n, 0),
            root,
            &crate::layers::Site {
                function: key,
                at: &source,
            },
            &mut d.diagnostics,
        );
        let configured = Configured {
            name: key.clone(),
            handler,
            runtime,
            code_root,
            environment: env,
            framework: Framework::Serverless,
            source,
            unsupported,
            function_name,
            // The framework deploys Node.js when neither the function nor the provider
            // names a runtime.
            default_runtime: Some("nodejs"),
            declared: Some(declared),
            entry_points: Vec::new(),
            triggers,
            layers,
        };
        d.functions
            .push(configured.resolve(root, &mut d.diagnostics));
    }
    if functions.is_empty() {
        d.diagnostics.push(Diagnostic::new(
            Level::Warning,
            Code::NoFunctions,
            format!("{file}: `functions` is missing or empty; nothing to analyse"),
            Some(Location {
                file: file.to_string(),
                line: find_line(text, &["functions"]).unwrap_or(1),
                column: 1,
            }),
        ));
    }
    d.diagnostics.extend(vars.take_diagnostics());
    d
}

/// `functions:` as (key, function mapping) pairs.
fn function_nodes(vars: &Vars<'_>, config: &Node) -> Vec<(String, Node)> {
    let Some(functions) = config.get("functions") else {
        return Vec::new();
    };
    let maps = match vars.deref(functions, 0) {
        Node::Seq(items) => items.iter().map(|i| vars.deref(i, 0)).collect(),
        other => vec![other],
    };
    let mut out: Vec<(String, Node)> = Vec::new();
    for m in maps {
        if let Node::Map(m) = m {
            for (k, v) in m {
                let v = vars.deref(&v, 0);
                out.retain(|(existing, _)| existing != &k);
                out.push((k, v));
            }
        }
    }
    out
}

/// An `environment:` mapping's values; the node itself when it is not a mapping.
fn environment(
    vars: &Vars<'_>,
    eval: &Eval<'_>,
    node: Option<&Node>,
) -> Result<BTreeMap<String, EnvValue>, Node> {
    let Some(node) = node else {
        return Ok(BTreeMap::new());
    };
    let node = vars.deref(node, 0);
    match &node {
        Node::Map(m) => Ok(m
            .iter()
            .map(|(k, v)| (k.clone(), cfn::env_value(eval.value_with_vars(v, 0))))
            .collect()),
        Node::Null => Ok(BTreeMap::new()),
        _ => Err(node),
    }
}

/// Reads what a Serverless service declares for its functions' roles.
struct ServiceRole<'a> {
    vars: &'a Vars<'a>,
    eval: &'a Eval<'a>,
    config: &'a Node,
    provider: &'a Node,
    file: &'a str,
    text: &'a str,
}

/// Statements as the framework compiles them for every function: its log group.
const SLS_MANAGED: &str = "the Serverless Framework adds it to the role it compiles";

impl ServiceRole<'_> {
    /// `node.key`, with Serverless variables of the value itself resolved.
    fn get(&self, node: &Node, key: &str) -> Option<Node> {
        node.get(key).map(|n| self.vars.deref(n, 0))
    }

    fn at(&self, node: &Node, path: &[&str]) -> Option<Node> {
        let mut n = node.clone();
        for k in path {
            n = self.get(&n, k)?;
        }
        Some(n)
    }

    fn flag(&self, node: Option<Node>) -> Option<bool> {
        match node? {
            Node::Bool(b) => Some(b),
            other => self.vars.literal(&other, 0).map(|s| s == "true"),
        }
    }

    fn site(&self, path: &[&str], fallback: u32) -> Site<'_> {
        Site {
            file: self.file,
            line: find_line(self.text, path).unwrap_or(fallback),
            items: config::item_lines(self.text, path),
        }
    }

    /// A role given by name or ARN (`provider.iam.role: arn:…`, `functions.f.role`): read
    /// when it is an `AWS::IAM::Role` of `resources`, else not checkable.
    fn named_role(&self, role: &Node, path: &str, line: u32) -> RoleBuilder {
        let role_id = match role {
            Node::String(s) if !s.contains(':') && !s.contains("${") => {
                let is_role = self
                    .eval
                    .template
                    .resources
                    .get(s)
                    .and_then(|r| r.get("Type"))
                    .and_then(Node::as_str)
                    == Some("AWS::IAM::Role");
                if is_role {
                    Ok(s.clone())
                } else {
                    Err(format!(
                        "{path} names the role `{s}`, which is not an AWS::IAM::Role of `resources`"
                    ))
                }
            }
            other => role::role_in_template(self.eval, other).map_err(|e| format!("{path}: {e}")),
        };
        match role_id {
            Ok(id) => {
                let mut b = RoleBuilder::new(format!("AWS::IAM::Role {id}"));
                let lines = KeyLines::under(self.text, &["resources", "Resources"]);
                let resource_line = |id: &str| lines.get(id).unwrap_or(line);
                role::cfn_role(
                    &Reader { eval: self.eval },
                    &mut b,
                    &id,
                    self.file,
                    &resource_line,
                    None,
                );
                b
            }
            Err(reason) => RoleBuilder::not_checkable(reason),
        }
    }

    /// The statements and managed policies of one role section (`provider.iam.role`,
    /// `functions.f.iam.role`) and its legacy keys.
    fn section(
        &self,
        b: &mut RoleBuilder,
        statements: &[(&[&str], Option<Node>)],
        managed: &[(&[&str], Option<Node>)],
        line: u32,
    ) {
        let reader = Reader { eval: self.eval };
        for (path, node) in statements {
            if let Some(node) = node {
                let site = self.site(path, line);
                reader.statements(b, node, &path.join("."), &site, None);
            }
        }
        for (path, node) in managed {
            if let Some(Node::Seq(items)) = node {
                let site = self.site(path, line);
                for (i, item) in items.iter().enumerate() {
                    reader.managed(
                        b,
                        item,
                        &format!("{}[{i}]", path.join(".")),
                        &site.item(i),
                        None,
                    );
                }
            }
        }
    }

    fn function(&self, key: &str, f: &Node, line: u32) -> Declared {
        let provider = self.provider;
        let role = self
            .at(provider, &["iam", "role"])
            .or_else(|| self.get(provider, "role"));
        let per_function_mode = role
            .as_ref()
            .and_then(|r| self.get(r, "mode"))
            .and_then(|m| self.vars.literal(&m, 0))
            .is_some_and(|m| m == "perFunction");
        let own_v4 = self.at(f, &["iam", "role", "statements"]);
        let own_v4_managed = self.at(f, &["iam", "role", "managedPolicies"]);
        let own_plugin = self.get(f, "iamRoleStatements");
        let has_own = own_v4.is_some() || own_v4_managed.is_some() || own_plugin.is_some();
        let mut b = if let Some(r) = self.get(f, "role") {
            self.named_role(&r, &format!("functions.{key}.role"), line)
        } else if let Some(r) = role.as_ref().filter(|r| !matches!(r, Node::Map(_))) {
            self.named_role(r, "provider.iam.role", line)
        } else {
            let provider_statements: [(&[&str], Option<Node>); 2] = [
                (
                    &["provider", "iam", "role", "statements"],
                    role.as_ref().and_then(|r| self.get(r, "statements")),
                ),
                (
                    &["provider", "iamRoleStatements"],
                    self.get(provider, "iamRoleStatements"),
                ),
            ];
            let provider_managed: [(&[&str], Option<Node>); 2] = [
                (
                    &["provider", "iam", "role", "managedPolicies"],
                    role.as_ref().and_then(|r| self.get(r, "managedPolicies")),
                ),
                (
                    &["provider", "iamManagedPolicies"],
                    self.get(provider, "iamManagedPolicies"),
                ),
            ];
            if has_own || per_function_mode {
                let inherit = self
                    .flag(self.at(f, &["iam", "inheritStatements"]))
                    .or_else(|| self.flag(self.get(f, "iamRoleStatementsInherit")))
                    .or_else(|| {
                        own_plugin.as_ref().and_then(|_| {
                            self.flag(self.at(
                                self.config,
                                &[
                                    "custom",
                                    "serverless-iam-roles-per-function",
                                    "defaultInherit",
                                ],
                            ))
                        })
                    })
                    .unwrap_or(per_function_mode);
                let mut b = RoleBuilder::new(format!("functions.{key} (a role of its own)"));
                if inherit {
                    self.section(&mut b, &provider_statements, &provider_managed, line);
                }
                let fn_statements: [(&[&str], Option<Node>); 2] = [
                    (&["functions", key, "iam", "role", "statements"], own_v4),
                    (&["functions", key, "iamRoleStatements"], own_plugin),
                ];
                let fn_managed: [(&[&str], Option<Node>); 1] = [(
                    &["functions", key, "iam", "role", "managedPolicies"],
                    own_v4_managed,
                )];
                self.section(&mut b, &fn_statements, &fn_managed, line);
                b
            } else {
                let mut b = RoleBuilder::new("provider.iam.role (shared by all functions)");
                self.section(&mut b, &provider_statements, &provider_managed, line);
                b
            }
        };
        if matches!(
            b.declared.role,
            crate::declared::DeclaredRole::Checkable { .. }
        ) && self.get(f, "role").is_none()
            && role.as_ref().is_none_or(|r| matches!(r, Node::Map(_)))
        {
            // The framework's own statement: the function's log group.
            let log_group = Node::Map(
                [(
                    "Fn::GetAtt".to_string(),
                    Node::String(format!("{}.Arn", log_group_id(key))),
                )]
                .into_iter()
                .collect(),
            );
            let statement = Node::Map(
                [
                    ("Effect".to_string(), Node::String("Allow".into())),
                    (
                        "Action".to_string(),
                        Node::Seq(
                            [
                                "logs:CreateLogGroup",
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                            ]
                            .into_iter()
                            .map(|a| Node::String(a.into()))
                            .collect(),
                        ),
                    ),
                    ("Resource".to_string(), log_group),
                ]
                .into_iter()
                .collect(),
            );
            Reader { eval: self.eval }.statements(
                &mut b,
                &statement,
                &format!("functions.{key} (log group)"),
                &Site {
                    file: self.file,
                    line,
                    items: Vec::new(),
                },
                Some(SLS_MANAGED),
            );
        }
        self.facts(&mut b, f);
        b.finish()
    }

    fn facts(&self, b: &mut RoleBuilder, f: &Node) {
        let eval = self.eval;
        let facts = &mut b.declared.framework;
        facts.vpc = self
            .get(f, "vpc")
            .or_else(|| self.get(self.provider, "vpc"))
            .is_some_and(|v| !matches!(v, Node::Null));
        let tracing = self
            .get(f, "tracing")
            .or_else(|| self.at(self.provider, &["tracing", "lambda"]));
        facts.tracing = match tracing {
            Some(Node::Bool(b)) => b,
            Some(other) => self
                .vars
                .literal(&other, 0)
                .is_some_and(|t| t == "Active" || t == "PassThrough" || t == "true"),
            None => false,
        };
        let arn_of = |n: &Node| -> Vec<ValuePart> {
            match n.get("arn") {
                Some(a) => eval.value(a, 0),
                None => eval.value(n, 0),
            }
        };
        facts.dead_letter = self
            .get(f, "onError")
            .or_else(|| self.at(f, &["destinations", "onFailure"]))
            .map(|n| arn_of(&n));
        let events = match self.get(f, "events") {
            Some(Node::Seq(events)) => events,
            _ => Vec::new(),
        };
        for event in events {
            let Some((kind, value)) = event.as_map().and_then(|m| m.first()) else {
                continue;
            };
            let value = self.vars.deref(value, 0);
            let kind = match kind.as_str() {
                "sqs" => "sqs",
                "stream" => {
                    let arn = arn_of(&value);
                    let typed = value.get("type").and_then(|t| self.vars.literal(t, 0));
                    match typed.as_deref() {
                        Some("dynamodb") => "dynamodb-stream",
                        Some("kinesis") => "kinesis",
                        _ => crate::triggers::source_kind(&arn).unwrap_or("kinesis"),
                    }
                }
                "msk" => "kafka",
                "kafka" => {
                    facts.event_sources.push(EventSource {
                        kind: "kafka".into(),
                        arn: vec![ValuePart::Unknown("self-managed Kafka brokers".into())],
                    });
                    continue;
                }
                "activemq" | "rabbitmq" => "mq",
                _ => continue,
            };
            facts.event_sources.push(EventSource {
                kind: kind.to_string(),
                arn: arn_of(&value),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_follow_the_framework() {
        assert_eq!(logical_id("hello"), "HelloLambdaFunction");
        assert_eq!(log_group_id("hello"), "HelloLogGroup");
        assert_eq!(
            logical_id("process-order_v2"),
            "ProcessDashorderUnderscorev2LambdaFunction"
        );
    }
}
