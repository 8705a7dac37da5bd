//! Terraform root modules: the `*.tf` files of a folder, read with `hcl-rs`, following
//! local modules (`source = "./modules/x"`) with the values passed in.
//!
//! Functions are `aws_lambda_function` resources and `terraform-aws-modules/lambda/aws`
//! module calls. A function of the root module is named by its resource name
//! (`aws_lambda_function.orders` → `orders`) or its module call's name (`module.api` →
//! `api`); one inside a local module by the module call names before it, dotted
//! (`module.jobs.aws_lambda_function.worker` → `jobs.worker`); functions that would share
//! a name are named by their whole address instead. A definition with `for_each`/`count`
//! is one function per known instance, its key or index in brackets (`orders[eu]`,
//! `jobs[0].worker`); with a collection not known, one function not analysed.
//!
//! Values come from [`eval`]: variables (defaults, `terraform.tfvars`, `*.auto.tfvars`,
//! `--var-file`), locals, templates and common functions; references to the module's
//! resources are `ValuePart::Ref`s keyed by the Terraform address (see [`resources`]).

pub(crate) mod eval;
mod events;
mod json;
mod nodes;
pub(crate) mod plan;
pub(crate) mod resources;
mod roles;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leastrole_core::{Code, Confine, Diagnostic, Level, Location};

use crate::cfn::env_value;
use crate::configured::Configured;
use crate::confine::refused_config;
use crate::{DiscoverOptions, Discovery, EnvValue, Framework, Layer, ValuePart};
use eval::{Instance, Scope, Value};

/// A `.tf` file larger than this is not read: no configuration is that large, and the
/// parser's time grows with it.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Brackets nested deeper than this make a file unread: the parser recurses once per
/// level, and a hostile file must not exhaust the stack.
const MAX_NESTING: usize = 200;

/// Local modules nested deeper than this are not followed (a module that calls itself).
const MAX_MODULE_DEPTH: usize = 16;

/// Instances of local module calls with `for_each`/`count` read in one configuration:
/// each reads the module's folder again, and nested calls multiply.
const MAX_MODULE_INSTANCES: usize = 256;

/// The registry module that defines one Lambda function.
const LAMBDA_MODULE: &str = "terraform-aws-modules/lambda/aws";

/// A whole configuration: the root module and the local modules it calls.
#[derive(Debug)]
pub(crate) struct Config {
    /// The project folder (the root module's).
    pub(crate) root: PathBuf,
    pub(crate) module: Module,
    /// `--terraform-plan`'s planned values: names the configuration leaves unknown.
    pub(crate) plan: plan::Plan,
}

/// One module instance: its blocks, and the values of its variables for this instance.
#[derive(Debug, Default)]
pub(crate) struct Module {
    /// `module.a.module.b.` for a child module, empty for the root: the prefix of the
    /// addresses of its resources.
    pub(crate) prefix: String,
    /// The call names leading to it (`["a", "b"]`), empty for the root.
    pub(crate) calls: Vec<String>,
    /// Its folder relative to the root module, as `path.module` gives it (`.` for the
    /// root, `modules/x`).
    pub(crate) path: String,
    pub(crate) variables: BTreeMap<String, Value>,
    pub(crate) locals: BTreeMap<String, hcl::Expression>,
    pub(crate) outputs: BTreeMap<String, hcl::Expression>,
    /// `type.name` → resource.
    pub(crate) resources: BTreeMap<String, Resource>,
    /// `type.name` → data source.
    pub(crate) data: BTreeMap<String, Resource>,
    /// Module calls, by name.
    pub(crate) calls_made: BTreeMap<String, Call>,
    /// The local modules it calls, read, by call name (`jobs`, or `jobs["eu"]` and
    /// `jobs[0]` for each instance of a call with `for_each`/`count`).
    pub(crate) children: BTreeMap<String, Module>,
    /// Why its instances are not known, for a call with a `for_each`/`count` that is not:
    /// its functions are listed once each, not analysed.
    pub(crate) instances_unknown: Option<String>,
}

impl Module {
    /// ` in module.x` for a child module, empty for the root: for messages.
    pub(crate) fn describe_in(&self) -> String {
        if self.prefix.is_empty() {
            String::new()
        } else {
            format!(" in {}", self.prefix.trim_end_matches('.'))
        }
    }

    /// What a function of this module named `name` is called.
    fn function_name(&self, name: &str) -> String {
        let mut parts = self.calls.clone();
        parts.push(name.to_string());
        parts.join(".")
    }
}

/// A `resource` or `data` block.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    /// `aws_dynamodb_table`.
    pub(crate) kind: String,
    /// `orders`.
    pub(crate) name: String,
    /// `aws_dynamodb_table.orders`, `module.x.aws_dynamodb_table.orders`.
    pub(crate) address: String,
    pub(crate) body: hcl::Body,
    pub(crate) location: Location,
}

/// A `module` block.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) name: String,
    /// `source`, as written.
    pub(crate) source: String,
    /// Its arguments (the child module's variables, `source`, `version`…), unevaluated:
    /// evaluate them with the calling module's [`Scope`].
    pub(crate) body: hcl::Body,
    pub(crate) location: Location,
}

