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
use leastrole_lang::{Diagnostic, Level, Location};

use crate::cfn::{self, Eval, Strings, Template};
use crate::config::{self, KeyLines, Node, find_line};
use crate::configured::Configured;
use crate::vars::{Seg, Val, Vars};
use crate::{DiscoverOptions, Discovery, EnvValue, Framework, ValuePart, config_error};

const CONFIG_FILES: &[&str] = &["serverless.yml", "serverless.yaml", "serverless.json"];
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
                    Val::Node(n) => out.extend(self.eval().value(&n, depth + 1)),
                    Val::Parts(p) => out.extend(p),
                    Val::Unknown(u) => out.push(ValuePart::Unknown(u)),
                    Val::Missing => out.push(ValuePart::Unknown(format!("{text} (not set)"))),
                },
            }
        }
        out
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

/// `<Name>LogGroup`, the function's compiled log group.
fn log_group_id(function: &str) -> String {
    format!("{}LogGroup", normalized(function))
}

/// The functions of the Serverless service at `root`: `None` without a config file,
/// `Err` when the config cannot be read.
pub(crate) fn discover(
    root: &Path,
    options: &DiscoverOptions,
) -> Option<Result<Discovery, Vec<Diagnostic>>> {
    let Some(file) = CONFIG_FILES.iter().find(|f| root.join(f).is_file()) else {
        let code = CODE_CONFIG_FILES.iter().find(|f| root.join(f).is_file())?;
        return Some(Err(vec![Diagnostic::new(
            Level::Warning,
            "config-not-read",
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
    Some(Ok(read_service(root, file, &text, &root_node, options)))
}

fn read_service(
    root: &Path,
    file: &str,
    text: &str,
    config: &Node,
    options: &DiscoverOptions,
) -> Discovery {
    let mut d = Discovery::default();
    let vars = Vars::new(config, root, options.stage.as_deref(), options.use_env);
    let provider = config
        .get("provider")
        .map(|p| vars.deref(p, 0))
        .unwrap_or(Node::Null);
    if let Some(name) = provider.get("name").and_then(|n| vars.literal(n, 0))
        && name != "aws"
    {
        d.diagnostics.push(Diagnostic::new(
            Level::Warning,
            "not-aws",
            format!("{file}: provider `{name}` is not AWS; no functions read"),
            Some(Location {
                file: file.to_string(),
                line: find_line(text, &["provider"]).unwrap_or(1),
                column: 1,
            }),
        ));
        return d;
    }

    let functions = function_nodes(&vars, config);
    let mut template = Template::default();
    if let Some(resources) = config.get("resources") {
        let sections = match vars.deref(resources, 0) {
            Node::Seq(items) => items.iter().map(|i| vars.deref(i, 0)).collect(),
            other => vec![other],
        };
        for section in &sections {
            match section.get("Resources") {
                Some(Node::Map(_)) | None => {}
                Some(found) => d.diagnostics.push(crate::wrong_type(
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
        vars: &vars,
        template: &template,
    };
    let eval = strings.eval();
    let provider_env =
        environment(&vars, &eval, provider.get("environment")).unwrap_or_else(|found| {
            d.diagnostics.push(crate::wrong_type(
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

    let lines = KeyLines::under(text, &["functions"]);
    for (key, f) in &functions {
        if !matches!(f, Node::Map(_) | Node::Null) {
            d.diagnostics.push(crate::wrong_type(
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
            Some(module) => root.join(crate::clean_path(Path::new(&module))),
            None => root.to_path_buf(),
        };
        let mut env = provider_env.clone();
        match environment(&vars, &eval, f.get("environment")) {
            Ok(own) => env.extend(own),
            Err(found) => d.diagnostics.push(crate::wrong_type(
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
            crate::handler::resolve_handler(&code_root, h, runtime.as_deref())
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
            entry_points: Vec::new(),
        };
        d.functions.push(configured.resolve(&mut d.diagnostics));
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
            .map(|(k, v)| (k.clone(), cfn::env_value(eval.value(v, 0))))
            .collect()),
        Node::Null => Ok(BTreeMap::new()),
        _ => Err(node),
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
