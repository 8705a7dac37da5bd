//! `leastrole diff OLD NEW` and `leastrole diff --git BASE [PATH]`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use leastrole_maps::Maps;
use leastrole_policy::ArnEnv;
use leastrole_project::{DiscoverOptions, discover};
use leastrole_review::{Catalog, PolicySet};

use crate::Status;
use crate::args::{AnalysisArgs, DiffArgs};
use crate::cmd::analysis_options;
use crate::cmd::review::{arn_env, fail_on, finish, load_maps, repo_prefix};
use crate::pipeline::build_report;

pub fn run(args: DiffArgs) -> anyhow::Result<Status> {
    let maps = load_maps(args.maps.as_deref())?;
    let maps = maps.get();
    let catalog = Catalog::new(maps);
    let env = arn_env(&args.arn);
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
            let (old, new) = git_sets(maps, base, &root, &args, &env)?;
            (old, new, repo_prefix(&root))
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
            (read(old, &catalog)?, read(new, &catalog)?, String::new())
        }
    };
    let review =
        leastrole_review::diff(&old, &new, &catalog).context("the service maps are broken")?;
    finish(
        &review,
        args.format,
        fail_on(args.fail_on),
        prefix,
        args.output.as_ref(),
    )
}

fn read(path: &Path, catalog: &Catalog<'_>) -> anyhow::Result<PolicySet> {
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
) -> anyhow::Result<PolicySet> {
    let mut allow_outside = args.allow_outside.clone();
    allow_outside.extend(checkout.map(Path::to_path_buf));
    let discovery = discover(
        root,
        &DiscoverOptions {
            handlers: Vec::new(),
            functions: args.functions.clone(),
            stage: args.stage.clone(),
            use_env: args.use_env,
            allow_outside,
        },
    );
    let report = build_report(maps, discovery, &analysis_options(args.analysis))
        .context("the service maps are broken")?;
    Ok(PolicySet::from_report(&report, env))
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
) -> anyhow::Result<(PolicySet, PolicySet)> {
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
    .with_context(|| format!("--git {base}: no such revision"))?;
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
        PolicySet::default()
    };
    let new = generate(maps, root, None, args, env)?;
    Ok((old, new))
}
