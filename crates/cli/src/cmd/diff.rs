//! `leastrole diff OLD NEW` and `leastrole diff --git BASE [PATH]`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use leastrole_lang::Diagnostic;
use leastrole_maps::Maps;
use leastrole_policy::ArnEnv;
use leastrole_project::{DiscoverOptions, discover, is_config_error};
use leastrole_review::{Catalog, PolicySet, Review, ReviewKind};

use crate::Status;
use crate::args::{AnalysisArgs, DiffArgs};
use crate::cmd::analysis_options;
use crate::cmd::review::{Ending, arn_env, config_stop, load_maps, repo_prefix};
use leastrole_pipeline::build_report;

pub fn run(args: DiffArgs) -> anyhow::Result<Status> {
    super::iac_inputs(&args.iac)?;
    let maps = load_maps(args.maps.as_deref())?;
    let maps = maps.get();
    let catalog = Catalog::new(maps);
    let env = arn_env(&args.arn);
    let ending = |uri_prefix: String| Ending {
        format: args.format,
        fail_on: args.fail_on,
        uri_prefix,
        output: args.output.as_ref(),
        strict: false,
        // A side whose configuration cannot be read stops the diff (exit 2), monorepo
        // or not: its functions would show as removed or added.
        incomplete: false,
    };
    let (old, new, prefix) = match &args.git {
        Some(base) => {
            anyhow::ensure!(
                args.paths.len() <= 1,
                "--git takes at most one folder (the project), got {}",
                args.paths.len()
            );
            let root = args
                .paths
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            let prefix = repo_prefix(&root);
            match git_sets(maps, base, &root, &args, &env)? {
                (Generated::Set(old), Generated::Set(new)) => (old, new, prefix),
                (old, new) => {
                    // A configuration that cannot be read at either revision: the review
                    // says so (in every format) and the command fails.
                    let mut diagnostics = Vec::new();
                    for (side, generated) in [(Some(base.as_str()), old), (None, new)] {
                        let Generated::ConfigError(diags) = generated else {
                            continue;
                        };
                        diagnostics.extend(diags.into_iter().filter(is_config_error).map(
                            |mut d| {
                                if let Some(base) = side {
                                    d.message = format!("at {base}: {}", d.message);
                                }
                                d
                            },
                        ));
                    }
                    let error = config_stop(&diagnostics, false);
                    let review = Review {
                        kind: ReviewKind::Diff,
                        functions: Vec::new(),
                        diagnostics,
                        roles: Vec::new(),
                    };
                    return ending(prefix).finish(&review, error);
                }
            }
        }
        None => {
            // clap's `requires` cannot go on a shared group: the same check by hand.
            anyhow::ensure!(
                args.analysis == AnalysisArgs::default(),
                "--kms, --pass-role and --s3-not-found apply to --git (OLD and NEW are already generated)"
            );
            let [old, new] = args.paths.as_slice() else {
                bail!("diff needs OLD and NEW (two reports or policy documents), or --git BASE");
            };
            let (mut old, new) = (read(old, &catalog)?, read(new, &catalog)?);
            same_function(&mut old, &new);
            (old, new, String::new())
        }
    };
    let review =
        leastrole_review::diff(&old, &new, &catalog).context("the service maps are broken")?;
    ending(prefix).finish(&review, None)
}

/// Two one-function inputs (policy documents, single-function reports) are the same
/// function whatever each is named: a document is named after its file, so `old.json`
/// and `new.json` would otherwise be one function removed and another added. OLD's
/// function takes NEW's name.
fn same_function(old: &mut PolicySet, new: &PolicySet) {
    if old.functions.len() != 1 || new.functions.len() != 1 {
        return;
    }
    let Some(name) = new.functions.keys().next() else {
        return;
    };
    if let Some((_, pairs)) = old.functions.pop_first() {
        old.functions.insert(name.clone(), pairs);
    }
}

