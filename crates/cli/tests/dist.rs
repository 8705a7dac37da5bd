//! The install routes end to end: `dist/build.sh` builds what a user installs (the npm
//! packages, the wheel, the release archive) into a temporary folder; the npm tarballs go
//! into an empty project and the wheel into a virtual environment, with no `leastrole` on
//! PATH and no `LEASTROLE_BINARY`; `leastrole --version` answers from both, and
//! `serverless package` (serverless@3 from the plugin's dev dependencies) with the plugin
//! installed from its tarball gives each function its own role.
//!
//! The build is dist/build.sh's, with the `dist-check` profile (`dist` unoptimised: the
//! packages are the same, and the compile takes a quarter of a release one's time), into
//! `<target>/dist` (its own folder, so the debug build of the suite is untouched and a
//! second run reuses it): a minute on a cold cache.
//! Without node, npm, python3 with venv, maturin, or the plugin's installed dev
//! dependencies, the test prints a note and passes locally; under CI it fails.

#![cfg(unix)]

use leastrole_testkit::copy_dir;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use leastrole_testkit::{shown, tool_missing};

const WHAT: &str = "the install test (dist/build.sh)";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn answers(tool: &str, args: &[&str]) -> bool {
    Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Why the test cannot run here, if it cannot.
fn missing() -> Option<String> {
    for (tool, args) in [
        ("node", &["--version"][..]),
        ("npm", &["--version"][..]),
        ("python3", &["-m", "venv", "--help"][..]),
        ("maturin", &["--version"][..]),
    ] {
        if !answers(tool, args) {
            return Some(format!("`{tool} {}` does not run", args.join(" ")));
        }
    }
    let sls = serverless_cli();
    (!sls.is_file()).then(|| {
        format!(
            "{} is missing (npm ci in crates/serverless-plugin)",
            sls.display()
        )
    })
}

fn serverless_cli() -> PathBuf {
    root().join("crates/serverless-plugin/node_modules/serverless/bin/serverless.js")
}

/// PATH without any folder that holds a `leastrole`, so only the installs can answer.
fn path_without_leastrole() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("leastrole").exists())
        .collect();
    std::env::join_paths(dirs)
        .expect("PATH folders join")
        .into_string()
        .expect("PATH is UTF-8")
}