/// Whether a file name is Terraform configuration: `*.tf`, or `*.tf.json` in Terraform's
/// JSON syntax.
pub(crate) fn is_tf_file(name: &str) -> bool {
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// The `*.tf` and `*.tf.json` files of a folder, sorted.
fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| is_tf_file(&n.to_string_lossy()))
                && p.is_file()
        })
        .collect();
    files.sort();
    files
}

/// A path relative to `root` with `/` separators, for messages and locations.
fn relative(root: &Path, path: &Path) -> String {
    let Ok(rel) = path.strip_prefix(root) else {
        // A `--var-file` outside the project: as given.
        return path.display().to_string();
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether some run of brackets in `text` nests deeper than [`MAX_NESTING`].
fn nests_too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// One `.tf` file's blocks with their lines, or why it could not be read.
fn parse_file(path: &Path) -> Result<Vec<(hcl::Block, u32)>, (String, u32, u32)> {
    let too_large = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_FILE_BYTES);
    if too_large {
        return Err((
            format!("larger than {} MiB; not read", MAX_FILE_BYTES / 1024 / 1024),
            1,
            1,
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| (format!("cannot be read: {e}"), 1, 1))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        (
            "is not UTF-8 text, which Terraform requires".to_string(),
            1,
            1,
        )
    })?;
    if nests_too_deep(&text) {
        return Err((
            format!("nests brackets more than {MAX_NESTING} deep; not read"),
            1,
            1,
        ));
    }
    if path.to_string_lossy().ends_with(".tf.json") {
        return json::parse(&text);
    }
    let body = hcl::edit::parser::parse_body(&text).map_err(|e| {
        let loc = e.location();
        (
            e.message().to_string(),
            to_u32(loc.line()),
            to_u32(loc.column()),
        )
    })?;
    let mut blocks = Vec::new();
    for structure in body.into_iter() {
        let hcl::edit::structure::Structure::Block(block) = structure else {
            continue;
        };
        let line = hcl::edit::Span::span(&block)
            .map(|s| line_of(&text, s.start))
            .unwrap_or(1);
        blocks.push((hcl::Block::from(block), line));
    }
    Ok(blocks)
}

fn line_of(text: &str, offset: usize) -> u32 {
    to_u32(
        text.as_bytes()
            .iter()
            .take(offset)
            .filter(|b| **b == b'\n')
            .count()
            + 1,
    )
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn label(block: &hcl::Block, i: usize) -> Option<&str> {
    block.labels().get(i).map(hcl::BlockLabel::as_str)
}

/// Read one module folder: its blocks, sorted into the module. Files that cannot be
/// read are diagnostics; the number read is returned.
fn read_module(
    root: &Path,
    dir: &Path,
    module: &mut Module,
    confine: &Confine,
    diagnostics: &mut Vec<Diagnostic>,
    parse_errors: &mut Vec<Diagnostic>,
) -> usize {
    let mut read = 0;
    let mut variables: BTreeMap<String, Option<hcl::Expression>> = BTreeMap::new();
    for file in tf_files(dir) {
        let shown = relative(root, &file);
        // A pull request's module source (`../../elsewhere`) or a symlinked file must
        // not make leastrole read configuration outside the repository.
        if let Some(refusal) = refused_config(confine, &file, &shown) {
            diagnostics.push(refusal);
            continue;
        }
        let blocks = match parse_file(&file) {
            Ok(blocks) => blocks,
            Err((message, line, column)) => {
                parse_errors.push(Diagnostic::new(
                    Level::Error,
                    Code::ConfigFileNotRead,
                    format!("{shown}: {message}; the file is not read"),
                    Some(Location {
                        file: shown.clone(),
                        line,
                        column,
                    }),
                ));
                continue;
            }
        };
        read += 1;
        for (block, line) in blocks {
            let location = Location {
                file: shown.clone(),
                line,
                column: 1,
            };
            match block.identifier() {
                "variable" => {
                    if let Some(name) = label(&block, 0) {
                        let default = block
                            .body()
                            .attributes()
                            .find(|a| a.key() == "default")
                            .map(|a| a.expr().clone());
                        variables.insert(name.to_string(), default);
                    }
                }
                "locals" => {
                    for a in block.body().attributes() {
                        module.locals.insert(a.key().to_string(), a.expr().clone());
                    }
                }
                "output" => {
                    if let (Some(name), Some(value)) = (
                        label(&block, 0),
                        block.body().attributes().find(|a| a.key() == "value"),
                    ) {
                        module
                            .outputs
                            .insert(name.to_string(), value.expr().clone());
                    }
                }
                kind @ ("resource" | "data") => {
                    let (Some(t), Some(n)) = (label(&block, 0), label(&block, 1)) else {
                        continue;
                    };
                    let key = format!("{t}.{n}");
                    let address = if kind == "data" {
                        format!("{}data.{key}", module.prefix)
                    } else {
                        format!("{}{key}", module.prefix)
                    };
                    let resource = Resource {
                        kind: t.to_string(),
                        name: n.to_string(),
                        address,
                        body: block.body().clone(),
                        location,
                    };
                    if kind == "data" {
                        module.data.insert(key, resource);
                    } else {
                        module.resources.insert(key, resource);
                    }
                }
                "module" => {
                    let Some(name) = label(&block, 0) else {
                        continue;
                    };
                    let source = block
                        .body()
                        .attributes()
                        .find(|a| a.key() == "source")
                        .and_then(|a| match a.expr() {
                            hcl::Expression::String(s) => Some(s.clone()),
                            _ => None,
                        })
                        .unwrap_or_default();
                    module.calls_made.insert(
                        name.to_string(),
                        Call {
                            name: name.to_string(),
                            source,
                            body: block.body().clone(),
                            location,
                        },
                    );
                }
                _ => {}
            }
        }
    }
    // Defaults are constants in Terraform: evaluated with nothing in scope.
    let empty_config = Config {
        root: root.to_path_buf(),
        module: Module::default(),
        plan: plan::Plan::default(),
    };
    let scope = Scope::new(&empty_config, &empty_config.module);
    for (name, default) in variables {
        let value = match default {
            Some(expr) => scope.eval(&expr),
            None if module.prefix.is_empty() => {
                Value::Unknown(format!("var.{name} has no default and no tfvars sets it"))
            }
            None => Value::Unknown(format!(
                "var.{name}{} has no default and the module call does not set it",
                module.describe_in()
            )),
        };
        module.variables.entry(name).or_insert(value);
    }
    read
}

/// Whether a module source is the registry Lambda module.
fn is_lambda_module(source: &str) -> bool {
    let source = source.trim_start_matches("registry.terraform.io/");
    source == LAMBDA_MODULE || source.starts_with(&format!("{LAMBDA_MODULE}//"))
}

fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

/// Read the local modules `module` calls, each with its arguments as its variables.
fn read_children(
    reading: Reading<'_>,
    module: &mut Module,
    diagnostics: &mut Vec<Diagnostic>,
    parse_errors: &mut Vec<Diagnostic>,
) {
    let Reading {
        config_root,
        plan,
        depth,
        ..
    } = reading;
    if depth >= MAX_MODULE_DEPTH {
        return;
    }
    let calls: Vec<Call> = module.calls_made.values().cloned().collect();
    for call in calls {
        if !is_local(&call.source) {
            continue;
        }
        let dir = config_root.join(&module.path).join(&call.source);
        if !dir.is_dir() {
            diagnostics.push(Diagnostic::new(
                Level::Warning,
                Code::ConfigWrongType,
                format!(
                    "module `{}`: its source `{}` is not a folder of the project; not read",
                    call.name, call.source
                ),
                Some(call.location.clone()),
            ));
            continue;
        }
        // A call whose instances are not known is read once, its functions not analysed.
        let (instances, unknown): (Vec<Option<Instance>>, Option<String>) = match repetition(
            &call.body,
        ) {
            None => (vec![None], None),
            Some(repeat) => {
                let config = Config {
                    root: config_root.to_path_buf(),
                    module: Module::default(),
                    plan: plan.clone(),
                };
                let scope = Scope::new(&config, module);
                match eval::instances(&scope.eval(repeat.expr()), repeat.is_count()) {
                    // Each instance reads the module's folder again: nested calls with
                    // many instances each must not multiply without bound.
                    Ok(all) if all.len() > reading.instances_left.get() => (
                        vec![None],
                        Some(format!(
                            "module `{}`: its `{}` makes more module instances than leastrole reads in one configuration ({MAX_MODULE_INSTANCES})",
                            call.name,
                            repeat.key()
                        )),
                    ),
                    Ok(all) => {
                        reading
                            .instances_left
                            .set(reading.instances_left.get() - all.len());
                        (all.into_iter().map(Some).collect(), None)
                    }
                    Err(why) => (vec![None], Some(format!("module `{}`: {why}", call.name))),
                }
            }
        };
        for instance in instances {
            let key = match &instance {
                Some(i) => format!("{}{}", call.name, i.address_index()),
                None => call.name.clone(),
            };
            let child = read_child(
                reading,
                module,
                &call,
                &dir,
                instance.as_ref(),
                unknown.clone(),
                diagnostics,
                parse_errors,
            );
            module.children.insert(key, child);
        }
    }
}

/// What reading a configuration's modules is given, passed down.
#[derive(Clone, Copy)]
struct Reading<'r> {
    config_root: &'r Path,
    plan: &'r plan::Plan,
    confine: &'r Confine,
    /// How deep in module calls the modules being read are.
    depth: usize,
    /// Module instances of `for_each`/`count` calls that may still be read.
    instances_left: &'r Cell<usize>,
}

/// One instance of a local module call (`instance` for a call with `for_each`/`count`),
/// read with the values passed in, and its own children.
#[expect(
    clippy::too_many_arguments,
    reason = "the call, its instance and the two diagnostic lists are each needed"
)]
fn read_child(
    reading: Reading<'_>,
    module: &Module,
    call: &Call,
    dir: &Path,
    instance: Option<&Instance>,
    unknown: Option<String>,
    diagnostics: &mut Vec<Diagnostic>,
    parse_errors: &mut Vec<Diagnostic>,
) -> Module {
    let Reading {
        config_root,
        plan,
        confine,
        ..
    } = reading;
    let (address_index, name_index) = instance
        .map(|i| (i.address_index(), i.name_index()))
        .unwrap_or_default();
    let mut calls = module.calls.clone();
    calls.push(format!("{}{name_index}", call.name));
    let mut child = Module {
        prefix: format!("{}module.{}{address_index}.", module.prefix, call.name),
        calls,
        path: normalize_path(&format!("{}/{}", module.path, call.source)),
        instances_unknown: unknown.or_else(|| module.instances_unknown.clone()),
        ..Module::default()
    };
    // Arguments are evaluated in the calling module, with the children read so far.
    {
        let config = Config {
            root: config_root.to_path_buf(),
            module: Module::default(),
            plan: plan.clone(),
        };
        let scope = Scope::of_instance(&config, module, instance);
        for a in call.body.attributes() {
            if matches!(
                a.key(),
                "source" | "version" | "providers" | "count" | "for_each" | "depends_on"
            ) {
                continue;
            }
            child
                .variables
                .insert(a.key().to_string(), scope.eval(a.expr()));
        }
    }
    read_module(
        config_root,
        dir,
        &mut child,
        confine,
        diagnostics,
        parse_errors,
    );
    read_children(
        Reading {
            depth: reading.depth + 1,
            ..reading
        },
        &mut child,
        diagnostics,
        parse_errors,
    );
    child
}

