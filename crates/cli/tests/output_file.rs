//! Files written with `-o`: the mode a plain write would give them (issue 17). The
//! atomic write goes through a temporary file, created 0600 by default, which made a
//! policy written in one CI step unreadable to a step running as another user.
#![cfg(unix)]

use leastrole_testkit::fixture_project;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// `leastrole generate plain-python --format iam -o OUT` under umask 022.
fn generate_to(out: &Path) {
    let bin = assert_cmd::cargo::cargo_bin("leastrole");
    let status = Command::new("sh")
        .arg("-c")
        .arg(r#"umask 022 && exec "$0" "$@""#)
        .arg(&bin)
        .arg("generate")
        .arg(fixture_project("plain-python"))
        .args(["--format", "iam", "--quiet", "-o"])
        .arg(out)
        .status()
        .expect("sh runs");
    assert!(status.success(), "generate failed: {status}");
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("written")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn a_new_file_gets_0644_under_the_default_umask() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("policy.json");
    generate_to(&out);
    assert_eq!(mode(&out), 0o644, "mode {:o}", mode(&out));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("\"Statement\""), "{text}");
}

#[test]
fn a_replaced_file_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("policy.json");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    generate_to(&out);
    assert_eq!(mode(&out), 0o640, "mode {:o}", mode(&out));
    assert_ne!(std::fs::read_to_string(&out).unwrap(), "old");
}