fn read(path: &Path, catalog: &Catalog<'_>) -> anyhow::Result<PolicySet> {
    anyhow::ensure!(
        !path.is_dir(),
        "{} is a folder: diff OLD NEW compares two files (`generate --format json` reports or IAM policy documents); to compare a project with a git revision, use `leastrole diff --git BASE {}`",
        path.display(),
        path.display()
    );
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "policy".to_string());
    PolicySet::read(&text, &name, catalog).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The policies of the project at `root`; `checkout` is the temporary checkout of the
/// base revision holding it (no `.git` there: reads are confined to the checkout).
fn generate(
    maps: &Maps,
    root: &Path,
    checkout: Option<&Path>,
    args: &DiffArgs,
    env: &ArnEnv,
) -> anyhow::Result<Generated> {
    let mut allow_outside = args.allow_outside.clone();
    allow_outside.extend(checkout.map(Path::to_path_buf));
    let discovery = discover(
        root,
        &DiscoverOptions {
            handlers: Vec::new(),
            functions: args.functions.clone(),
            stage: args.stage.clone(),
            use_env: args.use_env,
            config_fallback: args.config_fallback,
            allow_outside,
            var_files: args.iac.var_files.clone(),
            terraform_plan: args.iac.terraform_plan.clone(),
            cdk_out: args.iac.cdk_out.clone(),
        },
    );
    if config_stop(&discovery.diagnostics, args.config_fallback).is_some() {
        return Ok(Generated::ConfigError(discovery.diagnostics));
    }
    // The working tree decides: the base revision may predate the Terraform project.
    if checkout.is_none() {
        super::iac_inputs_apply(&args.iac, root, &discovery)?;
    }
    let report = build_report(maps, discovery, &analysis_options(args.analysis))
        .context("the service maps are broken")?;
    Ok(Generated::Set(PolicySet::from_report(&report, env)))
}

/// One side of `diff --git`: its policies, or the discovery diagnostics of a
/// configuration that cannot be read.
enum Generated {
    Set(PolicySet),
    ConfigError(Vec<Diagnostic>),
}

fn git(dir: &Path, args: &[&str], index: Option<&Path>) -> anyhow::Result<String> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    if let Some(index) = index {
        cmd.env("GIT_INDEX_FILE", index);
    }
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow::anyhow!("--git needs git on PATH, and it is not there")
        } else {
            anyhow::anyhow!("cannot run git: {e}")
        }
    })?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The policies at `base` (from a temporary checkout) and in the working tree.
fn git_sets(
    maps: &Maps,
    base: &str,
    root: &Path,
    args: &DiffArgs,
    env: &ArnEnv,
) -> anyhow::Result<(Generated, Generated)> {
    super::project_folder(root)?;
    let top = git(root, &["rev-parse", "--show-toplevel"], None)
        .with_context(|| format!("{} is not inside a git repository", root.display()))?;
    let prefix = git(root, &["rev-parse", "--show-prefix"], None)?;
    let commit = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{base}^{{commit}}"),
        ],
        None,
    )
    .map_err(|_| {
        anyhow::anyhow!(
            "--git {base}: unknown revision (not in this clone); fetch it first (`git fetch origin {base}`), and in GitHub Actions check out with `fetch-depth: 0` (actions/checkout fetches one commit by default)"
        )
    })?;
    // A private index in a temporary folder: the repository's index, worktrees and refs
    // are never touched, and the folder goes away on every path out of this function.
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    let index = tmp.path().join("index");
    let tree = tmp.path().join("tree");
    let top = PathBuf::from(top);
    git(&top, &["read-tree", &commit], Some(&index))?;
    let mut dest = tree.to_string_lossy().into_owned();
    dest.push(std::path::MAIN_SEPARATOR);
    git(
        &top,
        &[
            "checkout-index",
            "--all",
            "--force",
            &format!("--prefix={dest}"),
        ],
        Some(&index),
    )?;
    let old_root = tree.join(&prefix);
    let old = if old_root.is_dir() {
        generate(maps, &old_root, Some(&tree), args, env)?
    } else {
        // The project did not exist at BASE: every function is new.
        Generated::Set(PolicySet::default())
    };
    let new = generate(maps, root, None, args, env)?;
    Ok((old, new))
}
