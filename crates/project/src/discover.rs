//! Discovery: which functions a project folder holds. `--handler` flags, else the first
//! framework config found (Serverless, SAM or CloudFormation, CDK), else the whole folder
//! as one unit; then `--function` selection and read confinement.

use std::collections::BTreeMap;
use std::path::Path;

use leastrole_core::{Code, Diagnostic, Language, Level, Location};

use crate::confine::{confine_functions, confinement};
use crate::handler::{HandlerSpec, HandlerStyle};
use crate::{
    DiscoverOptions, Discovery, Entry, Framework, Function, cdk, sam, serverless, terraform, walk,
};

/// Find the functions of the project at `root`: `--handler` flags, else the first of a
/// Serverless config, a SAM template and a CDK `cdk.out` found there, else the whole folder
/// as one unit. A config that cannot be read is an error diagnostic and the next kind is
/// tried; when none can be read, the folder is read as one unit only with
/// [`DiscoverOptions::config_fallback`] (else no function is found). Functions are sorted
/// by name.
pub fn discover(root: &Path, options: &DiscoverOptions) -> Discovery {
    let mut d = Discovery::default();
    let confine = confinement(root, &options.allow_outside);
    if !options.handlers.is_empty() {
        for h in &options.handlers {
            match from_handler(root, h) {
                Ok(f) => d.functions.push(f),
                Err(diag) => d.diagnostics.push(diag),
            }
        }
    } else {
        let found = [
            serverless::discover,
            sam::discover,
            cdk::discover,
            terraform::discover,
        ]
        .into_iter()
        .find_map(|framework| match framework(root, options, &confine)? {
            Ok(found) => Some(found),
            Err(diags) => {
                d.diagnostics.extend(diags);
                None
            }
        });
        match found {
            Some(found) => {
                d.functions.extend(found.functions);
                d.diagnostics.extend(found.diagnostics);
                d.framework_version = found.framework_version;
                d.encrypted = found.encrypted;
            }
            None => {
                let config_failed = d.diagnostics.iter().any(|x| x.level == Level::Error);
                if config_failed && options.config_fallback {
                    d.diagnostics.push(Diagnostic::new(
                        Level::Warning,
                        Code::ConfigFallback,
                        // No absolute path here: the report must not depend on where
                        // the project is checked out.
                        "reading the project as a plain folder (one unit, no configured environment) because its config could not be read".to_string(),
                        None,
                    ));
                }
                // Without the fallback the caller reports the config errors: guessing
                // from the folder would check code against no role, and pass.
                if !config_failed || options.config_fallback {
                    d.functions.extend(plain_folder(root, &mut d.diagnostics));
                }
            }
        }
    }
    d.functions.sort_by(|a, b| a.name.cmp(&b.name));
    select(&mut d, &options.functions);
    confine_functions(&mut d, root, confine);
    d
}

/// The whole folder as one unit; none, with a `no-functions` warning saying what was
/// looked for, when it holds no source file.
fn plain_folder(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Function> {
    let walk::Walked {
        files,
        configs,
        diagnostics: diags,
    } = walk::walk(root);
    diagnostics.extend(diags);
    diagnostics.extend(nested_projects(root, &configs));
    if files.is_empty() {
        diagnostics.push(Diagnostic::new(
            Level::Warning,
            Code::NoFunctions,
            format!(
                "nothing to analyse in the project folder: no Serverless config ({}), no SAM or CloudFormation template ({}), no CDK cdk.out, and no .py/.js/.ts source file (node_modules, build and hidden folders are skipped); pass the project's folder, or --handler",
                serverless::CONFIG_FILES.join("/"),
                sam::TEMPLATE_FILES.join("/"),
            ),
            None,
        ));
        return None;
    }
    let name = root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "project".to_string());
    Some(Function {
        name,
        handler: None,
        runtime: None,
        code_root: root.to_path_buf(),
        entry: Entry::Folder { files },
        environment: None,
        framework: Framework::Plain,
        source: None,
        declared: None,
        triggers: None,
        layers: Vec::new(),
        project: None,
    })
}

/// How many projects to name in the `nested-projects` message before "and N more".
const NAMED_PROJECTS: usize = 3;

/// The file that marks a CDK app (its synthesized assembly is `cdk.out` beside it).
const CDK_APP_FILE: &str = "cdk.json";