/// `./a/../b/./c` → `b/c`; `.` for the empty path.
fn normalize_path(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(last) if *last != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

/// Variable values from a `.tfvars` file: its attributes, evaluated as constants.
fn read_tfvars(path: &Path, shown: &str) -> Result<BTreeMap<String, Value>, Diagnostic> {
    let error = |message: String, line: usize, column: usize| {
        let (line, column) = (to_u32(line), to_u32(column));
        Diagnostic::new(
            Level::Error,
            Code::ConfigParseError,
            format!("{shown}: {message}"),
            Some(Location {
                file: shown.to_string(),
                line,
                column,
            }),
        )
    };
    let bytes = std::fs::read(path).map_err(|e| error(format!("cannot be read: {e}"), 1, 1))?;
    let text = String::from_utf8(bytes).map_err(|_| error("is not UTF-8 text".into(), 1, 1))?;
    if nests_too_deep(&text) {
        return Err(error(
            format!("nests brackets more than {MAX_NESTING} deep"),
            1,
            1,
        ));
    }
    let body: hcl::Body = hcl::edit::parser::parse_body(&text)
        .map_err(|e| {
            error(
                e.message().to_string(),
                e.location().line(),
                e.location().column(),
            )
        })?
        .into();
    let config = Config {
        root: PathBuf::new(),
        module: Module::default(),
        plan: plan::Plan::default(),
    };
    let scope = Scope::new(&config, &config.module);
    Ok(body
        .attributes()
        .map(|a| (a.key().to_string(), scope.eval(a.expr())))
        .collect())
}

/// The root module's variable files, in the order Terraform reads them:
/// `terraform.tfvars`, `*.auto.tfvars` (sorted), then `--var-file`s.
fn var_files(root: &Path, options: &DiscoverOptions) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let tfvars = root.join("terraform.tfvars");
    if tfvars.is_file() {
        files.push(tfvars);
    }
    let mut auto: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.file_name()
                            .is_some_and(|n| n.to_string_lossy().ends_with(".auto.tfvars"))
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    files.extend(auto);
    // As given: relative to where leastrole runs, as `terraform plan -var-file` reads them.
    files.extend(options.var_files.iter().cloned());
    files
}

