//! Discovery: which functions a project folder holds. `--handler` flags, else the first
//! framework config found (Serverless, SAM or CloudFormation, CDK), else, for a folder
//! that is no project itself, the projects below it (a monorepo), else the whole folder
//! as one unit; then `--function` selection and read confinement.

use std::collections::BTreeSet;
use std::path::Path;

use leastrole_core::{Code, Confine, Diagnostic, Language, Level, Location};

use crate::confine::{confine_functions, confinement};
use crate::handler::{HandlerSpec, HandlerStyle};
use crate::{
    DiscoverOptions, Discovery, Entry, Framework, Function, SubProject, cdk, sam, serverless,
    terraform, walk,
};

/// A framework reader: `None` when `root` holds no configuration it reads, `Err` when it
/// holds one that cannot be read.
type Reader = fn(&Path, &DiscoverOptions, &Confine) -> Option<Result<Discovery, Vec<Diagnostic>>>;

/// The readers, in the order they are tried on a folder. This list is what makes a folder
/// a project: a folder one of them answers for (even with an error) is a project, both at
/// PATH and when searching a monorepo for its projects.
const READERS: &[Reader] = &[
    serverless::discover,
    sam::discover,
    cdk::discover,
    terraform::discover,
];

/// What the readers make of one folder.
struct Read {
    /// What the first reader that could read the folder found.
    found: Option<Discovery>,
    /// The errors of the readers that answered for the folder but could not read it.
    errors: Vec<Diagnostic>,
}

impl Read {
    /// Whether a reader answered for the folder: it is a project, readable or not.
    fn is_project(&self) -> bool {
        self.found.is_some() || !self.errors.is_empty()
    }
}

/// Try the readers on `root` in order: the first that reads it wins; the errors of
/// those before it are kept.
fn read_project(root: &Path, options: &DiscoverOptions, confine: &Confine) -> Read {
    let mut errors = Vec::new();
    for reader in READERS {
        match reader(root, options, confine) {
            None => {}
            Some(Ok(found)) => {
                return Read {
                    found: Some(found),
                    errors,
                };
            }
            Some(Err(diags)) => errors.extend(diags),
        }
    }
    Read {
        found: None,
        errors,
    }
}

/// Find the functions of the project at `root`: `--handler` flags, else the first of a
/// Serverless config, a SAM template and a CDK `cdk.out` found there, else (a folder
/// that is no project itself) the projects below it, each read the same way and named
/// by its path ([`monorepo`]), else the whole folder as one unit. A config that cannot be
/// read is an error diagnostic and the next kind is tried; when none can be read, the
/// folder is read as one unit only with [`DiscoverOptions::config_fallback`] (else no
/// function is found). Functions are sorted by name.
pub fn discover(root: &Path, options: &DiscoverOptions) -> Discovery {
    let mut d = Discovery::default();
    // An assembly named on the command line is read wherever it is, as with
    // --allow-outside: the user chose it, a pull request cannot.
    let allowed: Vec<std::path::PathBuf> = options
        .allow_outside
        .iter()
        .chain(&options.cdk_out)
        .cloned()
        .collect();
    let confine = confinement(root, &allowed);
    if !options.handlers.is_empty() {
        for h in &options.handlers {
            match from_handler(root, h) {
                Ok(f) => d.functions.push(f),
                Err(diag) => d.diagnostics.push(diag),
            }
        }
    } else {
        let read = read_project(root, options, &confine);
        let is_project = read.is_project();
        d.diagnostics.extend(read.errors);
        match read.found {
            Some(found) => {
                d.functions.extend(found.functions);
                d.diagnostics.extend(found.diagnostics);
                d.framework_version = found.framework_version;
                d.encrypted = found.encrypted;
            }
            None => {
                let walked = walk::walk(root);
                let projects = if is_project {
                    Vec::new()
                } else {
                    find_projects(root, &walked.configs, options, &confine)
                };
                if projects.is_empty() {
                    from_folder(&mut d, root, walked, options, &confine);
                } else {
                    monorepo(&mut d, projects);
                }
            }
        }
    }
    d.functions.sort_by(|a, b| a.name.cmp(&b.name));
    select(&mut d, &options.functions);
    if let Some(project) = one_project(&d) {
        d.framework_version = d
            .projects
            .iter()
            .find(|p| p.path == project)
            .and_then(|p| p.framework_version);
    }
    confine_functions(&mut d, root, confine);
    d
}

