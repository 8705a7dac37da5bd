//! Lambda layers a function attaches, followed to the project folder that holds their
//! content (issue 19): CloudFormation/SAM `Layers` (a list of `!Ref`/`!GetAtt` to an
//! `AWS::Serverless::LayerVersion` or `AWS::Lambda::LayerVersion` of the template, or
//! ARNs) and Serverless `layers` (`{Ref: <Name>LambdaLayer}` or ARNs). A layer leastrole
//! cannot read (an ARN, content in S3 or in an archive, a folder that is not there) is
//! named in a `layer-not-followed` warning: what the function imports from it is not
//! analysed.

use std::path::{Path, PathBuf};

use leastrole_core::{Code, Diagnostic, Level, Location};

use crate::Layer;
use crate::config::Node;

/// Where the layers come from, for the diagnostics.
pub(crate) struct Site<'a> {
    /// The function's name.
    pub(crate) function: &'a str,
    /// The function's configuration line.
    pub(crate) at: &'a Option<Location>,
}

/// A layer `Site::function` attaches that is not followed, and why.
pub(crate) fn not_followed(site: &Site<'_>, layer: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Level::Warning,
        Code::LayerNotFollowed,
        format!(
            "{}: layer {layer} is not followed ({why}): modules the function imports from it are not analysed, and their AWS calls are not in its policy",
            site.function
        ),
        site.at.clone(),
    )
}

/// The logical id a `Layers` item refers to: `!Ref X`, `!GetAtt X.LayerVersionArn`.
fn referenced(item: &Node) -> Option<&str> {
    if let Some(id) = item.get("Ref").and_then(Node::as_str) {
        return Some(id);
    }
    match item.get("Fn::GetAtt")? {
        Node::Seq(parts) => parts.first()?.as_str(),
        Node::String(s) => s.split_once('.').map(|(id, _)| id),
        _ => None,
    }
}

/// The layers a template function's `Layers` list attaches, in order; `resources` are
/// the template's (logical id → resource), `literal` evaluates a value to a string when
/// it is one. `root` is the folder paths in the template are relative to.
pub(crate) fn template_layers(
    items: &[&Node],
    resources: &indexmap::IndexMap<String, Node>,
    literal: &dyn Fn(&Node) -> Option<String>,
    root: &Path,
    site: &Site<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Layer> {
    let mut layers = Vec::new();
    for item in items {
        let Some(id) = referenced(item) else {
            let shown = match literal(item) {
                Some(arn) => format!("`{arn}`"),
                None => "given by an expression".to_string(),
            };
            diagnostics.push(not_followed(site, &shown, "given by ARN"));
            continue;
        };
        let Some(resource) = resources.get(id) else {
            diagnostics.push(not_followed(
                site,
                &format!("`{id}`"),
                "given by ARN, a parameter",
            ));
            continue;
        };
        match template_layer(id, resource, literal, root) {
            Ok(layer) => layers.push(Layer {
                source: site.at.clone(),
                ..layer
            }),
            Err(why) => diagnostics.push(not_followed(site, &format!("`{id}`"), &why)),
        }
    }
    layers
}

/// The content folder of the layer resource `id`, or why there is none to read.
fn template_layer(
    id: &str,
    resource: &Node,
    literal: &dyn Fn(&Node) -> Option<String>,
    root: &Path,
) -> Result<Layer, String> {
    let kind = resource.get("Type").and_then(Node::as_str).unwrap_or("");
    let props = resource.get("Properties");
    let (key, opt_dir) = match kind {
        // `sam build` with a runtime as `BuildMethod` puts the folder's content under
        // the layer's `python/` or `nodejs/` folder (aws-sam-cli's
        // `get_layer_subfolder`); without one, or with a makefile, the folder is the
        // layer as it is.
        "AWS::Serverless::LayerVersion" => {
            let method = resource
                .at(&["Metadata", "BuildMethod"])
                .and_then(Node::as_str)
                .unwrap_or("");
            let opt_dir = if method.starts_with("python") {
                "python"
            } else if method.starts_with("nodejs") {
                "nodejs"
            } else {
                ""
            };
            ("ContentUri", opt_dir)
        }
        "AWS::Lambda::LayerVersion" => ("Content", ""),
        other => return Err(format!("`{other}` is not a layer version")),
    };
    // A CDK asset: the folder in the cloud assembly that CDK staged.
    let asset = resource
        .at(&["Metadata", "aws:asset:path"])
        .and_then(Node::as_str);
    let content = props.and_then(|p| p.get(key));
    let path = match (asset, content) {
        (Some(asset), _) => asset.to_string(),
        (None, Some(content)) => match literal(content) {
            Some(path) => path,
            None => return Err(format!("its {key} is in S3")),
        },
        (None, None) => return Err(format!("it has no {key}")),
    };
    let lower = path.to_ascii_lowercase();
    if lower.starts_with("s3://") {
        return Err(format!("its {key} is in S3"));
    }
    if lower.ends_with(".zip") || lower.ends_with(".jar") {
        return Err(format!("its {key} `{path}` is a prebuilt archive"));
    }
    let dir = folder(root, &path).ok_or_else(|| format!("its folder `{path}` is not there"))?;
    Ok(Layer {
        name: id.to_string(),
        dir,
        opt_dir: opt_dir.to_string(),
        source: None,
    })
}

/// `root/path`, cleaned, if it is a folder.
pub(crate) fn folder(root: &Path, path: &str) -> Option<PathBuf> {
    let dir = root.join(crate::walk::clean_path(Path::new(path)));
    dir.is_dir().then_some(dir)
}

/// What a Serverless service declares about layers, read once for its functions.
pub(crate) struct Serverless<'a> {
    /// The top-level `layers:` section (name → `path`, `package.artifact`…).
    pub(crate) declared: Option<Node>,
    /// `provider.layers`, attached to every function without `layers` of its own.
    pub(crate) provider: Option<Node>,
    /// The `resources:` section's resources, for a `Ref` to a layer written there.
    pub(crate) resources: &'a indexmap::IndexMap<String, Node>,
}

