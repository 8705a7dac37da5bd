//! `leastrole generate`: one least-privilege policy per function.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use leastrole_lang::Level;
use leastrole_maps::Maps;
use leastrole_policy::ArnEnv;
use leastrole_project::{DiscoverOptions, discover};
use leastrole_render::{RenderOptions, ServerlessFlavor};

use crate::Status;
use crate::args::{Flavor, GenerateArgs, GenerateFormat};
use crate::cmd::analysis_options;
use crate::output::{emit, note};
use crate::pipeline::build_report_with;
use crate::progress::Progress;

pub fn run(args: GenerateArgs) -> anyhow::Result<Status> {
    let options = DiscoverOptions {
        handlers: args.handlers.clone(),
        functions: args.functions.clone(),
        stage: args.stage.clone(),
        use_env: args.use_env,
        allow_outside: args.allow_outside.clone(),
    };
    let discovery = match &args.manifest {
        Some(manifest) => super::manifest::discover(manifest, &options)?.discovery,
        None => {
            let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
            super::project_folder(&root)?;
            discover(&root, &options)
        }
    };
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
    let report = report.context("the service maps are broken")?;
    let format = args.format.unwrap_or(
        if std::io::stdout().is_terminal() && args.output.is_none() {
            GenerateFormat::Text
        } else {
            GenerateFormat::Json
        },
    );
    let report = match format {
        GenerateFormat::Text
        | GenerateFormat::Json
        | GenerateFormat::Iam
        | GenerateFormat::Terraform => report.with_plain_output_diagnostics(),
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
    };
    let text = match format {
        GenerateFormat::Text => leastrole_render::report_text(&report, &render),
        GenerateFormat::Json => leastrole_render::report_json(&report, &render),
        GenerateFormat::Iam => leastrole_render::iam(&report, &render),
        GenerateFormat::Cloudformation => leastrole_render::cloudformation(&report, &render),
        GenerateFormat::Serverless => {
            let flavor = match args.serverless_flavor {
                Flavor::V4 => ServerlessFlavor::V4,
                Flavor::V3 => ServerlessFlavor::V3,
            };
            leastrole_render::serverless(&report, &render, flavor)
        }
        GenerateFormat::Sam => leastrole_render::sam(&report, &render),
        GenerateFormat::Terraform => leastrole_render::terraform(&report, &render),
        GenerateFormat::Statements => leastrole_render::statements_json(&report),
    };
    // The text format carries its diagnostics; the machine formats keep stdout clean and
    // repeat warnings and errors on stderr.
    if format != GenerateFormat::Text {
        for d in report
            .all_diagnostics()
            .filter(|d| d.level >= Level::Warning)
        {
            note(&leastrole_render::diagnostic_line(d));
        }
    }
    emit(args.output.as_deref(), &text)?;
    let has_error = report.all_diagnostics().any(|d| d.level == Level::Error);
    anyhow::ensure!(
        !(has_error && report.functions.is_empty()),
        "no function could be analysed (see the errors above)"
    );
    let warned = report.all_diagnostics().any(|d| d.level >= Level::Warning);
    Ok(if args.strict && warned {
        Status::Findings
    } else {
        Status::Clean
    })
}