/// The project every function of a monorepo's discovery belongs to, when they all belong
/// to one (`--function` picked them there).
fn one_project(d: &Discovery) -> Option<String> {
    let projects: BTreeSet<&str> = d
        .functions
        .iter()
        .filter_map(|f| f.project.as_deref())
        .collect();
    match projects.len() {
        1 => projects.into_iter().next().map(str::to_string),
        _ => None,
    }
}

/// The folder as one unit when no configuration could be read there (with
/// `--config-fallback` after config errors, or a folder holding no project at all).
fn from_folder(
    d: &mut Discovery,
    root: &Path,
    walked: walk::Walked,
    options: &DiscoverOptions,
    confine: &Confine,
) {
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
        // Only a folder that is a project itself (whose config failed) gets here with
        // projects below it: they are part of it, but not read as what they are.
        let below = if config_failed {
            find_projects(root, &walked.configs, options, confine)
        } else {
            Vec::new()
        };
        d.diagnostics.extend(nested_projects(&below));
        d.functions
            .extend(plain_folder(root, walked, &mut d.diagnostics));
    }
}

/// The projects below `root` (a folder that is no project itself), by path relative to
/// it, sorted, with what the readers made of each. The candidates are the folders of the
/// walk's project-named files (`configs`: node_modules, .aws-sam, .serverless, cdk.out,
/// .terraform, hidden and ignored folders are skipped by the walk); a folder is a project
/// when a reader answers for it ([`READERS`]). A project inside another project's folder
/// is part of the outer one and not read on its own, as when that folder is PATH.
fn find_projects(
    root: &Path,
    configs: &[String],
    options: &DiscoverOptions,
    confine: &Confine,
) -> Vec<(String, Read)> {
    let candidates: BTreeSet<&str> = configs
        .iter()
        .filter_map(|rel| rel.rsplit_once('/').map(|(dir, _)| dir))
        .filter(|dir| !child_module(dir, configs))
        .collect();
    // What names one project only (`--function`) or one folder (`--cdk-out`, Terraform
    // inputs) applies to PATH, not to each project of a monorepo.
    let options = DiscoverOptions {
        handlers: Vec::new(),
        functions: Vec::new(),
        var_files: Vec::new(),
        terraform_plan: None,
        cdk_out: None,
        ..options.clone()
    };
    let mut projects: Vec<(String, Read)> = Vec::new();
    for dir in candidates {
        // Sorted, so an outer project comes before the folders inside it.
        if projects.iter().any(|(outer, _)| {
            dir.strip_prefix(outer.as_str())
                .is_some_and(|r| r.starts_with('/'))
        }) {
            continue;
        }
        let read = read_project(&root.join(dir), &options, confine);
        if read.is_project() {
            projects.push((dir.to_string(), read));
        }
    }
    projects
}

/// Whether `dir` holds only Terraform files (`configs`: the walk's project-named files)
/// and is a child module ([`terraform::is_child_module`]): not a project of its own.
fn child_module(dir: &str, configs: &[String]) -> bool {
    terraform::is_child_module(dir)
        && configs
            .iter()
            .filter_map(|rel| rel.rsplit_once('/'))
            .filter(|(d, _)| *d == dir)
            .all(|(_, name)| terraform::is_tf_file(name))
}

/// The projects of a monorepo as one discovery: each function named `path:name`, with
/// its project's path; every location (functions, diagnostics, declared roles, triggers,
/// layers) relative to the folder scanned; per-project facts (Serverless framework
/// version, encrypted resources) kept per project in [`Discovery::projects`]. A project
/// whose configuration cannot be read keeps its errors, and the others are read.
fn monorepo(d: &mut Discovery, projects: Vec<(String, Read)>) {
    for (path, read) in projects {
        d.diagnostics
            .extend(read.errors.into_iter().map(|x| in_project(&path, x)));
        let Some(found) = read.found else {
            d.projects.push(SubProject {
                path,
                framework_version: None,
                encrypted: Vec::new(),
            });
            continue;
        };
        d.diagnostics
            .extend(found.diagnostics.into_iter().map(|x| in_project(&path, x)));
        for mut f in found.functions {
            f.name = format!("{path}:{}", f.name);
            f.project = Some(path.clone());
            rebase_function(&path, &mut f);
            d.functions.push(f);
        }
        d.projects.push(SubProject {
            path,
            framework_version: found.framework_version,
            encrypted: found.encrypted,
        });
    }
}

/// A location relative to the project at `project` as relative to the folder scanned.
fn rebase(project: &str, location: &mut Option<Location>) {
    if let Some(l) = location {
        let joined = walk::clean_path(&Path::new(project).join(&l.file));
        l.file = joined.to_string_lossy().replace('\\', "/");
    }
}

