//! `leastrole check`: needed (generated) against declared (the project's role), per
//! function.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use leastrole_lang::Level;
use leastrole_project::declared::DeclaredRole;
use leastrole_project::{DiscoverOptions, Function, discover};
use leastrole_review::{Catalog, CheckContext, CheckInput, Review, ReviewKind};

use crate::Status;
use crate::args::CheckArgs;
use crate::cmd::analysis_options;
use crate::cmd::review::{
    Ending, arn_env, discovery_stop, load_maps, repo_prefix, unread_projects,
};
use leastrole_core::Code;
use leastrole_pipeline::build_report;

pub fn run(args: CheckArgs) -> anyhow::Result<Status> {
    super::iac_inputs(&args.iac)?;
    // Every function is discovered, in one pass: a role the named functions share with
    // others is judged against what all of them need, so those others are analysed too
    // (and left out of the functions shown).
    let options = DiscoverOptions {
        handlers: Vec::new(),
        functions: Vec::new(),
        stage: args.stage.clone(),
        use_env: args.use_env,
        config_fallback: args.config_fallback,
        allow_outside: args.allow_outside.clone(),
        var_files: args.iac.var_files.clone(),
        terraform_plan: args.iac.terraform_plan.clone(),
        cdk_out: args.iac.cdk_out.clone(),
    };
    let (root, all) = match &args.manifest {
        Some(manifest) => {
            let project = super::manifest::discover(manifest, &options)?;
            (project.service_dir, project.discovery)
        }
        None => {
            let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
            super::project_folder(&root)?;
            let discovery = discover(&root, &options);
            super::iac_inputs_apply(&args.iac, &root, &discovery)?;
            (root, discovery)
        }
    };
    let mut discovery = all.clone();
    // The full names the `--function` flags select (`createOrder` is
    // `services/orders:createOrder` in a monorepo).
    let named = discovery.select(&args.functions);
    if !args.functions.is_empty() {
        let roles: Vec<&str> = discovery
            .functions
            .iter()
            .filter_map(|f| checkable_role(f))
            .collect();
        let sharing: Vec<Function> = all
            .functions
            .into_iter()
            .filter(|f| !named.contains(&f.name))
            .filter(|f| checkable_role(f).is_some_and(|r| roles.contains(&r)))
            .collect();
        discovery.functions.extend(sharing);
    }
    let maps = load_maps(args.maps.as_deref())?;
    let maps = maps.get();
    let ending = Ending {
        format: args.format,
        fail_on: args.fail_on,
        uri_prefix: repo_prefix(&root),
        output: args.output.as_ref(),
        strict: args.strict,
        incomplete: unread_projects(&discovery),
    };
    // A configuration that cannot be read: the review says so (in every format) and the
    // command fails, rather than checking whatever discovery could guess.
    if let Some(error) = discovery_stop(&discovery, args.config_fallback) {
        let review = Review {
            kind: ReviewKind::Check,
            functions: Vec::new(),
            diagnostics: discovery.diagnostics,
            roles: Vec::new(),
        };
        return ending.finish(&review, Some(error));
    }
    let functions: BTreeMap<String, Function> = discovery
        .functions
        .iter()
        .map(|f| (f.name.clone(), f.clone()))
        .collect();
    let mut report = build_report(maps, discovery, &analysis_options(args.analysis))
        .context("the service maps are broken")?;
    let has_error = report.all_diagnostics().any(|d| d.level == Level::Error);
    anyhow::ensure!(
        !(has_error && report.functions.is_empty()),
        "no function could be analysed: {}",
        report
            .all_diagnostics()
            .filter(|d| d.level == Level::Error)
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );
    // A function named with --function that cannot be analysed (or does not exist) is
    // an error: the user asked about it, and no verdict on it can be given.
    let not_analysed = report.named_not_analysed(|name| named.iter().any(|n| n == name));
    report.diagnostics.extend(not_analysed);
    let named_errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| {
            d.level == Level::Error
                && (d.code == Code::UnknownFunction
                    || d.code == Code::AmbiguousFunction
                    || d.code == Code::FunctionNotAnalysed)
        })
        .map(|d| d.message.clone())
        .collect();
    let inputs: Vec<CheckInput<'_>> = report
        .functions
        .iter()
        .map(|r| {
            let f = functions.get(&r.name);
            CheckInput {
                report: r,
                declared: f.and_then(|f| f.declared.as_ref()),
                function: f,
            }
        })
        .collect();
    let catalog = Catalog::new(maps);
    let ctx = CheckContext {
        catalog: &catalog,
        env: arn_env(&args.arn),
    };
    let error = (!named_errors.is_empty()).then(|| named_errors.join("; "));
    let mut review = leastrole_review::check(&ctx, &inputs, report.diagnostics.clone())
        .context("the service maps are broken")?;
    if !args.functions.is_empty() {
        review.functions.retain(|f| named.contains(&f.name));
    }
    // The needed side is only as complete as the analysis: its warnings travel along.
    for f in &mut review.functions {
        if let Some(r) = report.functions.iter().find(|r| r.name == f.name) {
            f.diagnostics.extend(
                r.diagnostics
                    .iter()
                    .filter(|d| d.level >= Level::Warning)
                    .cloned(),
            );
            f.diagnostics.sort();
            f.diagnostics.dedup();
        }
    }
    ending.finish(&review, error)
}

/// The description of the role a function's project declares, when it can be checked.
fn checkable_role(f: &Function) -> Option<&str> {
    match f.declared.as_ref().map(|d| &d.role) {
        Some(DeclaredRole::Checkable { description }) => Some(description),
        _ => None,
    }
}
