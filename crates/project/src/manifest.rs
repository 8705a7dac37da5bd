//! `--manifest`: a Serverless service as the framework itself resolved it, handed over as
//! JSON (by the `serverless-leastrole` plugin) instead of read from `serverless.yml`.
//!
//! The manifest (version 1, docs/cli.md and docs/manifest.schema.json) carries the
//! service folder, the resolved service (`serverless.service`: `provider`, `functions`,
//! `custom`, `resources`, `package`) and the CloudFormation template the framework
//! compiled so far. Its variables are already resolved, so the service is read by the same
//! code as a config file (`serverless::read_resolved`) with the variable pass turned off;
//! the compiled template's resources are merged under the user's `resources:` (as the
//! framework merges them), so references to `OrdersTable` and to
//! `CreateOrderLambdaFunction` resolve the same way. Handler paths stay relative to the
//! service folder, so reports name files relative to it, as `generate <folder>` does.

use std::path::{Component, Path, PathBuf};

use indexmap::IndexMap;

use crate::config::{self, Node};
use crate::{DiscoverOptions, Discovery};

/// The manifest version this build reads.
pub const MANIFEST_VERSION: u32 = 1;

/// Manifests larger than this are refused: a resolved service plus a compiled template
/// (CloudFormation takes templates up to 1 MB) stays far below it.
const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;

/// Why a manifest cannot be used; the message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid manifest: {message}")]
pub struct ManifestError {
    message: String,
}

fn invalid(message: impl Into<String>) -> ManifestError {
    ManifestError {
        message: message.into(),
    }
}

/// A project read from a manifest.
#[derive(Debug, Clone)]
pub struct ManifestProject {
    /// The service folder (`serviceDir`): what a project folder is to [`crate::discover`].
    pub service_dir: PathBuf,
    pub discovery: Discovery,
}

/// The functions of the service described by a manifest (JSON text). `options.functions`
/// selects functions as for [`crate::discover`]; the other options do not apply (the
/// framework already resolved stages and variables). Functions are sorted by name.
pub fn discover_manifest(
    text: &str,
    options: &DiscoverOptions,
) -> Result<ManifestProject, ManifestError> {
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(invalid(format!(
            "{} bytes is more than the {MAX_MANIFEST_BYTES} bytes leastrole reads",
            text.len()
        )));
    }
    let manifest = config::parse_json(text).map_err(|e| {
        invalid(format!(
            "not JSON (line {}, column {}): {}",
            e.line.unwrap_or(1),
            e.column.unwrap_or(1),
            e.message
        ))
    })?;
    // The framework that runs the plugin reads the output: its version (`3.40.0`) over
    // the range the service asks for.
    let running = crate::serverless::major_version(&manifest);
    let manifest = Manifest::parse(&manifest)?;
    let file = manifest.config_file();
    // The config text only places declarations on lines; it is never parsed.
    let text = std::fs::read_to_string(manifest.service_dir.join(&file)).unwrap_or_default();
    let mut d =
        crate::serverless::read_resolved(&manifest.service_dir, &file, &text, &manifest.service);
    d.framework_version = running.or(d.framework_version);
    d.functions.sort_by(|a, b| a.name.cmp(&b.name));
    crate::discover::select(&mut d, &options.functions);
    let confine = crate::confine::confinement(&manifest.service_dir, &options.allow_outside);
    crate::confine::confine_functions(&mut d, &manifest.service_dir, confine);
    Ok(ManifestProject {
        service_dir: manifest.service_dir,
        discovery: d,
    })
}

/// A validated manifest.
#[derive(Debug)]
struct Manifest {
    service_dir: PathBuf,
    config_file: Option<String>,
    /// The service with `resources` = [compiled template, the user's resources…].
    service: Node,
}

