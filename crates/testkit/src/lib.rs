//! leastrole-testkit: what the test suites of every crate share (a dev-dependency only).
//!
//! One rule for a tool a test needs (node, npm, git, cfn-lint, python3, ruff) that is
//! missing: locally the test says why and passes; under CI, where `.ci/run` installs
//! every such tool, it fails, so that a broken install step cannot turn a suite green by
//! skipping it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixture projects' folder, `fixtures/projects` at the top of the workspace.
pub fn fixture_projects() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/projects")
}

/// The fixture project `name` (a folder of `fixtures/projects`).
pub fn fixture_project(name: &str) -> PathBuf {
    fixture_projects().join(name)
}

/// Whether this run is CI: `CI` set to anything but empty, `false` or `0`.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `what` cannot run because of `why`: fails under CI, else prints a note. The caller
/// returns right after.
#[expect(
    clippy::print_stderr,
    reason = "the note tells a local run what it did not test"
)]
pub fn tool_missing(what: &str, why: &str) {
    assert!(!in_ci(), "{what} cannot run under CI: {why}");
    eprintln!("note: skipping {what}: {why}");
}

/// A finished command's status and output, for an assertion message.
pub fn shown(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `git -C dir args…` with a fixed author, asserting it succeeds; its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", shown(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Copy a folder tree (files and folders only) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// Run the leastrole binary at `bin` (a test's `env!("CARGO_BIN_EXE_leastrole")`) with
/// `args`, clear of what the environment could set for it (the ARN defaults, a GitHub
/// step summary), so a developer's shell or a CI job does not change the outcome.
pub fn leastrole_clean(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("LEASTROLE_PARTITION")
        .env_remove("LEASTROLE_REGION")
        .env_remove("LEASTROLE_ACCOUNT")
        .output()
        .expect("the leastrole binary runs")
}

/// The function named `name` in a `generate --format json` report; panics, showing the
/// report's functions, when there is none.
pub fn report_function<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["functions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| {
            panic!(
                "no function {name} in {}",
                serde_json::to_string_pretty(&report["functions"]).unwrap_or_default()
            )
        })
}
