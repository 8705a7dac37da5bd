//! Discovery on the whole projects in `fixtures/projects/`: each project's functions
//! (names, handler files, runtimes, code roots, environments with references and physical
//! names) and diagnostics, as a readable snapshot.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use leastrole_project::{DiscoverOptions, Discovery, Entry, EnvValue, discover};

mod common;

use common::{parts, project};

fn env(v: &EnvValue) -> String {
    match v {
        EnvValue::Literal(s) => format!("{s:?}"),
        EnvValue::Template(ps) => parts(ps),
        EnvValue::Unknown(reason) => format!("<unknown: {reason}>"),
    }
}

/// A readable rendering, paths relative to the project folder.
fn render(root: &Path, d: &Discovery) -> String {
    let mut out = String::from("functions:\n");
    for f in &d.functions {
        let _ = writeln!(out, "- name: {}", f.name);
        let _ = writeln!(out, "  framework: {:?}", f.framework);
        if let Some(s) = &f.source {
            let _ = writeln!(out, "  declared: {}:{}", s.file, s.line);
        }
        let _ = writeln!(out, "  handler: {}", f.handler.as_deref().unwrap_or("-"));
        let _ = writeln!(out, "  runtime: {}", f.runtime.as_deref().unwrap_or("-"));
        let code_root = f
            .code_root
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| f.code_root.display().to_string());
        let code_root = if code_root.is_empty() {
            ".".into()
        } else {
            code_root
        };
        let _ = writeln!(out, "  code_root: {code_root}");
        match &f.entry {
            Entry::Handler { file, export } => {
                let _ = writeln!(out, "  entry: {file} -> {export}");
            }
            Entry::Folder { files } => {
                let _ = writeln!(out, "  entry: folder [{}]", files.join(", "));
            }
            Entry::Unsupported { reason } => {
                let reason = reason.replace(&root.display().to_string(), "<project>");
                let _ = writeln!(out, "  entry: unsupported ({reason})");
            }
        }
        match &f.environment {
            None => {
                let _ = writeln!(out, "  environment: unknown");
            }
            Some(e) if e.is_empty() => {
                let _ = writeln!(out, "  environment: {{}}");
            }
            Some(e) => {
                let _ = writeln!(out, "  environment:");
                // Variables only the runtime knows are left out: the same 14 in every function.
                for (k, v) in e {
                    if matches!(v, EnvValue::Unknown(r) if r.ends_with("set by the Lambda runtime"))
                    {
                        continue;
                    }
                    let _ = writeln!(out, "    {k}: {}", env(v));
                }
            }
        }
    }
    out.push_str("diagnostics:\n");
    for diag in &d.diagnostics {
        let at = diag
            .location
            .as_ref()
            .map(|l| format!(" {}:{}", l.file, l.line))
            .unwrap_or_default();
        let message = diag
            .message
            .replace(&root.display().to_string(), "<project>");
        let _ = writeln!(out, "- {:?} {}{at}: {message}", diag.level, diag.code);
    }
    out
}

fn snapshot(name: &str, options: &DiscoverOptions) -> String {
    let root = project(name);
    render(&root, &discover(&root, options))
}

#[test]
fn serverless_v3_shared_role() {
    insta::assert_snapshot!(snapshot(
        "serverless-v3-shared-role",
        &DiscoverOptions::default()
    ));
}

#[test]
fn serverless_v3_stage_option() {
    let options = DiscoverOptions {
        stage: Some("prod".into()),
        functions: vec!["generateReceipt".into()],
        ..DiscoverOptions::default()
    };
    insta::assert_snapshot!(snapshot("serverless-v3-shared-role", &options));
}

#[test]
fn serverless_v4_per_function() {
    insta::assert_snapshot!(snapshot(
        "serverless-v4-per-function",
        &DiscoverOptions::default()
    ));
}

#[test]
fn sam_app() {
    insta::assert_snapshot!(snapshot("sam-app", &DiscoverOptions::default()));
}

#[test]
fn cdk_app() {
    insta::assert_snapshot!(snapshot("cdk-app", &DiscoverOptions::default()));
}

#[test]
fn cdk_out_given_directly() {
    let root = project("cdk-app");
    let from_project = discover(&root, &DiscoverOptions::default());
    let from_out = discover(&root.join("cdk.out"), &DiscoverOptions::default());
    let names = |d: &Discovery| -> Vec<(String, PathBuf)> {
        d.functions
            .iter()
            .map(|f| (f.name.clone(), f.code_root.clone()))
            .collect()
    };
    assert_eq!(names(&from_project), names(&from_out));
}

#[test]
fn broken_serverless_config_falls_back_to_the_folder() {
    let out = snapshot(
        "serverless-broken-config",
        &DiscoverOptions {
            config_fallback: true,
            ..DiscoverOptions::default()
        },
    );
    assert!(out.contains("config-parse-error serverless.yml:"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_config_that_cannot_be_read_finds_no_function_without_the_fallback() {
    for project in [
        "serverless-broken-config",
        "sam-broken-template",
        "cdk-broken-template",
    ] {
        let d = discover(&self::project(project), &DiscoverOptions::default());
        assert!(d.functions.is_empty(), "{project}: {:?}", d.functions);
        let errors: Vec<&str> = d.config_errors().map(|e| e.code.as_str()).collect();
        assert_eq!(errors, ["config-parse-error"], "{project}");
        assert!(
            !d.diagnostics.iter().any(|x| x.code == "config-fallback"),
            "{project}: {:?}",
            d.diagnostics
        );
    }
}

#[test]
fn handler_flags_win_over_config() {
    let root = project("serverless-v3-shared-role");
    let d = discover(
        &root,
        &DiscoverOptions {
            handlers: vec!["receipts/generate.handler".into()],
            ..DiscoverOptions::default()
        },
    );
    assert_eq!(d.functions.len(), 1);
    assert_eq!(
        d.functions[0].framework,
        leastrole_project::Framework::Handler
    );
    assert_eq!(d.functions[0].environment, None);
}

#[test]
fn plain_folders_stay_plain() {
    for name in ["plain-node", "plain-python"] {
        let d = discover(&project(name), &DiscoverOptions::default());
        assert_eq!(d.functions.len(), 1, "{name}");
        assert!(
            matches!(d.functions[0].entry, Entry::Folder { .. }),
            "{name}"
        );
        assert_eq!(
            d.functions[0].framework,
            leastrole_project::Framework::Plain
        );
    }
}

/// Debug aid: `LEASTROLE_DISCOVER_DIR=path cargo test -p leastrole-project --test discover
/// dump -- --ignored --nocapture` prints what discovery finds in any folder.
#[test]
#[ignore = "debug aid, needs LEASTROLE_DISCOVER_DIR"]
#[expect(clippy::print_stderr, reason = "the debug aid's output")]
fn dump() {
    let Some(dir) = std::env::var_os("LEASTROLE_DISCOVER_DIR") else {
        return;
    };
    let root = PathBuf::from(dir);
    let options = DiscoverOptions {
        stage: std::env::var("LEASTROLE_STAGE").ok(),
        ..DiscoverOptions::default()
    };
    eprintln!("{}", render(&root, &discover(&root, &options)));
}