impl Serverless<'_> {
    /// The layers function `f` attaches: its `layers`, else the provider's (the
    /// framework uses the function's list instead of the provider's, not both). A
    /// `{Ref: <Name>LambdaLayer}` names a layer of the service (the framework's logical
    /// id for `layers.<name>`), whose `path` is the folder zipped as the layer.
    pub(crate) fn function_layers(
        &self,
        f: &Node,
        deref: &dyn Fn(&Node) -> Node,
        literal: &dyn Fn(&Node) -> Option<String>,
        root: &Path,
        site: &Site<'_>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<Layer> {
        let list = match f.get("layers").map(deref).or_else(|| self.provider.clone()) {
            Some(Node::Seq(items)) => items,
            Some(Node::Null) | None => return Vec::new(),
            Some(other) => vec![other],
        };
        let mut layers = Vec::new();
        for item in &list {
            let item = deref(item);
            let service_layer = item
                .get("Ref")
                .and_then(literal)
                .and_then(|id| self.service_layer(&id, deref, literal));
            match service_layer {
                Some((name, Ok(path))) => match folder(root, &path) {
                    Some(dir) => layers.push(Layer {
                        name,
                        dir,
                        opt_dir: String::new(),
                        source: site.at.clone(),
                    }),
                    None => diagnostics.push(not_followed(
                        site,
                        &format!("`{name}`"),
                        &format!("its folder `{path}` is not there"),
                    )),
                },
                Some((name, Err(why))) => {
                    diagnostics.push(not_followed(site, &format!("`{name}`"), &why));
                }
                None => layers.extend(template_layers(
                    &[&item],
                    self.resources,
                    literal,
                    root,
                    site,
                    diagnostics,
                )),
            }
        }
        layers
    }

    /// The layer of the service whose logical id is `id`: its name, and its `path`
    /// or why it has no folder to read.
    fn service_layer(
        &self,
        id: &str,
        deref: &dyn Fn(&Node) -> Node,
        literal: &dyn Fn(&Node) -> Option<String>,
    ) -> Option<(String, Result<String, String>)> {
        let Some(Node::Map(declared)) = self.declared.as_ref().map(deref) else {
            return None;
        };
        let (name, layer) = declared
            .iter()
            .find(|(name, _)| crate::serverless::layer_logical_id(name) == id)?;
        let layer = deref(layer);
        let artifact = layer.at(&["package", "artifact"]).and_then(literal);
        let path = layer.get("path").and_then(literal);
        let found = match (artifact, path) {
            (Some(artifact), _) => Err(format!("it is the prebuilt archive `{artifact}`")),
            (None, Some(path)) => Ok(path),
            (None, None) => Err("it has no `path`".to_string()),
        };
        Some((name.clone(), found))
    }
}