/// Read the configuration at `root`: `None` when no `.tf` file is there.
pub(crate) fn read(
    root: &Path,
    options: &DiscoverOptions,
    confine: &Confine,
    diagnostics: &mut Vec<Diagnostic>,
    parse_errors: &mut Vec<Diagnostic>,
) -> Option<(Config, usize)> {
    if tf_files(root).is_empty() {
        return None;
    }
    let mut module = Module {
        path: ".".to_string(),
        ..Module::default()
    };
    let mut set: BTreeMap<String, Value> = BTreeMap::new();
    for file in var_files(root, options) {
        let shown = relative(root, &file);
        let given = options.var_files.contains(&file);
        if !given && let Some(refusal) = refused_config(confine, &file, &shown) {
            diagnostics.push(refusal);
            continue;
        }
        match read_tfvars(&file, &shown) {
            Ok(values) => set.extend(values),
            Err(d) => diagnostics.push(d),
        }
    }
    module.variables = set;
    let read = read_module(root, root, &mut module, confine, diagnostics, parse_errors);
    // The CLI checks the plan before discovery (exit 2 on a bad one); read here without
    // it, a plan that cannot be used gives no names, as without the flag.
    let plan = options
        .terraform_plan
        .as_deref()
        .and_then(|p| plan::read(p).ok())
        .unwrap_or_default();
    let instances_left = Cell::new(MAX_MODULE_INSTANCES);
    read_children(
        Reading {
            config_root: root,
            plan: &plan,
            confine,
            depth: 0,
            instances_left: &instances_left,
        },
        &mut module,
        diagnostics,
        parse_errors,
    );
    Some((
        Config {
            root: root.to_path_buf(),
            module,
            plan,
        },
        read,
    ))
}

/// Whether the folder `rel` (relative to a folder searched for projects) is taken for a
/// child module, inside a `modules/` folder: it is read through the root module that
/// calls it (with the values passed in), not as a project of its own.
pub(crate) fn is_child_module(rel: &str) -> bool {
    rel.split('/').any(|c| c == "modules")
}

