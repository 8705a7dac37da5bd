//! leastrole-pipeline: the generate pipeline as a library.
//!
//! Ties the stages together for one project: the functions `leastrole-project` discovered
//! → their source analysed by `leastrole-lang` (each file read and parsed once per run)
//! → the calls each handler can reach → grants resolved through the service maps by
//! `leastrole-policy` (environment values and template references from the
//! configuration) → one minimal policy per function, in a [`Report`]. The binary, the
//! tests and the benchmarks all build reports through [`build_report`].

use std::collections::BTreeSet;
use std::path::Path;

use leastrole_core::Code;
use leastrole_lang::{Confine, Diagnostic, Level, Location, Sources};
use leastrole_maps::{Maps, MapsError};
use leastrole_policy::{
    EnvContext, EventField, FunctionReport, Options, Part, Report, Resource, TemplateKey,
    TriggerFields, build_policy, resolve_calls,
};
use leastrole_project::{Discovery, Encrypted, Entry, EnvValue, Function, ValuePart};
use rayon::prelude::*;

mod layers;

/// Build the report for every discovered function.
pub fn build_report(
    maps: &Maps,
    discovery: Discovery,
    options: &Options,
) -> Result<Report, MapsError> {
    build_report_with(maps, discovery, options, &|_| {})
}

