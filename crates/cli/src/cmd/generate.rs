//! `leastrole generate`: one least-privilege policy per function.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, bail};
use leastrole_core::phase;
use leastrole_lang::{Diagnostic, Level};
use leastrole_maps::Maps;
use leastrole_policy::{ArnEnv, is_terraform_address};
use leastrole_project::{DiscoverOptions, Entry, Framework, discover};
use leastrole_render::{RenderOptions, ServerlessFlavor};

use crate::Status;
use crate::args::{Flavor, GenerateArgs, GenerateFormat};
use crate::cmd::analysis_options;
use crate::cmd::review::{discovery_stop, unread_projects};
use crate::output::{emit, note, notes, stderr_diagnostics};
use crate::progress::Progress;
use leastrole_pipeline::build_report_with;

pub fn run(args: GenerateArgs) -> anyhow::Result<Status> {
    super::iac_inputs(&args.iac)?;
    let options = DiscoverOptions {
        handlers: args.handlers.clone(),
        functions: args.functions.clone(),
        stage: args.stage.clone(),
        use_env: args.use_env,
        config_fallback: args.config_fallback,
        allow_outside: args.allow_outside.clone(),
        var_files: args.iac.var_files.clone(),
        terraform_plan: args.iac.terraform_plan.clone(),
        cdk_out: args.iac.cdk_out.clone(),
    };
    let discovery = match &args.manifest {
        Some(manifest) => super::manifest::discover(manifest, &options)?.discovery,
        None => {
            let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
            super::project_folder(&root)?;
            let discovery = discover(&root, &options);
            super::iac_inputs_apply(&args.iac, &root, &discovery)?;
            discovery
        }
    };
    phase::mark("discovery");
    let framework_version = discovery.framework_version;
    let incomplete = unread_projects(&discovery);
    let monorepo = !discovery.projects.is_empty();
    // A configuration that cannot be read: its errors on stderr, nothing on stdout or
    // -o, exit 2 (a policy generated without the config would be pasted as if it held).
    if let Some(error) = discovery_stop(&discovery, args.config_fallback) {
        for d in discovery.config_errors() {
            note(&leastrole_render::diagnostic_line(d));
        }
        bail!(error);
    }
    // `--format sam` patches `AWS::Serverless::Function`s; a plain CloudFormation or CDK
    // function (`AWS::Lambda::Function`) has no `Policies` property to take it.
    let not_sam: Vec<String> = discovery
        .functions
        .iter()
        .filter(|f| matches!(f.framework, Framework::CloudFormation | Framework::Cdk))
        .filter(|f| !matches!(f.entry, Entry::Unsupported { .. }))
        .map(|f| f.name.clone())
        .collect();
    // `--format terraform` keeps the references of a Terraform project's functions.
    let terraform: BTreeSet<String> = discovery
        .functions
        .iter()
        .filter(|f| f.framework == Framework::Terraform)
        .map(|f| f.name.clone())
        .collect();
    let terraform_roles: BTreeMap<String, String> = discovery
        .functions
        .iter()
        .filter(|f| f.framework == Framework::Terraform)
        .filter_map(|f| {
            let role = f.declared.as_ref()?.terraform_role.clone()?;
            Some((f.name.clone(), role))
        })
        .collect();
    let overlay;
    let maps: &Maps = match &args.maps {
        Some(dir) => {
            overlay = Maps::with_overlay(dir)
                .with_context(|| format!("cannot load --maps {}", dir.display()))?;
            &overlay
        }
        None => Maps::embedded(),
    };
    let progress = Progress::new(discovery.functions.len(), !args.quiet);
    let report = build_report_with(maps, discovery, &analysis_options(args.analysis), &|name| {
        progress.done(name)
    });
    progress.finish();
    phase::mark("resolution and policies");
    let mut report = report.context("the service maps are broken")?;
    // With `--handler` or `--function` every function of the report was asked for.
    let named = !args.handlers.is_empty() || !args.functions.is_empty();
    let named_errors = if named {
        report.named_not_analysed(|_| true)
    } else {
        Vec::new()
    };
    let named_not_analysed = !named_errors.is_empty();
    report.diagnostics.extend(named_errors);
    let format = args.format.unwrap_or(
        if std::io::stdout().is_terminal() && args.output.is_none() {
            GenerateFormat::Text
        } else {
            GenerateFormat::Json
        },
    );
    // The paste-ready formats patch one project's configuration: from a monorepo, the
    // functions of one project (picked with --function), under their own names there.
    if monorepo && format.is_paste_ready() {
        report = one_project(report, format)?;
    }
    let report = match format {
        GenerateFormat::Text | GenerateFormat::Json | GenerateFormat::Iam => {
            report.with_plain_output_diagnostics(|_, _| false)
        }
        // A Terraform project's function keeps its Terraform references there.
        GenerateFormat::Terraform => report.with_plain_output_diagnostics(|function, id| {
            terraform.contains(function) && is_terraform_address(id)
        }),
        GenerateFormat::Cloudformation
        | GenerateFormat::Serverless
        | GenerateFormat::Sam
        | GenerateFormat::Statements => report,
    };
    let render = RenderOptions {
        env: ArnEnv {
            partition: args.arn.partition.clone(),
            region: args.arn.region.clone(),
            account: args.arn.account.clone(),
        },
        explain: args.explain,
        terraform,
        terraform_roles,
    };
    let text = match format {
        GenerateFormat::Text => leastrole_render::report_text(&report, &render),
        GenerateFormat::Json => leastrole_render::report_json(&report, &render),
        GenerateFormat::Iam => leastrole_render::iam(&report, &render),
        GenerateFormat::Cloudformation => leastrole_render::cloudformation(&report, &render),
        GenerateFormat::Serverless => {
            let flavor = match args.serverless_flavor {
                Some(Flavor::V4) => ServerlessFlavor::V4,
                Some(Flavor::V3) => ServerlessFlavor::V3,
                // The keys the project's own framework version reads.
                None => match framework_version {
                    Some(3) => ServerlessFlavor::V3,
                    _ => ServerlessFlavor::V4,
                },
            };
            leastrole_render::serverless(&report, &render, flavor)
        }
        GenerateFormat::Sam => {
            if !not_sam.is_empty() {
                note(&format!(
                    "leastrole: --format sam writes `Policies` for AWS::Serverless::Function; {} {} AWS::Lambda::Function (no `Policies` property): use --format cloudformation for {}",
                    not_sam.join(", "),
                    if not_sam.len() == 1 { "is an" } else { "are" },
                    if not_sam.len() == 1 { "it" } else { "them" },
                ));
            }
            leastrole_render::sam(&report, &render)
        }
        GenerateFormat::Terraform => leastrole_render::terraform(&report, &render),
        GenerateFormat::Statements => leastrole_render::statements_json(&report),
    };
    phase::mark("rendering");
    let has_error = report.all_diagnostics().any(|d| d.level == Level::Error);
    let nothing_analysed = has_error && report.functions.is_empty();
    // The text format carries its diagnostics; the machine formats keep stdout clean and
    // repeat warnings and errors on stderr (unless `--quiet` and the JSON report, which
    // holds them all), as does an error exit, which writes no text.
    let repeated = match format {
        GenerateFormat::Text => false,
        GenerateFormat::Json => !args.quiet,
        _ => true,
    };
    if repeated || nothing_analysed || named_not_analysed {
        let shown: Vec<&Diagnostic> = report
            .all_diagnostics()
            .filter(|d| d.level >= Level::Warning)
            .collect();
        let full_list = match (format, args.output.as_deref()) {
            (GenerateFormat::Json, Some(path)) if path.as_os_str() != "-" => {
                format!("the JSON report ({})", path.display())
            }
            (GenerateFormat::Json, _) => "the JSON report".to_string(),
            _ => "the JSON report (--format json)".to_string(),
        };
        // An error exit writes no report: its errors are shown in full.
        let every = args.verbose || nothing_analysed || named_not_analysed;
        notes(stderr_diagnostics(
            &shown,
            every,
            std::io::stderr().is_terminal(),
            &full_list,
        ));
    }
    // On an error exit nothing is written: `-o` keeps what it held.
    anyhow::ensure!(
        !nothing_analysed,
        "no function could be analysed (see the errors above)"
    );
    anyhow::ensure!(
        !named_not_analysed,
        "a function named by --handler or --function could not be analysed (see the errors above)"
    );
    // The JSON formats cannot carry a comment: say on stderr which functions have no
    // document and why.
    if matches!(format, GenerateFormat::Iam | GenerateFormat::Statements) {
        for f in &report.functions {
            if (format == GenerateFormat::Iam || !f.is_analysed())
                && let Some(why) = leastrole_render::left_out(f)
            {
                note(&format!("leastrole: {why}"));
            }
        }
    }
    phase::mark("diagnostics on stderr");
    emit(args.output.as_deref(), &text)?;
    phase::mark("writing");
    let warned = report.all_diagnostics().any(|d| d.level >= Level::Warning);
    Ok(if incomplete || (args.strict && warned) {
        Status::Findings
    } else {
        Status::Clean
    })
}

/// A monorepo's report for a paste-ready format: its functions must all belong to one
/// project (else a usage error naming the projects and saying to pick with `--function`),
/// and are named as in that project's configuration (`createOrder`, not
/// `services/orders:createOrder`), so that the output pastes into it.
fn one_project(
    mut report: leastrole_policy::Report,
    format: GenerateFormat,
) -> anyhow::Result<leastrole_policy::Report> {
    let projects: std::collections::BTreeSet<&str> = report
        .functions
        .iter()
        .filter_map(|f| f.project.as_deref())
        .collect();
    if projects.len() > 1 {
        bail!(
            "--format {} writes one project's configuration, and this folder holds several projects ({}): pick the functions of one with --function (e.g. --function {}:<name>), or run leastrole on that project's folder",
            format.name(),
            projects.iter().copied().collect::<Vec<_>>().join(", "),
            projects.first().copied().unwrap_or_default(),
        );
    }
    for f in &mut report.functions {
        if let Some(own) = f
            .project
            .as_deref()
            .and_then(|p| f.name.strip_prefix(p))
            .and_then(|rest| rest.strip_prefix(':'))
        {
            f.name = own.to_string();
        }
    }
    Ok(report)
}
