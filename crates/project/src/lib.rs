//! leastrole-project: finds a project's Lambda functions.
//!
//! First stage of the pipeline: from a folder (Serverless `serverless.yml`, SAM
//! `template.yaml`, CDK `cdk.out`, or a plain folder / `--handler`) to the list of
//! functions with their handler file and export, runtime, environment values and the
//! policy the project declares for them. References (`!Ref`, `${self:…}`) are kept as
//! values for `leastrole-policy` to resolve into ARNs. A Serverless service can also come
//! already resolved by the framework, as a JSON manifest ([`discover_manifest`]).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod cdk;
mod cfn;
mod config;
mod configured;
pub mod declared;
pub mod handler;
mod intrinsic;
mod manifest;
mod returns;
mod role;
mod runtime;
mod sam;
mod serverless;
mod triggers;
mod vars;
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leastrole_core::Code;
use leastrole_core::{Confine, Diagnostic, Language, Level, Location};

pub use declared::Declared;
pub use handler::{HandlerSpec, HandlerStyle, style_for_runtime};
pub use manifest::{MANIFEST_VERSION, ManifestError, ManifestProject, discover_manifest};
pub use returns::{ReferenceValue, reference_value};
pub use serverless::framework_major_version;
pub use walk::source_files;

/// What a function runs: one handler export, or (plain folder) every source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A handler: file relative to the code root, and the export it names.
    Handler { file: String, export: String },
    /// A whole folder as one unit: every source file, relative to the code root.
    Folder { files: Vec<String> },
    /// A function leastrole lists but cannot analyse (a container image, another
    /// language, inline code, a missing handler file); the reason says which.
    Unsupported { reason: String },
}

/// Where a function was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Framework {
    /// `serverless.yml` / `.yaml` / `.json`.
    Serverless,
    /// A SAM `template.yaml` (`Transform: AWS::Serverless-2016-10-31`).
    Sam,
    /// A plain CloudFormation `template.yaml` (no SAM transform): its
    /// `AWS::Lambda::Function` resources.
    CloudFormation,
    /// A synthesized CDK cloud assembly (`cdk.out/*.template.json`).
    Cdk,
    /// A folder without framework config: every source file is one unit.
    Plain,
    /// A `--handler` flag.
    Handler,
}

/// An environment variable's configured value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnvValue {
    /// A literal string.
    Literal(String),
    /// Literal text mixed with template references (`!Ref`, `!GetAtt`, `!Sub`, pseudo
    /// parameters) and Serverless variables, in order.
    Template(Vec<ValuePart>),
    /// Set, but to something that cannot be known statically (`${ssm:…}`, `${cf:…}`);
    /// the reason names it.
    Unknown(String),
}

/// One part of a configured value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ValuePart {
    Lit(String),
    /// `AWS::Region`, `AWS::AccountId`, `AWS::Partition`, `AWS::StackName`, `AWS::URLSuffix`.
    Pseudo(String),
    /// A reference to a resource of the same template: `Ref` (no attribute) or
    /// `Fn::GetAtt` (attribute).
    Ref {
        logical_id: String,
        attribute: Option<String>,
        /// It evaluates to a whole ARN (`GetAtt X.Arn`; `Ref` of an SNS topic, a state
        /// machine, a secret…).
        arn: bool,
        /// What it evaluates to when the template gives the physical name (e.g.
        /// `TableName: orders` → `orders`, or the ARN built from it), without references.
        physical: Option<Vec<ValuePart>>,
        /// The resource's `Type` (`AWS::SQS::Queue`), so a consumer can switch a
        /// reference to the attribute it needs (a queue's `Ref` is its URL; its ARN is
        /// `Fn::GetAtt Queue.Arn`).
        resource_type: Option<String>,
    },
    /// A part that cannot be known statically, with the reason.
    Unknown(String),
    /// A Serverless variable (`${self:custom.table}`, `${sls:stage}`,
    /// `${opt:stage, 'dev'}`), as the config writes it, and what it resolves to for the
    /// stage read. Only in a Serverless function's environment values, and only for a
    /// variable that resolves to text (literal text, pseudo parameters, other such
    /// variables): one giving a reference, a whole config object or an unknown part is
    /// its resolved parts instead. Resolution and matching use `resolved`; Serverless
    /// output writes `text`, which the framework resolves for the stage it deploys.
    Var {
        /// The whole variable, `${` to `}`, as written.
        text: String,
        resolved: Vec<ValuePart>,
    },
}

