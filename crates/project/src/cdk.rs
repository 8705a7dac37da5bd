//! CDK apps, read from the synthesized cloud assembly: `cdk.out/*.template.json` (and
//! nested stage assemblies, `cdk.out/assembly-*/*.template.json`), or a `cdk.out` folder
//! given directly.
//!
//! Every `AWS::Lambda::Function` is a function, named by its logical id (prefixed with the
//! stack when two stacks use the same id), with `Handler`, `Runtime` and
//! `Environment.Variables`. Its code is the asset folder `Metadata."aws:asset:path"` names
//! (relative to the assembly). `Code.fromAsset('lambda/orders')` copies a source folder
//! verbatim, so the source folder is used instead when exactly one folder of the project
//! (outside `cdk.out`, `node_modules`…) holds every source file of the asset with the same
//! bytes; bundled assets (`aws:asset:is-bundled: true`, e.g. `NodejsFunction`) and assets
//! with no such copy are analysed as they are. Functions the CDK adds itself (custom
//! resource providers, log retention) and inline or image code are listed as unsupported.
//! A function's `Layers` that are `AWS::Lambda::LayerVersion`s of the stack are read from
//! their asset folders (mapped back to the app's folder the same way).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leastrole_core::{Code, Confine, Diagnostic, Level, Location};

use crate::cfn::{self, Eval, Literal, Template};
use crate::config::config_error;
use crate::config::{self, KeyLines, Node};
use crate::configured::Configured;
use crate::{DiscoverOptions, Discovery, EnvValue, Framework, ValuePart, source_files};

fn is_assembly(dir: &Path) -> bool {
    dir.join("manifest.json").is_file() || has_templates(dir)
}

/// The cloud assembly at or under `root`, and the project folder around it.
pub(crate) fn assembly(root: &Path) -> Option<(PathBuf, PathBuf)> {
    if root.file_name().is_some_and(|n| n == "cdk.out") && is_assembly(root) {
        let project = root
            .parent()
            .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
        return Some((root.to_path_buf(), project));
    }
    let out = root.join("cdk.out");
    (out.is_dir() && is_assembly(&out)).then(|| (out, root.to_path_buf()))
}

fn has_templates(dir: &Path) -> bool {
    !templates_in(dir).is_empty()
}

fn templates_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(".template.json"))
        })
        .collect();
    out.sort();
    out
}

/// Templates of the assembly and of its nested assemblies, sorted.
fn all_templates(out: &Path) -> Vec<PathBuf> {
    let mut templates = templates_in(out);
    if let Ok(entries) = std::fs::read_dir(out) {
        let mut nested: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_dir()
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("assembly-"))
            })
            .collect();
        nested.sort();
        for dir in nested {
            templates.extend(templates_in(&dir));
        }
    }
    templates
}

/// The functions of the CDK app at `root`: `None` without a cloud assembly.
/// A CDK app without its cloud assembly: its functions exist only once `cdk synth` has
/// run, and its folder holds infrastructure code, not Lambda code. Said as a
/// configuration error, so the commands stop rather than read the app as one plain unit.
fn not_synthesized(root: &Path) -> Option<Result<Discovery, Vec<Diagnostic>>> {
    let app = root.join("cdk.json");
    if !app.is_file() {
        return None;
    }
    Some(Err(vec![Diagnostic::new(
        Level::Error,
        Code::CdkNotSynthesized,
        "a CDK app (cdk.json) with no synthesized cloud assembly: its functions are known only after `npx cdk synth` (which writes cdk.out); run it, then leastrole on this folder (or on the cdk.out folder itself), or pass the assembly synthesized elsewhere with --cdk-out DIR; --config-fallback reads the folder as one plain unit instead".to_string(),
        Some(Location {
            file: "cdk.json".to_string(),
            line: 1,
            column: 1,
        }),
    )]))
}

/// `--cdk-out DIR`: the app at `root` synthesized to `dir`, which must hold an assembly.
fn given_assembly(root: &Path, dir: &Path) -> Result<(PathBuf, PathBuf), Vec<Diagnostic>> {
    if dir.is_dir() && is_assembly(dir) {
        return Ok((dir.to_path_buf(), root.to_path_buf()));
    }
    Err(vec![Diagnostic::new(
        Level::Error,
        Code::CdkNotSynthesized,
        format!(
            "--cdk-out {}: no cloud assembly there (no manifest.json, no *.template.json); pass the folder `cdk synth -o` wrote",
            dir.display()
        ),
        None,
    )])
}