/// How a block repeats: its `for_each` or `count`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Repeat<'b> {
    ForEach(&'b hcl::Expression),
    Count(&'b hcl::Expression),
}

impl<'b> Repeat<'b> {
    pub(crate) fn expr(&self) -> &'b hcl::Expression {
        match self {
            Repeat::ForEach(e) | Repeat::Count(e) => e,
        }
    }

    pub(crate) fn is_count(&self) -> bool {
        matches!(self, Repeat::Count(_))
    }

    pub(crate) fn key(&self) -> &'static str {
        if self.is_count() { "count" } else { "for_each" }
    }
}

/// The `for_each` or `count` of a block's arguments, if it has one.
pub(crate) fn repetition(body: &hcl::Body) -> Option<Repeat<'_>> {
    body.attributes().find_map(|a| match a.key() {
        "for_each" => Some(Repeat::ForEach(a.expr())),
        "count" => Some(Repeat::Count(a.expr())),
        _ => None,
    })
}

/// Which instance of a definition a function is.
#[derive(Debug, Clone)]
pub(crate) enum Which {
    /// Defined without `for_each`/`count`.
    One,
    /// One instance of its `for_each`/`count`.
    Instance(Instance),
    /// Its `for_each`/`count` is not known (the reason): listed once, not analysed.
    NotKnown(String),
}

/// Where a function is defined.
#[derive(Debug, Clone)]
pub(crate) enum Lambda<'a> {
    /// `resource "aws_lambda_function" "x"`.
    Resource(&'a Module, &'a Resource, Which),
    /// `module "x" { source = "terraform-aws-modules/lambda/aws" }`.
    RegistryModule(&'a Module, &'a Call, Which),
}

impl<'a> Lambda<'a> {
    pub(crate) fn module(&self) -> &'a Module {
        match self {
            Lambda::Resource(m, ..) | Lambda::RegistryModule(m, ..) => m,
        }
    }

    fn which(&self) -> &Which {
        match self {
            Lambda::Resource(.., w) | Lambda::RegistryModule(.., w) => w,
        }
    }

    fn instance(&self) -> Option<&Instance> {
        match self.which() {
            Which::Instance(i) => Some(i),
            _ => None,
        }
    }

    /// The scope its arguments are evaluated in: its module's, with its instance's
    /// `each`/`count`.
    pub(crate) fn scope<'s>(&'s self, config: &'s Config) -> Scope<'s> {
        Scope::of_instance(config, self.module(), self.instance())
    }

    /// The function's name: see the module documentation; an instance's ends with its
    /// index (`orders[eu]`, `worker[0]`).
    fn name(&self) -> String {
        let base = match self {
            Lambda::Resource(m, r, _) => m.function_name(&r.name),
            Lambda::RegistryModule(m, c, _) => m.function_name(&c.name),
        };
        match self.instance() {
            Some(i) => format!("{base}{}", i.name_index()),
            None => base,
        }
    }

    /// Its Terraform address (`module.a.aws_lambda_function.x`, `module.a.module.api`,
    /// `aws_lambda_function.x["eu"]`).
    pub(crate) fn address(&self) -> String {
        let base = match self {
            Lambda::Resource(_, r, _) => r.address.clone(),
            Lambda::RegistryModule(m, c, _) => format!("{}module.{}", m.prefix, c.name),
        };
        match self.instance() {
            Some(i) => format!("{base}{}", i.address_index()),
            None => base,
        }
    }
}

/// A definition's functions: one, one per instance of its `for_each`/`count`, or one
/// not analysed when the collection is not known.
fn expand<'a>(
    module: &'a Module,
    body: &hcl::Body,
    make: impl Fn(Which) -> Lambda<'a>,
) -> Vec<Lambda<'a>> {
    if let Some(why) = &module.instances_unknown {
        return vec![make(Which::NotKnown(why.clone()))];
    }
    let Some(repeat) = repetition(body) else {
        return vec![make(Which::One)];
    };
    let config = Config {
        root: PathBuf::new(),
        module: Module::default(),
        plan: plan::Plan::default(),
    };
    let scope = Scope::new(&config, module);
    match eval::instances(&scope.eval(repeat.expr()), repeat.is_count()) {
        Ok(all) => all.into_iter().map(|i| make(Which::Instance(i))).collect(),
        Err(why) => vec![make(Which::NotKnown(why))],
    }
}

/// Every function of the module and its children, in address order.
pub(crate) fn lambdas(module: &Module) -> Vec<Lambda<'_>> {
    let mut out: Vec<Lambda<'_>> = Vec::new();
    for r in module
        .resources
        .values()
        .filter(|r| r.kind == "aws_lambda_function")
    {
        out.extend(expand(module, &r.body, |w| Lambda::Resource(module, r, w)));
    }
    for c in module
        .calls_made
        .values()
        .filter(|c| is_lambda_module(&c.source))
    {
        out.extend(expand(module, &c.body, |w| {
            Lambda::RegistryModule(module, c, w)
        }));
    }
    for child in module.children.values() {
        out.extend(lambdas(child));
    }
    out
}