impl ValuePart {
    /// `parts` with every Serverless variable replaced by what it resolves to.
    pub fn without_vars(parts: &[ValuePart]) -> Vec<ValuePart> {
        let mut out = Vec::with_capacity(parts.len());
        for p in parts {
            match p {
                ValuePart::Var { resolved, .. } => out.extend(ValuePart::without_vars(resolved)),
                other => out.push(other.clone()),
            }
        }
        cfn::normalize(out)
    }
}

/// Configured value parts as one text, the one rendering of configured values:
/// literal text as it is, `${AWS::Region}` for a pseudo parameter, `${Logical}` /
/// `${Logical.Attr}` for a reference, `<unknown: why>` for an unknown part, and a
/// Serverless variable as what it resolves to.
///
/// The alternate form (`{:#}`) shows what the parts are made of, for tests and
/// debugging: `{!GetAtt Logical.Attr (arn) = physical}` for a reference and
/// `{${self:x} = resolved}` for a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueParts<'a>(pub &'a [ValuePart]);

impl std::fmt::Display for ValueParts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|p| p.fmt(f))
    }
}

impl std::fmt::Display for ValuePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValuePart::Lit(s) => f.write_str(s),
            ValuePart::Pseudo(name) => write!(f, "${{{name}}}"),
            ValuePart::Unknown(why) => write!(f, "<unknown: {why}>"),
            ValuePart::Ref {
                logical_id,
                attribute,
                arn,
                physical,
                ..
            } if f.alternate() => {
                match attribute {
                    Some(a) => write!(f, "{{!GetAtt {logical_id}.{a}")?,
                    None => write!(f, "{{!Ref {logical_id}")?,
                }
                if *arn {
                    f.write_str(" (arn)")?;
                }
                match physical {
                    Some(p) => write!(f, " = {:#}}}", ValueParts(p)),
                    None => f.write_str("}"),
                }
            }
            ValuePart::Ref {
                logical_id,
                attribute,
                ..
            } => match attribute {
                Some(a) => write!(f, "${{{logical_id}.{a}}}"),
                None => write!(f, "${{{logical_id}}}"),
            },
            ValuePart::Var { text, resolved } if f.alternate() => {
                write!(f, "{{{text} = {:#}}}", ValueParts(resolved))
            }
            ValuePart::Var { resolved, .. } => ValueParts(resolved).fmt(f),
        }
    }
}

/// One Lambda function to write a policy for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    /// The handler string as configured (`src/app.handler`), if any.
    pub handler: Option<String>,
    pub runtime: Option<String>,
    /// The folder handler paths are relative to.
    pub code_root: PathBuf,
    pub entry: Entry,
    /// `Some` when the project config defines the environment (a missing variable is
    /// then known to be unset); `None` when nothing is known about it.
    pub environment: Option<BTreeMap<String, EnvValue>>,
    /// Where the function comes from.
    pub framework: Framework,
    /// The config file (relative to the project folder) and line that declare it.
    pub source: Option<Location>,
    /// The role the project declares for it (`leastrole check`); `None` when the project
    /// declares none (a plain folder, `--handler`).
    pub declared: Option<Declared>,
}

/// Functions found, and what was seen but not understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    pub functions: Vec<Function>,
    pub diagnostics: Vec<Diagnostic>,
    /// The project folder (PATH): reports give file paths relative to it.
    pub project_dir: PathBuf,
    /// The folders the analysis may read source files from (see [`confinement`]).
    pub confine: Confine,
}

impl Discovery {
    /// The errors that say a configuration file could not be read (a parse error, a
    /// template whose `Resources` is not a mapping): the project is not what the config
    /// says, so a command should stop unless the user asked to fall back.
    pub fn config_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| is_config_error(d))
    }
}

/// Whether a diagnostic says a configuration file could not be read.
pub fn is_config_error(d: &Diagnostic) -> bool {
    d.level == Level::Error && matches!(d.code.as_str(), "config-parse-error" | "config-wrong-type")
}