pub(crate) fn discover(
    root: &Path,
    options: &DiscoverOptions,
    confine: &Confine,
) -> Option<Result<Discovery, Vec<Diagnostic>>> {
    let (out, project) = match &options.cdk_out {
        Some(dir) => match given_assembly(root, dir) {
            Ok(found) => found,
            Err(diags) => return Some(Err(diags)),
        },
        None => match assembly(root) {
            Some(found) => found,
            None => return not_synthesized(root),
        },
    };
    let mut d = Discovery::default();
    let mut sources = SourceIndex::new(&project);
    let mut read_any = false;
    // Templates are found by their file names, so a broken manifest does not stop the
    // scan; it is still reported, since the CDK itself would refuse the assembly.
    let manifest = out.join("manifest.json");
    if manifest.is_file()
        && confine.admits(&manifest)
        && let Err(e) = config::load(&manifest)
    {
        d.diagnostics
            .push(config_error(&relative(root, &manifest), &e));
    }
    for path in all_templates(&out) {
        let rel = relative(root, &path);
        if let Some(refused) = crate::confine::refused_config(confine, &path, &rel) {
            d.diagnostics.push(refused);
            continue;
        }
        match config::load(&path) {
            Ok((text, node)) => {
                read_any = true;
                read_stack(root, &path, &rel, &text, &node, &mut sources, &mut d);
            }
            Err(e) => d.diagnostics.push(config_error(&rel, &e)),
        }
    }
    if !read_any {
        return Some(Err(d.diagnostics));
    }
    if d.functions.is_empty() {
        d.diagnostics.push(Diagnostic::new(
            Level::Warning,
            Code::NoFunctions,
            "cdk.out: no AWS::Lambda::Function in the cloud assembly's templates; nothing to analyse".to_string(),
            None,
        ));
    }
    // Two stacks may use the same logical id: prefix those with their stack.
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for f in &d.functions {
        *count.entry(f.name.clone()).or_default() += 1;
    }
    for f in &mut d.functions {
        if count.get(&f.name).is_some_and(|c| *c > 1) {
            let stack = f
                .source
                .as_ref()
                .map(|s| stack_name(&s.file))
                .unwrap_or_default();
            f.name = format!("{stack}/{}", f.name);
        }
    }
    Some(Ok(d))
}

