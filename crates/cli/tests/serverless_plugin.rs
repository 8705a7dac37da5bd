//! The Serverless Framework plugin (`crates/serverless-plugin`, JavaScript) under the
//! README's `cargo test --workspace`: installs its pinned dev dependencies (serverless@3
//! and osls, with `npm ci`) when `node_modules` is missing or older than
//! `package-lock.json`, then runs its tests with Node's built-in runner against this
//! build's `leastrole` binary: unit tests with a fake framework and binary, and the real
//! frameworks' `package` offline on fixture services; and its lint and format checks.
//!
//! Without node or npm, or when `npm ci` cannot reach the registry, the test prints a note
//! and passes locally; under CI (the `CI` variable set) that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const WHAT: &str = "the serverless plugin tests";

fn plugin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../serverless-plugin")
}

fn tool_version(tool: &str) -> Option<String> {
    let out = Command::new(tool).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `npm ci` is needed when `node_modules` was never installed, or installed from an older
/// lock file (npm writes `node_modules/.package-lock.json` on every install).
fn needs_install(dir: &Path) -> bool {
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(dir.join("node_modules/.package-lock.json")),
        modified(dir.join("package-lock.json")),
    ) {
        (Some(installed), Some(lock)) => installed < lock,
        _ => true,
    }
}

/// The plugin folder with its dev dependencies installed, once for every test here (two
/// `npm ci` at once would race on `node_modules`); `Err` says why not.
fn installed() -> Result<PathBuf, String> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let dir = plugin_dir();
            if tool_version("node").is_none() {
                return Err("node is not on PATH".into());
            }
            let Some(npm) = tool_version("npm") else {
                return Err("npm is not on PATH".into());
            };
            if needs_install(&dir) {
                let out = Command::new("npm")
                    .args(["ci", "--prefer-offline", "--no-audit", "--no-fund"])
                    .current_dir(&dir)
                    .output()
                    .map_err(|e| format!("npm does not start: {e}"))?;
                if !out.status.success() {
                    return Err(format!(
                        "npm {npm} ci failed\n{}",
                        leastrole_testkit::shown(&out)
                    ));
                }
            }
            Ok(dir)
        })
        .clone()
}

/// The plugin's code is formatted (prettier) and passes its lint rules (eslint,
/// `eslint.config.js`), as `npm run lint` checks; `npm run format` fixes most of it.
#[test]
fn serverless_plugin_lint_and_format() {
    let dir = match installed() {
        Ok(dir) => dir,
        Err(why) => return leastrole_testkit::tool_missing(WHAT, &why),
    };
    for (tool, args) in [
        ("node_modules/eslint/bin/eslint.js", &["."][..]),
        (
            "node_modules/prettier/bin/prettier.cjs",
            &["--check", "."][..],
        ),
    ] {
        let out = Command::new("node")
            .arg(tool)
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("node starts");
        assert!(
            out.status.success(),
            "{tool} found problems (`npm run format` in crates/serverless-plugin fixes most)\n{}",
            leastrole_testkit::shown(&out)
        );
    }
}

#[test]
fn serverless_plugin_node_tests() {
    let dir = match installed() {
        Ok(dir) => dir,
        Err(why) => return leastrole_testkit::tool_missing(WHAT, &why),
    };
    let mut tests: Vec<PathBuf> = std::fs::read_dir(dir.join("test"))
        .expect("test folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.js"))
        .collect();
    tests.sort();
    assert!(
        tests.len() >= 2,
        "unit and integration test files: {tests:?}"
    );
    let out = Command::new("node")
        .arg("--test")
        .args(&tests)
        .current_dir(&dir)
        .env("LEASTROLE_BINARY", env!("CARGO_BIN_EXE_leastrole"))
        .output()
        .expect("node starts");
    assert!(
        out.status.success(),
        "node --test failed\n{}",
        leastrole_testkit::shown(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("# fail 0"),
        "node --test reported failures\n{}",
        leastrole_testkit::shown(&out)
    );
}