/// Options from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoverOptions {
    /// `--handler` strings, relative to the project folder.
    pub handlers: Vec<String>,
    /// `--function` names; empty means all.
    pub functions: Vec<String>,
    /// `--stage`: the Serverless stage (`${opt:stage}`, `${sls:stage}`); `dev` when unset
    /// and the config sets none.
    pub stage: Option<String>,
    /// `--use-env`: resolve Serverless `${env:X}` from this process's environment.
    pub use_env: bool,
    /// `--config-fallback`: when no config can be read, read the folder as one plain
    /// unit (with a `config-fallback` warning) instead of finding no function.
    pub config_fallback: bool,
    /// `--allow-outside`: folders outside the project's repository that may be read.
    pub allow_outside: Vec<PathBuf>,
}

/// Find the functions of the project at `root`: `--handler` flags, else the first of a
/// Serverless config, a SAM template and a CDK `cdk.out` found there, else the whole folder
/// as one unit. A config that cannot be read is an error diagnostic and the next kind is
/// tried; when none can be read, the folder is read as one unit only with
/// [`DiscoverOptions::config_fallback`] (else no function is found). Functions are sorted
/// by name.
pub fn discover(root: &Path, options: &DiscoverOptions) -> Discovery {
    let mut d = Discovery::default();
    if !options.handlers.is_empty() {
        for h in &options.handlers {
            match from_handler(root, h) {
                Ok(f) => d.functions.push(f),
                Err(diag) => d.diagnostics.push(diag),
            }
        }
    } else {
        let found = [serverless::discover, sam::discover, cdk::discover]
            .into_iter()
            .find_map(|framework| match framework(root, options)? {
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
    confine_functions(&mut d, root, &options.allow_outside);
    d
}

/// Where reads are confined for the project at `root`: the repository that holds it
/// (the nearest folder up from it with a `.git` entry; git is not run), else `root`
/// itself, plus the `--allow-outside` folders. A pull request's configuration is
/// untrusted: a `CodeUri: ../../`, an absolute path or a symlink must not make leastrole
/// read, and quote in a policy or a PR comment, files elsewhere on the runner.
pub fn confinement(root: &Path, allow_outside: &[PathBuf]) -> Confine {
    let real = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let repo = real
        .ancestors()
        .find(|a| std::fs::symlink_metadata(a.join(".git")).is_ok());
    let (base, mut label) = match repo {
        Some(repo) => {
            let up = real
                .components()
                .count()
                .saturating_sub(repo.components().count());
            let shown = match up {
                0 => ".".to_string(),
                n => vec![".."; n].join("/"),
            };
            (
                repo.to_path_buf(),
                format!("the repository that holds the project (`{shown}`, where `.git` is)"),
            )
        }
        None => (real.clone(), "the project folder".to_string()),
    };
    if !allow_outside.is_empty() {
        label.push_str(" and the --allow-outside folders");
    }
    let mut folders = vec![base];
    folders.extend(allow_outside.iter().cloned());
    Confine::new(&folders, label)
}

/// The `outside-project` refusal of the configuration file at `path` (`file` relative to
/// the project folder) when it is outside `confine` (a symlink leading out of the
/// repository); `None` when it may be read.
pub(crate) fn refused_config(confine: &Confine, path: &Path, file: &str) -> Option<Diagnostic> {
    if confine.admits(path) {
        return None;
    }
    Some(confine.refusal(
        &format!("the configuration file `{file}`"),
        Some(Location {
            file: file.to_string(),
            line: 1,
            column: 1,
        }),
    ))
}

/// Confine `d`'s functions to [`confinement`]: a function whose code folder or handler
/// file is outside it is not analysed, with an `outside-project` warning at its
/// configuration line. Records the project folder and the confinement for the analysis.
pub(crate) fn confine_functions(d: &mut Discovery, root: &Path, allow_outside: &[PathBuf]) {
    let confine = confinement(root, allow_outside);
    for f in &mut d.functions {
        let path = match &f.entry {
            Entry::Handler { file, .. } => f.code_root.join(file),
            Entry::Folder { .. } | Entry::Unsupported { .. } => f.code_root.clone(),
        };
        let outside = if confine.admits(&f.code_root) {
            (!confine.admits(&path)).then_some(path)
        } else {
            Some(f.code_root.clone())
        };
        let Some(outside) = outside else {
            continue;
        };
        let shown = outside
            .strip_prefix(root)
            .unwrap_or(&outside)
            .to_string_lossy()
            .replace('\\', "/");
        // The handler was looked for there (a file probe, nothing read): that it is
        // missing is beside the point. Only at a config line: a `--handler` flag's
        // diagnostics have no location, and another flag's must stay.
        d.diagnostics.retain(|x| {
            !(f.source.is_some()
                && x.location == f.source
                && matches!(
                    x.code.as_str(),
                    "handler-file-not-found" | "unsupported-function"
                ))
        });
        let diagnostic = confine.refusal(
            &format!("function `{}`: `{shown}`", f.name),
            f.source.clone(),
        );
        f.entry = Entry::Unsupported {
            reason: format!("its code `{shown}` is outside {}", confine.label()),
        };
        d.diagnostics.push(diagnostic);
    }
    d.project_dir = root.to_path_buf();
    d.confine = confine;
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
    })
}

/// How many projects to name in the `nested-projects` message before "and N more".
const NAMED_PROJECTS: usize = 3;

/// The file that marks a CDK app (its synthesized assembly is `cdk.out` beside it).
const CDK_APP_FILE: &str = "cdk.json";

/// Whether a file of this name can make its folder a project of its own: the names the
/// framework readers look for, and a CDK app's `cdk.json`.
fn is_project_file(name: &str) -> bool {
    serverless::CONFIG_FILES.contains(&name)
        || sam::TEMPLATE_FILES.contains(&name)
        || name == CDK_APP_FILE
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
fn select(d: &mut Discovery, names: &[String]) {
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

/// `a/./b/../c` → `a/c`, without touching the file system.
pub(crate) fn clean_path(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.file_name().is_some() {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A config-file diagnostic: `file` relative to the project folder.
/// A config value of the wrong shape, read as absent: a warning naming the file, the key
/// path and what was expected, so that nothing in the config is dropped silently.
pub(crate) fn wrong_type(
    file: &str,
    text: &str,
    path: &[&str],
    expected: &str,
    found: &config::Node,
) -> Diagnostic {
    Diagnostic::new(
        Level::Warning,
        Code::ConfigWrongType,
        format!(
            "{file}: `{}` should be {expected}, not {}; it is ignored",
            path.join("."),
            found.kind()
        ),
        Some(Location {
            file: file.to_string(),
            line: config::find_line(text, path).unwrap_or(1),
            column: 1,
        }),
    )
}

pub(crate) fn config_error(file: &str, e: &config::ConfigError) -> Diagnostic {
    Diagnostic::new(
        Level::Error,
        Code::ConfigParseError,
        format!("{file}: {}", e.message),
        Some(Location {
            file: file.to_string(),
            line: e.line.unwrap_or(1),
            column: e.column.unwrap_or(1),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_values_display_as_written_and_in_detail() {
        let parts = [
            ValuePart::Lit("arn:".into()),
            ValuePart::Pseudo("AWS::Partition".into()),
            ValuePart::Lit(":s3:::".into()),
            ValuePart::Var {
                text: "${self:custom.bucket}".into(),
                resolved: vec![
                    ValuePart::Var {
                        text: "${sls:stage}".into(),
                        resolved: vec![ValuePart::Lit("dev".into())],
                    },
                    ValuePart::Lit("-files".into()),
                ],
            },
            ValuePart::Lit("/".into()),
            ValuePart::Ref {
                logical_id: "Prefix".into(),
                attribute: Some("Value".into()),
                arn: false,
                physical: Some(vec![ValuePart::Lit("in".into())]),
                resource_type: None,
            },
            ValuePart::Unknown("${ssm:/key}".into()),
        ];
        assert_eq!(
            ValueParts(&parts).to_string(),
            "arn:${AWS::Partition}:s3:::dev-files/${Prefix.Value}<unknown: ${ssm:/key}>"
        );
        assert_eq!(
            format!("{:#}", ValueParts(&parts)),
            "arn:${AWS::Partition}:s3:::{${self:custom.bucket} = {${sls:stage} = dev}-files}/{!GetAtt Prefix.Value = in}<unknown: ${ssm:/key}>"
        );
        assert_eq!(
            ValuePart::without_vars(&parts[2..5]),
            [ValuePart::Lit(":s3:::dev-files/".into())]
        );
    }
}