pub(crate) fn discover(
    root: &Path,
    options: &DiscoverOptions,
    confine: &Confine,
) -> Option<Result<Discovery, Vec<Diagnostic>>> {
    let mut diagnostics = Vec::new();
    let mut parse_errors = Vec::new();
    let (config, read) = read(root, options, confine, &mut diagnostics, &mut parse_errors)?;
    let functions = lambdas(&config.module);
    if read == 0 {
        // No file could be read: the configuration is not what it says.
        let errors = parse_errors
            .into_iter()
            .map(|mut d| {
                d.code = Code::ConfigParseError.as_str().to_string();
                d
            })
            .chain(diagnostics)
            .collect();
        return Some(Err(errors));
    }
    if functions.is_empty() {
        // Terraform for something else (or functions only in a file that did not parse).
        if parse_errors.is_empty() {
            return None;
        }
        return Some(Err(parse_errors.into_iter().chain(diagnostics).collect()));
    }
    let mut d = Discovery::default();
    d.diagnostics.extend(parse_errors);
    d.diagnostics.extend(diagnostics);
    // A resource and a module call may share a name (`aws_lambda_function.api` and
    // `module.api`): such functions are named by their whole address instead.
    let attachments = roles::Attachments::of(&config);
    let mut short: BTreeMap<String, usize> = BTreeMap::new();
    for lambda in &functions {
        *short.entry(lambda.name()).or_default() += 1;
    }
    for lambda in functions {
        let name = if short.get(&lambda.name()).is_some_and(|n| *n > 1) {
            lambda.address()
        } else {
            lambda.name()
        };
        if let Some(configured) = configure(
            &config,
            &attachments,
            &lambda,
            name,
            confine,
            &mut d.diagnostics,
        ) {
            d.functions
                .push(configured.resolve(root, &mut d.diagnostics));
        }
    }
    Some(Ok(d))
}

/// A function as the configuration declares it, named `name`; `None` for a module call with
/// `create_function = false` (or `create = false`).
fn configure(
    config: &Config,
    attachments: &roles::Attachments<'_>,
    lambda: &Lambda<'_>,
    name: String,
    confine: &Confine,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Configured> {
    let (args, location, registry) = match lambda {
        Lambda::Resource(_, r, _) => (&r.body, r.location.clone(), false),
        Lambda::RegistryModule(_, c, _) => (&c.body, c.location.clone(), true),
    };
    let scope = lambda.scope(config);
    let arg = |n: &str| scope.argument(args, n);
    if registry
        && (arg("create").is_some_and(|v| v == Value::Bool(false))
            || arg("create_function").is_some_and(|v| v == Value::Bool(false)))
    {
        return None;
    }
    let literal = |n: &str| arg(n).and_then(|v| v.literal()).filter(|s| !s.is_empty());
    let is_image =
        literal("package_type").as_deref() == Some("Image") || arg("image_uri").is_some();
    let mut unsupported = None;
    let code_root = if let Which::NotKnown(why) = lambda.which() {
        // Never one function standing for instances that are not known.
        unsupported = Some((
            Level::Warning,
            format!("{why}: its instances are not known, so none is analysed"),
        ));
        config.root.clone()
    } else if is_image {
        unsupported = Some((
            Level::Warning,
            "a container image (`package_type = \"Image\"`) is not analysed".to_string(),
        ));
        config.root.clone()
    } else if registry {
        registry_code(config, &scope, args).unwrap_or_else(|why| {
            unsupported = Some((Level::Warning, why));
            config.root.clone()
        })
    } else {
        resource_code(config, &scope, args).unwrap_or_else(|why| {
            unsupported = Some((Level::Warning, why));
            config.root.clone()
        })
    };
    // A handler set to what is not known (a variable nothing sets) is not "no handler".
    if unsupported.is_none()
        && let Some(handler) = arg("handler")
        && handler.literal().is_none()
        && handler != Value::Null
    {
        unsupported = Some((
            Level::Warning,
            format!(
                "its handler is not known ({})",
                crate::ValueParts(&handler.text())
            ),
        ));
    }
    let environment = if registry {
        arg("environment_variables")
    } else {
        args.blocks()
            .find(|b| b.identifier() == "environment")
            .and_then(|b| scope.argument(b.body(), "variables"))
    };
    let environment = environment_of(environment.as_ref());
    let function_name = arg("function_name")
        .map(|v| v.text())
        .filter(|parts| !parts.is_empty());
    let layers = layers(
        config,
        confine,
        arg("layers"),
        &name,
        &location,
        diagnostics,
    );
    let (triggers, event_sources) = events::triggers(config, lambda);
    let declared = roles::declared(config, attachments, lambda, event_sources);
    Some(Configured {
        name,
        handler: if is_image { None } else { literal("handler") },
        runtime: if is_image { None } else { literal("runtime") },
        code_root,
        environment,
        framework: Framework::Terraform,
        source: Some(location),
        unsupported,
        entry_points: Vec::new(),
        function_name,
        default_runtime: None,
        declared: Some(declared),
        triggers,
        layers,
    })
}

fn environment_of(value: Option<&Value>) -> BTreeMap<String, EnvValue> {
    let mut out = BTreeMap::new();
    // A whole map that is not known says nothing per variable.
    if let Some(Value::Map(m)) = value {
        for (k, v) in m {
            let env = match v {
                Value::List(_) | Value::Map(_) => {
                    EnvValue::Unknown("a list or map is not a string".into())
                }
                v => env_value(v.text()),
            };
            out.insert(k.clone(), env);
        }
    }
    out
}

/// A path value of the configuration as a path of the project: relative paths are
/// relative to the root module, where Terraform runs.
fn project_path(config: &Config, value: &Value) -> Option<PathBuf> {
    let text = value.literal()?;
    let path = Path::new(&text);
    Some(if path.is_absolute() {
        path.to_path_buf()
    } else {
        config.root.join(normalize_path(&text))
    })
}

/// The code of an `aws_lambda_function`: the folder or file its `filename`'s
/// `archive_file` packs, or the folder named like the archive.
fn resource_code(config: &Config, scope: &Scope<'_>, args: &hcl::Body) -> Result<PathBuf, String> {
    let filename = scope.argument(args, "filename");
    let s3_key = scope.argument(args, "s3_key");
    // `filename = data.archive_file.x.output_path`, or `source_code_hash` naming it.
    let named_archive = ["filename", "source_code_hash"]
        .iter()
        .filter_map(|n| args.attributes().find(|a| a.key() == *n))
        .find_map(|a| archive_named(scope.module, a.expr()));
    if let Some(archive) = named_archive {
        return archive_code(config, scope, archive);
    }
    let Some(zip) = filename.as_ref().or(s3_key.as_ref()) else {
        return Err("no `filename` or `s3_key` gives its code".to_string());
    };
    // An archive built elsewhere in the module to the same path.
    let zip_text = zip.literal();
    if let Some(zip_text) = &zip_text {
        let wanted = normalize_path(zip_text);
        let same = scope
            .module
            .data
            .values()
            .filter(|d| d.kind == "archive_file")
            .find(|d| {
                scope
                    .argument(&d.body, "output_path")
                    .and_then(|v| v.literal())
                    .is_some_and(|p| normalize_path(&p) == wanted)
            });
        if let Some(archive) = same {
            return archive_code(config, scope, archive);
        }
        // A folder named like the archive (`build/orders.zip` ← `orders/`, `src/orders/`).
        if let Some(dir) = folder_by_name(config, zip_text) {
            return Ok(dir);
        }
    }
    Err(format!(
        "its code `{}` is not traced to a folder of the project (no `data \"archive_file\"` builds it, no folder is named like it)",
        crate::ValueParts(&zip.text())
    ))
}

/// The `archive_file` data source an expression names (`data.archive_file.x.…`).
fn archive_named<'m>(module: &'m Module, expr: &hcl::Expression) -> Option<&'m Resource> {
    let hcl::Expression::Traversal(t) = expr else {
        return None;
    };
    let hcl::Expression::Variable(v) = &t.expr else {
        return None;
    };
    if v.as_str() != "data" {
        return None;
    }
    let name = |i: usize| match t.operators.get(i) {
        Some(hcl::TraversalOperator::GetAttr(id)) => Some(id.as_str()),
        _ => None,
    };
    (name(0)? == "archive_file")
        .then(|| module.data.get(&format!("archive_file.{}", name(1)?)))
        .flatten()
}

