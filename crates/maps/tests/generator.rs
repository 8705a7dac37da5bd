//! The service-maps generator (`service-maps/generator`, Python) under `cargo test`: its unit
//! tests (standard-library `unittest`, small inline inputs, none of the pinned packages) and
//! its lint (`ruff check` with the generator's `ruff.toml`, ruff pinned in
//! `requirements-dev.txt`).
//!
//! Without python3 or the pinned ruff the test prints a note and passes locally; under CI
//! (the `CI` variable set) that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

fn generator_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../service-maps/generator")
}

#[test]
fn generator_unit_tests_pass() {
    let dir = generator_dir();
    let out = match Command::new("python3")
        .args(["-m", "unittest", "discover", "-s", "tests", "-t", "."])
        .current_dir(&dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            return leastrole_testkit::tool_missing("a generator check", &format!("python3: {e}"));
        }
    };
    assert!(
        out.status.success(),
        "generator unit tests\n{}",
        leastrole_testkit::shown(&out)
    );
    // `unittest` exits 0 with "Ran 0 tests" when discovery finds nothing (status 5 on 3.12+).
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("Ran 0 tests"),
        "no generator unit test found\n{}",
        leastrole_testkit::shown(&out)
    );
}

/// The ruff version `requirements-dev.txt` pins.
fn pinned_ruff(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("requirements-dev.txt"))
        .unwrap_or_else(|e| panic!("requirements-dev.txt: {e}"));
    text.lines()
        .find_map(|l| l.trim().strip_prefix("ruff=="))
        .expect("requirements-dev.txt pins ruff")
        .to_string()
}

#[test]
fn generator_passes_its_lint() {
    let dir = generator_dir();
    let pinned = pinned_ruff(&dir);
    // The README's venv first (a developer who set up the generator), then PATH (CI).
    let venv = dir.join(".work/venv/bin/ruff");
    let ruff = if venv.exists() {
        venv
    } else {
        PathBuf::from("ruff")
    };
    let version = match Command::new(&ruff).arg("--version").output() {
        Ok(out) => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        Err(e) => {
            return leastrole_testkit::tool_missing("a generator check", &format!("ruff: {e}"));
        }
    };
    if version != format!("ruff {pinned}") {
        return leastrole_testkit::tool_missing(
            "a generator check",
            &format!("{version} found, ruff {pinned} pinned (requirements-dev.txt)"),
        );
    }
    let out = Command::new(&ruff)
        .args(["check", "--no-cache", "."])
        .current_dir(&dir)
        .output()
        .expect("ruff ran once already");
    assert!(
        out.status.success(),
        "ruff check\n{}",
        leastrole_testkit::shown(&out)
    );
}
