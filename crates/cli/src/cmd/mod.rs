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

/// The analysis options of `generate`, `check` and `diff --git`.
pub(crate) fn analysis_options(a: AnalysisArgs) -> Options {
    Options {
        kms: a.kms,
        pass_role: a.pass_role,
        s3_not_found: a.s3_not_found,
        template_keys: Vec::new(),
    }
}