/// What an `archive_file` packs: `source_dir`, `source_file`, or `source` blocks whose
/// content is `file(…)` of files in one folder.
fn archive_code(config: &Config, scope: &Scope<'_>, archive: &Resource) -> Result<PathBuf, String> {
    for key in ["source_dir", "source_file"] {
        if let Some(value) = scope.argument(&archive.body, key) {
            return match project_path(config, &value) {
                Some(p) if p.exists() => Ok(p),
                Some(p) => Err(format!(
                    "its code, {}'s {key} `{}`, is not in the project",
                    archive.address,
                    relative(&config.root, &p)
                )),
                None => Err(format!(
                    "its code, {}'s {key}, is not known ({})",
                    archive.address,
                    crate::ValueParts(&value.text())
                )),
            };
        }
    }
    // `source { content = file("src/app.py") filename = "app.py" }`: the folder holding
    // every file, when each keeps its name.
    let mut folder: Option<PathBuf> = None;
    let mut any = false;
    for block in archive.body.blocks().filter(|b| b.identifier() == "source") {
        any = true;
        let read = block
            .body()
            .attributes()
            .find(|a| a.key() == "content")
            .and_then(|a| match a.expr() {
                hcl::Expression::FuncCall(call) if call.name.name.as_str() == "file" => {
                    call.args.first().map(|e| scope.eval(e))
                }
                _ => None,
            })
            .and_then(|v| project_path(config, &v));
        let name = scope
            .argument(block.body(), "filename")
            .and_then(|v| v.literal());
        let (Some(file), Some(name)) = (read, name) else {
            return Err(format!(
                "{}'s `source` blocks hold content that is not a file of the project",
                archive.address
            ));
        };
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        if !file.is_file() || dir.join(&name) != file || folder.as_ref().is_some_and(|f| *f != dir)
        {
            return Err(format!(
                "{}'s `source` blocks do not copy one folder's files under their names",
                archive.address
            ));
        }
        folder = Some(dir);
    }
    match folder {
        Some(dir) if any => Ok(dir),
        _ => Err(format!(
            "{} packs nothing leastrole can read",
            archive.address
        )),
    }
}