impl Manifest {
    fn parse(node: &Node) -> Result<Manifest, ManifestError> {
        let Node::Map(top) = node else {
            return Err(invalid(format!(
                "expected a JSON object, found {}",
                node.kind()
            )));
        };
        match top.get("version") {
            Some(Node::Number(v)) if v == &MANIFEST_VERSION.to_string() => {}
            Some(Node::Number(v)) => {
                return Err(invalid(format!(
                    "version {v} is not supported; this leastrole reads version {MANIFEST_VERSION} (upgrade leastrole or the plugin so that they match)"
                )));
            }
            Some(other) => {
                return Err(invalid(format!(
                    "`version` must be the number {MANIFEST_VERSION}, found {}",
                    other.kind()
                )));
            }
            None => {
                return Err(invalid(format!(
                    "no `version` (expected {MANIFEST_VERSION})"
                )));
            }
        }
        match top.get("framework") {
            Some(Node::String(f)) if f == "serverless" => {}
            Some(Node::String(f)) => {
                return Err(invalid(format!(
                    "framework `{f}` is not supported (expected `serverless`)"
                )));
            }
            Some(other) => {
                return Err(invalid(format!(
                    "`framework` must be a string, found {}",
                    other.kind()
                )));
            }
            None => return Err(invalid("no `framework` (expected `serverless`)")),
        }
        let service_dir = match top.get("serviceDir") {
            Some(Node::String(dir)) => PathBuf::from(dir),
            Some(other) => {
                return Err(invalid(format!(
                    "`serviceDir` must be a string, found {}",
                    other.kind()
                )));
            }
            None => {
                return Err(invalid(
                    "no `serviceDir` (the service folder, an absolute path)",
                ));
            }
        };
        if !service_dir.is_absolute() {
            return Err(invalid(format!(
                "`serviceDir` must be an absolute path, found `{}`",
                service_dir.display()
            )));
        }
        if !service_dir.is_dir() {
            return Err(invalid(format!(
                "`serviceDir` {} is not a folder",
                service_dir.display()
            )));
        }
        let config_file = match top.get("configurationFilename") {
            None | Some(Node::Null) => None,
            Some(Node::String(f)) => {
                let path = Path::new(f);
                let inside = path
                    .components()
                    .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
                if f.is_empty() || !inside {
                    return Err(invalid(format!(
                        "`configurationFilename` must be a path inside `serviceDir`, found `{f}`"
                    )));
                }
                Some(f.clone())
            }
            Some(other) => {
                return Err(invalid(format!(
                    "`configurationFilename` must be a string, found {}",
                    other.kind()
                )));
            }
        };
        let Some(Node::Map(service)) = top.get("service") else {
            return Err(invalid(match top.get("service") {
                Some(other) => format!(
                    "`service` must be an object (the resolved serverless.service), found {}",
                    other.kind()
                ),
                None => "no `service` (the resolved serverless.service)".to_string(),
            }));
        };
        for (key, expected) in [("provider", "an object"), ("custom", "an object")] {
            if let Some(v) = service.get(key)
                && !matches!(v, Node::Map(_) | Node::Null)
            {
                return Err(invalid(format!(
                    "`service.{key}` must be {expected}, found {}",
                    v.kind()
                )));
            }
        }
        if let Some(v) = service.get("functions")
            && !matches!(v, Node::Map(_) | Node::Seq(_) | Node::Null)
        {
            return Err(invalid(format!(
                "`service.functions` must be an object keyed by function name, found {}",
                v.kind()
            )));
        }
        let compiled = match top.get("compiledTemplate") {
            None | Some(Node::Null) => None,
            Some(t @ Node::Map(_)) => Some(t.clone()),
            Some(other) => {
                return Err(invalid(format!(
                    "`compiledTemplate` must be an object (a CloudFormation template), found {}",
                    other.kind()
                )));
            }
        };
        // The framework merges the user's `resources:` over the compiled template.
        let mut resources: Vec<Node> = compiled.into_iter().collect();
        match service.get("resources") {
            None | Some(Node::Null) => {}
            Some(Node::Seq(items)) => resources.extend(items.iter().cloned()),
            Some(r @ Node::Map(_)) => resources.push(r.clone()),
            Some(other) => {
                return Err(invalid(format!(
                    "`service.resources` must be an object, found {}",
                    other.kind()
                )));
            }
        }
        let mut service: IndexMap<String, Node> = service.clone();
        service.insert("resources".to_string(), Node::Seq(resources));
        Ok(Manifest {
            service_dir,
            config_file,
            service: Node::Map(service),
        })
    }

