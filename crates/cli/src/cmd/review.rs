//! What `check` and `diff` share: maps loading, format choice, rendering, the job summary
//! and the exit status from `--fail-on`.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use leastrole_lang::{Diagnostic, Level};
use leastrole_maps::Maps;
use leastrole_policy::ArnEnv;
use leastrole_project::{Discovery, is_config_error};
use leastrole_render::ReviewOptions;
use leastrole_review::{FailOn, Review};

use crate::Status;
use crate::args::{ArnArgs, ReviewFormat};
use crate::output::emit;

pub(crate) fn arn_env(a: &ArnArgs) -> ArnEnv {
    ArnEnv {
        partition: a.partition.clone(),
        region: a.region.clone(),
        account: a.account.clone(),
    }
}

/// The embedded maps, or an overlay.
pub(crate) fn load_maps(dir: Option<&Path>) -> anyhow::Result<MapsHolder> {
    Ok(match dir {
        Some(dir) => MapsHolder::Overlay(Box::new(
            Maps::with_overlay(dir)
                .with_context(|| format!("cannot load --maps {}", dir.display()))?,
        )),
        None => MapsHolder::Embedded,
    })
}

pub(crate) enum MapsHolder {
    Embedded,
    Overlay(Box<Maps>),
}

impl MapsHolder {
    pub(crate) fn get(&self) -> &Maps {
        match self {
            MapsHolder::Embedded => Maps::embedded(),
            MapsHolder::Overlay(m) => m,
        }
    }
}

/// `dir` relative to the root of the git repository that holds it, with a trailing `/`
/// (empty at the root, or when it is not in a repository or git is missing).
pub(crate) fn repo_prefix(dir: &Path) -> String {
    let Ok(out) = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-prefix"])
        .output()
    else {
        return String::new();
    };
    if !out.status.success() {
        return String::new();
    }
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Why `generate` or `check` must stop (exit 2) on this discovery: [`config_stop`] for a
/// folder that is one project. In a monorepo a project whose configuration cannot be read
/// does not stop the others: its errors are reported with their results, and the command
/// exits 1 ([`unread_projects`]).
pub(crate) fn discovery_stop(discovery: &Discovery, fallback: bool) -> Option<String> {
    if discovery.projects.is_empty() {
        config_stop(&discovery.diagnostics, fallback)
    } else {
        None
    }
}

/// Whether some project of a monorepo could not be read: the output holds the others,
/// and the command exits 1 whatever `--strict` and `--fail-on` say, since the run is
/// incomplete.
pub(crate) fn unread_projects(discovery: &Discovery) -> bool {
    !discovery.projects.is_empty() && discovery.config_errors().next().is_some()
}

/// Why a command must stop (exit 2) on these discovery diagnostics: a configuration file
/// that cannot be read, unless the user passed `--config-fallback`.
pub(crate) fn config_stop(diagnostics: &[Diagnostic], fallback: bool) -> Option<String> {
    if fallback {
        return None;
    }
    let files: BTreeSet<String> = diagnostics
        .iter()
        .filter(|d| is_config_error(d))
        .map(|d| {
            d.location
                .as_ref()
                .map_or_else(|| d.code.clone(), |l| l.file.clone())
        })
        .collect();
    if files.is_empty() {
        return None;
    }
    Some(format!(
        "the configuration cannot be read ({}); fix it, or pass --config-fallback to carry on without it",
        files.into_iter().collect::<Vec<_>>().join(", ")
    ))
}

/// How `check` and `diff` end: the format and destination of the review, and what
/// decides the exit status.
#[derive(Debug)]
pub(crate) struct Ending<'a> {
    pub(crate) format: Option<ReviewFormat>,
    pub(crate) fail_on: FailOn,
    /// The project folder relative to the repository (annotations and SARIF paths).
    pub(crate) uri_prefix: String,
    pub(crate) output: Option<&'a PathBuf>,
    pub(crate) strict: bool,
    /// Part of the input could not be read (a monorepo project's configuration): exit 1.
    pub(crate) incomplete: bool,
}

impl Ending<'_> {
    /// Render, write, write the job summary, and decide the exit status: `error` (the
    /// review is rendered with it, then the command fails: exit 2), else `--fail-on`,
    /// else `--strict` (any warning-level diagnostic).
    pub(crate) fn finish(&self, review: &Review, error: Option<String>) -> anyhow::Result<Status> {
        let format = self.format.unwrap_or(
            if std::io::stdout().is_terminal() && self.output.is_none() {
                ReviewFormat::Text
            } else {
                ReviewFormat::Json
            },
        );
        let options = ReviewOptions {
            uri_prefix: self.uri_prefix.clone(),
            fail_on: self.fail_on,
            error: error.clone(),
        };
        let text = match format {
            ReviewFormat::Text => leastrole_render::review_text(review, &options),
            ReviewFormat::Markdown => leastrole_render::review_markdown(review, &options),
            ReviewFormat::Json => leastrole_render::review_json(review, &options),
            ReviewFormat::Sarif => leastrole_render::review_sarif(review, &options),
            ReviewFormat::Github => leastrole_render::review_github(review, &options),
        };
        if format == ReviewFormat::Github
            && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty())
        {
            // The Markdown stays under 65,536 characters, far below the summary's 1 MiB.
            let markdown = leastrole_render::review_markdown(review, &options);
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&summary)
                .with_context(|| {
                    format!(
                        "cannot open GITHUB_STEP_SUMMARY {}",
                        Path::new(&summary).display()
                    )
                })?;
            file.write_all(markdown.as_bytes()).with_context(|| {
                format!(
                    "cannot write GITHUB_STEP_SUMMARY {}",
                    Path::new(&summary).display()
                )
            })?;
        }
        emit(self.output.map(PathBuf::as_path), &text)?;
        if let Some(error) = error {
            bail!(error);
        }
        let warned = review
            .diagnostics
            .iter()
            .chain(
                review
                    .functions
                    .iter()
                    .chain(&review.roles)
                    .flat_map(|f| &f.diagnostics),
            )
            .any(|d| d.level >= Level::Warning);
        Ok(
            if self.incomplete
                || review.gating(self.fail_on).next().is_some()
                || (self.strict && warned)
            {
                Status::Findings
            } else {
                Status::Clean
            },
        )
    }
}