fn stack_name(file: &str) -> String {
    let base = file.rsplit('/').next().unwrap_or(file);
    base.strip_suffix(".template.json")
        .unwrap_or(base)
        .to_string()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The CDK path (`Stack/Construct/Resource`) of a function the CDK adds itself.
fn cdk_provided(cdk_path: &str) -> bool {
    cdk_path.split('/').any(|seg| {
        seg.starts_with("Custom::")
            || seg.starts_with("LogRetention")
            || seg.starts_with("AWS679f53fac002430cb0da5b7982bd2287")
            || seg.starts_with("BucketNotificationsHandler")
            || seg.starts_with("framework-on")
    })
}

fn read_stack(
    root: &Path,
    path: &Path,
    rel: &str,
    text: &str,
    node: &Node,
    sources: &mut SourceIndex,
    d: &mut Discovery,
) {
    let dir = path.parent().unwrap_or(path);
    let template = Template::from_node(node);
    let eval = Eval {
        template: &template,
        strings: &Literal,
    };
    d.encrypted.extend(crate::encryption::encrypted(&eval));
    let literal = |n: &Node| -> Option<String> {
        match eval.value(n, 0).as_slice() {
            [ValuePart::Lit(s)] => Some(s.clone()),
            _ => None,
        }
    };
    let empty = Node::Null;
    let lines = KeyLines::under(text, &["Resources"]);
    // What the stack's resources wire to each function, read once for all.
    let mut from_template = crate::triggers::template_triggers(
        &eval,
        crate::triggers::Declared {
            file: rel,
            text,
            resources: &["Resources"],
        },
    );
    for (id, resource) in &template.resources {
        if resource.get("Type").and_then(Node::as_str) != Some("AWS::Lambda::Function") {
            continue;
        }
        let props = resource.get("Properties").unwrap_or(&empty);
        let metadata = resource.get("Metadata").unwrap_or(&empty);
        let source = Some(Location {
            file: rel.to_string(),
            line: lines.get(id).unwrap_or(1),
            column: 1,
        });
        let handler = props.get("Handler").and_then(&literal);
        let runtime = props.get("Runtime").and_then(&literal);
        let cdk_path = metadata
            .get("aws:cdk:path")
            .and_then(Node::as_str)
            .unwrap_or("");
        let asset = metadata.get("aws:asset:path").and_then(Node::as_str);
        let bundled = matches!(metadata.get("aws:asset:is-bundled"), Some(Node::Bool(true)));
        let mut code_root = dir.to_path_buf();
        let is_image = props.get("PackageType").and_then(Node::as_str) == Some("Image")
            || props.at(&["Code", "ImageUri"]).is_some();
        // The CDK's own helpers are listed quietly: every app with `logRetention` or
        // `autoDeleteObjects` has them, and they are not the user's code to scope.
        let unsupported = if cdk_provided(cdk_path) {
            Some((
                Level::Info,
                format!("a function the CDK adds itself (`{cdk_path}`), not the app's code"),
            ))
        } else if is_image {
            Some((
                Level::Warning,
                "a container image is not analysed".to_string(),
            ))
        } else if props.at(&["Code", "ZipFile"]).is_some() {
            Some((
                Level::Warning,
                "inline code (`Code.ZipFile`) is not analysed".to_string(),
            ))
        } else if let Some(asset) = asset {
            let relative = crate::walk::clean_path(Path::new(asset));
            // Assets live in the cloud assembly; a path out of it is not one.
            let inside = relative
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            let asset_dir = dir.join(&relative);
            if inside && asset_dir.is_dir() {
                code_root = if bundled {
                    asset_dir.clone()
                } else {
                    sources.source_of(&asset_dir, handler.as_deref(), runtime.as_deref())
                };
                if code_root == asset_dir {
                    // Said, so that a finding at `cdk.out/asset.<hash>/index.js` is not
                    // taken for a path that went wrong.
                    let why = if bundled {
                        "a bundle the CDK built (e.g. a NodejsFunction's `entry`)"
                    } else {
                        "no folder of the project holds the same files"
                    };
                    d.diagnostics.push(Diagnostic::new(
                        Level::Info,
                        Code::CdkAssetNotMapped,
                        format!(
                            "function `{id}`: findings point into its asset `{asset}` in the cloud assembly, not at the app's source: {why}"
                        ),
                        source.clone(),
                    ));
                }
                None
            } else {
                Some((
                    Level::Warning,
                    format!(
                        "its asset `{asset}` is not a folder in the cloud assembly (an archive, or not synthesized)"
                    ),
                ))
            }
        } else {
            Some((
                Level::Warning,
                "it has no `aws:asset:path` metadata: its code is not in the cloud assembly".into(),
            ))
        };
        let mut environment: BTreeMap<String, EnvValue> = BTreeMap::new();
        match props.at(&["Environment", "Variables"]) {
            Some(Node::Map(m)) => {
                for (k, v) in m {
                    environment.insert(k.clone(), cfn::env_value(eval.value(v, 0)));
                }
            }
            Some(Node::Null) | None => {}
            Some(found) => d.diagnostics.push(crate::config::wrong_type(
                rel,
                text,
                &["Resources", id, "Properties", "Environment", "Variables"],
                "a mapping of variable names to values",
                found,
            )),
        }
        let function_name = props.get("FunctionName").and_then(|n| eval.physical(n, 0));
        let resource_line = |id: &str| lines.get(id).unwrap_or(1);
        let declared = crate::role::lambda_function(
            &eval,
            id,
            props,
            rel,
            &resource_line,
            Some(crate::role::CDK_MANAGED),
        );
        let layer_items: Vec<&Node> = match props.get("Layers") {
            Some(Node::Seq(items)) => items.iter().collect(),
            Some(Node::Null) | None => Vec::new(),
            Some(other) => vec![other],
        };
        let mut layers = crate::layers::template_layers(
            &layer_items,
            &template.resources,
            &literal,
            dir,
            &crate::layers::Site {
                function: id,
                at: &source,
            },
            &mut d.diagnostics,
        );
        // A layer's asset copied from a folder of the app (`Code.fromAsset`) is read
        // there, as a function's is, so findings point at the app's source.
        for layer in &mut layers {
            layer.dir = sources.source_of(&layer.dir, None, None);
        }
        let configured = Configured {
            name: id.clone(),
            handler,
            runtime: if is_image { None } else { runtime },
            code_root,
            environment,
            framework: Framework::Cdk,
            source,
            unsupported,
            function_name,
            default_runtime: None,
            declared: Some(declared),
            entry_points: Vec::new(),
            triggers: from_template.remove(id).unwrap_or_default(),
            layers,
        };
        d.functions
            .push(configured.resolve(root, &mut d.diagnostics));
    }
}

/// The project's source files, listed once, to map asset folders back to source folders.
struct SourceIndex {
    project: PathBuf,
    files: Option<Vec<String>>,
}

impl SourceIndex {
    fn new(project: &Path) -> Self {
        SourceIndex {
            project: project.to_path_buf(),
            files: None,
        }
    }

    /// The project folder an unbundled asset is a copy of, else the asset folder itself.
    fn source_of(&mut self, asset: &Path, handler: Option<&str>, runtime: Option<&str>) -> PathBuf {
        let (asset_files, _) = source_files(asset);
        let anchor = handler
            .and_then(|h| crate::handler::resolve_handler(asset, "", h, runtime).ok())
            .map(|(file, _)| file)
            .or_else(|| asset_files.first().cloned());
        let Some(anchor) = anchor else {
            return asset.to_path_buf();
        };
        let project = self.project.clone();
        let files = self.files.get_or_insert_with(|| source_files(&project).0);
        let mut candidates: Vec<String> = files
            .iter()
            .filter_map(|f| {
                if f == &anchor {
                    Some(String::new())
                } else {
                    f.strip_suffix(&format!("/{anchor}")).map(str::to_string)
                }
            })
            .filter(|prefix| {
                asset_files.iter().all(|a| {
                    let candidate = if prefix.is_empty() {
                        project.join(a)
                    } else {
                        project.join(prefix).join(a)
                    };
                    same_bytes(&asset.join(a), &candidate)
                })
            })
            .collect();
        candidates.dedup();
        match candidates.as_slice() {
            [only] if !only.is_empty() => project.join(crate::walk::clean_path(Path::new(only))),
            [_] => project,
            _ => asset.to_path_buf(),
        }
    }
}

fn same_bytes(a: &Path, b: &Path) -> bool {
    match (std::fs::read(a), std::fs::read(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
