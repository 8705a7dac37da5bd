//! One module per subcommand.

use std::path::Path;

use leastrole_policy::Options;

use anyhow::Context;

use crate::args::{AnalysisArgs, IacArgs};

pub mod calls;
pub mod check;
pub mod diff;
pub mod generate;
pub mod manifest;
pub mod maps;
mod review;

/// Check that PATH is a project folder, with a message saying what to do when it is not:
/// it does not exist, or it is a file (a handler: give its folder and `--handler`).
pub(crate) fn project_folder(path: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(m) if m.is_file() => {
            let folder = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
                _ => ".".to_string(),
            };
            let module = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            anyhow::bail!(
                "{} is a file; PATH is the project folder. For one handler in it, run `leastrole generate {folder} --handler {module}.<function>` (e.g. `--handler {module}.handler`)",
                path.display()
            )
        }
        Ok(_) => anyhow::bail!("{} is not a folder", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::bail!("{} does not exist", path.display())
        }
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    }
}

/// Check the IaC inputs that must be readable before discovery: a `--terraform-plan`
/// that cannot be read or is not a plan is a usage error (exit 2), not a run without it.
pub(crate) fn iac_inputs(iac: &IacArgs) -> anyhow::Result<()> {
    if let Some(plan) = &iac.terraform_plan {
        leastrole_project::check_terraform_plan(plan).context("--terraform-plan")?;
    }
    Ok(())
}

/// `--var-file` and `--terraform-plan` name a Terraform project's inputs: given for a
/// PATH that is not one (another framework, a plain folder, or a monorepo, whose
/// projects they would not reach), they would be silently unused, and a user who passed
/// them expects the names they give. A usage error (exit 2) saying where they apply.
/// A discovery that stops on configuration errors is left to report those. `--cdk-out`
/// likewise names a CDK app's assembly: unused when PATH's functions come from no CDK
/// app, it is the same error.
pub(crate) fn iac_inputs_apply(
    iac: &IacArgs,
    path: &Path,
    discovery: &leastrole_project::Discovery,
) -> anyhow::Result<()> {
    if iac.cdk_out.is_some()
        && discovery.config_errors().next().is_none()
        && !discovery
            .functions
            .iter()
            .any(|f| f.framework == leastrole_project::Framework::Cdk && f.project.is_none())
    {
        anyhow::bail!(
            "--cdk-out names the cloud assembly of the CDK app at PATH, and {} is none (its functions come from no CDK app{})",
            path.display(),
            if discovery.projects.is_empty() {
                ""
            } else {
                ", and it holds several projects, to none of which it is passed"
            }
        );
    }
    let mut given = Vec::new();
    if !iac.var_files.is_empty() {
        given.push("--var-file");
    }
    if iac.terraform_plan.is_some() {
        given.push("--terraform-plan");
    }
    if given.is_empty() || discovery.config_errors().next().is_some() {
        return Ok(());
    }
    let flags = format!(
        "{} {}",
        given.join(" and "),
        if given.len() == 1 { "applies" } else { "apply" }
    );
    let terraform =
        |f: &&leastrole_project::Function| f.framework == leastrole_project::Framework::Terraform;
    if !discovery.projects.is_empty() {
        let mut folders: Vec<&str> = discovery
            .functions
            .iter()
            .filter(terraform)
            .filter_map(|f| f.project.as_deref())
            .collect();
        folders.dedup();
        let hint = match folders.as_slice() {
            [] => "it holds no Terraform project".to_string(),
            list => format!(
                "run leastrole on the Terraform project's folder ({})",
                list.iter()
                    .map(|f| path.join(f).display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        anyhow::bail!(
            "{flags} to the Terraform project at PATH, and {} holds several projects, to none of which they are passed: {hint}",
            path.display()
        );
    }
    if !discovery.functions.iter().any(|f| terraform(&f)) {
        anyhow::bail!(
            "{flags} to a Terraform project, and {} is none (no Terraform root module defines its functions)",
            path.display()
        );
    }
    Ok(())
}

/// The analysis options of `generate`, `check` and `diff --git`.
pub(crate) fn analysis_options(a: AnalysisArgs) -> Options {
    Options {
        kms: a.kms,
        pass_role: a.pass_role,
        s3_not_found: a.s3_not_found,
        template_keys: Vec::new(),
    }
}