/// A command with the clean PATH, no `LEASTROLE_BINARY`, no AWS credentials.
fn clean(program: impl AsRef<std::ffi::OsStr>, path: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("PATH", path).env_remove("LEASTROLE_BINARY");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn ok(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed\n{}", shown(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("folder entry").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    found.sort();
    found
}

#[test]
fn built_packages_install_and_run_without_rust() {
    if let Some(why) = missing() {
        return tool_missing(WHAT, &why);
    }
    let version = format!("leastrole {}", env!("CARGO_PKG_VERSION"));
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    // `<target>/dist`: CARGO_TARGET_TMPDIR is `<target>/tmp`.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target folder")
        .join("dist");
    let build = Command::new("bash")
        .arg(root().join("dist/build.sh"))
        .arg(&out)
        .env("CARGO_TARGET_DIR", &target)
        .env("LEASTROLE_PROFILE", "dist-check")
        .env_remove("LEASTROLE_TARGET")
        .output()
        .expect("run bash");
    ok(build, "dist/build.sh");

    // The release archive and its checksum, named as docs/ci.md says the action expects.
    let archives = files(&out.join("archive"), ".tar.gz");
    assert_eq!(archives.len(), 1, "{archives:?}");
    let name = archives[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with(&format!("leastrole-{}-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );
    let sums = std::fs::read_to_string(out.join("archive").join(format!("{name}.sha256")))
        .expect("the .sha256 beside the archive");
    assert!(sums.trim_end().ends_with(&name), "{sums}");

    let path = path_without_leastrole();

    // npm: the tarballs into an empty project, from the tarballs alone (--offline).
    let tarballs = files(&out.join("npm"), ".tgz");
    let names: Vec<String> = tarballs
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("serverless-leastrole-")));
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&project).expect("project folder");
    std::fs::write(
        project.join("package.json"),
        r#"{ "name": "install-test", "version": "0.0.0", "private": true }"#,
    )
    .expect("package.json");
    ok(
        clean("npm", &path)
            .args(["install", "--offline", "--no-audit", "--no-fund"])
            .args(&tarballs)
            .current_dir(&project)
            .output()
            .expect("run npm"),
        "npm install of the tarballs",
    );
    let npm_version = ok(
        clean(project.join("node_modules/.bin/leastrole"), &path)
            .arg("--version")
            .output()
            .expect("run the npm shim"),
        "leastrole --version from npm",
    );
    assert!(npm_version.starts_with(&version), "{npm_version}");

    // Python: the wheel into a virtual environment, no index.
    let venv = tmp.path().join("venv");
    ok(
        clean("python3", &path)
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .expect("run python3"),
        "python3 -m venv",
    );
    let wheels = files(&out.join("python"), ".whl");
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    ok(
        clean(venv.join("bin/python"), &path)
            .args(["-m", "pip", "install", "--no-index", "--quiet"])
            .arg(&wheels[0])
            .output()
            .expect("run pip"),
        "pip install of the wheel",
    );
    let pip_version = ok(
        clean(venv.join("bin/leastrole"), &path)
            .arg("--version")
            .output()
            .expect("run the wheel's leastrole"),
        "leastrole --version from the wheel",
    );
    assert!(pip_version.starts_with(&version), "{pip_version}");

    // The plugin from its tarball finds the leastrole package's binary by itself.
    copy_dir(
        &root().join("crates/serverless-plugin/test/fixtures/orders-v3"),
        &project,
    );
    let package = tmp.path().join("package");
    ok(
        clean("node", &path)
            .arg(serverless_cli())
            .args(["package", "--package"])
            .arg(&package)
            .env("SLS_TELEMETRY_DISABLED", "1")
            .env("SLS_NOTIFICATIONS_MODE", "off")
            .current_dir(&project)
            .output()
            .expect("run serverless"),
        "serverless package",
    );
    let template: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(package.join("cloudformation-template-update-stack.json"))
            .expect("the packaged template"),
    )
    .expect("template JSON");
    let resources = &template["Resources"];
    assert!(
        resources.get("IamRoleLambdaExecution").is_none(),
        "the shared role is gone"
    );
    for function in ["CreateOrder", "Worker", "Report"] {
        let role = format!("{function}IamRoleLeastrole");
        assert_eq!(resources[&role]["Type"], "AWS::IAM::Role", "{role}");
        let lambda = &resources[format!("{function}LambdaFunction")];
        assert_eq!(
            lambda["Properties"]["Role"],
            serde_json::json!({ "Fn::GetAtt": [role, "Arn"] }),
            "{function}"
        );
    }
}

/// The npm shim on a platform the release has no binary for, and on one whose platform
/// package is not installed: an error that names the platform and says which case it is.
#[test]
fn npm_shim_names_the_platform_it_has_no_binary_for() {
    if !answers("node", &["--version"]) {
        return tool_missing("the npm shim test", "node is not on PATH");
    }
    let index = root().join("dist/npm/leastrole/index.js");
    let out = Command::new("node")
        .arg("-e")
        .arg(
            "const { binaryPath } = require(process.argv[1]);
             for (const [os, cpu] of [['sunos', 'sparc'], ['darwin', 'arm64']]) {
               try { binaryPath(os, cpu); console.log('found'); }
               catch (e) { console.log(e.message); }
             }",
        )
        .arg(&index)
        .output()
        .expect("run node");
    let text = ok(out, "node");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains("(sunos-sparc)") && lines[0].contains("no prebuilt binary is published"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("(darwin-arm64)")
            && lines[1].contains("leastrole-darwin-arm64 is not installed"),
        "{}",
        lines[1]
    );
}