    /// The config file (relative to the service folder) that declarations point at: the
    /// one the manifest names, else the first Serverless config file found there.
    fn config_file(&self) -> String {
        self.config_file.clone().unwrap_or_else(|| {
            crate::serverless::CONFIG_FILES
                .iter()
                .find(|f| self.service_dir.join(f).is_file())
                .copied()
                .unwrap_or("serverless.yml")
                .to_string()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        discover_manifest(text, &DiscoverOptions::default())
            .unwrap_err()
            .to_string()
    }

    fn dir() -> String {
        serde_json::to_string(env!("CARGO_MANIFEST_DIR")).unwrap()
    }

    #[test]
    fn bad_manifests_say_what_is_wrong() {
        assert!(error("{").contains("not JSON (line 1"), "{}", error("{"));
        assert!(error("[]").contains("expected a JSON object, found a list"));
        assert!(error("{}").contains("no `version`"));
        assert!(error(r#"{"version": 2}"#).contains("version 2 is not supported"));
        assert!(error(r#"{"version": "1"}"#).contains("must be the number 1"));
        assert!(error(r#"{"version": 1, "framework": "sam"}"#).contains("framework `sam`"));
        assert!(
            error(r#"{"version": 1, "framework": "serverless", "serviceDir": "rel"}"#)
                .contains("must be an absolute path")
        );
        let d = dir();
        assert!(
            error(&format!(
                r#"{{"version": 1, "framework": "serverless", "serviceDir": {d}}}"#
            ))
            .contains("no `service`")
        );
        assert!(
            error(&format!(
                r#"{{"version": 1, "framework": "serverless", "serviceDir": {d}, "service": {{"functions": "x"}}}}"#
            ))
            .contains("`service.functions` must be an object")
        );
        assert!(
            error(&format!(
                r#"{{"version": 1, "framework": "serverless", "serviceDir": {d}, "configurationFilename": "../x.yml", "service": {{}}}}"#
            ))
            .contains("inside `serviceDir`")
        );
        assert!(
            error(&format!(
                r#"{{"version": 1, "framework": "serverless", "serviceDir": {d}, "service": {{}}, "compiledTemplate": []}}"#
            ))
            .contains("`compiledTemplate` must be an object")
        );
    }

    #[test]
    fn the_compiled_template_resolves_references_and_user_resources_win() {
        let d = dir();
        let text = format!(
            r#"{{"version": 1, "framework": "serverless", "serviceDir": {d},
            "service": {{"service": "svc", "provider": {{"name": "aws", "runtime": "python3.12",
                "environment": {{"T": {{"Ref": "Table"}}, "Q": {{"Fn::GetAtt": ["Queue", "Arn"]}}, "S": "${{literal:text}}"}}}},
              "functions": {{"worker": {{"handler": "missing.handler", "name": "svc-dev-worker"}}}},
              "resources": {{"Resources": {{"Table": {{"Type": "AWS::DynamoDB::Table", "Properties": {{"TableName": "user-table"}}}}}}}}}},
            "compiledTemplate": {{"Resources": {{
              "Table": {{"Type": "AWS::DynamoDB::Table", "Properties": {{"TableName": "compiled-table"}}}},
              "Queue": {{"Type": "AWS::SQS::Queue", "Properties": {{"QueueName": "jobs"}}}}}}}}}}"#
        );
        let found = discover_manifest(&text, &DiscoverOptions::default())
            .unwrap()
            .discovery;
        let [f] = found.functions.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(f.name, "worker");
        let env = f.environment.as_ref().unwrap();
        let physical = |key: &str| match env.get(key) {
            Some(crate::EnvValue::Template(parts)) => match parts.as_slice() {
                [crate::ValuePart::Ref { physical, .. }] => physical.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{key}: {other:?}"),
        };
        assert_eq!(
            physical("T"),
            Some(vec![crate::ValuePart::Lit("user-table".into())])
        );
        assert!(physical("Q").is_some());
        assert_eq!(
            env.get("S"),
            Some(&crate::EnvValue::Literal("${literal:text}".into()))
        );
        assert_eq!(
            env.get("AWS_LAMBDA_FUNCTION_NAME"),
            Some(&crate::EnvValue::Literal("svc-dev-worker".into()))
        );
    }
}