/// [`build_report`], calling `done` with each function's name once its report is built
/// (from any thread, in no particular order: for progress display only).
///
/// Functions are analysed in parallel; the report does not depend on the order they
/// finish in (functions are sorted by name, stably, from discovery order).
pub fn build_report_with(
    maps: &Maps,
    discovery: Discovery,
    options: &Options,
    done: &(dyn Fn(&str) + Sync),
) -> Result<Report, MapsError> {
    // Functions share modules (a Serverless project's handlers and their common code):
    // each file is read and parsed once for all of them.
    let sources = Sources::cached().within(discovery.confine.clone());
    // Calls on a resource the template encrypts with a customer-managed key need its
    // KMS actions on that key: the keys of the function's own project (a monorepo's
    // projects each have their template, whose logical ids may clash).
    let with_keys = |f: &Function| -> std::borrow::Cow<'_, Options> {
        let encrypted = discovery.encrypted_for(f);
        if encrypted.is_empty() {
            std::borrow::Cow::Borrowed(options)
        } else {
            std::borrow::Cow::Owned(Options {
                template_keys: template_keys(encrypted),
                ..options.clone()
            })
        }
    };
    let project = Project {
        dir: &discovery.project_dir,
        confine: &discovery.confine,
    };
    // On the analysis threads: from the global pool, a thread waiting for one
    // function's analysis takes up the next function on top of its stack, and a project
    // with hundreds of functions overflowed it.
    let mut functions = leastrole_lang::on_analysis_threads(|| {
        discovery
            .functions
            .par_iter()
            .map(|f| {
                let report = function_report(maps, &sources, &project, f, &with_keys(f));
                done(&f.name);
                report
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    functions.sort_by(|a, b| a.name.cmp(&b.name));
    let mut diagnostics = discovery.diagnostics;
    diagnostics.sort();
    diagnostics.dedup();
    Ok(Report {
        functions,
        diagnostics,
    })
}

/// What every function of a project shares.
struct Project<'a> {
    /// Reports give paths relative to this folder (PATH); empty when unknown.
    dir: &'a Path,
    confine: &'a Confine,
}

impl Project<'_> {
    /// How a function's code folder is named in paths relative to the project folder:
    /// `""` for the folder itself, `src` for a SAM `CodeUri: src/`, the path as it is
    /// for a folder elsewhere (allowed with `--allow-outside`).
    fn prefix(&self, code_root: &Path) -> String {
        // Unknown (a discovery built by hand): paths stay relative to the code folder.
        if self.dir.as_os_str().is_empty() {
            return String::new();
        }
        let clean = |p: &Path| p.components().collect::<std::path::PathBuf>();
        let code_root = clean(code_root);
        let rel = code_root
            .strip_prefix(clean(self.dir))
            .unwrap_or(&code_root);
        rel.to_string_lossy().replace('\\', "/")
    }
}

/// `file`, relative to the code folder, as relative to the project folder. A layer's
/// file outside the code folder (`../layers/shared/python/db.py`) comes out as the
/// project names it (`layers/shared/python/db.py`).
fn rebase(prefix: &str, file: &mut String) {
    if !prefix.is_empty() {
        *file = format!("{}/{file}", prefix.trim_end_matches('/'));
    }
    if file.contains("..") {
        *file = layers::clean(file);
    }
}

fn rebase_location(prefix: &str, location: &mut Option<Location>) {
    if let Some(l) = location {
        rebase(prefix, &mut l.file);
    }
}

fn function_report(
    maps: &Maps,
    sources: &Sources,
    project: &Project<'_>,
    f: &Function,
    options: &Options,
) -> Result<FunctionReport, MapsError> {
    let root: &Path = &f.code_root;
    let prefix = project.prefix(root);
    let mut not_analysed = None;
    // Diagnostics located in the configuration already (project-relative): not rebased.
    let mut at_config = Vec::new();
    let (mut calls, mut diagnostics, files) = match &f.entry {
        Entry::Handler { file, export } => {
            // Imports the function's code does not satisfy are looked up in its layers.
            let paths = layers::search_paths(f);
            let program = leastrole_lang::analyze_with_paths(
                sources,
                root,
                std::slice::from_ref(file),
                &paths,
            );
            let reach = leastrole_policy::reachable(&program, file, export);
            let mut diags: Vec<Diagnostic> =
                leastrole_policy::reachable_diagnostics(&program, &reach)
                    .into_iter()
                    .cloned()
                    .collect();
            diags.extend(program.diagnostics.iter().cloned());
            if let Some(missing) = &reach.missing {
                let mut diagnostic = missing.to_diagnostic();
                if matches!(missing, leastrole_policy::reach::Missing::File { .. }) {
                    // No line of a file that is not there: the configuration's.
                    diagnostic.location = f.source.clone();
                    at_config.push(diagnostic);
                } else {
                    diags.push(diagnostic);
                }
                not_analysed = Some(missing.to_string());
            }
            let calls: Vec<_> = leastrole_policy::reachable_calls(&program, &reach)
                .into_iter()
                .cloned()
                .collect();
            let files: BTreeSet<String> = leastrole_policy::reach::reachable_files(&reach)
                .into_iter()
                .map(str::to_string)
                .collect();
            (calls, diags, files)
        }
        Entry::Folder { files } => {
            let folder =
                leastrole_lang::analyze_folder_within(root, files, project.confine.clone());
            (
                folder.calls,
                folder.diagnostics,
                folder.files.into_iter().collect(),
            )
        }
        // Listed by discovery (an image, another runtime, a missing handler file), which
        // also reported why; nothing to analyse.
        Entry::Unsupported { reason } => {
            not_analysed = Some(reason.clone());
            (Vec::new(), Vec::new(), BTreeSet::new())
        }
    };
    // Analysis paths are relative to the code folder; reports' are relative to the
    // project folder, so that a SAM function's `src/app.py` is not `app.py`.
    for call in &mut calls {
        rebase(&prefix, &mut call.location.file);
    }
    for d in &mut diagnostics {
        rebase_location(&prefix, &mut d.location);
    }
    let files: BTreeSet<String> = files
        .into_iter()
        .map(|mut file| {
            rebase(&prefix, &mut file);
            file
        })
        .collect();
    diagnostics.extend(at_config);
    // Listed without a policy, whatever the reason: a note here, an error for a function
    // the user named (`Report::fail_named_not_analysed`).
    if let Some(reason) = &not_analysed {
        diagnostics.push(Diagnostic::new(
            Level::Info,
            Code::FunctionNotAnalysed,
            format!("{}: not analysed: {reason}", f.name),
            f.source.clone(),
        ));
    }
    let env = env_context(f);
    let log_group = env
        .values
        .get("AWS_LAMBDA_LOG_GROUP_NAME")
        .filter(|parts| !parts.iter().any(|p| matches!(p, Part::Wildcard)))
        .map(|parts| Resource::new(parts.iter().cloned()));
    let resolved = resolve_calls(maps, &calls, &env, options)?;
    diagnostics.extend(resolved.diagnostics);
    if calls.is_empty()
        && not_analysed.is_none()
        && !diagnostics.iter().any(|d| d.level >= Level::Warning)
    {
        diagnostics.push(Diagnostic::new(
            Level::Info,
            Code::NoSdkCalls,
            format!("{}: no AWS SDK calls found; the policy is empty", f.name),
            None,
        ));
    }
    diagnostics.sort();
    diagnostics.dedup();
    let policy = build_policy(&resolved.grants);
    Ok(FunctionReport {
        name: f.name.clone(),
        project: f.project.clone(),
        handler: f.handler.clone(),
        runtime: f.runtime.clone(),
        files: files.into_iter().collect(),
        grants: resolved.grants,
        policy,
        diagnostics,
        not_analysed,
        log_group,
    })
}

/// What resolution knows of a function's configuration: its environment values and what
/// its triggers put in its events, as resource parts.
pub fn env_context(f: &Function) -> EnvContext {
    // What the triggers put in the events: known (even when none) once the configuration
    // was read.
    let triggers = f.triggers.as_ref().map(|triggers| {
        triggers
            .iter()
            .map(|t| TriggerFields {
                describe: t.describe.clone(),
                fields: t
                    .fields
                    .iter()
                    .map(|(path, value)| {
                        let field = EventField {
                            parts: value.iter().map(part).collect(),
                            unknown: unknown_reasons(value),
                        };
                        (path.clone(), field)
                    })
                    .collect(),
            })
            .collect()
    });
    let Some(env) = &f.environment else {
        return EnvContext {
            triggers,
            ..EnvContext::default()
        };
    };
    let mut context = EnvContext {
        configured: true,
        triggers,
        ..EnvContext::default()
    };
    for (name, value) in env {
        let (parts, reasons): (Vec<Part>, Vec<String>) = match value {
            EnvValue::Literal(s) => (vec![Part::Lit { text: s.clone() }], Vec::new()),
            EnvValue::Template(parts) => (parts.iter().map(part).collect(), unknown_reasons(parts)),
            EnvValue::Unknown(why) => (vec![Part::Wildcard], vec![why.clone()]),
        };
        context.values.insert(name.clone(), parts);
        if !reasons.is_empty() {
            context.unknown.insert(name.clone(), reasons);
        }
    }
    context
}

/// Why each unknown part of a configured value is unknown.
fn unknown_reasons(parts: &[ValuePart]) -> Vec<String> {
    parts
        .iter()
        .flat_map(|p| match p {
            ValuePart::Unknown(why) => vec![why.clone()],
            ValuePart::Var { resolved, .. } => unknown_reasons(resolved),
            _ => Vec::new(),
        })
        .collect()
}

/// The template's encrypted resources, with each key's ARN as resource parts.
fn template_keys(encrypted: &[Encrypted]) -> Vec<TemplateKey> {
    encrypted
        .iter()
        .map(|e| TemplateKey {
            logical_id: e.logical_id.clone(),
            resource_type: e.resource_type.clone(),
            name: e.name.clone(),
            key: Resource::new(e.key.iter().map(part)),
        })
        .collect()
}

/// A configured value part as a resource part.
fn part(p: &ValuePart) -> Part {
    match p {
        ValuePart::Lit(s) => Part::Lit { text: s.clone() },
        ValuePart::Pseudo(name) => match name.as_str() {
            "AWS::Partition" => Part::Partition,
            "AWS::Region" => Part::Region,
            "AWS::AccountId" => Part::Account,
            _ => Part::Pseudo { name: name.clone() },
        },
        ValuePart::Ref {
            logical_id,
            attribute,
            arn,
            physical,
            resource_type,
        } => {
            // Without a name in the template, a reference whose value is text around the
            // name (a queue's URL) is kept as that text around the reference returning the
            // name: the URL's last segment is `${Queue.QueueName}`, never the whole URL
            // (`${Queue}`) inside an ARN, which names nothing at deploy time.
            let around_name = || {
                let type_name = resource_type.as_deref()?;
                leastrole_project::value_around_name(logical_id, type_name, attribute.as_deref())
            };
            let mut physical: Option<Vec<Part>> = physical
                .clone()
                .or_else(around_name)
                .map(|ps| ps.iter().map(part).collect());
            // A queue's `Ref` is its URL, whose last segment is `GetAtt Queue.QueueName`:
            // kept as that reference inside the URL, a parser taking the name out of the
            // URL gives the reference, and template output writes `${Queue.QueueName}`
            // rather than the name the template's parameter defaults give.
            if attribute.is_none() && resource_type.as_deref() == Some("AWS::SQS::Queue") {
                physical = physical.map(|ps| queue_name_as_reference(ps, logical_id));
            }
            Part::Ref {
                logical_id: logical_id.clone(),
                attribute: attribute.clone(),
                arn: *arn,
                physical,
            }
        }
        ValuePart::Unknown(_) => Part::Wildcard,
        ValuePart::Var { text, resolved } => Part::Var {
            text: text.clone(),
            resolved: resolved.iter().map(part).collect(),
        },
    }
}

/// A queue URL's parts with its last path segment (the queue's name) as the reference
/// `GetAtt <logical_id>.QueueName` whose value it is.
fn queue_name_as_reference(mut url: Vec<Part>, logical_id: &str) -> Vec<Part> {
    let Some(Part::Lit { text }) = url.last() else {
        return url;
    };
    let Some((dir, name)) = text.rsplit_once('/') else {
        return url;
    };
    if name.is_empty() {
        return url;
    }
    let (dir, name) = (format!("{dir}/"), name.to_string());
    url.pop();
    url.push(Part::Lit { text: dir });
    url.push(Part::Ref {
        logical_id: logical_id.to_string(),
        attribute: Some("QueueName".into()),
        arn: false,
        physical: Some(vec![Part::Lit { text: name }]),
    });
    url
}