/// A project's diagnostic as the monorepo reports it: its location rebased, and one with
/// no location says which project it is about.
fn in_project(project: &str, mut d: Diagnostic) -> Diagnostic {
    if d.location.is_some() {
        rebase(project, &mut d.location);
    } else {
        d.message = format!("{project}: {}", d.message);
    }
    d
}

fn rebase_function(project: &str, f: &mut Function) {
    rebase(project, &mut f.source);
    if let Some(declared) = &mut f.declared {
        // A role is known by its description (`provider.iam.role (shared)`), and `check`
        // judges a shared role against all its functions: two projects' roles stay apart.
        if let crate::declared::DeclaredRole::Checkable { description } = &mut declared.role {
            *description = format!("{project}: {description}");
        }
        for s in &mut declared.statements {
            rebase(project, &mut s.origin.location);
        }
        declared.diagnostics = std::mem::take(&mut declared.diagnostics)
            .into_iter()
            .map(|x| in_project(project, x))
            .collect();
    }
    for t in f.triggers.iter_mut().flatten() {
        rebase(project, &mut t.source);
    }
    for l in &mut f.layers {
        rebase(project, &mut l.source);
    }
}

/// The whole folder as one unit; none, with a `no-functions` warning saying what was
/// looked for, when it holds no source file.
fn plain_folder(
    root: &Path,
    walked: walk::Walked,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Function> {
    let walk::Walked {
        files,
        diagnostics: diags,
        ..
    } = walked;
    diagnostics.extend(diags);
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
        || terraform::is_tf_file(name)
}

/// A warning when folders below a project whose configuration could not be read (read
/// as a plain folder with `--config-fallback`) are projects of their own: the run merges
/// them into one unit, without their configuration, which is rarely what was meant.
fn nested_projects(projects: &[(String, Read)]) -> Option<Diagnostic> {
    projects.first()?;
    let named: Vec<&str> = projects
        .iter()
        .take(NAMED_PROJECTS)
        .map(|(p, _)| p.as_str())
        .collect();
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
            "{count} ({}{more}); this run reads the whole folder as one unit, without their configuration: fix this folder's configuration, or run leastrole on each project folder",
            named.join(", "),
        ),
        // A folder, not a file with a line: the message names them.
        None,
    ))
}

/// Keep only the functions named by `--function`; unknown names are errors. Diagnostics
/// pointing at a function left out go too. In a monorepo a name is the full name
/// (`services/orders:createOrder`) or the function's own name when one project only has
/// it (`createOrder`); one several projects have is an `ambiguous-function` error listing
/// the full names. Returns the full names selected, in the order given.
pub(crate) fn select(d: &mut Discovery, names: &[String]) -> Vec<String> {
    if names.is_empty() {
        return Vec::new();
    }
    let mut selected: Vec<String> = Vec::new();
    for name in names {
        match resolve(&d.functions, name) {
            Ok(full) => {
                if !selected.contains(&full) {
                    selected.push(full);
                }
            }
            Err(diagnostic) => d.diagnostics.push(diagnostic),
        }
    }
    let dropped: Vec<Location> = d
        .functions
        .iter()
        .filter(|f| !selected.contains(&f.name))
        .filter_map(|f| f.source.clone())
        .collect();
    d.diagnostics
        .retain(|diag| diag.location.as_ref().is_none_or(|l| !dropped.contains(l)));
    d.functions.retain(|f| selected.contains(&f.name));
    selected
}

/// The full name `name` gives among `functions` (see [`select`]), or the error saying why
/// it names none.
fn resolve(functions: &[Function], name: &str) -> Result<String, Diagnostic> {
    if functions.iter().any(|f| f.name == name) {
        return Ok(name.to_string());
    }
    let matching: Vec<&str> = functions
        .iter()
        .filter(|f| own_name(f) == name)
        .map(|f| f.name.as_str())
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).to_string()),
        [] => {
            let known: Vec<&str> = functions.iter().map(|f| f.name.as_str()).collect();
            Err(Diagnostic::new(
                Level::Error,
                Code::UnknownFunction,
                format!(
                    "no function named `{name}` (functions: {})",
                    known.join(", ")
                ),
                None,
            ))
        }
        several => Err(Diagnostic::new(
            Level::Error,
            Code::AmbiguousFunction,
            format!(
                "`{name}` names a function in several projects ({}): pass the full name",
                several.join(", ")
            ),
            None,
        )),
    }
}

/// A function's name within its project: without the `path:` of a monorepo's project.
fn own_name(f: &Function) -> &str {
    f.project
        .as_deref()
        .and_then(|p| f.name.strip_prefix(p))
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(&f.name)
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