/// A folder named like an archive's file name (`dist/orders.zip` → `orders/`,
/// `src/orders/`, `functions/orders/`, `lambda/orders/`).
fn folder_by_name(config: &Config, zip: &str) -> Option<PathBuf> {
    let stem = Path::new(zip).file_stem()?.to_string_lossy().into_owned();
    ["", "src", "functions", "lambda", "lambdas"]
        .iter()
        .map(|base| config.root.join(base).join(&stem))
        .find(|p| p.is_dir())
}

/// The code of a registry-module function: `source_path` (a path, or objects with
/// `path`), or `local_existing_package` when it builds no package.
fn registry_code(config: &Config, scope: &Scope<'_>, args: &hcl::Body) -> Result<PathBuf, String> {
    let create_package = scope.argument(args, "create_package");
    if create_package == Some(Value::Bool(false)) {
        let Some(zip) = scope
            .argument(args, "local_existing_package")
            .and_then(|v| v.literal())
        else {
            return Err(
                "`create_package = false` and no `local_existing_package` known".to_string(),
            );
        };
        return folder_by_name(config, &zip).ok_or_else(|| {
            format!("its package `{zip}` is not traced to a folder of the project (no folder is named like it)")
        });
    }
    let Some(source) = scope.argument(args, "source_path") else {
        return Err("no `source_path` gives its code".to_string());
    };
    let path = match &source {
        Value::List(items) => {
            let paths: Vec<Value> = items
                .iter()
                .map(|i| match i {
                    Value::Map(_) => i.get("path").cloned().unwrap_or(Value::Null),
                    other => other.clone(),
                })
                .collect();
            match paths.as_slice() {
                [one] => one.clone(),
                _ => {
                    return Err(format!(
                        "its `source_path` lists {} paths; only one is followed",
                        paths.len()
                    ));
                }
            }
        }
        other => other.clone(),
    };
    match project_path(config, &path) {
        Some(p) if p.exists() => Ok(p),
        Some(p) => Err(format!(
            "its source_path `{}` is not in the project",
            relative(&config.root, &p)
        )),
        None => Err(format!(
            "its source_path is not known ({})",
            crate::ValueParts(&path.text())
        )),
    }
}

/// The layers of a function: each `aws_lambda_layer_version` of the configuration whose
/// code traces to a folder; any other (an ARN) is named in a `layer-not-followed`
/// warning.
fn layers(
    config: &Config,
    confine: &Confine,
    value: Option<Value>,
    function: &str,
    location: &Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Layer> {
    let mut out = Vec::new();
    let Some(value) = value else {
        return out;
    };
    let items: Vec<Value> = match value {
        Value::List(items) => items,
        Value::Null => return out,
        other => vec![other],
    };
    for item in items {
        let parts = item.text();
        let followed = match parts.as_slice() {
            [
                ValuePart::Ref {
                    logical_id,
                    resource_type: Some(t),
                    ..
                },
            ] if t == "aws_lambda_layer_version" => {
                find_resource(&config.module, logical_id).map(|(module, layer)| {
                    let scope = Scope::new(config, module);
                    resource_code(config, &scope, &layer.body).map(|dir| Layer {
                        name: layer.address.clone(),
                        dir,
                        // The archive's root is the layer's: it lands at /opt itself.
                        opt_dir: String::new(),
                        source: Some(layer.location.clone()),
                    })
                })
            }
            _ => None,
        };
        match followed {
            Some(Ok(layer)) if confine.admits(&layer.dir) => out.push(layer),
            Some(Ok(layer)) => diagnostics.push(confine.refusal(
                &format!(
                    "the code `{}` of layer `{}`",
                    relative(&config.root, &layer.dir),
                    layer.name
                ),
                Some(location.clone()),
            )),
            Some(Err(why)) => diagnostics.push(Diagnostic::new(
                Level::Warning,
                Code::LayerNotFollowed,
                format!(
                    "function `{function}`: layer `{}`: {why}; calls in its code are not in the policy",
                    crate::ValueParts(&parts)
                ),
                Some(location.clone()),
            )),
            None => diagnostics.push(Diagnostic::new(
                Level::Warning,
                Code::LayerNotFollowed,
                format!(
                    "function `{function}`: layer `{}` is not a layer of this configuration; calls in its code are not in the policy",
                    crate::ValueParts(&parts)
                ),
                Some(location.clone()),
            )),
        }
    }
    out
}

/// A resource by its address, in whichever module holds it.
pub(crate) fn find_resource<'m>(
    module: &'m Module,
    address: &str,
) -> Option<(&'m Module, &'m Resource)> {
    if let Some(rest) = address.strip_prefix("module.") {
        // The call's name, with an instance's index (`jobs["a.b"]`) that may hold dots.
        let (child, rest) = module
            .children
            .iter()
            .find_map(|(key, child)| Some((child, rest.strip_prefix(key)?.strip_prefix('.')?)))?;
        return find_resource(child, rest);
    }
    // An instance (`aws_iam_role.r["eu"]`) is read as its resource.
    let address = match address.split_once('[') {
        Some((resource, _)) => resource,
        None => address,
    };
    module.resources.get(address).map(|r| (module, r))
}