/// Whether a file of this name can make its folder a project of its own: the names the
/// framework readers look for, and a CDK app's `cdk.json`.
pub(crate) fn is_project_file(name: &str) -> bool {
    serverless::CONFIG_FILES.contains(&name)
        || sam::TEMPLATE_FILES.contains(&name)
        || name == CDK_APP_FILE
        || name.ends_with(".tf")
}

/// A warning when folders below `root` are projects of their own (a monorepo read from
/// its top): a plain-folder run merges them into one unit, without their configuration,
/// which is rarely what was meant. `configs` are the walk's files that pass
/// [`is_project_file`]; each counts when discovery at its folder would read it: a
/// Serverless config always, a template only when it is SAM or CloudFormation, a `cdk.json` only
/// next to a synthesized `cdk.out`.
fn nested_projects(root: &Path, configs: &[String]) -> Option<Diagnostic> {
    let mut projects: BTreeMap<&str, &str> = BTreeMap::new();
    for rel in configs {
        let Some((dir, name)) = rel.rsplit_once('/') else {
            continue;
        };
        let is_project = if serverless::CONFIG_FILES.contains(&name) {
            true
        } else if sam::TEMPLATE_FILES.contains(&name) {
            sam::is_template(&root.join(rel))
        } else if name.ends_with(".tf") {
            terraform::is_root_module(root, dir)
        } else {
            name == CDK_APP_FILE && cdk::assembly(&root.join(dir)).is_some()
        };
        if is_project {
            projects.entry(dir).or_insert(rel);
        }
    }
    let first = projects.values().next()?;
    let named: Vec<&str> = projects.values().take(NAMED_PROJECTS).copied().collect();
    let more = match projects.len().saturating_sub(NAMED_PROJECTS) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let count = match projects.len() {
        1 => "a folder below this one is a project of its own".to_string(),
        n => format!("{n} folders below this one are projects of their own"),
    };
    Some(Diagnostic::new(
        Level::Warning,
        Code::NestedProjects,
        format!(
            "{count} ({}{more}); this run reads the whole folder as one unit, without their configuration: run leastrole on each project folder for one policy per function",
            named.join(", "),
        ),
        Some(Location {
            file: (*first).to_string(),
            line: 1,
            column: 1,
        }),
    ))
}

/// Keep only the functions named by `--function`; unknown names are errors. Diagnostics
/// pointing at a function left out go too.
pub(crate) fn select(d: &mut Discovery, names: &[String]) {
    if names.is_empty() {
        return;
    }
    let dropped: Vec<Location> = d
        .functions
        .iter()
        .filter(|f| !names.contains(&f.name))
        .filter_map(|f| f.source.clone())
        .collect();
    d.diagnostics
        .retain(|diag| diag.location.as_ref().is_none_or(|l| !dropped.contains(l)));
    for name in names {
        if !d.functions.iter().any(|f| &f.name == name) {
            let known: Vec<&str> = d.functions.iter().map(|f| f.name.as_str()).collect();
            d.diagnostics.push(Diagnostic::new(
                Level::Error,
                Code::UnknownFunction,
                format!(
                    "no function named `{name}` (functions: {})",
                    known.join(", ")
                ),
                None,
            ));
        }
    }
    d.functions.retain(|f| names.contains(&f.name));
}

/// A function from a `--handler` string: whichever runtime's file exists.
fn from_handler(root: &Path, handler: &str) -> Result<Function, Diagnostic> {
    for style in [HandlerStyle::Python, HandlerStyle::Node] {
        let Some(spec) = HandlerSpec::parse(handler, style) else {
            continue;
        };
        if let Some(file) = spec
            .candidates(style)
            .into_iter()
            .find(|c| root.join(c).is_file())
        {
            let runtime = match Language::of_path(&file) {
                Some(Language::Python) => "python",
                _ => "nodejs",
            };
            return Ok(Function {
                name: handler.to_string(),
                handler: Some(handler.to_string()),
                runtime: Some(runtime.to_string()),
                code_root: root.to_path_buf(),
                entry: Entry::Handler {
                    file,
                    export: spec.export,
                },
                environment: None,
                framework: Framework::Handler,
                source: None,
                declared: None,
                triggers: None,
                layers: Vec::new(),
                project: None,
            });
        }
    }
    // No location: a `--handler` flag has no line of its own, and its string is no file.
    Err(Diagnostic::new(
        Level::Error,
        Code::HandlerFileNotFound,
        format!(
            "no source file for handler `{handler}` in the project folder (tried Python `<module>.py` and Node `<module>.js/.mjs/.cjs/.ts`)"
        ),
        None,
    ))
}
